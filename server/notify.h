/*
 * notify.h - what the supervisor tells systemd (Type=notify): READY once
 * the listeners are open, RELOADING then READY around a reload, STOPPING,
 * a STATUS line with the session count when it changes, and the watchdog
 * keep-alive when the unit sets WatchdogSec.  Nothing without
 * $NOTIFY_SOCKET.  Not for: the protocol itself (shared/sdnotify.c).
 */
#ifndef SMTPD_NOTIFY_H
#define SMTPD_NOTIFY_H

struct scoreboard;

struct notify {
	unsigned long long wd_usec; /* watchdog interval; 0 = none */
	unsigned long long wd_next; /* monotonic usec of the next ping */
	const char *note;           /* shown before the counts, or "" */
	char status[160];           /* last STATUS= sent */
};

void notify_init(struct notify *);
void notify_ready(struct notify *, struct scoreboard *);
void notify_reloading(void);
/* After a reload attempt: READY=1 either way (the old configuration
 * still serves when it failed), with its outcome in STATUS. */
void notify_reloaded(struct notify *, struct scoreboard *, int ok);
void notify_stopping(void);
/* From the supervisor's loop: STATUS when it changed, the watchdog. */
void notify_tick(struct notify *, struct scoreboard *);
/* How long the loop may sleep (ms) so the watchdog is fed in time. */
int notify_poll_ms(const struct notify *, int dflt);

#endif
