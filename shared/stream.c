/*
 * stream.c - buffered, timed byte stream (see stream.h).
 * Not for: SMTP framing rules (server/), TLS setup (server/tls.c).
 */
#include "stream.h"

#include "mono.h"

#include <sys/socket.h>
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static ssize_t
fd_read(struct stream *s, void *p, size_t n)
{
	return read(s->rfd, p, n);
}

/*
 * A write of the plain socket that does not wait (MSG_DONTWAIT): when a
 * client reads nothing and the socket's buffers are full, write_all
 * waits in poll(2) for at most the timeout instead of blocking in
 * write(2) for good.  A wfd that is no socket (a pipe) is written as is.
 */
static ssize_t
fd_write(struct stream *s, const void *p, size_t n)
{
	ssize_t r;

	if (!s->wnotsock) {
		r = send(s->wfd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r >= 0 || errno != ENOTSOCK)
			return r;
		s->wnotsock = 1;
	}
	return write(s->wfd, p, n);
}

void
stream_init(struct stream *s, int rfd, int wfd, int timeout)
{
	/* all but rbuf (16 KB per session; rpos == rlen marks it empty) */
	memset(s, 0, offsetof(struct stream, rbuf));
	memset(&s->rpos, 0, sizeof(*s) - offsetof(struct stream, rpos));
	s->rfd = rfd;
	s->wfd = wfd;
	s->timeout = timeout > 0 ? timeout : 300;
	s->rd = fd_read;
	s->wr = fd_write;
	buf_init(&s->out, STREAM_WMAX);
}

void
stream_free(struct stream *s)
{
	buf_free(&s->out);
}

/* Milliseconds left of a wait begun waited ms ago: the timeout, cut
 * short by the deadline. */
static long
wait_ms(const struct stream *s, long waited)
{
	long ms = (long)s->timeout * 1000 - waited;

	if (s->deadline) {
		long left = mono_left(s->deadline);

		if (left < ms)
			ms = left;
	}
	return ms < 0 ? 0 : ms;
}

/*
 * Wait for fd; a signal does not start the timeout again.  With a wait
 * check, input is awaited in slices, and the check asked after each.
 */
static int
wait_fd(struct stream *s, int fd, short ev)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int check = s->waitcheck != NULL && ev == POLLIN, r;
	long long t0 = mono_now();
	long ms;

	for (;;) {
		ms = wait_ms(s, (long)(mono_now() - t0));
		if (ms == 0)
			return SR_TIMEOUT;
		if (check && ms > STREAM_TICK_MS)
			ms = STREAM_TICK_MS;
		r = poll(&p, 1, (int)ms);
		if (r > 0)
			return SR_OK;
		if (r < 0 && errno != EINTR)
			return SR_ERROR;
		if (r == 0 && check &&
		    (r = s->waitcheck(
		         s->waitarg, (long)(mono_now() - t0) / 1000)) != 0)
			return r;
	}
}

/*
 * A read of the plain socket that does not wait: the bytes (> 0), 0 at
 * EOF, or -1 when the caller must wait and read (EAGAIN, and for good
 * when rfd is no socket, a signal, a deadline that has passed).  The
 * client's next command is usually there already, so most reads need no
 * poll(2) before them.
 */
static ssize_t
read_now(struct stream *s)
{
	ssize_t n;

	if (s->rd != fd_read || s->notsock ||
	    (s->deadline && mono_left(s->deadline) == 0))
		return -1;
	n = recv(s->rfd, s->rbuf, sizeof(s->rbuf), MSG_DONTWAIT);
	if (n < 0 && errno == ENOTSOCK)
		s->notsock = 1;
	return n;
}

/* Refill rbuf (which must be empty); SR_OK when bytes arrived. */
static int
fill(struct stream *s)
{
	ssize_t n;
	int r;

	if (s->eof)
		return SR_EOF;
	s->rpos = s->rlen = 0;
	for (;;) {
		if ((n = read_now(s)) >= 0)
			goto got;
		if (s->rpending == NULL || s->rpending(s) == 0) {
			if ((r = wait_fd(s, s->rfd, POLLIN)) != SR_OK)
				return r;
		}
		n = s->rd(s, s->rbuf, sizeof(s->rbuf));
	got:
		if (n > 0) {
			s->rlen = (size_t)n;
			s->bytes_in += (unsigned long long)n;
			return SR_OK;
		}
		if (n == 0) {
			s->eof = 1;
			return SR_EOF;
		}
		if (errno != EINTR && errno != EAGAIN)
			return SR_ERROR;
	}
}

/*
 * seg is full and its LF not read: when the next byte is LF the line ends
 * there, as when both came in one read: 1 (SL_CRLF when seg ends in CR,
 * else SL_LF); else 0 (the line goes on), or the SR_ code of the read.
 */
