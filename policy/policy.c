/*
 * policy.c - the session state and the connect and HELO checks
 * (smtpserver(8) POLICY, "At connect", "At HELO").
 * Not for: the handle (policy_handle.c), MAIL/RCPT (policy_addr.c,
 * policy_rcpt.c), reply texts (policy_reply.c), DNS checks (dnsbl.c), the
 * database format (policydb.c).
 */
#include "policy_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
pdecide(struct policy_sess *s, int verdict, int a, const char *why)
{
	s->msg[0] = '\0';
	if (a > 0 && (s->pa.have & PA_BIT(a))) {
		pclean(s->msg, sizeof(s->msg), s->pa.msg[a]);
		policy_trace(s, "policy: verdict %d: %s %s (key %s)%s%s",
		    verdict, pdb_attr_name(a), s->pa.val[a], s->pa.from[a],
		    why ? "; " : "", why ? why : "");
	} else
		policy_trace(
		    s, "policy: verdict %d: %s", verdict, why ? why : "");
	return verdict;
}

static void
rate_label(struct policy_sess *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *a = s->peer.v4 ? s->peer.a + 12 : s->peer.a;
	size_t i, n = s->peer.v4 ? 4 : 8, o = 2;

	s->ratelabel[0] = s->peer.v4 ? '4' : '6';
	s->ratelabel[1] = ':';
	for (i = 0; i < n; i++) {
		s->ratelabel[o++] = hex[a[i] >> 4];
		s->ratelabel[o++] = hex[a[i] & 0xf];
	}
	s->ratelabel[o] = '\0';
}

struct policy_sess *
policy_sess_new(struct policy *p, const struct sockaddr *peer,
    const char *ptrname, policy_trace_fn trace, void *arg)
{
	struct policy_sess *s = calloc(1, sizeof(*s));
	char a[48];

	if (s == NULL)
		return NULL;
	s->pol = p;
	s->pa.trace = trace;
	s->pa.trace_arg = arg;
	s->f.content_filter = -1;
	s->f.maxinsize = s->f.maxoutsize = s->f.maxsameipsource = -1;
	if (peer != NULL && netaddr_key(peer, &s->peer) == 0) {
		s->have_peer = 1;
		if (netaddr_key_text(&s->peer, a, sizeof(a)) < 0)
			snprintf(a, sizeof(a), "?");
		snprintf(s->ipbr, sizeof(s->ipbr), "[%s%s]",
		    s->peer.v4 ? "" : "IPv6:", a);
		s->self_client = netaddr_is_loopback(&s->peer) ||
		    policy_is_self(p, &s->peer);
		rate_label(s);
	} else
		snprintf(s->ipbr, sizeof(s->ipbr), "[local]");
	if (ptrname != NULL)
		pclean(s->ptr, sizeof(s->ptr), ptrname);
	policy_check_reopen(s);
	return s;
}

void
policy_sess_free(struct policy_sess *s)
{
	free(s);
}

void
policy_set_rate(struct policy_sess *s, policy_rate_fn count, void *arg)
{
	s->rate = count;
	s->rate_arg = arg;
}

void
policy_set_trusted(struct policy_sess *s, int on)
{
	s->f.trusted = on != 0;
	policy_trace(
	    s, "policy: session %s", on ? "trusted (AUTH)" : "untrusted");
}

void
policy_set_whoson(struct policy_sess *s, int registered)
{
	s->whoson = registered != 0;
}

const struct policy_flags *
policy_flags(const struct policy_sess *s)
{
	return &s->f;
}

static long
num(const char *v)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || n < -1)
		return -1;
	return n;
}

/* Sizes, limits and flags that the client's network entry carries. */
static void
net_values(struct policy_sess *s)
{
	const struct pdb_attrs *pa = &s->pa;
	const char *v;

	if ((v = pdb_attrs_val(pa, PA_MAXINSIZE)) != NULL)
		s->f.maxinsize = num(v);
	if ((v = pdb_attrs_val(pa, PA_MAXOUTSIZE)) != NULL)
		s->f.maxoutsize = num(v);
	if ((v = pdb_attrs_val(pa, PA_MAXSAMEIPSOURCE)) != NULL)
		s->f.maxsameipsource = num(v);
	if ((v = pdb_attrs_val(pa, PA_RATELIMITMSGS)) != NULL) {
		pclean(s->f.ratelimitmsgs, sizeof(s->f.ratelimitmsgs), v);
		pclean(
		    s->ratemsg, sizeof(s->ratemsg), pa->msg[PA_RATELIMITMSGS]);
	}
	if ((v = pdb_attrs_val(pa, PA_FILTERING)) != NULL)
		s->f.content_filter = strcmp(v, "+") == 0;
}

