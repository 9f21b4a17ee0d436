/*
 * scoreboard_test.c - admission boundaries, release, reap, IPv6 /64
 * counting, and recovery of the lock from a process that died holding it.
 */
#include <sys/wait.h>
#include <stdlib.h>
#include <unistd.h>

#include "scoreboard.h"
#include "tap.h"

static struct netkey
key(const char *text)
{
	struct netkey a, k;

	if (netaddr_parse(text, &a) < 0)
		abort();
	scoreboard_key(&a, &k);
	return k;
}

/* n admissions of one key, each in its own slot; returns the last verdict */
static enum sb_verdict
admit_n(struct scoreboard *sb, int *next, const char *ip, int n, int same,
    int total)
{
	struct netkey k = key(ip);
	enum sb_verdict v = SB_ADMIT;
	int i;

	for (i = 0; i < n; i++)
		scoreboard_admit(sb, (*next)++, &k, same, total, &v);
	return v;
}

static void
test_same_ip(void)
{
	struct scoreboard *sb = scoreboard_create(64);
	static const struct {
		int n;
		enum sb_verdict want;
	} cases[] = {
		{ 1, SB_ADMIT },
		{ 2, SB_ADMIT },
		{ 3, SB_450_SAMEIP },
		{ 8, SB_450_SAMEIP },
		{ 9, SB_CLOSE_SAMEIP },
		{ 12, SB_CLOSE_SAMEIP },
	};
	struct netkey k = key("192.0.2.1"), o = key("192.0.2.2");
	enum sb_verdict v;
	size_t i;
	int slot = 0, have = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = admit_n(sb, &slot, "192.0.2.1", cases[i].n - have, 2, 0);
		have = cases[i].n;
		is_int(v, cases[i].want, "same IP, connection %d", have);
	}
	/* silent closes are not counted: 8 held */
	is_int(scoreboard_ip_count(sb, &k), 8, "closed ones not counted");
	scoreboard_admit(sb, slot++, &o, 2, 0, &v);
	is_int(v, SB_ADMIT, "another IP is still admitted");
	scoreboard_release(sb, 0);
	is_int(scoreboard_ip_count(sb, &k), 7, "release drops one");
	scoreboard_release(sb, 0);
	is_int(scoreboard_ip_count(sb, &k), 7, "double release is a no-op");
	is_int(sb->t.conn_now, 8, "total now");
	scoreboard_destroy(sb);
}

static void
test_total(void)
{
	struct scoreboard *sb = scoreboard_create(256);
	char ip[32];
	enum sb_verdict v = SB_ADMIT;
	int i, n = 0;

	for (i = 0; i < 103 + 3; i++) {
		struct netkey k;

		snprintf(ip, sizeof(ip), "10.0.%d.%d", i / 200, i % 200 + 1);
		k = key(ip);
		n = scoreboard_admit(sb, i, &k, 1, 3, &v);
		if (i + 1 == 3)
			is_int(v, SB_ADMIT, "total 3 of 3 admitted");
		if (i + 1 == 4)
			is_int(v, SB_450_TOTAL, "total 4 of 3: 450");
		if (i + 1 == 103)
			is_int(v, SB_450_TOTAL, "total 103 (limit+100): 450");
		if (i + 1 == 104)
			is_int(v, SB_CLOSE_TOTAL, "total 104: silent close");
	}
	is_int(n, 104, "count reported is the total including the new one");
	is_int(sb->t.conn_now, 103, "silent closes not counted");
	is_int(sb->t.conn_total, 3, "only admitted sessions in conn_total");
	scoreboard_destroy(sb);
}

static void
test_v6_and_reap(void)
{
	struct scoreboard *sb = scoreboard_create(8);
	struct netkey a = key("2001:db8:1:2::1"), b = key("2001:db8:1:2::ff");
	struct netkey c = key("2001:db8:1:3::1");
	enum sb_verdict v;
	int s0 = scoreboard_slot_alloc(sb), s1 = scoreboard_slot_alloc(sb);
	int s2 = scoreboard_slot_alloc(sb);

	scoreboard_slot_pid(sb, s0, 1000);
	scoreboard_slot_pid(sb, s1, 1001);
	scoreboard_slot_pid(sb, s2, 1002);
	scoreboard_admit(sb, s0, &a, 1, 0, &v);
	scoreboard_admit(sb, s1, &b, 1, 0, &v);
	is_int(v, SB_450_SAMEIP, "same /64 counts as the same source");
	scoreboard_admit(sb, s2, &c, 1, 0, &v);
	is_int(v, SB_ADMIT, "another /64 is another source");
	is_int(scoreboard_reap(sb, 1001), s1, "reap finds the slot by pid");
	is_int(scoreboard_ip_count(sb, &a), 1, "reap released the count");
	is_int(sb->slots[s1].state, SB_FREE, "reaped slot is free");
	is_int(scoreboard_reap(sb, 4242), -1, "unknown pid");
	is_int(scoreboard_slot_alloc(sb), s1, "free slot reused");
	scoreboard_destroy(sb);
}

