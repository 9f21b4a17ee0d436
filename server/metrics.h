/*
 * metrics.h - the daemon's counters in Prometheus' text exposition
 * format (version 0.0.4), from a snapshot of the scoreboard: served by
 * the control socket's "metrics" request.
 * Not for: counting (the scoreboard does, where the events happen).
 */
#ifndef SMTPD_METRICS_H
#define SMTPD_METRICS_H

struct buf;
struct control_info;

/* Append the exposition to out; -1 when out of memory. */
int metrics_render(struct control_info *, struct buf *out);

#endif
