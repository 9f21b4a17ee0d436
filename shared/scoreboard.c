/*
 * scoreboard.c - shared worker slots, per-network counts and counters.
 * For: the supervisor (slots, reaping, generation) and workers (admission,
 * counters).  Not for: deciding what to reply (server/worker.c).
 * The IP table is open addressing with linear probing and backward-shift
 * deletion (no tombstones); it has at least twice as many buckets as
 * there are slots, and each slot counts at most one key.
 */
#include "scoreboard.h"

#include <sys/mman.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* FNV-1a keyed with the scoreboard's random seed, so that nobody can
 * choose addresses that land on somebody else's probe slots. */
static unsigned
ip_hash(const struct scoreboard *sb, const struct netkey *k, unsigned mask)
{
	uint32_t h = 2166136261u ^ sb->seed;
	size_t i;

	for (i = 0; i < sizeof(k->a); i++)
		h = (h ^ k->a[i]) * 16777619u;
	return h & mask;
}

static int
key_eq(const struct netkey *a, const struct netkey *b)
{
	return memcmp(a->a, b->a, sizeof(a->a)) == 0;
}

/* Bucket holding key, or the empty bucket where it would go. */
static struct sb_ip *
ip_find(struct scoreboard *sb, const struct netkey *k)
{
	unsigned mask = sb->nips - 1, i = ip_hash(sb, k, mask);

	while (sb->ips[i].count > 0 && !key_eq(&sb->ips[i].key, k))
		i = (i + 1) & mask;
	return &sb->ips[i];
}

static void
ip_delete(struct scoreboard *sb, struct sb_ip *e)
{
	unsigned mask = sb->nips - 1, hole = (unsigned)(e - sb->ips), i, home;

	e->count = 0;
	for (i = (hole + 1) & mask; sb->ips[i].count > 0; i = (i + 1) & mask) {
		home = ip_hash(sb, &sb->ips[i].key, mask);
		/* Move i into the hole unless its home lies in (hole, i]. */
		if (((i - home) & mask) >= ((i - hole) & mask)) {
			sb->ips[hole] = sb->ips[i];
			sb->ips[i].count = 0;
			hole = i;
		}
	}
}

/* The totals a connection of kind is counted in, beside conn_now. */
static unsigned long *
kind_total(struct scoreboard *sb, int kind)
{
	if (kind == SB_CNT_SESSION)
		return &sb->t.sessions;
	return kind == SB_CNT_OVER ? &sb->t.over : NULL;
}

static void
count_add(
    struct scoreboard *sb, struct sb_slot *s, const struct netkey *k, int kind)
{
	struct sb_ip *e = ip_find(sb, k);
	unsigned long *t = kind_total(sb, kind);

	if (e->count == 0)
		e->key = *k;
	e->count++;
	s->key = *k;
	s->counted = kind;
	sb->t.conn_now++;
	if (t)
		(*t)++;
}

static void
count_drop(struct scoreboard *sb, struct sb_slot *s)
{
	unsigned long *t = kind_total(sb, s->counted);
	struct sb_ip *e;

	if (s->counted == SB_CNT_NONE)
		return;
	s->counted = SB_CNT_NONE;
	if (sb->t.conn_now > 0)
		sb->t.conn_now--;
	if (t && *t > 0)
		(*t)--;
	e = ip_find(sb, &s->key);
	if (e->count > 1)
		e->count--;
	else if (e->count == 1)
		ip_delete(sb, e);
}

/* Rebuild the IP table and the totals from the slots. */
static void
recount(struct scoreboard *sb)
{
	unsigned i;

	memset(sb->ips, 0, sizeof(*sb->ips) * sb->nips);
	sb->t.conn_now = sb->t.sessions = sb->t.over = 0;
	for (i = 0; i < sb->nslots; i++) {
		struct sb_slot *s = &sb->slots[i];

		if (s->state == SB_FREE)
			s->counted = SB_CNT_NONE;
		if (s->counted != SB_CNT_NONE)
			count_add(sb, s, &s->key, s->counted);
	}
}

