/*
 * verbs.c - the command table and the dispatcher: every gate (characters,
 * early pipelining, enabled?, refused connect, junk and unknown-command
 * limits, state, AUTH) is applied here, in one place; handlers get the
 * argument and never see an out-of-order command.
 * Not for: what a command does (cmd_*.c).
 */
#include "smtp.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "log.h"

/*
 * What the dispatcher needs to know of a verb is a flag of its row; no
 * code outside this table compares verb names or handlers.
 *
 * V_LAST: RFC 2920 section 3.1 lets EHLO, DATA, VRFY, EXPN, TURN, QUIT
 * and NOOP be only the last command of a pipelined group, because what
 * the client does next depends on their outcome; STARTTLS (RFC 3207
 * 4.2) and AUTH (RFC 4954 4) end a group too.  Replies owed are sent
 * after such a command even if the client (wrongly) sent more.
 */
#define V_LMTP 0x01         /* only in lmtp-mode */
#define V_NOLMTP 0x02       /* not in lmtp-mode */
#define V_EHLO 0x04         /* needs EHLO enabled (NoEHLO) */
#define V_CHUNKING 0x08     /* needs CHUNKING (NoCHUNKING) */
#define V_VRFY 0x10         /* EVFY needs VRFYcmd; VRFY, EXPN always answer */
#define V_OWNSTATE 0x40     /* handler checks state itself (BDAT) */
#define V_NOARGS 0x80       /* strict: arguments are junk */
#define V_ETRN 0x100        /* needs ETRN (NoETRN) */
#define V_AUTH 0x200        /* MSA mode: needs AUTH first (RFC 6409) */
#define V_LAXCHARS 0x400    /* controls and 8-bit allowed unless -s strict */
#define V_REFUSED_OK 0x800  /* allowed after a refused connect */
#define V_PIPE_OK 0x1000    /* may be pipelined before EHLO: ends input */
#define V_LAST 0x2000       /* ends a pipelined group (RFC 2920, above) */
#define V_ABORTS_TXN 0x4000 /* out of sequence, it still ends the txn */
#define V_JUNK 0x8000       /* counts toward max-junk-commands */

/* Which reply a verb gets out of sequence (wrong_state). */
enum oos { OOS_ANY, OOS_MAIL, OOS_RCPT, OOS_DATA };

typedef void (*verb_fn)(struct smtp *, const char *arg);

static const struct verb {
	const char *name;
	verb_fn fn;
	int states;
	int flags;
	enum oos oos;
} verbs[] = {
	{ "EHLO", cmd_helo, ST_ANY & ~ST_BDAT,
	    V_NOLMTP | V_EHLO | V_LAXCHARS | V_LAST | V_JUNK, OOS_ANY },
	{ "HELO", cmd_helo, ST_ANY & ~ST_BDAT, V_NOLMTP | V_LAXCHARS | V_JUNK,
	    OOS_ANY },
	{ "LHLO", cmd_helo, ST_ANY & ~ST_BDAT, V_LMTP | V_LAST | V_JUNK,
	    OOS_ANY },
	{ "MAIL", cmd_mail, ST_MAIL, V_AUTH, OOS_MAIL },
	{ "SEND", cmd_mail, ST_MAIL, V_AUTH, OOS_MAIL },
	{ "SOML", cmd_mail, ST_MAIL, V_AUTH, OOS_MAIL },
	{ "SAML", cmd_mail, ST_MAIL, V_AUTH, OOS_MAIL },
	{ "EMAL", cmd_mail, ST_MAIL, V_AUTH, OOS_MAIL },
	{ "ESND", cmd_mail, ST_MAIL, V_AUTH, OOS_MAIL },
	{ "ESOM", cmd_mail, ST_MAIL, V_AUTH, OOS_MAIL },
	{ "ESAM", cmd_mail, ST_MAIL, V_AUTH, OOS_MAIL },
	{ "RCPT", cmd_rcpt, ST_RCPT | ST_RCPT_DATA, 0, OOS_RCPT },
	{ "DATA", cmd_data, ST_RCPT_DATA, V_NOARGS | V_LAST | V_ABORTS_TXN,
	    OOS_DATA },
	{ "BDAT", cmd_bdat, ST_ANY, V_CHUNKING | V_OWNSTATE, OOS_ANY },
	{ "RSET", cmd_rset, ST_ANY, V_JUNK, OOS_ANY },
	{ "NOOP", cmd_noop, ST_ANY, V_LAST | V_JUNK, OOS_ANY },
	{ "ONEX", cmd_noop, ST_ANY, V_JUNK, OOS_ANY },
	{ "QUIT", cmd_quit, ST_ANY, V_REFUSED_OK | V_PIPE_OK | V_LAST,
	    OOS_ANY },
	{ "HELP", cmd_help, ST_ANY, V_JUNK, OOS_ANY },
	{ "VRFY", cmd_vrfy, ST_ANY, V_LAST | V_JUNK, OOS_ANY },
	{ "EVFY", cmd_vrfy, ST_ANY, V_VRFY | V_LAST | V_JUNK, OOS_ANY },
	{ "EXPN", cmd_expn, ST_ANY, V_LAST | V_JUNK, OOS_ANY },
	{ "VERB", cmd_verb, ST_ANY, V_JUNK, OOS_ANY },
	{ "TURN", cmd_turn, ST_ANY, V_LAST, OOS_ANY },
	{ "TICK", cmd_tick, ST_ANY, 0, OOS_ANY },
	{ "ETRN", cmd_etrn, ST_ANY, V_ETRN | V_JUNK, OOS_ANY },
	{ "TURNME", cmd_etrn, ST_ANY, V_ETRN | V_JUNK, OOS_ANY },
	{ "AUTH", cmd_auth, ST_ANY & ~ST_BDAT, V_EHLO | V_LAST, OOS_ANY },
	{ "STARTTLS", cmd_starttls, ST_ANY & ~ST_BDAT, V_LAST, OOS_ANY },
	{ "550", cmd_ignore, ST_ANY, 0, OOS_ANY },
};
#define NVERBS (sizeof(verbs) / sizeof(verbs[0]))
_Static_assert(NVERBS <= VERB_MAX, "raise VERB_MAX in smtp.h");

