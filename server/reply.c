/*
 * reply.c - the one reply builder: code, enhanced status (RFC 2034/3463),
 * multi-line continuation, tarpit before 4xx/5xx, transcript, flushing
 * under PIPELINING (RFC 2920: replies are buffered and flushed when the
 * session is about to wait for input that is not already there); and
 * reply_line(), the same lines for the worker's refusals before a session.
 * Not for: deciding which reply to give (the cmd_*.c handlers).
 */
#include "smtp.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

#define REPLY_TEXT_MAX 500 /* bytes of text in a line of REPLY_LINE_MAX */

/* Sleep the tarpit delay before a 4xx/5xx and grow it (PARAM tarpit, smtpserver.conf(5)). */
static void
tarpit(struct smtp *s)
{
	double t = s->tarpit;
	struct timespec ts;

	if (t < 1)
		return;
	reply_flush(s);
	ts.tv_sec = (time_t)(t + 0.5);
	ts.tv_nsec = 0;
	xlog_note(s->env->xlog, "tarpit %ld s", (long)ts.tv_sec);
	nanosleep(&ts, NULL);
	t += t * s->g->tarpit_exp;
	if (s->g->tarpit_top > 0 && (t > s->g->tarpit_top || t < 0))
		t = s->g->tarpit_top;
	s->tarpit = t;
}

/*
 * One reply line, CRLF excluded, into line: the code, '-' unless last, the
 * enhanced status when there is one and enhanced is set, then the text
 * with control bytes blanked and 8-bit bytes as '?' unless utf8.  Leaves
 * room for the CRLF.
 */
static size_t
format_line(char line[REPLY_LINE_MAX], int code, const char *enh, int enhanced,
    int last, int utf8, const char *text)
{
	size_t n, i;
	int k;

	if (enh && enhanced)
		k = snprintf(line, REPLY_LINE_MAX, "%03d%c%s ", code,
		    last ? ' ' : '-', enh);
	else
		k = snprintf(
		    line, REPLY_LINE_MAX, "%03d%c", code, last ? ' ' : '-');
	n = (size_t)k;
	for (i = 0; text[i] && n < REPLY_LINE_MAX - 3 && i < REPLY_TEXT_MAX;
	     i++) {
		unsigned char c = (unsigned char)text[i];

		line[n++] = (c < 0x20 || c == 0x7f) ? ' '
		    : (c >= 0x80 && !utf8)          ? '?'
		                                    : (char)c;
	}
	return n;
}

static void
put_line(struct smtp *s, int code, const char *enh, int last, const char *text)
{
	char line[REPLY_LINE_MAX];
	size_t n;

	if (last && code >= 400)
		tarpit(s);
	n = format_line(
	    line, code, enh, s->g->enhancedstatus, last, s->tx.smtputf8, text);
	xlog_line(s->env->xlog, 'w', line, n);
	line[n++] = '\r';
	line[n++] = '\n';
	stream_write(&s->st, line, n);
	if (last && code >= 400) {
		s->nrejects++;
		smtp_event(s, SEV_REJECT, NULL, code);
	}
	if (last && !s->g->pipelining)
		reply_flush(s);
}

static void
vreply(struct smtp *s, int code, const char *enh, int last, const char *fmt,
    va_list ap)
{
	char text[REPLY_TEXT_MAX + 1];

	vsnprintf(text, sizeof(text), fmt, ap);
	put_line(s, code, enh, last, text);
}

void
reply(struct smtp *s, int code, const char *enh, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreply(s, code, enh, 1, fmt, ap);
	va_end(ap);
}

void
reply_cont(struct smtp *s, int code, const char *enh, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreply(s, code, enh, 0, fmt, ap);
	va_end(ap);
}

size_t
reply_line(char *out, size_t size, int enhanced, int last, int code,
    const char *enh, const char *fmt, ...)
{
	char text[REPLY_TEXT_MAX + 1], line[REPLY_LINE_MAX];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	n = format_line(line, code, enh, enhanced, last, 0, text);
	line[n++] = '\r';
	line[n++] = '\n';
	if (n > size)
		return 0;
	memcpy(out, line, n);
	return n;
}

/*
 * ZMailer's caret line: a continuation line whose '^' sits under column
 * col of the client's command line (suppressed by
 * no-multiline-replies).
 */
void
reply_caret(struct smtp *s, int code, const char *enh, size_t col)
{
	char pad[CMD_LINE_MAX + 2];
	size_t prefix = 4 + (enh && s->g->enhancedstatus ? strlen(enh) + 1 : 0);

	if (!s->g->multiline_replies || col >= sizeof(pad) - 2)
		return;
	col = col > prefix ? col - prefix : 0;
	memset(pad, ' ', col);
	pad[col] = '^';
	pad[col + 1] = '\0';
	reply_cont(s, code, enh, "%s", pad);
}

/* A client that takes no replies within the timeout is dropped. */
void
reply_flush(struct smtp *s)
{
	int r = stream_flush(&s->st);

	if (r == SR_TIMEOUT && s->quit != Q_DROP) {
		xlog_note(s->env->xlog, "Timeout sending replies");
		smtp_log_timeout(s, "reply");
	}
	if (r < 0)
		s->quit = Q_DROP;
}
