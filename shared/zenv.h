/*
 * zenv.h - ZENV: the NAME=value lines of /etc/zmailer.conf (or -Z file),
 * and $-expansion of PARAM values ($N, ${N}, $(N); $$ is '$'; unknown
 * names are left as they are).
 */
#ifndef SMTPD_ZENV_H
#define SMTPD_ZENV_H

#include <stddef.h>

struct buf;
struct zenv;

/* Read path; a missing file (or /dev/null) gives an empty env and returns
 * it (not NULL).  NULL on a read error, a malformed file (err =
 * "file:line: ...") or anything but a regular file ("path: not a regular
 * file"). */
struct zenv *zenv_load(const char *path, char *err, size_t errlen);
struct zenv *zenv_empty(void);
void zenv_free(struct zenv *);
/* The value of name, or NULL. */
const char *zenv_get(const struct zenv *, const char *name);
/* Set (or replace) name = value; used by tests and command-line overrides. */
int zenv_set(struct zenv *, const char *name, const char *value);
/* Append the expansion of in to out; -1 if out's cap is exceeded. */
int zenv_expand(const struct zenv *, const char *in, struct buf *out);

#endif
