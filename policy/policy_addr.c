/*
 * policy_addr.c - the MAIL FROM check (smtpserver(8) POLICY, "At MAIL")
 * and the address helpers MAIL and RCPT share: normalising, the last
 * unquoted '@', domain syntax, lookups of domains and [literals].
 * Not for: RCPT (policy_rcpt.c).
 */
#include "policy_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lowercased copy without a source route ("@a,@b:u@d" -> "u@d"). */
int
paddr_normalise(const char *in, char *out, size_t outlen)
{
	const char *p = in;
	size_t i;
	int q = 0;

	if (*p == '@') {
		for (; *p != '\0' && !(*p == ':' && !q); p++)
			if (*p == '"')
				q = !q;
		if (*p != ':')
			return -1;
		p++;
	}
	for (i = 0; p[i] != '\0'; i++) {
		if (i + 1 >= outlen)
			return -1;
		out[i] = (char)tolower((unsigned char)p[i]);
	}
	out[i] = '\0';
	return 0;
}

/* Last '@' outside quotes, or NULL. */
char *
paddr_last_at(char *a)
{
	char *at = NULL;
	int q = 0;

	for (; *a != '\0'; a++) {
		if (*a == '\\' && a[1] != '\0')
			a++;
		else if (*a == '"')
			q = !q;
		else if (*a == '@' && !q)
			at = a;
	}
	return at;
}

/* Strip one trailing dot; 0 if dom is a plausible domain or literal. */
int
paddr_check_dom(char *dom)
{
	size_t n = strlen(dom), i;
	struct sockaddr_storage ss;
	socklen_t sl;

	if (n > 1 && dom[n - 1] == '.')
		dom[--n] = '\0';
	if (n == 0 || n > PVAL_MAX)
		return -1;
	if (dom[0] == '[')
		return netaddr_literal(dom, &ss, &sl);
	if (dom[0] == '.' || strstr(dom, "..") != NULL || dom[n - 1] == '.')
		return -1;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)dom[i]) && dom[i] != '-' &&
		    dom[i] != '.' && dom[i] != '_')
			return -1;
	return 0;
}

/* Look up a domain or literal with the current request mask. */
int
paddr_lookup(struct policy_sess *s, const char *dom)
{
	struct sockaddr_storage ss;
	struct netkey k;
	socklen_t sl;
	int rc;

	if (dom[0] != '[')
		return pdb_lookup_domain(s->pol->db, dom, &s->pa);
	if (netaddr_literal(dom, &ss, &sl) < 0 ||
	    netaddr_key((struct sockaddr *)&ss, &k) < 0)
		return -1;
	rc = pdb_lookup_ip(s->pol->db, &k, &s->pa);
	if (policy_is_self(s->pol, &k) &&
	    (s->pa.request == 0 || (s->pa.request & PA_BIT(PA_LOCALDOMAIN)))) {
		/* mail to user@[one of our addresses] is local */
		s->pa.have |= PA_BIT(PA_LOCALDOMAIN) | PA_BIT(PA_RELAYTARGET);
		snprintf(s->pa.val[PA_LOCALDOMAIN], 2, "+");
		snprintf(s->pa.val[PA_RELAYTARGET], 2, "+");
		s->pa.msg[PA_LOCALDOMAIN][0] = s->pa.msg[PA_RELAYTARGET][0] =
		    '\0';
		snprintf(s->pa.from[PA_LOCALDOMAIN], 80, "%s (ours)", dom);
		snprintf(s->pa.from[PA_RELAYTARGET], 80, "%s (ours)", dom);
		rc = 1;
	}
	return rc;
}

static int
sender_dns(struct policy_sess *s, const char *dom, int mode)
{
	if (dom == NULL || dom[0] == '[')
		return 0;
	return pdns_exists(s, dom, mode);
}

/* User key of the sender: 1 decided (*v set), 0 go on; *mask trimmed. */
static int
mail_user(struct policy_sess *s, const char *a, int *v, unsigned int *mask)
{
	pdb_attrs_init(
	    &s->pa, PA_BIT(PA_REJECTSOURCE) | PA_BIT(PA_FREEZESOURCE));
	if (pdb_lookup_user(s->pol->db, a, &s->pa) <= 0)
		return 0;
	if (pdb_attrs_is(&s->pa, PA_FREEZESOURCE, "+")) {
		s->f.sender_freeze = 1;
		*v = pdecide(s, 1, PA_FREEZESOURCE, "sender_freeze");
		return 1;
	}
	if (pdb_attrs_is(&s->pa, PA_REJECTSOURCE, "+")) {
		s->f.sender_reject = 1;
		*v = pdecide(s, PV_REJECT, PA_REJECTSOURCE, "sender_reject");
		return 1;
	}
	*mask &=
	    ~(s->pa.have & (PA_BIT(PA_REJECTSOURCE) | PA_BIT(PA_FREEZESOURCE)));
	return 0;
}

static long
limit(const char *s, char **end)
{
	long n = strtol(s, end, 10);

	return n > 1000000000L ? 1000000000L
	    : n < -1000000000L ? -1000000000L
	                       : n;
}

