/*
 * log.c - syslog events and the ZMailer session transcript (smtpserver(8)
 * LOGGING, -l).
 * Not for: deciding what to log (callers), reply text (server/reply.c).
 */
#include "log.h"
#include "safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static int log_stderr;

struct xlog {
	int fd; /* -1 when no file */
	int use_syslog;
	time_t start;
	char tag[8];
};

/*
 * Without a syslog daemon, every syslog() call tries to connect to
 * /dev/log again (a socket and a failed connect per line, several lines a
 * message).  When /dev/log does not take a datagram, lines go to syslog
 * no more, and it is tried again after SYSLOG_RETRY_S seconds.
 */
#define SYSLOG_RETRY_S 30

static time_t syslog_retry; /* 0: syslog is up */

static int
syslog_reachable(void)
{
	struct sockaddr_un sa;
	int fd, r;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", _PATH_LOG);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return r == 0;
}

static int
syslog_up(void)
{
	time_t now;

	if (syslog_retry == 0)
		return 1;
	now = time(NULL);
	if (now < syslog_retry)
		return 0;
	if (syslog_reachable()) {
		syslog_retry = 0;
		return 1;
	}
	syslog_retry = now + SYSLOG_RETRY_S;
	return 0;
}

void
log_init(const char *ident, int to_stderr)
{
	openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
	log_stderr = to_stderr;
	syslog_retry = syslog_reachable() ? 0 : time(NULL) + SYSLOG_RETRY_S;
}

/* One line to syslog (when it takes datagrams) and, if asked, stderr. */
static void log_line(int prio, int to_stderr, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void
log_line(int prio, int to_stderr, const char *fmt, va_list ap)
{
	char line[2048];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (syslog_up())
		syslog(prio, "%s", line);
	if (to_stderr)
		fprintf(stderr, "smtpserver[%ld]: %s\n", (long)getpid(), line);
}

void
log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(prio, log_stderr, fmt, ap);
	va_end(ap);
}

void
log_tell(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(LOG_NOTICE, 1, fmt, ap);
	va_end(ap);
}

/* Escape s (n bytes) into out: bytes outside printable ASCII, a backslash
 * and any byte of extra as \xHH (a backslash as \\); "..." when cut. */
static char *
escape_set(char *out, size_t outlen, const char *s, size_t n, const char *extra)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	if (outlen == 0)
		return out;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[5];
		size_t el;

		if (c >= 0x20 && c < 0x7f && c != '\\' &&
		    strchr(extra, c) == NULL) {
			esc[0] = (char)c;
			el = 1;
		} else {
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[c >> 4];
			esc[3] = hex[c & 15];
			el = c == '\\' ? 2 : 4;
			if (c == '\\')
				esc[1] = '\\';
		}
		if (o + el + 4 > outlen) {
			if (o + 4 <= outlen) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(out + o, esc, el);
		o += el;
	}
	out[o] = '\0';
	return out;
}

char *
log_escape(char *out, size_t outlen, const char *s, size_t n)
{
	return escape_set(out, outlen, s, n, "");
}

char *
log_value(char *out, size_t outlen, const char *s)
{
	if (s == NULL || *s == '\0') {
		if (outlen > 0)
			snprintf(out, outlen, "-");
		return out;
	}
	return escape_set(out, outlen, s, strlen(s), " \"=");
}

/* Spool-id alphabet tag: day-1, hour, min, sec of start + 3 pid chars. */
static void
make_tag(char tag[8], time_t start, long pid)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123abcdefghijklmnopqrstuvwxyz4567890-=";
	struct tm tm;

	gmtime_r(&start, &tm);
	tag[0] = abc[(tm.tm_mday - 1) & 63];
	tag[1] = abc[tm.tm_hour & 63];
	tag[2] = abc[tm.tm_min & 63];
	tag[3] = abc[tm.tm_sec & 63];
	tag[4] = abc[(pid >> 12) & 63];
	tag[5] = abc[(pid >> 6) & 63];
	tag[6] = abc[pid & 63];
	tag[7] = '\0';
}

void
xlog_prepare(const char *file, uid_t uid, gid_t gid)
{
	char err[1024];
	int fd;

	if (file == NULL || geteuid() != 0)
		return;
	fd = safe_append(file, 0640, uid, gid, err, sizeof(err));
	if (err[0] != '\0')
		log_msg(fd < 0 ? LOG_ERR : LOG_WARNING, "log file %s", err);
	if (fd >= 0)
		close(fd);
}

struct xlog *
xlog_open(const char *file, int use_syslog, time_t start, long pid)
{
	struct xlog *x;
	char err[1024];

	x = calloc(1, sizeof(*x));
	if (x == NULL)
		return NULL;
	x->fd = -1;
	if (file) {
		x->fd = safe_append(
		    file, 0640, (uid_t)-1, (gid_t)-1, err, sizeof(err));
		if (x->fd < 0)
			log_msg(LOG_ERR, "cannot open log file %s", err);
	}
	x->use_syslog = use_syslog;
	x->start = start;
	make_tag(x->tag, start, pid);
	return x;
}

void
xlog_close(struct xlog *x)
{
	if (x == NULL)
		return;
	if (x->fd >= 0)
		close(x->fd);
	free(x);
}

const char *
xlog_tag(const struct xlog *x)
{
	return x ? x->tag : "-";
}

void
xlog_line(struct xlog *x, char dir, const char *text, size_t len)
{
	char esc[1100], line[1200];
	long secs;
	int n;

	if (x == NULL || (x->fd < 0 && !x->use_syslog))
		return;
	secs = (long)(time(NULL) - x->start);
	if (secs < 0 || secs > 9999)
		secs = 9999;
	log_escape(esc, sizeof(esc), text, len);
	if (x->fd >= 0) {
		n = snprintf(line, sizeof(line), "%s%04ld%c\t%s\n", x->tag,
		    secs, dir, esc);
		if (n > 0 && (size_t)n < sizeof(line) &&
		    write(x->fd, line, (size_t)n) < 0)
			(void)0;
	}
	if (x->use_syslog && syslog_up())
		syslog(LOG_DEBUG, "%s%04ld %c %s", x->tag, secs, dir, esc);
}

void
xlog_note(struct xlog *x, const char *fmt, ...)
{
	va_list ap;
	char text[1024];
	int n;

	if (x == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	xlog_line(x, '#', text, strlen(text));
}
