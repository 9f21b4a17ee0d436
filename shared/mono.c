/*
 * mono.c - deadlines on the monotonic clock (see mono.h).
 */
#include "mono.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <time.h>

long long
mono_now(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

long long
mono_after(long seconds)
{
	return mono_now() + (long long)seconds * 1000;
}

long
mono_left(long long deadline)
{
	long long ms = deadline - mono_now();

	if (ms <= 0)
		return 0;
	return ms > INT_MAX ? INT_MAX : (long)ms;
}

int
mono_poll(int fd, short ev, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = ev };
	long ms;
	int r;

	for (;;) {
		if ((ms = mono_left(deadline)) == 0)
			return 0;
		r = poll(&p, 1, (int)ms);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}
