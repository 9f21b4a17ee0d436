/*
 * mono.h - deadlines on the monotonic clock, in milliseconds (a wall-clock
 * step never stretches or cuts a wait), and poll(2) bounded by one.
 * For: every wait the server bounds: the session's reads and writes, TLS
 * handshakes, side services (DNS, policy services, milters, ident,
 * whoson, helpers and sub-daemons, PROXY headers).
 * Not for: times written into logs or files (time(2)).
 */
#ifndef SMTPD_MONO_H
#define SMTPD_MONO_H

/* Now on CLOCK_MONOTONIC, in milliseconds: the unit of every deadline. */
long long mono_now(void);
/* The deadline seconds from now. */
long long mono_after(long seconds);
/* Milliseconds from now to deadline; 0 once past it (at most INT_MAX). */
long mono_left(long long deadline);
/*
 * Wait until fd is ready for ev (POLLIN, POLLOUT) or the deadline passes;
 * a signal does not end the wait.  1 ready (or hung up: the read or write
 * that follows says so), 0 the deadline passed, -1 poll(2) failed.
 */
int mono_poll(int fd, short ev, long long deadline);

#endif
