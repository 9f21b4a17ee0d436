/*
 * control.h - the control socket: a UNIX stream socket served by the
 * supervisor.  One request line in ("status", "reload", "stop"), one JSON
 * object out.  Only root and the socket's owner may talk to it.  A reload
 * is done before the answer, which reports its outcome; a stop is begun
 * after it.
 */
#ifndef SMTPD_CONTROL_H
#define SMTPD_CONTROL_H

#include <sys/types.h>
#include <stddef.h>
#include <time.h>

struct scoreboard;
struct buf;

#define CONTROL_PROTOCOL 1
#define CONTROL_DEFAULT_NAME ".smtpserver.ctl"

struct control_info {
	struct scoreboard *sb;
	pid_t pid;
	const char *config; /* path of the running configuration */
	int want_stop;      /* set by a "stop" request */
	/*
	 * A "reload" request, done before the answer so that it tells the
	 * outcome: the new generation, or 0 with the reason (file:line) in
	 * err.  The current generation is in the scoreboard either way.
	 */
	unsigned long (*reload)(void *arg, char *err, size_t errlen);
	void *reload_arg;
};

/*
 * Create the socket at path with mode (set through the umask at bind, never
 * by a chmod of path); a stale socket or a symbolic link there is removed
 * first.  The listening fd, or -1 with err.
 */
int control_open(const char *path, int mode, char *err, size_t errlen);
/* Accept and answer one request on the listening fd (bounded time). */
void control_serve(int lfd, struct control_info *);
/* A private copy (malloc'd, free() it) of the scoreboard's header,
 * slots and IP table, taken under its lock; NULL if out of memory. */
struct scoreboard *control_snapshot(struct scoreboard *);
/* The status object, as control_serve sends it. */
int control_status(struct control_info *, struct buf *out);

#endif