/* What a worker counts before it wakes the supervisor. */
static void
test_idle_count(void)
{
	struct scoreboard *sb = scoreboard_create(8);
	int s0 = scoreboard_slot_alloc(sb), s1 = scoreboard_slot_alloc(sb);
	int s2 = scoreboard_slot_alloc(sb);

	ok(scoreboard_idle_at_least(sb, 3) && !scoreboard_idle_at_least(sb, 4),
	    "idle: starting ones count");
	scoreboard_set_state(sb, s0, -1, SB_IDLE);
	scoreboard_set_state(sb, s1, -1, SB_BUSY);
	ok(scoreboard_idle_at_least(sb, 2) && !scoreboard_idle_at_least(sb, 3),
	    "  busy ones do not");
	scoreboard_set_state(sb, s2, -1, SB_EXITING);
	ok(scoreboard_idle_at_least(sb, 1) && !scoreboard_idle_at_least(sb, 2),
	    "  nor exiting ones");
	sb->generation++;
	ok(!scoreboard_idle_at_least(sb, 1), "  nor those of an older config");
	ok(scoreboard_idle_at_least(sb, 0), "  at least none: always");
	scoreboard_destroy(sb);
}

/* Many keys colliding and leaving: the table stays consistent. */
static void
test_churn(void)
{
	struct scoreboard *sb = scoreboard_create(32);
	char ip[32];
	enum sb_verdict v;
	int i, round, bad = 0;

	for (round = 0; round < 50; round++) {
		for (i = 0; i < 32; i++) {
			struct netkey k;

			snprintf(ip, sizeof(ip), "10.%d.0.%d", round, i);
			k = key(ip);
			scoreboard_admit(sb, i, &k, 0, 0, &v);
		}
		for (i = round % 2; i < 32; i += 2)
			scoreboard_release(sb, i);
		for (i = 0; i < 32; i++) {
			struct netkey k;

			snprintf(ip, sizeof(ip), "10.%d.0.%d", round, i);
			k = key(ip);
			if (scoreboard_ip_count(sb, &k) != (i % 2 != round % 2))
				bad++;
		}
	}
	is_int(bad, 0, "open addressing survives churn");
	scoreboard_destroy(sb);
}

static void
test_dead_holder(void)
{
	struct scoreboard *sb = scoreboard_create(4);
	struct netkey k = key("198.51.100.7");
	enum sb_verdict v;
	pid_t pid;
	int st;

	scoreboard_slot_alloc(sb);
	scoreboard_slot_alloc(sb);
	scoreboard_admit(sb, 0, &k, 0, 0, &v);
	pid = fork();
	if (pid == 0) {
		scoreboard_lock(sb);
		sb->t.conn_now = 999; /* half-done update */
		_exit(0);
	}
	waitpid(pid, &st, 0);
	scoreboard_admit(sb, 1, &k, 0, 0, &v);
	is_int(sb->repairs, 1, "lock recovered from a dead holder");
	is_int(sb->t.conn_now, 2, "counts rebuilt from the slots");
	is_int(scoreboard_ip_count(sb, &k), 2, "IP count rebuilt");
	scoreboard_destroy(sb);
}

static void
test_rate(void)
{
	struct scoreboard *sb = scoreboard_create(4);
	time_t t = 1000000 * (time_t)SB_RATE_SECS;
	char label[32];
	long n = 0;
	int i, bad = 0;

	for (i = 0; i < 5; i++)
		n = scoreboard_rate(sb, "4:c0000201", t + i);
	is_int(n, 5, "five MAILs counted");
	is_int(scoreboard_rate(sb, "4:c0000202", t), 1, "labels are apart");
	n = scoreboard_rate(sb, "4:c0000201", t + 7 * SB_RATE_SECS);
	is_int(n, 6, "still counted 7 intervals later");
	n = scoreboard_rate(sb, "4:c0000201", t + 8 * SB_RATE_SECS);
	is_int(n, 2, "the first interval has aged out after an hour");
	is_int(scoreboard_rate(sb, "", t), -1, "empty label: no limit");
	/* more labels than the table holds: it keeps working as a cache */
	for (i = 0; i < 5000; i++) {
		snprintf(label, sizeof(label), "6:%016x", i);
		if (scoreboard_rate(sb, label, t + 9 * SB_RATE_SECS) != 1)
			bad++;
	}
	is_int(bad, 0, "a full table evicts the least recently used");
	n = scoreboard_rate(sb, "6:0000000000001387", t + 9 * SB_RATE_SECS);
	is_int(n, 2, "a recent label is still there");
	scoreboard_destroy(sb);
}

/* AUTH failures per key: counted, per key, forgotten after the window;
 * a full table evicts no live count (an overflow count takes the rest). */
