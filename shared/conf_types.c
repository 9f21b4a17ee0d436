/*
 * conf_types.c - the PARAM types: check and store a value, free, copy and
 * dump the field(s) a params.c row points at.  One table of operations
 * per type; conf.c calls through param_set()/param_free()/param_dump().
 * Not for: reading lines, splitting words or $-expansion (conf.c).
 */
#include "params.h"
#include "conf.h"
#include "buf.h"
#include "proxyproto.h"
#include "svcaddr.h"
#include "tracker_url.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_BINDS 64
#define DUMP_MAX 8192
#define FIELD(base, off, type) ((type *)(void *)((char *)(base) + (off)))
#define CFIELD(base, off, type)                                                \
	((const type *)(const void *)((const char *)(base) + (off)))

typedef int set_fn(
    struct pctx *, const struct param *, void *, char **, int, const char *);
typedef void dump_fn(const void *, const struct param *, struct buf *,
    void (*)(void *, const char *), void *);

/* Strict decimal/octal number: no blanks, no junk, no overflow. */
static int
parse_long(const char *s, int base, long *v)
{
	char *end;

	if (*s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtol(s, &end, base);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

static void
range_text(const struct param *p, char *out, size_t len)
{
	if (p->type == PT_OCTAL)
		snprintf(out, len, "0%lo..0%lo", (unsigned long)p->min,
		    (unsigned long)p->max);
	else
		snprintf(out, len, "%ld..%ld", p->min, p->max);
}

static int
set_num(struct pctx *cx, const struct param *p, void *base, char **av, int ac,
    const char *raw)
{
	char range[64];
	long v;

	(void)ac, (void)raw;
	range_text(p, range, sizeof(range));
	if (parse_long(av[0], p->type == PT_OCTAL ? 8 : 10, &v) < 0) {
		pctx_error(cx, "PARAM %s: expected %s in %s, got '%s'", p->name,
		    param_usage(p), range, av[0]);
		return -1;
	}
	if (v < p->min && (p->flags & P_CLAMP)) {
		pctx_warn(cx, "PARAM %s: %ld is below the minimum, using %ld",
		    p->name, v, p->min);
		v = p->min;
	}
	if (v < p->min || v > p->max) {
		pctx_error(cx, "PARAM %s: %s is out of range %s", p->name,
		    av[0], range);
		return -1;
	}
	if (p->type == PT_LONG)
		*FIELD(base, p->off, long) = v;
	else
		*FIELD(base, p->off, int) = (int)v;
	return 0;
}

static int
set_flag(struct pctx *cx, const struct param *p, void *base, char **av, int ac,
    const char *raw)
{
	(void)cx, (void)av, (void)ac, (void)raw;
	*FIELD(base, p->off, int) = p->type == PT_SET;
	return 0;
}

/* Index of s among the '|'-separated words of list, or -1. */
static int
choice_index(const char *list, const char *s, size_t *wlen)
{
	const char *w = list;
	size_t n, len = strlen(s);
	int i;

	for (i = 0; *w != '\0'; i++) {
		n = strcspn(w, "|");
		if (n == len && strncasecmp(w, s, n) == 0) {
			if (wlen)
				*wlen = n;
			return i;
		}
		w += n + (w[n] == '|');
	}
	return -1;
}

static const char *
choice_word(const char *list, int idx, size_t *wlen)
{
	const char *w = list;

	while (idx-- > 0 && *w != '\0')
		w += strcspn(w, "|") + (w[strcspn(w, "|")] == '|');
	*wlen = strcspn(w, "|");
	return w;
}

static int
set_bool(struct pctx *cx, const struct param *p, void *base, char **av, int ac,
    const char *raw)
{
	int i =
	    ac ? choice_index("yes|on|true|1|no|off|false|0", av[0], NULL) : 0;

	(void)raw;
	if (i < 0) {
		pctx_error(cx, "PARAM %s: expected yes or no, got '%s'",
		    p->name, av[0]);
		return -1;
	}
	*FIELD(base, p->off, int) = i < 4;
	return 0;
}

/* Replace the string at base+off by a copy of s (n bytes). */
static int
store_str(struct pctx *cx, void *base, size_t off, const char *s, size_t n)
{
	char **f = FIELD(base, off, char *);
	char *d = strndup(s, n);

	if (d == NULL) {
		pctx_error(cx, "out of memory");
		return -1;
	}
	free(*f);
	*f = d;
	return 0;
}

/* A DNS name (letters, digits, '-', '.', '_') or an address literal. */
static int
host_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 255)
		return 0;
	if (s[0] == '[')
		return s[n - 1] == ']' && strcspn(s, " \t\"\\") == n;
	return strspn(s,
	           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	           "0123456789-._") == n;
}