size_t
verbs_count(void)
{
	return NVERBS;
}

const char *
verbs_name(size_t row)
{
	return row < NVERBS ? verbs[row].name : NULL;
}

static int
verb_enabled(const struct smtp *s, const struct verb *v)
{
	if ((v->flags & V_LMTP) && !s->lmtp)
		return 0;
	if ((v->flags & V_NOLMTP) && s->lmtp)
		return 0;
	if ((v->flags & V_EHLO) && !s->g->ehlo)
		return 0;
	if ((v->flags & V_CHUNKING) && !s->g->chunking)
		return 0;
	if ((v->flags & V_ETRN) && !s->g->etrn)
		return 0;
	if ((v->flags & V_VRFY) && !s->g->vrfycmd)
		return 0;
	return 1;
}

static const struct verb *
lookup(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NVERBS; i++)
		if (strlen(verbs[i].name) == len &&
		    strncasecmp(verbs[i].name, name, len) == 0)
			return &verbs[i];
	return NULL;
}

static void
unknown(struct smtp *s)
{
	char esc[120], kv[160];

	/* never a possible credential: not even AUTH's initial response
	 * when AUTH itself is unknown here (NoEHLO) */
	if (s->line_secret)
		snprintf(esc, sizeof(esc), "%s", SMTP_SECRET_LINE);
	else
		log_escape(esc, sizeof(esc), s->line.data,
		    smtp_auth_loglen(s->line.data, s->line.len));
	if (++s->unknown_cmds >= s->cf->max_unknown_cmds &&
	    s->cf->max_unknown_cmds > 0) {
		reply(s, R_TOO_MANY_UNKNOWN, s->myhost, s->iplit, esc);
		s->quit = Q_DROP;
		return;
	}
	/* the client's text first, our fields last: a text that imitates
	 * "event=" is never the line's last one (smtpserver(8) LOGGING) */
	log_msg(LOG_WARNING,
	    "%s: unknown command from %s%s: %s "
	    "event=unknown-command %s",
	    xlog_tag(s->env->xlog), s->rhost, s->iplit, esc,
	    smtp_kv_client(s, kv, sizeof(kv)));
	reply(s, R_UNKNOWN_CMD, esc);
}

/* The reply for a command that is known but out of sequence. */
static void
wrong_state(struct smtp *s, const struct verb *v)
{
	if (s->state == ST_HELLO)
		reply(s, R_NEED_HELO, s->iplit);
	else if (v->oos == OOS_MAIL)
		reply(s, R_NESTED_MAIL, s->iplit);
	else if (v->oos == OOS_DATA && s->state == ST_BDAT)
		reply(s, R_MIX_BDAT_DATA, s->iplit);
	else if (v->oos == OOS_DATA && s->state == ST_RCPT)
		reply(s, R_NO_VALID_RCPT);
	else if (v->oos == OOS_RCPT && s->tx.mail_rejected)
		reply(s, R_RCPT_REJECTED_MAIL, s->iplit);
	else if (v->oos == OOS_DATA && s->tx.mail_rejected)
		reply(s, R_NO_VALID_SENDER);
	else if (s->state == ST_MAIL)
		reply(s, R_NEED_MAIL, s->iplit);
	else
		reply(s, R_NEED_RCPT, s->iplit);
}

