/*
 * sbcount.c - the scoreboard's event counters (struct sb_counts in
 * scoreboard.h): TLS versions, AUTH results, policy refusals by stage
 * and DNSBL, the spool commit latency histogram; the per-second count
 * of callouts (rcpt-verify-rate).  Each is one relaxed
 * atomic add on the shared mapping, taken where the event happens, with
 * no lock: a worker dying mid-add can leave nothing half done.
 * Not for: rendering (server/metrics.c).
 */
#include "scoreboard.h"

#include <string.h>

static const long bounds[SB_NBUCKETS - 1] = { SB_COMMIT_BOUNDS };

static void
add(unsigned long *c, unsigned long v)
{
	__atomic_fetch_add(c, v, __ATOMIC_RELAXED);
}

void
sbcount_tls(struct scoreboard *sb, const char *version)
{
	static const char *const names[SB_TLS_OTHER] = { "TLSv1", "TLSv1.1",
		"TLSv1.2", "TLSv1.3" };
	int i;

	if (sb == NULL)
		return;
	for (i = 0; i < SB_TLS_OTHER; i++)
		if (version != NULL && strcmp(version, names[i]) == 0)
			break;
	add(&sb->n.tls[i], 1);
}

void
sbcount_auth(struct scoreboard *sb, int ok)
{
	if (sb != NULL)
		add(ok ? &sb->n.auth_ok : &sb->n.auth_failed, 1);
}

void
sbcount_policy(struct scoreboard *sb, enum sb_stage stage, int dnsbl)
{
	if (sb == NULL || stage < 0 || stage >= SB_NSTAGES)
		return;
	add(&sb->n.policy[stage], 1);
	if (dnsbl)
		add(&sb->n.dnsbl, 1);
}

void
sbcount_commit(struct scoreboard *sb, long usec)
{
	int i;

	if (sb == NULL)
		return;
	if (usec < 0)
		usec = 0;
	for (i = 0; i < SB_NBUCKETS - 1; i++)
		if (usec <= bounds[i] * 1000)
			break;
	add(&sb->n.commit[i], 1);
	add(&sb->n.commit_us, (unsigned long)usec);
}

int
sbcount_callout(struct scoreboard *sb, time_t now, int limit)
{
	const uint64_t mask = ((uint64_t)1 << SB_CALLOUT_BITS) - 1;
	uint64_t old, new, sec = (uint64_t)now;
	int i;

	if (sb == NULL || limit <= 0)
		return 1;
	old = __atomic_load_n(&sb->n.callout_sec, __ATOMIC_RELAXED);
	for (i = 0; i < 1000; i++) {
		if (old >> SB_CALLOUT_BITS != sec)
			new = sec << SB_CALLOUT_BITS | 1;
		else if ((old & mask) >= (uint64_t)limit)
			return 0;
		else
			new = old + 1;
		if (__atomic_compare_exchange_n(&sb->n.callout_sec, &old, new,
		        0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			return 1;
	}
	return 0; /* lost the race a thousand times: surely busy */
}

long
sbcount_bound(int i)
{
	return i >= 0 && i < SB_NBUCKETS - 1 ? bounds[i] : -1;
}
