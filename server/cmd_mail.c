/*
 * cmd_mail.c - MAIL and RCPT: path syntax, ESMTP parameters (SIZE, BODY,
 * SMTPUTF8, DSN), recipient limits and storage checks (smtpserver(8), Commands, Recipients).
 * Not for: the message body (cmd_data.c), policy verdicts (policy/).
 */
#include "smtp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "rfc5321.h"
#include "xtext.h"

#define MAX_PARAMS 16

/* Skip "FROM:" / "TO:" (case-insensitive); NULL if absent. */
static const char *
after_keyword(struct smtp *s, const char *arg, const char *kw)
{
	size_t n = strlen(kw);

	if (strncasecmp(arg, kw, n) != 0)
		return NULL;
	arg += n;
	if (!s->strict)
		while (*arg == ' ' || *arg == '\t')
			arg++;
	return arg;
}

static unsigned
path_flags(const struct smtp *s)
{
	unsigned f = 0;

	if (s->strict)
		f |= RFC5321_STRICT;
	if (s->sloppy)
		f |= RFC5321_SLOPPY;
	if (s->style_R || s->strict)
		f |= RFC5321_NEED_DOMAIN;
	if (s->cf->allow_source_route)
		f |= RFC5321_KEEP_ROUTE;
	if (s->g->smtputf8)
		f |= RFC5321_UTF8;
	return f;
}

/* Column of p in the command line, for the caret. */
static size_t
column(const struct smtp *s, const char *p)
{
	return (size_t)(p - s->line.data);
}

static int
parse_size(const char *v, long long *out)
{
	char *end;
	long long n;

	if (v == NULL || *v < '0' || *v > '9' || strlen(v) > 15)
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || *end)
		return -1;
	*out = n;
	return 0;
}

/*
 * RFC 4954 5: AUTH=<xtext mailbox> or AUTH=<>.  Kept only from an
 * authenticated client (for the lead's policy and a relaying hop); from
 * anyone else it is checked and dropped.
 */
static int
mail_auth(struct smtp *s, const char *v)
{
	char *d;

	if (v == NULL || strlen(v) > 500)
		return -1;
	if (strcmp(v, "<>") == 0)
		return 0;
	if (!xtext_valid(v) || (d = xtext_decode(v)) == NULL)
		return -1;
	free(s->tx.auth_param);
	s->tx.auth_param = s->authenticated ? d : NULL;
	if (!s->authenticated)
		free(d);
	return 0;
}

/* One MAIL parameter; 0 ok, -1 when a reply was sent. */
static int
mail_param(struct smtp *s, const struct esmtp_param *p, void *arg)
{
	struct smtp_txn *t = &s->tx;
	const char *k = p->key, *v = p->value;

	(void)arg;

	if (strcmp(k, "SIZE") == 0) {
		if (parse_size(v, &t->size) < 0) {
			reply(s, R_MAIL_SIZE_BAD);
			return -1;
		}
	} else if (strcmp(k, "BODY") == 0 && s->g->eightbitmime) {
		if (v && strcasecmp(v, "8BITMIME") == 0)
			t->bodytype = "8BITMIME";
		else if (v && strcasecmp(v, "7BIT") == 0)
			t->bodytype = "7BIT";
		else {
			reply(s, R_MAIL_BODY_BAD);
			return -1;
		}
	} else if (strcmp(k, "RET") == 0 && s->g->dsn) {
		if (v && strcasecmp(v, "FULL") == 0)
			t->ret = "FULL";
		else if (v && strcasecmp(v, "HDRS") == 0)
			t->ret = "HDRS";
		else {
			reply(s, R_MAIL_RET_BAD);
			return -1;
		}
	} else if (strcmp(k, "ENVID") == 0 && s->g->dsn) {
		if (v == NULL || strlen(v) > 100 || !xtext_valid(v)) {
			reply(s, R_MAIL_ENVID_BAD);
			return -1;
		}
		t->envid = xstrdup(v);
	} else if (strcmp(k, "AUTH") == 0 &&
	    (s->authenticated || smtp_auth_usable(s))) {
		if (mail_auth(s, v) < 0) {
			reply(s, R_MAIL_AUTH_BAD);
			return -1;
		}
	} else if (strcmp(k, "SMTPUTF8") == 0 && s->g->smtputf8 && !v) {
		t->smtputf8 = 1;
	} else {
		reply(s, R_MAIL_PARAM_UNKNOWN, k);
		return -1;
	}
	return 0;
}

