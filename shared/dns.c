/*
 * dns.c - the resolver (see dns.h) on libunbound.  Each process keeps one
 * unbound context per forwarder, made at its first query, so every
 * worker has its own cache; queries go to the context's thread and we
 * wait for the answer on its descriptor until the lookup's deadline, then
 * cancel.  The library does retries, TCP fallback on truncation and the
 * parsing; we copy the records out with bounds checks.  Answers are
 * kept for their TTL in a small cache of our own (dnscache.c), which
 * spares a repeated lookup the round trip through the library's thread.
 * Not for: recursion from the root (we forward), DNSSEC validation.
 */
#include "dns.h"
#include "dnscache.h"
#include "mono.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <resolv.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <time.h>
#include <unbound.h>
#include <unistd.h>

#define FWD_LEN (INET6_ADDRSTRLEN + 8) /* "addr@port" */
#define MAX_CTX 4                      /* distinct forwarders per process */
#define MAX_WAKEUPS 1000               /* per lookup: answers, signals */

struct dns_res {
	char fwd[FWD_LEN];  /* "" = resolv.conf */
	int timeout;        /* seconds per lookup */
	struct uctx *u;     /* attached at the first query ... */
	unsigned long ugen; /* ... in this process (see forks) */
};

/* A context of this process, shared by the handles with its forwarder. */
static struct uctx {
	unsigned long gen; /* the process it was made in (see forks) */
	char fwd[FWD_LEN];
	struct ub_ctx *ctx;
	int users;
	int started; /* its resolver thread runs */
} uctxs[MAX_CTX];

/*
 * Which process this is: bumped in every forked child, so that a context
 * or cache inherited over fork is told apart without asking getpid() on
 * each lookup.
 */
static unsigned long forks = 1;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void
on_fork_child(void)
{
	forks++;
	dnscache_clear();
}

static void
register_atfork(void)
{
	(void)pthread_atfork(NULL, NULL, on_fork_child);
}

/* One lookup in flight (the callback's argument). */
struct pending {
	int done, err, abandoned;
	struct ub_result *res;
};

/*
 * Small caches (the worker is meant to stay small; the library runs one
 * resolver thread per context, num-threads cannot be set); answers
 * from 127.0.0.1 allowed (a local resolver, the tests' server); private
 * and documentation reverse zones and .test are the forwarder's to
 * answer, not empty zones of the library (localhost stays local).
 */
static const char *const options[][2] = {
	{ "do-not-query-localhost:", "no" },
	{ "unblock-lan-zones:", "yes" },
	{ "local-zone:", "test. transparent" },
	{ "module-config:", "iterator" },
	{ "msg-cache-size:", "1m" },
	{ "msg-cache-slabs:", "1" },
	{ "rrset-cache-size:", "2m" },
	{ "rrset-cache-slabs:", "1" },
	{ "infra-cache-slabs:", "1" },
	{ "infra-cache-numhosts:", "100" },
	{ "neg-cache-size:", "256k" },
	{ "outgoing-range:", "64" },
	{ "num-queries-per-thread:", "32" },
	{ "infra-keep-probing:", "yes" },
};