/* After a holder died mid-update. */
static void
repair(struct scoreboard *sb)
{
	recount(sb);
	sb->repairs++;
}

void
scoreboard_lock(struct scoreboard *sb)
{
	int rc = pthread_mutex_lock(&sb->lock);

	if (rc == EOWNERDEAD) {
		repair(sb);
		pthread_mutex_consistent(&sb->lock);
	}
}

void
scoreboard_unlock(struct scoreboard *sb)
{
	pthread_mutex_unlock(&sb->lock);
}

static unsigned
pow2_at_least(unsigned n)
{
	unsigned p = 16;

	while (p < n)
		p <<= 1;
	return p;
}

static int
init_lock(pthread_mutex_t *m)
{
	pthread_mutexattr_t a;
	int rc;

	if ((rc = pthread_mutexattr_init(&a)) != 0)
		return rc;
	rc = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	if (rc == 0)
		rc = pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	if (rc == 0)
		rc = pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
	return rc;
}

struct scoreboard *
scoreboard_create_room(unsigned nslots, unsigned room)
{
	struct scoreboard *sb;
	unsigned nips, nrates;
	size_t size;
	void *p;
	int rc;

	if (nslots == 0 || room < nslots || room > 1u << 20) {
		errno = EINVAL;
		return NULL;
	}
	nips = pow2_at_least(2 * room);
	nrates = pow2_at_least(nslots < 512 ? 1024 : 2 * nslots);
	size = sizeof(*sb) + room * sizeof(struct sb_slot) +
	    nips * sizeof(struct sb_ip) + nrates * sizeof(struct sb_rate) +
	    nips * sizeof(struct sb_authfail);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	sb = p;
	sb->size = size;
	sb->nslots = nslots;
	sb->room = room;
	sb->nips = pow2_at_least(2 * nslots);
	sb->nauth = nips;
	if (getrandom(&sb->seed, sizeof(sb->seed), 0) != sizeof(sb->seed))
		sb->seed = (uint32_t)time(NULL) ^ (uint32_t)getpid() << 16;
	sb->slots = (struct sb_slot *)(sb + 1);
	sb->ips = (struct sb_ip *)(sb->slots + room);
	sb->nrates = nrates;
	sb->rates = (struct sb_rate *)(sb->ips + nips);
	sb->authfails = (struct sb_authfail *)(sb->rates + nrates);
	sb->started = sb->loaded = time(NULL);
	sb->generation = 1;
	if ((rc = init_lock(&sb->lock)) != 0) {
		munmap(p, size);
		errno = rc;
		return NULL;
	}
	return sb;
}

struct scoreboard *
scoreboard_create(unsigned nslots)
{
	return scoreboard_create_room(nslots, nslots);
}

/*
 * New slots are the zeroed (free) ones after the last in use; the IP
 * table is rebuilt larger when it must keep twice as many buckets as
 * slots.  Every process sees the new sizes under the lock.
 */
int
scoreboard_grow(struct scoreboard *sb, unsigned nslots)
{
	unsigned nips;

	if (nslots > sb->room)
		return -1;
	nips = pow2_at_least(2 * nslots);
	scoreboard_lock(sb);
	if (nslots > sb->nslots)
		sb->nslots = nslots;
	if (nips > sb->nips) {
		sb->nips = nips;
		recount(sb);
	}
	scoreboard_unlock(sb);
	return 0;
}

void
scoreboard_destroy(struct scoreboard *sb)
{
	if (sb)
		munmap(sb, sb->size);
}

int
scoreboard_slot_alloc(struct scoreboard *sb)
{
	unsigned i;
	int slot = -1;

	scoreboard_lock(sb);
	for (i = 0; i < sb->nslots; i++) {
		struct sb_slot *s = &sb->slots[i];

		if (s->state != SB_FREE)
			continue;
		memset(s, 0, sizeof(*s));
		s->state = SB_STARTING;
		s->gen = sb->generation;
		s->spawned = time(NULL);
		slot = (int)i;
		break;
	}
	scoreboard_unlock(sb);
	return slot;
}

