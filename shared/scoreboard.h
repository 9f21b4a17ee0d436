/*
 * scoreboard.h - the shared-memory accounting of the daemon: one slot per
 * worker, a table of client networks with connection counts, global
 * counters and the configuration generation.  One MAP_SHARED mapping made
 * by the supervisor before the first fork; every change under one robust
 * process-shared mutex, so a worker dying with the lock held wedges nobody.
 */
#ifndef SMTPD_SCOREBOARD_H
#define SMTPD_SCOREBOARD_H

#include <sys/types.h>
#include <pthread.h>
#include <stdint.h>
#include <stddef.h>
#include <time.h>

#include "gcommit.h"
#include "netaddr.h"

enum sb_state {
	SB_FREE,     /* no process */
	SB_STARTING, /* forked, not yet accepting */
	SB_IDLE,     /* waiting in accept() */
	SB_BUSY,     /* serving a connection */
	SB_EXITING,  /* told to go, or going */
	SB_NSTATES
};

enum sb_verdict {
	SB_ADMIT,
	SB_450_TOTAL,    /* over MaxParallelConnections: 450, then close */
	SB_CLOSE_TOTAL,  /* over it by 100 or more: close silently */
	SB_450_SAMEIP,   /* over MaxSameIpSource: 450, then close */
	SB_CLOSE_SAMEIP, /* over 4 times it: close silently */
};

/* Refusal reasons, counted globally. */
enum sb_refusal {
	SB_REF_TOTAL_450,
	SB_REF_TOTAL_CLOSE,
	SB_REF_SAMEIP_450,
	SB_REF_SAMEIP_CLOSE,
	SB_REF_LOAD,
	SB_NREFUSALS
};

/*
 * What a slot's connection is counted as.  Every kind counts under its
 * client key (MaxSameIpSource, and four times it); only sessions count
 * under MaxParallelConnections, so that refused clients, however many,
 * never keep anybody else out.  The 450s of a full server are counted
 * for the 100 of them it tells before closing without a word.
 */
enum sb_count {
	SB_CNT_NONE,
	SB_CNT_SESSION, /* admitted */
	SB_CNT_OVER,    /* told 450: the server is full */
	SB_CNT_SAMEIP,  /* told 450: too many from its address */
};

#define SB_VERB_LEN 16
#define SB_PEER_LEN 48
/* The 450 window (smtpserver(8) "Connection limits"): over the limit by
 * fewer than this. */
#define SB_TOTAL_OVERFLOW 100

struct sb_slot {
	pid_t pid;
	int state;             /* enum sb_state */
	int counted;           /* enum sb_count of the connection */
	struct netkey key;     /* counted key (IPv6 cut to /64) */
	unsigned long gen;     /* generation the worker runs */
	time_t spawned, since; /* fork time, session start */
	char peer[SB_PEER_LEN];
	char verb[SB_VERB_LEN];
	unsigned long sessions, messages, bytes, rcpts, rejects;
	time_t idle; /* waiting for a command since (0: not, or under 1 s) */
	int kicked;  /* stress mode wants this idle session closed */
};

struct sb_ip {
	struct netkey key;
	int count; /* 0 = empty bucket */
};

/* Message-rate tracking (ratelimitmsgs): ZMailer's 8 slots of 450 s. */
#define SB_RATE_SLOTS 8
#define SB_RATE_SECS 450
#define SB_RATE_LABEL 40

struct sb_rate {
	char label[SB_RATE_LABEL]; /* "" = empty */
	long epoch[SB_RATE_SLOTS]; /* interval number each count is for */
	unsigned long count[SB_RATE_SLOTS];
	time_t last;
};

/* AUTH failures of one client key within a window (auth-fail-limit and
 * auth-fail-window in smtpserver.conf(5)). */
struct sb_authfail {
	struct netkey key;
	int fails;    /* 0 = free */
	time_t first; /* start of the window */
};

#define SB_CODES 200 /* reply codes 400..599 */

struct sb_totals {
	unsigned long conn_now;   /* connections counted: every kind */
	unsigned long sessions;   /* of which admitted */
	unsigned long over;       /* of which told 450 for a full server */
	unsigned long conn_total; /* sessions admitted since start */
	unsigned long refused[SB_NREFUSALS];
	unsigned long messages, bytes, rcpts;
	unsigned long rejects4, rejects5;
	unsigned long stress_closed; /* idle sessions closed in stress mode */
	/* rejects by reply code 400..599 (535: AUTH failed), reloads */
	unsigned long by_code[SB_CODES];
	unsigned long reloads_ok, reloads_failed;
};

/* TLS protocol versions of sessions (sbcount.c). */
enum sb_tls { SB_TLS10, SB_TLS11, SB_TLS12, SB_TLS13, SB_TLS_OTHER, SB_NTLS };

/* Policy stages a refusal is counted by (sbcount.c). */
enum sb_stage {
	SB_STAGE_CONNECT,
	SB_STAGE_HELO,
	SB_STAGE_MAIL,
	SB_STAGE_RCPT,
	SB_NSTAGES
};

