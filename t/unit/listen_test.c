/*
 * listen_test.c - listeners from binds: literals, groups and kinds, -4/-6,
 * iface:, any/any6, errors, and a reload that keeps unchanged sockets open.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "listen.h"
#include "options.h"
#include "tap.h"

static int
free_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	getsockname(fd, (struct sockaddr *)&sin, &len);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

static int
has_v6_loopback(void)
{
	struct sockaddr_in6 s6;
	int fd = socket(AF_INET6, SOCK_STREAM, 0), r;

	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_addr = in6addr_loopback;
	r = fd >= 0 && bind(fd, (struct sockaddr *)&s6, sizeof(s6)) == 0;
	if (fd >= 0)
		close(fd);
	return r;
}

static struct conf_bind binds[3];

static void
set_binds(struct conf *c, size_t n)
{
	c->groups[0].binds = binds;
	c->groups[0].nbinds = n;
}

static void
test_literals(struct conf *c, int v6)
{
	struct options o;
	struct listeners ls;
	char err[256], want[64];
	int p = free_port();

	memset(&o, 0, sizeof(o));
	o.port = p;
	binds[0] = (struct conf_bind){ BIND_SMTP, "[127.0.0.1]", 0 };
	binds[1] = (struct conf_bind){ BIND_SUBMIT, "[IPv6.::1]", p + 1 };
	set_binds(c, v6 ? 2 : 1);
	is_int(listen_open(c, &o, NULL, &ls, err, sizeof(err)), 0,
	    "literal binds open");
	is_int(ls.n, v6 ? 2 : 1, "one listener per bind");
	snprintf(want, sizeof(want), "[127.0.0.1]:%d", p);
	is_str(ls.v[0].name, want, "SMTP bind takes -p");
	if (v6) {
		snprintf(want, sizeof(want), "[::1]:%d", p + 1);
		is_str(ls.v[1].name, want, "an explicit port is kept");
		is_int(ls.v[1].kind, BIND_SUBMIT, "kind remembered");
	}
	listen_close(&ls);
	o.force4 = 1;
	is_int(listen_open(c, &o, NULL, &ls, err, sizeof(err)), 0, "-4");
	is_int(ls.n, 1, "-4 keeps only IPv4 listeners");
	listen_close(&ls);
}

static void
test_reopen(struct conf *c)
{
	struct options o;
	struct listeners ls;
	char err[256];
	int p = free_port(), fd0;

	memset(&o, 0, sizeof(o));
	binds[0] = (struct conf_bind){ BIND_SMTP, "[127.0.0.1]", p };
	binds[1] = (struct conf_bind){ BIND_SMTP, "[127.0.0.2]", p };
	set_binds(c, 2);
	is_int(listen_open(c, &o, NULL, &ls, err, sizeof(err)), 0, "open two");
	fd0 = ls.v[0].fd;
	binds[1].addr = "[127.0.0.3]";
	is_int(listen_reopen(c, &o, NULL, &ls, err, sizeof(err)), 0, "reopen");
	is_int(ls.v[0].fd, fd0, "unchanged listener keeps its socket");
	ok(strncmp(ls.v[1].name, "[127.0.0.3]:", 12) == 0,
	    "changed one replaced");
	binds[1].addr = "[300.1.1.1]";
	is_int(listen_reopen(c, &o, NULL, &ls, err, sizeof(err)), -1,
	    "bad address: reload refused");
	ok(strstr(err, "bad bind address") != NULL, "with the reason");
	is_int(ls.n, 2, "and the old listeners are untouched");
	is_int(ls.v[0].fd, fd0, "still the same socket");
	listen_close(&ls);
}

static void
test_iface_and_default(struct conf *c)
{
	struct options o;
	struct listeners ls;
	char err[256];
	int i, r;

	memset(&o, 0, sizeof(o));
	o.port = free_port();
	o.force4 = 1;
	binds[0] = (struct conf_bind){ BIND_SMTP, "iface:lo", 0 };
	set_binds(c, 1);
	is_int(listen_open(c, &o, NULL, &ls, err, sizeof(err)), 0, "iface:lo");
	ok(ls.n >= 1, "iface:lo has an IPv4 address");
	listen_close(&ls);
	set_binds(c, 0);
	/* the wildcard needs the port free on every address, and other
	 * tests run at the same time: a fresh port, a few tries */
	for (i = 0, r = -1; i < 5 && r != 0; i++) {
		o.port = free_port();
		r = listen_open(c, &o, NULL, &ls, err, sizeof(err));
	}
	is_int(r, 0, "no binds: the default");
	ok(ls.n == 1 && strncmp(ls.v[0].name, "[0.0.0.0]:", 10) == 0,
	    "is the IPv4 wildcard under -4");
	listen_close(&ls);
}

/* A wildcard listen_open, on fresh ports: other tests may take one. */
static int
open_fresh(struct conf *c, struct options *o, struct listeners *ls)
{
	char err[256];
	int i, r;

	for (i = 0, r = -1; i < 5 && r != 0; i++) {
		o->port = free_port();
		r = listen_open(c, o, NULL, ls, err, sizeof(err));
	}
	if (r != 0)
		printf("# %s\n", err);
	return r;
}

/* "any" is 0.0.0.0 and "any6" [::] (IPv6-only), so both together work;
 * no bind at all is both. */
static void
test_any(struct conf *c, int v6)
{
	struct options o;
	struct listeners ls;

	memset(&o, 0, sizeof(o));
	binds[0] = (struct conf_bind){ BIND_SMTP, "any", 0 };
	binds[1] = (struct conf_bind){ BIND_SMTP, "any6", 0 };
	set_binds(c, 1);
	is_int(open_fresh(c, &o, &ls), 0, "BindAddress any opens");
	ok(ls.n == 1 && strncmp(ls.v[0].name, "[0.0.0.0]:", 10) == 0,
	    "any is the IPv4 wildcard alone");
	listen_close(&ls);
	if (!v6) {
		ok(1, "# skip no IPv6 on this host");
		return;
	}
	set_binds(c, 2);
	is_int(open_fresh(c, &o, &ls), 0, "any and any6 together open");
	ok(ls.n == 2 && strncmp(ls.v[0].name, "[0.0.0.0]:", 10) == 0 &&
	        strncmp(ls.v[1].name, "[::]:", 5) == 0,
	    "as the IPv4 and the IPv6 wildcard");
	listen_close(&ls);
	set_binds(c, 0);
	is_int(open_fresh(c, &o, &ls), 0, "no binds opens");
	ok(ls.n == 2 && strncmp(ls.v[0].name, "[::]:", 5) == 0 &&
	        strncmp(ls.v[1].name, "[0.0.0.0]:", 10) == 0,
	    "no binds: both wildcards");
	listen_close(&ls);
}

int
main(void)
{
	struct conf *c = conf_defaults();
	int v6 = has_v6_loopback();

	if (c == NULL)
		return 1;
	test_literals(c, v6);
	test_reopen(c);
	test_iface_and_default(c);
	test_any(c, v6);
	set_binds(c, 0);
	c->groups[0].binds = NULL;
	conf_free(c);
	return tap_done();
}
