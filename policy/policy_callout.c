/*
 * policy_callout.c - recipient verification by callout at RCPT
 * (smtpserver(8) "Recipient checks", PARAM rcpt-verify): after the policy
 * and the recipient table accepted a recipient, a domain with a
 * rcpt-verify line that the policy calls local or a relay target has
 * its next hop asked, through the shared cache and within the rate bound.
 * Not for: the dialogue (callout.c), the cache file (callout_cache.c).
 */
#include "policy_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "callout.h"

void
policy_set_callout(struct policy *p, struct callout_conf *cf)
{
	callout_conf_free(p->callout);
	p->callout = cf;
}

void
policy_set_callout_rate(
    struct policy_sess *s, policy_callout_rate_fn take, void *arg)
{
	s->callout_rate = take;
	s->callout_rate_arg = arg;
}

/* 1 if dom is local or a relay target in the policy. */
static int
ours(struct policy_sess *s, char *dom)
{
	if (paddr_check_dom(dom) < 0)
		return 0;
	pdb_attrs_init(&s->pa, PA_BIT(PA_LOCALDOMAIN) | PA_BIT(PA_RELAYTARGET));
	if (paddr_lookup(s, dom) < 0)
		return 0;
	return pdb_attrs_is(&s->pa, PA_LOCALDOMAIN, "+") ||
	    pdb_attrs_is(&s->pa, PA_RELAYTARGET, "+");
}

/* The bound of one process, when the daemon gives no shared counter. */
static int
take_local(int limit)
{
	static time_t sec;
	static int n;
	time_t now = time(NULL);

	if (now != sec) {
		sec = now;
		n = 0;
	}
	return ++n <= limit;
}

/* One callout may start now (rcpt-verify-rate). */
static int
may_call(struct policy_sess *s, int limit)
{
	if (limit <= 0)
		return 1;
	if (s->callout_rate != NULL)
		return s->callout_rate(s->callout_rate_arg, limit);
	return take_local(limit);
}

static enum policy_known
known(enum callout_result r)
{
	if (r == CALLOUT_KNOWN)
		return POLICY_RCPT_KNOWN;
	return r == CALLOUT_UNKNOWN ? POLICY_RCPT_UNKNOWN : POLICY_RCPT_TEMP;
}

/* Ask the next hop (or the cache) about addr. */
static enum policy_known
ask(struct policy_sess *s, const struct callout_hop *hop, const char *addr,
    char *why, size_t whylen)
{
	const struct callout_conf *cf = s->pol->callout;
	enum callout_result r;
	char err[300];
	size_t n;

	r = callout_cache_get(cf, addr, time(NULL), err, sizeof(err));
	if (*err != '\0')
		policy_trace(s, "policy: callout cache: %s", err);
	if (r != CALLOUT_MISS) {
		snprintf(why, whylen, "cached: %s",
		    r == CALLOUT_KNOWN ? "known" : "unknown");
		policy_trace(s, "policy: callout <%s> %s", addr, why);
		return known(r);
	}
	if (!may_call(s, cf->rate)) {
		snprintf(why, whylen,
		    "more than %d callouts a second (rcpt-verify-rate)",
		    cf->rate);
		policy_trace(s, "policy: callout <%s>: %s", addr, why);
		return POLICY_RCPT_TEMP;
	}
	r = callout_run(cf, hop, addr, why, whylen);
	policy_trace(s, "policy: callout <%s> via %s %s: %s", addr,
	    hop->proto == CALLOUT_LMTP ? "lmtp" : "smtp", hop->target, why);
	if (callout_cache_put(cf, addr, r, time(NULL), err, sizeof(err)) < 0) {
		policy_trace(s, "policy: callout cache: %s", err);
		/* said in the log line of the answer */
		n = strlen(why);
		snprintf(why + n, whylen - n, "; not cached: %s", err);
	}
	return known(r);
}

enum policy_known
policy_rcpt_verify(
    struct policy_sess *s, const char *addr, char *why, size_t whylen)
{
	const struct callout_hop *hop;
	char a[PADDR_MAX], *at;
	const char *plain = addr;

	*why = '\0';
	if (s->pol->callout == NULL || s->pol->callout->nhops == 0 ||
	    paddr_normalise(addr, a, sizeof(a)) < 0 ||
	    (at = paddr_last_at(a)) == NULL)
		return POLICY_RCPT_KNOWN;
	if ((hop = callout_hop_find(s->pol->callout, at + 1)) == NULL)
		return POLICY_RCPT_KNOWN;
	*at = '\0';
	if (strcmp(a, "postmaster") == 0 || !ours(s, at + 1)) {
		policy_trace(s, "policy: no callout for <%s@%s>", a, at + 1);
		return POLICY_RCPT_KNOWN;
	}
	/* the address as the client wrote it, less a source route */
	if (plain[0] == '@' && strchr(plain, ':') != NULL)
		plain = strchr(plain, ':') + 1;
	return ask(s, hop, plain, why, whylen);
}
