/*
 * conf.c - the smtpserver.conf(5) reader, driven by the PARAM table
 * of params.c: bounded lines, PARAM keywords, $-expansion, quoting,
 * newgroup, HELO-pattern lines; defaults, free, lookup and dump.
 * Not for: what a value means at run time, or per-type parsing
 * (conf_types.c).
 */
#include "conf.h"
#include "params.h"
#include "zenv.h"
#include "buf.h"
#include "safefile.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONF_MAX_LINE 1023   /* as ZMailer's 1024-byte fgets buffer */
#define CONF_MAX_EXPAND 4096 /* a PARAM line after $-expansion */
#define CONF_MAX_ARGS 8      /* words kept; more are counted */
#define CONF_MAX_GROUPS 64
#define CONF_MAX_HELO 10000
#define CONF_MAX_GROUPNAME 63

/*
 * Split s in place into words: blanks separate, "..." and '...' quote
 * (the quotes are removed and may sit inside a word).  Keeps the first
 * CONF_MAX_ARGS words in av, returns how many there were, -1 on an
 * unterminated quote.
 */
static int
split_words(char *s, char **av)
{
	char *w, q;
	int ac = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			return ac;
		w = s;
		if (ac < CONF_MAX_ARGS)
			av[ac] = w;
		ac++;
		for (q = 0; *s != '\0' && (q || (*s != ' ' && *s != '\t'));
		     s++) {
			if ((*s == '"' || *s == '\'') && (q == 0 || q == *s))
				q = q ? 0 : *s;
			else
				*w++ = *s;
		}
		if (q)
			return -1;
		if (*s != '\0')
			s++;
		*w = '\0';
	}
}

/* The number of words the row's setter takes (extra ones are warned about
 * and dropped), or -1 when some are missing. */
static int
check_args(struct pctx *cx, const struct param *p, char **av, int ac)
{
	int amin, amax;

	param_args(p, &amin, &amax);
	if (ac < amin) {
		pctx_error(cx, "PARAM %s: missing argument: expected %s",
		    p->name, param_usage(p));
		return -1;
	}
	if (ac > amax) {
		pctx_warn(cx, "PARAM %s: extra argument '%s' ignored", p->name,
		    av[amax]);
		ac = amax;
	}
	return ac;
}

static int
new_group(struct pctx *cx, const char *name)
{
	struct conf *c = cx->conf;
	struct conf_group *ng, *g;
	size_t i;
	int r = 0;

	if (*name == '\0' || strlen(name) > CONF_MAX_GROUPNAME) {
		pctx_error(cx,
		    "PARAM newgroup: expected a name of 1..%d characters",
		    CONF_MAX_GROUPNAME);
		return -1;
	}
	for (i = 0; i < c->ngroups; i++) {
		if (strcasecmp(c->groups[i].name, name) == 0) {
			pctx_error(cx,
			    "PARAM newgroup: group '%s' is already defined",
			    name);
			return -1;
		}
	}
	if (c->ngroups >= CONF_MAX_GROUPS) {
		pctx_error(cx, "PARAM newgroup: too many groups (at most %d)",
		    CONF_MAX_GROUPS);
		return -1;
	}
	ng = realloc(c->groups, (c->ngroups + 1) * sizeof(*ng));
	if (ng == NULL) {
		pctx_error(cx, "out of memory");
		return -1;
	}
	c->groups = ng;
	g = &ng[c->ngroups++];
	*g = ng[0];
	for (i = 0; i < conf_nparams; i++) /* every row, even after a failure */
		if (conf_params[i].flags & P_GROUP &&
		    param_dup(g, &conf_params[i]) < 0)
			r = -1;
	if ((g->name = strdup(name)) == NULL || r < 0) {
		pctx_error(cx, "out of memory");
		return -1;
	}
	cx->gi = c->ngroups - 1;
	return 0;
}

/* Apply one PARAM: raw is the text after the name (one blank skipped). */
static int
apply_param(struct pctx *cx, const struct param *p, const char *raw,
    const struct zenv *env)
{
	char *av[CONF_MAX_ARGS];
	struct buf b;
	int ac, r = -1;

	if (p->type == PT_RAW || p->type == PT_RAWLIST)
		return param_set(cx, p, NULL, 0, raw);
	buf_init(&b, CONF_MAX_EXPAND);
	if (zenv_expand(env, raw, &b) < 0 || /* NULL env: $$ only */
	    buf_putc(&b, '\0') < 0) {
		pctx_error(cx,
		    "PARAM %s: line too long after $-expansion "
		    "(at most %d characters)",
		    p->name, CONF_MAX_EXPAND - 1);
		goto out;
	}
	if ((ac = split_words(b.data, av)) < 0) {
		pctx_error(cx, "PARAM %s: unterminated quote", p->name);
		goto out;
	}
	if ((ac = check_args(cx, p, av, ac)) < 0)
		goto out;
	if (p->type == PT_NEWGROUP)
		r = new_group(cx, av[0]);
	else
		r = param_set(cx, p, av, ac, raw);
out:
	buf_free(&b);
	return r;
}

