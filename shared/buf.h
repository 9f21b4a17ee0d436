/*
 * buf.h - growable byte buffer with a hard maximum.
 * For every input the server holds: lines, replies, paths.  The cap is
 * part of the type; appending past it fails and leaves the buffer intact.
 * There is always a spare NUL after the data.
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
char *buf_strdup(const struct buf *);

#endif
