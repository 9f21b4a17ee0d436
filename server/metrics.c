/*
 * metrics.c - Prometheus text exposition of the scoreboard (see
 * metrics.h).  Every family has its HELP and TYPE lines, counters end in
 * _total, label values are fixed words or numbers (nothing a client
 * sent), so the output is valid whatever the traffic was.
 */
#include "metrics.h"

#include <stdlib.h>
#include <time.h>

#include "buf.h"
#include "control.h"
#include "scoreboard.h"

static void
family(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP smtpserver_%s %s\n# TYPE smtpserver_%s %s\n",
	    name, help, name, type);
}

static void
one(struct buf *b, const char *name, const char *type, const char *help,
    unsigned long v)
{
	family(b, name, type, help);
	buf_printf(b, "smtpserver_%s %lu\n", name, v);
}

static void
put_connections(struct buf *b, const struct sb_totals *t)
{
	static const char *why[SB_NREFUSALS] = { "limit_total_450",
		"limit_total_close", "limit_sameip_450", "limit_sameip_close",
		"load" };
	int i;

	one(b, "connections", "gauge", "Connections open now, every kind.",
	    t->conn_now);
	one(b, "sessions", "gauge", "Admitted sessions open now.", t->sessions);
	one(b, "sessions_admitted_total", "counter",
	    "Sessions admitted since start.", t->conn_total);
	family(b, "connections_refused_total", "counter",
	    "Connections refused at admission, by reason.");
	for (i = 0; i < SB_NREFUSALS; i++)
		buf_printf(b,
		    "smtpserver_connections_refused_total{reason=\"%s\"} "
		    "%lu\n",
		    why[i], t->refused[i]);
	one(b, "stress_closed_total", "counter",
	    "Idle sessions closed in stress mode.", t->stress_closed);
}

static void
put_messages(struct buf *b, const struct sb_totals *t)
{
	int i;

	one(b, "messages_accepted_total", "counter",
	    "Messages committed to the spool.", t->messages);
	one(b, "message_bytes_total", "counter",
	    "Bytes of the messages committed to the spool.", t->bytes);
	one(b, "recipients_accepted_total", "counter",
	    "Recipients of the messages committed to the spool.", t->rcpts);
	family(b, "rejects_total", "counter",
	    "4xx and 5xx replies, by reply code (535: AUTH failed).");
	for (i = 0; i < SB_CODES; i++)
		if (t->by_code[i] > 0)
			buf_printf(b,
			    "smtpserver_rejects_total{code=\"%d\"} %lu\n",
			    400 + i, t->by_code[i]);
	family(b, "auth_failures_total", "counter",
	    "AUTH attempts refused with 535 (bad credentials).");
	buf_printf(
	    b, "smtpserver_auth_failures_total %lu\n", t->by_code[535 - 400]);
}

static void
put_workers(struct buf *b, const struct scoreboard *c)
{
	static const char *names[SB_NSTATES] = { "free", "starting", "idle",
		"busy", "exiting" };
	unsigned n[SB_NSTATES] = { 0 }, i;

	for (i = 0; i < c->nslots; i++)
		if (c->slots[i].state >= 0 && c->slots[i].state < SB_NSTATES)
			n[c->slots[i].state]++;
	family(b, "workers", "gauge", "Worker processes, by state.");
	for (i = SB_STARTING; i < SB_NSTATES; i++)
		buf_printf(
		    b, "smtpserver_workers{state=\"%s\"} %u\n", names[i], n[i]);
	one(b, "scoreboard_slots", "gauge", "Worker slots in use by the pool.",
	    c->nslots - n[SB_FREE]);
	one(b, "scoreboard_slots_max", "gauge",
	    "Worker slots the scoreboard has now.", c->nslots);
	one(b, "scoreboard_lock_repairs_total", "counter",
	    "Scoreboard locks recovered from a dead holder.", c->repairs);
}

static void
put_daemon(struct buf *b, const struct scoreboard *c)
{
	one(b, "generation", "gauge", "Configuration generation running.",
	    c->generation);
	family(b, "reloads_total", "counter", "Reloads, by result.");
	buf_printf(b,
	    "smtpserver_reloads_total{result=\"ok\"} %lu\n"
	    "smtpserver_reloads_total{result=\"failed\"} %lu\n",
	    c->t.reloads_ok, c->t.reloads_failed);
	one(b, "start_time_seconds", "gauge",
	    "Start of the daemon, in seconds since the epoch.",
	    (unsigned long)c->started);
	one(b, "stress_mode", "gauge", "1 while stress mode is on.",
	    (unsigned long)scoreboard_stressed(c));
}