/* "PARAM name rest": look the name up and apply it. */
static int
param_line(struct pctx *cx, char *s, const struct zenv *env)
{
	const struct param *p;
	char *name;

	while (*s == ' ' || *s == '\t')
		s++;
	name = s;
	s += strcspn(s, " \t");
	if (*s != '\0')
		*s++ = '\0'; /* exactly one blank: raw text keeps the rest */
	if (*name == '\0') {
		pctx_error(cx, "expected a PARAM name");
		return -1;
	}
	if ((p = param_find(name)) == NULL) {
		pctx_warn(cx, "unknown PARAM '%s'", name);
		return 0;
	}
	if (p->flags & P_DEPRECATED)
		pctx_warn(cx, "PARAM %s is deprecated, see smtpserver.conf(5)",
		    p->name);
	return apply_param(cx, p, s, env);
}

/*
 * HELO-pattern line "glob [maxload] flags": glob lowercased; flags kept
 * whole, except that a "* !text" (placeholder, then '!') rejects like
 * "!text" and is stored as "!text" (smtpserver.conf(5) HELO-PATTERN
 * LINES; ZMailer ignored it, see DIFFERENCES FROM ZMAILER there).
 */
static int
helo_line(struct pctx *cx, char *s)
{
	struct conf *c = cx->conf;
	struct conf_helo *h, *nh;
	char *glob = s, *f;
	long load = -1;

	s += strcspn(s, " \t");
	if (*s != '\0')
		*s++ = '\0';
	s += strspn(s, " \t");
	if (isdigit((unsigned char)*s)) {
		errno = 0;
		load = strtol(s, &s, 10);
		if (errno != 0 || load > 100000) {
			pctx_error(cx, "expected a load average in 2..100000");
			return -1;
		}
		if (load < 2)
			load = 2; /* as ZMailer: 2 is very low already */
		s += strspn(s, " \t");
	}
	if (c->nhelo >= CONF_MAX_HELO) {
		pctx_error(cx, "too many HELO-pattern lines (at most %d)",
		    CONF_MAX_HELO);
		return -1;
	}
	if ((nh = realloc(c->helo, (c->nhelo + 1) * sizeof(*nh))) == NULL)
		goto nomem;
	c->helo = nh;
	h = &nh[c->nhelo];
	f = s;
	if (f[0] == '*' && (f[1] == ' ' || f[1] == '\t') &&
	    f[1 + strspn(f + 1, " \t")] == '!')
		f += 1 + strspn(f + 1, " \t");
	h->glob = strdup(glob);
	h->flags = strdup(f);
	h->maxload = (int)load;
	h->line = cx->line;
	h->reject = *f == '!';
	c->nhelo++;
	if (h->glob == NULL || h->flags == NULL)
		goto nomem;
	for (f = h->glob; *f != '\0'; f++)
		*f = (char)tolower((unsigned char)*f);
	return 0;
nomem:
	pctx_error(cx, "out of memory");
	return -1;
}

static int
conf_line(struct pctx *cx, char *s, const struct zenv *env)
{
	if (*s == '\0' || *s == '#' || isspace((unsigned char)*s))
		return 0;
	if (strncmp(s, "PARAM", 5) == 0 &&
	    (s[5] == '\0' || isspace((unsigned char)s[5])))
		return param_line(cx, s + 5, env);
	if (strncasecmp(s, "PARAM", 5) == 0 && isspace((unsigned char)s[5]))
		pctx_warn(cx,
		    "'%.5s' is read as a HELO pattern; a PARAM "
		    "keyword must be upper case",
		    s);
	return helo_line(cx, s);
}

/* One line into b, without LF (and a CR before it).  1 = line, 0 = EOF,
 * -1 = too long or NUL byte; the rest of the line is drained. */
static int
read_line(FILE *fp, struct buf *b, const char **why)
{
	int c, any = 0;

	buf_reset(b);
	*why = NULL;
	while ((c = getc(fp)) != EOF && c != '\n') {
		any = 1;
		if (c == '\0' && *why == NULL)
			*why = "NUL byte in line";
		else if (*why == NULL && buf_putc(b, c) < 0)
			*why = "line too long (at most 1023 characters)";
	}
	if (!any && c != '\n')
		return 0;
	if (b->len > 0 && b->data[b->len - 1] == '\r')
		b->data[--b->len] = '\0';
	if (*why == NULL && b->len > CONF_MAX_LINE)
		*why = "line too long (at most 1023 characters)";
	return *why ? -1 : 1;
}