void
scoreboard_slot_pid(struct scoreboard *sb, int slot, pid_t pid)
{
	scoreboard_lock(sb);
	sb->slots[slot].pid = pid;
	scoreboard_unlock(sb);
}

int
scoreboard_set_state(struct scoreboard *sb, int slot, int from, int state)
{
	struct sb_slot *s = &sb->slots[slot];
	int done = 0;

	scoreboard_lock(sb);
	if (from < 0 || s->state == from) {
		s->state = state;
		done = 1;
		if (state == SB_IDLE) {
			s->verb[0] = '\0';
			s->peer[0] = '\0';
		}
	}
	scoreboard_unlock(sb);
	return done;
}

/*
 * Without the lock: the answer is a hint (whether to wake the supervisor),
 * and a connection must not queue on the lock for it.  The scan stops at
 * want, so it is short while idle workers are plenty.
 */
int
scoreboard_idle_at_least(struct scoreboard *sb, int want)
{
	unsigned long gen = __atomic_load_n(&sb->generation, __ATOMIC_RELAXED);
	unsigned i, n = __atomic_load_n(&sb->nslots, __ATOMIC_RELAXED);
	int idle = 0;

	for (i = 0; i < n && idle < want; i++) {
		const struct sb_slot *s = &sb->slots[i];
		int st = __atomic_load_n(&s->state, __ATOMIC_RELAXED);

		idle += (st == SB_IDLE || st == SB_STARTING) &&
		    __atomic_load_n(&s->gen, __ATOMIC_RELAXED) == gen;
	}
	return idle >= want;
}

