/*
 * dnscache.h - a small cache of DNS answers in front of the resolver
 * (dns.c), one per process: a worker asks the same few names (its
 * clients' PTR and A records, the same blocklist entries) over and over,
 * and each lookup through the library's thread costs some twenty system
 * calls.  Answers are kept for their TTL (at most DNSCACHE_MAXTTL s).
 * Not for: temporary failures (never kept), sharing between processes.
 */
#ifndef SMTPD_DNSCACHE_H
#define SMTPD_DNSCACHE_H

#include <time.h>

#include "dns.h"

#define DNSCACHE_SLOTS 16
#define DNSCACHE_MAXTTL 300

/*
 * The answer kept for (forwarder, name, type) at time now (seconds of a
 * monotonic clock): 1 and rc and *a filled, or 0 when there is none.
 */
int dnscache_get(const char *fwd, const char *name, enum dns_type, time_t now,
    enum dns_rc *rc, struct dns_answer *a);
/*
 * Keep an answer for ttl seconds from now (cut to DNSCACHE_MAXTTL).
 * Only DNS_OK, DNS_NXDOMAIN and DNS_NODATA with ttl > 0 are kept; the
 * least recently used entry makes room.
 */
void dnscache_put(const char *fwd, const char *name, enum dns_type, time_t now,
    int ttl, enum dns_rc rc, const struct dns_answer *a);
/* Forget everything (a forked child starts with an empty cache). */
void dnscache_clear(void);

#endif
