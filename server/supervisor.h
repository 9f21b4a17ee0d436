/*
 * supervisor.h - the daemon: listeners, scoreboard, pid file, detach, the
 * worker pool, SIGHUP reload, SIGTERM shutdown and the control socket.
 */
#ifndef SMTPD_SUPERVISOR_H
#define SMTPD_SUPERVISOR_H

struct options;
struct conf;
struct zenv;

/*
 * Run the daemon with a loaded configuration until it is told to stop.
 * conf stays owned by the caller (a reload loads and frees its own).
 * Returns the exit status for main: 0 after a clean stop, 1 when startup
 * failed (reason logged and on stderr), 2 when the pid file could not be
 * written (smtpserver(8), Start-up).
 */
int supervisor_run(const struct options *, struct conf *, struct zenv *);

#endif
