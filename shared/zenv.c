/*
 * zenv.c - ZENV: the NAME=value lines of /etc/zmailer.conf (see zenv.h)
 * and the $-expansion of smtpserver.conf PARAM values.
 * For: reading the file once, lookups, test/command-line overrides.
 * Not for: the process environment (never consulted) or shell syntax
 * beyond one pair of quotes around a value.
 */
#include "zenv.h"
#include "buf.h"
#include "safefile.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZENV_MAX_LINE 4096  /* one NAME=value line, bytes */
#define ZENV_MAX_NAME 79    /* as ZMailer's 80-byte name buffer */
#define ZENV_MAX_VARS 10000 /* entries in one file */

struct zvar {
	char *name;
	char *value;
};

struct zenv {
	struct zvar *v;
	size_t n, cap;
};

struct zenv *
zenv_empty(void)
{
	return calloc(1, sizeof(struct zenv));
}

void
zenv_free(struct zenv *z)
{
	size_t i;

	if (z == NULL)
		return;
	for (i = 0; i < z->n; i++) {
		free(z->v[i].name);
		free(z->v[i].value);
	}
	free(z->v);
	free(z);
}

static int
name_char(int c)
{
	return isascii(c) && (isalnum(c) || c == '_');
}

const char *
zenv_get(const struct zenv *z, const char *name)
{
	size_t i;

	if (z == NULL || name == NULL)
		return NULL;
	for (i = 0; i < z->n; i++)
		if (strcmp(z->v[i].name, name) == 0)
			return z->v[i].value;
	return NULL;
}

/* Set name (n bytes) = value; last assignment wins, as when sh sources it. */
static int
zenv_setn(struct zenv *z, const char *name, size_t n, const char *value)
{
	struct zvar *nv;
	char *val;
	size_t i;

	if (n == 0 || n > ZENV_MAX_NAME || (val = strdup(value)) == NULL)
		return -1;
	for (i = 0; i < z->n; i++) {
		if (strlen(z->v[i].name) == n &&
		    memcmp(z->v[i].name, name, n) == 0) {
			free(z->v[i].value);
			z->v[i].value = val;
			return 0;
		}
	}
	if (z->n >= ZENV_MAX_VARS)
		goto fail;
	if (z->n == z->cap) {
		size_t ncap = z->cap ? z->cap * 2 : 16;

		nv = realloc(z->v, ncap * sizeof(*nv));
		if (nv == NULL)
			goto fail;
		z->v = nv;
		z->cap = ncap;
	}
	if ((z->v[z->n].name = strndup(name, n)) == NULL)
		goto fail;
	z->v[z->n++].value = val;
	return 0;
fail:
	free(val);
	return -1;
}

int
zenv_set(struct zenv *z, const char *name, const char *value)
{
	size_t i;

	if (z == NULL || name == NULL || value == NULL)
		return -1;
	for (i = 0; name[i] != '\0'; i++)
		if (!name_char((unsigned char)name[i]))
			return -1;
	return zenv_setn(z, name, i, value);
}

/*
 * Parse one line (NUL-terminated, no LF).  Returns 0 and sets *why = NULL
 * when the line was used or ignored, -1 with *why on a malformed line.
 */
static int
zenv_line(struct zenv *z, char *s, const char **why)
{
	char *name, *val, *end;
	size_t n;

	*why = NULL;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || *s == '#')
		return 0;
	name = s;
	while (name_char((unsigned char)*s))
		s++;
	n = (size_t)(s - name);
	if (n == 0 || *s != '=') {
		*why = "expected NAME=value";
		return -1;
	}
	if (n > ZENV_MAX_NAME) {
		*why = "name too long";
		return -1;
	}
	val = s + 1;
	end = val + strlen(val);
	while (end > val && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	if (*val == '"' || *val == '\'') {
		if (end - val < 2 || end[-1] != *val) {
			*why = "unterminated quoted value";
			return -1;
		}
		end[-1] = '\0';
		val++;
	}
	if (zenv_setn(z, name, n, val) < 0) {
		*why = "out of memory or too many names";
		return -1;
	}
	return 0;
}