static void
copy_text(char *dst, size_t len, const char *src)
{
	size_t n = src ? strnlen(src, len - 1) : 0;

	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

void
scoreboard_set_verb(struct scoreboard *sb, int slot, const char *verb)
{
	scoreboard_lock(sb);
	copy_text(sb->slots[slot].verb, SB_VERB_LEN, verb);
	scoreboard_unlock(sb);
}

void
scoreboard_set_peer(struct scoreboard *sb, int slot, const char *peer)
{
	scoreboard_lock(sb);
	copy_text(sb->slots[slot].peer, SB_PEER_LEN, peer);
	scoreboard_unlock(sb);
}

void
scoreboard_key(const struct netkey *addr, struct netkey *out)
{
	*out = *addr;
	if (!addr->v4)
		memset(out->a + 8, 0, 8);
}

/*
 * same: open connections of the key, the new one included.  The server
 * is full when the sessions, the new one included, are over max_total;
 * then the 450s it is telling count too, up to SB_TOTAL_OVERFLOW of them.
 */
static enum sb_verdict
decide(const struct sb_totals *t, int same, int max_same, int max_total, int *n)
{
	long sess = (long)t->sessions + 1, open = sess + (long)t->over;
	int full = max_total > 0 && sess > max_total;

	*n = (int)open;
	if (full && open > (long)max_total + SB_TOTAL_OVERFLOW)
		return SB_CLOSE_TOTAL;
	if (max_same > 0 && same > 4 * max_same) {
		*n = same;
		return SB_CLOSE_SAMEIP;
	}
	if (full)
		return SB_450_TOTAL;
	if (max_same > 0 && same > max_same && same > 1) {
		*n = same;
		return SB_450_SAMEIP;
	}
	*n = (int)t->conn_now + 1;
	return SB_ADMIT;
}

int
scoreboard_stressed(const struct scoreboard *sb)
{
	return sb->stress_at > 0 && sb->t.sessions >= sb->stress_at;
}

/* A session that has waited a second or more for a command, and is not
 * yet on its way out. */
static int
idle_session(const struct sb_slot *s)
{
	return s->state == SB_BUSY && s->counted == SB_CNT_SESSION &&
	    s->idle != 0 && !s->kicked;
}

/* Pick the session idle the longest to be closed; 0 if there is none. */
static int
kick_oldest(struct scoreboard *sb)
{
	struct sb_slot *o = NULL;
	unsigned i;

	for (i = 0; i < sb->nslots; i++)
		if (idle_session(&sb->slots[i]) &&
		    (o == NULL || sb->slots[i].idle < o->idle))
			o = &sb->slots[i];
	if (o != NULL)
		o->kicked = 1;
	return o != NULL;
}

static const int count_of[] = {
	[SB_ADMIT] = SB_CNT_SESSION,
	[SB_450_TOTAL] = SB_CNT_OVER,
	[SB_450_SAMEIP] = SB_CNT_SAMEIP,
	[SB_CLOSE_TOTAL] = SB_CNT_NONE,
	[SB_CLOSE_SAMEIP] = SB_CNT_NONE,
};

int
scoreboard_admit(struct scoreboard *sb, int slot, const struct netkey *key,
    int max_same, int max_total, enum sb_verdict *v)
{
	struct sb_slot *s = &sb->slots[slot];
	int n;

	scoreboard_lock(sb);
	count_drop(sb, s); /* a slot counts one connection at most */
	s->idle = 0;
	s->kicked = 0;
	*v = decide(
	    &sb->t, ip_find(sb, key)->count + 1, max_same, max_total, &n);
	/* stress: an idle session makes room (it is over the limit until
	 * that one has closed, a second or so) */
	if (*v == SB_450_TOTAL && scoreboard_stressed(sb) && kick_oldest(sb))
		*v = SB_ADMIT;
	if (count_of[*v] != SB_CNT_NONE) {
		count_add(sb, s, key, count_of[*v]);
		s->since = time(NULL);
	}
	if (*v == SB_ADMIT) {
		sb->t.conn_total++;
		s->sessions++;
	}
	scoreboard_unlock(sb);
	return n;
}

void
scoreboard_release(struct scoreboard *sb, int slot)
{
	scoreboard_lock(sb);
	count_drop(sb, &sb->slots[slot]);
	sb->slots[slot].verb[0] = '\0';
	sb->slots[slot].idle = 0;
	sb->slots[slot].kicked = 0;
	scoreboard_unlock(sb);
}

int
scoreboard_reap(struct scoreboard *sb, pid_t pid)
{
	unsigned i;
	int slot = -1;

	scoreboard_lock(sb);
	for (i = 0; i < sb->nslots; i++) {
		struct sb_slot *s = &sb->slots[i];

		if (s->state == SB_FREE || s->pid != pid)
			continue;
		count_drop(sb, s);
		s->state = SB_FREE;
		s->pid = 0;
		slot = (int)i;
		break;
	}
	scoreboard_unlock(sb);
	return slot;
}

void
scoreboard_refused(struct scoreboard *sb, enum sb_refusal r)
{
	scoreboard_lock(sb);
	sb->t.refused[r]++;
	scoreboard_unlock(sb);
}

void
scoreboard_message(struct scoreboard *sb, int slot, long bytes)
{
	scoreboard_lock(sb);
	sb->t.messages++;
	sb->t.bytes += bytes > 0 ? (unsigned long)bytes : 0;
	sb->slots[slot].messages++;
	sb->slots[slot].bytes += bytes > 0 ? (unsigned long)bytes : 0;
	scoreboard_unlock(sb);
}

void
scoreboard_reject(struct scoreboard *sb, int slot, int code)
{
	scoreboard_lock(sb);
	if (code / 100 == 4)
		sb->t.rejects4++;
	else if (code / 100 == 5)
		sb->t.rejects5++;
	if (code >= 400 && code < 400 + SB_CODES)
		sb->t.by_code[code - 400]++;
	sb->slots[slot].rejects++;
	scoreboard_unlock(sb);
}

void
scoreboard_rcpt(struct scoreboard *sb, int slot, long n)
{
	unsigned long k = n > 0 ? (unsigned long)n : 0;

	scoreboard_lock(sb);
	sb->t.rcpts += k;
	sb->slots[slot].rcpts += k;
	scoreboard_unlock(sb);
}

unsigned long
scoreboard_generation(struct scoreboard *sb)
{
	unsigned long g;

	scoreboard_lock(sb);
	g = sb->generation;
	scoreboard_unlock(sb);
	return g;
}

unsigned long
scoreboard_bump(struct scoreboard *sb)
{
	unsigned long g;

	scoreboard_lock(sb);
	g = ++sb->generation;
	sb->loaded = time(NULL);
	scoreboard_unlock(sb);
	return g;
}

void
scoreboard_set_stress(struct scoreboard *sb, unsigned stress_at)
{
	scoreboard_lock(sb);
	sb->stress_at = stress_at;
	scoreboard_unlock(sb);
}

int
scoreboard_idle(struct scoreboard *sb, int slot, long waited, int limit)
{
	struct sb_slot *s = &sb->slots[slot];
	int close = 0;

	scoreboard_lock(sb);
	if (waited < 0) {
		s->idle = 0;
		s->kicked = 0;
	} else {
		if (s->idle == 0)
			s->idle = time(NULL) - waited;
		close =
		    s->kicked || (scoreboard_stressed(sb) && waited >= limit);
		s->kicked |= close;
		sb->t.stress_closed += close;
	}
	scoreboard_unlock(sb);
	return close;
}

static int
by_idle(const void *a, const void *b)
{
	const struct sb_slot *x = *(const struct sb_slot *const *)a;
	const struct sb_slot *y = *(const struct sb_slot *const *)b;

	return (x->idle > y->idle) - (x->idle < y->idle);
}

/* Pick the n sessions idle the longest; how many there were. */
static int
kick_oldest_n(struct scoreboard *sb, int n)
{
	struct sb_slot **v;
	unsigned i, k = 0;
	int done = 0;

	if (n <= 0 || (v = malloc(sb->nslots * sizeof(*v))) == NULL)
		return n > 0 ? kick_oldest(sb) : 0;
	for (i = 0; i < sb->nslots; i++)
		if (idle_session(&sb->slots[i]))
			v[k++] = &sb->slots[i];
	qsort(v, k, sizeof(*v), by_idle);
	for (i = 0; i < k && done < n; i++, done++)
		v[i]->kicked = 1;
	free(v);
	return done;
}

int
scoreboard_stress_tick(struct scoreboard *sb, int *on)
{
	unsigned i, leaving = 0;
	int n = 0;

	scoreboard_lock(sb);
	*on = scoreboard_stressed(sb);
	if (*on) {
		for (i = 0; i < sb->nslots; i++)
			leaving += sb->slots[i].counted == SB_CNT_SESSION &&
			    sb->slots[i].kicked;
		n = kick_oldest_n(sb,
		    (int)((long)sb->t.sessions - (long)leaving -
		        (long)sb->stress_at));
	}
	scoreboard_unlock(sb);
	return n;
}

int
scoreboard_ip_count(struct scoreboard *sb, const struct netkey *key)
{
	int n;

	scoreboard_lock(sb);
	n = ip_find(sb, key)->count;
	scoreboard_unlock(sb);
	return n;
}

#define RATE_PROBE 16

static unsigned
label_hash(const char *s, unsigned mask)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h & mask;
}

