/*
 * polsvc.c - Postfix policy delegation (PARAM policy-service): the
 * session asks each service in order at RCPT (and at DATA and at the end
 * of the data with policy-service-data), and applies the actions of
 * access(5): OK, DUNNO, REJECT, DEFER, DEFER_IF_PERMIT, DEFER_IF_REJECT,
 * 4NN/5NN text, PREPEND, HOLD, DISCARD, WARN/INFO.
 * Not for: the bytes on the wire (polsvc_io.c).
 */
#include "smtp.h"
#include "polsvc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"
#include "netaddr.h"
#include "scoreboard.h"

static const struct keyword {
	const char *kw;
	enum ps_act act;
	int code;
	const char *enh, *text; /* defaults */
} keywords[] = {
	{ "OK", PS_OK, 0, "", "" },
	{ "DUNNO", PS_DUNNO, 0, "", "" },
	{ "REJECT", PS_REJECT, 550, "5.7.1", "Access denied" },
	{ "DEFER", PS_REJECT, 450, "4.7.1", "Service unavailable" },
	{ "DEFER_IF_PERMIT", PS_DEFER_IF_PERMIT, 450, "4.7.1",
	    "Service unavailable" },
	{ "DEFER_IF_REJECT", PS_DEFER_IF_REJECT, 450, "4.7.1",
	    "Service unavailable" },
	{ "PREPEND", PS_PREPEND, 0, "", "" },
	{ "HOLD", PS_HOLD, 0, "", "" },
	{ "DISCARD", PS_DISCARD, 0, "", "" },
	{ "WARN", PS_WARN, 0, "", "" },
	{ "INFO", PS_WARN, 0, "", "" },
	{ "FILTER", PS_UNSUPPORTED, 0, "", "" },
	{ "REDIRECT", PS_UNSUPPORTED, 0, "", "" },
	{ "BCC", PS_UNSUPPORTED, 0, "", "" },
	{ "DELAY", PS_UNSUPPORTED, 0, "", "" },
};

/* "x.y.z" (x = class) at t followed by a blank or the end; its length. */
static size_t
enh_len(const char *t, int class)
{
	size_t i = 0, part, digits;

	if (t[0] != class)
		return 0;
	for (part = 0; part < 3; part++) {
		if (part > 0 && t[i++] != '.')
			return 0;
		for (digits = 0; isdigit((unsigned char)t[i]); i++)
			digits++;
		if (digits < 1 || digits > 3)
			return 0;
	}
	return t[i] == '\0' || t[i] == ' ' || t[i] == '\t' ? i : 0;
}

/* Text of a refusing action: an optional enhanced status, then text. */
static void
take_text(struct ps_verdict *v, const char *t, const char *def_enh,
    const char *def_text)
{
	size_t n;
	int class = '0' + v->code / 100;

	t += strspn(t, " \t");
	snprintf(v->enh, sizeof(v->enh), "%s", def_enh);
	if (class == '4' || class == '5') {
		/* a status of the other class takes the code's (RFC 3463) */
		n = enh_len(t, t[0] == '4' || t[0] == '5' ? t[0] : class);
		if (n > 0 && n < sizeof(v->enh)) {
			memcpy(v->enh, t, n);
			v->enh[n] = '\0';
			v->enh[0] = (char)class;
			t += n;
			t += strspn(t, " \t");
		}
	}
	psio_value(v->text, sizeof(v->text), *t ? t : def_text);
}

int
polsvc_parse_action(const char *value, struct ps_verdict *v)
{
	size_t i, n = strcspn(value, " \t");
	const char *rest = value + n;

	memset(v, 0, sizeof(*v));
	rest += strspn(rest, " \t");
	if (n == 3 && (value[0] == '4' || value[0] == '5') &&
	    isdigit((unsigned char)value[1]) &&
	    isdigit((unsigned char)value[2])) {
		v->act = PS_REJECT;
		v->code = atoi(value);
		take_text(v, rest, value[0] == '4' ? "4.7.1" : "5.7.1",
		    value[0] == '4' ? "Service unavailable" : "Access denied");
		return 0;
	}
	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		if (strlen(keywords[i].kw) != n ||
		    strncasecmp(value, keywords[i].kw, n) != 0)
			continue;
		v->act = keywords[i].act;
		v->code = keywords[i].code;
		if (v->code)
			take_text(v, rest, keywords[i].enh, keywords[i].text);
		else
			psio_value(v->text, sizeof(v->text), rest);
		if (v->act == PS_PREPEND && v->text[0] == '\0')
			return -1;
		return 0;
	}
	return -1;
}

/* The session's connections, made at the first question. */
struct polsvc {
	size_t n;
	struct ps_conn c[CONF_MAX_POLSVC];
};