static void
test_authfail(void)
{
	struct scoreboard *sb = scoreboard_create(4);
	struct netkey a, b, k;
	int i, n;

	netaddr_parse("192.0.2.1", &k);
	scoreboard_key(&k, &a);
	netaddr_parse("192.0.2.2", &k);
	scoreboard_key(&k, &b);
	is_int(scoreboard_auth_fail(sb, &a, 0, 3600), 0, "no failures yet");
	for (i = 1; i <= 3; i++)
		is_int(
		    scoreboard_auth_fail(sb, &a, 1, 3600), i, "failure %d", i);
	is_int(scoreboard_auth_fail(sb, &b, 0, 3600), 0, "other key: none");
	is_int(scoreboard_auth_fail(sb, &a, 0, 3600), 3, "still 3");
	is_int(scoreboard_auth_fail(sb, &a, 0, 0), 0, "expired window: 0");
	/* rotating addresses fill the table: a's count must survive */
	for (i = 1; i <= 3; i++)
		scoreboard_auth_fail(sb, &a, 1, 3600);
	for (i = 0; i < 100; i++) {
		k.a[15] = (unsigned char)i;
		k.a[14] = 7;
		scoreboard_auth_fail(sb, &k, 1, 3600);
	}
	is_int(scoreboard_auth_fail(sb, &a, 0, 3600), 3,
	    "a full table evicts no live count");
	is_int(scoreboard_auth_fail(sb, &b, 0, 3600), 0,
	    "a key that never failed is not refused on a full table");
	n = scoreboard_auth_fail(sb, &b, 1, 3600);
	ok(n > 1, "a new key on a full table shares the overflow count (%d)",
	    n);
	ok(sb->authfail_overflows > 0, "overflow failures are counted");
	is_int(scoreboard_auth_fail(sb, &b, 0, 0), 0,
	    "expired entries make room again");
	is_int(scoreboard_auth_fail(sb, &b, 1, 3600), 1,
	    "and a new key gets its own count");
	scoreboard_destroy(sb);
	/* the hash is keyed per scoreboard: two boards place keys apart */
	{
		struct scoreboard *x = scoreboard_create(64);
		struct scoreboard *y = scoreboard_create(64);

		ok(x && y && x->seed != y->seed,
		    "each scoreboard has its own "
		    "hash key");
		scoreboard_destroy(x);
		scoreboard_destroy(y);
	}
}

/* Reserve, then check: the limit holds before any check; a refund gives
 * an attempt back only within its window. */
static void
test_authreserve(void)
{
	struct scoreboard *sb = scoreboard_create(4);
	struct netkey a, b, k;
	time_t since[4], old;
	int i, n = 0;

	netaddr_parse("192.0.2.1", &k);
	scoreboard_key(&k, &a);
	netaddr_parse("192.0.2.2", &k);
	scoreboard_key(&k, &b);
	for (i = 0; i < 4; i++)
		n += scoreboard_auth_reserve(sb, &a, 3, 3600, &since[i]);
	is_int(n, 3, "limit 3: three attempts reserved, the fourth refused");
	is_int(scoreboard_auth_fail(sb, &a, 0, 3600), 3,
	    "reserved attempts count as failures");
	ok(scoreboard_auth_reserve(sb, &b, 3, 3600, &since[3]),
	    "another address is not affected");
	scoreboard_auth_refund(sb, &a, 3600, since[0]);
	is_int(scoreboard_auth_fail(sb, &a, 0, 3600), 2, "a refund gives back");
	ok(scoreboard_auth_reserve(sb, &a, 3, 3600, &since[0]),
	    "so one more attempt may go");
	ok(!scoreboard_auth_reserve(sb, &a, 3, 3600, &old),
	    "and then none again");
	scoreboard_auth_refund(sb, &a, 3600, since[0] - 1);
	is_int(scoreboard_auth_fail(sb, &a, 0, 3600), 3,
	    "a refund from another window gives nothing back");
	ok(scoreboard_auth_reserve(sb, &a, 3, 0, &old),
	    "an expired window starts afresh");
	ok(scoreboard_auth_reserve(sb, &a, 0, 3600, &old), "limit 0: no limit");
	/* a full table: keys without an entry share the overflow count,
	 * and the limit holds for it too */
	for (i = 0; i < 100; i++) {
		k.a[15] = (unsigned char)i;
		k.a[14] = 9;
		scoreboard_auth_fail(sb, &k, 1, 3600);
	}
	sb->authfail_overflow.fails = 0;
	for (i = 0, n = 0; i < 10; i++) {
		k.a[15] = (unsigned char)i;
		k.a[14] = 11;
		n += scoreboard_auth_reserve(sb, &k, 3, 3600, &old);
	}
	is_int(n, 3, "overflowing keys: no more than the limit together");
	scoreboard_destroy(sb);
}

int
main(void)
{
	test_authfail();
	test_authreserve();
	test_same_ip();
	test_total();
	test_v6_and_reap();
	test_idle_count();
	test_churn();
	test_dead_holder();
	test_rate();
	return tap_done();
}
