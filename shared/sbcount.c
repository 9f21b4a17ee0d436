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

#include <stdio.h>
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
sbcount_tls_fail(struct scoreboard *sb)
{
	if (sb != NULL)
		add(&sb->n.tls_failed, 1);
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

void
sbcount_listener_name(struct scoreboard *sb, const char *name)
{
	int i;

	if (sb == NULL || sbcount_listener_index(sb, name) >= 0)
		return;
	for (i = 0; i < SB_MAX_LISTENERS; i++) {
		struct sb_listener *l = &sb->n.listener[i];

		if (__atomic_load_n(&l->used, __ATOMIC_ACQUIRE))
			continue;
		snprintf(l->name, sizeof(l->name), "%s", name);
		__atomic_store_n(&l->used, 1, __ATOMIC_RELEASE);
		return;
	}
}

int
sbcount_listener_index(const struct scoreboard *sb, const char *name)
{
	int i;

	for (i = 0; sb != NULL && name != NULL && i < SB_MAX_LISTENERS; i++)
		if (__atomic_load_n(
		        &sb->n.listener[i].used, __ATOMIC_ACQUIRE) &&
		    strcmp(sb->n.listener[i].name, name) == 0)
			return i;
	return -1;
}

void
sbcount_listener(struct scoreboard *sb, int idx, enum sb_lout o)
{
	if (sb != NULL && idx >= 0 && idx < SB_MAX_LISTENERS && o >= 0 &&
	    o < SB_NLOUT)
		add(&sb->n.listener[idx].conn[o], 1);
}

void
sbcount_listener_msg(struct scoreboard *sb, int idx)
{
	if (sb != NULL && idx >= 0 && idx < SB_MAX_LISTENERS)
		add(&sb->n.listener[idx].messages, 1);
}
