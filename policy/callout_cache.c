/*
 * callout_cache.c - the answers of callouts, remembered for every worker
 * (PARAM rcpt-verify-cache PATH): PATH.gdbm maps an address to "K time"
 * or "U time", read against rcpt-verify-positive-ttl and -negative-ttl
 * at each lookup.  Every open of PATH.gdbm happens under an fcntl lock
 * on PATH.lock (shared to read, exclusive to write), so concurrent
 * workers never see a half-written file; a process dying frees its lock.
 * A writer drops expired entries once an hour, so the file stays the size
 * of what is in use, and makes a damaged file anew (a worker killed while
 * writing).
 * Not for: asking the next hop (callout.c).
 */
#include "callout.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <gdbm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FILE_MAX 4096
#define PRUNE_KEY "\001pruned" /* time of the last pruning */
#define PRUNE_EVERY 3600       /* s between prunings */
#define PRUNE_MAX 10000        /* expired entries dropped per pruning */

/* The key: addr with its domain lowercased; its length or -1. */
static int
cache_key(const char *addr, char *key, size_t keysz)
{
	size_t n = strlen(addr), i;
	const char *at = strrchr(addr, '@');

	if (n == 0 || n >= keysz)
		return -1;
	memcpy(key, addr, n + 1);
	for (i = at ? (size_t)(at - addr) : n; i < n; i++)
		key[i] = (char)tolower((unsigned char)key[i]);
	return (int)n;
}

/* Lock PATH.lock (type F_RDLCK or F_WRLCK), waiting: the fd or -1. */
static int
lock_cache(const char *path, short type, char *err, size_t errlen)
{
	char file[FILE_MAX];
	struct flock fl;
	int fd;

	if (snprintf(file, sizeof(file), "%s.lock", path) >= (int)sizeof(file))
		errno = ENAMETOOLONG;
	else if ((fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) >= 0) {
		memset(&fl, 0, sizeof(fl));
		fl.l_type = type;
		fl.l_whence = SEEK_SET;
		while (fcntl(fd, F_SETLKW, &fl) < 0)
			if (errno != EINTR) {
				close(fd);
				goto fail;
			}
		return fd;
	}
fail:
	snprintf(err, errlen, "rcpt-verify-cache %s.lock: %s", path,
	    strerror(errno));
	return -1;
}

/* Open PATH.gdbm (under the lock) for mode; NULL with the reason. */
static GDBM_FILE
open_cache(const char *path, int mode, char *err, size_t errlen)
{
	char file[FILE_MAX];
	GDBM_FILE db;

	if (snprintf(file, sizeof(file), "%s.gdbm", path) >=
	    (int)sizeof(file)) {
		snprintf(
		    err, errlen, "rcpt-verify-cache %s: path too long", path);
		return NULL;
	}
	errno = 0;
	db = gdbm_open(file, 0, mode | GDBM_NOLOCK, 0600, NULL);
	if (db == NULL)
		snprintf(err, errlen, "rcpt-verify-cache %s: %s%s%s", file,
		    gdbm_strerror(gdbm_errno), errno ? ": " : "",
		    errno ? strerror(errno) : "");
	return db;
}

/* A stored value to its answer, if still fresh at now. */
static enum callout_result
judge(const struct callout_conf *cf, const char *v, size_t n, time_t now)
{
	char text[32], *end;
	long long t;
	int ttl;

	if (n < 3 || n >= sizeof(text) || v[1] != ' ')
		return CALLOUT_MISS;
	memcpy(text, v, n);
	text[n] = '\0';
	t = strtoll(text + 2, &end, 10);
	if (*end != '\0' || (text[0] != 'K' && text[0] != 'U'))
		return CALLOUT_MISS;
	ttl = text[0] == 'K' ? cf->pos_ttl : cf->neg_ttl;
	if (t > (long long)now || (long long)now - t >= ttl)
		return CALLOUT_MISS;
	return text[0] == 'K' ? CALLOUT_KNOWN : CALLOUT_UNKNOWN;
}

