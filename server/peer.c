/*
 * peer.c - reverse DNS of the client with forward confirmation, through
 * the policy's resolver (shared/dns.c: the same nameserver, cache and
 * timeout as the DNS checks).
 * Not for: policy decisions (policy/), which use only confirmed names.
 */
#include "peer.h"

#include <resolv.h>
#include <stdio.h>
#include <string.h>

#include "dns.h"
#include "netaddr.h"

/* The first PTR name of k that is a host name; -1 if none. */
static int
ptr_name(
    struct dns_res *dns, const struct netkey *k, char *name, size_t namelen)
{
	struct dns_answer a;
	char rev[80], q[100];
	int i;

	dns_reversed(k, rev, sizeof(rev));
	snprintf(
	    q, sizeof(q), "%s.%s", rev, k->v4 ? "in-addr.arpa" : "ip6.arpa");
	if (dns_query(dns, q, DNS_PTR, &a) != DNS_OK)
		return -1;
	for (i = 0; i < a.n; i++)
		if (res_hnok(a.mx[i].name) &&
		    snprintf(name, namelen, "%s", a.mx[i].name) < (int)namelen)
			return 0;
	return -1;
}

/* 1 when name has an address record (of k's family) equal to k. */
static int
forward_confirms(struct dns_res *dns, const char *name, const struct netkey *k)
{
	struct dns_answer a;
	int i;

	if (dns_query(dns, name, k->v4 ? DNS_A : DNS_AAAA, &a) != DNS_OK)
		return 0;
	for (i = 0; i < a.n; i++)
		if (memcmp(a.addr[i].a, k->a, 16) == 0)
			return 1;
	return 0;
}

void
peer_lookup(struct dns_res *dns, const struct sockaddr *sa, const char *iplit,
    char *rhost, size_t rhostlen, char flags[4])
{
	char name[DNS_NAMELEN];
	struct netkey k;

	memcpy(flags, "FFXX", 4);
	snprintf(rhost, rhostlen, "%s", iplit);
	if (dns == NULL || netaddr_key(sa, &k) < 0 ||
	    ptr_name(dns, &k, name, sizeof(name)) < 0)
		return;
	snprintf(rhost, rhostlen, "%s", name);
	flags[RF_PTR] = 'O';
	if (forward_confirms(dns, name, &k))
		flags[RF_FCRDNS] = 'O';
}
