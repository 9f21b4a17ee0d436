/*
 * policy_src.c - one policy source line to a binary key and value block
 * (policy-builder(8) "Source syntax"), compatible with ZMailer's
 * "makedb -p": comments, indented lines and keys without attributes are
 * skipped; keys are lowercased; host bits of networks are masked.  Every
 * length is checked.
 */
#include "policy_src.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

static int
parse_width(const char *s, int max)
{
	int w = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		w = w * 10 + (*s - '0');
		if (w > max)
			return -1;
	}
	return w;
}

static void
mask(unsigned char *a, int nbytes, int width)
{
	int i, keep;

	for (i = 0; i < nbytes; i++) {
		keep = width - i * 8;
		if (keep < 8)
			a[i] &=
			    keep <= 0 ? 0 : (unsigned char)(0xff << (8 - keep));
	}
}

static int
net_key(char *text, char *slash, unsigned char *key, size_t keylen, char *why,
    size_t whylen)
{
	static const unsigned char v4map[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff };
	struct netkey k;
	char *a = text, *end;
	int w;

	*slash = '\0';
	memset(&k, 0, sizeof(k));
	if (*a == '[') {
		if ((end = strchr(++a, ']')) == NULL || end[1] != '\0')
			goto bad;
		*end = '\0';
	}
	if (strncmp(a, "ipv6.", 5) == 0 || strncmp(a, "ipv6:", 5) == 0)
		a += 5;
	if (strchr(a, ':') != NULL) {
		if (inet_pton(AF_INET6, a, k.a) != 1 ||
		    (w = parse_width(slash + 1, 128)) < 0)
			goto bad;
		mask(k.a, 16, w);
		if (w >= 96 && memcmp(k.a, v4map, 12) == 0) {
			k.v4 = 1; /* mapped network: stored as IPv4 */
			w -= 96;
		}
	} else {
		if (inet_pton(AF_INET, a, k.a + 12) != 1 ||
		    (w = parse_width(slash + 1, 32)) < 0)
			goto bad;
		k.v4 = 1;
		mask(k.a + 12, 4, w);
	}
	return pdb_key_ip(key, keylen, &k, w);
bad:
	snprintf(
	    why, whylen, "bad network key (want [a.b.c.d]/w or [ipv6.x::y]/w)");
	return -1;
}

int
policy_src_key(
    char *text, unsigned char *key, size_t keylen, char *why, size_t whylen)
{
	char *slash;
	int type = PK_DOMAIN, n;

	lower(text);
	if ((slash = strchr(text, '/')) != NULL)
		return net_key(text, slash, key, keylen, why, whylen);
	n = (int)strlen(text);
	if (text[0] == '[' && n > 2 && text[n - 1] == ']' && n < 80) {
		/* a bare "[address]" is that host (ZMailer made it a domain
		 * key that never matched, e.g. in smtp-policy.spam) */
		char host[96];

		snprintf(host, sizeof(host), "%s/%d", text,
		    strchr(text, ':') ? 128 : 32);
		return net_key(
		    host, strchr(host, '/'), key, keylen, why, whylen);
	}
	if (text[0] == '_')
		type = PK_TAG;
	else if (strchr(text, '@') != NULL)
		type = PK_USER;
	if ((n = pdb_key_str(key, keylen, type, text)) < 0)
		snprintf(why, whylen, "key longer than %d bytes", PVAL_MAX);
	return n;
}

/* Next token: a "quoted string" or a run of non-blanks.  NULL at end. */
static char *
token(char **sp, int *quoted)
{
	char *s = *sp, *start;

	while (*s == ' ' || *s == '\t')
		s++;
	*quoted = 0;
	if (*s == '\0') {
		*sp = s;
		return NULL;
	}
	if (*s == '"') {
		*quoted = 1;
		start = ++s;
		while (*s != '\0' && *s != '"')
			s++;
	} else {
		start = s;
		while (*s != '\0' && *s != ' ' && *s != '\t')
			s++;
	}
	if (*s != '\0')
		*s++ = '\0';
	*sp = s;
	return start;
}

static int
add_attr(struct policy_src_rec *r, const char *name, const char *value,
    char *why, size_t whylen)
{
	int code = pdb_attr_code(name);
	size_t n = strlen(value);

	if (code < 0) {
		snprintf(why, whylen, "unknown attribute '%.40s'", name);
		return -1;
	}
	if (n > PVAL_MAX) {
		snprintf(why, whylen, "value of '%s' longer than %d bytes",
		    name, PVAL_MAX);
		return -1;
	}
	if (r->vallen + n + 3 > sizeof(r->val)) {
		snprintf(why, whylen, "too many attributes on one line");
		return -1;
	}
	r->val[r->vallen] = (unsigned char)(n + 3);
	r->val[r->vallen + 1] = (unsigned char)code;
	memcpy(r->val + r->vallen + 2, value, n + 1);
	r->vallen += n + 3;
	return 0;
}

int
policy_src_line(char *line, struct policy_src_rec *r, char *why, size_t whylen)
{
	char *s = line, *key, *name, *value;
	int q;

	r->vallen = 0;
	if (*s == '#' || *s == ' ' || *s == '\t' || *s == '\0')
		return 0;
	if ((key = token(&s, &q)) == NULL)
		return 0;
	if (q) {
		snprintf(why, whylen, "a key cannot be a quoted string");
		return -1;
	}
	if (policy_src_key(key, r->key, sizeof(r->key), why, whylen) < 0)
		return -1;
	while ((name = token(&s, &q)) != NULL) {
		if (!q && name[0] == '#')
			break; /* comment to the end of the line */
		if ((value = token(&s, &q)) == NULL) {
			snprintf(why, whylen, "attribute '%.40s' has no value",
			    name);
			return -1;
		}
		if (add_attr(r, name, value, why, whylen) < 0)
			return -1;
	}
	return r->vallen > 0 ? 1 : 0;
}
