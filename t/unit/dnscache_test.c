/*
 * dnscache_test.c - the per-process DNS answer cache: hits within the TTL,
 * misses after it, keys by forwarder, name (any case) and type, what is
 * never kept, the TTL cap, least recently used replacement, and clearing;
 * and the loopback names dns.c answers as the library's local zones do,
 * without starting the library (its forwarder here is a closed port).
 */
#include "dnscache.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct dns_answer
ptr_answer(const char *name)
{
	struct dns_answer a;

	memset(&a, 0, sizeof(a));
	a.n = 1;
	snprintf(a.mx[0].name, sizeof(a.mx[0].name), "%s", name);
	return a;
}

static void
test_ttl(void)
{
	struct dns_answer a = ptr_answer("localhost"), b;
	enum dns_rc rc = DNS_ERROR;

	dnscache_put(
	    "", "1.0.0.127.in-addr.arpa", DNS_PTR, 100, 60, DNS_OK, &a);
	ok(dnscache_get("", "1.0.0.127.in-addr.arpa", DNS_PTR, 100, &rc, &b) &&
	        rc == DNS_OK && b.n == 1 &&
	        strcmp(b.mx[0].name, "localhost") == 0,
	    "an answer is there at once");
	ok(dnscache_get("", "1.0.0.127.IN-ADDR.ARPA", DNS_PTR, 159, &rc, &b),
	    "  in any case, until its TTL ends");
	ok(!dnscache_get("", "1.0.0.127.in-addr.arpa", DNS_PTR, 160, &rc, &b),
	    "  not after");
	ok(!dnscache_get("", "1.0.0.127.in-addr.arpa", DNS_PTR, 100, &rc, &b),
	    "  and an expired entry is dropped");
	dnscache_put("", "long.test", DNS_A, 0, 86400, DNS_OK, &a);
	ok(dnscache_get("", "long.test", DNS_A, DNSCACHE_MAXTTL - 1, &rc, &b),
	    "a long TTL is kept ...");
	ok(!dnscache_get("", "long.test", DNS_A, DNSCACHE_MAXTTL, &rc, &b),
	    "  ... for DNSCACHE_MAXTTL seconds only");
}

static void
test_keys(void)
{
	struct dns_answer a = ptr_answer("mx.test"), b;
	enum dns_rc rc;

	dnscache_clear();
	dnscache_put("127.0.0.1@53", "k.test", DNS_MX, 0, 60, DNS_OK, &a);
	ok(dnscache_get("127.0.0.1@53", "k.test", DNS_MX, 1, &rc, &b),
	    "key: forwarder, name, type");
	ok(!dnscache_get("127.0.0.1@5353", "k.test", DNS_MX, 1, &rc, &b),
	    "  another forwarder misses");
	ok(!dnscache_get("127.0.0.1@53", "k.test", DNS_A, 1, &rc, &b),
	    "  another type misses");
	ok(!dnscache_get("127.0.0.1@53", "kk.test", DNS_MX, 1, &rc, &b),
	    "  another name misses");
	dnscache_put("", "nx.test", DNS_A, 0, 30, DNS_NXDOMAIN, NULL);
	ok(dnscache_get("", "nx.test", DNS_A, 1, &rc, &b) &&
	        rc == DNS_NXDOMAIN && b.n == 0,
	    "NXDOMAIN is kept, with no records");
	dnscache_put("", "nd.test", DNS_MX, 0, 30, DNS_NODATA, NULL);
	ok(dnscache_get("", "nd.test", DNS_MX, 1, &rc, &b) && rc == DNS_NODATA,
	    "no data is kept");
	dnscache_put("", "sf.test", DNS_A, 0, 30, DNS_SERVFAIL, NULL);
	dnscache_put("", "to.test", DNS_A, 0, 30, DNS_TIMEOUT, NULL);
	dnscache_put("", "zero.test", DNS_A, 0, 0, DNS_OK, &a);
	ok(!dnscache_get("", "sf.test", DNS_A, 1, &rc, &b) &&
	        !dnscache_get("", "to.test", DNS_A, 1, &rc, &b),
	    "SERVFAIL and timeouts are never kept");
	ok(!dnscache_get("", "zero.test", DNS_A, 1, &rc, &b),
	    "a TTL of 0 is not kept");
	dnscache_put("", "k2.test", DNS_A, 0, 60, DNS_OK, &a);
	a.mx[0].name[0] = 'X';
	dnscache_put("", "k2.test", DNS_A, 0, 60, DNS_NXDOMAIN, NULL);
	ok(dnscache_get("", "k2.test", DNS_A, 1, &rc, &b) && rc == DNS_NXDOMAIN,
	    "a newer answer replaces the old one");
}