static int
set_str(struct pctx *cx, const struct param *p, void *base, char **av, int ac,
    const char *raw)
{
	const char *v = ac ? av[0] : "yes"; /* PT_FLAGSTR without argument */

	(void)raw;
	if (p->type == PT_HOST && !host_ok(v)) {
		pctx_error(
		    cx, "PARAM %s: expected a host name, got '%s'", p->name, v);
		return -1;
	}
	if (p->type == PT_PATH && *v == '\0') {
		pctx_error(cx, "PARAM %s: expected a path, got ''", p->name);
		return -1;
	}
	if (p->type == PT_PATH && strchr(v, '$') != NULL && !cx->defaults)
		pctx_warn(cx,
		    "PARAM %s: '%s' still contains '$' (unknown ZENV name?)",
		    p->name, v);
	return store_str(cx, base, p->off, v, strlen(v));
}

static int
set_choice(struct pctx *cx, const struct param *p, void *base, char **av,
    int ac, const char *raw)
{
	size_t n;
	int idx = choice_index(p->choices, av[0], &n);

	(void)ac, (void)raw;
	if (idx < 0) {
		pctx_error(cx, "PARAM %s: expected one of %s, got '%s'",
		    p->name, p->choices, av[0]);
		return -1;
	}
	if (p->type == PT_ENUM) {
		*FIELD(base, p->off, int) = idx;
		return 0;
	}
	return store_str(cx, base, p->off, choice_word(p->choices, idx, &n), n);
}

static int
set_raw(struct pctx *cx, const struct param *p, void *base, char **av, int ac,
    const char *raw)
{
	(void)av, (void)ac;
	return store_str(cx, base, p->off, raw, strlen(raw));
}

/* PT_NETS: up to PROXY_MAX_NETS networks, kept as one blank-separated
 * string that proxy_nets_parse() reads again where it is used. */
static int
set_nets(struct pctx *cx, const struct param *p, void *base, char **av, int ac,
    const char *raw)
{
	struct proxy_net n;
	char list[PROXY_MAX_NETS * 64];
	size_t len = 0;
	int i;

	(void)raw;
	if (ac > PROXY_MAX_NETS) {
		pctx_error(cx, "PARAM %s: at most %d networks, got %d", p->name,
		    PROXY_MAX_NETS, ac);
		return -1;
	}
	for (i = 0; i < ac; i++) {
		if (proxy_net_parse(av[i], &n) < 0 ||
		    strlen(av[i]) + 1 >= sizeof(list) - len) {
			pctx_error(cx,
			    "PARAM %s: expected a network (1.2.3.0/24, "
			    "2001:db8::/32), got '%s'",
			    p->name, av[i]);
			return -1;
		}
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
		    i ? " " : "", av[i]);
	}
	return store_str(cx, base, p->off, list, len);
}

static int
set_rawlist(struct pctx *cx, const struct param *p, void *base, char **av,
    int ac, const char *raw)
{
	char **arr = FIELD(base, p->off, char *);
	size_t *n = FIELD(base, p->off2, size_t);
	size_t row = (size_t)(p - conf_params);

	(void)av, (void)ac;
	if (!cx->defaults && cx->seen != NULL && !cx->seen[row]) {
		param_free(base, p); /* the file replaces the default */
		cx->seen[row] = 1;
	}
	if (*n >= (size_t)p->max) {
		pctx_error(cx, "PARAM %s: too many lines (at most %ld)",
		    p->name, p->max);
		return -1;
	}
	if ((arr[*n] = strdup(raw)) == NULL) {
		pctx_error(cx, "out of memory");
		return -1;
	}
	(*n)++;
	return 0;
}