static struct ub_ctx *
uctx_create(const char *fwd)
{
	struct ub_ctx *c;
	size_t i;
	int rc = 0;

	if ((c = ub_ctx_create()) == NULL)
		return NULL;
	ub_ctx_debugout(c, NULL); /* no library chatter on stderr */
	for (i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		rc |= ub_ctx_set_option(c, options[i][0], options[i][1]);
	rc |= ub_ctx_async(c, 1);
	if (fwd[0] != '\0')
		rc |= ub_ctx_set_fwd(c, fwd);
	else {
		if (ub_ctx_resolvconf(c, NULL) != 0)
			rc |= ub_ctx_set_fwd(c, "127.0.0.1");
		(void)ub_ctx_hosts(c, NULL); /* as getaddrinfo would */
	}
	if (rc != 0) {
		ub_ctx_delete(c);
		return NULL;
	}
	return c;
}

/*
 * The context of this process for fwd, made on first use.  A context
 * inherited over fork belongs to the parent's thread: it is forgotten,
 * never used or deleted here.
 */
static struct uctx *
uctx_get(const char *fwd)
{
	struct uctx *u, *slot = NULL;
	size_t i;

	for (i = 0; i < MAX_CTX; i++) {
		u = &uctxs[i];
		if (u->ctx != NULL && u->gen != forks)
			memset(u, 0, sizeof(*u));
		if (u->ctx == NULL) {
			if (slot == NULL)
				slot = u;
		} else if (strcmp(u->fwd, fwd) == 0)
			return u;
	}
	if (slot == NULL || (slot->ctx = uctx_create(fwd)) == NULL)
		return NULL;
	slot->gen = forks;
	snprintf(slot->fwd, sizeof(slot->fwd), "%s", fwd);
	slot->users = 0;
	slot->started = 0;
	return slot;
}

static struct uctx *
attach(struct dns_res *r)
{
	if (r->u != NULL && r->ugen == forks)
		return r->u;
	if ((r->u = uctx_get(r->fwd)) == NULL)
		return NULL;
	r->u->users++;
	r->ugen = forks;
	return r->u;
}

struct dns_res *
dns_new(const char *server, int port, int timeout, char *err, size_t errlen)
{
	unsigned char bin[16];
	struct dns_res *r;

	if (port < 0 || port > 65535 || timeout <= 0 || timeout > 300) {
		snprintf(err, errlen, "dns: bad port or timeout");
		return NULL;
	}
	if (server != NULL && *server != '\0' &&
	    inet_pton(AF_INET, server, bin) != 1 &&
	    inet_pton(AF_INET6, server, bin) != 1) {
		snprintf(err, errlen,
		    "dns: nameserver '%s' is not an IP address", server);
		return NULL;
	}
	(void)pthread_once(&atfork_once, register_atfork);
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(err, errlen, "dns: out of memory");
		return NULL;
	}
	r->timeout = timeout;
	if (server != NULL && *server != '\0')
		snprintf(
		    r->fwd, sizeof(r->fwd), "%s@%d", server, port ? port : 53);
	return r;
}

void
dns_free(struct dns_res *r)
{
	struct uctx *u;

	if (r == NULL)
		return;
	u = r->u;
	if (u != NULL && r->ugen == forks && u->gen == r->ugen &&
	    --u->users == 0) {
		ub_ctx_delete(u->ctx);
		memset(u, 0, sizeof(*u));
	}
	free(r);
}

const char *
dns_rc_text(enum dns_rc rc)
{
	switch (rc) {
	case DNS_OK:
		return "ok";
	case DNS_NXDOMAIN:
		return "NXDOMAIN";
	case DNS_NODATA:
		return "no data";
	case DNS_SERVFAIL:
		return "SERVFAIL";
	case DNS_TIMEOUT:
		return "timeout";
	case DNS_ERROR:
		break;
	}
	return "error";
}

int
dns_rc_temporary(enum dns_rc rc)
{
	return rc == DNS_SERVFAIL || rc == DNS_TIMEOUT || rc == DNS_ERROR;
}

void
dns_reversed(const struct netkey *k, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	int i;

	if (k->v4) {
		snprintf(out, outlen, "%u.%u.%u.%u", k->a[15], k->a[14],
		    k->a[13], k->a[12]);
		return;
	}
	for (i = 15; i >= 0 && o + 4 < outlen; i--) {
		out[o++] = hex[k->a[i] & 0xf];
		out[o++] = '.';
		out[o++] = hex[k->a[i] >> 4];
		out[o++] = '.';
	}
	out[o > 0 ? o - 1 : 0] = '\0';
}

static void
on_answer(void *arg, int err, struct ub_result *res)
{
	struct pending *p = arg;

	if (p->abandoned) {
		ub_resolve_free(res);
		free(p);
		return;
	}
	p->done = 1;
	p->err = err;
	p->res = res;
}

/*
 * The first query starts the context's thread, which inherits our signal
 * mask: with every signal blocked there, process signals (the worker's
 * SIGTERM) keep reaching, and interrupting, this thread.
 */
static int
ask(struct uctx *u, const char *name, enum dns_type type, struct pending *p,
    int *id)
{
	sigset_t all, old;
	int rc;

	if (u->started)
		return ub_resolve_async(
		    u->ctx, name, (int)type, ns_c_in, p, on_answer, id);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = ub_resolve_async(
	    u->ctx, name, (int)type, ns_c_in, p, on_answer, id);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	u->started = rc == 0;
	return rc;
}

