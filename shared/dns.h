/*
 * dns.h - a small stub resolver: one UDP query to a configured (or the
 * system's) nameserver with a per-query timeout, answers parsed with
 * bounds checks.  For the policy DNS checks; not for reverse lookups of
 * the peer (server/peer.c uses getnameinfo).
 */
#ifndef SMTPD_DNS_H
#define SMTPD_DNS_H

#include <stddef.h>

#include "netaddr.h"

enum dns_rc {
	DNS_OK = 0,   /* answer(s) of the asked type */
	DNS_NXDOMAIN, /* the name does not exist */
	DNS_NODATA,   /* the name exists, no record of that type */
	DNS_SERVFAIL, /* server failure, refused, or other error rcode */
	DNS_TIMEOUT,  /* no answer within the timeout */
	DNS_ERROR     /* local error, malformed answer */
};

enum dns_type { DNS_A = 1, DNS_MX = 15, DNS_TXT = 16, DNS_AAAA = 28 };

#define DNS_MAXANS 16
#define DNS_NAMELEN 256

struct dns_mx {
	int pref;
	char name[DNS_NAMELEN];
};

struct dns_answer {
	int n;                          /* records stored below */
	struct netkey addr[DNS_MAXANS]; /* A / AAAA */
	struct dns_mx mx[DNS_MAXANS];   /* MX, in answer order */
	char txt[512];                  /* TXT: first record's strings */
};

struct dns_res;

/*
 * server: "127.0.0.1" or "::1" (NULL or "" = the first nameserver of
 * /etc/resolv.conf); port 0 = 53; timeout in seconds per try (>0); tries
 * >= 1.  NULL and a reason in err on failure.
 */
struct dns_res *dns_new(const char *server, int port, int timeout, int tries,
    char *err, size_t errlen);
void dns_free(struct dns_res *);
enum dns_rc dns_query(
    struct dns_res *, const char *name, enum dns_type, struct dns_answer *);
const char *dns_rc_text(enum dns_rc);
/* 1 for temporary outcomes (SERVFAIL, TIMEOUT, ERROR). */
int dns_rc_temporary(enum dns_rc);

#endif
