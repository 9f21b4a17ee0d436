/*
 * dnsbl.c - the DNS checks of smtpserver(8) POLICY ("DNS checks"):
 * DNS blocklists per RFC 5782 (reversed octets or nibbles, no "ip6."
 * label; 127.0.0.0/8 answers list, 127.255.255.x are the list's error
 * codes; the TXT record is the reason), "are we an MX" (acceptifmx,
 * sendernorelay) and "does it exist" (senderokwithdns, acceptifdns).
 * Temporary DNS failures always give a 4xx verdict, never 5xx.
 */
#include "policy_int.h"

#include <stdio.h>
#include <string.h>

#define MAX_ZONES 16
#define MAX_MXHOSTS 8
#define MAX_TIMEOUTS 2 /* per check: then the server counts as down */

/* dns_query, but a check gives up after MAX_TIMEOUTS timeouts. */
static enum dns_rc
pquery(struct policy_sess *s, struct dns_res *r, const char *name,
    enum dns_type type, struct dns_answer *a)
{
	enum dns_rc rc;

	if (s->dns_timeouts >= MAX_TIMEOUTS) {
		memset(a, 0, sizeof(*a));
		return DNS_TIMEOUT;
	}
	rc = dns_query(r, name, type, a);
	if (rc == DNS_TIMEOUT)
		s->dns_timeouts++;
	return rc;
}

static int
private_addr(const struct netkey *k)
{
	static const unsigned char zero[16];
	const unsigned char *a = k->a + 12;

	if (k->v4)
		return a[0] == 0 || a[0] == 10 || a[0] == 127 ||
		    (a[0] == 169 && a[1] == 254) ||
		    (a[0] == 172 && (a[1] & 0xf0) == 16) ||
		    (a[0] == 192 && a[1] == 168) || a[0] >= 224;
	return netaddr_is_loopback(k) || memcmp(k->a, zero, 16) == 0 ||
	    (k->a[0] == 0xfe && (k->a[1] & 0xc0) == 0x80) ||
	    (k->a[0] & 0xfe) == 0xfc || k->a[0] == 0xff;
}

/* One zone: 1 listed, 0 not, -1 temporary failure. */
static int
rbl_zone(struct policy_sess *s, struct dns_res *r, const char *name,
    const char *zone, char *msg, size_t msglen)
{
	struct dns_answer a;
	enum dns_rc rc;
	int i, listed = 0;

	rc = pquery(s, r, name, DNS_A, &a);
	policy_trace(s, "policy: RBL %s: A %s", name, dns_rc_text(rc));
	if (dns_rc_temporary(rc))
		return -1;
	for (i = 0; rc == DNS_OK && i < a.n; i++) {
		if (!a.addr[i].v4 || a.addr[i].a[12] != 127)
			continue;
		if (a.addr[i].a[13] == 255 && a.addr[i].a[14] == 255) {
			policy_trace(s,
			    "policy: RBL %s answers error code "
			    "127.255.255.%u; ignored",
			    zone, a.addr[i].a[15]);
			continue;
		}
		listed = 1;
	}
	if (!listed)
		return 0;
	if (pquery(s, r, name, DNS_TXT, &a) == DNS_OK && a.txt[0] != '\0')
		pclean(msg, msglen, a.txt);
	else
		snprintf(msg, msglen, "Your address is listed in %s", zone);
	return 1;
}

int
pdns_rbl(struct policy_sess *s, const char *zones, char *msg, size_t msglen)
{
	struct dns_res *r = policy_dns(s->pol);
	char list[PVAL_MAX + 1], rev[80], name[400], *z, *next;
	int n, temp = 0, rc;

	msg[0] = '\0';
	if (!s->have_peer)
		return 0;
	if (r == NULL)
		return -1;
	dns_reversed(&s->peer, rev, sizeof(rev));
	snprintf(list, sizeof(list), "%s", zones);
	for (z = list, n = 0; z != NULL && n < MAX_ZONES; z = next, n++) {
		if ((next = strchr(z, ':')) != NULL)
			*next++ = '\0';
		if (*z == '\0' || strcmp(z, "+") == 0) {
			if (*z == '+')
				policy_trace(s,
				    "policy: RBL '+' (the long gone "
				    "rbl.maps.vix.com) ignored");
			continue;
		}
		if (snprintf(name, sizeof(name), "%s.%s", rev, z) >= 254)
			continue;
		rc = rbl_zone(s, r, name, z, msg, msglen);
		if (rc > 0)
			return 1;
		if (rc < 0)
			temp = 1;
	}
	return temp ? -1 : 0;
}

