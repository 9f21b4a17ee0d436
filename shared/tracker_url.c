/*
 * tracker_url.c - parse and show the redis:// and unix: forms of PARAM
 * tracking-cluster.  Every part is bounded; a password is kept for the
 * connection only and shown as "***".
 * Not for: ZMailer's "address port secret" peer form (conf_types.c).
 */
#include "tracker_url.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REDIS_PORT 6379
#define REDIS_MAX_DB 65535

int
tracker_url_is(const char *t)
{
	return strncasecmp(t, "redis://", 8) == 0 ||
	    strncasecmp(t, "unix:", 5) == 0;
}

/* Copy [s, s+n) into out[len]; -1 if it does not fit. */
static int
part(char *out, size_t len, const char *s, size_t n)
{
	if (n >= len)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* Decimal in [lo, hi], all of [s, s+n); -1 otherwise. */
static int
number(const char *s, size_t n, long lo, long hi, int *out)
{
	long v = 0;
	size_t i;

	if (n == 0 || n > 6)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* user:password@ before the host; *s moves past it. */
static int
userinfo(const char **s, struct tracker_url *u, char *err, size_t errlen)
{
	const char *at = strrchr(*s, '@'), *colon;

	if (at == NULL)
		return 0;
	colon = memchr(*s, ':', (size_t)(at - *s));
	if (colon == NULL) { /* redis://password@host, as some clients */
		colon = *s - 1;
	} else if (part(u->user, sizeof(u->user), *s, (size_t)(colon - *s)) <
	    0) {
		snprintf(err, errlen, "user name too long");
		return -1;
	}
	if (part(u->password, sizeof(u->password), colon + 1,
	        (size_t)(at - colon - 1)) < 0) {
		snprintf(err, errlen, "password too long (at most %d bytes)",
		    TRACKER_SECRET_MAX - 1);
		return -1;
	}
	*s = at + 1;
	return 0;
}

/* host[:port] or [v6][:port], then [/db] */
static int
hostport(const char *s, struct tracker_url *u, char *err, size_t errlen)
{
	const char *end, *p;

	if (*s == '[') {
		if ((end = strchr(s, ']')) == NULL) {
			snprintf(err, errlen, "no ']' after the IPv6 address");
			return -1;
		}
		p = end + 1;
		s++;
		if (*p != '\0' && *p != ':' && *p != '/') {
			snprintf(err, errlen, "junk after ']'");
			return -1;
		}
	} else {
		end = s + strcspn(s, ":/");
		p = end;
	}
	if (end == s || part(u->host, sizeof(u->host), s, (size_t)(end - s))) {
		snprintf(err, errlen, "host name missing or too long");
		return -1;
	}
	if (strspn(u->host,
	        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW"
	        "XYZ0123456789.-_:") != strlen(u->host)) {
		snprintf(err, errlen, "bad character in the host name");
		return -1;
	}
	if (*p == ':' &&
	    number(p + 1, strcspn(p + 1, "/"), 1, 65535, &u->port) < 0) {
		snprintf(err, errlen, "bad port (1..65535)");
		return -1;
	}
	p += strcspn(p, "/");
	if (*p == '/' && p[1] != '\0' &&
	    number(p + 1, strlen(p + 1), 0, REDIS_MAX_DB, &u->db) < 0) {
		snprintf(err, errlen, "bad database number after '/'");
		return -1;
	}
	return 0;
}

int
tracker_url_parse(
    const char *t, struct tracker_url *u, char *err, size_t errlen)
{
	const char *s;
	size_t i;

	memset(u, 0, sizeof(*u));
	u->port = REDIS_PORT;
	if (strlen(t) >= TRACKER_URL_MAX) {
		snprintf(err, errlen, "URL too long (at most %d bytes)",
		    TRACKER_URL_MAX - 1);
		return -1;
	}
	for (i = 0; t[i] != '\0'; i++)
		if (!isgraph((unsigned char)t[i])) {
			snprintf(err, errlen, "blank or control character");
			return -1;
		}
	if (strncasecmp(t, "unix:", 5) == 0) {
		u->is_unix = 1;
		if (t[5] != '/' ||
		    part(u->path, sizeof(u->path), t + 5, strlen(t + 5)) < 0) {
			snprintf(err, errlen,
			    "unix: needs an absolute socket path "
			    "(at most %d bytes)",
			    TRACKER_PATH_MAX - 1);
			return -1;
		}
		return 0;
	}
	if (strncasecmp(t, "redis://", 8) != 0) {
		snprintf(err, errlen,
		    "expected redis://host[:port][/db] or "
		    "unix:/path");
		return -1;
	}
	s = t + 8;
	if (userinfo(&s, u, err, errlen) < 0)
		return -1;
	return hostport(s, u, err, errlen);
}

void
tracker_url_show(const struct tracker_url *u, char *out, size_t len)
{
	const char *v6 = strchr(u->host, ':') ? "[" : "";

	if (u->is_unix) {
		snprintf(out, len, "unix:%s", u->path);
		return;
	}
	snprintf(out, len, "redis://%s%s%s%s%s%s%s:%d/%d", u->user,
	    *u->password ? ":***" : "", *u->user || *u->password ? "@" : "", v6,
	    u->host, *v6 ? "]" : "", "", u->port, u->db);
}
