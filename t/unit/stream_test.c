/*
 * stream_test.c - the stream's wait check: asked between slices of a
 * wait for input, it may end the wait with its own code, let input that
 * comes meanwhile through, and never stretch the timeout.  Reads of a
 * plain socket try first and wait only when nothing is there: pipelined
 * commands cost no poll(2), a pipe still works, EOF and a past deadline
 * are seen.
 */
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "stream.h"
#include "mono.h"
#include "tap.h"

static int npoll;

/*
 * A test seam: the stream's poll(2) calls bind to this one, which counts
 * them and asks the kernel through ppoll(2).
 */
int
poll(struct pollfd *fds, nfds_t n, int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	npoll++;
	return ppoll(fds, n, ms < 0 ? NULL : &ts, NULL);
}

struct probe {
	int calls;
	long last;  /* seconds waited at the last call */
	int answer; /* what to say */
	int feed;   /* write a line here at the first call, or -1 */
};

static int
check(void *arg, long waited)
{
	struct probe *p = arg;

	p->calls++;
	p->last = waited;
	if (p->feed >= 0 && p->calls == 1 && write(p->feed, "NOOP\r\n", 6) != 6)
		return SR_ERROR;
	return p->answer;
}

static int
getline_with(int timeout, struct probe *p, struct buf *line)
{
	int fds[2], r, fl = 0;
	struct stream st;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) < 0)
		return SR_ERROR;
	if (p->feed >= 0)
		p->feed = fds[1];
	stream_init(&st, fds[0], fds[0], timeout);
	st.waitcheck = check;
	st.waitarg = p;
	buf_reset(line);
	r = stream_getline(&st, line, 512, &fl);
	stream_free(&st);
	close(fds[0]);
	close(fds[1]);
	return r;
}

/* Pipelined lines on a socket: read without a poll, then EOF. */
static void
test_read_first(void)
{
	struct stream st;
	struct buf line;
	int fds[2], fl = 0;

	buf_init(&line, 512);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) < 0 ||
	    write(fds[1], "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n", 32) != 32) {
		ok(0, "socketpair");
		return;
	}
	stream_init(&st, fds[0], fds[0], 5);
	npoll = 0;
	is_int(stream_getline(&st, &line, 512, &fl), SR_OK, "read first: ok");
	is_str(line.data, "MAIL FROM:<a@b>", "  the first line");
	is_int(stream_getline(&st, &line, 512, &fl), SR_OK, "  and the next");
	is_str(line.data, "RCPT TO:<c@d>", "  from the same read");
	is_int(npoll, 0, "  with no poll");
	ok(!(fcntl(fds[0], F_GETFL) & O_NONBLOCK),
	    "  the socket stays blocking");
	close(fds[1]);
	is_int(stream_getline(&st, &line, 512, &fl), SR_EOF, "  then EOF");
	is_int(st.notsock, 0, "  it is a socket");
	stream_free(&st);
	close(fds[0]);
	buf_free(&line);
}

/* A pipe (inetd-style stdin that is no socket): poll, then read. */
static void
test_pipe(void)
{
	struct stream st;
	struct buf line;
	int fds[2], fl = 0;

	buf_init(&line, 512);
	if (pipe(fds) < 0 || write(fds[1], "NOOP\r\nQUIT\r\n", 12) != 12) {
		ok(0, "pipe");
		return;
	}
	stream_init(&st, fds[0], fds[1], 5);
	npoll = 0;
	is_int(stream_getline(&st, &line, 512, &fl), SR_OK, "a pipe: ok");
	is_str(line.data, "NOOP", "  the line");
	is_int(st.notsock, 1, "  known to be no socket");
	is_int(npoll, 1, "  read after a poll");
	is_int(stream_getline(&st, &line, 512, &fl), SR_OK, "  the next line");
	is_str(line.data, "QUIT", "  from the buffer");
	stream_free(&st);
	close(fds[0]);
	close(fds[1]);
	buf_free(&line);
}