/* Wait for p until timeout seconds have passed: 0 done, -1 not. */
static int
wait_answer(struct ub_ctx *ctx, struct pending *p, int timeout)
{
	long long deadline = mono_after(timeout);
	int i;

	for (i = 0; !p->done && i < MAX_WAKEUPS; i++)
		if (mono_poll(ub_fd(ctx), POLLIN, deadline) != 1 ||
		    ub_process(ctx) != 0)
			break;
	return p->done ? 0 : -1;
}

/* Bounded copy of a TXT rdata's character-strings into out. */
static void
copy_txt(const unsigned char *rd, size_t rdlen, char *out, size_t outlen)
{
	size_t i = 0, o = 0, l, k;

	while (i < rdlen && o + 1 < outlen) {
		l = rd[i++];
		for (k = 0; k < l && i < rdlen && o + 1 < outlen; k++, i++)
			out[o++] =
			    (rd[i] < 0x20 || rd[i] == 0x7f) ? ' ' : (char)rd[i];
	}
	out[o] = '\0';
}

/* The domain name at rd + off (uncompressed) as text; -1 if malformed. */
static int
rd_name(const unsigned char *rd, size_t rdlen, size_t off, char *out)
{
	unsigned char wire[NS_MAXCDNAME];

	if (off >= rdlen ||
	    ns_name_unpack(rd, rd + rdlen, rd + off, wire, sizeof(wire)) < 0 ||
	    ns_name_ntop(wire, out, DNS_NAMELEN) < 0)
		return -1;
	return 0;
}

static void
store_rr(const unsigned char *rd, size_t rdlen, enum dns_type type,
    struct dns_answer *a)
{
	struct netkey *k = &a->addr[a->n];
	struct dns_mx *mx = &a->mx[a->n];

	if (type == DNS_A && rdlen == 4) {
		memset(k, 0, sizeof(*k));
		k->a[10] = k->a[11] = 0xff;
		memcpy(k->a + 12, rd, 4);
		k->v4 = 1;
	} else if (type == DNS_AAAA && rdlen == 16) {
		memset(k, 0, sizeof(*k));
		memcpy(k->a, rd, 16);
	} else if (type == DNS_MX && rdlen >= 3) {
		mx->pref = ns_get16(rd);
		if (rd_name(rd, rdlen, 2, mx->name) < 0)
			return;
	} else if (type == DNS_PTR) {
		mx->pref = 0;
		if (rd_name(rd, rdlen, 0, mx->name) < 0)
			return;
	} else if (type == DNS_TXT) {
		if (a->n == 0)
			copy_txt(rd, rdlen, a->txt, sizeof(a->txt));
	} else
		return;
	a->n++;
}

/* The outcome of an answered query before its records: DNS_OK = look. */
static enum dns_rc
rcode_of(const struct pending *p)
{
	const struct ub_result *res = p->res;

	if (p->err != 0 || res == NULL)
		return p->err == UB_SERVFAIL ? DNS_SERVFAIL : DNS_ERROR;
	if (res->bogus)
		return DNS_SERVFAIL;
	if (res->rcode == ns_r_nxdomain)
		return DNS_NXDOMAIN;
	if (res->rcode != ns_r_noerror)
		return DNS_SERVFAIL;
	return DNS_OK;
}

static enum dns_rc
take_result(const struct pending *p, enum dns_type type, struct dns_answer *a)
{
	const struct ub_result *res = p->res;
	enum dns_rc rc;
	int i;

	if ((rc = rcode_of(p)) != DNS_OK)
		return rc;
	for (i = 0; res->havedata && res->data[i] != NULL && a->n < DNS_MAXANS;
	     i++)
		if (res->len[i] >= 0)
			store_rr((const unsigned char *)res->data[i],
			    (size_t)res->len[i], type, a);
	return a->n > 0 ? DNS_OK : DNS_NODATA;
}

/* name equals want, in any case, with or without a final dot. */
static int
same_name(const char *name, const char *want)
{
	size_t n = strlen(want);

	return strncasecmp(name, want, n) == 0 &&
	    (name[n] == '\0' || (name[n] == '.' && name[n + 1] == '\0'));
}

