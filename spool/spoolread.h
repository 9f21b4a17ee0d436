/*
 * spoolread.h - parse a spool file back into envelope lines and body.
 * For tests and admin tools; the router is the real reader.
 */
#ifndef SMTPD_SPOOLREAD_H
#define SMTPD_SPOOLREAD_H

#include <stddef.h>

struct spool_msg {
	char **lines; /* envelope lines without LF, env-end excluded */
	size_t nlines;
	const char *body; /* after the env-end line (headers + body) */
	size_t bodylen;
	char *raw; /* the whole file as read, NUL-terminated */
	size_t rawlen;
	char *linebuf; /* copy of the envelope part, split at LF */
};

/* Largest file spoolread_file() reads. */
#define SPOOLREAD_MAX (256ll * 1024 * 1024)

/* 0 and *m filled, or -1 and err (no env-end, unreadable, too big). */
int spoolread_file(
    const char *path, struct spool_msg *m, char *err, size_t errlen);
/* Same for bytes in memory (copied). */
int spoolread_mem(const char *data, size_t len, struct spool_msg *m, char *err,
    size_t errlen);
/* Value of the i-th (from 0) line starting with "<keyword> " (or the
 * whole keyword line, value ""), NULL if none. */
const char *spoolread_get(
    const struct spool_msg *, const char *keyword, size_t i);
/* Lines starting with "<keyword> " or equal to keyword. */
size_t spoolread_count(const struct spool_msg *, const char *keyword);
void spoolread_free(struct spool_msg *);

#endif