static void
test_lru(void)
{
	struct dns_answer a = ptr_answer("x.test"), b;
	enum dns_rc rc;
	char name[32];
	int i, kept = 0;

	dnscache_clear();
	for (i = 0; i < DNSCACHE_SLOTS; i++) {
		snprintf(name, sizeof(name), "n%d.test", i);
		dnscache_put("", name, DNS_A, 0, 60, DNS_OK, &a);
	}
	ok(dnscache_get("", "n0.test", DNS_A, 1, &rc, &b),
	    "a full cache: the oldest entry used again");
	dnscache_put("", "new.test", DNS_A, 1, 60, DNS_OK, &a);
	ok(dnscache_get("", "new.test", DNS_A, 1, &rc, &b),
	    "  a new entry goes in");
	ok(dnscache_get("", "n0.test", DNS_A, 1, &rc, &b),
	    "  the recently used one stays");
	ok(!dnscache_get("", "n1.test", DNS_A, 1, &rc, &b),
	    "  the least recently used one went");
	for (i = 0; i < DNSCACHE_SLOTS; i++) {
		snprintf(name, sizeof(name), "n%d.test", i);
		kept += dnscache_get("", name, DNS_A, 1, &rc, &b);
	}
	is_int(kept, DNSCACHE_SLOTS - 1, "  %d slots in all", DNSCACHE_SLOTS);
	dnscache_clear();
	ok(!dnscache_get("", "new.test", DNS_A, 1, &rc, &b),
	    "cleared: nothing is left");
}

static void
test_bounds(void)
{
	struct dns_answer a = ptr_answer("x.test"), b;
	char longname[600];
	enum dns_rc rc;

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	dnscache_put("", longname, DNS_A, 0, 60, DNS_OK, &a);
	ok(!dnscache_get("", longname, DNS_A, 1, &rc, &b),
	    "a name longer than a DNS name is not kept");
	dnscache_put(longname, "f.test", DNS_A, 0, 60, DNS_OK, &a);
	ok(!dnscache_get(longname, "f.test", DNS_A, 1, &rc, &b),
	    "nor one for an over-long forwarder");
}

/* Threads of this process (the library's resolver thread is one). */
static int
threads(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	int n = -1;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "Threads:", 8) == 0)
			n = atoi(line + 8);
	if (f != NULL)
		fclose(f);
	return n;
}

static void
test_loopback(void)
{
	static const char v6ptr[] = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	                            "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa";
	struct dns_answer a;
	struct dns_res *r;
	char err[200];
	int t0 = threads();

	r = dns_new("127.0.0.1", 9, 1, err, sizeof(err));
	ok(r != NULL, "a resolver forwarding to a closed port");
	if (r == NULL)
		return;
	ok(dns_query(r, "1.0.0.127.in-addr.arpa", DNS_PTR, &a) == DNS_OK &&
	        a.n == 1 && strcmp(a.mx[0].name, "localhost") == 0,
	    "PTR of 127.0.0.1: localhost");
	ok(dns_query(r, v6ptr, DNS_PTR, &a) == DNS_OK && a.n == 1 &&
	        strcmp(a.mx[0].name, "localhost") == 0,
	    "PTR of ::1: localhost");
	ok(dns_query(r, "LocalHost.", DNS_A, &a) == DNS_OK && a.n == 1 &&
	        a.addr[0].v4 && a.addr[0].a[12] == 127 && a.addr[0].a[15] == 1,
	    "A of localhost: 127.0.0.1");
	ok(dns_query(r, "localhost", DNS_AAAA, &a) == DNS_OK && a.n == 1 &&
	        !a.addr[0].v4 && a.addr[0].a[15] == 1 && a.addr[0].a[0] == 0,
	    "AAAA of localhost: ::1");
	is_int(dns_query(r, "localhost", DNS_MX, &a), DNS_NODATA,
	    "MX of localhost: no data");
	is_int(threads(), t0, "  the library was not started for them");
	is_int(dns_query(r, "2.0.0.127.in-addr.arpa", DNS_PTR, &a),
	    DNS_NXDOMAIN, "another 127/8 name is the library's: NXDOMAIN");
	ok(threads() > t0, "  which was started for it");
	dns_free(r);
}

int
main(void)
{
	test_ttl();
	test_keys();
	test_lru();
	test_bounds();
	dnscache_clear();
	test_loopback();
	return tap_done();
}