static int
read_file(struct pctx *cx, FILE *fp, const struct zenv *env)
{
	const char *why;
	struct buf b;
	int r;

	buf_init(&b, CONF_MAX_LINE + 1); /* + a CR before the LF */
	if (buf_reserve(&b, 0) < 0) {
		pctx_error(cx, "out of memory");
		return -1;
	}
	while ((r = read_line(fp, &b, &why)) != 0) {
		cx->line++;
		if (r < 0) {
			pctx_error(cx, "%s", why);
			break;
		}
		if ((r = conf_line(cx, b.data, env)) < 0)
			break;
	}
	if (r == 0 && ferror(fp)) {
		cx->line = 0;
		pctx_error(cx, "read error");
		r = -1;
	}
	buf_free(&b);
	return r;
}

static struct conf *
conf_new(void)
{
	struct conf *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->groups = calloc(1, sizeof(*c->groups));
	if (c->groups == NULL) {
		free(c);
		return NULL;
	}
	c->ngroups = 1;
	if ((c->groups[0].name = strdup("default")) == NULL) {
		conf_free(c);
		return NULL;
	}
	return c;
}

/* The table defaults, through the same setters as the file. */
static int
apply_defaults(struct pctx *cx)
{
	const struct param *p;
	size_t i;

	cx->defaults = 1;
	for (i = 0; i < conf_nparams; i++) {
		p = &conf_params[i];
		if (p->def == NULL)
			continue;
		if (p->type == PT_SET || p->type == PT_CLR) {
			if (strcmp(p->def, "yes") == 0 &&
			    param_set(cx, p, NULL, 0, "") < 0)
				return -1;
		} else if (apply_param(cx, p, p->def, NULL) < 0)
			return -1;
	}
	cx->defaults = 0;
	return 0;
}

struct conf *
conf_defaults(void)
{
	struct pctx cx;
	char err[256];
	struct conf *c;

	if ((c = conf_new()) == NULL)
		return NULL;
	memset(&cx, 0, sizeof(cx));
	cx.path = "(defaults)";
	cx.conf = c;
	cx.err = err;
	cx.errlen = sizeof(err);
	if (apply_defaults(&cx) < 0) {
		conf_free(c);
		return NULL;
	}
	return c;
}

/* One of a cert/key pair given: the other defaults to it (as ZMailer). */
static int
pair_default(char **a, char **b)
{
	if (*a != NULL && *b == NULL && (*b = strdup(*a)) == NULL)
		return -1;
	if (*b != NULL && *a == NULL && (*a = strdup(*b)) == NULL)
		return -1;
	return 0;
}

/* Checks that need the whole file. */
static int
finish(struct pctx *cx)
{
	struct conf *c = cx->conf;
	struct conf_group *g;
	struct stat st;
	size_t i;

	cx->line = 0;
	for (i = 0; i < c->ngroups; i++) {
		g = &c->groups[i];
		if (pair_default(&g->tls_cert_file, &g->tls_key_file) < 0 ||
		    pair_default(&g->tls_dcert_file, &g->tls_dkey_file) < 0) {
			pctx_error(cx, "out of memory");
			return -1;
		}
		if (g->listen_ssmtp && !g->use_tls)
			pctx_warn(cx, "group %s: listen-ssmtp needs use-tls",
			    g->name);
	}
	if (c->min_idle_workers > c->max_idle_workers) {
		pctx_error(cx,
		    "min-idle-workers (%d) exceeds max-idle-workers (%d)",
		    c->min_idle_workers, c->max_idle_workers);
		return -1;
	}
	if (c->contentfilter != NULL && access(c->contentfilter, X_OK) < 0 &&
	    (stat(c->contentfilter, &st) < 0 || !S_ISSOCK(st.st_mode)))
		pctx_warn(cx,
		    "contentfilter %s is neither executable nor a socket; "
		    "messages will get 451",
		    c->contentfilter);
	return 0;
}

