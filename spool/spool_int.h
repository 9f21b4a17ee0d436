/*
 * spool_int.h - what spool.c (the transaction) and spooldir.c (names and
 * directories) share.  Not part of the spool's API (spool.h).
 */
#ifndef SMTPD_SPOOL_INT_H
#define SMTPD_SPOOL_INT_H

#include <stddef.h>

#include "spool.h"

/* err := "what path: strerror(eno)" (when err is not NULL), errno := eno;
 * returns -1. */
int spool_fail(
    char *err, size_t errlen, const char *what, const char *path, int eno);

/*
 * The temp file, mode 0600 whatever the umask.  Unless cfg->named_temp, a
 * file without a name in public/ (O_TMPFILE; *unnamed = 1, *path is
 * /proc/self/fd/N), where the file system and /proc allow; else
 * public/<host>:<pid>, or with a..z appended while the name is taken
 * (O_EXCL, O_NOFOLLOW).  *path is malloc'ed (freed first); *fd is set
 * once the file is open, also when the fchmod after it fails.  -1 + err
 * on failure.
 */
int spooldir_create_temp(const struct spool_cfg *, char **path, int *fd,
    int *unnamed, char *err, size_t errlen);

/* Where a finished file goes: directory, optional hash subdirectory
 * (router/X with ROUTERDIRHASH=1), file name; hash is "X/" or "". */
struct spool_target {
	char *dir, *subdir, *dest;
	char hash[4];
	int sync_fs; /* one syncfs(2) instead of the directory fsyncs */
	int router;  /* dir is router/ */
};

/* router/[X/]<ino>, or freezer/<ino>policy-<n> (n >= 0) or
 * freezer/<ino>policy (n < 0) when freeze.  -1 on ENOMEM or too long;
 * spooldir_target_free() either way. */
int spooldir_target(struct spool_target *, const char *postoffice,
    int routerdirhash, int freeze, int n, unsigned long long ino);
void spooldir_target_free(struct spool_target *);
/*
 * Give the written-out file (fd, at *path) the target's name without
 * replacing one (link of an unnamed file, rename of a named one; making
 * a missing router/X), free *path and set it NULL, then fsync the file
 * and the directory (or one syncfs).  -1 + err on failure; when an fsync
 * failed, the new name is unlinked.  fd stays open.
 */
int spooldir_publish(char **path, int fd, int unnamed,
    const struct spool_target *, char *err, size_t errlen);
/* "NEW router [X/]<ino>" to the ROUTERNOTIFY socket; failures do not
 * matter (the router also scans its directory). */
void spooldir_notify(
    const char *sock, const char *hash, unsigned long long ino);

#endif
