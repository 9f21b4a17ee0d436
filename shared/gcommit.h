/*
 * gcommit.h - group commit of directory entries: several processes that
 * renamed files into one directory share one fsync of it.  The counters
 * live in shared memory (the scoreboard); a process may skip its own
 * fsync only once a directory fsync that started after its rename has
 * completed.  Not for: the spool's files or names (spool/).
 */
#ifndef SMTPD_GCOMMIT_H
#define SMTPD_GCOMMIT_H

#include <stdatomic.h>
#include <stdint.h>

/* All zero to start with.  Sequence numbers wrap (serial arithmetic). */
struct gcommit {
	_Atomic uint32_t rename_seq;       /* renames counted so far */
	_Atomic uint32_t sync_started_seq; /* rename_seq a running sync saw */
	_Atomic uint32_t sync_done_seq;    /* rename_seq a finished sync saw */
	_Atomic uint32_t waiters;          /* processes waiting for a sync */
};

/* How long to wait for another process's fsync before doing one. */
#define GCOMMIT_WAIT_MS 1000

/* After the rename returned: this rename's sequence number. */
uint32_t gcommit_renamed(struct gcommit *);
/*
 * Return once a directory sync that started after rename my has ended:
 * wait for one that is running, or run sync(arg) (fsync of the
 * directory) itself; if the one it waits for does not end within
 * wait_ms (its process died, or it failed), it runs its own.  0 when
 * covered, -1 with errno when its own sync failed.
 */
int gcommit_sync(
    struct gcommit *, uint32_t my, int (*sync)(void *), void *arg, int wait_ms);

#endif
