/*
 * sbload_test.c - the scoreboard under load: connections refused for
 * their address hold no place under the global limit, the 450s of a full
 * server are counted apart for the silent-close window, a reload grows
 * the slots and the IP table in place, and stress mode picks the idle
 * sessions to close, the oldest first.
 */
#include <stdio.h>
#include <stdlib.h>

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

static enum sb_verdict
admit(struct scoreboard *sb, int slot, const char *ip, int same, int total)
{
	struct netkey k = key(ip);
	enum sb_verdict v;

	scoreboard_admit(sb, slot, &k, same, total, &v);
	return v;
}

/* Two keys at four times MaxSameIpSource: a third is still admitted. */
static void
test_refusals_hold_no_session(void)
{
	struct scoreboard *sb = scoreboard_create(64);
	int slot = 0, i, bad = 0;

	for (i = 0; i < 8; i++) {
		enum sb_verdict v = admit(sb, slot++, "192.0.2.2", 2, 8);

		bad += v != (i < 2 ? SB_ADMIT : SB_450_SAMEIP);
		v = admit(sb, slot++, "192.0.2.3", 2, 8);
		bad += v != (i < 2 ? SB_ADMIT : SB_450_SAMEIP);
	}
	is_int(bad, 0, "two keys: 2 sessions each, then 450 for the address");
	is_int(sb->t.conn_now, 16, "16 connections counted");
	is_int(sb->t.sessions, 4, "of which 4 sessions");
	is_int(admit(sb, slot++, "192.0.2.4", 2, 8), SB_ADMIT,
	    "a third key is admitted (5 sessions of 8)");
	is_int(admit(sb, slot++, "192.0.2.2", 2, 8), SB_CLOSE_SAMEIP,
	    "the flooding key is closed past four times its limit");
	scoreboard_release(sb, 4); /* 192.0.2.2's first 450 */
	is_int(sb->t.conn_now, 16, "a refused one released");
	is_int(sb->t.sessions, 5, "sessions unchanged");
	scoreboard_release(sb, 0);
	is_int(sb->t.sessions, 4, "a session released");
	scoreboard_destroy(sb);
}

/* A full server: its 450s count for the silent-close window only. */
static void
test_full_server(void)
{
	struct scoreboard *sb = scoreboard_create(256);
	char ip[32];
	int slot = 0, i, n;
	enum sb_verdict v;

	for (i = 0; i < 3; i++) {
		snprintf(ip, sizeof(ip), "10.1.0.%d", i + 1);
		admit(sb, slot++, ip, 0, 3);
	}
	for (i = 0; i < 100; i++) {
		snprintf(ip, sizeof(ip), "10.2.%d.%d", i / 200, i % 200 + 1);
		if (admit(sb, slot++, ip, 0, 3) != SB_450_TOTAL)
			break;
	}
	is_int(i, 100, "100 told the server is full");
	is_int(sb->t.over, 100, "counted as such");
	is_int(admit(sb, slot++, "10.3.0.1", 0, 3), SB_CLOSE_TOTAL,
	    "the 101st is closed without a word");
	scoreboard_release(sb, 1);
	{
		struct netkey k = key("10.3.0.2");

		n = scoreboard_admit(sb, slot++, &k, 0, 3, &v);
	}
	is_int(v, SB_ADMIT, "a session ended: the next one is admitted");
	is_int(n, 103, "its count: every connection counted, itself too");
	is_int(sb->t.sessions, 3, "3 sessions");
	scoreboard_destroy(sb);
}

