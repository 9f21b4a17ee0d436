/*
 * pool.c - the supervisor's pre-forked worker pool: forking workers into
 * scoreboard slots, keeping idle ones between min and max, stress mode,
 * signalling workers, reaping the dead and cleaning up after them.
 * Not for: what a worker does (worker.c), reload or shutdown policy
 * (supervisor.c), which only call in here.
 */
#include "supervisor_int.h"

#include <sys/wait.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "scoreboard.h"
#include "secrets.h"
#include "spool.h"
#include "worker.h"

#define SPAWN_BURST 32 /* most workers forked in one round */

/*
 * Workers for MaxParallelConnections sessions and the SB_TOTAL_OVERFLOW+1
 * clients told that the server is full, plus one for each client being
 * told it has too many connections: those hold no session, so they must
 * not hold a session's worker either.
 */
static int
pool_cap(const struct sup *s, int sameip)
{
	long cap = s->conf->max_parallel > 0
	    ? (long)s->conf->max_parallel + SB_TOTAL_OVERFLOW + 1 + sameip
	    : (long)s->sb->nslots;

	return cap > (long)s->sb->nslots ? (int)s->sb->nslots : (int)cap;
}

static void
idle_bounds(const struct conf *c, int *lo, int *hi)
{
	*lo = c->min_idle_workers > 0 ? c->min_idle_workers : 1;
	*hi = c->max_idle_workers >= *lo ? c->max_idle_workers : *lo;
}

static void
spawn(struct sup *s)
{
	struct worker w;
	int slot = scoreboard_slot_alloc(s->sb);
	pid_t pid;

	if (slot < 0)
		return;
	pid = fork();
	if (pid < 0) {
		log_msg(LOG_ERR, "fork: %s", strerror(errno));
		scoreboard_set_state(s->sb, slot, -1, SB_FREE);
		return;
	}
	if (pid > 0) {
		scoreboard_slot_pid(s->sb, slot, pid);
		return;
	}
	secrets_child(&s->sec);
	subdaemons_child(&s->subd);
	sup_signals_child();
	close(s->wake[0]);
	if (s->ctl >= 0)
		close(s->ctl);
	mhttp_close(&s->mh);
	memset(&w, 0, sizeof(w));
	w.opts = s->opts;
	w.conf = s->conf;
	w.zenv = s->zenv;
	w.sb = s->sb;
	w.slot = slot;
	w.gen = s->conf->generation;
	w.ls = &s->ls;
	w.wakefd = s->wake[1];
	w.postoffice = s->postoffice;
	w.myhostname = s->host;
	w.parent = s->ci.pid;
	w.uid = s->uid;
	w.gid = s->gid;
	w.sec = &s->sec;
	w.subd = &s->subd;
	worker_main(&w);
}

void
pool_count(struct sup *s, struct census *c)
{
	unsigned i;

	memset(c, 0, sizeof(*c));
	scoreboard_lock(s->sb);
	for (i = 0; i < s->sb->nslots; i++) {
		const struct sb_slot *sl = &s->sb->slots[i];

		if (sl->state == SB_FREE)
			continue;
		c->live++;
		if (sl->state == SB_BUSY)
			c->busy++;
		else if ((sl->state == SB_IDLE || sl->state == SB_STARTING) &&
		    sl->gen == s->sb->generation)
			c->idle++;
		c->sameip += sl->counted == SB_CNT_SAMEIP;
	}
	scoreboard_unlock(s->sb);
}

/* Tell n idle workers to go (they see EXITING when SIGUSR1 wakes them). */
static void
trim(struct sup *s, int n)
{
	unsigned i;

	for (i = 0; i < s->sb->nslots && n > 0; i++) {
		pid_t pid = s->sb->slots[i].pid;

		if (pid > 0 &&
		    scoreboard_set_state(s->sb, (int)i, SB_IDLE, SB_EXITING)) {
			kill(pid, SIGUSR1);
			n--;
		}
	}
}

/*
 * Grow fast, shrink slowly: below min idle, fork the deficit and, under
 * load, up to a quarter of the busy workers more (at most SPAWN_BURST per
 * round), so a step in load does not wait in the backlog for one fork
 * after another; above max idle, retire half the excess once a second, so
 * a bursty load does not fork and retire the same workers over and over.
 */
