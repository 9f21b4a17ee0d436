/*
 * log.h - logging: syslog (facility mail) for events, and the ZMailer
 * session transcript of spec 12 (-l file, -l SYSLOG).  Every client string
 * is escaped and length-limited before it is written.
 */
#ifndef SMTPD_LOG_H
#define SMTPD_LOG_H

#include <stddef.h>
#include <syslog.h>
#include <time.h>

/* Process-wide: openlog("smtpserver", LOG_PID, LOG_MAIL); stderr copy when
 * to_stderr (foreground/debug). */
void log_init(const char *ident, int to_stderr);
void log_msg(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Escape s (n bytes) into out (C-style, printable ASCII only), truncated
 * to outlen-1 with "..." if needed.  Returns out. */
char *log_escape(char *out, size_t outlen, const char *s, size_t n);

/* Session transcript. */
struct xlog;
/* file may be NULL; use_syslog for -l SYSLOG.  NULL if neither. */
struct xlog *xlog_open(
    const char *file, int use_syslog, time_t start, long pid);
void xlog_close(struct xlog *);
/* dir: 'r' client line, 'w' server line, '#' note. */
void xlog_line(struct xlog *, char dir, const char *text, size_t len);
void xlog_note(struct xlog *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *xlog_tag(const struct xlog *);

#endif
