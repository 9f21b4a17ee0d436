/*
 * auth.c - AUTH mechanism helpers (see auth.h).
 * Not for: anything that touches the session or the helper.
 */
#include "auth.h"

#include <string.h>
#include <strings.h>

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

enum auth_mech
auth_mech(const char *name, size_t len)
{
	if (len == 5 && strncasecmp(name, "PLAIN", 5) == 0)
		return AUTH_MECH_PLAIN;
	if (len == 5 && strncasecmp(name, "LOGIN", 5) == 0)
		return AUTH_MECH_LOGIN;
	return AUTH_MECH_NONE;
}

static int
b64_value(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;

	return p ? (int)(p - b64) : -1;
}

int
auth_b64_decode(const char *in, size_t n, struct buf *out)
{
	unsigned char q[3];
	size_t i, pad = 0;

	if (n == 1 && in[0] == '=')
		return 0;
	if (n % 4 != 0)
		return -1;
	while (pad < 2 && pad < n && in[n - 1 - pad] == '=')
		pad++;
	for (i = 0; i < n; i += 4) {
		int v[4], k;

		for (k = 0; k < 4; k++) {
			v[k] = i + (size_t)k >= n - pad
			    ? 0
			    : b64_value(in[i + (size_t)k]);
			if (v[k] < 0)
				return -1;
		}
		q[0] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		q[1] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
		q[2] = (unsigned char)((v[2] & 3) << 6 | v[3]);
		k = i + 4 < n ? 3 : 3 - (int)pad;
		if (buf_append(out, q, (size_t)k) < 0)
			return -1;
	}
	return 0;
}

int
auth_b64_encode(const char *s, size_t n, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, o = 0;

	if (outlen < (n + 2) / 3 * 4 + 1)
		return -1;
	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o] = '\0';
	return 0;
}

int
auth_plain(const char *msg, size_t len, const char **user, const char **pass)
{
	const char *a = msg, *u, *p;
	size_t al, ul;

	if ((u = memchr(a, '\0', len)) == NULL)
		return -1;
	al = (size_t)(u - a);
	u++;
	if ((p = memchr(u, '\0', len - al - 1)) == NULL)
		return -1;
	ul = (size_t)(p - u);
	p++;
	if (memchr(p, '\0', len - al - ul - 2) != NULL)
		return -1;
	if (ul == 0 || ul > AUTH_USER_MAX || strlen(p) > AUTH_PASS_MAX ||
	    *p == '\0')
		return -1;
	/* we do not let one user act for another */
	if (al != 0 && (al != ul || memcmp(a, u, ul) != 0))
		return -2;
	*user = u;
	*pass = p;
	return 0;
}

int
auth_user_ok(const char *user)
{
	size_t i;

	if (user[0] == '-') /* argv[1] of the pipe program: not an option */
		return 0;
	for (i = 0; user[i]; i++)
		if ((unsigned char)user[i] <= 0x20 ||
		    (unsigned char)user[i] == 0x7f || user[i] == '"' ||
		    user[i] == '\\')
			return 0;
	return i > 0 && i <= AUTH_USER_MAX;
}

int
auth_pass_ok(const char *pass)
{
	size_t n = strlen(pass);

	return n > 0 && n <= AUTH_PASS_MAX && strpbrk(pass, "\r\n") == NULL;
}