/* Drop the expired entries (under the write lock) once an hour. */
static void
prune(const struct callout_conf *cf, GDBM_FILE db, time_t now)
{
	datum k = { PRUNE_KEY, (int)sizeof(PRUNE_KEY) - 1 }, v, next;
	datum *drop;
	char t[32];
	size_t n = 0, i;

	v = gdbm_fetch(db, k);
	if (v.dptr != NULL && v.dsize > 0 && (size_t)v.dsize < sizeof(t)) {
		memcpy(t, v.dptr, (size_t)v.dsize);
		t[v.dsize] = '\0';
		if (now - strtoll(t, NULL, 10) < PRUNE_EVERY &&
		    strtoll(t, NULL, 10) <= (long long)now) {
			free(v.dptr);
			return;
		}
	}
	free(v.dptr);
	v.dsize = snprintf(t, sizeof(t), "%lld", (long long)now);
	v.dptr = t;
	if (gdbm_store(db, k, v, GDBM_REPLACE) != 0 ||
	    (drop = calloc(PRUNE_MAX, sizeof(*drop))) == NULL)
		return;
	for (k = gdbm_firstkey(db); k.dptr != NULL && n < PRUNE_MAX; k = next) {
		v = gdbm_fetch(db, k);
		next = gdbm_nextkey(db, k);
		if (v.dptr != NULL && k.dptr[0] != PRUNE_KEY[0] &&
		    judge(cf, v.dptr, (size_t)v.dsize, now) == CALLOUT_MISS)
			drop[n++] = k;
		else
			free(k.dptr);
		free(v.dptr);
	}
	free(k.dptr);
	for (i = 0; i < n; i++) {
		gdbm_delete(db, drop[i]);
		free(drop[i].dptr);
	}
	free(drop);
}

/* The file is there but is no GDBM file, or a damaged one. */
static int
broken(int e)
{
	return e == GDBM_BAD_MAGIC_NUMBER || e == GDBM_FILE_EOF ||
	    e == GDBM_BAD_HEADER || e == GDBM_BAD_FILE_OFFSET ||
	    e == GDBM_BAD_OPEN_FLAGS || e == GDBM_BAD_BUCKET ||
	    e == GDBM_BAD_AVAIL || e == GDBM_BAD_HASH_TABLE ||
	    e == GDBM_BAD_DIR_ENTRY || e == GDBM_FILE_READ_ERROR;
}

/* Under the write lock: a damaged cache is only answers to ask again,
 * so it is removed and made anew. */
static GDBM_FILE
renew(const char *path, char *err, size_t errlen)
{
	char file[FILE_MAX];

	snprintf(file, sizeof(file), "%s.gdbm", path);
	if (unlink(file) < 0)
		return NULL;
	return open_cache(path, GDBM_WRCREAT, err, errlen);
}

enum callout_result
callout_cache_get(const struct callout_conf *cf, const char *addr, time_t now,
    char *err, size_t errlen)
{
	char key[CALLOUT_ADDR_MAX + 1];
	enum callout_result r = CALLOUT_MISS;
	GDBM_FILE db;
	datum k, v;
	int lk, n;

	*err = '\0';
	if (cf->cache == NULL || (n = cache_key(addr, key, sizeof(key))) < 0)
		return CALLOUT_MISS;
	if ((lk = lock_cache(cf->cache, F_RDLCK, err, errlen)) < 0)
		return CALLOUT_MISS;
	if ((db = open_cache(cf->cache, GDBM_READER, err, errlen)) != NULL) {
		k.dptr = key;
		k.dsize = n;
		v = gdbm_fetch(db, k);
		if (v.dptr != NULL)
			r = judge(cf, v.dptr, (size_t)v.dsize, now);
		free(v.dptr);
		gdbm_close(db);
	} else if (errno == ENOENT)
		*err = '\0'; /* nothing cached yet */
	close(lk);
	return r;
}

int
callout_cache_put(const struct callout_conf *cf, const char *addr,
    enum callout_result r, time_t now, char *err, size_t errlen)
{
	char key[CALLOUT_ADDR_MAX + 1], val[32];
	GDBM_FILE db;
	datum k, v;
	int lk, n, rc = -1;

	*err = '\0';
	if (cf->cache == NULL || (r != CALLOUT_KNOWN && r != CALLOUT_UNKNOWN) ||
	    (r == CALLOUT_KNOWN ? cf->pos_ttl : cf->neg_ttl) <= 0 ||
	    (n = cache_key(addr, key, sizeof(key))) < 0)
		return 0;
	if ((lk = lock_cache(cf->cache, F_WRLCK, err, errlen)) < 0)
		return -1;
	db = open_cache(cf->cache, GDBM_WRCREAT, err, errlen);
	if (db == NULL && broken(gdbm_errno) &&
	    (db = renew(cf->cache, err, errlen)) != NULL)
		*err = '\0';
	if (db != NULL) {
		k.dptr = key;
		k.dsize = n;
		v.dptr = val;
		v.dsize = snprintf(val, sizeof(val), "%c %lld",
		    r == CALLOUT_KNOWN ? 'K' : 'U', (long long)now);
		if ((rc = gdbm_store(db, k, v, GDBM_REPLACE)) != 0)
			snprintf(err, errlen, "rcpt-verify-cache %s: %s",
			    cf->cache, gdbm_strerror(gdbm_errno));
		else
			prune(cf, db, now);
		gdbm_close(db);
	}
	close(lk);
	return rc;
}