/* Spool commit latency: bucket upper bounds in ms, then +Inf. */
#define SB_COMMIT_BOUNDS 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000
#define SB_NBUCKETS 11

/*
 * Event counters bumped lock-free (atomic adds, sbcount.c) where the
 * event happens; read in a snapshot, each word on its own.
 */
/* Connections by outcome and messages, per listener (named by the
 * supervisor when it opens the listeners; never removed). */
enum sb_lout {
	SB_LO_ADMITTED,      /* a session ran */
	SB_LO_REFUSED,       /* at admission: limits or load */
	SB_LO_PROXY_REFUSED, /* PROXY header from a network not allowed */
	SB_LO_PROXY_BAD,     /* PROXY header malformed, late or missing */
	SB_NLOUT
};
#define SB_MAX_LISTENERS 32
struct sb_listener {
	int used; /* 1 once name is set (stored last) */
	char name[80];
	unsigned long conn[SB_NLOUT];
	unsigned long messages;
};

struct sb_counts {
	struct sb_listener listener[SB_MAX_LISTENERS];
	unsigned long tls[SB_NTLS];
	unsigned long tls_failed; /* handshakes that failed */
	unsigned long auth_ok, auth_failed;
	unsigned long policy[SB_NSTAGES];  /* refusals by stage */
	unsigned long dnsbl;               /* of which by a DNS blocklist */
	unsigned long commit[SB_NBUCKETS]; /* per bucket, not cumulative */
	unsigned long commit_us;           /* sum of the latencies */
	/* rcpt-verify-rate: the second (high bits) and the callouts begun
	 * in it (low SB_CALLOUT_BITS), one word changed by compare-and-swap */
	uint64_t callout_sec;
};
#define SB_CALLOUT_BITS 24

/* The most worker slots a scoreboard is made room for. */
#define SB_MAX_SLOTS 65536

struct scoreboard {
	pthread_mutex_t lock;
	size_t size;           /* bytes of the mapping */
	unsigned nslots, nips; /* nips is a power of two >= 2 * nslots */
	unsigned room;         /* slots mapped: nslots may grow up to it */
	unsigned nauth;        /* authfails entries, a power of two */
	unsigned nrates;       /* a power of two */
	uint32_t seed;         /* random key of the address hash */
	unsigned long generation;
	time_t started, loaded; /* supervisor start, last (re)load */
	int stopping;           /* the daemon is shutting down */
	unsigned stress_at;     /* sessions that mean stress; 0 = never */
	unsigned long repairs;  /* lock recovered from a dead holder */
	struct sb_totals t;
	struct sb_counts n;    /* lock-free event counters (sbcount.c) */
	struct sb_slot *slots; /* point into the mapping (same address in */
	struct sb_ip *ips;     /* every process: mapped before fork) */
	struct sb_rate *rates;
	struct sb_authfail *authfails; /* nauth entries, probed, expiring */
	struct sb_authfail authfail_overflow; /* shared when those are full */
	unsigned long authfail_overflows;     /* failures counted there */
	struct gcommit gc; /* router/ group commit (spool_group_commit) */
};

/* Map a scoreboard for nslots workers; NULL with errno on failure. */
struct scoreboard *scoreboard_create(unsigned nslots);
/*
 * The same with room for up to room slots (address space only: pages
 * beyond the slots and IP table in use are never touched), so that a
 * reload can grow it in place while every process keeps the mapping.
 */
struct scoreboard *scoreboard_create_room(unsigned nslots, unsigned room);
/* Use at least nslots slots (never fewer); -1 beyond the room. */
int scoreboard_grow(struct scoreboard *, unsigned nslots);
void scoreboard_destroy(struct scoreboard *);

/* The lock; repairs the counts if the previous holder died. */
void scoreboard_lock(struct scoreboard *);
void scoreboard_unlock(struct scoreboard *);

/* Supervisor: a free slot marked STARTING (-1 if none), its pid. */
int scoreboard_slot_alloc(struct scoreboard *);
void scoreboard_slot_pid(struct scoreboard *, int slot, pid_t);
/* Set state; from_state >= 0 makes it a compare-and-set (0 if it failed). */
int scoreboard_set_state(
    struct scoreboard *, int slot, int from_state, int state);
/* 1 when at least want workers of the current generation are idle (or
 * starting), as pool.c counts them; read without the lock (a hint). */
int scoreboard_idle_at_least(struct scoreboard *, int want);
void scoreboard_set_verb(struct scoreboard *, int slot, const char *verb);

/* The key a client is counted under: IPv4 address, or the IPv6 /64. */
void scoreboard_key(const struct netkey *addr, struct netkey *out);
/*
 * Admission of one new connection from key (already cut by
 * scoreboard_key) in one critical section, counted across all listeners
 * and including the new one: sessions against max_total (the refused
 * are not sessions), every open connection of the key against max_same.
 * The entry is counted unless the verdict is a silent close; the caller
 * then owes scoreboard_release().  Limits <= 0 mean none.  Returns the
 * count that decided: same-IP, or sessions and 450s of a full server.
 */
