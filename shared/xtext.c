/*
 * xtext.c - RFC 3461 xtext (see xtext.h).
 */
#include "xtext.h"

#include <stdlib.h>
#include <string.h>

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
xtext_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if (*p == '+') {
			if (hexval(p[1]) < 0 || hexval(p[2]) < 0)
				return 0;
			p += 2;
		} else if (*p < '!' || *p > '~' || *p == '=') {
			return 0;
		}
	}
	return 1;
}

char *
xtext_decode(const char *s)
{
	char *out, *o;

	if (!xtext_valid(s))
		return NULL;
	out = o = malloc(strlen(s) + 1);
	if (out == NULL)
		return NULL;
	for (; *s; s++) {
		if (*s == '+') {
			*o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

char *
xtext_encode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;
	char *out, *o;

	out = o = malloc(strlen(s) * 3 + 1);
	if (out == NULL)
		return NULL;
	for (; *p; p++) {
		if (*p >= '!' && *p <= '~' && *p != '+' && *p != '=') {
			*o++ = (char)*p;
		} else {
			*o++ = '+';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}
