/*
 * rcptdb.c - the recipient table (policy-builder(8) "Recipient table"):
 * the source line syntax policy-builder compiles, the typed keys, and the
 * read-only GDBM a worker keeps, reopened when its file was replaced (the
 * builder renames a complete new file into place, so a reader sees the
 * old table or the new one, never half of one).
 * Not for: which domains are local, or the reply (policy_rcptdb.c).
 */
#include "rcptdb.h"

#include <ctype.h>
#include <errno.h>
#include <gdbm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rfc5321.h"

#define LOCAL_MAX 64 /* RFC 5321 4.5.3.1.1 */

struct rcptdb {
	char file[4096]; /* PATH.gdbm */
	GDBM_FILE db;
	dev_t dev;
	ino_t ino;
	struct timespec mtime;
};

int
rcptdb_key(char *key, size_t keysz, int kind, const char *text)
{
	size_t n = strlen(text);

	if (n > RCPTDB_ADDR_MAX || n + 2 > keysz)
		return -1;
	key[0] = (char)kind;
	memcpy(key + 1, text, n + 1);
	return (int)(n + 1);
}

/* Characters an unquoted address of the table may hold. */
static int
addr_chars_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f ||
		    strchr("\"\\<>()[],;:", *s) != NULL)
			return 0;
	return 1;
}

/* A domain name (one trailing dot dropped), as HELO would take it. */
static int
dom_ok(char *dom)
{
	size_t n = strlen(dom);
	const char *why;

	if (n > 1 && dom[n - 1] == '.')
		dom[--n] = '\0';
	return n > 0 && dom[0] != '[' && rfc5321_helo_valid(dom, &why) == 0;
}

static int
bad(char *why, size_t whylen, const char *reason)
{
	snprintf(why, whylen, "%s", reason);
	return -1;
}

/* "user@dom", "user" or "@dom" (lowercase, trimmed) to its key. */
static int
src_key(char *a, char *key, size_t *keylen, char *why, size_t whylen)
{
	char *at = strchr(a, '@');
	int kind = RK_ADDR, n;

	if (strlen(a) > RCPTDB_ADDR_MAX)
		return bad(why, whylen, "address longer than 254 characters");
	if (!addr_chars_ok(a))
		return bad(why, whylen,
		    "blank, quote or special character in the address "
		    "(one plain address per line)");
	if (at != NULL && strchr(at + 1, '@') != NULL)
		return bad(why, whylen, "more than one '@'");
	if ((at ? (size_t)(at - a) : strlen(a)) > LOCAL_MAX)
		return bad(why, whylen, "local part longer than 64 characters");
	if (at != NULL && !dom_ok(at + 1))
		return bad(why, whylen, "not a valid domain after '@'");
	if (at == NULL)
		kind = RK_LOCAL;
	else if (at == a)
		kind = RK_DOMAIN;
	if ((n = rcptdb_key(
	         key, RCPTDB_KEY_MAX, kind, kind == RK_DOMAIN ? a + 1 : a)) < 0)
		return bad(why, whylen, "address too long");
	*keylen = (size_t)n;
	return 1;
}

int
rcptdb_src_line(char *line, char *key, size_t *keylen, char *why, size_t whylen)
{
	char *a = line, *end;

	a += strspn(a, " \t");
	end = a + strlen(a);
	while (end > a && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	if (*a == '\0' || *a == '#')
		return 0;
	for (end = a; *end != '\0'; end++)
		*end = (char)tolower((unsigned char)*end);
	return src_key(a, key, keylen, why, whylen);
}

struct rcptdb *
rcptdb_new(const char *path, char *err, size_t errlen)
{
	struct rcptdb *r = calloc(1, sizeof(*r));

	if (r == NULL) {
		snprintf(err, errlen, "recipientdb: out of memory");
		return NULL;
	}
	if (snprintf(r->file, sizeof(r->file), "%s.gdbm", path) >=
	    (int)sizeof(r->file)) {
		snprintf(err, errlen, "recipientdb: path too long");
		free(r);
		return NULL;
	}
	return r;
}

static void
close_db(struct rcptdb *r)
{
	if (r->db != NULL)
		gdbm_close(r->db);
	r->db = NULL;
}

void
rcptdb_free(struct rcptdb *r)
{
	if (r == NULL)
		return;
	close_db(r);
	free(r);
}

/* Open the file, or reopen it if it was replaced; 0 / -1 (err). */
static int
fresh(struct rcptdb *r, char *err, size_t errlen)
{
	struct stat st;

	if (stat(r->file, &st) < 0) {
		close_db(r);
		snprintf(err, errlen, "recipientdb %s: %s", r->file,
		    strerror(errno));
		return -1;
	}
	if (r->db != NULL && st.st_dev == r->dev && st.st_ino == r->ino &&
	    st.st_mtim.tv_sec == r->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == r->mtime.tv_nsec)
		return 0;
	close_db(r);
	errno = 0;
	r->db = gdbm_open(r->file, 0, GDBM_READER | GDBM_NOLOCK, 0, NULL);
	if (r->db == NULL) {
		snprintf(err, errlen, "recipientdb %s: %s%s%s", r->file,
		    gdbm_strerror(gdbm_errno), errno ? ": " : "",
		    errno ? strerror(errno) : "");
		return -1;
	}
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	r->mtime = st.st_mtim;
	return 0;
}

/* 1 key present, 0 absent, -1 read error (err). */
static int
has(struct rcptdb *r, int kind, const char *text, char *err, size_t errlen)
{
	char key[RCPTDB_KEY_MAX];
	datum k;
	int n;

	if (*text == '\0' || (n = rcptdb_key(key, sizeof(key), kind, text)) < 0)
		return 0;
	k.dptr = key;
	k.dsize = n;
	gdbm_errno = GDBM_NO_ERROR;
	if (gdbm_exists(r->db, k))
		return 1;
	if (gdbm_errno != GDBM_NO_ERROR && gdbm_errno != GDBM_ITEM_NOT_FOUND) {
		snprintf(err, errlen, "recipientdb %s: %s", r->file,
		    gdbm_strerror(gdbm_errno));
		return -1;
	}
	return 0;
}

int
rcptdb_check(struct rcptdb *r, const char *local, const char *dom, char *err,
    size_t errlen)
{
	char addr[RCPTDB_ADDR_MAX * 2 + 2];
	int rc;

	if (fresh(r, err, errlen) < 0)
		return -1;
	if (*dom != '\0' &&
	    snprintf(addr, sizeof(addr), "%s@%s", local, dom) <
	        (int)sizeof(addr) &&
	    (rc = has(r, RK_ADDR, addr, err, errlen)) != 0)
		return rc;
	if ((rc = has(r, RK_LOCAL, local, err, errlen)) != 0)
		return rc;
	return has(r, RK_DOMAIN, dom, err, errlen);
}
