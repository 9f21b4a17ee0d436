/*
 * log.h - logging: syslog (facility mail) for events, and the ZMailer
 * session transcript (-l file, -l SYSLOG; smtpserver(8) LOGGING).  Every
 * client string is escaped and length-limited before it is written.
 */
#ifndef SMTPD_LOG_H
#define SMTPD_LOG_H

#include <sys/types.h>
#include <stddef.h>
#include <syslog.h>
#include <time.h>

/* Process-wide: openlog("smtpserver", LOG_PID, LOG_MAIL); stderr copy when
 * to_stderr (foreground/debug). */
void log_init(const char *ident, int to_stderr);
void log_msg(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* log_msg at LOG_NOTICE, and on stderr whatever log_init said: what a
 * person starting the daemon must see (its "listening on" line). */
void log_tell(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Escape s (n bytes) into out (C-style, printable ASCII only), truncated
 * to outlen-1 with "..." if needed.  Returns out. */
char *log_escape(char *out, size_t outlen, const char *s, size_t n);
/* The value of a key=value field (smtpserver(8) LOGGING): as log_escape,
 * and a space, '"' and '=' as \xHH too, so that a value never ends early
 * or fakes another field; "-" for NULL or empty.  Returns out. */
char *log_value(char *out, size_t outlen, const char *s);

/* Session transcript. */
struct xlog;
/*
 * Before the privilege drop (root only): create the -l file for the
 * session's user uid:gid, safely in a directory that user may own (see
 * safe_append); problems are logged.
 */
void xlog_prepare(const char *file, uid_t uid, gid_t gid);
/* file may be NULL; use_syslog for -l SYSLOG.  With neither, the
 * transcript goes nowhere but the session still has its tag for the
 * syslog events; NULL only when out of memory.  The file is opened with
 * safe_append: never through a symbolic link, only a regular file with
 * one link. */
struct xlog *xlog_open(
    const char *file, int use_syslog, time_t start, long pid);
void xlog_close(struct xlog *);
/* dir: 'r' client line, 'w' server line, '#' note. */
void xlog_line(struct xlog *, char dir, const char *text, size_t len);
void xlog_note(struct xlog *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *xlog_tag(const struct xlog *);

#endif
