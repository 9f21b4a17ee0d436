/*
 * hdrs.h - the headers a transaction adds on top of the message
 * (Received-SPF:, a policy service's PREPEND, ...): checked, bounded,
 * written into the spool file before the client's own headers.
 * Not for: the Received: header of standalone mode (spool/envelope.c).
 */
#ifndef SMTPD_HDRS_H
#define SMTPD_HDRS_H

#include <stddef.h>

#define HDRS_MAX 32       /* headers per transaction */
#define HDRS_BYTES 16384  /* bytes of all of them */
#define HDRS_LINE_MAX 998 /* one physical line (RFC 5322 2.1.1) */

struct hdrs {
	char *line[HDRS_MAX]; /* "Name: value", folded lines joined by LF */
	size_t n, bytes;
};

/*
 * Add "Name: value" (name: printable ASCII without ':' or blanks; CR LF
 * or LF followed by a blank is a fold, kept; any other control byte
 * becomes a blank).  0, or -1 when malformed or past a limit.
 */
int hdrs_add(struct hdrs *, const char *text);
/* Each header with its LF, in the order added, through put; put's -1. */
int hdrs_write(const struct hdrs *,
    int (*put)(void *arg, const char *p, size_t n), void *arg);
void hdrs_free(struct hdrs *);

#endif
