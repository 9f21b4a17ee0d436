/*
 * cmd_data.c - DATA and BDAT: the body into the spool.  Only
 * <CRLF>.<CRLF> ends DATA (no SMTP smuggling); a bare LF is a line end for
 * storage unless bare-lf reject / -s strict refuses it; a bare CR is never
 * a line end.  maxsize and the free space (spool.c) are enforced while
 * receiving: storing stops, reading goes on, the reply is 552 or 452.
 * Nothing gets 250 before spool_commit().
 * Not for: envelope syntax (spool/envelope.c).
 */
#include "smtp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"
#include "mono.h"

/* Build the spool envelope from the session and transaction. */
void
fill_envelope(struct smtp *s, struct envelope *e)
{
	const struct session_env *env = s->env;

	memset(e, 0, sizeof(*e));
	e->external = env->network;
	e->rhost = s->rhost;
	e->ip = s->ip;
	e->ipv6 = s->ipv6;
	e->rport = s->rport;
	e->helo_line = s->helo_line ? s->helo_line : "";
	memcpy(e->rhost_flags, s->rhost_flags, 4);
	e->show_ident = s->g->rcvd_ident;
	if (s->ident[0]) {
		e->ident = s->ident;
		e->identinfo = s->ident;
	}
	e->show_whoson = s->g->rcvd_whoson;
	e->whoson = s->whoson[0] ? s->whoson : NULL;
	e->show_auth = s->g->rcvd_auth_user;
	e->show_tls_mode = s->g->rcvd_tls_mode;
	e->show_tls_peer = s->g->rcvd_tls_peer;
	e->bodytype = s->tx.bodytype;
	e->with = smtp_with(s);
	e->auth_user = s->authenticated ? s->auth_user : NULL;
	e->tls_cipher = smtp_tls_on(s) ? s->tls_cipher : NULL;
	e->tls_peer = s->tls_peer[0] ? s->tls_peer : NULL;
	e->from = s->tx.from;
	e->freeze = s->tx.freeze;
	e->envid = s->tx.envid;
	e->notaryret = s->tx.ret;
	e->rcpts = s->tx.rcpts;
	e->nrcpts = s->tx.nrcpts;
	e->rejected = (const char *const *)s->tx.rejected;
	e->nrejected = s->tx.nrejected;
	e->when = time(NULL);
}

/* Why the body is not being stored (besides over_size). */
#define W_SPACE 1 /* no room above min-availspace: 452 4.3.1 */
#define W_IO 2    /* any other spool error: 451 4.3.0 */

static int
werr_of(int eno)
{
	return eno == ENOSPC ? W_SPACE : W_IO;
}

static int
put_hdr(void *arg, const char *p, size_t n)
{
	return spool_write(arg, p, n);
}

/* The spool file for the transaction; 0, or W_SPACE / W_IO. */
static int
begin_spool(struct smtp *s)
{
	struct envelope e;
	char err[256];
	int eno;

	fill_envelope(s, &e);
	if (spool_begin(&s->spool, &e, &s->tx.spool, err, sizeof(err)) < 0) {
		eno = errno;
		log_msg(LOG_ERR, "%s: spool: %s", xlog_tag(s->env->xlog), err);
		s->tx.spool = NULL;
		return werr_of(eno);
	}
	/* Received-SPF:, a policy service's PREPEND ... (hdrs.h) */
	if (hdrs_write(&s->tx.hdrs, put_hdr, s->tx.spool) < 0)
		return werr_of(errno);
	return 0;
}

/* Store body bytes unless over maxsize or after a spool error. */
static void
store(struct smtp *s, const char *p, size_t n, int *werr)
{
	struct smtp_txn *t = &s->tx;

	if (t->over_size || *werr || t->spool == NULL)
		return;
	if (s->maxsize > 0 &&
	    spool_size(t->spool) + (long long)n > s->maxsize) {
		t->over_size = 1;
		return;
	}
	if (spool_write(t->spool, p, n) < 0) {
		*werr = werr_of(errno);
		if (*werr == W_SPACE)
			log_msg(LOG_WARNING,
			    "%s: spool full after %lld bytes from %s%s",
			    xlog_tag(s->env->xlog), spool_size(t->spool),
			    s->rhost, s->iplit);
	}
}