/*
 * Split the ESMTP parameters after a path and give each to fn (which
 * replies on error); 0 when all were good, -1 when a reply was sent.
 */
static int
each_param(struct smtp *s, const char *rest,
    int (*fn)(struct smtp *, const struct esmtp_param *, void *), void *arg)
{
	struct esmtp_param ps[MAX_PARAMS];
	const char *err = NULL;
	int n, i, r = 0;

	while (*rest == ' ')
		rest++;
	n = rfc5321_params(rest, strlen(rest), ps, MAX_PARAMS, &err);
	if (n < 0) {
		reply(s, R_MAIL_PARAM_DUP, err ? err : "bad parameters");
		return -1;
	}
	for (i = 0; i < n && r == 0; i++)
		r = fn(s, &ps[i], arg);
	rfc5321_params_free(ps, (size_t)n);
	return r;
}

void
cmd_mail(struct smtp *s, const char *arg)
{
	struct smtp_path path;
	const char *p;

	if ((p = after_keyword(s, arg, "FROM:")) == NULL) {
		reply(s, R_MAIL_NO_FROM, s->iplit);
		return;
	}
	if (p[0] == '<' && p[1] == '<') {
		reply(s, R_MAIL_TOO_MANY_LT, p);
		return;
	}
	if (rfc5321_path(
	        p, strlen(p), path_flags(s) | RFC5321_ALLOW_NULL, &path) < 0) {
		reply_caret(s, 501, "5.1.7", column(s, p) + path.errcol);
		reply(s, R_MAIL_PATH, path.err);
		rfc5321_path_free(&path);
		return;
	}
	s->tx.size = -1;
	if (each_param(s, p + path.end, mail_param, NULL) < 0)
		goto fail;
	if (path.utf8 && !s->tx.smtputf8) {
		reply(s, R_MAIL_UTF8_NEEDED);
		goto fail;
	}
	if (s->maxsize > 0 && s->tx.size > s->maxsize) {
		reply(s, R_MAIL_TOO_BIG, s->maxsize);
		goto fail;
	}
	if (spool_space_ok(&s->spool, s->tx.size > 0 ? s->tx.size : 0) < 0) {
		reply(s, R_MAIL_NO_SPACE);
		goto fail;
	}
	if (smtp_policy_mail(s, path.addr) < 0 ||
	    smtp_spf_mail(s, path.addr) < 0) {
		rfc5321_path_free(&path);
		smtp_txn_reset(s);
		s->tx.mail_rejected = 1; /* RCPTs get "earlier rejection" */
		return;
	}
	if (smtp_router_mail(s, path.addr) < 0)
		goto fail;
	s->tx.active = 1;
	s->tx.from = xstrdup(path.addr);
	if (milter_mail(s, path.addr, p + path.end) < 0)
		goto fail;
	s->state = ST_RCPT;
	reply(s, R_MAIL_OK,
	    path.route && !s->cf->allow_source_route ? ", source route ignored"
	                                             : "");
	rfc5321_path_free(&path);
	return;
fail:
	rfc5321_path_free(&path);
	smtp_txn_reset(s);
}

