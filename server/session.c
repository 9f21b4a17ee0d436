/*
 * session.c - one SMTP session: set-up, greeting, the bounded read loop
 * with its input checks, and tear-down with a disconnect summary.
 * Not for: command semantics (cmd_*.c), gates (verbs.c), replies (reply.c).
 */
#include "smtp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "mono.h"
#include "netaddr.h"
#include "ident.h"
#include "whoson.h"
#include "peer.h"
#include "policy.h"
#include "zenv.h"

#define IDENT_PORT 113
#define IDENT_TIMEOUT 5

void
smtp_event(struct smtp *s, enum sess_event ev, const void *p, long n)
{
	if (s->env->hooks.event)
		s->env->hooks.event(s->env->hooks.arg, ev, p, n);
}

void
smtp_txn_reset(struct smtp *s)
{
	struct smtp_txn *t = &s->tx;
	size_t i;

	milter_abort(s);
	if (t->spool)
		spool_abort(t->spool);
	free(t->from);
	free(t->envid);
	free(t->auth_param);
	for (i = 0; i < t->nrcpts; i++) {
		free(t->rcpts[i].addr);
		free(t->rcpts[i].notify);
		free(t->rcpts[i].orcpt);
		free(t->rcpts[i].by);
	}
	free(t->rcpts);
	for (i = 0; i < t->nrejected; i++)
		free(t->rejected[i]);
	free(t->rejected);
	hdrs_free(&t->hdrs);
	smtp_spf_txn_end(s);
	memset(t, 0, sizeof(*t));
	t->size = -1;
	if (s->state != ST_HELLO)
		s->state = ST_MAIL;
}

/* Append the greeting line text for one hdr220 template (PARAM hdr220, smtpserver.conf(5)). */
static void
expand220(const struct smtp *s, const char *tpl, struct buf *out)
{
	char tbuf[64];
	time_t now = time(NULL);
	struct tm tm;

	for (; *tpl; tpl++) {
		if (*tpl != '%' || tpl[1] == '\0') {
			buf_putc(out, *tpl);
			continue;
		}
		switch (*++tpl) {
		case '%':
			buf_putc(out, '%');
			break;
		case 'H':
			buf_puts(out, s->myhost);
			break;
		case 'I':
			buf_puts(out, s->env->ident ? " +IDENT" : "");
			break;
		case 'i':
			buf_puts(out, s->iplit);
			break;
		case 'p':
			buf_printf(out, "%d", s->lport);
			break;
		case 'V':
			buf_puts(out, SMTPSERVER_VERSION);
			break;
		case 'X':
			break;
		case 'T':
			localtime_r(&now, &tm);
			strftime(tbuf, sizeof(tbuf), "%a, %d %b %Y %H:%M:%S %z",
			    &tm);
			buf_puts(out, tbuf);
			break;
		default:
			buf_putc(out, '%');
			buf_putc(out, *tpl);
			break;
		}
	}
}

/* Every config has a PARAM hdr220 line: the file's, or the table's default. */
static void
greet(struct smtp *s)
{
	const char *const *lines = (const char *const *)s->cf->hdr220;
	size_t n = s->cf->nhdr220, i;
	struct buf b;

	buf_init(&b, 1024);
	for (i = 0; i < n; i++) {
		buf_reset(&b);
		expand220(s, lines[i], &b);
		if (i + 1 < n)
			reply_cont(s, R_GREETING, b.data ? b.data : "");
		else
			reply(s, R_GREETING, b.data ? b.data : "");
	}
	buf_free(&b);
	reply_flush(s);
}

/* Apply a style flag string (-s or a HELO pattern's flags: smtpserver(8) -s, smtpserver.conf(5) HELO-PATTERN LINES). */
void
smtp_style(struct smtp *s, const char *flags)
{
	const char *f = s->env->style;

	s->style_R = s->style_v = s->style_e = s->style_D = 0;
	s->style_F = s->style_T = s->style_h = 0;
	s->sloppy = s->strict = 0;
	if (f && strcasecmp(f, "strict") == 0)
		s->strict = 1;
	else if (f && strcasecmp(f, "sloppy") == 0)
		s->sloppy = 1;
	if (flags == NULL)
		flags = (f && !s->strict && !s->sloppy) ? f : "ve";
	for (; *flags; flags++) {
		switch (*flags) {
		case 'R':
			s->style_R = 1;
			break;
		case 'S':
			s->sloppy = 1;
			break;
		case 'v':
			s->style_v = 1;
			break;
		case 'e':
			s->style_e = 1;
			break;
		case 'D':
			s->style_D = 1;
			break;
		case 'F':
			s->style_F = 1;
			break;
		case 'T':
			s->style_T = 1;
			break;
		case 'h':
			s->style_h = 1;
			break;
		default:
			break;
		}
	}
	if (s->sloppy)
		s->style_R = 0;
	s->bare_lf_reject = s->strict || s->g->bare_lf == BARE_LF_REJECT;
}

