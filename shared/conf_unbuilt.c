/*
 * conf_unbuilt.c - what a loaded configuration asks for that this server
 * does not do yet: PARAM rows flagged P_UNIMPL in params.c whose value is
 * not the default, and the HELO-pattern style flags of CONF_STYLE_UNBUILT.
 * For: the daemon's start/reload warning and -K (via server/unbuilt.c).
 * Not for: parsing (conf.c) or command-line options (server/unbuilt.c).
 */
#include "conf.h"
#include "params.h"
#include "buf.h"

#include <stdio.h>
#include <string.h>

#define UNBUILT_DUMP_MAX 65536 /* a dump longer than this compares cut */

_Static_assert(sizeof(CONF_STYLE_UNBUILT) <= 32, "one bit per letter");

static void
collect(void *arg, const char *line)
{
	struct buf *b = arg;

	buf_puts(b, line);
	buf_putc(b, '\n');
}

/* Does row p hold another value in base than in def (the defaults)? */
static int
differs(const void *base, const void *def, const struct param *p)
{
	struct buf x, y;
	int r;

	buf_init(&x, UNBUILT_DUMP_MAX);
	buf_init(&y, UNBUILT_DUMP_MAX);
	param_dump(base, p, collect, &x);
	param_dump(def, p, collect, &y);
	r = x.len != y.len || (x.len > 0 && memcmp(x.data, y.data, x.len) != 0);
	buf_free(&x);
	buf_free(&y);
	return r;
}

/* Is row p set to other than its default, globally or in some group? */
static int
row_set(const struct conf *c, const struct conf *def, const struct param *p)
{
	size_t k;

	if (!(p->flags & P_GROUP))
		return differs(c, def, p);
	for (k = 0; k < c->ngroups; k++)
		if (differs(&c->groups[k], &def->groups[0], p))
			return 1;
	return 0;
}

/* Each CONF_STYLE_UNBUILT letter once, at the first pattern that has it. */
static size_t
helo_unbuilt(const struct conf *c, void (*out)(void *, const char *), void *arg)
{
	static const char unbuilt[] = CONF_STYLE_UNBUILT;
	unsigned long said = 0;
	const char *f, *u;
	char line[160];
	size_t k, n = 0;

	for (k = 0; k < c->nhelo; k++) {
		if (c->helo[k].reject)
			continue; /* the rest is reply text, not flags */
		for (f = c->helo[k].flags; *f != '\0'; f++) {
			u = strchr(unbuilt, *f);
			if (u == NULL || (said >> (u - unbuilt)) & 1)
				continue;
			said |= 1UL << (u - unbuilt);
			snprintf(line, sizeof(line),
			    "HELO-pattern style flag %c (line %d): parsed but "
			    "not implemented, it has no effect",
			    *f, c->helo[k].line);
			out(arg, line);
			n++;
		}
	}
	return n;
}

size_t
conf_unbuilt(const struct conf *c, void (*out)(void *, const char *), void *arg)
{
	struct conf *def = conf_defaults();
	char line[160];
	size_t i, n = 0;

	if (def == NULL) {
		out(arg,
		    "cannot tell which PARAMs are not implemented: "
		    "out of memory");
		return 1 + helo_unbuilt(c, out, arg);
	}
	if (c->ntracking_cluster > 0) { /* its redis:// form is built */
		out(arg,
		    "PARAM tracking-cluster address port secret (ZMailer's "
		    "peer form): parsed but not implemented, it has no "
		    "effect");
		n++;
	}
	for (i = 0; i < conf_nparams; i++) {
		if (!(conf_params[i].flags & P_UNIMPL) ||
		    !row_set(c, def, &conf_params[i]))
			continue;
		snprintf(line, sizeof(line),
		    "PARAM %s: parsed but not implemented, it has no effect",
		    conf_params[i].name);
		out(arg, line);
		n++;
	}
	conf_free(def);
	return n + helo_unbuilt(c, out, arg);
}
