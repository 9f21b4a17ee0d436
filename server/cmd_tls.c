/*
 * cmd_tls.c - STARTTLS (RFC 3207) and implicit TLS (RFC 8314) in the
 * session: the refusals, the handshake through tls.c, and the reset
 * that follows it (the client must say EHLO again; what it said or
 * proved in plaintext is forgotten).
 * Not for: OpenSSL contexts and the transport (tls.c).
 */
#include "smtp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "tls.h"

int
smtp_tls_on(const struct smtp *s)
{
	return tls_active(&s->st);
}

/* The envelope's "with": ESMTP/LMTP plus S (TLS) and A (AUTH), RFC 3848. */
const char *
smtp_with(const struct smtp *s)
{
	static const char *const esmtp[] = { "ESMTP", "ESMTPA", "ESMTPS",
		"ESMTPSA" };
	static const char *const lmtp[] = { "LMTP", "LMTPA", "LMTPS",
		"LMTPSA" };
	int i = (smtp_tls_on(s) ? 2 : 0) + (s->authenticated ? 1 : 0);

	if (strcmp(s->with, "ESMTP") == 0)
		return esmtp[i];
	if (strcmp(s->with, "LMTP") == 0)
		return lmtp[i];
	return s->with;
}

static int
handshake(struct smtp *s)
{
	char err[300], kv[128], c[200];
	int lvl = s->g->tls_loglevel;

	if (tls_start(&s->st, s->env->tls, s->g->timeout_command, err,
	        sizeof(err)) < 0) {
		log_msg(LOG_NOTICE,
		    "%s: TLS handshake with %s%s failed: %s "
		    "event=tls-fail %s",
		    xlog_tag(s->env->xlog), s->rhost, s->iplit, err,
		    smtp_kv_client(s, kv, sizeof(kv)));
		xlog_note(s->env->xlog, "TLS handshake failed: %s", err);
		smtp_event(s, SEV_TLS, NULL, -1);
		return -1;
	}
	tls_describe(&s->st, s->tls_cipher, sizeof(s->tls_cipher), s->tls_peer,
	    sizeof(s->tls_peer));
	smtp_event(s, SEV_TLS, tls_version(&s->st), 0);
	xlog_note(s->env->xlog, "TLS %s%s%s", s->tls_cipher,
	    s->tls_peer[0] ? " peer CN " : "", s->tls_peer);
	if (lvl >= 1)
		log_msg(LOG_INFO,
		    "%s: TLS from %s%s: %s%s%s event=tls %s proto=%s "
		    "cipher=%s",
		    xlog_tag(s->env->xlog), s->rhost, s->iplit, s->tls_cipher,
		    lvl >= 2 && s->tls_peer[0] ? " peer CN=" : "",
		    lvl >= 2 ? s->tls_peer : "",
		    smtp_kv_client(s, kv, sizeof(kv)), smtp_tls_version(s),
		    log_value(c, sizeof(c), s->tls_cipher));
	return 0;
}

/* Implicit TLS (465, -t): handshake before the greeting; -1 = close. */
int
smtp_tls_implicit(struct smtp *s)
{
	if (s->env->tls == NULL) {
		log_msg(LOG_ERR,
		    "%s: implicit TLS from %s%s but no TLS "
		    "context (use-tls, tls-cert-file)",
		    xlog_tag(s->env->xlog), s->rhost, s->iplit);
		return -1;
	}
	return handshake(s);
}

void
cmd_starttls(struct smtp *s, const char *arg)
{
	if (smtp_tls_on(s)) {
		reply(s, R_TLS_ACTIVE);
		return;
	}
	if (!s->g->use_tls) {
		reply(s, R_TLS_NOT_CONF);
		return;
	}
	/* commands sent before our 220 must never run inside TLS */
	if (*arg || stream_pending(&s->st)) {
		stream_discard_input(&s->st);
		reply(s, R_TLS_JUNK);
		return;
	}
	if (s->env->tls == NULL) {
		reply(s, R_TLS_UNAVAIL);
		return;
	}
	reply(s, R_TLS_GO);
	reply_flush(s);
	if (s->quit)
		return;
	smtp_txn_reset(s);
	if (handshake(s) < 0) {
		s->quit = Q_DROP;
		return;
	}
	/* RFC 3207 4.2: forget everything learnt before, want EHLO again */
	free(s->helo_arg);
	free(s->helo_line);
	s->helo_arg = s->helo_line = NULL;
	s->helo_seen = 0;
	s->esmtp = 0;
	s->state = ST_HELLO; /* the transaction went before the handshake */
	smtp_auth_reset(s);
}

void
smtp_tls_end(struct smtp *s)
{
	tls_end(&s->st);
}