/* PARAM milter NAME unix:/path|inet:host:port, kept as "NAME SOCKET". */
static int
set_milter(struct pctx *cx, const struct param *p, void *base, char **av,
    int ac, const char *raw)
{
	const char *sp = av[1], *c;
	char line[600];

	(void)ac, (void)raw;
	c = strncmp(sp, "inet:", 5) == 0 ? strrchr(sp + 5, ':') : NULL;
	if (strncmp(sp, "inet:", 5) == 0 && c == NULL)
		c = strchr(sp + 5, '@');
	if (strlen(av[0]) > 63 || strchr(av[0], ':') != NULL ||
	    !((strncmp(sp, "unix:/", 6) == 0 && strlen(sp) < 5 + 108) ||
	        (c != NULL && c > sp + 5 && c[1] != '\0' &&
	            strlen(sp) < 300))) {
		pctx_error(cx,
		    "PARAM %s: expected NAME unix:/path or NAME inet:host:port",
		    p->name);
		return -1;
	}
	snprintf(line, sizeof(line), "%s %s", av[0], sp);
	return set_rawlist(cx, p, base, av, ac, line);
}

static int
set_tarpit(struct pctx *cx, const struct param *p, void *base, char **av,
    int ac, const char *raw)
{
	size_t off[3] = { p->off, p->off2, p->off3 };
	double v[3];
	char *end;
	int i;

	(void)raw;
	for (i = 0; i < ac; i++) {
		errno = 0;
		v[i] = strtod(av[i], &end);
		if (*av[i] == '\0' || *end != '\0' || errno != 0 ||
		    !isfinite(v[i]) || v[i] < p->min || v[i] > p->max) {
			pctx_error(cx,
			    "PARAM %s: expected a number in %ld..%ld, got '%s'",
			    p->name, p->min, p->max, av[i]);
			return -1;
		}
	}
	for (i = 0; i < ac; i++)
		*FIELD(base, off[i], double) = v[i];
	return 0;
}

/* any, any6, [a.b.c.d], [IPv6.x] / [IPv6:x], iface:NAME, or a bare
 * IPv4/IPv6 address. */
