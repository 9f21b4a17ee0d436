/*
 * session_policy.c - the session's side of the policy (smtpserver(8), POLICY): ask at
 * connect, HELO, MAIL and RCPT, send the policy's reply when it refuses,
 * and apply what it learnt (size limit, freeze, tcp-wrappers).
 * Not for: the decisions themselves (policy/).
 */
#include "smtp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "callout.h"
#include "log.h"
#include "policy.h"
#include "scoreboard.h"
#include "wrap.h"
#include "zenv.h"

/* -d: each policy decision on stderr (smtpserver -i -d 1 -T '[ip]'). */
static void
trace(void *arg, const char *line)
{
	struct smtp *s = arg;

	xlog_note(s->env->xlog, "-- %s", line);
	fprintf(stderr, "%s\n", line);
}

/* An untrusted string, escaped and shortened to len-1, for a log line. */
static const char *
esc(char *out, size_t len, const char *s)
{
	return log_escape(out, len, s, strlen(s));
}

/*
 * The syslog line of a policy refusal, in Postfix's shape:
 * "TAG: reject: RCPT from name[addr]: 550 5.7.1 text; from=<s> to=<r>
 * proto=ESMTP helo=<h>"; from=, to= and helo= only when known.
 */
static void
log_reject(struct smtp *s, const char *stage, int code, const char *enh,
    const char *text, const char *from, const char *to)
{
	char who[400], t[400], f[300], r[300], h[300], kv[128];
	const char *helo = s->helo_arg;

	log_msg(LOG_NOTICE,
	    "%s: reject: %s from %s: %d %s %s;%s%s%s%s%s%s proto=%s%s%s%s"
	    " event=reject stage=%s %s code=%d enh=%s reason=policy",
	    xlog_tag(s->env->xlog), stage,
	    smtp_client_name(s, who, sizeof(who)), code, enh,
	    esc(t, sizeof(t), text), from ? " from=<" : "",
	    from ? esc(f, sizeof(f), from) : "", from ? ">" : "",
	    to ? " to=<" : "", to ? esc(r, sizeof(r), to) : "", to ? ">" : "",
	    s->esmtp ? "ESMTP" : "SMTP", helo ? " helo=<" : "",
	    helo ? esc(h, sizeof(h), helo) : "", helo ? ">" : "", stage,
	    smtp_kv_client(s, kv, sizeof(kv)), code, enh);
}

void
smtp_log_reject(struct smtp *s, const char *stage, int code, const char *enh,
    const char *text, const char *from, const char *to)
{
	log_reject(s, stage, code, enh, text, from, to);
}

/* A refusal at connect that is not the policy's verdict (reason). */
static void
log_refuse(struct smtp *s, int code, const char *enh, const char *reason)
{
	char kv[128];

	log_msg(LOG_NOTICE,
	    "%s: event=reject stage=CONNECT %s code=%d enh=%s reason=%s",
	    xlog_tag(s->env->xlog), smtp_kv_client(s, kv, sizeof(kv)), code,
	    enh, reason);
}

/* Count a policy refusal at stage (the scoreboard, by the worker). */
static void
count(struct smtp *s, enum sb_stage stage, const struct policy_result *r)
{
	smtp_event(s, SEV_POLICY, r && r->dnsbl ? "dnsbl" : NULL, stage);
}

/* Send and log a refusing policy result (the reply the policy composed). */
static void
send_result(struct smtp *s, enum sb_stage stage, const struct policy_result *r,
    const char *from, const char *to)
{
	static const char *const names[SB_NSTAGES] = { "CONNECT", "HELO",
		"MAIL", "RCPT" };
	int code = r->code;
	const char *enh;

	if (code < 400 || code > 599)
		code = r->tempfail ? 451 : 550;
	enh = r->enh[0] ? r->enh : (code < 500 ? "4.7.1" : "5.7.1");
	count(s, stage, r);
	log_reject(s, names[stage], code, enh, r->text, from, to);
	reply(s, code, enh, "%s", r->text);
}