/* NUL, controls other than TAB, and 8-bit bytes (smtpserver(8) THE SMTP SESSION); a
 * V_LAXCHARS verb is spared all but NUL unless -s strict. */
static int
check_chars(struct smtp *s, const struct verb *v)
{
	const unsigned char *p = (const unsigned char *)s->line.data;
	int lax = v && (v->flags & V_LAXCHARS) && !s->strict;
	size_t i;

	for (i = 0; i < s->line.len; i++) {
		if (p[i] == 0) {
			reply(s, R_ILLEGAL_NUL);
			return -1;
		}
		if (lax)
			continue;
		if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f) {
			reply(s, R_ILLEGAL_CTRL);
			return -1;
		}
		if (p[i] >= 0x80 && !s->g->smtputf8) {
			reply(s, R_ILLEGAL_8BIT);
			return -1;
		}
	}
	return 0;
}

/*
 * The client pipelined QUIT after the end of its message: the message's
 * 250 waits for the 221, and both leave in one write.
 */
static int
quit_follows(const struct smtp *s)
{
	const struct stream *st = &s->st;

	return st->rlen - st->rpos >= 6 &&
	    strncasecmp(st->rbuf + st->rpos, "QUIT\r\n", 6) == 0;
}

/*
 * A network client that sends more before its EHLO was answered does not
 * speak PIPELINING (RFC 2920 3.1: only after EHLO offered it); the
 * session ends.  Not for a V_PIPE_OK verb: nothing after it is read.
 */
static int
pipelined_early(struct smtp *s, const struct verb *v)
{
	if (!s->env->network || s->env->interactive || s->esmtp ||
	    stream_buffered(&s->st) == 0 || (v && (v->flags & V_PIPE_OK)))
		return 0;
	reply(s, R_PIPELINE_NO_EHLO, s->iplit);
	s->quit = Q_DROP;
	return 1;
}

/*
 * A junk command (V_JUNK: NOOP, RSET, HELP, VRFY, HELO...) beyond
 * max-junk-commands since the last accepted message ends the session,
 * as max-unknown-commands does (Postfix's smtpd_junk_command_limit).
 */
static int
junk_limit(struct smtp *s, const struct verb *v)
{
	int max = s->cf->max_junk_cmds;

	if (!(v->flags & V_JUNK) || max <= 0 || ++s->junk_cmds <= max)
		return 0;
	log_msg(LOG_NOTICE, "%s: too many junk commands from %s%s (%d)",
	    xlog_tag(s->env->xlog), s->rhost, s->iplit, max);
	reply(s, R_TOO_MANY_JUNK, s->myhost);
	s->quit = Q_DROP;
	return 1;
}

/* Every gate a known, enabled verb passes before its handler; 0 = run. */
static int
gates(struct smtp *s, const struct verb *v, const char *arg)
{
	if (s->greet_rejected && !(v->flags & V_REFUSED_OK)) {
		reply(s, R_QUIT_ONLY, s->iplit);
		return -1;
	}
	if (junk_limit(s, v))
		return -1;
	if (!(v->flags & V_OWNSTATE) && !(s->state & v->states)) {
		wrong_state(s, v);
		if (v->flags & V_ABORTS_TXN)
			smtp_txn_reset(s); /* out of sequence: ends it */
		return -1;
	}
	if ((v->flags & V_AUTH) && s->msa && !s->authenticated &&
	    !smtp_auth_exempt(s)) {
		reply(s, R_AUTH_REQUIRED);
		return -1;
	}
	if ((v->flags & V_NOARGS) && s->strict && *arg) {
		reply(s, R_EXTRA_JUNK, v->name);
		return -1;
	}
	return 0;
}

/* Dispatch the command line in s->line. */
void
verbs_dispatch(struct smtp *s)
{
	const char *p = s->line.data, *arg;
	const struct verb *v;
	size_t n = 0;

	while (p[n] && p[n] != ' ' && p[n] != '\t')
		n++;
	arg = p + n;
	while (*arg == ' ' || *arg == '\t')
		arg++;
	v = n ? lookup(p, n) : NULL;
	if (check_chars(s, v) < 0 || pipelined_early(s, v))
		return;
	if (v == NULL || !verb_enabled(s, v)) {
		unknown(s);
		return;
	}
	s->verb_count[v - verbs]++;
	smtp_event(s, SEV_STATE, v->name, 0);
	s->verb = v->name;
	if (gates(s, v, arg) == 0)
		v->fn(s, arg);
	if ((v->flags & V_LAST) && !(v->fn == cmd_data && quit_follows(s)))
		reply_flush(s);
}
