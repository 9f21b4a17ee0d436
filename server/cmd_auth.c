/*
 * cmd_auth.c - AUTH (RFC 4954) with PLAIN (RFC 4616) and LOGIN: the
 * gates, the 334 dialogue, the per-address failure limit (reserve, then
 * check), and the verdict from the AUTH helper.  No response line is
 * logged: they carry passwords; the command line is logged up to its
 * mechanism only.
 * Not for: base64 and PLAIN parsing (auth.c), password checks
 * (privhelper.c, authcheck.c).
 */
#include "smtp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth.h"
#include "log.h"
#include "policy.h"
#include "privhelper.h"

static int
auth_enabled(const struct smtp *s)
{
	return s->g->smtp_auth || s->msa;
}

/* no-smtp-auth-on-25: not on plain SMTP listeners (MX), but on 465/587 */
static int
port_refused(const struct smtp *s)
{
	return s->g->no_auth_on_25 && s->env->kind == BIND_SMTP && !s->msa;
}

/* Submission (RFC 8314, 6409) always wants TLS before AUTH: there
 * AUTH-LOGIN-also-without-TLS does not count. */
static int
needs_tls(const struct smtp *s)
{
	return !smtp_tls_on(s) && (s->msa || !s->g->auth_login_without_tls);
}

/* Worth offering in EHLO: it could succeed now. */
int
smtp_auth_usable(const struct smtp *s)
{
	return auth_enabled(s) && !port_refused(s) && !needs_tls(s) &&
	    s->env->auth != NULL && !s->authenticated;
}

/* Who may MAIL without AUTH in MSA mode: local (non-network) sessions
 * and the policy's fulltrustnet networks. */
int
smtp_auth_exempt(const struct smtp *s)
{
	return !s->env->network || s->pol == NULL ||
	    policy_flags(s->pol)->full_trust;
}

void
smtp_auth_reset(struct smtp *s)
{
	if (s->authenticated && s->pol)
		policy_set_trusted(s->pol, 0);
	s->authenticated = 0;
	free(s->auth_user);
	s->auth_user = NULL;
}

/* How much of a command line the transcript may show. */
size_t
smtp_auth_loglen(const char *line, size_t len)
{
	size_t i = 4;

	if (len < 5 || strncasecmp(line, "AUTH", 4) != 0 ||
	    (line[4] != ' ' && line[4] != '\t'))
		return len;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	while (i < len && line[i] != ' ' && line[i] != '\t')
		i++;
	return i;
}

/*
 * Responses a client may send after an AUTH command line: what its
 * mechanism asks for (two for one we do not know), less the initial
 * response; -1 when the line is not AUTH.
 */
static int
expected(const char *line, size_t len)
{
	size_t i = 4, m;
	int n;

	if (len < 4 || strncasecmp(line, "AUTH", 4) != 0 ||
	    (len > 4 && line[4] != ' ' && line[4] != '\t'))
		return -1;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	for (m = i; i < len && line[i] != ' ' && line[i] != '\t'; i++)
		continue;
	n = auth_mech(line + m, i - m) == AUTH_MECH_PLAIN ? 1 : 2;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	return i < len ? n - 1 : n;
}

/* Could this line be a SASL response: base64, "=" or "*"? */
static int
response_like(const char *p, size_t n)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                          "abcdefghijklmnopqrstuvwxyz0123456789+/=";
	size_t i;

	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n == 1 && p[0] == '*')
		return 1;
	for (i = 0; i < n; i++)
		if (p[i] == '\0' || strchr(set, p[i]) == NULL)
			return 0;
	return 1;
}

/*
 * Is the command line just read (s->line) possibly a credential?  After
 * an AUTH that was refused or cut short, a client that did not wait for
 * the reply (pipelining, or a careless one) sends its responses anyway,
 * and they arrive as commands.  So every AUTH line owes the responses
 * its mechanism would read; cmd_auth pays off those it reads; each
 * following line that looks like a response pays off one more and is
 * never logged.  The first line that cannot be a response ends it.
 */
int
smtp_auth_secret(struct smtp *s)
{
	const char *p = s->line.data ? s->line.data : "";
	int secret = 0, e;

	if (s->auth_owed > 0) {
		s->auth_owed--;
		if (!(secret = response_like(p, s->line.len)))
			s->auth_owed = 0;
	}
	if (!secret && (e = expected(p, s->line.len)) >= 0)
		s->auth_owed = e;
	return secret;
}

/* An attempt counted against auth-fail-limit before its check. */
struct reservation {
	int held;
	time_t since; /* start of the window it was counted in */
};

/*
 * Reserve, then check: count this attempt as a failure of the address
 * now, before anything is checked, unless the address is at its limit
 * (0).  Parallel sessions from one address can then never have more
 * than auth-fail-limit checks in a window.  Per session without a
 * scoreboard (-i, -n).
 */
