/*
 * daemon.h - becoming a daemon: the pid file (killing an older daemon
 * first), detaching from the terminal, and a verified privilege drop.
 * Errors are returned with the reason in err; nothing here exits.
 */
#ifndef SMTPD_DAEMON_H
#define SMTPD_DAEMON_H

#include <sys/types.h>
#include <stddef.h>

/*
 * If path names a live smtpserver other than us, SIGTERM it and wait up to
 * wait_ms for it to go.  0 when nothing is left running, -1 (err) if it
 * is still there.  A live process that is not an smtpserver (a stale pid
 * file whose pid was reused: /proc/PID/exe, or argv[0] when exe cannot be
 * read, is neither "smtpserver" nor our own program's name) is logged and
 * left alone (0); without /proc any live process is signalled, as before.
 */
int daemon_kill_previous(
    const char *path, int wait_ms, char *err, size_t errlen);
/*
 * Write our pid, mode 0644, atomically: the temp file path.<pid> is
 * created with O_EXCL|O_NOFOLLOW (a name already there is unlinked
 * first, never followed), then renamed over path.  The pid file is read
 * only when it is a regular file and not a symbolic link.
 */
int daemon_pidfile_write(const char *path, char *err, size_t errlen);
/* Remove path if it still holds our pid. */
void daemon_pidfile_remove(const char *path);
/* fork (the parent exits 0), setsid, umask 022, fds 0-2 to /dev/null. */
int daemon_detach(char *err, size_t errlen);
/* uid/gid of user; -1 if unknown or root. */
int daemon_user(const char *user, uid_t *, gid_t *, char *err, size_t errlen);
/*
 * setgroups/setgid/setuid to uid/gid, then check that uid 0 cannot be
 * regained.  A no-op (0) when not running as root.
 */
int daemon_drop(uid_t, gid_t, char *err, size_t errlen);
/*
 * getpid(), asked once per process (a forked child asks again): for the
 * names and log lines made per message.
 */
pid_t daemon_getpid(void);
/*
 * For a helper process forked to serve a door socket (the AUTH helper,
 * the sub-daemon keepers): the signals in sigs back to their defaults,
 * SIGPIPE ignored, stdin/stdout on /dev/null, every descriptor but 0-2
 * and door closed, syslog closed (reopened on the next line).
 */
void daemon_keep_door(int door, const int *sigs, size_t nsigs);
/*
 * Send n bytes of p with the descriptor fd attached (SCM_RIGHTS) in one
 * sendmsg (flags: MSG_DONTWAIT or 0; MSG_NOSIGNAL is added); 0 when all
 * of it went, else -1.
 */
int daemon_send_fd(int sock, const void *p, size_t n, int fd, int flags);

#endif