static int
bind_addr_ok(const char *s)
{
	unsigned char a[16];
	char tmp[INET6_ADDRSTRLEN + 8];
	size_t n = strlen(s);

	if (strcasecmp(s, "any") == 0 || strcasecmp(s, "any6") == 0)
		return 1;
	if (strncasecmp(s, "iface:", 6) == 0)
		return n > 6 && n - 6 < IF_NAMESIZE &&
		    strcspn(s + 6, "/ \t") == n - 6;
	if (s[0] == '[') {
		if (n < 3 || s[n - 1] != ']' || n - 2 >= sizeof(tmp))
			return 0;
		memcpy(tmp, s + 1, n - 2);
		tmp[n - 2] = '\0';
		if (strncasecmp(tmp, "ipv6.", 5) == 0 ||
		    strncasecmp(tmp, "ipv6:", 5) == 0)
			return inet_pton(AF_INET6, tmp + 5, a) == 1;
		return inet_pton(AF_INET, tmp, a) == 1;
	}
	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

static int
set_bind(struct pctx *cx, const struct param *p, void *base, char **av, int ac,
    const char *raw)
{
	struct conf_bind **b = FIELD(base, p->off, struct conf_bind *);
	size_t *n = FIELD(base, p->off2, size_t);
	struct conf_bind *nb;
	long port = 0;

	(void)raw;
	if (!bind_addr_ok(av[0])) {
		pctx_error(cx,
		    "PARAM %s: expected any, any6, [a.b.c.d], "
		    "[IPv6.x] or iface:NAME, got '%s'",
		    p->name, av[0]);
		return -1;
	}
	if (ac > 1 &&
	    (parse_long(av[1], 10, &port) < 0 || port < 1 || port > 65535)) {
		pctx_error(cx,
		    "PARAM %s: expected a port in 1..65535, got '%s'", p->name,
		    av[1]);
		return -1;
	}
	if (*n >= MAX_BINDS) {
		pctx_error(cx,
		    "PARAM %s: too many binds in this group (at most %d)",
		    p->name, MAX_BINDS);
		return -1;
	}
	if ((nb = realloc(*b, (*n + 1) * sizeof(*nb))) == NULL)
		goto nomem;
	*b = nb;
	if ((nb[*n].addr = strdup(av[0])) == NULL)
		goto nomem;
	nb[*n].kind = (enum bind_kind)p->min;
	nb[(*n)++].port = (int)port;
	return 0;
nomem:
	pctx_error(cx, "out of memory");
	return -1;
}

/* One more line of a list of conf_triple: its first nw (2 or 3) words. */
static int
add_words(struct pctx *cx, const struct param *p, struct conf_triple *t,
    size_t *n, char **av, int nw)
{
	if (*n >= (size_t)p->max) {
		pctx_error(cx, "PARAM %s: too many lines (at most %ld)",
		    p->name, p->max);
		return -1;
	}
	t += *n;
	t->a = strdup(av[0]);
	t->b = strdup(av[1]);
	t->c = nw > 2 ? strdup(av[2]) : NULL;
	(*n)++;
	if (t->a == NULL || t->b == NULL || (nw > 2 && t->c == NULL)) {
		pctx_error(cx, "out of memory");
		return -1;
	}
	return 0;
}

static int
set_triple(struct pctx *cx, const struct param *p, void *base, char **av,
    int ac, const char *raw)
{
	struct conf_triple *t = FIELD(base, p->off, struct conf_triple);
	size_t *n = FIELD(base, p->off2, size_t);
	char why[300];

	(void)ac, (void)raw;
	if (p->check != NULL && p->check(av, why, sizeof(why)) < 0) {
		pctx_error(cx, "PARAM %s %s", p->name, why);
		return -1;
	}
	return add_words(cx, p, t, n, av, 3);
}

/* name unix:/path|inet:host:port (svcaddr.h): a = name, b = address. */
static int
set_service(struct pctx *cx, const struct param *p, void *base, char **av,
    int ac, const char *raw)
{
	struct conf_triple *t = FIELD(base, p->off, struct conf_triple);
	size_t i, *n = FIELD(base, p->off2, size_t);
	struct svcaddr a;
	char err[300];

	(void)ac, (void)raw;
	if (svcaddr_parse(av[1], &a, err, sizeof(err)) < 0) {
		pctx_error(cx, "PARAM %s: %s", p->name, err);
		return -1;
	}
	for (i = 0; i < *n; i++)
		if (strcmp(t[i].a, av[0]) == 0) {
			pctx_error(cx, "PARAM %s: name '%s' given twice",
			    p->name, av[0]);
			return -1;
		}
	return add_words(cx, p, t, n, av, 2);
}

/* tracking-cluster: one redis:// or unix: URL (a later one replaces it),
 * or ZMailer's "address port secret" peer lines. */
static int
set_cluster(struct pctx *cx, const struct param *p, void *base, char **av,
    int ac, const char *raw)
{
	struct tracker_url u;
	char why[160];

	if (ac == 3)
		return set_triple(cx, p, base, av, ac, raw);
	if (ac != 1 || !tracker_url_is(av[0])) {
		pctx_error(
		    cx, "PARAM %s: expected %s", p->name, param_usage(p));
		return -1;
	}
	if (tracker_url_parse(av[0], &u, why, sizeof(why)) < 0) {
		pctx_error(cx, "PARAM %s: %s", p->name, why);
		return -1;
	}
	return store_str(cx, base, p->off3, av[0], strlen(av[0]));
}

static int
set_policydb(struct pctx *cx, const struct param *p, void *base, char **av,
    int ac, const char *raw)
{
	(void)ac, (void)raw;
	if (store_str(cx, base, p->off, av[0], strlen(av[0])) < 0)
		return -1;
	return store_str(cx, base, p->off2, av[1], strlen(av[1]));
}

static int
set_deliverby(struct pctx *cx, const struct param *p, void *base, char **av,
    int ac, const char *raw)
{
	long v = 0;

	(void)raw;
	if (ac && (parse_long(av[0], 10, &v) < 0 || v < p->min)) {
		pctx_error(cx, "PARAM %s: expected %s in %ld..%ld, got '%s'",
		    p->name, param_usage(p), p->min, p->max, av[0]);
		return -1;
	}
	*FIELD(base, p->off, int) = 1;
	*FIELD(base, p->off2, long) = v;
	return 0;
}

static void
emit(struct buf *b, const char *name, const char *val,
    void (*out)(void *, const char *), void *arg)
{
	buf_reset(b);
	if (buf_printf(b, "%s =%s%s", name, *val ? " " : "", val) < 0) {
		buf_reset(b); /* over DUMP_MAX: the name at least */
		buf_puts(b, name);
	}
	out(arg, b->data);
}

static void
dump_scalar(const void *base, const struct param *p, struct buf *b,
    void (*out)(void *, const char *), void *arg)
{
	const int *i = CFIELD(base, p->off, int);
	char v[128];
	size_t n;
	const char *w;

	if (p->type == PT_LONG)
		snprintf(v, sizeof(v), "%ld", *CFIELD(base, p->off, long));
	else if (p->type == PT_OCTAL)
		snprintf(v, sizeof(v), "0%o", (unsigned)*i);
	else if (p->type == PT_SET || p->type == PT_BOOL)
		snprintf(v, sizeof(v), "%s", *i ? "yes" : "no");
	else if (p->type == PT_CLR)
		snprintf(v, sizeof(v), "%s", *i ? "no" : "yes");
	else if (p->type == PT_ENUM) {
		w = choice_word(p->choices, *i, &n);
		snprintf(v, sizeof(v), "%.*s", (int)n, w);
	} else if (p->type == PT_TARPIT)
		snprintf(v, sizeof(v), "%g %g %g",
		    *CFIELD(base, p->off, double),
		    *CFIELD(base, p->off2, double),
		    *CFIELD(base, p->off3, double));
	else if (p->type == PT_DELIVERBY)
		snprintf(v, sizeof(v), *i ? "yes %ld" : "no",
		    *CFIELD(base, p->off2, long));
	else
		snprintf(v, sizeof(v), "%d", *i);
	emit(b, p->name, v, out, arg);
}

static void
dump_str(const void *base, const struct param *p, struct buf *b,
    void (*out)(void *, const char *), void *arg)
{
	const char *s = *CFIELD(base, p->off, char *);
	const char *s2;
	char v[DUMP_MAX];

	if (p->type == PT_POLICYDB) {
		s2 = *CFIELD(base, p->off2, char *);
		snprintf(v, sizeof(v), "%s%s%s", s ? s : "", s ? " " : "",
		    s2 ? s2 : "");
		s = v;
	}
	emit(b, p->name, s ? s : "", out, arg);
}

static void
dump_list(const void *base, const struct param *p, struct buf *b,
    void (*out)(void *, const char *), void *arg)
{
	size_t i, n = *CFIELD(base, p->off2, size_t);
	const struct conf_triple *t;
	char v[DUMP_MAX];

	for (i = 0; i < n; i++) {
		if (p->type == PT_RAWLIST || p->type == PT_MILTER) {
			emit(b, p->name, CFIELD(base, p->off, char *)[i], out,
			    arg);
			continue;
		}
		t = CFIELD(base, p->off, struct conf_triple) + i;
		if (p->type == PT_SERVICE)
			snprintf(v, sizeof(v), "%s %s", t->a, t->b);
		else if (p->flags & P_OURS) /* rcpt-verify: no secret */
			snprintf(v, sizeof(v), "%s %s %s", t->a, t->b, t->c);
		else /* ZMailer's cluster lines: the third word is a secret */
			snprintf(v, sizeof(v), "%s %s ***", t->a, t->b);
		emit(b, p->name, v, out, arg);
	}
	if (n == 0)
		emit(b, p->name, "", out, arg);
}

/* tracking-cluster: the URL, its password masked, then the peer lines. */
static void
dump_cluster(const void *base, const struct param *p, struct buf *b,
    void (*out)(void *, const char *), void *arg)
{
	const char *s = *CFIELD(base, p->off3, char *);
	struct tracker_url u;
	char v[TRACKER_URL_MAX + 16], why[160];

	if (s != NULL) {
		if (tracker_url_parse(s, &u, why, sizeof(why)) == 0)
			tracker_url_show(&u, v, sizeof(v));
		else
			snprintf(v, sizeof(v), "(bad URL)");
		emit(b, p->name, v, out, arg);
	}
	if (s == NULL || *CFIELD(base, p->off2, size_t) > 0)
		dump_list(base, p, b, out, arg);
}

/* BindAddress shows the port-less SMTP binds, BindSmtp the others, so that
 * every bind is shown once and the dump reads back as the same config. */
static void
dump_bind(const void *base, const struct param *p, struct buf *b,
    void (*out)(void *, const char *), void *arg)
{
	const struct conf_bind *bd = *CFIELD(base, p->off, struct conf_bind *);
	size_t i, n = *CFIELD(base, p->off2, size_t), shown = 0;
	char v[DUMP_MAX];

	for (i = 0; i < n; i++) {
		if (bd[i].kind != (enum bind_kind)p->min)
			continue;
		if (p->min == BIND_SMTP &&
		    (p->type == PT_BINDADDR) != (bd[i].port == 0))
			continue;
		if (bd[i].port)
			snprintf(v, sizeof(v), "%s %d", bd[i].addr, bd[i].port);
		else
			snprintf(v, sizeof(v), "%s", bd[i].addr);
		emit(b, p->name, v, out, arg);
		shown++;
	}
	if (shown == 0)
		emit(b, p->name, "", out, arg);
}

static const struct ptype_ops {
	int amin, amax; /* -1: raw rest of line */
	const char *usage;
	set_fn *set;
	dump_fn *dump;
} ops[PT_NTYPES] = {
	[PT_INT] = { 1, 1, "an integer", set_num, dump_scalar },
	[PT_LONG] = { 1, 1, "an integer", set_num, dump_scalar },
	[PT_OCTAL] = { 1, 1, "an octal number", set_num, dump_scalar },
	[PT_SET] = { 0, 0, "no argument", set_flag, dump_scalar },
	[PT_CLR] = { 0, 0, "no argument", set_flag, dump_scalar },
	[PT_BOOL] = { 0, 1, "[yes|no]", set_bool, dump_scalar },
	[PT_STR] = { 1, 1, "a word", set_str, dump_str },
	[PT_PATH] = { 1, 1, "a path", set_str, dump_str },
	[PT_HOST] = { 1, 1, "a host name", set_str, dump_str },
	[PT_FLAGSTR] = { 0, 1, "[a word]", set_str, dump_str },
	[PT_CHOICE] = { 1, 1, "a choice", set_choice, dump_str },
	[PT_ENUM] = { 1, 1, "a choice", set_choice, dump_scalar },
	[PT_RAW] = { -1, -1, "text", set_raw, dump_str },
	[PT_RAWLIST] = { -1, -1, "text", set_rawlist, dump_list },
	[PT_TARPIT] = { 1, 3, "init [exp [top]]", set_tarpit, dump_scalar },
	[PT_BINDADDR] = { 1, 1, "an address", set_bind, dump_bind },
	[PT_BIND] = { 1, 2, "an address [port]", set_bind, dump_bind },
	[PT_TRIPLE] = { 3, 3, "three words", set_triple, dump_list },
	[PT_CLUSTER] = { 1, 3,
	    "redis://host[:port][/db], unix:/path or "
	    "address port secret",
	    set_cluster, dump_cluster },
	[PT_SERVICE] = { 2, 2, "name unix:/path|inet:host:port", set_service,
	    dump_list },
	[PT_POLICYDB] = { 2, 2, "type path", set_policydb, dump_str },
	[PT_DELIVERBY] = { 0, 1, "an integer", set_deliverby, dump_scalar },
	/* more words than nets: an error in set_nets, not a warning */
	[PT_NETS] = { 1, 4 * PROXY_MAX_NETS, "networks", set_nets, dump_str },
	[PT_NEWGROUP] = { 1, 1, "a group name", NULL, NULL },
	[PT_MILTER] = { 2, 2, "name unix:/path|inet:host:port", set_milter,
	    dump_list },
};

int
param_args(const struct param *p, int *amin, int *amax)
{
	*amin = ops[p->type].amin;
	*amax = ops[p->type].amax;
	return *amin;
}

const char *
param_usage(const struct param *p)
{
	return ops[p->type].usage;
}

/* The struct a row's offsets point into. */
static void *
param_base(struct conf *c, size_t gi, const struct param *p)
{
	if (p->flags & P_GROUP)
		return &c->groups[gi];
	return c;
}

int
param_set(
    struct pctx *cx, const struct param *p, char **av, int ac, const char *raw)
{
	void *base = param_base(cx->conf, cx->gi, p);

	if (ops[p->type].set == NULL)
		return -1;
	return ops[p->type].set(cx, p, base, av, ac, raw);
}

void
param_dump(const void *base, const struct param *p,
    void (*out)(void *, const char *), void *arg)
{
	struct buf b;

	if (ops[p->type].dump == NULL)
		return;
	buf_init(&b, DUMP_MAX);
	ops[p->type].dump(base, p, &b, out, arg);
	buf_free(&b);
}

static int
is_string(enum ptype t)
{
	return t == PT_STR || t == PT_PATH || t == PT_HOST || t == PT_FLAGSTR ||
	    t == PT_CHOICE || t == PT_RAW || t == PT_POLICYDB || t == PT_NETS;
}

void
param_free(void *base, const struct param *p)
{
	size_t i, *n = FIELD(base, p->off2, size_t);
	struct conf_triple *t;
	struct conf_bind **b;

	if (is_string(p->type)) {
		free(*FIELD(base, p->off, char *));
		*FIELD(base, p->off, char *) = NULL;
	}
	if (p->type == PT_POLICYDB) {
		free(*FIELD(base, p->off2, char *));
		*FIELD(base, p->off2, char *) = NULL;
	} else if (p->type == PT_RAWLIST || p->type == PT_MILTER) {
		for (i = 0; i < *n; i++)
			free(FIELD(base, p->off, char *)[i]);
		*n = 0;
	} else if (p->type == PT_TRIPLE || p->type == PT_CLUSTER ||
	    p->type == PT_SERVICE) {
		if (p->type == PT_CLUSTER) {
			free(*FIELD(base, p->off3, char *));
			*FIELD(base, p->off3, char *) = NULL;
		}
		t = FIELD(base, p->off, struct conf_triple);
		for (i = 0; i < *n; i++) {
			free(t[i].a);
			free(t[i].b);
			free(t[i].c);
		}
		*n = 0;
	} else if (p->type == PT_BIND || p->type == PT_BINDADDR) {
		b = FIELD(base, p->off, struct conf_bind *);
		for (i = 0; i < *n; i++)
			free((*b)[i].addr);
		free(*b);
		*b = NULL;
		*n = 0;
	}
}

/* After a struct copy of a group: own copies of the strings; binds are
 * not copied (a newgroup starts without binds).  Group rows only. */
int
param_dup(void *base, const struct param *p)
{
	char **s = FIELD(base, p->off, char *);
	int r = 0;

	if (p->type == PT_BIND || p->type == PT_BINDADDR) {
		*FIELD(base, p->off, struct conf_bind *) = NULL;
		*FIELD(base, p->off2, size_t) = 0;
		return 0;
	}
	if (!is_string(p->type))
		return 0;
	if (*s != NULL && (*s = strdup(*s)) == NULL)
		r = -1;
	s = FIELD(base, p->off2, char *);
	if (p->type == PT_POLICYDB && *s != NULL && (*s = strdup(*s)) == NULL)
		r = -1;
	return r;
}
