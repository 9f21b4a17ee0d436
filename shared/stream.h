/*
 * stream.h - buffered, timed byte stream over a file descriptor pair, or
 * over TLS once STARTTLS (server/tls.c) swaps the transport: the only way
 * the session reads and writes the network.
 * Reads are bounded: a line longer than the caller's limit is reported and
 * drained to its LF so the session stays in step with the client.
 */
#ifndef SMTPD_STREAM_H
#define SMTPD_STREAM_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"

#define STREAM_RBUF 16384
#define STREAM_WMAX 65536

enum stream_rc {
	SR_OK = 0,
	SR_EOF = -1,     /* peer closed */
	SR_TIMEOUT = -2, /* no byte within the timeout or past the deadline */
	SR_ERROR = -3,   /* I/O error */
	SR_ABORT = -4,   /* the owner's wait check ended the wait */
};

/* While a wait check is set, input is awaited in slices of this length. */
#define STREAM_TICK_MS 1000

/* Line end seen by stream_getline. */
#define SL_CRLF 0x01    /* ended with CR LF */
#define SL_LF 0x02      /* ended with a bare LF */
#define SL_PARTIAL 0x04 /* no LF: the segment filled max (line goes on) */
#define SL_TOOLONG 0x08 /* line exceeded max and was drained (getline) */

struct stream {
	int rfd, wfd;
	char rbuf[STREAM_RBUF];
	size_t rpos, rlen;
	struct buf out;
	int timeout;        /* seconds per read/write wait */
	long long deadline; /* mono.h's clock; 0 = none */
	/*
	 * Asked after each STREAM_TICK_MS of a wait for input with nothing
	 * come, with the seconds waited: 0 goes on waiting (within timeout
	 * and deadline), anything else ends the wait with that SR_ code.
	 * NULL (the default): none.
	 */
	int (*waitcheck)(void *arg, long waited);
	void *waitarg;
	int eof;
	int notsock;  /* rfd is no socket: no read without a poll first */
	int wnotsock; /* wfd is no socket: write(2), which may block */
	/* transport: plain fds by default; TLS swaps these */
	ssize_t (*rd)(struct stream *, void *, size_t);
	ssize_t (*wr)(struct stream *, const void *, size_t);
	int (*rpending)(struct stream *); /* bytes buffered in transport */
	void *tp;                         /* transport state */
	unsigned long long bytes_in, bytes_out;
};

void stream_init(struct stream *, int rfd, int wfd, int timeout);
void stream_free(struct stream *);
/*
 * A whole line (terminator removed) into line, at most max bytes.  flags
 * get SL_CRLF / SL_LF; a longer line is drained to its LF and gives
 * SL_TOOLONG with line holding its first max bytes.
 */
int stream_getline(struct stream *, struct buf *line, size_t max, int *flags);
/*
 * One segment: up to max bytes ending at LF (SL_CRLF/SL_LF) or, when the
 * line is longer, max bytes (SL_PARTIAL).  A line of exactly max bytes
 * (a CR counted) ends at the LF after them whichever read the LF comes
 * in; a partial segment's last CR is no CRLF's.
 */
int stream_getseg(struct stream *, struct buf *seg, size_t max, int *flags);
/* Exactly n bytes (or fewer at EOF: returns SR_EOF) to cb in pieces. */
int stream_read_exact(struct stream *, size_t n,
    int (*cb)(void *, const char *, size_t), void *arg);
/* 1 if input is already buffered or readable without blocking. */
int stream_pending(struct stream *);
/* Buffered input bytes (ours + transport's). */
size_t stream_buffered(struct stream *);
/* Drop everything buffered on input (STARTTLS). */
void stream_discard_input(struct stream *);
/* Zero the input bytes already consumed (AUTH responses: no password
 * stays in the buffer). */
void stream_wipe_consumed(struct stream *);
int stream_write(struct stream *, const void *, size_t);
int stream_flush(struct stream *);

#endif
