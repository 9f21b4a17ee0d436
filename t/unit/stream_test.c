/*
 * stream_test.c - the stream's wait check: asked between slices of a
 * wait for input, it may end the wait with its own code, let input that
 * comes meanwhile through, and never stretch the timeout.
 */
#include <sys/socket.h>
#include <unistd.h>

#include "stream.h"
#include "tap.h"

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
	return tap_done();
}
