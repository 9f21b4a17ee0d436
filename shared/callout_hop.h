/*
 * callout_hop.h - one "PARAM rcpt-verify DOMAIN PROTO TARGET" line
 * (smtpserver.conf(5)): the domain, smtp or lmtp, and where the next hop
 * listens.  Here in shared/ so that the config reader checks each line
 * as it reads it (file:line); the callouts are policy/callout.c's.
 */
#ifndef SMTPD_CALLOUT_HOP_H
#define SMTPD_CALLOUT_HOP_H

#include <sys/socket.h>
#include <stddef.h>

#define CALLOUT_DOM_MAX 256
#define CALLOUT_PATH_MAX 108 /* sun_path */

enum callout_proto { CALLOUT_SMTP, CALLOUT_LMTP };

/* One "rcpt-verify DOMAIN PROTO TARGET" line. */
struct callout_hop {
	char dom[CALLOUT_DOM_MAX]; /* lowercase, no trailing dot */
	enum callout_proto proto;
	struct sockaddr_storage sa; /* unix:/path or [address]:port */
	socklen_t salen;
	char target[CALLOUT_PATH_MAX + 16]; /* as written, for the log */
};

/*
 * Parse one line ("example.org", "lmtp", "unix:/run/dovecot/lmtp" |
 * "[192.0.2.1]:24" | "[IPv6:::1]:25") into hop; 0, or -1 with the reason
 * in err.
 */
int callout_hop_parse(const char *dom, const char *proto, const char *target,
    struct callout_hop *hop, char *err, size_t errlen);
/* The same for the config reader's row check: av[0..2]. */
int callout_hop_check(char **av, char *err, size_t errlen);

#endif
