/*
 * reply.c - the one reply builder: code, enhanced status (RFC 2034/3463),
 * multi-line continuation, tarpit before 4xx/5xx, transcript, flushing
 * under PIPELINING (RFC 2920: replies are buffered and flushed when the
 * session is about to wait for input that is not already there).
 * Not for: deciding which reply to give (the cmd_*.c handlers).
 */
#include "smtp.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

#define REPLY_TEXT_MAX 500

/* Sleep the tarpit delay before a 4xx/5xx and grow it (spec 3.8). */
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

static void
put_line(struct smtp *s, int code, const char *enh, int last, const char *text)
{
	char line[REPLY_TEXT_MAX + 40];
	size_t n, i;
	int k;

	if (last && code >= 400)
		tarpit(s);
	if (enh && s->g->enhancedstatus)
		k = snprintf(line, sizeof(line), "%03d%c%s ", code,
		    last ? ' ' : '-', enh);
	else
		k = snprintf(
		    line, sizeof(line), "%03d%c", code, last ? ' ' : '-');
	n = (size_t)k;
	for (i = 0; text[i] && n < sizeof(line) - 3 && i < REPLY_TEXT_MAX;
	     i++) {
		unsigned char c = (unsigned char)text[i];

		line[n++] = (c < 0x20 || c == 0x7f)  ? ' '
		    : (c >= 0x80 && !s->tx.smtputf8) ? '?'
		                                     : (char)c;
	}
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

void
reply_flush(struct smtp *s)
{
	if (stream_flush(&s->st) < 0)
		s->quit = 1;
}
