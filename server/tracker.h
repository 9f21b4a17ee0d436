/*
 * tracker.h - per-client counters of the daemon: connections per address
 * (MaxSameIpSource), MAILs per hour (ratelimitmsgs) and AUTH failures.
 * Counted in the local scoreboard always; with PARAM tracking-cluster
 * redis://... also in Redis, whose sums across the nodes of a fleet then
 * decide.  Redis unreachable: the local counts decide, the supervisor
 * logs it once, and every process retries after a back-off.
 * Not for: the scoreboard's own bookkeeping (shared/scoreboard.c).
 */
#ifndef SMTPD_TRACKER_H
#define SMTPD_TRACKER_H

#include <time.h>

#include "scoreboard.h"

/* Per process: the URL (NULL: local only), the node's name (host name
 * and the supervisor's pid).  Forgets an inherited connection. */
void tracker_setup(const char *url, const char *host, long suppid);

/* Worker: scoreboard_admit, then the same-IP limit against the fleet's
 * count (*same: the key's open connections, this one included). */
int tracker_admit(struct scoreboard *, int slot, const struct netkey *key,
    int max_same, int max_total, enum sb_verdict *, int *same);
/* Worker: scoreboard_release, and the fleet's count of key. */
void tracker_release(struct scoreboard *, int slot, const struct netkey *);
/* scoreboard_rate, or the fleet's count when it is reachable. */
long tracker_rate(struct scoreboard *, const char *label, time_t now);
/* scoreboard_auth_reserve / _refund, then the fleet's count. */
int tracker_auth_reserve(struct scoreboard *, const struct netkey *key,
    int limit, int window, time_t *since);
void tracker_auth_refund(
    struct scoreboard *, const struct netkey *key, int window, time_t since);

/* Supervisor, about once a second: heartbeat and resync of this node's
 * connection counts, reconnection, the once-per-outage log lines. */
void tracker_tick(struct scoreboard *, time_t now);
/* Supervisor, at start and after each reload: tracker_setup if the URL
 * is not the one in use. */
void tracker_follow(const char *url, const char *host, long suppid);
/* Supervisor stopping: this node's counts leave the fleet. */
void tracker_stop(void);

#endif
