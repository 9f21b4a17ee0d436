/*
 * buf.h - growable byte buffer with a hard maximum.
 * For every input the server holds: lines, replies, paths.  The cap is
 * part of the type; appending past it fails and leaves the buffer intact.
 * There is always a spare NUL after the data.
 *
 * The failure is sticky, as in struct ph_msg: after the first refused
 * append (past max, or out of memory) every append is a no-op returning
 * -1 until buf_reset or buf_free.  So "append, keep the first failure" is
 * a plain list of buf_* calls and one buf_failed() at the end.
 */
#ifndef SMTPD_BUF_H
#define SMTPD_BUF_H

#include <stddef.h>
#include <stdarg.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
	int err; /* sticky: an append failed since buf_init/buf_reset */
};

void buf_init(struct buf *, size_t max);
void buf_free(struct buf *);
void buf_reset(struct buf *);
int buf_reserve(struct buf *, size_t extra);
int buf_append(struct buf *, const void *, size_t);
int buf_puts(struct buf *, const char *);
int buf_putc(struct buf *, int);
int buf_printf(struct buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *, const char *, va_list);
void buf_consume(struct buf *, size_t);
/* 1 once an append failed (or buf_fail) since buf_init/buf_reset. */
int buf_failed(const struct buf *);
/* Make b failed: for a writer whose own step (an encoding) failed. */
void buf_fail(struct buf *);
char *buf_strdup(const struct buf *);

#endif
