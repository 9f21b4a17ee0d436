/*
 * sbload_test.c - the scoreboard under load: connections refused for
 * their address hold no place under the global limit, and the 450s of a
 * full server are counted apart for the silent-close window.
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

int
main(void)
{
	test_refusals_hold_no_session();
	test_full_server();
	return tap_done();
}