/* Addresses of a name: A and AAAA.  Counts ours and private ones. */
static int
addrs(struct dns_res *r, const char *name, int *ours, int *priv,
    struct policy_sess *s)
{
	static const enum dns_type types[2] = { DNS_A, DNS_AAAA };
	struct dns_answer a;
	enum dns_rc rc;
	int t, i, found = 0, temp = 0;

	for (t = 0; t < 2; t++) {
		rc = pquery(s, r, name, types[t], &a);
		if (dns_rc_temporary(rc))
			temp = 1;
		for (i = 0; rc == DNS_OK && i < a.n; i++) {
			found = 1;
			*priv += private_addr(&a.addr[i]);
			*ours += policy_is_self(s->pol, &a.addr[i]);
		}
	}
	return found ? 1 : temp ? -1 : 0;
}

static int
mx_hosts(struct policy_sess *s, struct dns_res *r, struct dns_answer *mx,
    int *ours, int *priv)
{
	int i, temp = 0;

	for (i = 0; i < mx->n && i < MAX_MXHOSTS; i++) {
		if (mx->mx[i].name[0] == '\0' ||
		    strcmp(mx->mx[i].name, ".") == 0)
			continue; /* null MX (RFC 7505) */
		if (addrs(r, mx->mx[i].name, ours, priv, s) < 0)
			temp = 1;
	}
	return temp;
}

/*
 * The MX query both checks start with: PV_DNS_TEMP without a resolver or
 * on a temporary failure, PV_DNS_HARD on NXDOMAIN, else 0 with *rc and
 * *a for the caller.
 */
static int
mx_lookup(struct policy_sess *s, struct dns_res *r, const char *dom,
    struct dns_answer *a, enum dns_rc *rc)
{
	if (r == NULL)
		return PV_DNS_TEMP;
	*rc = pquery(s, r, dom, DNS_MX, a);
	policy_trace(s, "policy: MX %s: %s (%d)", dom, dns_rc_text(*rc), a->n);
	if (dns_rc_temporary(*rc))
		return PV_DNS_TEMP;
	if (*rc == DNS_NXDOMAIN)
		return PV_DNS_HARD;
	return 0;
}

int
pdns_mx(struct policy_sess *s, const char *dom, int mode, int *local)
{
	struct dns_res *r = policy_dns(s->pol);
	struct dns_answer a;
	enum dns_rc rc;
	int ours = 0, priv = 0, temp = 0, found, v;

	*local = 0;
	if ((v = mx_lookup(s, r, dom, &a, &rc)) != 0)
		return v;
	if (rc == DNS_OK)
		temp = mx_hosts(s, r, &a, &ours, &priv);
	else {
		found = addrs(r, dom, &ours, &priv, s);
		temp = found < 0;
		if (ours > 0 && priv == 0)
			*local = 1;
	}
	if (priv > 0 || (temp && ours == 0))
		return PV_DNS_TEMP;
	if (ours > 0)
		return 0;
	return mode == '+' ? PV_MX_SOFT : PV_MX_RULE;
}

int
pdns_exists(struct policy_sess *s, const char *dom, int mode)
{
	struct dns_res *r = policy_dns(s->pol);
	struct dns_answer a;
	enum dns_rc rc;
	int ours = 0, priv = 0, found, v;

	(void)mode; /* '+' and '-' differ only in ZMailer's 5xx tempfails */
	if ((v = mx_lookup(s, r, dom, &a, &rc)) != 0)
		return v;
	if (rc == DNS_OK)
		return (a.mx[0].name[0] == '\0' ||
		           strcmp(a.mx[0].name, ".") == 0)
		    ? PV_DNS_HARD
		    : 0;
	found = addrs(r, dom, &ours, &priv, s);
	policy_trace(s, "policy: A/AAAA %s: %s", dom,
	    found > 0       ? "found"
	        : found < 0 ? "temporary failure"
	                    : "none");
	if (found < 0 || priv > 0)
		return PV_DNS_TEMP;
	return found > 0 ? 0 : PV_DNS_HARD;
}
