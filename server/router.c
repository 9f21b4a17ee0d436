/*
 * router.c - ZMailer's interactive router at HELO (style h), MAIL (unless
 * style F), RCPT (unless style T), VRFY (style v) and EXPN (style e),
 * when PARAM enable-router is on: the request "<key>\t<arg>", the answer
 * "NNN[ -]x.y.z text" lines; a 2xx lets the command go on, anything else
 * is the reply.  Failures answer 440/450 and count; past ROUTER_FAILS the
 * session ends.  Not for: the keeper and its door (subd.c).
 */
#include "smtp.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "subdaemons.h"

#define ROUTER_FAILS 20 /* failures a session may see, as ZMailer */
#define ROUTER_LINES 20 /* reply lines relayed at most */

struct answer {
	int code;
	char enh[16];
	const char *text[ROUTER_LINES];
	size_t n;
	int junk; /* lines that were not replies */
};

/* Split out (in place) into the reply lines; the last one decides. */
static void
parse(char *out, struct answer *a)
{
	char *line, *nl, enh[16];
	int code, more;
	const char *text;

	memset(a, 0, sizeof(*a));
	for (line = out; *line; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			break;
		*nl = '\0';
		if (subd_router_line(
		        line, &code, &more, enh, sizeof(enh), &text) < 0) {
			a->junk++;
			continue;
		}
		if (a->n == ROUTER_LINES)
			memmove(a->text, a->text + 1,
			    (ROUTER_LINES - 1) * sizeof(a->text[0]));
		else
			a->n++;
		a->text[a->n - 1] = text;
		a->code = code;
		snprintf(a->enh, sizeof(a->enh), "%s", enh);
	}
}

/* A failure: its reply, and the session ends after too many. */
static void
failed(struct smtp *s, enum subd_res r)
{
	if (r == SUBD_NOSTART)
		reply(s, R_ROUTER_SICK);
	else if (r == SUBD_TIMEOUT)
		reply(s, R_ROUTER_TIMEOUT);
	else
		reply(s, R_ROUTER_FAILED);
	log_msg(LOG_WARNING, "%s: interactive router %s",
	    xlog_tag(s->env->xlog),
	    r == SUBD_NOSTART       ? "cannot be started"
	        : r == SUBD_TIMEOUT ? "timed out"
	                            : "failed");
	if (++s->router_fails > ROUTER_FAILS)
		s->quit = Q_DROP;
}

/* The answer as the reply, every line with the final line's code. */
static void
relay(struct smtp *s, const struct answer *a)
{
	char def[16];
	const char *enh = a->enh;
	size_t i;

	if (*enh == '\0') {
		snprintf(def, sizeof(def), "%d.0.0", a->code / 100);
		enh = def;
	}
	for (i = 0; i + 1 < a->n; i++)
		reply_cont(s, a->code, enh, "%s", a->text[i]);
	reply(s, a->code, enh, "%s", a->text[a->n - 1]);
}

/*
 * Ask the router; always: relay its answer (VRFY, EXPN), else only a
 * refusal.  0 when the command goes on (nothing sent unless always),
 * -1 when the reply was a refusal or failure.
 */
static int
ask(struct smtp *s, const char *key, const char *arg, int always)
{
	struct subdaemons *sd = s->env->subd;
	struct answer a;
	struct buf out;
	enum subd_res r;
	char req[SUBD_REQ_MAX + 1];
	int n, rc = 0;

	n = snprintf(req, sizeof(req), "%s\t%s", key, arg);
	if (n < 0 || (size_t)n > SUBD_REQ_MAX) {
		failed(s, SUBD_EOF);
		return -1;
	}
	buf_init(&out, SUBD_REPLY_MAX + SUBD_LINE_MAX + 1);
	r = sd && sd->d[SUBD_ROUTER]
	    ? subd_ask(sd->d[SUBD_ROUTER], req, &out, s->cf->router_timeout)
	    : SUBD_NOSTART;
	if (r != SUBD_OK) {
		failed(s, r);
		buf_free(&out);
		return -1;
	}
	parse(out.data ? out.data : (char *)"", &a);
	if (a.n == 0 && a.junk == 0) {
		if (always)
			reply(s, R_ROUTER_THRU);
	} else if (a.n == 0) {
		failed(s, SUBD_EOF);
		rc = -1;
	} else if (always || a.code / 100 != 2) {
		relay(s, &a);
		rc = a.code / 100 == 2 ? 0 : -1;
	}
	buf_free(&out);
	return rc;
}

int
smtp_router_helo(struct smtp *s)
{
	char arg[400];

	if (!s->cf->enable_router || !s->style_h)
		return 0;
	snprintf(arg, sizeof(arg), "%s %s", s->iplit, s->rhost);
	return ask(s, "hello", arg, 0);
}

int
smtp_router_mail(struct smtp *s, const char *addr)
{
	if (!s->cf->enable_router || s->style_F)
		return 0;
	return ask(s, "from", *addr ? addr : "<>", 0);
}

int
smtp_router_rcpt(struct smtp *s, const char *addr)
{
	if (!s->cf->enable_router || s->style_T)
		return 0;
	return ask(s, "to", addr, 0);
}

int
smtp_router_vrfy(struct smtp *s, int expand, const char *arg)
{
	if (!s->cf->enable_router || !(expand ? s->style_e : s->style_v))
		return 0;
	ask(s, expand ? "expand" : "verify", arg, 1);
	return 1;
}