static int
wrap_ok(struct smtp *s)
{
	char date[64];
	time_t now = time(NULL);
	struct tm tm;

	if (!s->g->use_tcp_wrapper || !s->env->network)
		return 1;
	if (wrap_check((const struct sockaddr *)&s->env->peer,
	        rf_ok(s->rhost_flags, RF_FCRDNS) ? s->rhost : NULL))
		return 1;
	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
	log_msg(LOG_NOTICE, "refusing connection from %s%s (tcp-wrapper %s)",
	    s->rhost, s->iplit, wrap_daemon_name());
	log_refuse(s, R_CODE_ENH(R_WRAP_REFUSED), "tcp-wrapper");
	reply(s, R_WRAP_REFUSED, s->myhost, SMTPSERVER_VERSION, date);
	return 0;
}

/* Apply the connect-time flags; -1 when the session must end. */
static int
connect_flags(struct smtp *s)
{
	const struct policy_flags *f = policy_flags(s->pol);

	if (f->maxinsize >= 0 && (s->maxsize == 0 || f->maxinsize < s->maxsize))
		s->maxsize = f->maxinsize;
	if (f->maxsameipsource >= 0 && s->env->same_ip > f->maxsameipsource) {
		count(s, SB_STAGE_CONNECT, NULL);
		reply(s, R_POLICY_SAMEIP, s->myhost, s->env->same_ip,
		    f->maxsameipsource);
		return -1;
	}
	return 0;
}

/* Before the greeting: what the client is told first. */
enum greet
smtp_policy_connect(struct smtp *s)
{
	const struct session_env *e = s->env;
	struct policy_result r;

	if (!e->network)
		return GREET_220;
	if (!wrap_ok(s))
		return GREET_CLOSE;
	if (e->policy == NULL) {
		log_msg(LOG_ERR, "no policy database: refusing %s%s", s->rhost,
		    s->iplit);
		log_refuse(s, R_CODE_ENH(R_NO_POLICY), "no-policy-database");
		reply(s, R_NO_POLICY, s->myhost);
		return GREET_CLOSE;
	}
	s->pol = policy_sess_new(e->policy, (const struct sockaddr *)&e->peer,
	    rf_ok(s->rhost_flags, RF_FCRDNS) ? s->rhost : NULL,
	    e->debug ? trace : NULL, s);
	if (s->pol == NULL) {
		reply(s, R_NO_POLICY, s->myhost);
		return GREET_CLOSE;
	}
	if (e->hooks.rate)
		policy_set_rate(s->pol, e->hooks.rate, e->hooks.arg);
	if (e->hooks.callout_rate)
		policy_set_callout_rate(
		    s->pol, e->hooks.callout_rate, e->hooks.arg);
	policy_set_whoson(s->pol, s->whoson[0] && s->whoson_rc == 0);
	if (policy_connect(s->pol, &r) >= 0)
		return connect_flags(s) < 0 ? GREET_CLOSE : GREET_220;
	count(s, SB_STAGE_CONNECT, &r);
	if (r.tempfail || (r.code >= 400 && r.code < 500)) {
		log_reject(s, "CONNECT", R_CODE_ENH(R_CONNECT_TEMP), r.text,
		    NULL, NULL);
		reply(s, R_CONNECT_TEMP, s->myhost, r.text);
		return GREET_CLOSE;
	}
	log_reject(
	    s, "CONNECT", R_CODE_ENH(R_CONNECT_REFUSED), r.text, NULL, NULL);
	if (s->g->contact_pointer && *s->g->contact_pointer)
		reply_cont(s, R_CONNECT_CONTACT, s->g->contact_pointer);
	reply(s, R_CONNECT_REFUSED, s->myhost, r.text);
	s->greet_rejected = 1;
	return GREET_554;
}

/* 0 to go on, -1 when a refusal was sent. */
int
smtp_policy_helo(struct smtp *s, const char *name)
{
	struct policy_result r;

	if (s->pol == NULL || policy_helo(s->pol, name, &r) >= 0)
		return 0;
	send_result(s, SB_STAGE_HELO, &r, NULL, NULL);
	return -1;
}

