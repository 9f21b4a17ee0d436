/*
 * sdnotify.h - systemd's service notification protocol (sd_notify(3)),
 * spoken directly: one datagram to the AF_UNIX socket named by
 * $NOTIFY_SOCKET (a path, or "@name" for the abstract namespace).
 * Not for: anything else of libsystemd, which this avoids linking.
 */
#ifndef SMTPD_SDNOTIFY_H
#define SMTPD_SDNOTIFY_H

/*
 * Send msg ("READY=1", "STATUS=...", several lines joined by "\n").
 * 0 when sent or when there is no NOTIFY_SOCKET (not under systemd),
 * -1 with errno when the socket is named but the datagram failed.
 */
int sdnotify(const char *msg);
/* The watchdog interval systemd asked this process for, in
 * microseconds (WATCHDOG_USEC, for us per WATCHDOG_PID); 0 if none. */
unsigned long long sdnotify_watchdog_usec(void);
/* CLOCK_MONOTONIC in microseconds (for RELOADING=1's MONOTONIC_USEC). */
unsigned long long sdnotify_monotonic_usec(void);

#endif
