/*
 * spf_dns.c - a libspf2 DNS layer (SPF_dns_server_t) over shared/dns.c:
 * A, AAAA, MX, PTR and TXT answers become libspf2's SPF_dns_rr_t, and
 * dns.c's outcomes its h_errno values (a timeout or SERVFAIL is
 * TRY_AGAIN, which libspf2 turns into temperror).
 * Not for: SPF decisions (spf.c).
 */
#include "spf_int.h"

#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"

#define SPF_TTL 60

static int
herrno_of(enum dns_rc rc)
{
	switch (rc) {
	case DNS_OK:
		return NETDB_SUCCESS;
	case DNS_NXDOMAIN:
		return HOST_NOT_FOUND;
	case DNS_NODATA:
		return NO_DATA;
	default:
		return TRY_AGAIN;
	}
}

/* Room for record i of len bytes; -1 when libspf2 has no memory. */
static int
room(SPF_dns_rr_t *rr, int i, size_t len)
{
	return SPF_dns_rr_buf_realloc(rr, i, len) == SPF_E_SUCCESS ? 0 : -1;
}

static SPF_dns_rr_t *
lookup_txt(SPF_dns_server_t *d, struct dns_res *r, const char *domain)
{
	struct dns_txts *t = calloc(1, sizeof(*t));
	SPF_dns_rr_t *rr;
	enum dns_rc rc = DNS_ERROR;
	int i;

	if (t != NULL)
		rc = dns_query_txts(r, domain, t);
	rr = SPF_dns_rr_new_init(d, domain, ns_t_txt, SPF_TTL, herrno_of(rc));
	for (i = 0; rr != NULL && rc == DNS_OK && i < t->n; i++) {
		size_t n = strlen(t->txt[i]) + 1;

		if (room(rr, i, n) < 0)
			break;
		memcpy(rr->rr[i]->txt, t->txt[i], n);
		rr->num_rr = i + 1;
	}
	free(t);
	return rr;
}

static void
fill(SPF_dns_rr_t *rr, ns_type type, const struct dns_answer *a)
{
	int i;

	for (i = 0; i < a->n; i++) {
		if (type == ns_t_a) {
			if (room(rr, i, sizeof(struct in_addr)) < 0)
				return;
			memcpy(&rr->rr[i]->a, a->addr[i].a + 12, 4);
		} else if (type == ns_t_aaaa) {
			if (room(rr, i, sizeof(struct in6_addr)) < 0)
				return;
			memcpy(&rr->rr[i]->aaaa, a->addr[i].a, 16);
		} else {
			size_t n = strlen(a->mx[i].name) + 1;

			if (room(rr, i, n) < 0)
				return;
			memcpy(rr->rr[i]->mx, a->mx[i].name, n);
		}
		rr->num_rr = i + 1;
	}
}

static SPF_dns_rr_t *
lookup(SPF_dns_server_t *d, const char *domain, ns_type type, int cache)
{
	struct dns_res *r = d->hook;
	struct dns_answer a;
	SPF_dns_rr_t *rr;
	enum dns_rc rc;

	(void)cache; /* dns.c caches per process */
	if (type == ns_t_txt)
		return lookup_txt(d, r, domain);
	if (type != ns_t_a && type != ns_t_aaaa && type != ns_t_mx &&
	    type != ns_t_ptr) /* type 99 (SPF) is obsolete (RFC 7208 3.1) */
		return SPF_dns_rr_new_init(d, domain, type, SPF_TTL, NO_DATA);
	rc = dns_query(r, domain, (enum dns_type)type, &a);
	rr = SPF_dns_rr_new_init(d, domain, type, SPF_TTL, herrno_of(rc));
	if (rr != NULL && rc == DNS_OK)
		fill(rr, type, &a);
	return rr;
}

static void
destroy(SPF_dns_server_t *d)
{
	free(d);
}

SPF_dns_server_t *
spf_dns_new(struct dns_res *r)
{
	SPF_dns_server_t *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->destroy = destroy;
	d->lookup = lookup;
	d->name = "smtpserver-dns";
	d->hook = r;
	return d;
}