int
smtp_policy_mail(struct smtp *s, const char *addr)
{
	struct policy_result r;
	int v;

	if (s->pol == NULL)
		return 0;
	v = policy_mailfrom(s->pol, addr, &r);
	if (v >= 0) {
		s->tx.freeze = v;
		return 0;
	}
	send_result(s, SB_STAGE_MAIL, &r, addr, NULL);
	return -1;
}

int
smtp_policy_rcpt(struct smtp *s, const char *addr, int *freeze)
{
	struct policy_result r;
	int v;

	*freeze = 0;
	if (s->pol == NULL)
		return 0;
	v = policy_rcptto(s->pol, addr, &r);
	if (v >= 0) {
		*freeze = v;
		return 0;
	}
	send_result(s, SB_STAGE_RCPT, &r, s->tx.from ? s->tx.from : "", addr);
	return -1;
}

/* The 550 5.1.1 of a recipient the table or the next hop does not know. */
static int
rcpt_unknown(struct smtp *s, const char *from, const char *addr)
{
	log_reject(s, "RCPT", R_CODE_ENH(R_RCPT_UNKNOWN),
	    "Recipient address rejected: User unknown", from, addr);
	reply(s, R_RCPT_UNKNOWN, addr);
	return -1;
}

/*
 * The next hop's word on a recipient the policy and the recipient table
 * accepted (PARAM rcpt-verify): 0 known (or not ours to verify), -1
 * after the 550 5.1.1 or 450 4.1.1 reply.
 */
static int
rcpt_verify(struct smtp *s, const char *addr)
{
	const char *from = s->tx.from ? s->tx.from : "";
	char why[300], e[300], w[300];

	switch (policy_rcpt_verify(s->pol, addr, why, sizeof(why))) {
	case POLICY_RCPT_KNOWN:
		if (why[0] != '\0' && strncmp(why, "cached", 6) != 0)
			log_msg(LOG_INFO, "%s: callout: <%s> known: %s",
			    xlog_tag(s->env->xlog), esc(e, sizeof(e), addr),
			    esc(w, sizeof(w), why));
		return 0;
	case POLICY_RCPT_UNKNOWN:
		log_msg(LOG_INFO, "%s: callout: <%s> unknown: %s",
		    xlog_tag(s->env->xlog), esc(e, sizeof(e), addr),
		    esc(w, sizeof(w), why));
		return rcpt_unknown(s, from, addr);
	case POLICY_RCPT_TEMP:
		break;
	}
	log_msg(LOG_WARNING, "%s: callout: <%s> not verified: %s",
	    xlog_tag(s->env->xlog), esc(e, sizeof(e), addr),
	    esc(w, sizeof(w), why));
	log_reject(s, "RCPT", R_CODE_ENH(R_RCPT_VERIFY_TEMP),
	    "Recipient address rejected: unverified address", from, addr);
	reply(s, R_RCPT_VERIFY_TEMP, addr);
	return -1;
}

/*
 * The recipient table's word on an accepted recipient: 0 a mailbox of
 * ours (or not ours to judge), -1 after the 550 or 451 reply.
 */
int
smtp_policy_rcpt_known(struct smtp *s, const char *addr)
{
	const char *from = s->tx.from ? s->tx.from : "";
	char err[600], e[300];

	if (s->pol == NULL)
		return 0;
	switch (policy_rcpt_known(s->pol, addr, err, sizeof(err))) {
	case POLICY_RCPT_KNOWN:
		return rcpt_verify(s, addr);
	case POLICY_RCPT_UNKNOWN:
		return rcpt_unknown(s, from, addr);
	case POLICY_RCPT_TEMP:
		break;
	}
	log_msg(LOG_ERR, "%s: recipient table unavailable: %s",
	    xlog_tag(s->env->xlog), esc(e, sizeof(e), err));
	log_reject(s, "RCPT", R_CODE_ENH(R_RCPT_TABLE_TEMP),
	    "Recipient table unavailable", from, addr);
	reply(s, R_RCPT_TABLE_TEMP, addr);
	return -1;
}

void
smtp_policy_end(struct smtp *s)
{
	if (s->pol)
		policy_sess_free(s->pol);
	s->pol = NULL;
}

