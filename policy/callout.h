/*
 * callout.h - recipient verification by callout (PARAM rcpt-verify,
 * smtpserver(8) "Recipient checks"): ask the next hop of a domain, over
 * SMTP or LMTP, whether it would take RCPT TO:<addr> (MAIL FROM:<>,
 * RCPT, then RSET and QUIT), and remember its answer in a GDBM cache
 * that every worker shares.
 * Not for: which domains may be verified, or the reply (policy_callout.c).
 */
#ifndef SMTPD_CALLOUT_H
#define SMTPD_CALLOUT_H

#include <sys/socket.h>
#include <stddef.h>
#include <time.h>

#include "callout_hop.h"

#define CALLOUT_LINE_MAX 512 /* RFC 5321 4.5.3.1.5 reply line */
#define CALLOUT_ADDR_MAX 256 /* RFC 5321 path, brackets excluded */

/* What the next hop said (or the cache remembers). */
enum callout_result {
	CALLOUT_KNOWN,   /* 2xx to RCPT */
	CALLOUT_UNKNOWN, /* 5xx to RCPT */
	CALLOUT_TEMP,    /* unreachable, timeout, 4xx, protocol error */
	CALLOUT_MISS,    /* cache: no fresh entry */
};

/* The settings of struct conf (rcpt-verify-*). */
struct callout_conf {
	struct callout_hop *hops;
	size_t nhops;
	char *cache;    /* cache path without ".gdbm"; NULL = no cache */
	int pos_ttl;    /* s a KNOWN answer is remembered; 0 = not */
	int neg_ttl;    /* s an UNKNOWN answer is remembered; 0 = not */
	int rate;       /* callouts per second, all workers; 0 = no bound */
	int conn_tmo;   /* s to connect */
	int reply_tmo;  /* s for each reply */
	char helo[256]; /* our name in EHLO/LHLO */
};

/* callout.c: the hop for dom (lowercase), or NULL. */
const struct callout_hop *callout_hop_find(
    const struct callout_conf *, const char *dom);
void callout_conf_free(struct callout_conf *);

/*
 * callout.c: one reply line: code (200..599) into *code, *more = 1 for
 * "NNN-" (more lines follow).  0, or -1 when it is not a reply line.
 */
int callout_reply_line(const char *line, size_t len, int *code, int *more);
/*
 * Ask hop about addr (no brackets; plain printable ASCII or UTF-8
 * without controls).  KNOWN, UNKNOWN, or TEMP; what happened (the
 * next hop's reply, or the failure) in why.  The caller ignores SIGPIPE
 * (the daemon does): a next hop that hangs up is a write error.
 */
enum callout_result callout_run(const struct callout_conf *,
    const struct callout_hop *, const char *addr, char *why, size_t whylen);

/*
 * callout_cache.c: the answer remembered for addr (KNOWN/UNKNOWN within
 * its TTL) or MISS; a cache that cannot be read is a MISS with the
 * reason in err.  Put records KNOWN or UNKNOWN at now; 0 / -1 (err).
 * Readers and writers of all workers take a lock file (PATH.lock, fcntl)
 * around each open of PATH.gdbm: shared to read, exclusive to write.
 */
enum callout_result callout_cache_get(const struct callout_conf *,
    const char *addr, time_t now, char *err, size_t errlen);
int callout_cache_put(const struct callout_conf *, const char *addr,
    enum callout_result, time_t now, char *err, size_t errlen);

#endif