/* Input waiting but the deadline passed: a timeout, not a read. */
static void
test_deadline(void)
{
	struct stream st;
	struct buf line;
	int fds[2], fl = 0;

	buf_init(&line, 512);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) < 0 ||
	    write(fds[1], "NOOP\r\n", 6) != 6) {
		ok(0, "socketpair");
		return;
	}
	stream_init(&st, fds[0], fds[0], 5);
	st.deadline = mono_now() - 1;
	is_int(stream_getline(&st, &line, 512, &fl), SR_TIMEOUT,
	    "a past deadline ends the read though input waits");
	st.deadline = 0;
	is_int(stream_getline(&st, &line, 512, &fl), SR_OK,
	    "  without it the line is read");
	stream_free(&st);
	close(fds[0]);
	close(fds[1]);
	buf_free(&line);
}

/*
 * A line whose bytes before its LF (a CR counted) fill the limit is
 * whole whether the LF comes in the same read or the next.  (Before, the
 * split read gave "too long".)
 */
static void
test_line_at_limit(void)
{
	static const struct {
		const char *in, *line;
		int fl;
	} t[] = { { "ab\r\n", "ab", SL_CRLF }, { "abc\n", "abc", SL_LF } };
	struct stream st;
	struct buf line;
	int fds[2], fl = 0;
	size_t i, split, n;

	buf_init(&line, 16);
	for (i = 0; i < 4; i++) {
		n = strlen(t[i / 2].in);
		split = i % 2; /* 1: read up to the LF, then the LF */
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) < 0) {
			ok(0, "socketpair");
			return;
		}
		stream_init(&st, fds[0], fds[0], 5);
		if (write(fds[1], t[i / 2].in, split ? n - 1 : n) < 0) {
			ok(0, "write");
			return;
		}
		if (split) { /* as a first read that got all but the LF */
			st.rlen =
			    (size_t)read(fds[0], st.rbuf, sizeof(st.rbuf));
			if (write(fds[1], "\n", 1) != 1)
				ok(0, "write");
		}
		if (write(fds[1], "wxyz\r\n", 6) != 6)
			ok(0, "write");
		is_int(stream_getline(&st, &line, 3, &fl), SR_OK,
		    "limit 3, %s%s", i / 2 ? "abc LF" : "ab CR LF",
		    split ? ", the LF read later" : ", one read");
		is_str(line.data, t[i / 2].line, "  the whole line");
		is_int(fl, t[i / 2].fl, "  ended, not too long");
		is_int(stream_getline(&st, &line, 3, &fl), SR_OK, "  the next");
		is_str(line.data, "wxy", "  keeps its limit's first bytes");
		is_int(fl, SL_TOOLONG | SL_CRLF, "  and is too long");
		stream_free(&st);
		close(fds[0]);
		close(fds[1]);
	}
	buf_free(&line);
}

int
main(void)
{
	struct probe p = { 0, 0, SR_ABORT, -1 };
	struct buf line;

	buf_init(&line, 1024);
	is_int(getline_with(30, &p, &line), SR_ABORT,
	    "the check ends the wait with its code");
	is_int(p.calls, 1, "after one slice");
	ok(p.last >= 1, "told the seconds waited (%ld)", p.last);
	p = (struct probe){ 0, 0, 0, 0 };
	is_int(getline_with(30, &p, &line), SR_OK,
	    "a check saying 0 lets input come");
	is_str(line.data, "NOOP", "the line");
	p = (struct probe){ 0, 0, 0, -1 };
	is_int(getline_with(2, &p, &line), SR_TIMEOUT,
	    "the timeout still ends the wait");
	ok(p.calls >= 1, "checked between slices (%d)", p.calls);
	buf_free(&line);
	test_read_first();
	test_pipe();
	test_deadline();
	test_line_at_limit();
	return tap_done();
}
