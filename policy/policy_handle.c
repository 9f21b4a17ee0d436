/*
 * policy_handle.c - the policy handle a worker keeps: the read-only
 * database (opened, reopened on SIGHUP or when its file was replaced),
 * the resolver for the DNS checks, our own addresses, and tracing.
 * A leaf of policy/: the checks (policy.c, policy_addr.c, policy_rcpt.c,
 * dnsbl.c) use it and it uses none of them.
 * Not for: decisions, reply texts, the database format (policydb.c).
 */
#include "policy_int.h"
#include "callout.h"
#include "rcptdb.h"

#include <errno.h>
#include <ifaddrs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static int
stat_db(struct policy *p, struct stat *st)
{
	return stat(p->file, st);
}

static int
open_db(struct policy *p, char *err, size_t errlen)
{
	struct pdb *db;
	struct stat st;

	if (stat_db(p, &st) < 0) {
		snprintf(
		    err, errlen, "policydb %s: %s", p->file, strerror(errno));
		return -1;
	}
	if ((db = pdb_open(p->file, err, errlen)) == NULL)
		return -1;
	pdb_close(p->db);
	p->db = db;
	p->dev = st.st_dev;
	p->ino = st.st_ino;
	p->mtime = st.st_mtim;
	return 0;
}

static void
add_interfaces(struct policy *p)
{
	struct ifaddrs *ifa, *i;
	struct netkey k;

	if (getifaddrs(&ifa) < 0)
		return;
	for (i = ifa; i != NULL; i = i->ifa_next)
		if (i->ifa_addr != NULL && netaddr_key(i->ifa_addr, &k) == 0 &&
		    !policy_is_self(p, &k) && p->nself < POLICY_MAXSELF)
			p->self[p->nself++] = k;
	freeifaddrs(ifa);
}

static int
type_ok(const char *type, char *err, size_t errlen)
{
	static const char *const known[] = { "btree", "bhash", "ndbm", "dbm",
		"sleepyrpc" };
	size_t i;

	if (strcasecmp(type, "gdbm") == 0)
		return 0;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcasecmp(type, known[i]) == 0) {
			snprintf(err, errlen,
			    "policydb type '%s' is not supported; supported: "
			    "gdbm (rebuild the database with policy-builder)",
			    type);
			return -1;
		}
	snprintf(err, errlen, "unknown policydb type '%.40s'; supported: gdbm",
	    type);
	return -1;
}

struct policy *
policy_open(const char *type, const char *path, char *err, size_t errlen)
{
	struct policy *p;

	if (type == NULL || path == NULL || *path == '\0') {
		snprintf(err, errlen, "policydb: type and path are required");
		return NULL;
	}
	if (type_ok(type, err, errlen) < 0)
		return NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		snprintf(err, errlen, "policydb: out of memory");
		return NULL;
	}
	if (snprintf(p->file, sizeof(p->file), "%s.gdbm", path) >=
	    (int)sizeof(p->file)) {
		snprintf(err, errlen, "policydb: path too long");
		free(p);
		return NULL;
	}
	if (open_db(p, err, errlen) < 0) {
		free(p);
		return NULL;
	}
	add_interfaces(p);
	return p;
}

void
policy_close(struct policy *p)
{
	if (p == NULL)
		return;
	pdb_close(p->db);
	rcptdb_free(p->rcptdb);
	callout_conf_free(p->callout);
	dns_free(p->dns);
	free(p);
}

int
policy_reopen(struct policy *p, char *err, size_t errlen)
{
	return open_db(p, err, errlen);
}

int
policy_set_dns(struct policy *p, const char *server, int port, int timeout,
    char *err, size_t errlen)
{
	struct dns_res *r = dns_new(server, port, timeout, err, errlen);

	if (r == NULL)
		return -1;
	dns_free(p->dns);
	p->dns = r;
	return 0;
}

struct dns_res *
policy_dns(struct policy *p)
{
	char err[200];

	if (p->dns == NULL)
		p->dns = dns_new(NULL, 0, 5, err, sizeof(err));
	return p->dns;
}

int
policy_add_self(struct policy *p, const char *addr)
{
	struct netkey k;

	if (netaddr_parse(addr, &k) < 0 || p->nself >= POLICY_MAXSELF)
		return -1;
	if (!policy_is_self(p, &k))
		p->self[p->nself++] = k;
	return 0;
}

int
policy_is_self(const struct policy *p, const struct netkey *k)
{
	size_t i;

	for (i = 0; i < p->nself; i++)
		if (memcmp(p->self[i].a, k->a, 16) == 0)
			return 1;
	return 0;
}

void
policy_trace(struct policy_sess *s, const char *fmt, ...)
{
	char line[700];
	va_list ap;

	if (s->pa.trace == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	s->pa.trace(s->pa.trace_arg, line);
}

void
policy_check_reopen(struct policy_sess *s)
{
	struct policy *p = s->pol;
	struct stat st;
	char err[300];

	if (stat_db(p, &st) < 0)
		return;
	if (st.st_dev == p->dev && st.st_ino == p->ino &&
	    st.st_mtim.tv_sec == p->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == p->mtime.tv_nsec)
		return;
	if (open_db(p, err, sizeof(err)) < 0)
		policy_trace(
		    s, "policy: reopen failed, keeping the old: %s", err);
	else
		policy_trace(s, "policy: %s changed, reopened", p->file);
}
