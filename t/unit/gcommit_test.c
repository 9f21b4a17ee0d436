/*
 * gcommit_test.c - the group-commit sequence logic: a commit is covered
 * only by a sync that started after its rename; a sync that never ends
 * (its process died) or fails leaves nobody waiting for ever; many
 * processes committing at once each return only when covered.
 */
#include <sys/mman.h>
#include <sys/wait.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "gcommit.h"
#include "tap.h"

/* Shared with the sync callback (and between processes). */
struct probe {
	struct gcommit *g;
	_Atomic uint32_t synced; /* highest rename_seq a finished sync saw */
	_Atomic int calls;
	int fail; /* the next sync fails */
};

/* Our own record of what a "directory fsync" covers, independent of
 * gcommit's counters: rename_seq as it was when the sync started. */
static int
fake_sync(void *arg)
{
	struct probe *p = arg;
	uint32_t snap = atomic_load(&p->g->rename_seq), d;

	atomic_fetch_add(&p->calls, 1);
	if (p->fail) {
		p->fail = 0;
		errno = EIO;
		return -1;
	}
	usleep(200); /* a sync takes a while: others rename meanwhile */
	d = atomic_load(&p->synced);
	while ((int32_t)(snap - d) > 0 &&
	    !atomic_compare_exchange_weak(&p->synced, &d, snap))
		;
	return 0;
}

static void
single(struct probe *p)
{
	uint32_t my;

	my = gcommit_renamed(p->g);
	is_int(gcommit_sync(p->g, my, fake_sync, p, 1000), 0, "first commit");
	is_int(p->calls, 1, "it ran a sync");
	is_int(p->g->sync_done_seq, my, "sync_done_seq is its rename");
	is_int(gcommit_sync(p->g, my, fake_sync, p, 1000), 0, "again");
	is_int(p->calls, 1, "covered: no second sync");
	my = gcommit_renamed(p->g);
	gcommit_sync(p->g, my, fake_sync, p, 1000);
	is_int(p->calls, 2, "a later rename is not covered by the old sync");
}

static void
dead_and_failed(struct probe *p)
{
	uint32_t my = gcommit_renamed(p->g);

	/* a sync covering us "started" in a process that then died */
	atomic_store(&p->g->sync_started_seq, my);
	p->calls = 0;
	is_int(gcommit_sync(p->g, my, fake_sync, p, 50), 0,
	    "dead syncer: the wait ends");
	is_int(p->calls, 1, "and it syncs itself");
	ok((int32_t)(p->g->sync_done_seq - my) >= 0, "done covers it");

	/* the dead syncer's mark is older than the sync that replaced it
	 * (others renamed meanwhile): it is not taken for a running sync */
	my = gcommit_renamed(p->g);
	atomic_store(&p->g->sync_started_seq, my);
	gcommit_renamed(p->g);
	gcommit_sync(p->g, my, fake_sync, p, 50);
	ok((int32_t)(p->g->sync_done_seq - p->g->sync_started_seq) > 0,
	    "the replacing sync covers more than the dead one began");
	my = gcommit_renamed(p->g);
	p->calls = 0;
	is_int(gcommit_sync(p->g, my, fake_sync, p, 1000), 0,
	    "a later commit after a dead syncer");
	is_int(p->g->sync_started_seq, my,
	    "starts its sync at once: it waited for no one");

	my = gcommit_renamed(p->g);
	p->fail = 1;
	p->calls = 0;
	errno = 0;
	is_int(gcommit_sync(p->g, my, fake_sync, p, 1000), -1,
	    "a failed sync is reported");
	is_int(errno, EIO, "with its errno");
	ok(p->g->sync_started_seq == p->g->sync_done_seq,
	    "and not left as running");
	is_int(gcommit_sync(p->g, my, fake_sync, p, 1000), 0,
	    "the next try syncs");
	is_int(p->calls, 2, "by itself, without waiting");
}

/* Child: n commits; counts those that returned before being covered. */
static int
committer(struct probe *p, int n)
{
	int i, early = 0;
	uint32_t my;

	for (i = 0; i < n; i++) {
		my = gcommit_renamed(p->g);
		if (gcommit_sync(p->g, my, fake_sync, p, GCOMMIT_WAIT_MS) < 0)
			return 2;
		if ((int32_t)(atomic_load(&p->synced) - my) < 0)
			early++;
	}
	return early ? 1 : 0;
}

static void
parallel(struct probe *p)
{
	enum { PROCS = 6, EACH = 300 };
	int i, st, bad = 0;
	pid_t pid;

	p->calls = 0;
	for (i = 0; i < PROCS; i++) {
		pid = fork();
		if (pid == 0)
			_exit(committer(p, EACH));
	}
	for (i = 0; i < PROCS; i++)
		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad++;
	is_int(bad, 0, "%d processes x %d commits: each covered on return",
	    PROCS, EACH);
	printf("# %d syncs for %d commits\n", (int)p->calls, PROCS * EACH);
	ok(p->calls <= PROCS * EACH, "never more syncs than commits");
}

int
main(void)
{
	struct probe *p = mmap(NULL, sizeof(*p) + sizeof(struct gcommit),
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct gcommit *g;

	if (p == MAP_FAILED)
		return 1;
	g = (struct gcommit *)(p + 1);
	p->g = g;
	single(p);
	dead_and_failed(p);
	/* near the wrap of the counters */
	atomic_store(&g->rename_seq, UINT32_MAX - 500);
	atomic_store(&g->sync_started_seq, UINT32_MAX - 500);
	atomic_store(&g->sync_done_seq, UINT32_MAX - 500);
	atomic_store(&p->synced, UINT32_MAX - 500);
	parallel(p);
	return tap_done();
}