/* The reply for a body that was not (all) stored; 0 if it was. */
static int
refuse_body(struct smtp *s, int werr)
{
	if (s->tx.over_size)
		reply(s, R_DATA_TOO_BIG, s->maxsize);
	else if (werr == W_SPACE)
		reply(s, R_DATA_NO_SPACE);
	else if (werr)
		reply(s, R_DATA_SPOOL_FAIL);
	else
		return 0;
	return -1;
}

/* Into router/, or into the freezer when the policy said freeze. */
static int
commit(struct smtp *s, char *id, size_t idlen, char *err, size_t errlen)
{
	struct smtp_txn *t = &s->tx;
	int n = t->freeze;
	size_t i;

	struct timespec t0, t1;
	int rc;

	for (i = 0; i < t->nrcpts; i++)
		if (t->rcpts[i].freeze > n)
			n = t->rcpts[i].freeze;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (n <= 0)
		rc = spool_commit(t->spool, id, idlen, err, errlen);
	else {
		log_msg(LOG_INFO, "%s: message from %s%s frozen by policy (%d)",
		    xlog_tag(s->env->xlog), s->rhost, s->iplit, n);
		rc = spool_freeze(t->spool, s->state == ST_BDAT ? -1 : n, id,
		    idlen, err, errlen);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc == 0) /* the spool commit latency histogram */
		smtp_event(s, SEV_COMMIT, NULL,
		    (long)(t1.tv_sec - t0.tv_sec) * 1000000L +
		        (t1.tv_nsec - t0.tv_nsec) / 1000);
	return rc;
}

/* Commit; a contentfilter's freeze goes where a policy freeze goes. */
static int
commit_as(struct smtp *s, const struct filter_verdict *fv, char *id,
    size_t idlen, char *err, size_t errlen)
{
	if (fv->freeze > s->tx.freeze)
		s->tx.freeze = fv->freeze;
	return commit(s, id, idlen, err, errlen);
}

/* The accepted line: the old shape, then the event's fields. */
static void
log_accepted(struct smtp *s, const char *id, long long size)
{
	char who[400], f[300], v[300], kv[128];

	log_msg(LOG_INFO,
	    "%s: %s: accepted from %s size=%lld from=<%s> nrcpt=%zu "
	    "event=accepted id=%s %s size=%lld rcpts=%zu tls=%s from=%s",
	    xlog_tag(s->env->xlog), id, smtp_client_name(s, who, sizeof(who)),
	    size, log_escape(f, sizeof(f), s->tx.from, strlen(s->tx.from)),
	    s->tx.nrcpts, id, smtp_kv_client(s, kv, sizeof(kv)), size,
	    s->tx.nrcpts, smtp_tls_version(s),
	    log_value(v, sizeof(v), s->tx.from));
}

/* Commit and give the final reply(s); the transaction ends here. */
static void
finish(struct smtp *s, int werr)
{
	struct smtp_txn *t = &s->tx;
	char id[64], err[256];
	long long got = t->spool ? spool_size(t->spool) : 0;
	struct filter_verdict fv = { 0 };
	size_t i;

	if (refuse_body(s, werr) < 0) {
		/* nothing stored: smtp_txn_reset() removes the file */
	} else if (smtp_polsvc_eom(s, got) < 0) {
		/* refused by a policy service (policy-service-data) */
	} else if (milter_eom(s) != 0) {
		/* the milters refused or discarded it and replied */
	} else if (t->discard) {
		log_msg(LOG_INFO, "%s: message from %s%s discarded by policy",
		    xlog_tag(s->env->xlog), s->rhost, s->iplit);
		reply(s, R_DATA_DISCARDED);
	} else if (smtp_contentfilter(s, &fv) < 0) {
		/* refused by the filter: smtp_txn_reset() removes the file */
	} else if (commit_as(s, &fv, id, sizeof(id), err, sizeof(err)) < 0) {
		werr = werr_of(errno);
		t->spool = NULL;
		log_msg(LOG_ERR, "%s: commit: %s", xlog_tag(s->env->xlog), err);
		refuse_body(s, werr);
	} else {
		t->spool = NULL;
		s->nmsgs++;
		s->junk_cmds = 0; /* as Postfix: a message forgives them */
		log_accepted(s, id, got);
		xlog_note(s->env->xlog, "%s: %lld bytes", id, got);
		smtp_event(s, SEV_MESSAGE, id, (long)got);
		smtp_event(s, SEV_RCPT, NULL, (long)t->nrcpts);
		if (fv.freeze > 0)
			reply(s, fv.code, fv.enh, T_FILTER_FREEZE, fv.freeze,
			    fv.text, id);
		else if (fv.code > 0)
			reply(s, fv.code, fv.enh, T_FILTER_ACCEPT, fv.text, id);
		else if (s->state == ST_BDAT)
			reply(s, R_BDAT_LAST_OK, id, t->bdat_last, got);
		else if (s->lmtp)
			for (i = 0; i < t->nrcpts; i++)
				reply(s, R_DATA_LMTP_OK, t->rcpts[i].addr, id);
		else
			reply(s, R_DATA_OK, id);
	}
	smtp_txn_reset(s);
}

