/*
 * listen.c - open the listeners of smtpserver.conf(5) Listeners (BindAddress, BindSmtp,
 * BindSmtpS, BindSubmit, BindPort, -p, -4, -6, per-group queue and buffer
 * sizes) and reopen them on reload, keeping those that did not change.
 * Not for: accepting connections (worker.c).
 */
#include "listen.h"

#include <sys/types.h>
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "netaddr.h"
#include "options.h"
#include "zenv.h"

#define DEFAULT_QUEUE 20000

static int
kind_port(const struct conf *c, const struct options *o, enum bind_kind k)
{
	if (k == BIND_SMTPS)
		return 465;
	if (k == BIND_SUBMIT)
		return 587;
	if (o && o->port > 0)
		return o->port;
	return c->bind_port > 0 ? c->bind_port : 25;
}

static void
set_port(struct sockaddr_storage *ss, int port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
}

static int
push(struct listeners *ls, const struct sockaddr_storage *ss, size_t group,
    enum bind_kind kind, int port)
{
	struct listener *v, *l;
	char text[64];

	v = realloc(ls->v, (ls->n + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	ls->v = v;
	l = &v[ls->n++];
	memset(l, 0, sizeof(*l));
	l->fd = -1;
	l->group = group;
	l->kind = kind;
	l->addr = *ss;
	set_port(&l->addr, port);
	l->addrlen = ss->ss_family == AF_INET ? sizeof(struct sockaddr_in)
	                                      : sizeof(struct sockaddr_in6);
	if (netaddr_text((struct sockaddr *)ss, text, sizeof(text)) < 0)
		snprintf(text, sizeof(text), "?");
	snprintf(l->name, sizeof(l->name), "[%s]:%d", text, port);
	return 0;
}

static int
family_ok(const struct options *o, int family)
{
	if (o && o->force4 && family != AF_INET)
		return 0;
	if (o && o->force6 && family != AF_INET6)
		return 0;
	return 1;
}

static int
push_any(struct listeners *ls, const struct options *o, int v4, int v6,
    size_t group, enum bind_kind kind, int port)
{
	struct sockaddr_storage ss;

	if (v6 && family_ok(o, AF_INET6)) {
		memset(&ss, 0, sizeof(ss));
		ss.ss_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_any;
		if (push(ls, &ss, group, kind, port) < 0)
			return -1;
	}
	if (v4 && family_ok(o, AF_INET)) {
		memset(&ss, 0, sizeof(ss));
		ss.ss_family = AF_INET;
		if (push(ls, &ss, group, kind, port) < 0)
			return -1;
	}
	return 0;
}

static int
push_iface(struct listeners *ls, const struct options *o, const char *name,
    size_t group, enum bind_kind kind, int port)
{
	struct ifaddrs *ifa, *i;
	struct sockaddr_storage ss;
	int rc = 0;

	if (getifaddrs(&ifa) < 0)
		return -1;
	for (i = ifa; i && rc == 0; i = i->ifa_next) {
		int fam = i->ifa_addr ? i->ifa_addr->sa_family : -1;

		if (strcmp(i->ifa_name, name) != 0 || !family_ok(o, fam))
			continue;
		if (fam != AF_INET && fam != AF_INET6)
			continue;
		memset(&ss, 0, sizeof(ss));
		memcpy(&ss, i->ifa_addr,
		    fam == AF_INET ? sizeof(struct sockaddr_in)
		                   : sizeof(struct sockaddr_in6));
		rc = push(ls, &ss, group, kind, port);
	}
	freeifaddrs(ifa);
	return rc;
}

/* Expand one bind into entries; count says how many were added. */
static int
plan_bind(struct listeners *ls, const struct conf *c, const struct options *o,
    const struct conf_bind *b, size_t group, char *err, size_t errlen)
{
	int port = b->port > 0 ? b->port : kind_port(c, o, b->kind);
	struct sockaddr_storage ss;
	socklen_t len;
	const char *a = b->addr;

	/* no address (no Bind line, no BINDADDR): every address, IPv6 and
	 * IPv4; "any" is 0.0.0.0 and "any6" [::] as in ZMailer, so that
	 * the two together make a dual-stack listener */
	if (a == NULL)
		return push_any(ls, o, 1, 1, group, b->kind, port);
	if (strcasecmp(a, "any") == 0)
		return push_any(ls, o, 1, 0, group, b->kind, port);
	if (strcasecmp(a, "any6") == 0)
		return push_any(ls, o, 0, 1, group, b->kind, port);
	if (strncasecmp(a, "iface:", 6) == 0)
		return push_iface(ls, o, a + 6, group, b->kind, port);
	if (netaddr_literal(a, &ss, &len) < 0) {
		snprintf(err, errlen, "bad bind address '%s'", a);
		return -1;
	}
	if (!family_ok(o, ss.ss_family))
		return 0;
	return push(ls, &ss, group, b->kind, port);
}

static int
plan_group(struct listeners *ls, const struct conf *c, const struct options *o,
    const struct conf_bind *b, size_t nb, size_t g, int ssmtp, char *err,
    size_t errlen)
{
	size_t i, before = ls->n;
	int have_smtps = 0;

	for (i = 0; i < nb; i++) {
		if (plan_bind(ls, c, o, &b[i], g, err, errlen) < 0)
			return -1;
		have_smtps |= b[i].kind == BIND_SMTPS;
	}
	if (ssmtp && !have_smtps) {
		size_t end = ls->n;

		for (i = before; i < end; i++) {
			if (ls->v[i].kind != BIND_SMTP)
				continue;
			if (push(ls, &ls->v[i].addr, g, BIND_SMTPS, 465) < 0)
				return -1;
		}
	}
	return 0;
}

static int
any_binds(const struct conf *c)
{
	size_t g;

	for (g = 0; g < c->ngroups; g++)
		if (c->groups[g].nbinds > 0)
			return 1;
	return 0;
}

/* Every wanted listener, fds not yet open. */
static int
plan(const struct conf *c, const struct options *o, const struct zenv *z,
    struct listeners *ls, char *err, size_t errlen)
{
	struct conf_bind dflt = { BIND_SMTP, NULL, 0 };
	const char *env = z ? zenv_get(z, "BINDADDR") : NULL;
	size_t g;
	int ssmtp;

	memset(ls, 0, sizeof(*ls));
	if (!any_binds(c)) {
		dflt.addr = (char *)(env && *env ? env : NULL);
		ssmtp = c->ngroups > 0 && c->groups[0].listen_ssmtp;
		return plan_group(ls, c, o, &dflt, 1, 0, ssmtp, err, errlen);
	}
	for (g = 0; g < c->ngroups; g++) {
		const struct conf_group *gr = &c->groups[g];

		if (plan_group(ls, c, o, gr->binds, gr->nbinds, g,
		        gr->listen_ssmtp, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int
open_one(struct listener *l, const struct conf_group *g)
{
	int fd, on = 1,
	        q = g && g->listen_queue > 0 ? g->listen_queue : DEFAULT_QUEUE;

	fd = socket(
	    l->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (l->addr.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (g && g->tcp_rcvbuf > 0)
		setsockopt(
		    fd, SOL_SOCKET, SO_RCVBUF, &g->tcp_rcvbuf, sizeof(int));
	if (g && g->tcp_sndbuf > 0)
		setsockopt(
		    fd, SOL_SOCKET, SO_SNDBUF, &g->tcp_sndbuf, sizeof(int));
	if (bind(fd, (struct sockaddr *)&l->addr, l->addrlen) < 0 ||
	    listen(fd, q) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	l->fd = fd;
	return 0;
}

static int
same_addr(const struct listener *a, const struct listener *b)
{
	return a->addrlen == b->addrlen &&
	    memcmp(&a->addr, &b->addr, a->addrlen) == 0;
}

/* Take the fd of an identical old listener, or open a new socket. */
static int
open_all(const struct conf *c, struct listeners *ls, struct listeners *old,
    char *err, size_t errlen)
{
	size_t i, j;

	for (i = 0; i < ls->n; i++) {
		struct listener *l = &ls->v[i];

		for (j = 0; old && j < old->n && l->fd < 0; j++) {
			if (old->v[j].fd >= 0 && same_addr(l, &old->v[j])) {
				l->fd = old->v[j].fd;
				old->v[j].fd = -1;
			}
		}
		if (l->fd >= 0)
			continue;
		if (open_one(l, conf_group(c, l->group)) == 0)
			continue;
		/* "any": the IPv6 half may be missing on this host */
		if (errno == EAFNOSUPPORT && ls->n > 1)
			continue;
		snprintf(err, errlen, "cannot listen on %s: %s", l->name,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* Drop entries that could not be opened (a missing address family). */
static int
compact(struct listeners *ls, char *err, size_t errlen)
{
	size_t i, n = 0;

	for (i = 0; i < ls->n; i++)
		if (ls->v[i].fd >= 0)
			ls->v[n++] = ls->v[i];
	ls->n = n;
	if (n == 0) {
		snprintf(err, errlen, "no listening socket could be opened");
		return -1;
	}
	return 0;
}

/* Give back fds taken from old, close the ones we opened. */
static void
undo(struct listeners *ls, struct listeners *old)
{
	size_t i, j;

	for (i = 0; i < ls->n; i++) {
		struct listener *l = &ls->v[i];

		for (j = 0; old && j < old->n && l->fd >= 0; j++) {
			if (old->v[j].fd < 0 && same_addr(l, &old->v[j])) {
				old->v[j].fd = l->fd;
				l->fd = -1;
			}
		}
	}
	listen_close(ls);
}

int
listen_open(const struct conf *c, const struct options *o, const struct zenv *z,
    struct listeners *ls, char *err, size_t errlen)
{
	if (plan(c, o, z, ls, err, errlen) < 0 ||
	    open_all(c, ls, NULL, err, errlen) < 0 ||
	    compact(ls, err, errlen) < 0) {
		listen_close(ls);
		return -1;
	}
	return 0;
}

int
listen_reopen(const struct conf *c, const struct options *o,
    const struct zenv *z, struct listeners *cur, char *err, size_t errlen)
{
	struct listeners ls;

	if (plan(c, o, z, &ls, err, errlen) < 0) {
		listen_close(&ls);
		return -1;
	}
	if (open_all(c, &ls, cur, err, errlen) < 0 ||
	    compact(&ls, err, errlen) < 0) {
		undo(&ls, cur);
		return -1;
	}
	listen_close(cur);
	*cur = ls;
	return 0;
}

void
listen_close(struct listeners *ls)
{
	size_t i;

	for (i = 0; i < ls->n; i++) {
		if (ls->v[i].fd < 0)
			continue;
		/* Workers share the socket: stop it listening for all. */
		shutdown(ls->v[i].fd, SHUT_RDWR);
		close(ls->v[i].fd);
	}
	free(ls->v);
	ls->v = NULL;
	ls->n = 0;
}

void
listen_names(const struct listeners *ls, char *out, size_t len)
{
	size_t i, used = 0;
	int n;

	if (len == 0)
		return;
	out[0] = '\0';
	for (i = 0; i < ls->n; i++) {
		if (ls->v[i].fd < 0)
			continue;
		n = snprintf(out + used, len - used, "%s%s", used ? " " : "",
		    ls->v[i].name);
		if (n < 0 || (size_t)n >= len - used) {
			/* too many to name: end with "..." where it fits */
			if (len >= 4)
				snprintf(
				    out + (used < len - 4 ? used : len - 4), 4,
				    "...");
			return;
		}
		used += (size_t)n;
	}
}
