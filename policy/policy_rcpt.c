/*
 * policy_rcpt.c - the RCPT TO check (smtpserver(8) POLICY, "At RCPT"), the
 * relay gate.
 * For a domain we serve it looks inside the local part for where the
 * mail would really go: "a!b" (to a), "u%d" and "u@d" (to d, also when
 * quoted: "u@d"@ours), up to 20 steps, and judges the innermost domain.
 * Then the postmaster rescue.  Not for: the texts (policy_reply.c).
 */
#include "policy_int.h"

#include <stdio.h>
#include <string.h>

#define RCPT_MASK                                                              \
	(PA_BIT(PA_RELAYTARGET) | PA_BIT(PA_FREEZE) |                          \
	    PA_BIT(PA_TESTRCPTDNSRBL) | PA_BIT(PA_TRUSTWHOSON) |               \
	    PA_BIT(PA_LOCALDOMAIN))
#define DOM_MASK (RCPT_MASK | PA_BIT(PA_ACCEPTIFMX) | PA_BIT(PA_ACCEPTIFDNS))
#define MAX_ROUNDS 20

struct target {
	char local[PADDR_MAX]; /* unquoted local part */
	char dom[PADDR_MAX];
};

/* test-rcpt-dns-rbl +: refuse a client the connect-time RBL listed. */
static int
rcpt_rbl(struct policy_sess *s, int *v)
{
	if (s->f.rblmsg[0] != '\0') {
		*v = pdecide(s, PV_REJECT, PA_TESTRCPTDNSRBL, "rblmsg");
		s->rbl_now = 1;
		pclean(s->msg, sizeof(s->msg), s->f.rblmsg);
		return 1;
	}
	if (s->rbl_temp) {
		*v = pdecide(s, PV_DNS_TEMP, PA_TESTRCPTDNSRBL,
		    "connect-time blocklist lookup had failed");
		return 1;
	}
	return 0;
}

/* The full address's user keys: 1 decided (*v), 0 go on. */
static int
rcpt_user(struct policy_sess *s, const char *a, int *v)
{
	pdb_attrs_init(&s->pa, RCPT_MASK);
	if (pdb_lookup_user(s->pol->db, a, &s->pa) <= 0)
		return 0;
	if (pdb_attrs_is(&s->pa, PA_RELAYTARGET, "+")) {
		*v = pdecide(s, 0, PA_RELAYTARGET, "user key");
		return 1;
	}
	if (pdb_attrs_is(&s->pa, PA_RELAYTARGET, "-")) {
		*v = pdecide(s, PV_REJECT, PA_RELAYTARGET, "user key");
		return 1;
	}
	if (pdb_attrs_is(&s->pa, PA_FREEZE, "+")) {
		*v = pdecide(s, 1, PA_FREEZE, "user key");
		return 1;
	}
	if (pdb_attrs_is(&s->pa, PA_TESTRCPTDNSRBL, "+"))
		return rcpt_rbl(s, v);
	return 0;
}

void
paddr_unquote(const char *in, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < outlen; i++) {
		if (in[i] == '"')
			continue;
		if (in[i] == '\\' && i + 1 < n)
			i++;
		out[o++] = in[i];
	}
	out[o] = '\0';
}

/* Look up t->dom afresh; -1 if it is not a usable domain. */
static int
look(struct policy_sess *s, struct target *t)
{
	if (paddr_check_dom(t->dom) < 0)
		return -1;
	pdb_attrs_init(&s->pa, DOM_MASK);
	policy_trace(s, "policy: target domain %s", t->dom);
	return paddr_lookup(s, t->dom) < 0 ? -1 : 0;
}

/* One routing step inside the local part: 1 moved, 0 none. */
static int
step(struct target *t)
{
	char tmp[PADDR_MAX], *p;
	const char *q;

	if ((p = strchr(t->local, '!')) != NULL) {
		*p = '\0'; /* "host!rest": to host */
		snprintf(t->dom, sizeof(t->dom), "%s", t->local);
		snprintf(tmp, sizeof(tmp), "%s", p + 1);
		snprintf(t->local, sizeof(t->local), "%s", tmp);
		return 1;
	}
	p = NULL;
	for (q = t->local; *q != '\0'; q++)
		if (*q == '%' || *q == '@')
			p = (char *)q;
	if (p == NULL)
		return 0;
	*p = '\0'; /* "user%dom" / "user@dom": to dom */
	snprintf(t->dom, sizeof(t->dom), "%s", p + 1);
	return 1;
}

static int
is_local(struct policy_sess *s)
{
	return pdb_attrs_is(&s->pa, PA_LOCALDOMAIN, "+") ||
	    pdb_attrs_is(&s->pa, PA_RELAYTARGET, "+");
}

/* Follow routing inside local parts of domains we serve. */
static int
innermost(struct policy_sess *s, struct target *t, int *rounds)
{
	while (is_local(s)) {
		if (++*rounds > MAX_ROUNDS)
			return pdecide(
			    s, PV_REJECT, 0, "too many routing steps");
		if (!step(t))
			return 0;
		policy_trace(s, "policy: local part routes on to %s", t->dom);
		if (look(s, t) < 0)
			return pdecide(s, PV_REJECT, 0, "bad inner domain");
	}
	return 0;
}