struct conf *
conf_load_fp(FILE *fp, const char *name, const struct zenv *env, char *err,
    size_t errlen, void (*warn_cb)(void *, const char *), void *warn_arg)
{
	struct pctx cx;
	struct conf *c;
	int r = -1;

	memset(&cx, 0, sizeof(cx));
	cx.path = name;
	cx.err = err;
	cx.errlen = errlen;
	cx.warn = warn_cb;
	cx.warn_arg = warn_arg;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	c = conf_defaults();
	cx.conf = c;
	cx.seen = calloc(conf_nparams, 1);
	if (c == NULL || cx.seen == NULL || (c->path = strdup(name)) == NULL)
		pctx_error(&cx, "out of memory");
	else
		r = read_file(&cx, fp, env);
	free(cx.seen);
	if (r < 0 || finish(&cx) < 0) {
		conf_free(c);
		return NULL;
	}
	return c;
}

struct conf *
conf_load(const char *path, const struct zenv *env, char *err, size_t errlen,
    void (*warn_cb)(void *, const char *), void *warn_arg)
{
	struct conf *c;
	char why[1024];
	FILE *fp;

	/* a FIFO would block, /dev/zero would never end a line */
	if ((fp = safe_fopen_regular(path, why, sizeof(why))) == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s", why);
		return NULL;
	}
	c = conf_load_fp(fp, path, env, err, errlen, warn_cb, warn_arg);
	fclose(fp);
	return c;
}

void
conf_free(struct conf *c)
{
	const struct param *p;
	size_t i, k;

	if (c == NULL)
		return;
	for (i = 0; i < conf_nparams; i++) {
		p = &conf_params[i];
		if (!(p->flags & P_GROUP))
			param_free(c, p);
		else
			for (k = 0; k < c->ngroups; k++)
				param_free(&c->groups[k], p);
	}
	for (k = 0; k < c->ngroups; k++)
		free(c->groups[k].name);
	for (k = 0; k < c->nhelo; k++) {
		free(c->helo[k].glob);
		free(c->helo[k].flags);
	}
	free(c->groups);
	free(c->helo);
	free(c->path);
	free(c);
}

/* NULL when idx names no group. */
const struct conf_group *
conf_group(const struct conf *c, size_t idx)
{
	return c != NULL && idx < c->ngroups ? &c->groups[idx] : NULL;
}

const struct conf_helo *
conf_helo_match(const struct conf *c, const char *name)
{
	const struct conf_helo *h = NULL;
	size_t i, n = strlen(name);
	char *l;

	if ((l = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0; i <= n; i++)
		l[i] = (char)tolower((unsigned char)name[i]);
	for (i = 0; i < c->nhelo && h == NULL; i++)
		if (fnmatch(c->helo[i].glob, l, 0) == 0)
			h = &c->helo[i];
	free(l);
	return h;
}

void
conf_dump(const struct conf *c, void (*out)(void *, const char *), void *arg)
{
	char line[CONF_MAX_LINE + 64];
	const struct conf_helo *h;
	size_t i, k;

	for (i = 0; i < conf_nparams; i++)
		if (!(conf_params[i].flags & P_GROUP))
			param_dump(c, &conf_params[i], out, arg);
	for (k = 0; k < c->ngroups; k++) {
		snprintf(
		    line, sizeof(line), "newgroup = %s", c->groups[k].name);
		out(arg, line);
		for (i = 0; i < conf_nparams; i++)
			if (conf_params[i].flags & P_GROUP)
				param_dump(
				    &c->groups[k], &conf_params[i], out, arg);
	}
	for (k = 0; k < c->nhelo; k++) {
		h = &c->helo[k];
		if (h->maxload >= 0)
			snprintf(line, sizeof(line), "helo-pattern = %s %d %s",
			    h->glob, h->maxload, h->flags);
		else
			snprintf(line, sizeof(line), "helo-pattern = %s %s",
			    h->glob, h->flags);
		out(arg, line);
	}
}

size_t
conf_param_count(void)
{
	return conf_nparams;
}

const char *
conf_param_name(size_t i)
{
	return i < conf_nparams ? conf_params[i].name : NULL;
}

const char *
conf_param_alias(size_t i, size_t j)
{
	if (i >= conf_nparams || j >= P_MAXALIAS)
		return NULL;
	return conf_params[i].alias[j];
}

int
conf_param_info(size_t i, struct conf_param_info *pi)
{
	const struct param *p;

	if (i >= conf_nparams)
		return -1;
	p = &conf_params[i];
	memset(pi, 0, sizeof(*pi));
	pi->name = p->name;
	pi->type = param_type_name(p->type);
	pi->def = p->def;
	pi->choices = p->choices;
	pi->min = p->min;
	pi->max = p->max;
	pi->group = (p->flags & P_GROUP) != 0;
	pi->reloadable = !(p->flags & P_NORELOAD);
	pi->deprecated = (p->flags & P_DEPRECATED) != 0;
	pi->ours = (p->flags & P_OURS) != 0;
	pi->unimpl = (p->flags & P_UNIMPL) != 0;
	return 0;
}