static int
reserve(struct smtp *s, struct reservation *rv)
{
	const struct session_env *e = s->env;
	int lim = s->g->auth_fail_limit, w = s->g->auth_fail_window;
	time_t now = time(NULL);

	rv->held = 0;
	if (lim <= 0)
		return 1;
	if (e->hooks.auth_reserve) {
		if (!e->hooks.auth_reserve(
		        e->hooks.arg, &e->peer, lim, w, &rv->since))
			return 0;
	} else {
		if (s->auth_fails && now - s->auth_fail_first >= w)
			s->auth_fails = 0;
		if (s->auth_fails >= lim)
			return 0;
		if (s->auth_fails++ == 0)
			s->auth_fail_first = now;
		rv->since = s->auth_fail_first;
	}
	rv->held = 1;
	return 1;
}

/* The reserved attempt did not fail (success, try-later, cancelled,
 * malformed): take it back. */
static void
refund(struct smtp *s, struct reservation *rv)
{
	const struct session_env *e = s->env;

	if (!rv->held)
		return;
	rv->held = 0;
	if (e->hooks.auth_refund)
		e->hooks.auth_refund(
		    e->hooks.arg, &e->peer, s->g->auth_fail_window, rv->since);
	else if (s->auth_fails > 0 && s->auth_fail_first == rv->since)
		s->auth_fails--;
}

/* Every refusal before a mechanism runs; 0 = go on, with the attempt
 * reserved in rv. */
static int
gate(struct smtp *s, struct reservation *rv)
{
	if (!auth_enabled(s))
		reply(s, R_AUTH_NOT_CONF);
	else if (port_refused(s))
		reply(s, R_AUTH_PORT25, s->iplit);
	else if (!s->esmtp)
		reply(s, R_AUTH_NEED_EHLO, s->iplit);
	else if (s->tx.active)
		reply(s, R_AUTH_IN_TXN, s->iplit);
	else if (s->authenticated)
		reply(s, R_AUTH_AGAIN, s->iplit);
	else if (needs_tls(s))
		reply(s, R_AUTH_NEED_TLS);
	else if (s->env->auth == NULL)
		reply(s, R_AUTH_TEMP);
	else if (!reserve(s, rv))
		reply(s, R_AUTH_LIMIT, s->iplit);
	else
		return 0;
	return -1;
}

static void
wipe(struct buf *b)
{
	if (b->data)
		explicit_bzero(b->data, b->cap);
	buf_free(b);
}

/* Decode a response into out; a 501 and -1 when it is not base64. */
static int
decode(struct smtp *s, const char *in, size_t n, struct buf *out)
{
	buf_reset(out);
	if (auth_b64_decode(in, n, out) == 0)
		return 0;
	reply(s, R_AUTH_B64);
	return -1;
}

/* 334 with the (base64) challenge, then the client's response decoded
 * into out.  0 ok; -1 after a refusal, a cancel or a lost client. */
static int
challenge(struct smtp *s, const char *text, struct buf *out)
{
	char b64[200];
	struct buf line;
	int fl = 0, r;

	if (auth_b64_encode(text, strlen(text), b64, sizeof(b64)) < 0)
		b64[0] = '\0';
	reply(s, R_AUTH_CHALLENGE, b64);
	reply_flush(s);
	buf_init(&line, AUTH_LINE_MAX + 1);
	r = stream_getline(&s->st, &line, AUTH_LINE_MAX, &fl);
	xlog_note(s->env->xlog, "AUTH response (not logged)");
	if (s->auth_owed > 0)
		s->auth_owed--;
	if (r == SR_TIMEOUT) {
		smtp_log_timeout(s, "auth");
		reply(s, R_TIMEOUT, s->myhost);
		s->quit = Q_DROP;
	} else if (r != SR_OK) {
		s->quit = Q_DROP;
	} else if (fl & SL_TOOLONG) {
		reply(s, R_LINE_TOO_LONG, AUTH_LINE_MAX);
	} else if (line.len == 1 && line.data[0] == '*') {
		reply(s, R_AUTH_CANCEL);
	} else {
		r = decode(s, line.data, line.len, out);
		wipe(&line);
		return r;
	}
	wipe(&line);
	return -1;
}

/* The response to the first challenge: the initial one, or asked for. */
static int
first(struct smtp *s, const char *ir, const char *prompt, struct buf *out)
{
	if (ir)
		return decode(s, ir, strlen(ir), out);
	return challenge(s, prompt, out);
}