/* test-dns-rbl and rcpt-dns-rbl of the client's address. */
static int
net_rbl(struct policy_sess *s)
{
	const char *v;
	char txt[512];
	int rc;

	v = pdb_attrs_val(&s->pa, PA_TESTDNSRBL);
	if (v != NULL && strcmp(v, "-") != 0) {
		rc = pdns_rbl(s, v, txt, sizeof(txt));
		if (rc < 0)
			return pdecide(s, PV_DNS_TEMP, PA_TESTDNSRBL,
			    "blocklist lookup failed temporarily");
		if (rc > 0) {
			s->f.always_reject = 1;
			s->rbl_listed = s->rbl_now = 1;
			pdecide(s, PV_REJECT, PA_TESTDNSRBL, "listed");
			pclean(s->msg, sizeof(s->msg), txt);
			return PV_REJECT;
		}
		return pdecide(s, 0, PA_TESTDNSRBL, "not listed");
	}
	v = pdb_attrs_val(&s->pa, PA_RCPTDNSRBL);
	if (v == NULL || strcmp(v, "-") == 0)
		return 0;
	if (v[0] == '_') {
		if (strcmp(v, "_+") != 0)
			pclean(s->f.rblmsg, sizeof(s->f.rblmsg), v + 1);
		return pdecide(s, 0, PA_RCPTDNSRBL, "message kept for RCPT");
	}
	rc = pdns_rbl(s, v, txt, sizeof(txt));
	if (rc < 0)
		s->rbl_temp = 1;
	else if (rc > 0)
		pclean(s->f.rblmsg, sizeof(s->f.rblmsg), txt);
	return pdecide(s, 0, PA_RCPTDNSRBL,
	    rc < 0       ? "lookup failed, RCPT will tempfail"
	        : rc > 0 ? "listed, kept for RCPT"
	                 : "not listed");
}

static int
connect_addr(struct policy_sess *s)
{
	unsigned int mask = PA_BIT(PA_REJECTNET) | PA_BIT(PA_FREEZENET) |
	    PA_BIT(PA_RELAYCUSTNET) | PA_BIT(PA_MAXINSIZE) |
	    PA_BIT(PA_MAXOUTSIZE) | PA_BIT(PA_FULLTRUSTNET) |
	    PA_BIT(PA_TRUSTRECIPIENTS) | PA_BIT(PA_TRUSTWHOSON) |
	    PA_BIT(PA_FILTERING) | PA_BIT(PA_RATELIMITMSGS) |
	    PA_BIT(PA_MAXSAMEIPSOURCE);

	if (!s->self_client)
		mask |= PA_BIT(PA_TESTDNSRBL) | PA_BIT(PA_RCPTDNSRBL) |
		    PA_BIT(PA_SPF);
	pdb_attrs_init(&s->pa, mask);
	policy_trace(s, "policy: connect from %s", s->ipbr);
	if (pdb_lookup_ip(s->pol->db, &s->peer, &s->pa) <= 0)
		return pdecide(s, 0, 0, "address not found");
	net_values(s);
	if (pdb_attrs_is(&s->pa, PA_REJECTNET, "+")) {
		s->f.always_reject = 1;
		pdecide(s, PV_REJECT, PA_REJECTNET, "always_reject");
		if (s->msg[0] == '\0')
			snprintf(s->msg, sizeof(s->msg),
			    "Your network "
			    "address is blackholed in our static tables");
		return PV_REJECT;
	}
	if (pdb_attrs_is(&s->pa, PA_FREEZENET, "+")) {
		s->f.always_freeze = 1;
		return pdecide(s, 1, PA_FREEZENET, "always_freeze");
	}
	if (pdb_attrs_is(&s->pa, PA_TRUSTRECIPIENTS, "+"))
		s->f.trust_recipients = 1;
	if (s->whoson && pdb_attrs_is(&s->pa, PA_TRUSTWHOSON, "+")) {
		s->f.trust_recipients = 1;
		policy_trace(s, "policy: trust-whoson + and a whoson user");
	}
	if (pdb_attrs_is(&s->pa, PA_FULLTRUSTNET, "+"))
		s->f.full_trust = 1;
	if (pdb_attrs_is(&s->pa, PA_RELAYCUSTNET, "+"))
		s->f.always_accept = 1;
	if (s->f.trust_recipients || s->f.full_trust || s->f.always_accept)
		return pdecide(s, 0,
		    s->f.always_accept    ? PA_RELAYCUSTNET
		        : s->f.full_trust ? PA_FULLTRUSTNET
		                          : PA_TRUSTRECIPIENTS,
		    "trusted network, no blocklist check");
	return net_rbl(s);
}

