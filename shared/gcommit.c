/*
 * gcommit.c - group commit of a directory's entries across processes
 * (gcommit.h): lock-free counters in shared memory and a futex to sleep
 * on while another process's fsync runs.  Not for: what is synced (the
 * caller's function does the fsync).
 */
#include "gcommit.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <errno.h>
#include <limits.h>
#include <time.h>
#include <unistd.h>

/* a is at or after b, modulo 2^32 */
static int
reached(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) >= 0;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint32_t
gcommit_renamed(struct gcommit *g)
{
	return atomic_fetch_add(&g->rename_seq, 1) + 1;
}

/* Sleep while sync_done_seq is still seen, at most ms. */
static void
wait_done(struct gcommit *g, uint32_t seen, long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	atomic_fetch_add(&g->waiters, 1);
	syscall(SYS_futex, (uint32_t *)&g->sync_done_seq, FUTEX_WAIT, seen, &ts,
	    NULL, 0);
	atomic_fetch_sub(&g->waiters, 1);
}

static void
wake_all(struct gcommit *g)
{
	if (atomic_load(&g->waiters) > 0)
		syscall(SYS_futex, (uint32_t *)&g->sync_done_seq, FUTEX_WAKE,
		    INT_MAX, NULL, NULL, 0);
}

/*
 * Sync every rename up to snap (read before the sync starts), then
 * publish it.  On failure, a sync_started_seq still at snap is taken
 * back so that waiters start their own at once.
 */
static int
run_sync(struct gcommit *g, uint32_t snap, int (*sync)(void *), void *arg)
{
	uint32_t d, s = snap;
	int eno;

	if (sync(arg) < 0) {
		eno = errno;
		atomic_compare_exchange_strong(
		    &g->sync_started_seq, &s, atomic_load(&g->sync_done_seq));
		wake_all(g);
		errno = eno;
		return -1;
	}
	d = atomic_load(&g->sync_done_seq);
	while (!reached(d, snap) &&
	    !atomic_compare_exchange_weak(&g->sync_done_seq, &d, snap))
		;
	wake_all(g);
	return 0;
}

int
gcommit_sync(
    struct gcommit *g, uint32_t my, int (*sync)(void *), void *arg, int wait_ms)
{
	long deadline = now_ms() + wait_ms, left;
	uint32_t done, started, snap;

	for (;;) {
		done = atomic_load(&g->sync_done_seq);
		if (reached(done, my))
			return 0;
		started = atomic_load(&g->sync_started_seq);
		left = deadline - now_ms();
		if (left <= 0) /* the sync we waited for is gone or slow */
			return run_sync(
			    g, atomic_load(&g->rename_seq), sync, arg);
		if (!reached(started, my) && !reached(done, started)) {
			/* one runs, begun before our rename: the next one
			 * will cover everyone who renamed meanwhile (a mark
			 * at or before done is a finished sync, or one whose
			 * process died and which a later sync replaced) */
			wait_done(g, done, left);
			continue;
		}
		if (!reached(started, my)) { /* nobody syncs for us: we do */
			snap = atomic_load(&g->rename_seq);
			if (atomic_compare_exchange_strong(
			        &g->sync_started_seq, &started, snap))
				return run_sync(g, snap, sync, arg);
			continue;
		}
		wait_done(g, done, left);
	}
}