/* HELO optional: -s sloppy, or local sessions without a demanding
 * pattern (smtpserver(8), -s). */
static int
helo_optional(const struct smtp *s)
{
	const struct conf_helo *h;

	if (s->sloppy)
		return 1;
	if (!s->env->interactive && strcmp(s->ip, "127.0.0.1") != 0)
		return 0;
	h = conf_helo_match(s->cf, "127.0.0.1");
	return h == NULL || strcmp(h->flags, "-") == 0;
}

static void
setup_peer(struct smtp *s)
{
	const struct session_env *e = s->env;
	const struct sockaddr *sa = (const struct sockaddr *)&e->peer;

	snprintf(s->rhost, sizeof(s->rhost), "stdin");
	snprintf(s->iplit, sizeof(s->iplit), "[127.0.0.1]");
	snprintf(s->ip, sizeof(s->ip), "127.0.0.1");
	memcpy(s->rhost_flags, "XXXX", 4);
	if (e->peerlen == 0 || netaddr_text(sa, s->ip, sizeof(s->ip)) < 0)
		return;
	s->rport = netaddr_port(sa);
	s->ipv6 = strchr(s->ip, ':') != NULL;
	snprintf(
	    s->iplit, sizeof(s->iplit), s->ipv6 ? "[IPv6:%s]" : "[%s]", s->ip);
	if (e->locallen)
		s->lport = netaddr_port((const struct sockaddr *)&e->local);
	if (e->network)
		peer_lookup(e->policy ? policy_dns(e->policy) : NULL, sa,
		    s->iplit, s->rhost, sizeof(s->rhost), s->rhost_flags);
	if (e->ident && e->network && e->locallen)
		ident_query(sa, (const struct sockaddr *)&e->local, IDENT_PORT,
		    IDENT_TIMEOUT, s->ident, sizeof(s->ident));
	if (e->whoson && e->network)
		s->whoson_rc = whoson_query(s->cf->whoson_server,
		    s->cf->whoson_port, s->cf->whoson_tcp,
		    s->cf->whoson_timeout, s->ip, s->whoson, sizeof(s->whoson));
}

static void
setup(struct smtp *s, const struct session_env *e)
{
	const char *zv;

	memset(s, 0, sizeof(*s));
	s->env = e;
	s->start = time(NULL);
	s->cf = e->conf;
	s->g = e->grp;
	stream_init(&s->st, e->fd_in, e->fd_out, s->g->timeout_command);
	if (s->g->session_deadline > 0)
		s->st.deadline = mono_after(s->g->session_deadline);
	buf_init(&s->line, CMD_LINE_MAX + 1);
	if (e->myhostname)
		snprintf(s->myhost, sizeof(s->myhost), "%s", e->myhostname);
	else if (gethostname(s->myhost, sizeof(s->myhost) - 1) < 0)
		snprintf(s->myhost, sizeof(s->myhost), "localhost");
	setup_peer(s);
	s->tarpit = s->g->tarpit_init;
	s->tty = e->interactive && isatty(e->fd_in);
	s->lmtp = s->cf->lmtp_mode;
	s->maxsize = e->maxsize >= 0 ? e->maxsize : s->cf->maxsize;
	smtp_style(s, NULL);
	s->state = helo_optional(s) ? ST_MAIL : ST_HELLO;
	s->tx.size = -1;
	/* submission: 587, and 465 too (RFC 8314 section 3.3) when AUTH is
	 * configured for it; without, 465 stays ZMailer's implicit-TLS SMTP */
	s->msa = e->kind == BIND_SUBMIT || s->cf->msa_mode ||
	    (e->kind == BIND_SMTPS && (s->g->smtp_auth || s->g->auth_pipe));
	s->with = e->bsmtp ? "BSMTP" : s->lmtp ? "LMTP" : "SMTP";
	s->spool.postoffice = e->postoffice;
	s->spool.min_availspace = s->cf->min_availspace;
	s->spool.sync_fs = s->cf->spool_sync == SPOOL_SYNC_SYNCFS;
	/* a contentfilter opens the file by its name in public/ */
	s->spool.named_temp = s->cf->contentfilter != NULL;
	s->spool.received_header = s->cf->received_header;
	s->spool.myhostname = s->myhost;
	zv = e->zenv ? zenv_get(e->zenv, "ROUTERDIRHASH") : NULL;
	s->spool.routerdirhash = zv && strcmp(zv, "1") == 0;
	s->spool.routernotify =
	    e->zenv ? zenv_get(e->zenv, "ROUTERNOTIFY") : NULL;
}