/* Read one line into b (LF dropped, CR before it too).  1 = line, 0 = EOF,
 * -1 = too long or NUL byte (the rest of the line is drained). */
static int
read_line(FILE *fp, struct buf *b)
{
	int c, bad = 0, any = 0;

	buf_reset(b);
	while ((c = getc(fp)) != EOF) {
		any = 1;
		if (c == '\n')
			break;
		if (c == '\0' || (!bad && buf_putc(b, c) < 0))
			bad = 1;
	}
	if (!any)
		return 0;
	if (b->len > 0 && b->data[b->len - 1] == '\r')
		b->data[--b->len] = '\0';
	return bad ? -1 : 1;
}

static struct zenv *
zenv_read(FILE *fp, const char *path, char *err, size_t errlen)
{
	struct zenv *z = zenv_empty();
	struct buf b;
	const char *why = NULL;
	int r, line = 0;

	buf_init(&b, ZENV_MAX_LINE);
	if (z == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	while ((r = read_line(fp, &b)) != 0) {
		line++;
		if (r < 0)
			why = "line too long or NUL byte";
		else if (zenv_line(z, b.data ? b.data : (char *)"", &why) == 0)
			continue;
		snprintf(err, errlen, "%s:%d: %s", path, line, why);
		zenv_free(z);
		buf_free(&b);
		return NULL;
	}
	buf_free(&b);
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: read error", path);
		zenv_free(z);
		return NULL;
	}
	return z;
}

struct zenv *
zenv_load(const char *path, char *err, size_t errlen)
{
	struct zenv *z;
	FILE *fp;

	if (strcmp(path, "/dev/null") == 0) /* -Z /dev/null: no ZENV */
		return zenv_empty();
	if ((fp = safe_fopen_regular(path, err, errlen)) == NULL)
		return errno == ENOENT ? zenv_empty() : NULL;
	z = zenv_read(fp, path, err, errlen);
	fclose(fp);
	return z;
}

/*
 * The name after a '$' at *pp: $NAME, ${NAME} or $(NAME).  Returns its
 * length (0 = not a reference) and moves *pp past the reference.
 */
static size_t
ref_name(const char **pp, const char **name)
{
	const char *p = *pp, *e;

	if (*p == '{' || *p == '(') {
		e = strchr(p + 1, *p == '{' ? '}' : ')');
		if (e == NULL || e == p + 1)
			return 0;
		*name = p + 1;
		*pp = e + 1;
		return (size_t)(e - p - 1);
	}
	for (e = p; name_char((unsigned char)*e); e++)
		;
	*name = p;
	*pp = e;
	return (size_t)(e - p);
}

int
zenv_expand(const struct zenv *z, const char *in, struct buf *out)
{
	const char *p = in, *start, *name, *val;
	char key[ZENV_MAX_NAME + 1];
	size_t n;

	while (*p != '\0') {
		if (*p != '$') {
			n = strcspn(p, "$");
			if (buf_append(out, p, n) < 0)
				return -1;
			p += n;
			continue;
		}
		start = p++;
		if (*p == '$') {
			p++;
			if (buf_putc(out, '$') < 0)
				return -1;
			continue;
		}
		n = ref_name(&p, &name);
		val = NULL;
		if (n > 0 && n <= ZENV_MAX_NAME) {
			memcpy(key, name, n);
			key[n] = '\0';
			val = zenv_get(z, key);
		}
		if (val == NULL) { /* unknown: leave the text as it was */
			if (n == 0)
				p = start + 1;
			if (buf_append(out, start, (size_t)(p - start)) < 0)
				return -1;
		} else if (buf_puts(out, val) < 0)
			return -1;
	}
	return 0;
}