/* One RCPT parameter into the env_rcpt arg; 0 ok, -1 after a reply. */
static int
rcpt_param(struct smtp *s, const struct esmtp_param *p, void *arg)
{
	struct env_rcpt *r = arg;

	if (strcmp(p->key, "NOTIFY") == 0 && s->g->dsn) {
		if (p->value == NULL || rfc5321_notify_valid(p->value) < 0) {
			reply(s, R_RCPT_NOTIFY_BAD);
			return -1;
		}
		free(r->notify);
		r->notify = xstrdup(p->value);
	} else if (strcmp(p->key, "ORCPT") == 0 && s->g->dsn) {
		if (p->value == NULL || rfc5321_orcpt_valid(p->value) < 0) {
			reply(s, R_RCPT_ORCPT_BAD);
			return -1;
		}
		free(r->orcpt);
		r->orcpt = xstrdup(p->value);
	} else {
		reply(s, R_RCPT_PARAM_UNKNOWN, p->key);
		return -1;
	}
	return 0;
}

static int
rcpt_params(struct smtp *s, const char *rest, struct env_rcpt *r)
{
	if (each_param(s, rest, rcpt_param, r) < 0)
		return -1;
	if (s->g->force_rcpt_notify_never) {
		free(r->notify);
		r->notify = xstrdup("NEVER");
	}
	return 0;
}

/*
 * With allowsourceroute the route stays in the envelope, so the router
 * would send the message to the first hop: that hop must pass the policy
 * too (the policy itself judges the final mailbox).  "@a,@b:u@d" is also
 * checked as "u@a".
 */
enum hop {
	HOP_OK,       /* no route, or its first hop passes */
	HOP_REFUSED,  /* the policy refused the hop: its reply was sent */
	HOP_UNUSABLE, /* no usable first hop: not answered yet */
};

static enum hop
route_hop_ok(struct smtp *s, const char *addr)
{
	const char *colon = strchr(addr, ':'), *at, *hop_end;
	char hop[600];
	int fr, n;

	if (!s->cf->allow_source_route || addr[0] != '@' || colon == NULL)
		return HOP_OK;
	at = strrchr(colon, '@');
	hop_end = addr + strcspn(addr, ",:");
	if (at == NULL)
		return HOP_UNUSABLE;
	n = snprintf(hop, sizeof(hop), "%.*s@%.*s", (int)(at - colon - 1),
	    colon + 1, (int)(hop_end - addr - 1), addr + 1);
	if (n < 0 || (size_t)n >= sizeof(hop))
		return HOP_UNUSABLE;
	return smtp_policy_rcpt(s, hop, &fr) == 0 ? HOP_OK : HOP_REFUSED;
}

/* The policy's word on a recipient; a refused one is remembered for the
 * envelope's comment line (smtpserver(8), THE SPOOL). */
static int
rcpt_policy(struct smtp *s, const char *addr, struct env_rcpt *r)
{
	struct smtp_txn *t = &s->tx;
	char **n;
	enum hop hop;

	if (smtp_policy_rcpt(s, addr, &r->freeze) == 0) {
		hop = route_hop_ok(s, addr);
		if (hop == HOP_OK && smtp_policy_rcpt_known(s, addr) == 0 &&
		    smtp_spf_rcpt(s, addr) == 0 &&
		    smtp_polsvc_rcpt(s, addr) == 0)
			return 0;
		if (hop == HOP_UNUSABLE)
			reply(s, R_RCPT_ROUTE, addr);
	}
	if (t->nrejected < 100 &&
	    (n = realloc(t->rejected, (t->nrejected + 1) * sizeof(*n)))) {
		t->rejected = n;
		n[t->nrejected++] = xstrdup(addr);
	}
	return -1;
}