static struct polsvc *
polsvc_get(struct smtp *s)
{
	const struct conf *cf = s->cf;
	struct polsvc *p;
	char err[300];
	size_t i;

	if (s->psv != NULL || cf->npolicy_service == 0)
		return s->psv;
	p = xcalloc(1, sizeof(*p));
	for (i = 0; i < cf->npolicy_service; i++) {
		/* checked by the config reader; a failure here is a bug */
		if (svcaddr_parse(cf->policy_service[i].b, &p->c[p->n].addr,
		        err, sizeof(err)) < 0)
			continue;
		p->c[p->n].name = cf->policy_service[i].a;
		p->c[p->n++].fd = -1;
	}
	s->psv = p;
	return p;
}

void
smtp_polsvc_end(struct smtp *s)
{
	size_t i;

	if (s->psv == NULL)
		return;
	for (i = 0; i < s->psv->n; i++)
		psio_close(&s->psv->c[i]);
	free(s->psv);
	s->psv = NULL;
}

/* One name=value line, the value cleaned and bounded. */
static void
attr(struct buf *b, const char *name, const char *value)
{
	char v[1024];

	psio_value(v, sizeof(v), value ? value : "");
	buf_printf(b, "%s=%s\n", name, v);
}

static void
attr_long(struct buf *b, const char *name, long long value)
{
	buf_printf(b, "%s=%lld\n", name, value);
}

/* encryption_* from "<cipher> keybits N/M version V" (cmd_tls.c). */
static void
attr_tls(struct smtp *s, struct buf *b)
{
	char cipher[160] = "";
	int bits = 0;

	if (smtp_tls_on(s))
		sscanf(s->tls_cipher, "%159s keybits %d", cipher, &bits);
	attr(b, "encryption_protocol",
	    smtp_tls_on(s) ? smtp_tls_version(s) : "");
	attr(b, "encryption_cipher", cipher);
	if (bits > 0)
		attr_long(b, "encryption_keysize", bits);
	else
		attr(b, "encryption_keysize", "");
	attr(b, "ccert_subject", s->tls_peer);
	attr(b, "ccert_issuer", "");
	attr(b, "ccert_fingerprint", "");
	attr(b, "ccert_pubkey_fingerprint", "");
}

/* The request of Postfix's SMTPD_POLICY_README for stage and rcpt. */
static void
request(struct smtp *s, struct buf *b, const char *stage, const char *rcpt,
    long long size)
{
	const char *name =
	    s->rhost[0] && s->rhost[0] != '[' ? s->rhost : "unknown";
	char local[64] = "";

	attr(b, "request", "smtpd_access_policy");
	attr(b, "protocol_state", stage);
	attr(b, "protocol_name",
	    s->lmtp ? "LMTP" : (s->esmtp ? "ESMTP" : "SMTP"));
	attr(b, "helo_name", s->helo_arg);
	attr(b, "queue_id", "");
	attr(b, "sender", s->tx.from);
	attr(b, "recipient", rcpt);
	attr_long(b, "recipient_count", (long long)s->tx.nrcpts);
	attr(b, "client_address", s->ip);
	attr(b, "client_name", name);
	attr(b, "reverse_client_name", name);
	if (s->env->locallen > 0)
		netaddr_text((const struct sockaddr *)&s->env->local, local,
		    sizeof(local));
	attr(b, "server_address", local);
	attr_long(b, "server_port", s->lport);
	attr_long(b, "client_port", s->rport);
	buf_printf(b, "instance=%lx.%lx.%lu\n", (unsigned long)getpid(),
	    (unsigned long)s->start, s->nmsgs);
	/* as in Postfix: only for a client that authenticated, and
	 * sasl_sender is MAIL AUTH= as given, empty for AUTH=<> */
	attr(b, "sasl_method",
	    s->authenticated && s->auth_mech ? s->auth_mech : "");
	attr(b, "sasl_username", s->authenticated ? s->auth_user : "");
	attr(b, "sasl_sender",
	    s->authenticated && s->tx.auth_param &&
	            strcmp(s->tx.auth_param, "<>") != 0
	        ? s->tx.auth_param
	        : "");
	attr_long(b, "size", size > 0 ? size : 0);
	attr(b, "etrn_domain", "");
	attr(b, "stress", "");
	attr_tls(s, b);
	attr(b, "policy_context", "");
	attr(b, "mail_version", SMTPSERVER_VERSION);
	buf_puts(b, "\n");
}

/* What the services said so far. */
struct outcome {
	struct ps_verdict dip, dir; /* DEFER_IF_PERMIT / _IF_REJECT */
	int have_dip, have_dir;
};

enum ps_stage { PSS_RCPT, PSS_DATA, PSS_EOM };

static const char *const stage_names[] = { "RCPT", "DATA", "END-OF-MESSAGE" };

static void
note(
    struct smtp *s, const struct ps_conn *c, const char *what, const char *text)
{
	char t[PS_TEXT_MAX + 8];

	log_msg(LOG_INFO, "%s: policy-service %s: %s %s",
	    xlog_tag(s->env->xlog), c->name, what,
	    log_escape(t, sizeof(t), text, strlen(text)));
}

