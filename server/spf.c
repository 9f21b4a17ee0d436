/*
 * spf.c - SPF (RFC 7208) with libspf2, as the spf-* PARAMs say: the
 * MAIL FROM identity (the HELO identity for the null sender) checked at
 * MAIL or at the first RCPT (PARAM spf-stage), a Received-SPF: header on
 * the message (spf-received), and refusals by spf-threshold: 550 5.7.23
 * (permerror 5.7.24) at or below the threshold, 451 4.4.3 on temperror.
 * Not for: DNS (spf_dns.c, shared/dns.c).
 */
#include "smtp.h"
#include "spf_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns.h"
#include "log.h"
#include "scoreboard.h"
#include "zenv.h"

struct spf_ctx {
	struct dns_res *dns;
	SPF_dns_server_t *layer; /* ours: libspf2 does not free it */
	SPF_server_t *srv;
};

struct spf_verdict {
	SPF_result_t result;
	int code; /* 0: go on */
	char enh[8];
	char text[600];
};

static const char *const levels[] = { "fail", "softfail", "none", "neutral",
	"pass" };

int
spf_threshold_rank(const char *level)
{
	size_t i;

	for (i = 0; level && i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcasecmp(level, levels[i]) == 0)
			return (int)i + 1;
	return 0;
}

/* permerror counts as none: a broken record is no authorisation */
int
spf_result_rank(SPF_result_t r)
{
	switch (r) {
	case SPF_RESULT_FAIL:
		return 1;
	case SPF_RESULT_SOFTFAIL:
		return 2;
	case SPF_RESULT_NONE:
	case SPF_RESULT_PERMERROR:
		return 3;
	case SPF_RESULT_NEUTRAL:
		return 4;
	case SPF_RESULT_PASS:
		return 5;
	default:
		return 0;
	}
}

static int
received_on(const struct conf_group *g)
{
	const char *v = g->spf_received;

	return v != NULL && strcasecmp(v, "no") != 0 &&
	    strcasecmp(v, "off") != 0 && strcasecmp(v, "false") != 0 &&
	    strcmp(v, "0") != 0;
}

/* SPF applies to this session (a network client, not authenticated). */
static int
wanted(const struct smtp *s)
{
	return (received_on(s->g) || s->g->spf_threshold != NULL) &&
	    s->env->network && !s->authenticated && s->ip[0] != '\0';
}

static struct spf_ctx *
ctx_get(struct smtp *s)
{
	const char *srv = zenv_get(s->env->zenv, "DNSSERVER"),
	           *port = zenv_get(s->env->zenv, "DNSPORT");
	SPF_response_t *resp = NULL;
	struct spf_ctx *c;
	char err[256];

	if (s->spf != NULL)
		return s->spf;
	c = xcalloc(1, sizeof(*c));
	c->dns = dns_new(srv ? srv : s->cf->dns_server,
	    port ? atoi(port) : s->cf->dns_port, s->cf->dns_timeout, err,
	    sizeof(err));
	if (c->dns == NULL || (c->layer = spf_dns_new(c->dns)) == NULL ||
	    (c->srv = SPF_server_new_dns(c->layer, 0)) == NULL) {
		log_msg(LOG_ERR, "%s: spf: no resolver: %s",
		    xlog_tag(s->env->xlog), c->dns ? "out of memory" : err);
		if (c->layer)
			SPF_dns_free(c->layer);
		if (c->dns)
			dns_free(c->dns);
		free(c);
		return NULL;
	}
	SPF_server_set_rec_dom(c->srv, s->myhost);
	if ((s->g->spf_localpolicy ||
	        (s->g->spf_whitelist &&
	            !strcmp(s->g->spf_whitelist, "true"))) &&
	    SPF_server_set_localpolicy(c->srv,
	        s->g->spf_localpolicy ? s->g->spf_localpolicy : "",
	        s->g->spf_whitelist && !strcmp(s->g->spf_whitelist, "true"),
	        &resp) != SPF_E_SUCCESS)
		log_msg(LOG_WARNING,
		    "%s: spf: PARAM spf-localpolicy not usable",
		    xlog_tag(s->env->xlog));
	if (resp)
		SPF_response_free(resp);
	s->spf = c;
	return c;
}

void
smtp_spf_end(struct smtp *s)
{
	if (s->spf == NULL)
		return;
	SPF_server_free(s->spf->srv);
	SPF_dns_free(s->spf->layer);
	dns_free(s->spf->dns);
	free(s->spf);
	s->spf = NULL;
}

void
smtp_spf_txn_end(struct smtp *s)
{
	free(s->tx.spf);
	s->tx.spf = NULL;
}

/* The reply for result r of the identity dom, if the threshold says so. */
static void
judge(struct smtp *s, struct spf_verdict *v, const char *dom, const char *why)
{
	int thr = spf_threshold_rank(s->g->spf_threshold);
	int rank = spf_result_rank(v->result);

	if (thr == 0)
		return;
	if (v->result == SPF_RESULT_TEMPERROR) {
		v->code = 451;
		snprintf(v->enh, sizeof(v->enh), "4.4.3");
		snprintf(v->text, sizeof(v->text),
		    "SPF temperror: temporary DNS error checking %.256s, "
		    "try again later",
		    dom);
	} else if (v->result != SPF_RESULT_PASS && rank > 0 && rank <= thr) {
		v->code = 550;
		snprintf(v->enh, sizeof(v->enh),
		    v->result == SPF_RESULT_PERMERROR ? "5.7.24" : "5.7.23");
		if (v->result == SPF_RESULT_PERMERROR)
			snprintf(v->text, sizeof(v->text),
			    "SPF permerror: the SPF record of %.200s is broken",
			    dom);
		else
			snprintf(v->text, sizeof(v->text),
			    "SPF %s: [%s] is not allowed to send mail for "
			    "%.200s%s%.120s",
			    SPF_strresult(v->result), s->ip, dom,
			    why[0] ? ": " : "", why);
	}
}

