/* mono_test.c - deadlines on the monotonic clock and poll(2) bounded by one. */
#include "mono.h"
#include "tap.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static void
on_alarm(int sig)
{
	(void)sig;
}

int
main(void)
{
	struct sigaction sa;
	struct itimerval it;
	long long t0 = mono_now(), dl;
	int p[2];

	ok(t0 > 0, "the clock reads");
	ok(mono_after(3) - t0 >= 3000 && mono_after(3) - t0 < 4000,
	    "mono_after counts milliseconds");
	is_int(mono_left(t0 - 1), 0, "a passed deadline has nothing left");
	ok(mono_left(mono_after(2)) > 1000, "a future one has");
	is_int(mono_left(t0 + (long long)INT_MAX * 4), INT_MAX,
	    "a far one is cut to what poll(2) takes");

	ok(pipe(p) == 0, "pipe");
	is_int(mono_poll(p[0], POLLIN, t0 - 1), 0,
	    "past deadline: 0 without waiting, though nothing is ready");
	is_int(mono_poll(p[1], POLLOUT, mono_after(5)), 1, "ready: 1");
	(void)!write(p[1], "x", 1);
	is_int(mono_poll(p[0], POLLIN, mono_after(5)), 1, "input: 1");
	is_int(mono_poll(-1, POLLIN, t0 - 1), 0, "deadline before poll");

	/* a signal in the wait does not end it: the deadline does */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 20000;
	setitimer(ITIMER_REAL, &it, NULL);
	(void)!read(p[0], (char[1]){ 0 }, 1);
	dl = mono_after(0) + 200;
	is_int(mono_poll(p[0], POLLIN, dl), 0, "a signal mid-wait: still 0");
	ok(mono_now() >= dl, "returned only at the deadline");
	close(p[0]);
	close(p[1]);
	return tap_done();
}