/* Limits that depend on the count of accepted recipients. */
static int
rcpt_limits(struct smtp *s)
{
	struct smtp_txn *t = &s->tx;
	long long need;

	if ((long)t->nrcpts >= s->g->rcpt_limit) {
		reply(s, R_RCPT_TOO_MANY);
		return -1;
	}
	if (t->from[0] == '\0' && (long)t->nrcpts >= s->g->max_error_rcpts) {
		reply(s, R_RCPT_ERR_SPAM);
		return -1;
	}
	need = t->size > 0 ? t->size : 0;
	if (s->cf->sum_sizeoption)
		need *= (long long)t->nrcpts + 1;
	if (spool_space_ok(&s->spool, need) < 0) {
		reply(s, R_RCPT_NO_SPACE);
		return -1;
	}
	return 0;
}

static int
rcpt_add(struct smtp *s, struct env_rcpt *r)
{
	struct smtp_txn *t = &s->tx;

	if (t->nrcpts == t->rcap) {
		size_t nc = t->rcap ? t->rcap * 2 : 8;
		struct env_rcpt *n = realloc(t->rcpts, nc * sizeof(*n));

		if (n == NULL)
			return -1;
		t->rcpts = n;
		t->rcap = nc;
	}
	t->rcpts[t->nrcpts++] = *r;
	return 0;
}

void
cmd_rcpt(struct smtp *s, const char *arg)
{
	struct smtp_path path;
	struct env_rcpt r;
	const char *p;

	memset(&r, 0, sizeof(r));
	/* accepted ones are capped by rcpt_limits(); refused ones too: at
	 * twice RcptLimitCount per transaction 452, and a session that piles
	 * up four times that over RSETs is ended.  RCPTs past a full
	 * transaction (452, the client is told to send the rest later) do
	 * not count towards the latter. */
	if (s->tx.tried <= 2L * s->g->rcpt_limit)
		s->tx.tried++;
	if ((long)s->tx.nrcpts < s->g->rcpt_limit)
		s->rcpt_attempts++;
	if (s->rcpt_attempts - s->nrcpts_total > 4UL * s->g->rcpt_limit) {
		reply(s, R_RCPT_PROBE, s->myhost);
		s->quit = Q_DROP;
		return;
	}
	if (s->tx.tried > 2L * s->g->rcpt_limit) {
		reply(s, R_RCPT_TOO_MANY);
		return;
	}
	if (s->tx.mail_rejected) {
		reply(s, R_RCPT_REJECTED_MAIL, s->iplit);
		return;
	}
	if ((p = after_keyword(s, arg, "TO:")) == NULL) {
		reply(s, R_RCPT_NO_TO, arg);
		return;
	}
	if (rfc5321_path(p, strlen(p),
	        path_flags(s) | RFC5321_POSTMASTER | RFC5321_ALLOW_NULL,
	        &path) < 0) {
		reply_caret(s, 501, "5.1.3", column(s, p) + path.errcol);
		reply(s, R_RCPT_PATH, path.err);
		rfc5321_path_free(&path);
		return;
	}
	if (path.null) {
		reply(s, R_RCPT_NULL, p);
	} else if (path.utf8 && !s->tx.smtputf8) {
		reply(s, R_MAIL_UTF8_NEEDED);
	} else if (rcpt_params(s, p + path.end, &r) == 0 &&
	    rcpt_policy(s, path.addr, &r) == 0 &&
	    smtp_router_rcpt(s, path.addr) == 0 && rcpt_limits(s) == 0 &&
	    milter_rcpt(s, path.addr, p + path.end) == 0) {
		r.addr = path.addr;
		path.addr = NULL;
		if (rcpt_add(s, &r) == 0) {
			s->state = ST_RCPT_DATA;
			s->nrcpts_total++;
			if (s->tx.size > 0)
				reply(s, R_RCPT_OK_SIZE, s->tx.size, r.addr);
			else
				reply(s, R_RCPT_OK, r.addr);
			rfc5321_path_free(&path);
			return;
		}
		reply(s, R_DATA_SPOOL_FAIL);
	}
	free(r.addr);
	free(r.notify);
	free(r.orcpt);
	rfc5321_path_free(&path);
}