/* ratelimitmsgs of a relaycustnet network (smtpserver(8) POLICY, "At
 * connect"); 0 = under it. */
static int
mail_rate(struct policy_sess *s)
{
	const char *t = s->f.ratelimitmsgs;
	long a, b = 0, n;
	char *end;
	int v = 0;

	if (!s->f.always_accept || *t == '\0' || s->rate == NULL)
		return 0;
	a = limit(t, &end);
	if (end == t)
		return 0;
	if (*end == ',')
		b = limit(end + 1, &end);
	if (s->f.trusted) {
		a *= 10;
		b *= 10;
	}
	if ((n = s->rate(s->rate_arg, s->ratelabel)) < 0)
		return 0;
	n--; /* the counter includes this MAIL; ZMailer compared the ones
		before it, so "ratelimitmsgs 2" lets two through */
	if ((a < 0 && n >= -a) || (b < 0 && n >= -b))
		v = PV_REJECT;
	else if ((a > 0 && n >= a) || (b > 0 && n >= b))
		v = PV_SOFT;
	if (v == 0)
		return 0;
	policy_trace(
	    s, "policy: %s sent %ld, ratelimitmsgs %s", s->ratelabel, n, t);
	pdecide(s, v, 0, "ratelimitmsgs exceeded");
	snprintf(s->msg, sizeof(s->msg), "%s",
	    s->ratemsg[0] ? s->ratemsg
	                  : "You are sending too much mail/rcpts per time "
	                    "interval.  Try again later.");
	return v;
}

static int
mail_eval(struct policy_sess *s, char *a)
{
	unsigned int mask = PA_BIT(PA_REJECTSOURCE) | PA_BIT(PA_FREEZESOURCE) |
	    PA_BIT(PA_SENDERNORELAY) | PA_BIT(PA_SENDEROKWITHDNS);
	char *at = NULL, *dom = NULL;
	const char *v;
	int rc;

	if (a[0] != '\0') {
		if (mail_user(s, a, &rc, &mask))
			return rc;
		if ((at = paddr_last_at(a)) == NULL ||
		    paddr_check_dom(at + 1) < 0)
			return pdecide(s, PV_REJECT, 0, "no @domain");
		dom = at + 1;
	}
	pdb_attrs_init(&s->pa, mask);
	paddr_lookup(s, dom ? dom : ".");
	if (dom != NULL && pdb_attrs_is(&s->pa, PA_SENDERNORELAY, "+")) {
		s->f.sender_norelay = 1;
		pdecide(s, 0, PA_SENDERNORELAY, "sender_norelay");
	}
	if ((rc = mail_rate(s)) != 0)
		return rc;
	if (pdb_attrs_is(&s->pa, PA_REJECTSOURCE, "+")) {
		s->f.sender_reject = 1;
		return pdecide(s, PV_REJECT, PA_REJECTSOURCE, "sender_reject");
	}
	if (pdb_attrs_is(&s->pa, PA_FREEZESOURCE, "+")) {
		s->f.sender_freeze = 1; /* ZMailer refuses here (bug kept) */
		return pdecide(s, PV_REJECT, PA_FREEZESOURCE, "sender_freeze");
	}
	if (s->f.trusted || s->f.always_accept) {
		rc = sender_dns(s, dom, '-');
		pdecide(s, rc, 0, "trusted client: sender domain in DNS?");
		if (rc != 0 && s->f.trusted) /* AUTH: ZMailer's text */
			snprintf(s->msg, sizeof(s->msg),
			    "Sorry, bad DNS result for your source domain");
		return rc;
	}
	if (dom != NULL &&
	    (v = pdb_attrs_val(&s->pa, PA_SENDEROKWITHDNS)) != NULL)
		return pdecide(s, sender_dns(s, dom, v[0]), PA_SENDEROKWITHDNS,
		    "sender domain in DNS?");
	return pdecide(s, 0, 0, "sender accepted");
}

int
policy_mailfrom(
    struct policy_sess *s, const char *addr, struct policy_result *res)
{
	char a[PADDR_MAX];
	int v;

	s->f.sender_reject = s->f.sender_freeze = s->f.sender_norelay = 0;
	s->msg[0] = '\0';
	s->dns_timeouts = 0;
	policy_trace(s, "policy: MAIL FROM <%.300s>", addr);
	s->rbl_now = s->f.always_reject && s->rbl_listed;
	if (s->f.always_reject)
		v = pdecide(s, PV_REJECT, 0, "always_reject");
	else if (s->f.always_freeze)
		v = pdecide(s, 1, 0, "always_freeze");
	else if (s->f.full_trust)
		v = pdecide(s, 0, 0, "full_trust");
	else if (paddr_normalise(addr, a, sizeof(a)) < 0)
		v = pdecide(s, PV_REJECT, 0, "unusable address");
	else
		v = mail_eval(s, a);
	preply_mail(s, v, addr, res);
	res->dnsbl = v < 0 && s->rbl_now;
	return v;
}
