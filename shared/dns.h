/*
 * dns.h - the resolver of the policy's DNS checks and of the client's
 * reverse lookup: libunbound forwarding to a configured nameserver (or to
 * those of /etc/resolv.conf), caching per process, with TCP fallback, and
 * a deadline on every lookup.
 * Answers come back as small bounded structs.
 * Not for: DNSSEC validation (not configured yet).
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

enum dns_type {
	DNS_A = 1,
	DNS_PTR = 12,
	DNS_MX = 15,
	DNS_TXT = 16,
	DNS_AAAA = 28
};

#define DNS_MAXANS 16
#define DNS_NAMELEN 256

struct dns_mx {
	int pref;
	char name[DNS_NAMELEN];
};

struct dns_answer {
	int n;                          /* records stored below */
	struct netkey addr[DNS_MAXANS]; /* A / AAAA */
	struct dns_mx mx[DNS_MAXANS];   /* MX in answer order; PTR (pref 0) */
	char txt[512];                  /* TXT: first record's strings */
};

/* Every TXT record of a name, each record's strings joined (SPF). */
#define DNS_TXTLEN 1024
struct dns_txts {
	int n;
	char txt[DNS_MAXANS][DNS_TXTLEN];
};

struct dns_res;

/*
 * server: "127.0.0.1" or "::1", port 1..65535 (0 = 53); NULL or "" =
 * the nameservers of /etc/resolv.conf (127.0.0.1 when it names none),
 * with /etc/hosts.  timeout: seconds for one lookup, retries included
 * (1..300).  Nothing is asked or read until the first query, and each
 * process (each worker) gets its own cache: a handle may be made before
 * fork and used after.  NULL and a reason in err on failure.
 */
struct dns_res *dns_new(
    const char *server, int port, int timeout, char *err, size_t errlen);
void dns_free(struct dns_res *);
enum dns_rc dns_query(
    struct dns_res *, const char *name, enum dns_type, struct dns_answer *);
/* Every TXT record (bounded: DNS_MAXANS of DNS_TXTLEN - 1 bytes). */
enum dns_rc dns_query_txts(
    struct dns_res *, const char *name, struct dns_txts *);
const char *dns_rc_text(enum dns_rc);
/* 1 for temporary outcomes (SERVFAIL, TIMEOUT, ERROR). */
int dns_rc_temporary(enum dns_rc);
/*
 * The reversed address for a PTR or blocklist name: "4.3.2.1" or 32
 * nibbles "b.a.9.8. ... .0.2" (RFC 5782 2.1, 2.4), without a suffix.
 */
void dns_reversed(const struct netkey *, char *out, size_t outlen);

#endif