void
pool_maintain(struct sup *s)
{
	struct census c;
	int lo, hi, n, cap;
	time_t now = time(NULL);

	if (s->stopping || now < s->nextspawn)
		return;
	idle_bounds(s->conf, &lo, &hi);
	pool_count(s, &c);
	cap = pool_cap(s, c.sameip);
	if (c.idle < lo) {
		n = lo - c.idle;
		if (n < c.busy / 4)
			n = c.busy / 4 < SPAWN_BURST ? c.busy / 4 : SPAWN_BURST;
		for (; n > 0 && c.live < cap; n--, c.live++)
			spawn(s);
	} else if (c.idle > hi && now != s->lasttrim) {
		trim(s, (c.idle - hi + 1) / 2);
		s->lasttrim = now;
	}
}

/* Sessions from which on stress mode is on: stress-threshold percent of
 * MaxParallelConnections, rounded up; 0 = never. */
unsigned
pool_stress_at(const struct conf *c)
{
	long n = ((long)c->max_parallel * c->stress_threshold + 99) / 100;

	return c->max_parallel > 0 && c->stress_threshold > 0 ? (unsigned)n : 0;
}

/*
 * Once a second: is the pool under stress, and which idle sessions must
 * go to bring it back to the threshold (their workers see it at their
 * next tick and close them with a 421)?
 */
void
pool_stress_tick(struct sup *s)
{
	time_t now = time(NULL);
	int on, n;

	if (s->stopping || now == s->laststress)
		return;
	s->laststress = now;
	n = scoreboard_stress_tick(s->sb, &on);
	if (on != s->stress)
		log_msg(LOG_NOTICE, "stress mode %s (threshold %u sessions)",
		    on ? "on" : "off", pool_stress_at(s->conf));
	s->stress = on;
	if (n > 0)
		log_msg(LOG_NOTICE, "stress mode: closing %d idle session%s", n,
		    n == 1 ? "" : "s");
}

/* Signal the workers (only the idle ones: a signal must not interrupt a
 * session, whose reads it would wake with EINTR). */
void
pool_signal(struct sup *s, int sig, int idle_only)
{
	unsigned i;

	scoreboard_lock(s->sb);
	for (i = 0; i < s->sb->nslots; i++) {
		const struct sb_slot *sl = &s->sb->slots[i];

		if (sl->state == SB_FREE || sl->pid <= 0)
			continue;
		if (idle_only && sl->state != SB_IDLE &&
		    sl->state != SB_STARTING)
			continue;
		kill(sl->pid, sig);
	}
	scoreboard_unlock(s->sb);
}

/*
 * A worker killed mid-message leaves its spool temp file in public/; the
 * names are those spool.c gives a process with that pid and our host name
 * (the workers' myhostname), and nothing else in the shared directory.
 */
static void
remove_temps(struct sup *s, pid_t pid)
{
	struct spool_cfg cfg;
	int n;

	memset(&cfg, 0, sizeof(cfg));
	cfg.postoffice = s->postoffice;
	cfg.myhostname = s->host;
	n = spool_remove_temps(&cfg, (long)pid);
	if (n > 0)
		log_msg(LOG_NOTICE,
		    "removed %d spool temp file%s of worker %ld", n,
		    n == 1 ? "" : "s", (long)pid);
}

static void
note_death(struct sup *s, pid_t pid, int st, int slot)
{
	int bad = !(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	if (WIFSIGNALED(st))
		log_msg(LOG_WARNING,
		    "worker %ld killed by signal %d; its "
		    "connection released",
		    (long)pid, WTERMSIG(st));
	else if (bad)
		log_msg(LOG_WARNING, "worker %ld exited with status %d",
		    (long)pid, WEXITSTATUS(st));
	if (slot < 0)
		return;
	if (bad)
		remove_temps(s, pid);
	s->fastfail = bad ? s->fastfail + 1 : 0;
	if (s->fastfail > 5) /* workers die at once: do not fork-loop */
		s->nextspawn = time(NULL) + 1;
}

void
pool_reap(struct sup *s)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		if (!secrets_reaped(&s->sec, pid, s->conf) &&
		    !subdaemons_reaped(&s->subd, pid))
			note_death(s, pid, st, scoreboard_reap(s->sb, pid));
}
