/*
 * tracker.c - the per-client counters: the local scoreboard always, and
 * with PARAM tracking-cluster the Redis of the fleet (tracker_redis.c).
 * Local counting is the default and the fallback: an unreachable Redis
 * never refuses mail.  For: worker.c (admission, ratelimitmsgs, AUTH)
 * and supervisor.c (heartbeat).  Not for: the limits' replies.
 */
#include "tracker.h"
#include "tracker_redis.h"
#include "tracker_url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

#define TIMEOUT_MS 300 /* connect, and each command */
#define NODE_TTL 60    /* a silent node's counts go after this */
#define BEAT_SECS 5    /* supervisor heartbeat and resync */
#define BACKOFF_MIN 1  /* seconds before the first retry */
#define BACKOFF_MAX 30 /* and at most */
#define NODE_MAX 300

static struct {
	int on; /* a URL is configured */
	struct tracker_url url;
	char *text; /* the URL as configured (change test) */
	char shown[TRACKER_URL_MAX + 16];
	char node[NODE_MAX];
	struct tredis *r;      /* NULL: not connected */
	time_t retry, backoff; /* when to try again, and the next pause */
	time_t beat;           /* supervisor: next heartbeat */
	int down;              /* supervisor: the outage was logged */
	int said;              /* supervisor: the first success was logged */
	int held;              /* worker: its connection is counted there */
} T;

void
tracker_setup(const char *url, const char *host, long suppid)
{
	char err[160];

	tredis_close(T.r); /* inherited from the supervisor: not ours */
	T.r = NULL;
	free(T.text);
	T.text = NULL;
	T.on = 0;
	T.retry = T.beat = 0;
	T.backoff = BACKOFF_MIN;
	snprintf(
	    T.node, sizeof(T.node), "%.255s:%ld", host ? host : "?", suppid);
	if (url == NULL || tracker_url_parse(url, &T.url, err, sizeof(err)))
		return; /* the reader checked it: cannot fail here */
	T.text = strdup(url);
	T.on = T.text != NULL;
	tracker_url_show(&T.url, T.shown, sizeof(T.shown));
}

/* Lost the store: close, back off.  The reason goes to the caller. */
static void
lost(time_t now)
{
	tredis_close(T.r);
	T.r = NULL;
	T.retry = now + T.backoff;
	T.backoff = T.backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : T.backoff * 2;
}

/* The connection, or NULL while Redis is off or backing off. */
static struct tredis *
store(time_t now, char *err, size_t errlen)
{
	if (!T.on)
		return NULL;
	if (T.r == NULL && now >= T.retry) {
		T.r = tredis_open(&T.url, TIMEOUT_MS, err, errlen);
		if (T.r == NULL)
			lost(now);
		else
			T.backoff = BACKOFF_MIN;
	}
	return T.r;
}

/* Run one operation's result: 0 kept, -1 the store is lost. */
static int
done(int rc, time_t now)
{
	if (rc < 0)
		lost(now);
	return rc;
}

static void
key_text(const struct netkey *k, char *out, size_t len)
{
	if (netaddr_key_text(k, out, len) < 0)
		snprintf(out, len, "unknown");
}

int
tracker_admit(struct scoreboard *sb, int slot, const struct netkey *key,
    int max_same, int max_total, enum sb_verdict *v, int *same)
{
	time_t now = time(NULL);
	char a[64], err[256];
	struct tredis *r;
	long total;
	int n;

	n = scoreboard_admit(sb, slot, key, max_same, max_total, v);
	*same = scoreboard_ip_count(sb, key);
	T.held = 0;
	if (*v == SB_CLOSE_SAMEIP || *v == SB_CLOSE_TOTAL ||
	    (r = store(now, err, sizeof(err))) == NULL)
		return n;
	key_text(key, a, sizeof(a));
	if (done(tredis_conn(
	             r, T.node, a, 1, NODE_TTL, &total, err, sizeof(err)),
	        now) < 0)
		return n;
	T.held = 1;
	*same = (int)total > *same ? (int)total : *same;
	if (max_same <= 0 || *v == SB_450_TOTAL || *same <= max_same)
		return n;
	*v = *same > 4 * max_same ? SB_CLOSE_SAMEIP : SB_450_SAMEIP;
	return *same;
}

void
tracker_release(struct scoreboard *sb, int slot, const struct netkey *key)
{
	time_t now = time(NULL);
	char a[64], err[256];
	struct tredis *r;
	long total;

	scoreboard_release(sb, slot);
	if (!T.held || (r = store(now, err, sizeof(err))) == NULL)
		return; /* a count left over goes at the next resync */
	T.held = 0;
	key_text(key, a, sizeof(a));
	done(tredis_conn(r, T.node, a, -1, NODE_TTL, &total, err, sizeof(err)),
	    now);
}