int scoreboard_admit(struct scoreboard *, int slot, const struct netkey *key,
    int max_same, int max_total, enum sb_verdict *);
void scoreboard_set_peer(struct scoreboard *, int slot, const char *peer);
/* Drop the slot's counted entry (no-op if none). */
void scoreboard_release(struct scoreboard *, int slot);
/* A worker died: drop its entries and free its slot; slot or -1. */
int scoreboard_reap(struct scoreboard *, pid_t);

/*
 * Stress mode: on while the sessions are at least stress_at (set by the
 * supervisor from stress-threshold; 0 = never).  Sessions idle the
 * longest are then closed first: to make room for a client that would be
 * told the server is full (scoreboard_admit admits it instead), and by
 * the supervisor's tick, down to stress_at sessions.
 */
void scoreboard_set_stress(struct scoreboard *, unsigned stress_at);
/* Stress mode is on (lock held, or a copy). */
int scoreboard_stressed(const struct scoreboard *);
/*
 * The session in slot has waited waited seconds for a command: record
 * since when, and say whether to close it (1): it was picked, or stress
 * mode is on and waited >= limit.  waited < 0: the wait is over.
 */
int scoreboard_idle(struct scoreboard *, int slot, long waited, int limit);
/* Supervisor, once a second: *on = stress mode; pick the oldest idle
 * sessions over stress_at to be closed; how many were picked. */
int scoreboard_stress_tick(struct scoreboard *, int *on);

/* Counters. */
void scoreboard_refused(struct scoreboard *, enum sb_refusal);
void scoreboard_message(struct scoreboard *, int slot, long bytes);
void scoreboard_reject(struct scoreboard *, int slot, int code);
/* n recipients of a committed message */
void scoreboard_rcpt(struct scoreboard *, int slot, long n);

/* Lock-free event counters (sbcount.c): a TLS session of version (as
 * OpenSSL names it: "TLSv1.3"), an AUTH result, a policy refusal at
 * stage (dnsbl: by a DNS blocklist), a spool commit that took usec. */
void sbcount_tls(struct scoreboard *, const char *version);
void sbcount_tls_fail(struct scoreboard *);
void sbcount_auth(struct scoreboard *, int ok);
void sbcount_policy(struct scoreboard *, enum sb_stage, int dnsbl);
void sbcount_commit(struct scoreboard *, long usec);
/* rcpt-verify-rate: count one callout in second now; 1 if it is one of
 * the first limit of that second (across all workers), 0 if not. */
int sbcount_callout(struct scoreboard *, time_t now, int limit);
/* Upper bound in ms of commit bucket i (< SB_NBUCKETS - 1). */
long sbcount_bound(int i);
/* Supervisor: a listener's counters (kept when it exists; ignored past
 * SB_MAX_LISTENERS).  Workers: its index (-1: none), then count. */
void sbcount_listener_name(struct scoreboard *, const char *name);
int sbcount_listener_index(const struct scoreboard *, const char *name);
void sbcount_listener(struct scoreboard *, int idx, enum sb_lout);
void sbcount_listener_msg(struct scoreboard *, int idx);

/* Generation: read; bump (returns the new one, records the time). */
unsigned long scoreboard_generation(struct scoreboard *);
unsigned long scoreboard_bump(struct scoreboard *);

/*
 * ratelimitmsgs: count one MAIL for label (the policy's "4:c0000201" or
 * "6:" + /64 in hex) and return the MAILs counted for it in the last hour
 * (8 intervals of 450 s, as ZMailer's rate tracker); -1 for a bad label.
 * The table is a cache: when full, the least recently used label goes.
 */
long scoreboard_rate(struct scoreboard *, const char *label, time_t now);

/*
 * AUTH failures of key (cut by scoreboard_key) within the last window
 * seconds, after recording one more when add.  A bounded table in which
 * only expired entries make room: a key that finds its probes all held by
 * other keys' live counts is counted in one overflow count shared by all
 * such keys (it errs towards refusing, never towards forgetting).
 */
int scoreboard_auth_fail(
    struct scoreboard *, const struct netkey *key, int add, int window);
/*
 * Reserve, then check: before a password is checked, count the attempt
 * as a failure of key unless key already has limit (<= 0: no limit)
 * failures in the window; 1 when reserved (the window's start goes into
 * *since), 0 when the limit is reached.  Sessions that race each other
 * can thus never get more than limit checks per window.  A key whose
 * probes are all held by others counts in the overflow count and is
 * refused when that count is at the limit (towards refusing).
 */
int scoreboard_auth_reserve(struct scoreboard *, const struct netkey *key,
    int limit, int window, time_t *since);
/* The reserved attempt did not fail (it succeeded, or was never
 * checked): take it back, unless its window has ended meanwhile. */
void scoreboard_auth_refund(
    struct scoreboard *, const struct netkey *key, int window, time_t since);

/* Count of IP-table entries for key (tests, status). */
int scoreboard_ip_count(struct scoreboard *, const struct netkey *key);

#endif
