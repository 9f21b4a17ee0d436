/*
 * hdrs.c - the list of headers a transaction puts on top of the message:
 * a check of each one's shape, limits on count and size, and the writer
 * that hands them to the spool with LF line ends (the spool's form).
 * Not for: deciding what to add (spf.c, polsvc.c and the like).
 */
#include "hdrs.h"

#include <stdlib.h>
#include <string.h>

/* The field name: 1..76 printable bytes before ':'; its length or 0. */
static size_t
name_len(const char *t)
{
	size_t i;

	for (i = 0; t[i] && t[i] != ':'; i++)
		if ((unsigned char)t[i] <= 0x20 || (unsigned char)t[i] >= 0x7f)
			return 0;
	return t[i] == ':' && i > 0 && i <= 76 ? i : 0;
}

/* Copy text to out, keeping folds, blanking other control bytes; the
 * output length, or 0 when a physical line is too long or empty. */
static size_t
clean(const char *t, char *out)
{
	size_t i, o = 0, col = 0;
	unsigned char c;

	for (i = 0; t[i]; i++) {
		c = (unsigned char)t[i];
		if (c == '\r' && t[i + 1] == '\n')
			continue;
		if (c == '\n' && (t[i + 1] == ' ' || t[i + 1] == '\t')) {
			out[o++] = '\n';
			col = 0;
			continue;
		}
		out[o++] = (c < 0x20 && c != '\t') || c == 0x7f ? ' ' : (char)c;
		if (++col > HDRS_LINE_MAX)
			return 0;
	}
	out[o] = '\0';
	return o;
}

int
hdrs_add(struct hdrs *h, const char *text)
{
	size_t len = strlen(text), n;
	char *copy;

	if (h->n >= HDRS_MAX || len > HDRS_BYTES - h->bytes ||
	    name_len(text) == 0)
		return -1;
	if ((copy = malloc(len + 1)) == NULL)
		return -1;
	if ((n = clean(text, copy)) == 0) {
		free(copy);
		return -1;
	}
	h->line[h->n++] = copy;
	h->bytes += n + 1;
	return 0;
}

int
hdrs_write(
    const struct hdrs *h, int (*put)(void *, const char *, size_t), void *arg)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (put(arg, h->line[i], strlen(h->line[i])) < 0 ||
		    put(arg, "\n", 1) < 0)
			return -1;
	return 0;
}

void
hdrs_free(struct hdrs *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		free(h->line[i]);
	memset(h, 0, sizeof(*h));
}
