/*
 * dnscache.c - the per-process answer cache of dns.c (see dnscache.h):
 * DNSCACHE_SLOTS entries in a static array searched linearly (names are
 * compared only when type and a hash agree), replaced least recently
 * used.  An answer with records is copied into memory of its own, so an
 * idle worker's cache costs little.
 * Not for: deciding what to ask (dns.c), the library's own cache.
 */
#include "dnscache.h"

#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct entry {
	uint32_t hash; /* of fwd, type and name; 0 = free */
	enum dns_type type;
	enum dns_rc rc;
	time_t expires;
	unsigned long used; /* for the least recently used choice */
	char fwd[INET6_ADDRSTRLEN + 8];
	char name[DNS_NAMELEN];
	struct dns_answer *a; /* DNS_OK only */
};

static struct entry cache[DNSCACHE_SLOTS];
static unsigned long clock_hand;

/* FNV-1a over the key; never 0 (that marks a free entry). */
static uint32_t
key_hash(const char *fwd, const char *name, enum dns_type type)
{
	uint32_t h = 2166136261u ^ (uint32_t)type;
	const char *s;

	for (s = fwd; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	h = (h ^ 0xff) * 16777619u;
	for (s = name; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 'A' && c <= 'Z') /* DNS names ignore case */
			c = (unsigned char)(c - 'A' + 'a');
		h = (h ^ c) * 16777619u;
	}
	return h != 0 ? h : 1;
}

static void
drop(struct entry *e)
{
	free(e->a);
	memset(e, 0, sizeof(*e));
}

static struct entry *
find(uint32_t h, const char *fwd, const char *name, enum dns_type type)
{
	size_t i;

	for (i = 0; i < DNSCACHE_SLOTS; i++) {
		struct entry *e = &cache[i];

		if (e->hash == h && e->type == type &&
		    strcasecmp(e->name, name) == 0 && strcmp(e->fwd, fwd) == 0)
			return e;
	}
	return NULL;
}

int
dnscache_get(const char *fwd, const char *name, enum dns_type type, time_t now,
    enum dns_rc *rc, struct dns_answer *a)
{
	struct entry *e = find(key_hash(fwd, name, type), fwd, name, type);

	if (e == NULL)
		return 0;
	if (now >= e->expires) {
		drop(e);
		return 0;
	}
	e->used = ++clock_hand;
	*rc = e->rc;
	if (e->a != NULL)
		memcpy(a, e->a, sizeof(*a));
	else
		memset(a, 0, sizeof(*a));
	return 1;
}

/* The entry to (re)use for a new key: a free or expired one, else the
 * least recently used. */
static struct entry *
victim(time_t now)
{
	struct entry *v = &cache[0];
	size_t i;

	for (i = 0; i < DNSCACHE_SLOTS; i++) {
		struct entry *e = &cache[i];

		if (e->hash == 0 || now >= e->expires)
			return e;
		if (e->used < v->used)
			v = e;
	}
	return v;
}

void
dnscache_put(const char *fwd, const char *name, enum dns_type type, time_t now,
    int ttl, enum dns_rc rc, const struct dns_answer *a)
{
	size_t fl = strlen(fwd), nl = strlen(name);
	struct dns_answer *copy = NULL;
	struct entry *e;
	uint32_t h;

	if (ttl <= 0 ||
	    (rc != DNS_OK && rc != DNS_NXDOMAIN && rc != DNS_NODATA) ||
	    fl >= sizeof(e->fwd) || nl >= sizeof(e->name))
		return;
	if (rc == DNS_OK) {
		if ((copy = malloc(sizeof(*copy))) == NULL)
			return;
		memcpy(copy, a, sizeof(*copy));
	}
	h = key_hash(fwd, name, type);
	if ((e = find(h, fwd, name, type)) == NULL)
		e = victim(now);
	drop(e);
	e->hash = h;
	e->type = type;
	e->rc = rc;
	e->expires = now + (ttl < DNSCACHE_MAXTTL ? ttl : DNSCACHE_MAXTTL);
	e->used = ++clock_hand;
	memcpy(e->fwd, fwd, fl + 1);
	memcpy(e->name, name, nl + 1);
	e->a = copy;
}

void
dnscache_clear(void)
{
	size_t i;

	for (i = 0; i < DNSCACHE_SLOTS; i++)
		drop(&cache[i]);
}