long
tracker_rate(struct scoreboard *sb, const char *label, time_t now)
{
	long local = scoreboard_rate(sb, label, now), n;
	char err[256];
	struct tredis *r;

	if (local < 0 || (r = store(now, err, sizeof(err))) == NULL)
		return local;
	if (done(tredis_rate(r, label, SB_RATE_SLOTS, SB_RATE_SECS, &n, err,
	             sizeof(err)),
	        now) < 0)
		return local;
	return n > local ? n : local;
}

int
tracker_auth_reserve(struct scoreboard *sb, const struct netkey *key, int limit,
    int window, time_t *since)
{
	time_t now = time(NULL);
	char a[64], err[256];
	struct tredis *r;
	int ok;

	if (!scoreboard_auth_reserve(sb, key, limit, window, since))
		return 0;
	if ((r = store(now, err, sizeof(err))) == NULL)
		return 1;
	key_text(key, a, sizeof(a));
	if (done(tredis_auth(r, a, limit, window, &ok, err, sizeof(err)), now) <
	        0 ||
	    ok)
		return 1;
	scoreboard_auth_refund(sb, key, window, *since);
	return 0;
}

void
tracker_auth_refund(
    struct scoreboard *sb, const struct netkey *key, int window, time_t since)
{
	time_t now = time(NULL);
	char a[64], err[256];
	struct tredis *r;
	int ok;

	scoreboard_auth_refund(sb, key, window, since);
	if ((r = store(now, err, sizeof(err))) == NULL)
		return;
	key_text(key, a, sizeof(a));
	done(tredis_auth(r, a, -1, window, &ok, err, sizeof(err)), now);
}

/* This node's connection counts from the scoreboard, into Redis. */
static int
sync_counts(struct scoreboard *sb, struct tredis *r, char *err, size_t len)
{
	unsigned i, n = 0, cap = sb->nips;
	char(*txt)[64] = calloc(cap ? cap : 1, sizeof(*txt));
	const char **addrs = calloc(cap ? cap : 1, sizeof(*addrs));
	int *counts = calloc(cap ? cap : 1, sizeof(*counts)), rc = -1;

	if (txt && addrs && counts) {
		scoreboard_lock(sb);
		for (i = 0; i < sb->nips && n < cap; i++) {
			if (sb->ips[i].count <= 0)
				continue;
			key_text(&sb->ips[i].key, txt[n], sizeof(txt[n]));
			addrs[n] = txt[n];
			counts[n++] = sb->ips[i].count;
		}
		scoreboard_unlock(sb);
		rc = tredis_sync(
		    r, T.node, NODE_TTL, addrs, counts, n, err, len);
	} else
		snprintf(err, len, "out of memory");
	free(txt);
	free(addrs);
	free(counts);
	return rc;
}

void
tracker_tick(struct scoreboard *sb, time_t now)
{
	char err[256] = "";
	struct tredis *r;

	if (!T.on || now < T.beat || (T.r == NULL && now < T.retry))
		return;
	T.beat = now + BEAT_SECS;
	if ((r = store(now, err, sizeof(err))) != NULL &&
	    done(sync_counts(sb, r, err, sizeof(err)), now) == 0) {
		if (T.down)
			log_msg(LOG_NOTICE,
			    "tracking-cluster %s reachable again: counts "
			    "shared",
			    T.shown);
		else if (!T.said)
			log_msg(LOG_NOTICE,
			    "tracking-cluster %s: counts shared as node %s",
			    T.shown, T.node);
		T.down = 0;
		T.said = 1;
		return;
	}
	if (!T.down)
		log_msg(LOG_WARNING,
		    "tracking-cluster %s unreachable (%s): counting "
		    "locally, retrying",
		    T.shown, err);
	T.down = 1;
}

void
tracker_follow(const char *url, const char *host, long suppid)
{
	if ((url == NULL && T.text == NULL) ||
	    (url != NULL && T.text != NULL && strcmp(url, T.text) == 0))
		return;
	tracker_stop();
	tracker_setup(url, host, suppid);
	T.down = T.said = 0;
}

void
tracker_stop(void)
{
	char err[256];

	if (T.r != NULL)
		tredis_drop(T.r, T.node, err, sizeof(err));
	tredis_close(T.r);
	T.r = NULL;
}