/* Transcript (and -v echo) of the line read: an AUTH line up to its
 * mechanism, a line that may be a credential not at all. */
static void
log_command(struct smtp *s)
{
	const char *text = s->line.data;
	size_t n;

	if ((s->line_secret = smtp_auth_secret(s)) != 0) {
		text = SMTP_SECRET_LINE;
		n = strlen(text);
		xlog_note(s->env->xlog, "%s", text);
	} else {
		n = smtp_auth_loglen(s->line.data, s->line.len);
		xlog_line(s->env->xlog, 'r', text, n);
	}
	if (s->env->echo) {
		fwrite(text, 1, n, stderr);
		fputc('\n', stderr);
	}
}

/* A line that may have been a credential is not kept in memory either. */
static void
forget_secret(struct smtp *s)
{
	if (!s->line_secret)
		return;
	explicit_bzero(s->line.data, s->line.len);
	stream_wipe_consumed(&s->st);
	s->line_secret = 0;
}

/* The stream's wait check while a command is awaited (stress mode). */
static int
command_wait(void *arg, long waited)
{
	struct smtp *s = arg;
	const struct session_hooks *h = &s->env->hooks;

	s->idle_told = 1;
	return h->idle(h->arg, waited, s->lines == 0) ? SR_ABORT : 0;
}

/* One command line, the daemon's stress mode told of a long wait. */
static int
get_command(struct smtp *s, int *fl)
{
	int r;

	if (s->env->hooks.idle) {
		s->st.waitcheck = command_wait;
		s->st.waitarg = s;
	}
	r = stream_getline(&s->st, &s->line, CMD_LINE_MAX, fl);
	s->st.waitcheck = NULL;
	if (s->idle_told && r != SR_ABORT)
		s->env->hooks.idle(s->env->hooks.arg, -1, 0);
	s->idle_told = 0;
	s->lines += r == SR_OK;
	return r;
}

/* Read and vet one command line; -1 ends the session. */
static int
read_command(struct smtp *s)
{
	int r, fl = 0;

	forget_secret(s);
	/* Replies wait only for commands already read (pipelining): asking
	 * the kernel too would cost a poll(2) per command. */
	if (stream_buffered(&s->st) == 0)
		reply_flush(s);
	if (s->quit)
		return -1;
	r = get_command(s, &fl);
	if (r == SR_ABORT) {
		reply(s, R_STRESS_IDLE, s->myhost);
		return -1;
	}
	if (r == SR_TIMEOUT) {
		smtp_log_timeout(s, "command");
		reply(s, R_TIMEOUT, s->myhost);
		return -1;
	}
	if (r != SR_OK) {
		xlog_note(s->env->xlog, "Session closed w/o QUIT");
		return -1;
	}
	s->line_flags = fl;
	log_command(s);
	if (fl & SL_TOOLONG) {
		reply(s, R_LINE_TOO_LONG, CMD_LINE_MAX);
		return 0;
	}
	if ((fl & SL_LF) && s->bare_lf_reject) {
		reply(s, R_BARE_LF);
		return 0;
	}
	if (!s->strict)
		while (s->line.len &&
		    (s->line.data[s->line.len - 1] == ' ' ||
		        s->line.data[s->line.len - 1] == '\t'))
			s->line.data[--s->line.len] = '\0';
	return 1;
}

const char *
smtp_client_name(const struct smtp *s, char *out, size_t len)
{
	char name[256];
	const char *n = s->rhost[0] == '[' ? "unknown" : s->rhost;

	log_escape(name, sizeof(name), n, strlen(n));
	snprintf(out, len, "%s[%s]", name, s->ip);
	return out;
}

const char *
smtp_kv_client(const struct smtp *s, char *out, size_t len)
{
	snprintf(out, len, "client=%s port=%d", s->ip, s->rport);
	return out;
}

const char *
smtp_tls_version(const struct smtp *s)
{
	const char *v;

	if (s->tls_cipher[0] == '\0')
		return "none";
	v = strstr(s->tls_cipher, " version ");
	return v && v[9] ? v + 9 : "unknown";
}

/*
 * A client that took too long, in Postfix's "timeout after" shape: stage
 * says what was waited for (command, data, auth: its input; reply: it to
 * take our replies).
 */
