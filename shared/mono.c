/*
 * mono.c - milliseconds on the monotonic clock (see mono.h).
 */
#include "mono.h"

long
mono_ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - t0->tv_sec) * 1000 +
	    (now.tv_nsec - t0->tv_nsec) / 1000000;
}

long
mono_ms_left(const struct timespec *deadline)
{
	long ms = -mono_ms_since(deadline);

	return ms < 0 ? 0 : ms;
}