/* The client's (forward-confirmed) name: sets flags only. */
static void
connect_name(struct policy_sess *s)
{
	const char *v;

	if (s->ptr[0] == '\0' || s->f.full_trust || s->f.trusted)
		return;
	pdb_attrs_init(&s->pa,
	    PA_BIT(PA_REJECTNET) | PA_BIT(PA_FREEZENET) |
	        PA_BIT(PA_RELAYCUSTNET) | PA_BIT(PA_RCPTDNSRBL));
	policy_trace(s, "policy: client name %s", s->ptr);
	if (pdb_lookup_domain(s->pol->db, s->ptr, &s->pa) <= 0)
		return;
	if (pdb_attrs_is(&s->pa, PA_REJECTNET, "+")) {
		s->f.always_reject = 1;
		pdecide(s, 0, PA_REJECTNET, "name: always_reject");
	} else if (pdb_attrs_is(&s->pa, PA_FREEZENET, "+")) {
		s->f.always_freeze = 1;
		pdecide(s, 0, PA_FREEZENET, "name: always_freeze");
	} else if (!s->f.always_accept &&
	    pdb_attrs_is(&s->pa, PA_RELAYCUSTNET, "+")) {
		s->f.always_accept = 1;
		pdecide(s, 0, PA_RELAYCUSTNET, "name: always_accept");
	} else if ((v = pdb_attrs_val(&s->pa, PA_RCPTDNSRBL)) != NULL &&
	    v[0] == '_' && s->f.rblmsg[0] == '\0' && strcmp(v, "_+") != 0) {
		pclean(s->f.rblmsg, sizeof(s->f.rblmsg), v + 1);
		pdecide(s, 0, PA_RCPTDNSRBL, "name: message kept for RCPT");
	}
}

int
policy_connect(struct policy_sess *s, struct policy_result *res)
{
	int v;

	s->dns_timeouts = 0;
	s->rbl_now = 0;
	if (!s->have_peer) {
		s->f.full_trust = 1;
		v = pdecide(s, 0, 0, "local session, fully trusted");
	} else if ((v = connect_addr(s)) == 0)
		connect_name(s);
	preply_connect(s, v, res);
	res->dnsbl = v < 0 && s->rbl_now;
	return v;
}

int
policy_helo(struct policy_sess *s, const char *helo, struct policy_result *res)
{
	char dom[PVAL_MAX + 1];
	size_t i;

	preply_connect(s, 0, res);
	if (s->f.always_reject || s->f.always_freeze || s->f.always_accept ||
	    s->f.full_trust || s->f.trusted || helo == NULL || helo[0] == '[' ||
	    helo[0] == '\0')
		return 0;
	for (i = 0; helo[i] != '\0' && i < PVAL_MAX; i++)
		dom[i] = (char)tolower((unsigned char)helo[i]);
	dom[i] = '\0';
	if (i > 1 && dom[i - 1] == '.')
		dom[i - 1] = '\0';
	pdb_attrs_init(&s->pa, PA_BIT(PA_REJECTNET) | PA_BIT(PA_FREEZENET));
	policy_trace(s, "policy: HELO %s", dom);
	if (pdb_lookup_domain(s->pol->db, dom, &s->pa) <= 0)
		return 0;
	if (pdb_attrs_is(&s->pa, PA_REJECTNET, "+")) {
		s->f.always_reject = 1;
		pdecide(
		    s, 0, PA_REJECTNET, "HELO: always_reject (felt at MAIL)");
	} else if (pdb_attrs_is(&s->pa, PA_FREEZENET, "+")) {
		s->f.always_freeze = 1;
		pdecide(s, 0, PA_FREEZENET, "HELO: always_freeze");
	}
	return 0;
}

int
policy_content_gate(const struct policy_sess *s)
{
	if (s->f.always_reject)
		return -1;
	if (s->f.sender_reject)
		return -2;
	if (s->f.always_freeze)
		return 1;
	if (s->f.sender_freeze)
		return 2;
	if (s->f.always_accept && s->f.content_filter != 1)
		return POLICY_GATE_SKIP;
	return POLICY_GATE_FILTER;
}
