/*
 * mono.h - milliseconds on the monotonic clock, for waits bounded by a
 * deadline (a wall-clock step never stretches or cuts them).
 * For: the bounded exchanges with side services (DNS, policy services,
 * PROXY headers).  Not for: times written into logs or files.
 */
#ifndef SMTPD_MONO_H
#define SMTPD_MONO_H

#include <time.h>

/* Milliseconds from now to deadline (CLOCK_MONOTONIC); 0 once past it. */
long mono_ms_left(const struct timespec *deadline);
/* Milliseconds since t0 (CLOCK_MONOTONIC). */
long mono_ms_since(const struct timespec *t0);

#endif
