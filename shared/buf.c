/*
 * buf.c - growable byte buffer with a hard maximum (see buf.h).
 * Not for: line framing (stream.c) or escaping (log.c).
 */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
	b->err = 0;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->err = 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->err = 0;
	if (b->data)
		b->data[0] = '\0';
}

/* Remember the failure (sticky) and report it. */
static int
refuse(struct buf *b)
{
	buf_fail(b);
	return -1;
}

/*
 * Make room for extra more bytes plus the NUL; -1 past max, on ENOMEM or
 * when b has already failed (and then b stays failed).
 */
int
buf_reserve(struct buf *b, size_t extra)
{
	size_t need, ncap;
	char *n;

	if (b->err || extra > b->max || b->len > b->max - extra)
		return refuse(b);
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need) {
		if (ncap > ((size_t)-1) / 2)
			return refuse(b);
		ncap *= 2;
	}
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	n = realloc(b->data, ncap);
	if (n == NULL)
		return refuse(b);
	b->data = n;
	b->cap = ncap;
	return 0;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_putc(struct buf *b, int c)
{
	char ch = (char)c;

	return buf_append(b, &ch, 1);
}

int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return refuse(b);
	if (buf_reserve(b, (size_t)n) < 0)
		return -1;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

/* Drop the first n bytes. */
void
buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		buf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

int
buf_failed(const struct buf *b)
{
	return b->err != 0;
}

void
buf_fail(struct buf *b)
{
	b->err = 1;
}

char *
buf_strdup(const struct buf *b)
{
	char *s = malloc(b->len + 1);

	if (s == NULL)
		return NULL;
	if (b->len)
		memcpy(s, b->data, b->len);
	s[b->len] = '\0';
	return s;
}
