/*
 * pctx.c - the error and warning messages of the smtpserver.conf parse
 * context (struct pctx in params.h): "path:line: text" into the caller's
 * error buffer or to its warning callback.  A leaf, used by both the
 * reader (conf.c) and the PARAM setters (conf_types.c).
 * Not for: parsing anything.
 */
#include "params.h"

#include <stdarg.h>
#include <stdio.h>

static void
pctx_vformat(
    struct pctx *cx, char *out, size_t len, const char *fmt, va_list ap)
{
	char what[1024];

	vsnprintf(what, sizeof(what), fmt, ap);
	if (cx->line > 0)
		snprintf(out, len, "%s:%d: %s", cx->path, cx->line, what);
	else
		snprintf(out, len, "%s: %s", cx->path, what);
}

void
pctx_error(struct pctx *cx, const char *fmt, ...)
{
	va_list ap;

	if (cx->err == NULL || cx->errlen == 0)
		return;
	va_start(ap, fmt);
	pctx_vformat(cx, cx->err, cx->errlen, fmt, ap);
	va_end(ap);
}

void
pctx_warn(struct pctx *cx, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;

	if (cx->warn == NULL)
		return;
	va_start(ap, fmt);
	pctx_vformat(cx, msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cx->warn(cx->warn_arg, msg);
}
