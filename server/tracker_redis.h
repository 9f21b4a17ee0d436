/*
 * tracker_redis.h - the counters of PARAM tracking-cluster kept in Redis
 * (hiredis), each operation one Lua script run atomically by the server.
 * For: server/tracker.c.  Not for: deciding what a failure means (the
 * tracker falls back to local counts) or logging (no password is ever
 * put into err).
 */
#ifndef SMTPD_TRACKER_REDIS_H
#define SMTPD_TRACKER_REDIS_H

#include <stddef.h>

struct tracker_url;
struct tredis;

/* Connect (and AUTH, SELECT) within timeout_ms, which also bounds every
 * later command; NULL with the reason in err. */
struct tredis *tredis_open(
    const struct tracker_url *, int timeout_ms, char *err, size_t errlen);
/* Close without a word (also right in a child that inherited it). */
void tredis_close(struct tredis *);

/*
 * Connections of addr: add delta (+1, -1, or 0) to this node's count and
 * return the sum over the live nodes in *total.  Each node has a hash of
 * its counts that expires ttl seconds after its last sign of life.
 */
int tredis_conn(struct tredis *, const char *node, const char *addr, int delta,
    int ttl, long *total, char *err, size_t errlen);
/* Replace this node's hash by n (addr, count) pairs; a heartbeat. */
int tredis_sync(struct tredis *, const char *node, int ttl,
    const char *const *addrs, const int *counts, size_t n, char *err,
    size_t errlen);
/* This node stops: its hash goes. */
int tredis_drop(struct tredis *, const char *node, char *err, size_t errlen);
/* ratelimitmsgs: count one for label, *n = the count of the last hour
 * (slots of slot_secs). */
int tredis_rate(struct tredis *, const char *label, int slots, int slot_secs,
    long *n, char *err, size_t errlen);
/* AUTH failures of addr: reserve one unless limit (> 0) are counted in
 * the window (*ok = 1 when reserved), or refund one (limit < 0). */
int tredis_auth(struct tredis *, const char *addr, int limit, int window,
    int *ok, char *err, size_t errlen);

#endif
