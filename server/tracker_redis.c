/*
 * tracker_redis.c - PARAM tracking-cluster counters in Redis: connections
 * per address (one hash per node, expiring when the node stops beating),
 * ratelimitmsgs in 450 s slots, AUTH failures in a window.  Every
 * operation is one EVAL, so that nodes never interleave inside it; keys
 * start with "smtpserver:".  For: tracker.c.  Not for: the fallback.
 */
#include "tracker_redis.h"
#include "tracker_url.h"

#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#define PREFIX "smtpserver:"
#define NUM_MAX 24

struct tredis {
	redisContext *c;
};

/* ARGV: prefix node addr delta ttl.  Time is the server's: node clocks
 * may differ. */
static const char conn_lua[] =
    "local p, node, addr = ARGV[1], ARGV[2], ARGV[3]\n"
    "local d, ttl = tonumber(ARGV[4]), tonumber(ARGV[5])\n"
    "local now = tonumber(redis.call('TIME')[1])\n"
    "local nodes, h = p .. 'nodes', p .. 'conn:' .. node\n"
    "redis.call('ZADD', nodes, now, node)\n"
    "if d ~= 0 then\n"
    "  if redis.call('HINCRBY', h, addr, d) <= 0 then\n"
    "    redis.call('HDEL', h, addr) end\n"
    "end\n"
    "redis.call('EXPIRE', h, ttl)\n"
    "redis.call('EXPIRE', nodes, ttl)\n"
    "redis.call('ZREMRANGEBYSCORE', nodes, '-inf', now - ttl)\n"
    "local t = 0\n"
    "for _, n in ipairs(redis.call('ZRANGE', nodes, 0, -1)) do\n"
    "  t = t + (tonumber(redis.call('HGET', p .. 'conn:' .. n, addr))"
    " or 0)\n"
    "end\n"
    "return t\n";

/* ARGV: prefix node ttl, then addr count pairs */
static const char sync_lua[] =
    "local p, node, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])\n"
    "local now = tonumber(redis.call('TIME')[1])\n"
    "local h = p .. 'conn:' .. node\n"
    "redis.call('DEL', h)\n"
    "for i = 4, #ARGV - 1, 2 do\n"
    "  redis.call('HSET', h, ARGV[i], ARGV[i + 1]) end\n"
    "redis.call('EXPIRE', h, ttl)\n"
    "redis.call('ZADD', p .. 'nodes', now, node)\n"
    "redis.call('EXPIRE', p .. 'nodes', ttl)\n"
    "redis.call('ZREMRANGEBYSCORE', p .. 'nodes', '-inf', now - ttl)\n"
    "return 0\n";

static const char drop_lua[] =
    "redis.call('DEL', ARGV[1] .. 'conn:' .. ARGV[2])\n"
    "redis.call('ZREM', ARGV[1] .. 'nodes', ARGV[2])\n"
    "return 0\n";

/* ARGV: prefix label slots secs */
static const char rate_lua[] =
    "local k = ARGV[1] .. 'rate:' .. ARGV[2] .. ':'\n"
    "local slots, secs = tonumber(ARGV[3]), tonumber(ARGV[4])\n"
    "local e = math.floor(tonumber(redis.call('TIME')[1]) / secs)\n"
    "redis.call('INCR', k .. e)\n"
    "redis.call('EXPIRE', k .. e, secs * (slots + 1))\n"
    "local t = 0\n"
    "for i = 0, slots - 1 do\n"
    "  t = t + (tonumber(redis.call('GET', k .. (e - i))) or 0) end\n"
    "return t\n";

/* ARGV: prefix addr limit window; limit < 0: refund */
static const char auth_lua[] =
    "local k = ARGV[1] .. 'authfail:' .. ARGV[2]\n"
    "local lim, win = tonumber(ARGV[3]), tonumber(ARGV[4])\n"
    "local v = tonumber(redis.call('GET', k) or '0')\n"
    "if lim < 0 then\n"
    "  if v > 0 then redis.call('DECR', k) end\n"
    "  return 0 end\n"
    "if lim > 0 and v >= lim then return 0 end\n"
    "if redis.call('INCR', k) == 1 then redis.call('EXPIRE', k, win) end\n"
    "return 1\n";

static void
why(const redisContext *c, const redisReply *r, const char *what, char *err,
    size_t errlen)
{
	if (r != NULL && r->type == REDIS_REPLY_ERROR)
		snprintf(err, errlen, "%s: %.200s", what, r->str);
	else if (c->err)
		snprintf(err, errlen, "%s: %.200s", what, c->errstr);
	else
		snprintf(err, errlen, "%s: unexpected reply", what);
}

/* A command that must answer +OK. */
static int
simple(redisContext *c, int argc, const char **argv, const char *what,
    char *err, size_t errlen)
{
	redisReply *r = redisCommandArgv(c, argc, argv, NULL);
	int ok = r != NULL && r->type == REDIS_REPLY_STATUS;

	if (!ok)
		why(c, r, what, err, errlen);
	if (r != NULL)
		freeReplyObject(r);
	return ok ? 0 : -1;
}