static int
rcpt_dns(struct policy_sess *s, struct target *t, int *rounds)
{
	const char *mx = pdb_attrs_val(&s->pa, PA_ACCEPTIFMX);
	const char *dns = pdb_attrs_val(&s->pa, PA_ACCEPTIFDNS);
	int local = 0, v;

	if (s->f.always_accept)
		return pdecide(s, pdns_exists(s, t->dom, mx ? mx[0] : '-'),
		    PA_ACCEPTIFMX, "relaying client: target in DNS?");
	if (mx != NULL || s->f.sender_norelay) {
		v = pdns_mx(s, t->dom, mx ? mx[0] : '.', &local);
		if (!local)
			return pdecide(s, v, PA_ACCEPTIFMX, "are we an MX?");
		policy_trace(s, "policy: %s has our address: local", t->dom);
		if (!step(t))
			return pdecide(s, 0, 0, "local by address");
		if (look(s, t) < 0)
			return pdecide(s, PV_REJECT, 0, "bad inner domain");
		return -1000 - *rounds; /* go round again */
	}
	if (dns != NULL)
		return pdecide(s, pdns_exists(s, t->dom, dns[0]),
		    PA_ACCEPTIFDNS, "target in DNS?");
	return pdecide(s, 0, 0, "no objection");
}

static int
rcpt_domain(struct policy_sess *s, struct target *t)
{
	int rounds = 0, v, n;

	if (look(s, t) < 0)
		return pdecide(s, PV_REJECT, 0, "bad target domain");
	for (n = 0; n <= MAX_ROUNDS; n++) {
		if ((v = innermost(s, t, &rounds)) != 0)
			return v;
		if (pdb_attrs_is(&s->pa, PA_RELAYTARGET, "-"))
			return pdecide(s, PV_REJECT, PA_RELAYTARGET, "target");
		if (pdb_attrs_is(&s->pa, PA_FREEZE, "+"))
			return pdecide(s, 1, PA_FREEZE, "target");
		if (pdb_attrs_is(&s->pa, PA_TESTRCPTDNSRBL, "+") &&
		    rcpt_rbl(s, &v))
			return v;
		if (pdb_attrs_is(&s->pa, PA_RELAYTARGET, "+"))
			return pdecide(s, 0, PA_RELAYTARGET, "target");
		if (t->dom[0] == '[')
			return pdecide(s, s->f.always_accept ? 0 : PV_REJECT, 0,
			    "address literal not ours");
		if ((v = rcpt_dns(s, t, &rounds)) > -1000)
			return v;
		rounds++;
	}
	return pdecide(s, PV_REJECT, 0, "too many routing steps");
}

static int
rcpt_eval(struct policy_sess *s, char *a)
{
	struct target t;
	char *at;
	int v;

	if (rcpt_user(s, a, &v))
		return v;
	if ((at = paddr_last_at(a)) == NULL)
		return pdecide(
		    s, s->f.always_accept ? 0 : PV_REJECT, 0, "no @domain");
	paddr_unquote(a, (size_t)(at - a), t.local, sizeof(t.local));
	snprintf(t.dom, sizeof(t.dom), "%s", at + 1);
	return rcpt_domain(s, &t);
}

/* A refused postmaster is accepted: plain always, @dom if listed. */
static int
rescue(struct policy_sess *s, const char *a, int v)
{
	const char *at = strrchr(a, '@');
	size_t n = at ? (size_t)(at - a) : strlen(a);

	if (n != 10 || strncmp(a, "postmaster", 10) != 0)
		return v;
	if (at == NULL)
		return pdecide(s, 0, 0, "postmaster rescue");
	pdb_attrs_init(&s->pa, PA_BIT(PA_RELAYTARGET));
	if (pdb_lookup_user(s->pol->db, a, &s->pa) > 0 &&
	    pdb_attrs_is(&s->pa, PA_RELAYTARGET, "+"))
		return pdecide(s, 0, PA_RELAYTARGET, "postmaster rescue");
	return v;
}

int
policy_rcptto(
    struct policy_sess *s, const char *addr, struct policy_result *res)
{
	char a[PADDR_MAX], msg[sizeof(s->msg)];
	int v;

	s->msg[0] = '\0';
	s->dns_timeouts = 0;
	policy_trace(s, "policy: RCPT TO <%.300s>", addr);
	s->rbl_now = s->f.always_reject && s->rbl_listed;
	if (s->f.always_reject)
		v = pdecide(s, PV_REJECT, 0, "always_reject");
	else if (s->f.sender_reject)
		v = pdecide(s, PV_DNS_HARD, 0, "sender_reject");
	else if (s->f.full_trust || s->f.trusted || s->f.trust_recipients)
		v = pdecide(s, 0, 0, "trusted client");
	else if (paddr_normalise(addr, a, sizeof(a)) < 0)
		v = pdecide(s, PV_REJECT, 0, "unusable address");
	else {
		v = rcpt_eval(s, a);
		if (v < 0) {
			snprintf(msg, sizeof(msg), "%s", s->msg);
			if ((v = rescue(s, a, v)) < 0)
				snprintf(s->msg, sizeof(s->msg), "%s", msg);
		}
	}
	/* A frozen sender freezes its accepted recipients; it never lets a
	 * recipient past the relay checks (ZMailer skipped them, and a
	 * recipient's "freeze +" froze the sender: a relay once released). */
	if (v >= 0 && (s->f.always_freeze || s->f.sender_freeze))
		v = pdecide(s, v > 0 ? v : 1, 0, "always/sender freeze");
	preply_rcpt(s, v, addr, res);
	res->dnsbl = v < 0 && s->rbl_now;
	return v;
}