/* Growth within the room keeps every count; beyond it is refused. */
static void
test_grow(void)
{
	struct scoreboard *sb = scoreboard_create_room(8, 64);
	struct netkey a = key("192.0.2.9");
	char ip[32];
	int i, bad = 0, slot;

	if (sb == NULL) {
		ok(0, "create with room");
		return;
	}
	for (i = 0; i < 8; i++) {
		snprintf(ip, sizeof(ip), "198.51.100.%d", i % 3);
		admit(sb, scoreboard_slot_alloc(sb), ip, 0, 0);
	}
	scoreboard_auth_fail(sb, &a, 1, 3600);
	is_int(sb->nips, 16, "IP table for 8 slots");
	is_int(scoreboard_grow(sb, 40), 0, "grow to 40 slots");
	is_int(sb->nslots, 40, "40 slots in use");
	is_int(sb->nips, 128, "IP table rebuilt for them");
	for (i = 0; i < 3; i++) {
		struct netkey k;

		snprintf(ip, sizeof(ip), "198.51.100.%d", i);
		k = key(ip);
		bad += scoreboard_ip_count(sb, &k) != (i < 2 ? 3 : 2);
	}
	is_int(bad, 0, "every count kept");
	is_int(sb->t.sessions, 8, "and the totals");
	is_int(scoreboard_auth_fail(sb, &a, 0, 3600), 1, "AUTH failures kept");
	for (i = 0, slot = 0; i < 33 && slot >= 0; i++)
		slot = scoreboard_slot_alloc(sb);
	is_int(slot, -1, "32 new slots, and no more");
	is_int(admit(sb, 39, "203.0.113.1", 0, 0), SB_ADMIT,
	    "the last new slot admits");
	is_int(scoreboard_grow(sb, 20), 0, "a smaller size is no change");
	is_int(sb->nslots, 40, "slots are never taken away");
	is_int(scoreboard_grow(sb, 65), -1, "beyond the room: refused");
	scoreboard_destroy(sb);
}

/* n sessions in slots 0..n-1 of a fresh scoreboard, workers busy. */
static struct scoreboard *
busy_board(int n, int max_total)
{
	struct scoreboard *sb = scoreboard_create(16);
	char ip[32];
	int i, slot;

	for (i = 0; i < n; i++) {
		slot = scoreboard_slot_alloc(sb);
		scoreboard_set_state(sb, slot, -1, SB_BUSY);
		snprintf(ip, sizeof(ip), "192.0.2.%d", 10 + i);
		admit(sb, slot, ip, 0, max_total);
	}
	return sb;
}

static void
test_stress(void)
{
	struct scoreboard *sb = busy_board(4, 4);
	int on, slot;

	is_int(scoreboard_idle(sb, 0, 1, 10), 0, "idle 1 s: stays (no stress)");
	is_int(scoreboard_idle(sb, 1, 5, 10), 0, "idle 5 s: stays");
	is_int(scoreboard_idle(sb, 2, 30, 10), 0,
	    "idle past the short timeout: stays while stress is off");
	is_int(scoreboard_stress_tick(sb, &on), 0, "tick without stress");
	is_int(on, 0, "stress off");
	scoreboard_set_stress(sb, 3);
	is_int(scoreboard_stress_tick(sb, &on), 1, "4 sessions of 3: one goes");
	is_int(on, 1, "stress on");
	is_int(sb->slots[2].kicked, 1, "the one idle the longest");
	is_int(scoreboard_idle(sb, 2, 31, 100), 1, "is told to close");
	is_int(scoreboard_stress_tick(sb, &on), 0,
	    "none more while it is on its way out");
	is_int(scoreboard_idle(sb, 0, 2, 10), 0, "idle under the limit: stays");
	is_int(scoreboard_idle(sb, 0, 10, 10), 1, "at the limit: closed");
	is_int(scoreboard_idle(sb, 1, -1, 0), 0, "a command came");
	is_int(sb->slots[1].idle, 0, "not idle any more");
	slot = scoreboard_slot_alloc(sb);
	scoreboard_set_state(sb, slot, -1, SB_BUSY);
	is_int(admit(sb, slot, "198.51.100.1", 0, 4), SB_450_TOTAL,
	    "full, and nobody idle left to give way: 450");
	scoreboard_release(sb, 2);
	scoreboard_release(sb, 0);
	scoreboard_set_stress(sb, 2);
	is_int(scoreboard_idle(sb, 3, 1, 10), 0, "a new idle session");
	is_int(admit(sb, 0, "198.51.100.2", 0, 2), SB_ADMIT,
	    "full under stress: admitted, the idle one makes room");
	is_int(sb->slots[3].kicked, 1, "and is told to close");
	is_int(sb->slots[1].kicked, 0, "not the busy one");
	is_int(sb->t.stress_closed, 2, "closed ones counted");
	scoreboard_destroy(sb);
}

int
main(void)
{
	test_refusals_hold_no_session();
	test_full_server();
	test_grow();
	test_stress();
	return tap_done();
}
