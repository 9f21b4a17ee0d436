/*
 * safefile.c - regular-file input and safe append-only files (see
 * safefile.h).  For: the configuration, ZENV and policy-source readers,
 * and the -l transcript opened by the supervisor, -n/-i and workers.
 * Not for: the spool (spool.c) or the pid file (daemon.c).
 */
#include "safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define APPEND_TRIES 3

static int
clear_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
}

/* NULL with errno eno and the reason in err (eno 0: not a regular file). */
static FILE *
refuse(int fd, int eno, const char *path, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", path,
	    eno ? strerror(eno) : "not a regular file");
	if (fd >= 0)
		close(fd);
	errno = eno ? eno : EINVAL;
	return NULL;
}

FILE *
safe_fopen_regular(const char *path, char *err, size_t errlen)
{
	struct stat st;
	FILE *fp;
	int fd;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return refuse(fd, errno, path, err, errlen);
	if (!S_ISREG(st.st_mode))
		return refuse(fd, 0, path, err, errlen);
	if (clear_nonblock(fd) < 0 || (fp = fdopen(fd, "r")) == NULL)
		return refuse(fd, errno, path, err, errlen);
	return fp;
}

int
safe_dir_root_only(const struct stat *st)
{
	return st->st_uid == 0 && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/* The directory part of path into dir ("." when there is none), and a
 * pointer to the last component; -1 when there is no last component. */
static int
split(const char *path, char *dir, size_t dirlen, const char **base)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (slash == NULL) {
		snprintf(dir, dirlen, ".");
		*base = path;
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= dirlen)
			return -1;
		memcpy(dir, path, n);
		dir[n] = '\0';
		*base = slash + 1;
	}
	return **base == '\0' || strcmp(*base, ".") == 0 ||
	        strcmp(*base, "..") == 0
	    ? -1
	    : 0;
}

/* Open (creating with O_EXCL when missing) base in dfd; *created says
 * which.  Neither open follows a symbolic link or blocks on a FIFO. */
static int
open_in(int dfd, const char *base, mode_t mode, int *created)
{
	const int fl = O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC;
	int i, fd = -1;

	for (i = 0; i < APPEND_TRIES && fd < 0; i++) {
		fd = openat(dfd, base, fl | O_CREAT | O_EXCL, mode);
		*created = fd >= 0;
		if (fd < 0 && errno == EEXIST)
			fd = openat(dfd, base, fl);
		if (fd < 0 && errno != ENOENT)
			break; /* ENOENT: removed in between, try again */
	}
	return fd;
}

/* Give the file to uid:gid when that cannot hand over a planted file. */
static void
give(int fd, const struct stat *st, const struct stat *dst, int created,
    uid_t uid, gid_t gid, const char *path, char *err, size_t errlen)
{
	if (uid == (uid_t)-1 || geteuid() != 0 || st->st_uid == uid)
		return;
	if (!created && !(st->st_uid == 0 && safe_dir_root_only(dst))) {
		snprintf(err, errlen,
		    "%s: owned by uid %ld in a directory others can write: "
		    "not given to uid %ld",
		    path, (long)st->st_uid, (long)uid);
		return;
	}
	if (fchown(fd, uid, gid) < 0)
		snprintf(err, errlen, "%s: fchown: %s", path, strerror(errno));
}

/* The opened file must be a regular file with one link. */
static int
check_file(int fd, struct stat *st, const char *path, char *err, size_t errlen)
{
	if (fstat(fd, st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "%s: not a regular file, refused", path);
		return -1;
	}
	if (st->st_nlink != 1) {
		snprintf(err, errlen, "%s: has %lu links, refused", path,
		    (unsigned long)st->st_nlink);
		return -1;
	}
	return clear_nonblock(fd);
}

int
safe_append(const char *path, mode_t mode, uid_t uid, gid_t gid, char *err,
    size_t errlen)
{
	char dir[PATH_MAX];
	const char *base;
	struct stat st, dst;
	int dfd, fd, created = 0;

	err[0] = '\0';
	if (split(path, dir, sizeof(dir), &base) < 0) {
		snprintf(err, errlen, "%s: not a file name", path);
		return -1;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fstat(dfd, &dst) < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		if (dfd >= 0)
			close(dfd);
		return -1;
	}
	fd = open_in(dfd, base, mode, &created);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path,
		    errno == ELOOP ? "a symbolic link, refused"
		                   : strerror(errno));
	} else if (check_file(fd, &st, path, err, errlen) < 0) {
		close(fd);
		fd = -1;
	} else {
		give(fd, &st, &dst, created, uid, gid, path, err, errlen);
	}
	close(dfd);
	return fd;
}