/* How the DATA body ended. */
enum body_end {
	BODY_DOT,     /* <CRLF>.<CRLF> */
	BODY_BARE_LF, /* a bare LF in reject mode */
	BODY_TIMEOUT, /* no byte in time, or past the deadline */
	BODY_EOF,     /* the connection ended or failed */
};

/* Read the DATA body into the spool transaction. */
static enum body_end
read_body(struct smtp *s, int *werr)
{
	struct buf seg;
	int r, fl, bol = 1, prev_crlf = 1;
	enum body_end rc = BODY_DOT;

	buf_init(&seg, DATA_SEG_MAX);
	for (;;) {
		const char *p;
		size_t n;

		r = stream_getseg(&s->st, &seg, DATA_SEG_MAX, &fl);
		if (r != SR_OK) {
			rc = r == SR_TIMEOUT ? BODY_TIMEOUT : BODY_EOF;
			break;
		}
		p = seg.data;
		n = seg.len;
		/* only <CRLF>.<CRLF> ends DATA; a person typing at a
		 * terminal (-i) sends LF */
		if (bol && n == 1 && p[0] == '.' &&
		    (((fl & SL_CRLF) && prev_crlf) || (s->tty && (fl & SL_LF))))
			break;
		if ((fl & SL_LF) && s->bare_lf_reject) {
			rc = BODY_BARE_LF;
			break;
		}
		if (bol && n > 0 && p[0] == '.') {
			p++;
			n--;
		}
		store(s, p, n, werr);
		if (!(fl & SL_PARTIAL))
			store(s, "\n", 1, werr);
		bol = !(fl & SL_PARTIAL);
		prev_crlf = (fl & SL_CRLF) != 0;
	}
	buf_free(&seg);
	return rc;
}

void
cmd_data(struct smtp *s, const char *arg)
{
	int werr = 0;
	enum body_end r;
	long long saved = s->st.deadline, dl;

	(void)arg;
	if (smtp_polsvc_data(s) < 0)
		return; /* refused by a policy service (policy-service-data) */
	if (milter_data(s) < 0) {
		smtp_txn_reset(s);
		return;
	}
	if ((werr = begin_spool(s)) != 0) {
		refuse_body(s, werr);
		smtp_txn_reset(s);
		return;
	}
	reply(s, R_DATA_GO);
	reply_flush(s);
	s->st.timeout = s->g->timeout_data;
	dl = mono_after(s->g->data_deadline);
	if (s->g->data_deadline > 0 && (saved == 0 || dl < saved))
		s->st.deadline = dl;
	r = read_body(s, &werr);
	s->st.timeout = s->g->timeout_command;
	s->st.deadline = saved;
	if (r == BODY_DOT) {
		finish(s, werr);
		return;
	}
	xlog_note(s->env->xlog, "aborted (%lld bytes): %s",
	    spool_size(s->tx.spool),
	    r == BODY_BARE_LF       ? "bare LF"
	        : r == BODY_TIMEOUT ? "timeout"
	                            : "EOF");
	smtp_txn_reset(s);
	if (r == BODY_BARE_LF)
		reply(s, R_DATA_BARE_LF);
	else if (r == BODY_TIMEOUT) {
		smtp_log_timeout(s, "data");
		reply(s, R_TIMEOUT, s->myhost);
	}
	s->quit = Q_DROP;
}

