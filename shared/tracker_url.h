/*
 * tracker_url.h - the address of a shared counter store for PARAM
 * tracking-cluster: redis://[[user]:password@]host[:port][/db] or
 * unix:/path.  For: conf_types.c (checking the PARAM) and the tracker
 * (connecting).  Not for: talking to the store (server/tracker_redis.c).
 */
#ifndef SMTPD_TRACKER_URL_H
#define SMTPD_TRACKER_URL_H

#include <stddef.h>

#define TRACKER_URL_MAX 512
#define TRACKER_HOST_MAX 256
#define TRACKER_PATH_MAX 108 /* sun_path */
#define TRACKER_SECRET_MAX 128

struct tracker_url {
	int is_unix;                       /* unix:/path */
	char host[TRACKER_HOST_MAX];       /* name or address, no brackets */
	int port;                          /* 6379 when not given */
	char path[TRACKER_PATH_MAX];       /* the socket of unix: */
	char user[TRACKER_SECRET_MAX];     /* "" = AUTH password alone */
	char password[TRACKER_SECRET_MAX]; /* "" = no AUTH; never logged */
	int db;                            /* SELECT db; 0 = none */
};

/* Is text the redis or unix form (not ZMailer's peer form)? */
int tracker_url_is(const char *text);
/* Parse text; 0, or -1 with the reason (no secret in it) in err. */
int tracker_url_parse(
    const char *text, struct tracker_url *, char *err, size_t errlen);
/* The URL for logs and dumps: the password shown as "***". */
void tracker_url_show(const struct tracker_url *, char *out, size_t len);

#endif