static int
lf_at_limit(struct stream *s, struct buf *seg, int *flags)
{
	int r;

	if (s->rpos == s->rlen && (r = fill(s)) != SR_OK)
		return r;
	if (s->rbuf[s->rpos] != '\n')
		return 0;
	s->rpos++;
	if (seg->len && seg->data[seg->len - 1] == '\r') {
		seg->data[--seg->len] = '\0';
		*flags |= SL_CRLF;
	} else {
		*flags |= SL_LF;
	}
	return 1;
}

/*
 * Core reader: append bytes up to and including LF to seg while seg has
 * room for max bytes; *flags as in stream.h.  Returns 1 on LF, 0 when seg
 * is full, or an SR_ code.
 */
static int
read_to_lf(struct stream *s, struct buf *seg, size_t max, int *flags)
{
	int r;

	for (;;) {
		char *lf;
		size_t avail, take;

		if (s->rpos == s->rlen && (r = fill(s)) != SR_OK)
			return r;
		avail = s->rlen - s->rpos;
		lf = memchr(s->rbuf + s->rpos, '\n', avail);
		take = lf ? (size_t)(lf - (s->rbuf + s->rpos)) : avail;
		if (seg->len + take > max)
			take = max - seg->len;
		if (buf_append(seg, s->rbuf + s->rpos, take) < 0)
			return SR_ERROR;
		s->rpos += take;
		if (lf && s->rbuf + s->rpos == lf) {
			s->rpos++;
			if (seg->len && seg->data[seg->len - 1] == '\r') {
				seg->data[--seg->len] = '\0';
				*flags |= SL_CRLF;
			} else {
				*flags |= SL_LF;
			}
			return 1;
		}
		if (seg->len == max)
			return lf_at_limit(s, seg, flags);
	}
}

int
stream_getseg(struct stream *s, struct buf *seg, size_t max, int *flags)
{
	int r;

	buf_reset(seg);
	*flags = 0;
	r = read_to_lf(s, seg, max, flags);
	if (r < 0)
		return r;
	/* a CR at the end is no CRLF's: read_to_lf looked (lf_at_limit) */
	if (r == 0)
		*flags |= SL_PARTIAL;
	return SR_OK;
}

int
stream_getline(struct stream *s, struct buf *line, size_t max, int *flags)
{
	struct buf skip;
	int r;

	r = stream_getseg(s, line, max, flags);
	if (r != SR_OK || !(*flags & SL_PARTIAL))
		return r;
	/* too long: drain to LF in bounded pieces, keep the head */
	buf_init(&skip, 4096);
	*flags = SL_TOOLONG;
	do {
		int f = 0;

		r = stream_getseg(s, &skip, 4096, &f);
		if (r != SR_OK)
			break;
		if (!(f & SL_PARTIAL)) {
			*flags |= f;
			break;
		}
	} while (1);
	buf_free(&skip);
	return r;
}

int
stream_read_exact(struct stream *s, size_t n,
    int (*cb)(void *, const char *, size_t), void *arg)
{
	int r;

	while (n > 0) {
		size_t take;

		if (s->rpos == s->rlen && (r = fill(s)) != SR_OK)
			return r;
		take = s->rlen - s->rpos;
		if (take > n)
			take = n;
		if (cb(arg, s->rbuf + s->rpos, take) < 0)
			cb = NULL;
		s->rpos += take;
		n -= take;
		if (cb == NULL)
			return SR_ERROR;
	}
	return SR_OK;
}

size_t
stream_buffered(struct stream *s)
{
	size_t n = s->rlen - s->rpos;

	if (s->rpending)
		n += (size_t)s->rpending(s);
	return n;
}

int
stream_pending(struct stream *s)
{
	struct pollfd p = { .fd = s->rfd, .events = POLLIN };

	if (stream_buffered(s) > 0)
		return 1;
	if (s->eof)
		return 0;
	return poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

void
stream_wipe_consumed(struct stream *s)
{
	explicit_bzero(s->rbuf, s->rpos);
}

void
stream_discard_input(struct stream *s)
{
	s->rpos = s->rlen = 0;
}

/* Write p fully, waiting for the socket as needed. */
static int
write_all(struct stream *s, const char *p, size_t len)
{
	size_t off = 0;
	int r;

	while (off < len) {
		ssize_t n = s->wr(s, p + off, len - off);

		if (n > 0) {
			off += (size_t)n;
			s->bytes_out += (unsigned long long)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if ((r = wait_fd(s, s->wfd, POLLOUT)) != SR_OK)
				return r;
			continue;
		}
		return SR_ERROR;
	}
	return SR_OK;
}

int
stream_write(struct stream *s, const void *p, size_t n)
{
	if (s->out.len + n > s->out.max && stream_flush(s) < 0)
		return SR_ERROR;
	if (n > s->out.max)
		return write_all(s, p, n);
	return buf_append(&s->out, p, n) < 0 ? SR_ERROR : SR_OK;
}

int
stream_flush(struct stream *s)
{
	int r = write_all(s, s->out.data, s->out.len);

	buf_reset(&s->out);
	return r;
}
