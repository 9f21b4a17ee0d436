/*
 * auth.c - AUTH mechanism helpers (see auth.h).
 * Not for: anything that touches the session or the helper.
 */
#include "auth.h"

#include <openssl/evp.h>

#include <limits.h>
#include <string.h>
#include <strings.h>

enum auth_mech
auth_mech(const char *name, size_t len)
{
	if (len == 5 && strncasecmp(name, "PLAIN", 5) == 0)
		return AUTH_MECH_PLAIN;
	if (len == 5 && strncasecmp(name, "LOGIN", 5) == 0)
		return AUTH_MECH_LOGIN;
	return AUTH_MECH_NONE;
}

/* The base64 alphabet of RFC 4648 section 4, without the pad. */
static int
b64_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* OpenSSL's decoder on whole quartets; -1 unless it made m*3/4 bytes. */
static int
b64_quartets(const char *in, size_t m, unsigned char *to)
{
	return EVP_DecodeBlock(to, (const unsigned char *)in, (int)m) ==
	        (int)(m / 4 * 3)
	    ? 0
	    : -1;
}

/*
 * OpenSSL decodes; this checks first what it would forgive (blanks, a
 * pad inside the text), so that only canonical SASL base64 gets through.
 * The last quartet is decoded apart, so that its pad never needs room.
 */
int
auth_b64_decode(const char *in, size_t n, struct buf *out)
{
	unsigned char q[3];
	size_t i, pad = 0, body;

	if (n == 1 && in[0] == '=')
		return 0;
	if (n % 4 != 0 || n > INT_MAX)
		return -1;
	if (n == 0)
		return 0;
	while (pad < 2 && in[n - 1 - pad] == '=')
		pad++;
	for (i = 0; i < n - pad; i++)
		if (!b64_char((unsigned char)in[i]))
			return -1;
	body = n - 4;
	if (body > 0) {
		if (buf_reserve(out, body / 4 * 3) < 0 ||
		    b64_quartets(
		        in, body, (unsigned char *)out->data + out->len) < 0)
			return -1;
		out->len += body / 4 * 3;
		out->data[out->len] = '\0';
	}
	if (b64_quartets(in + body, 4, q) < 0)
		return -1;
	return buf_append(out, q, 3 - pad);
}

int
auth_b64_encode(const char *s, size_t n, char *out, size_t outlen)
{
	if (n > INT_MAX / 2 || outlen < (n + 2) / 3 * 4 + 1)
		return -1;
	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
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