/*
 * The loopback names that the library's default local zones answer
 * itself (RFC 6761 6.3, RFC 6303): localhost and the PTR of 127.0.0.1
 * and ::1, answered here the same way without starting the library (its
 * thread and caches would cost an idle worker about a megabyte).  Only
 * with a configured forwarder: the resolv.conf mode also reads
 * /etc/hosts, which may say otherwise.  1 when answered.
 */
static int
loopback_answer(const struct dns_res *r, const char *name, enum dns_type type,
    enum dns_rc *rc, struct dns_answer *a)
{
	static const char v6ptr[] = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	                            "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa";
	int ptr =
	    same_name(name, "1.0.0.127.in-addr.arpa") || same_name(name, v6ptr);

	if (r->fwd[0] == '\0' || (!ptr && !same_name(name, "localhost")))
		return 0;
	*rc = DNS_OK;
	if (ptr && type == DNS_PTR)
		snprintf(a->mx[a->n++].name, DNS_NAMELEN, "localhost");
	else if (!ptr && type == DNS_A) {
		a->addr[0].a[10] = a->addr[0].a[11] = 0xff;
		a->addr[0].a[12] = 127;
		a->addr[0].a[15] = 1;
		a->addr[0].v4 = 1;
		a->n = 1;
	} else if (!ptr && type == DNS_AAAA) {
		a->addr[0].a[15] = 1;
		a->n = 1;
	} else
		*rc = DNS_NODATA;
	return 1;
}

/* Ask and wait: DNS_OK with *pp answered (the caller frees it), or why
 * not. */
static enum dns_rc
resolve(struct dns_res *r, const char *name, enum dns_type type,
    struct pending **pp)
{
	struct pending *p;
	struct uctx *u;
	int id;

	if (strlen(name) > 254 || (u = attach(r)) == NULL)
		return DNS_ERROR;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return DNS_ERROR;
	if (ask(u, name, type, p, &id) != 0) {
		free(p);
		return DNS_ERROR;
	}
	if (wait_answer(u->ctx, p, r->timeout) < 0) {
		/* a cancelled query gets no callback; else it frees p */
		if (ub_cancel(u->ctx, id) == 0)
			free(p);
		else
			p->abandoned = 1;
		return DNS_TIMEOUT;
	}
	*pp = p;
	return DNS_OK;
}

static void
pending_free(struct pending *p)
{
	ub_resolve_free(p->res);
	free(p);
}

enum dns_rc
dns_query(struct dns_res *r, const char *name, enum dns_type type,
    struct dns_answer *a)
{
	time_t now = (time_t)(mono_now() / 1000); /* cache ages, in seconds */
	struct pending *p;
	enum dns_rc rc;

	memset(a, 0, sizeof(*a));
	if (strlen(name) > 254)
		return DNS_ERROR;
	if (loopback_answer(r, name, type, &rc, a) ||
	    dnscache_get(r->fwd, name, type, now, &rc, a))
		return rc;
	if ((rc = resolve(r, name, type, &p)) != DNS_OK)
		return rc;
	rc = take_result(p, type, a);
	if (p->res != NULL)
		dnscache_put(r->fwd, name, type, now, p->res->ttl, rc, a);
	pending_free(p);
	return rc;
}

/* Every TXT record (SPF); not through the answer cache, which keeps only
 * the first record's text. */
enum dns_rc
dns_query_txts(struct dns_res *r, const char *name, struct dns_txts *t)
{
	const struct ub_result *res;
	struct pending *p;
	enum dns_rc rc;
	int i;

	memset(t, 0, sizeof(*t));
	if ((rc = resolve(r, name, DNS_TXT, &p)) != DNS_OK)
		return rc;
	res = p->res;
	if ((rc = rcode_of(p)) == DNS_OK) {
		for (i = 0;
		     res->havedata && res->data[i] != NULL && t->n < DNS_MAXANS;
		     i++)
			if (res->len[i] >= 0)
				copy_txt((const unsigned char *)res->data[i],
				    (size_t)res->len[i], t->txt[t->n++],
				    DNS_TXTLEN);
		rc = t->n > 0 ? DNS_OK : DNS_NODATA;
	}
	pending_free(p);
	return rc;
}