static void
put_events(struct buf *b, const struct sb_counts *n)
{
	static const char *tls[SB_NTLS] = { "TLSv1", "TLSv1.1", "TLSv1.2",
		"TLSv1.3", "other" };
	static const char *stage[SB_NSTAGES] = { "connect", "helo", "mail",
		"rcpt" };
	int i;

	family(b, "tls_sessions_total", "counter",
	    "TLS handshakes completed, by protocol version.");
	for (i = 0; i < SB_NTLS; i++)
		buf_printf(b,
		    "smtpserver_tls_sessions_total{version=\"%s\"} %lu\n",
		    tls[i], n->tls[i]);
	one(b, "tls_failures_total", "counter",
	    "TLS handshakes that failed (the session ends).", n->tls_failed);
	family(b, "auth_total", "counter", "AUTH attempts checked, by result.");
	buf_printf(b,
	    "smtpserver_auth_total{result=\"ok\"} %lu\n"
	    "smtpserver_auth_total{result=\"failed\"} %lu\n",
	    n->auth_ok, n->auth_failed);
	family(b, "policy_refusals_total", "counter",
	    "Refusals by the policy, by stage.");
	for (i = 0; i < SB_NSTAGES; i++)
		buf_printf(b,
		    "smtpserver_policy_refusals_total{stage=\"%s\"} %lu\n",
		    stage[i], n->policy[i]);
	one(b, "dnsbl_refusals_total", "counter",
	    "Policy refusals decided by a DNS blocklist.", n->dnsbl);
}

/* Listener names come from the configuration; escaped all the same. */
static void
put_label(struct buf *b, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			buf_printf(b, "\\%c", *v);
		else if (*v == '\n')
			buf_puts(b, "\\n");
		else
			buf_printf(b, "%c", *v);
	}
}

static void
put_listeners(struct buf *b, const struct sb_counts *n)
{
	static const char *out[SB_NLOUT] = { "admitted", "refused",
		"proxy_refused", "proxy_bad_header" };
	int i, o;

	family(b, "listener_connections_total", "counter",
	    "Connections by listener and outcome.");
	for (i = 0; i < SB_MAX_LISTENERS; i++)
		for (o = 0; n->listener[i].used && o < SB_NLOUT; o++) {
			buf_puts(b,
			    "smtpserver_listener_connections_total{listener="
			    "\"");
			put_label(b, n->listener[i].name);
			buf_printf(b, "\",outcome=\"%s\"} %lu\n", out[o],
			    n->listener[i].conn[o]);
		}
	family(b, "listener_messages_total", "counter",
	    "Messages committed to the spool, by listener.");
	for (i = 0; i < SB_MAX_LISTENERS; i++) {
		if (!n->listener[i].used)
			continue;
		buf_puts(b, "smtpserver_listener_messages_total{listener=\"");
		put_label(b, n->listener[i].name);
		buf_printf(b, "\"} %lu\n", n->listener[i].messages);
	}
}

/* Cumulative buckets, as the exposition format wants them. */
static void
put_commit(struct buf *b, const struct sb_counts *n)
{
	unsigned long sum = 0;
	int i;

	family(b, "spool_commit_seconds", "histogram",
	    "Time to make a message durable (fsync, rename, directory fsync).");
	for (i = 0; i < SB_NBUCKETS; i++) {
		sum += n->commit[i];
		if (i < SB_NBUCKETS - 1)
			buf_printf(b,
			    "smtpserver_spool_commit_seconds_bucket"
			    "{le=\"%g\"} %lu\n",
			    sbcount_bound(i) / 1000.0, sum);
		else
			buf_printf(b,
			    "smtpserver_spool_commit_seconds_bucket"
			    "{le=\"+Inf\"} %lu\n",
			    sum);
	}
	buf_printf(b,
	    "smtpserver_spool_commit_seconds_sum %.6f\n"
	    "smtpserver_spool_commit_seconds_count %lu\n",
	    n->commit_us / 1e6, sum);
}

int
metrics_render(struct control_info *ci, struct buf *b)
{
	struct scoreboard *c = control_snapshot(ci->sb);

	if (c == NULL)
		return -1;
	put_connections(b, &c->t);
	put_messages(b, &c->t);
	put_workers(b, c);
	put_daemon(b, c);
	put_events(b, &c->n);
	put_commit(b, &c->n);
	put_listeners(b, &c->n);
	free(c);
	return 0;
}
