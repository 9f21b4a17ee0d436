/*
 * control.h - the control socket: a UNIX stream socket served by the
 * supervisor.  One request line in ("status", "reload", "stop"), one JSON
 * object out.  Only root and the socket's owner may talk to it.
 */
#ifndef SMTPD_CONTROL_H
#define SMTPD_CONTROL_H

#include <sys/types.h>
#include <time.h>

struct scoreboard;
struct buf;

#define CONTROL_PROTOCOL 1
#define CONTROL_DEFAULT_NAME ".smtpserver.ctl"

struct control_info {
	struct scoreboard *sb;
	pid_t pid;
	const char *config; /* path of the running configuration */
	int want_reload;    /* set by a "reload" request */
	int want_stop;      /* set by a "stop" request */
};

/* Create the socket at path with mode; the listening fd or -1 (err). */
int control_open(const char *path, int mode, char *err, size_t errlen);
/* Accept and answer one request on the listening fd (bounded time). */
void control_serve(int lfd, struct control_info *);
/* The status object, as control_serve sends it. */
int control_status(struct control_info *, struct buf *out);

#endif