/* A non-final action; 1 when the verdict is final (OK, DISCARD). */
static int
apply(struct smtp *s, const struct ps_conn *c, enum ps_stage st,
    const struct ps_verdict *v, struct outcome *o)
{
	switch (v->act) {
	case PS_OK:
		return 1;
	case PS_DISCARD:
		s->tx.discard = 1;
		note(s, c, "discard", v->text);
		return 1;
	case PS_DEFER_IF_PERMIT:
		if (!o->have_dip++)
			o->dip = *v;
		break;
	case PS_DEFER_IF_REJECT:
		if (!o->have_dir++)
			o->dir = *v;
		break;
	case PS_PREPEND:
		if (st == PSS_EOM)
			note(s, c, "prepend after the data, ignored:", v->text);
		else if (hdrs_add(&s->tx.hdrs, v->text) < 0)
			note(s, c, "prepend refused (shape or size):", v->text);
		break;
	case PS_HOLD:
		if (s->tx.freeze < 1)
			s->tx.freeze = 1;
		note(s, c, "hold", v->text);
		break;
	case PS_WARN:
		note(s, c, "warn", v->text);
		break;
	case PS_UNSUPPORTED:
		note(s, c, "unsupported action, taken as DUNNO:", v->text);
		break;
	case PS_DUNNO:
	case PS_REJECT:
		break;
	}
	return 0;
}

/* Send and log the refusal v at stage st. */
static void
refuse(struct smtp *s, enum ps_stage st, const char *rcpt,
    const struct ps_verdict *v)
{
	char text[PS_TEXT_MAX + 300];

	if (st == PSS_RCPT)
		snprintf(text, sizeof(text),
		    "<%.256s>: Recipient address rejected: %s", rcpt, v->text);
	else
		snprintf(text, sizeof(text), "%s rejected: %s",
		    st == PSS_DATA ? "Data command" : "End-of-data", v->text);
	smtp_log_reject(s, stage_names[st], v->code, v->enh, text,
	    s->tx.from ? s->tx.from : "", rcpt);
	if (st == PSS_RCPT) /* the policy refusal counters (metrics) */
		smtp_event(s, SEV_POLICY, NULL, SB_STAGE_RCPT);
	reply(s, v->code, v->enh, "%s", text);
}

/* Ask one service; 0 with v, -1 after logging why not. */
static int
ask_one(struct smtp *s, struct ps_conn *c, const struct buf *req,
    struct ps_verdict *v)
{
	char action[PS_REPLY_MAX], err[PS_REPLY_MAX + 64];

	if (psio_ask(c, s->cf->policy_service_timeout, req->data, req->len,
	        action, sizeof(action), err, sizeof(err)) == 0) {
		if (polsvc_parse_action(action, v) == 0)
			return 0;
		snprintf(err, sizeof(err), "%s: unknown action", c->name);
		psio_close(c);
	}
	log_msg(LOG_WARNING, "%s: policy-service %s failed: %s",
	    xlog_tag(s->env->xlog), c->name, err);
	return -1;
}

/* Every service in order; 0 go on, -1 after the refusal. */
static int
ask_all(struct smtp *s, enum ps_stage st, const char *rcpt, long long size)
{
	struct polsvc *p = polsvc_get(s);
	struct ps_verdict v,
	    fail = { .act = PS_REJECT,
		    .code = 451,
		    .enh = "4.3.0",
		    .text = "Server configuration problem" };
	struct outcome o;
	struct buf req;
	size_t i;
	int rc = 0;

	if (p == NULL || p->n == 0 || !s->env->network)
		return 0;
	memset(&o, 0, sizeof(o));
	buf_init(&req, PS_REQ_MAX);
	request(s, &req, stage_names[st], rcpt, size);
	for (i = 0; i < p->n; i++) {
		if (buf_failed(&req) || ask_one(s, &p->c[i], &req, &v) < 0) {
			if (strcmp(s->cf->policy_service_failure, "dunno") == 0)
				continue;
			v = fail;
		}
		if (v.act == PS_REJECT) {
			refuse(s, st, rcpt,
			    v.code >= 500 && o.have_dir ? &o.dir : &v);
			rc = -1;
			break;
		}
		if (apply(s, &p->c[i], st, &v, &o))
			break;
	}
	if (rc == 0 && o.have_dip) {
		refuse(s, st, rcpt, &o.dip);
		rc = -1;
	}
	buf_free(&req);
	return rc;
}

int
smtp_polsvc_rcpt(struct smtp *s, const char *rcpt)
{
	return ask_all(s, PSS_RCPT, rcpt, s->tx.size);
}

int
smtp_polsvc_data(struct smtp *s)
{
	if (!s->cf->policy_service_data)
		return 0;
	return ask_all(s, PSS_DATA,
	    s->tx.nrcpts == 1 ? s->tx.rcpts[0].addr : "", s->tx.size);
}

int
smtp_polsvc_eom(struct smtp *s, long long size)
{
	if (!s->cf->policy_service_data)
		return 0;
	return ask_all(
	    s, PSS_EOM, s->tx.nrcpts == 1 ? s->tx.rcpts[0].addr : "", size);
}