/* ZENV SELFADDRESSES: a comma list added to "our addresses" (smtpserver(8), At RCPT). */
static void
add_self(struct policy *p, const char *list)
{
	char one[64];
	size_t n;

	while (list && *list) {
		n = strcspn(list, ", \t");
		if (n > 0 && n < sizeof(one)) {
			memcpy(one, list, n);
			one[n] = '\0';
			if (policy_add_self(p, one) < 0)
				log_msg(LOG_WARNING,
				    "SELFADDRESSES: bad address %s", one);
		}
		list += n;
		list += strspn(list, ", \t");
	}
}

/* PARAM rcpt-verify and its settings into the policy; 0 / -1 (err). */
static int
set_callout(struct policy *p, const struct conf *c, char *err, size_t errlen)
{
	struct callout_conf *cf = calloc(1, sizeof(*cf));
	char why[300];
	size_t i;

	if (cf == NULL ||
	    (cf->hops = calloc(c->nrcpt_verify, sizeof(*cf->hops))) == NULL ||
	    (c->rcpt_verify_cache &&
	        (cf->cache = strdup(c->rcpt_verify_cache)) == NULL)) {
		callout_conf_free(cf);
		snprintf(err, errlen, "rcpt-verify: out of memory");
		return -1;
	}
	for (cf->nhops = 0; cf->nhops < c->nrcpt_verify; cf->nhops++) {
		const struct conf_triple *t = &c->rcpt_verify[cf->nhops];

		if (callout_hop_parse(t->a, t->b, t->c, &cf->hops[cf->nhops],
		        why, sizeof(why)) < 0) {
			snprintf(err, errlen, "PARAM rcpt-verify %s", why);
			callout_conf_free(cf);
			return -1;
		}
	}
	cf->pos_ttl = c->rcpt_verify_pos_ttl;
	cf->neg_ttl = c->rcpt_verify_neg_ttl;
	cf->rate = c->rcpt_verify_rate;
	cf->conn_tmo = c->rcpt_verify_conn_tmo;
	cf->reply_tmo = c->rcpt_verify_reply_tmo;
	if (c->hostname)
		snprintf(cf->helo, sizeof(cf->helo), "%s", c->hostname);
	else if (gethostname(cf->helo, sizeof(cf->helo) - 1) < 0)
		snprintf(cf->helo, sizeof(cf->helo), "localhost");
	for (i = 0; cf->helo[i] != '\0'; i++)
		if ((unsigned char)cf->helo[i] <= ' ')
			cf->helo[i] = '-';
	policy_set_callout(p, cf);
	return 0;
}

/*
 * The policy database of a group, with the DNS settings (ZENV DNSSERVER /
 * DNSPORT override the PARAMs).  NULL with a reason in err.
 */
struct policy *
session_open_policy(const struct conf *c, const struct conf_group *g,
    const struct zenv *z, char *err, size_t errlen)
{
	const char *srv = zenv_get(z, "DNSSERVER"),
	           *port = zenv_get(z, "DNSPORT");
	struct policy *p;

	if (g->policydb_type == NULL) {
		snprintf(err, errlen,
		    "no policy database configured "
		    "(PARAM policydb gdbm PATH); a network session without "
		    "one would be an open relay, refusing");
		return NULL;
	}
	p = policy_open(g->policydb_type, g->policydb_path, err, errlen);
	if (p == NULL)
		return NULL;
	if (srv == NULL)
		srv = c->dns_server;
	if (policy_set_dns(p, srv, port ? atoi(port) : c->dns_port,
	        c->dns_timeout, err, errlen) < 0) {
		policy_close(p);
		return NULL;
	}
	if (g->rcptdb_type != NULL &&
	    policy_set_rcptdb(p, g->rcptdb_type, g->rcptdb_path, err, errlen) <
	        0) {
		policy_close(p);
		return NULL;
	}
	if (c->nrcpt_verify > 0 && set_callout(p, c, err, errlen) < 0) {
		policy_close(p);
		return NULL;
	}
	add_self(p, zenv_get(z, "SELFADDRESSES"));
	if (c->wrap_allow || c->wrap_deny)
		wrap_set_tables(c->wrap_allow, c->wrap_deny);
	return p;
}