/* The entry for label: found, or an empty or least recently used one. */
static struct sb_rate *
rate_find(struct scoreboard *sb, const char *label)
{
	unsigned mask = sb->nrates - 1, i = label_hash(label, mask), n;
	struct sb_rate *r, *victim = NULL;

	for (n = 0; n < RATE_PROBE; n++, i = (i + 1) & mask) {
		r = &sb->rates[i];
		if (strcmp(r->label, label) == 0)
			return r;
		if (victim == NULL || r->label[0] == '\0' ||
		    (victim->label[0] != '\0' && r->last < victim->last))
			victim = r;
	}
	memset(victim, 0, sizeof(*victim));
	memcpy(victim->label, label, strlen(label) + 1);
	return victim;
}

long
scoreboard_rate(struct scoreboard *sb, const char *label, time_t now)
{
	long epoch = (long)(now / SB_RATE_SECS), sum = 0;
	struct sb_rate *r;
	int k = (int)(epoch % SB_RATE_SLOTS), i;

	if (label == NULL || *label == '\0' || strlen(label) >= SB_RATE_LABEL)
		return -1;
	scoreboard_lock(sb);
	r = rate_find(sb, label);
	if (r->epoch[k] != epoch) {
		r->epoch[k] = epoch;
		r->count[k] = 0;
	}
	r->count[k]++;
	r->last = now;
	for (i = 0; i < SB_RATE_SLOTS; i++)
		if (r->epoch[i] > epoch - SB_RATE_SLOTS)
			sum += (long)r->count[i];
	scoreboard_unlock(sb);
	return sum;
}

