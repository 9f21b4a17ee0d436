/*
 * unbuilt.c - the list of keywords that are parsed but not implemented,
 * for one configuration and command line: conf_unbuilt() (PARAMs flagged
 * in the table, HELO-pattern flags) plus the options in OPT_UNBUILT and
 * the -s style flags in CONF_STYLE_UNBUILT.
 * Not for: deciding what is built (the flags live in params.c, conf.h and
 * options.h, next to the things they mark).
 */
#include "unbuilt.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "log.h"
#include "options.h"

struct where {
	const char *path;
	void (*out)(void *, const char *);
	void *arg;
};

static void
in_file(void *arg, const char *line)
{
	const struct where *w = arg;
	char text[1280];

	snprintf(text, sizeof(text), "%s: %s", w->path, line);
	w->out(w->arg, text);
}

/* -s with flags (not strict/sloppy): each CONF_STYLE_UNBUILT letter once. */
static size_t
style_unbuilt(const char *style, void (*out)(void *, const char *), void *arg)
{
	const char *u;
	char line[160];
	size_t n = 0;

	if (style == NULL || strcasecmp(style, "strict") == 0 ||
	    strcasecmp(style, "sloppy") == 0)
		return 0;
	for (u = CONF_STYLE_UNBUILT; *u != '\0'; u++) {
		if (strchr(style, *u) == NULL)
			continue;
		snprintf(line, sizeof(line),
		    "command line: option -s style flag %c: parsed but not "
		    "implemented, it has no effect",
		    *u);
		out(arg, line);
		n++;
	}
	return n;
}

size_t
unbuilt_report(const struct options *o, const struct conf *c,
    void (*out)(void *, const char *), void *arg)
{
	struct where w = { c->path ? c->path : "(defaults)", out, arg };
	char line[160];
	const char *f;
	size_t n;

	n = conf_unbuilt(c, in_file, &w);
	if (o == NULL)
		return n;
	for (f = o->unbuilt; *f != '\0'; f++) {
		snprintf(line, sizeof(line),
		    "command line: option -%c: parsed but not implemented, "
		    "it has no effect",
		    *f);
		out(arg, line);
		n++;
	}
	return n + style_unbuilt(o->style, out, arg);
}

static void
to_log(void *arg, const char *line)
{
	(void)arg;
	log_msg(LOG_WARNING, "%s", line);
}

size_t
unbuilt_log(const struct options *o, const struct conf *c)
{
	return unbuilt_report(o, c, to_log, NULL);
}