/* Where bdat_bytes puts a chunk. */
struct bdat_sink {
	struct smtp *s;
	int ok;   /* the chunk is in sequence: store it */
	int werr; /* first write error (W_ code), 0 = none */
};

/* BDAT chunk bytes: CRLF becomes LF, a lone CR stays (smtpserver(8), DATA and BDAT). */
static int
bdat_bytes(void *arg, const char *p, size_t n)
{
	struct bdat_sink *k = arg;
	struct smtp *s = k->s;
	int *werr = &k->werr;
	size_t i, start = 0;

	if (!k->ok || s->tx.spool == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		if (s->tx.bdat_cr && p[i] != '\n')
			store(s, "\r", 1, werr);
		s->tx.bdat_cr = 0;
		if (p[i] == '\r') {
			store(s, p + start, i - start, werr);
			s->tx.bdat_cr = 1;
			start = i + 1;
		}
	}
	store(s, p + start, n - start, werr);
	return 0;
}

/* "n [LAST]"; -1 on syntax error. */
static int
bdat_args(const char *arg, long long *n, int *last)
{
	char *end;

	if (*arg < '0' || *arg > '9')
		return -1;
	errno = 0;
	*n = strtoll(arg, &end, 10);
	if (errno || *n < 0 || *n > 1000000000000LL)
		return -1;
	while (*end == ' ')
		end++;
	*last = strcasecmp(end, "LAST") == 0;
	return (*last || *end == '\0') ? 0 : -1;
}

/* The reply for a chunk that is read out of sequence. */
static void
bdat_refuse(struct smtp *s)
{
	if (s->state == ST_HELLO)
		reply(s, R_NEED_HELO, s->iplit);
	else if (s->state == ST_MAIL)
		reply(s, R_NEED_MAIL, s->iplit);
	else
		reply(s, R_NO_VALID_RCPT);
}

/*
 * Start or continue the BDAT transaction for a chunk of n bytes.  A chunk
 * that cannot fit under maxsize is not stored at all, so a huge announced
 * size writes nothing; 0 or W_SPACE/W_IO.
 */
static int
bdat_begin(struct smtp *s, long long n)
{
	int werr = 0;

	if (s->tx.spool == NULL && (werr = begin_spool(s)) != 0)
		return werr;
	s->state = ST_BDAT;
	/* CRLF -> LF stores at least half of the chunk */
	if (s->maxsize > 0 && n / 2 > s->maxsize - spool_size(s->tx.spool))
		s->tx.over_size = 1;
	return 0;
}

/*
 * RFC 3030: a refused chunk ends the transaction at once (its file is
 * removed); chunks the client had already pipelined after it are read and
 * refused as out of sequence.
 */
void
cmd_bdat(struct smtp *s, const char *arg)
{
	struct bdat_sink k = { s, 0, 0 };
	long long n;
	int last, r;

	if (bdat_args(arg, &n, &last) < 0) {
		reply(s, R_BDAT_SYNTAX);
		return;
	}
	k.ok = (s->state & (ST_RCPT_DATA | ST_BDAT)) != 0;
	if (k.ok)
		k.werr = bdat_begin(s, n);
	/* RFC 2920: replies owed to pipelined commands go out before we
	 * wait for chunk bytes that are not here yet */
	if (stream_buffered(&s->st) < (size_t)n)
		reply_flush(s);
	r = stream_read_exact(&s->st, (size_t)n, bdat_bytes, &k);
	if (r != SR_OK) {
		smtp_txn_reset(s);
		s->quit = Q_DROP;
		return;
	}
	s->tx.bdat_total += n;
	if (!k.ok) {
		bdat_refuse(s);
		if (last)
			smtp_txn_reset(s);
		return;
	}
	if (last) {
		s->tx.bdat_last = n;
		if (s->tx.bdat_cr)
			store(s, "\r", 1, &k.werr);
		finish(s, k.werr);
	} else if (refuse_body(s, k.werr) < 0) {
		smtp_txn_reset(s);
	} else {
		reply(s, R_BDAT_OK, n);
	}
}
