/*
 * notify.c - the supervisor's systemd notifications (see notify.h).
 * Each is one non-blocking datagram: systemd being slow or gone never
 * holds the supervisor's loop.  A failed send is logged once.
 */
#include "notify.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "log.h"
#include "scoreboard.h"
#include "sdnotify.h"

static void
send_msg(const char *msg)
{
	static int warned;

	if (sdnotify(msg) < 0 && !warned) {
		warned = 1;
		log_msg(LOG_WARNING, "NOTIFY_SOCKET: %s", strerror(errno));
	}
}

static void
status_text(struct scoreboard *sb, const char *what, char *out, size_t len)
{
	unsigned long sessions, gen;

	scoreboard_lock(sb);
	sessions = sb->t.sessions;
	gen = sb->generation;
	scoreboard_unlock(sb);
	snprintf(out, len, "STATUS=%s%s%lu session%s, generation %lu", what,
	    *what ? "; " : "", sessions, sessions == 1 ? "" : "s", gen);
}

void
notify_init(struct notify *n)
{
	memset(n, 0, sizeof(*n));
	n->note = "";
	n->wd_usec = sdnotify_watchdog_usec();
	if (n->wd_usec > 0)
		n->wd_next = sdnotify_monotonic_usec() + n->wd_usec / 2;
}

void
notify_ready(struct notify *n, struct scoreboard *sb)
{
	char msg[sizeof(n->status) + 16];

	status_text(sb, n->note, n->status, sizeof(n->status));
	snprintf(msg, sizeof(msg), "READY=1\n%s", n->status);
	send_msg(msg);
}

/* systemd >= 253 wants MONOTONIC_USEC with RELOADING=1; older ones
 * ignore a field they do not know, so both get it. */
void
notify_reloading(void)
{
	char msg[96];

	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    sdnotify_monotonic_usec());
	send_msg(msg);
}

void
notify_reloaded(struct notify *n, struct scoreboard *sb, int ok)
{
	char msg[sizeof(n->status) + 16];

	n->note = ok ? "" : "last reload failed, old configuration kept";
	status_text(sb, n->note, n->status, sizeof(n->status));
	snprintf(msg, sizeof(msg), "READY=1\n%s", n->status);
	send_msg(msg);
}

void
notify_stopping(void)
{
	send_msg("STOPPING=1\nSTATUS=stopping");
}

void
notify_tick(struct notify *n, struct scoreboard *sb)
{
	char st[sizeof(n->status)];
	unsigned long long now;

	if (n->wd_usec > 0 && (now = sdnotify_monotonic_usec()) >= n->wd_next) {
		send_msg("WATCHDOG=1");
		n->wd_next = now + n->wd_usec / 2;
	}
	if (n->status[0] == '\0')
		return; /* not ready yet */
	status_text(sb, n->note, st, sizeof(st));
	if (strcmp(st, n->status) != 0) {
		memcpy(n->status, st, sizeof(st));
		send_msg(n->status);
	}
}

int
notify_poll_ms(const struct notify *n, int dflt)
{
	unsigned long long half = n->wd_usec / 2000;

	if (n->wd_usec == 0 || half >= (unsigned long long)dflt)
		return dflt;
	return half > 0 ? (int)half : 1;
}