/* The identity's domain: the sender's, or the HELO name for <>. */
static const char *
identity(const struct smtp *s, const char *from)
{
	const char *at = strrchr(from, '@');

	if (from[0] == '\0')
		return s->helo_arg ? s->helo_arg : "";
	return at ? at + 1 : from;
}

/*
 * libspf2 1.2 leaves the result "invalid", with no header, when it could
 * not get or compile the record: a DNS error is temperror, a broken
 * record permerror (RFC 7208 4.4, 4.6).  Our Received-SPF: for those.
 */
static void
fix_invalid(
    struct smtp *s, struct spf_verdict *v, SPF_errcode_t rc, const char *from)
{
	char hdr[1600], f[300], h[300];

	v->result =
	    rc == SPF_E_DNS_ERROR ? SPF_RESULT_TEMPERROR : SPF_RESULT_PERMERROR;
	if (!received_on(s->g))
		return;
	log_escape(f, sizeof(f), from, strlen(from));
	log_escape(h, sizeof(h), s->helo_arg ? s->helo_arg : "",
	    s->helo_arg ? strlen(s->helo_arg) : 0);
	snprintf(hdr, sizeof(hdr),
	    "Received-SPF: %s (%.255s: error in processing during lookup of "
	    "%.200s: %.100s) client-ip=%s; envelope-from=\"%s\"; helo=%s;",
	    SPF_strresult(v->result), s->myhost, identity(s, from),
	    SPF_strerror(rc), s->ip, f, h);
	hdrs_add(&s->tx.hdrs, hdr);
}

static SPF_errcode_t
ask(struct smtp *s, SPF_request_t *req, const char *from, SPF_response_t **resp)
{
	if (req == NULL)
		return SPF_E_NO_MEMORY;
	if ((s->ipv6 ? SPF_request_set_ipv6_str(req, s->ip)
	             : SPF_request_set_ipv4_str(req, s->ip)) != SPF_E_SUCCESS ||
	    (s->helo_arg &&
	        SPF_request_set_helo_dom(req, s->helo_arg) != SPF_E_SUCCESS) ||
	    SPF_request_set_env_from(req, from) != 0)
		return SPF_E_NOT_CONFIG; /* no identity to check */
	return SPF_request_query_mailfrom(req, resp);
}

/* libspf2's answer for from (or the HELO name for <>) into v. */
static void
query(
    struct smtp *s, struct spf_ctx *c, const char *from, struct spf_verdict *v)
{
	SPF_request_t *req = SPF_request_new(c->srv);
	SPF_response_t *resp = NULL;
	const char *hdr = NULL, *why = NULL;
	SPF_errcode_t rc;
	char e[300];

	rc = ask(s, req, from, &resp);
	v->result = resp ? SPF_response_result(resp) : SPF_RESULT_INVALID;
	if (resp) {
		hdr = SPF_response_get_received_spf(resp);
		why = SPF_response_get_smtp_comment(resp);
	}
	if (rc == SPF_E_NOT_CONFIG)
		v->result = SPF_RESULT_NONE;
	else if (v->result == SPF_RESULT_INVALID || hdr == NULL)
		fix_invalid(s, v, rc, from);
	else if (received_on(s->g) && hdrs_add(&s->tx.hdrs, hdr) < 0)
		log_msg(LOG_WARNING, "%s: spf: Received-SPF: not added",
		    xlog_tag(s->env->xlog));
	judge(s, v, identity(s, from), why ? why : "");
	log_msg(LOG_INFO, "%s: event=spf client=%s result=%s from=<%s>%s",
	    xlog_tag(s->env->xlog), s->ip, SPF_strresult(v->result),
	    log_escape(e, sizeof(e), from, strlen(from)),
	    v->code ? " refused" : "");
	if (resp)
		SPF_response_free(resp);
	if (req)
		SPF_request_free(req);
}

/* Evaluate once per transaction; 0 go on, -1 after the refusal. */
static int
check(struct smtp *s, const char *stage, const char *from, const char *rcpt)
{
	struct spf_verdict *v = s->tx.spf;
	struct spf_ctx *c;

	if (v == NULL) {
		v = s->tx.spf = xcalloc(1, sizeof(*v));
		if ((c = ctx_get(s)) != NULL)
			query(s, c, from, v);
		else {
			v->result = SPF_RESULT_TEMPERROR;
			judge(s, v, "the sender domain", "");
		}
	}
	if (v->code == 0)
		return 0;
	smtp_log_reject(s, stage, v->code, v->enh, v->text, from, rcpt);
	smtp_event(s, SEV_POLICY, NULL, rcpt ? SB_STAGE_RCPT : SB_STAGE_MAIL);
	reply(s, v->code, v->enh, "%s", v->text);
	return -1;
}

int
smtp_spf_mail(struct smtp *s, const char *from)
{
	if (!wanted(s) || strcmp(s->g->spf_stage, "mail") != 0)
		return 0;
	return check(s, "MAIL", from, NULL);
}

int
smtp_spf_rcpt(struct smtp *s, const char *rcpt)
{
	if (!wanted(s) || strcmp(s->g->spf_stage, "rcpt") != 0)
		return 0;
	return check(s, "RCPT", s->tx.from ? s->tx.from : "", rcpt);
}