/* PLAIN: user and pass point into a. */
static int
mech_plain(struct smtp *s, const char *ir, struct buf *a, struct buf *b,
    const char **user, const char **pass)
{
	int r;

	(void)b;
	if (first(s, ir, "", a) < 0)
		return -1;
	r = a->data ? auth_plain(a->data, a->len, user, pass) : -1;
	if (r == -2) /* an authzid for someone else: no proxy authorisation */
		reply(s, R_AUTH_FAIL);
	else if (r < 0)
		reply(s, R_AUTH_B64);
	return r < 0 ? -1 : 0;
}

static int
mech_login(struct smtp *s, const char *ir, struct buf *a, struct buf *b,
    const char **user, const char **pass)
{
	if (first(s, ir,
	        s->g->auth_user_prompt ? s->g->auth_user_prompt : "Username:",
	        a) < 0)
		return -1;
	if (challenge(s,
	        s->g->auth_pass_prompt ? s->g->auth_pass_prompt : "Password:",
	        b) < 0)
		return -1;
	if (a->data == NULL || b->data == NULL ||
	    memchr(a->data, '\0', a->len) || memchr(b->data, '\0', b->len)) {
		reply(s, R_AUTH_B64);
		return -1;
	}
	*user = a->data;
	*pass = b->data;
	return 0;
}

/* Check the password and answer; the enum ph_verdict. */
static int
verdict(struct smtp *s, const char *mech, const char *user, const char *pass)
{
	char esc[300], who[400], kv[128];
	int v = PH_NO;

	/* no space in it, so that a user name cannot fake a field */
	log_value(esc, sizeof(esc), user);
	smtp_client_name(s, who, sizeof(who));
	smtp_kv_client(s, kv, sizeof(kv));
	/* a user like "-x" or a password with a line break never reaches a
	 * checker: it is a plain failure */
	if (auth_user_ok(user) && auth_pass_ok(pass))
		v = privhelper_check(s->env->auth,
		    (size_t)(s->g - s->cf->groups), user, pass, s->ip,
		    s->g->auth_pipe_timeout + 5);
	if (v == PH_YES) {
		s->authenticated = 1;
		s->auth_user = xstrdup(user);
		s->auth_mech = mech;
		log_msg(LOG_INFO,
		    "%s: AUTH %s from %s: user=%s ok event=auth %s mech=%s "
		    "user=%s",
		    xlog_tag(s->env->xlog), mech, who, esc, kv, mech, esc);
		if (s->pol)
			policy_set_trusted(s->pol, 1); /* it may relay */
		reply(s, R_AUTH_OK);
		smtp_event(s, SEV_AUTH, NULL, 1);
	} else if (v == PH_NO) {
		log_msg(LOG_NOTICE,
		    "%s: AUTH %s from %s: user=%s failed event=auth-fail %s "
		    "mech=%s user=%s",
		    xlog_tag(s->env->xlog), mech, who, esc, kv, mech, esc);
		reply(s, R_AUTH_FAIL);
		smtp_event(s, SEV_AUTH, NULL, 0);
	} else {
		log_msg(LOG_WARNING,
		    "%s: AUTH %s from %s: user=%s not checked "
		    "event=auth-tempfail %s mech=%s user=%s",
		    xlog_tag(s->env->xlog), mech, who, esc, kv, mech, esc);
		reply(s, R_AUTH_TEMP);
	}
	return v;
}

void
cmd_auth(struct smtp *s, const char *arg)
{
	const char *sp, *ir, *user = NULL, *pass = NULL;
	struct reservation rv;
	struct buf a, b;
	enum auth_mech m;
	int r, v = PH_TEMP;

	if (gate(s, &rv) < 0)
		return;
	sp = arg + strcspn(arg, " \t");
	if (sp == arg) {
		reply(s, R_AUTH_SYNTAX);
		refund(s, &rv);
		return;
	}
	if ((m = auth_mech(arg, (size_t)(sp - arg))) == AUTH_MECH_NONE) {
		reply(s, R_AUTH_MECH);
		refund(s, &rv);
		return;
	}
	sp += strspn(sp, " \t");
	ir = *sp ? sp : NULL;
	buf_init(&a, AUTH_LINE_MAX);
	buf_init(&b, AUTH_LINE_MAX);
	if (m == AUTH_MECH_PLAIN)
		r = mech_plain(s, ir, &a, &b, &user, &pass);
	else
		r = mech_login(s, ir, &a, &b, &user, &pass);
	if (r == 0)
		v = verdict(
		    s, m == AUTH_MECH_PLAIN ? "PLAIN" : "LOGIN", user, pass);
	if (v != PH_NO) /* only a failure keeps its reservation */
		refund(s, &rv);
	wipe(&a);
	wipe(&b);
	explicit_bzero(s->line.data, s->line.len); /* the initial response */
	stream_wipe_consumed(&s->st);
}
