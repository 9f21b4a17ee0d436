/*
 * rfc5321_int.h - the byte helpers that the path parser (rfc5321.c) and
 * the parameter parser (rfc5321_param.c) share.
 * Not part of the parser's API (rfc5321.h).
 */
#ifndef SMTPD_RFC5321_INT_H
#define SMTPD_RFC5321_INT_H

#include <stdlib.h>
#include <string.h>

/* RFC 5321 Let-dig: an ASCII letter or digit, whatever the locale. */
static inline int
is_letdig(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* A malloc'ed, NUL-terminated copy of n bytes of s; NULL on ENOMEM. */
static inline char *
dup_span(const unsigned char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

#endif