#define AUTHFAIL_PROBES 8

/*
 * The entry for k among its probes: its own, else a free one (expired
 * entries are freed on the way).  NULL when every probe holds another
 * key's live count: those are never evicted, or an attacker rotating
 * source addresses could reset someone else's count.
 */
static struct sb_authfail *
authfail_entry(
    struct scoreboard *sb, const struct netkey *k, time_t now, int window)
{
	unsigned mask = sb->nauth - 1, h = ip_hash(sb, k, mask), i;
	struct sb_authfail *e, *spare = NULL;

	for (i = 0; i < AUTHFAIL_PROBES && i <= mask; i++) {
		e = &sb->authfails[(h + i) & mask];
		if (e->fails > 0 && now - e->first >= window)
			e->fails = 0;
		if (e->fails > 0 && key_eq(&e->key, k))
			return e;
		if (spare == NULL && e->fails == 0)
			spare = e;
	}
	if (spare != NULL) {
		memset(spare, 0, sizeof(*spare));
		spare->key = *k;
	}
	return spare;
}

/* The count key is kept in: its entry, else the overflow count shared by
 * every key that found none; NULL for a look-up (!add) without an entry. */
static struct sb_authfail *
authfail_count(struct scoreboard *sb, const struct netkey *key, time_t now,
    int window, int add)
{
	struct sb_authfail *e = authfail_entry(sb, key, now, window);

	if (e != NULL || !add)
		return e;
	e = &sb->authfail_overflow;
	if (e->fails > 0 && now - e->first >= window)
		e->fails = 0;
	return e;
}

static void
authfail_add(struct scoreboard *sb, struct sb_authfail *e, time_t now)
{
	if (e->fails++ == 0)
		e->first = now;
	if (e == &sb->authfail_overflow)
		sb->authfail_overflows++;
}

int
scoreboard_auth_fail(
    struct scoreboard *sb, const struct netkey *key, int add, int window)
{
	struct sb_authfail *e;
	time_t now = time(NULL);
	int n = 0;

	scoreboard_lock(sb);
	/* a client with no entry has not failed: a look-up answers 0 */
	if ((e = authfail_count(sb, key, now, window, add)) != NULL) {
		if (add)
			authfail_add(sb, e, now);
		n = e->fails;
	}
	scoreboard_unlock(sb);
	return n;
}

int
scoreboard_auth_reserve(struct scoreboard *sb, const struct netkey *key,
    int limit, int window, time_t *since)
{
	struct sb_authfail *e;
	time_t now = time(NULL);
	int r = 0;

	scoreboard_lock(sb);
	e = authfail_count(sb, key, now, window, 1);
	if (limit <= 0 || e->fails < limit) {
		authfail_add(sb, e, now);
		*since = e->first;
		r = 1;
	}
	scoreboard_unlock(sb);
	return r;
}

void
scoreboard_auth_refund(
    struct scoreboard *sb, const struct netkey *key, int window, time_t since)
{
	struct sb_authfail *e;
	time_t now = time(NULL);

	scoreboard_lock(sb);
	e = authfail_entry(sb, key, now, window);
	if (e == NULL || e->fails == 0 || e->first != since)
		e = &sb->authfail_overflow;
	/* only within the window it was reserved in: a later window's
	 * count is someone else's failures */
	if (e->fails > 0 && e->first == since && now - since < window)
		e->fails--;
	scoreboard_unlock(sb);
}
