/*
 * safefile.h - opening files where it matters who else can write: input
 * files that must be regular files (a FIFO or /dev/zero would hang or
 * spin a reader), and append-only files (the -l transcript) that a root
 * process may create in a directory another user controls, without
 * following a symbolic link or handing a planted file over with fchown.
 * Errors are returned with the path and the reason in err.
 */
#ifndef SMTPD_SAFEFILE_H
#define SMTPD_SAFEFILE_H

#include <sys/stat.h>
#include <sys/types.h>
#include <stddef.h>
#include <stdio.h>

/*
 * fopen(path, "r") for a file that must be a regular file (a symbolic
 * link to one is fine).  Opened non-blocking, so a FIFO cannot hold the
 * caller; NULL with errno (ENOENT kept for "missing") and
 * "PATH: not a regular file" or "PATH: strerror" in err otherwise.
 */
FILE *safe_fopen_regular(const char *path, char *err, size_t errlen);

/*
 * Open path to append, creating it with mode when it is missing.  The
 * last component must not be a symbolic link and the file must be a
 * regular file with exactly one link (a hard link to another file is
 * refused).  When uid is not (uid_t)-1 and we run as root, the file is
 * given to uid:gid with fchown only if we created it just now, or if it
 * belongs to root in a directory no one but root can write; a file in a
 * directory writable by others and owned by someone else is left as it
 * is, with a warning in err (the fd is still returned).  fd, or -1 with
 * err.
 */
int safe_append(const char *path, mode_t mode, uid_t uid, gid_t gid, char *err,
    size_t errlen);

/* Is a directory with this stat writable by no one but root? */
int safe_dir_root_only(const struct stat *);

#endif
