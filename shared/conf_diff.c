/*
 * conf_diff.c - what a reload changes: compare two loaded configs PARAM by
 * PARAM (through the same dump as -K, so secrets stay masked) and say
 * which changes only take effect after a restart.
 * Not for: applying the changes (the supervisor swaps the pointer).
 */
#include "conf.h"
#include "params.h"
#include "buf.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define DIFF_MAX 65536

static void
collect(void *arg, const char *line)
{
	struct buf *b = arg;
	const char *v = strstr(line, " =");

	v = v ? v + 2 + (v[2] == ' ') : line;
	if (b->len > 0)
		buf_puts(b, "; ");
	buf_puts(b, v);
}

/* Compare one row in two bases; report it; 1 if it needs a restart. */
static int
diff_row(const void *a, const void *b, const struct param *p, const char *group,
    void (*out)(void *, const char *), void *arg)
{
	struct buf x, y, line;
	int r = 0;

	buf_init(&x, DIFF_MAX);
	buf_init(&y, DIFF_MAX);
	buf_init(&line, 2 * DIFF_MAX + 256);
	param_dump(a, p, collect, &x);
	param_dump(b, p, collect, &y);
	if (strcmp(x.data ? x.data : "", y.data ? y.data : "") != 0) {
		r = (p->flags & P_NORELOAD) != 0;
		buf_printf(&line, "%s%s%s: %s -> %s%s", group ? group : "",
		    group ? "/" : "", p->name, x.data ? x.data : "",
		    y.data ? y.data : "", r ? " (needs a restart)" : "");
		out(arg, line.data);
	}
	buf_free(&x);
	buf_free(&y);
	buf_free(&line);
	return r;
}

static const struct conf_group *
group_named(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->ngroups; i++)
		if (strcasecmp(c->groups[i].name, name) == 0)
			return &c->groups[i];
	return NULL;
}

static int
helo_same(const struct conf *a, const struct conf *b)
{
	size_t i;

	if (a->nhelo != b->nhelo)
		return 0;
	for (i = 0; i < a->nhelo; i++)
		if (strcmp(a->helo[i].glob, b->helo[i].glob) != 0 ||
		    strcmp(a->helo[i].flags, b->helo[i].flags) != 0 ||
		    a->helo[i].maxload != b->helo[i].maxload)
			return 0;
	return 1;
}

static void
say(void (*out)(void *, const char *), void *arg, const char *name,
    const char *what)
{
	char line[256];

	snprintf(line, sizeof(line), "group %s %s", name, what);
	out(arg, line);
}

int
conf_diff(const struct conf *a, const struct conf *b,
    void (*out)(void *, const char *), void *arg)
{
	const struct conf_group *ga, *gb;
	size_t i, k;
	int restart = 0;

	for (i = 0; i < conf_nparams; i++)
		if (!(conf_params[i].flags & P_GROUP))
			restart +=
			    diff_row(a, b, &conf_params[i], NULL, out, arg);
	for (k = 0; k < b->ngroups; k++) {
		gb = &b->groups[k];
		if ((ga = group_named(a, gb->name)) == NULL) {
			say(out, arg, gb->name, "added");
			continue;
		}
		for (i = 0; i < conf_nparams; i++)
			if (conf_params[i].flags & P_GROUP)
				restart += diff_row(ga, gb, &conf_params[i],
				    gb->name, out, arg);
	}
	for (k = 0; k < a->ngroups; k++)
		if (group_named(b, a->groups[k].name) == NULL)
			say(out, arg, a->groups[k].name, "removed");
	if (!helo_same(a, b))
		out(arg, "HELO patterns changed");
	return restart;
}