void
smtp_log_timeout(const struct smtp *s, const char *stage)
{
	char who[400], kv[128];

	log_msg(LOG_INFO, "%s: timeout (%s) from %s event=timeout %s stage=%s",
	    xlog_tag(s->env->xlog), stage,
	    smtp_client_name(s, who, sizeof(who)),
	    smtp_kv_client(s, kv, sizeof(kv)), stage);
}

/* The connect line: Postfix's "connect from name[addr]", then the fields. */
static void
log_connect(const struct smtp *s)
{
	const struct session_env *e = s->env;
	char who[400], kv[128], name[300], l[300];

	log_msg(LOG_INFO, "%s: connect from %s event=connect %s name=%s%s%s",
	    xlog_tag(e->xlog), smtp_client_name(s, who, sizeof(who)),
	    smtp_kv_client(s, kv, sizeof(kv)),
	    log_value(name, sizeof(name), s->rhost[0] == '[' ? NULL : s->rhost),
	    e->listener ? " listener=" : "",
	    e->listener ? log_value(l, sizeof(l), e->listener) : "");
}

/*
 * The one line that sums up a connection, in Postfix's shape: per-verb
 * counts and commands=, then messages, refusals, seconds, and in the
 * daemon the listener and the client's connection count.
 */
static void
summary(struct smtp *s)
{
	const struct session_env *e = s->env;
	char who[400], kv[128];
	struct buf b;
	size_t i;
	unsigned long total = 0;

	buf_init(&b, 2048);
	for (i = 0; i < verbs_count(); i++) {
		if (s->verb_count[i] == 0)
			continue;
		total += s->verb_count[i];
		buf_printf(&b, " %s=%lu", verbs_name(i), s->verb_count[i]);
	}
	buf_printf(&b, " commands=%lu messages=%lu rejects=%lu secs=%ld", total,
	    s->nmsgs, s->nrejects, (long)(time(NULL) - s->start));
	if (e->listener)
		buf_printf(
		    &b, " listener=%s same_ip=%d", e->listener, e->same_ip);
	buf_printf(&b, " event=disconnect %s tls=%s",
	    smtp_kv_client(s, kv, sizeof(kv)), smtp_tls_version(s));
	log_msg(LOG_INFO, "%s: disconnect from %s%s", xlog_tag(e->xlog),
	    smtp_client_name(s, who, sizeof(who)), b.data ? b.data : "");
	buf_free(&b);
}

int
session_run(const struct session_env *e)
{
	struct smtp s;
	enum greet g;
	int r, rc = 1;

	setup(&s, e);
	xlog_note(
	    e->xlog, "connection from %s %s:%d", s.rhost, s.iplit, s.rport);
	if (s.whoson[0])
		xlog_note(e->xlog, "whoson: %s", s.whoson);
	log_connect(&s);
	/* implicit TLS first: even a refusing greeting goes inside TLS */
	if (e->kind == BIND_SMTPS && smtp_tls_implicit(&s) < 0)
		g = GREET_CLOSE;
	else
		g = smtp_policy_connect(&s);
	if (g == GREET_220) {
		milter_connect(&s);
		greet(&s);
	}
	for (r = g == GREET_CLOSE ? -1 : 0; r >= 0;) {
		if (e->stopping && *e->stopping) {
			reply(&s, R_SHUTDOWN, s.myhost);
			break;
		}
		r = read_command(&s);
		if (r < 0)
			break;
		if (r == 0)
			continue;
		verbs_dispatch(&s);
		if (s.quit) {
			rc = s.quit == Q_SAID_QUIT ? 0 : 1;
			break;
		}
	}
	/*
	 * At the end of the shutdown grace the worker cuts our input
	 * (shutdown SHUT_RD), so a read sees end of file: tell the client
	 * 421 through the stream, inside TLS when TLS is on.  Not after
	 * QUIT, and not when input ended in a TLS handshake (no eof seen
	 * by the stream; the client speaks TLS and our stream cannot).
	 */
	if (e->stopping && *e->stopping && s.st.eof && s.quit != Q_SAID_QUIT)
		reply(&s, R_SHUTDOWN, s.myhost);
	reply_flush(&s);
	forget_secret(&s);
	smtp_txn_reset(&s);
	milter_end(&s);
	smtp_auth_reset(&s);
	smtp_policy_end(&s);
	smtp_polsvc_end(&s);
	smtp_spf_end(&s);
	smtp_tls_end(&s);
	summary(&s);
	free(s.helo_arg);
	free(s.helo_line);
	buf_free(&s.line);
	stream_free(&s.st);
	return rc;
}