static int
login(redisContext *c, const struct tracker_url *u, char *err, size_t errlen)
{
	const char *av[3];
	char db[NUM_MAX];

	if (u->password[0] != '\0') {
		av[0] = "AUTH";
		av[1] = u->user[0] ? u->user : u->password;
		av[2] = u->password;
		if (simple(c, u->user[0] ? 3 : 2, av, "AUTH", err, errlen) < 0)
			return -1;
	}
	if (u->db != 0) {
		snprintf(db, sizeof(db), "%d", u->db);
		av[0] = "SELECT";
		av[1] = db;
		if (simple(c, 2, av, "SELECT", err, errlen) < 0)
			return -1;
	}
	return 0;
}

struct tredis *
tredis_open(
    const struct tracker_url *u, int timeout_ms, char *err, size_t errlen)
{
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	struct tredis *t;
	redisContext *c;

	snprintf(err, errlen, "out of memory");
	c = u->is_unix ? redisConnectUnixWithTimeout(u->path, tv)
	               : redisConnectWithTimeout(u->host, u->port, tv);
	if (c == NULL)
		return NULL;
	if (c->err) {
		snprintf(err, errlen, "connect: %.200s", c->errstr);
		redisFree(c);
		return NULL;
	}
	/* no program run later (AUTH pipe, filters) inherits it */
	if (fcntl(c->fd, F_SETFD, FD_CLOEXEC) < 0 ||
	    redisSetTimeout(c, tv) != REDIS_OK ||
	    login(c, u, err, errlen) < 0 || (t = malloc(sizeof(*t))) == NULL) {
		if (c->err)
			snprintf(err, errlen, "%.200s", c->errstr);
		redisFree(c);
		return NULL;
	}
	t->c = c;
	return t;
}

void
tredis_close(struct tredis *t)
{
	if (t == NULL)
		return;
	redisFree(t->c);
	free(t);
}

/* EVAL script 0 argv...; the integer reply in *out. */
static int
eval(struct tredis *t, const char *script, int argc, const char **argv,
    long long *out, char *err, size_t errlen)
{
	const char **av = malloc(((size_t)argc + 3) * sizeof(*av));
	redisReply *r;
	int ok;

	if (av == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	av[0] = "EVAL";
	av[1] = script;
	av[2] = "0";
	memcpy(av + 3, argv, (size_t)argc * sizeof(*av));
	r = redisCommandArgv(t->c, argc + 3, av, NULL);
	free(av);
	ok = r != NULL && r->type == REDIS_REPLY_INTEGER;
	if (ok)
		*out = r->integer;
	else
		why(t->c, r, "EVAL", err, errlen);
	if (r != NULL)
		freeReplyObject(r);
	return ok ? 0 : -1;
}

int
tredis_conn(struct tredis *t, const char *node, const char *addr, int delta,
    int ttl, long *total, char *err, size_t errlen)
{
	char d[NUM_MAX], tt[NUM_MAX];
	const char *av[] = { PREFIX, node, addr, d, tt };
	long long v;

	snprintf(d, sizeof(d), "%d", delta);
	snprintf(tt, sizeof(tt), "%d", ttl);
	if (eval(t, conn_lua, 5, av, &v, err, errlen) < 0)
		return -1;
	*total = (long)v;
	return 0;
}

int
tredis_sync(struct tredis *t, const char *node, int ttl,
    const char *const *addrs, const int *counts, size_t n, char *err,
    size_t errlen)
{
	const char **av = calloc(3 + 2 * n, sizeof(*av));
	char *nums = calloc(n + 1, NUM_MAX), tt[NUM_MAX];
	long long v;
	size_t i;
	int r = -1;

	if (av == NULL || nums == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	snprintf(tt, sizeof(tt), "%d", ttl);
	av[0] = PREFIX;
	av[1] = node;
	av[2] = tt;
	for (i = 0; i < n; i++) {
		snprintf(nums + i * NUM_MAX, NUM_MAX, "%d", counts[i]);
		av[3 + 2 * i] = addrs[i];
		av[4 + 2 * i] = nums + i * NUM_MAX;
	}
	r = eval(t, sync_lua, (int)(3 + 2 * n), av, &v, err, errlen);
out:
	free(av);
	free(nums);
	return r;
}

int
tredis_drop(struct tredis *t, const char *node, char *err, size_t errlen)
{
	const char *av[] = { PREFIX, node };
	long long v;

	return eval(t, drop_lua, 2, av, &v, err, errlen);
}

int
tredis_rate(struct tredis *t, const char *label, int slots, int slot_secs,
    long *n, char *err, size_t errlen)
{
	char a[NUM_MAX], b[NUM_MAX];
	const char *av[] = { PREFIX, label, a, b };
	long long v;

	snprintf(a, sizeof(a), "%d", slots);
	snprintf(b, sizeof(b), "%d", slot_secs);
	if (eval(t, rate_lua, 4, av, &v, err, errlen) < 0)
		return -1;
	*n = (long)v;
	return 0;
}

int
tredis_auth(struct tredis *t, const char *addr, int limit, int window, int *ok,
    char *err, size_t errlen)
{
	char a[NUM_MAX], b[NUM_MAX];
	const char *av[] = { PREFIX, addr, a, b };
	long long v;

	snprintf(a, sizeof(a), "%d", limit);
	snprintf(b, sizeof(b), "%d", window > 0 ? window : 1);
	if (eval(t, auth_lua, 4, av, &v, err, errlen) < 0)
		return -1;
	*ok = v != 0;
	return 0;
}
