/*
 * verbs.c - the command table and the dispatcher: every gate (enabled?,
 * state, unknown-command limit) is applied here, in one place; handlers
 * get the argument and never see an out-of-order command.
 * Not for: what a command does (cmd_*.c).
 */
#include "smtp.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "log.h"

/* flags */
#define V_LMTP 0x01     /* only in lmtp-mode */
#define V_NOLMTP 0x02   /* not in lmtp-mode */
#define V_EHLO 0x04     /* needs EHLO enabled (NoEHLO) */
#define V_CHUNKING 0x08 /* needs CHUNKING (NoCHUNKING) */
#define V_VRFY 0x10     /* EVFY needs VRFYcmd; VRFY, EXPN always answer */
#define V_OWNSTATE 0x40 /* handler checks state itself (BDAT) */
#define V_NOARGS 0x80   /* strict: arguments are junk */
#define V_ETRN 0x100    /* needs ETRN (NoETRN) */
#define V_AUTH 0x200    /* MSA mode: needs AUTH first (RFC 6409) */

typedef void (*verb_fn)(struct smtp *, const char *, const char *);

static const struct verb {
	const char *name;
	verb_fn fn;
	int states;
	int flags;
} verbs[] = {
	{ "EHLO", cmd_helo, ST_ANY & ~ST_BDAT, V_NOLMTP | V_EHLO },
	{ "HELO", cmd_helo, ST_ANY & ~ST_BDAT, V_NOLMTP },
	{ "LHLO", cmd_helo, ST_ANY & ~ST_BDAT, V_LMTP },
	{ "MAIL", cmd_mail, ST_MAIL, V_AUTH },
	{ "SEND", cmd_mail, ST_MAIL, V_AUTH },
	{ "SOML", cmd_mail, ST_MAIL, V_AUTH },
	{ "SAML", cmd_mail, ST_MAIL, V_AUTH },
	{ "EMAL", cmd_mail, ST_MAIL, V_AUTH },
	{ "ESND", cmd_mail, ST_MAIL, V_AUTH },
	{ "ESOM", cmd_mail, ST_MAIL, V_AUTH },
	{ "ESAM", cmd_mail, ST_MAIL, V_AUTH },
	{ "RCPT", cmd_rcpt, ST_RCPT | ST_RCPT_DATA, 0 },
	{ "DATA", cmd_data, ST_RCPT_DATA, V_NOARGS },
	{ "BDAT", cmd_bdat, ST_ANY, V_CHUNKING | V_OWNSTATE },
	{ "RSET", cmd_rset, ST_ANY, 0 },
	{ "NOOP", cmd_noop, ST_ANY, 0 },
	{ "ONEX", cmd_noop, ST_ANY, 0 },
	{ "QUIT", cmd_quit, ST_ANY, 0 },
	{ "HELP", cmd_help, ST_ANY, 0 },
	{ "VRFY", cmd_vrfy, ST_ANY, 0 },
	{ "EVFY", cmd_vrfy, ST_ANY, V_VRFY },
	{ "EXPN", cmd_expn, ST_ANY, 0 },
	{ "VERB", cmd_verb, ST_ANY, 0 },
	{ "TURN", cmd_turn, ST_ANY, 0 },
	{ "TICK", cmd_tick, ST_ANY, 0 },
	{ "ETRN", cmd_notavail, ST_ANY, V_ETRN },
	{ "TURNME", cmd_notavail, ST_ANY, V_ETRN },
	{ "AUTH", cmd_auth, ST_ANY & ~ST_BDAT, V_EHLO },
	{ "STARTTLS", cmd_starttls, ST_ANY & ~ST_BDAT, 0 },
	{ "550", cmd_ignore, ST_ANY, 0 },
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
	char esc[120];

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
		s->quit = 1;
		return;
	}
	log_msg(LOG_WARNING, "%s: unknown command from %s%s: %s",
	    xlog_tag(s->env->xlog), s->rhost, s->iplit, esc);
	reply(s, R_UNKNOWN_CMD, esc);
}

/* The reply for a command that is known but out of sequence. */
static void
wrong_state(struct smtp *s, const struct verb *v)
{
	if (s->state == ST_HELLO)
		reply(s, R_NEED_HELO, s->iplit);
	else if (v->fn == cmd_mail)
		reply(s, R_NESTED_MAIL, s->iplit);
	else if (v->fn == cmd_data && s->state == ST_BDAT)
		reply(s, R_MIX_BDAT_DATA, s->iplit);
	else if (v->fn == cmd_data && s->state == ST_RCPT)
		reply(s, R_NO_VALID_RCPT);
	else if (v->fn == cmd_rcpt && s->tx.mail_rejected)
		reply(s, R_RCPT_REJECTED_MAIL, s->iplit);
	else if (v->fn == cmd_data && s->tx.mail_rejected)
		reply(s, R_NO_VALID_SENDER);
	else if (s->state == ST_MAIL)
		reply(s, R_NEED_MAIL, s->iplit);
	else
		reply(s, R_NEED_RCPT, s->iplit);
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
	if (v == NULL || !verb_enabled(s, v)) {
		unknown(s);
		return;
	}
	s->verb_count[v - verbs]++;
	smtp_event(s, SEV_STATE, v->name, 0);
	if (s->greet_rejected && v->fn != cmd_quit) {
		reply(s, R_QUIT_ONLY, s->iplit);
		return;
	}
	if (!(v->flags & V_OWNSTATE) && !(s->state & v->states)) {
		wrong_state(s, v);
		if (v->fn == cmd_data)
			smtp_txn_reset(s); /* spec 3.7: DATA aborts it */
		return;
	}
	if ((v->flags & V_AUTH) && s->msa && !s->authenticated &&
	    !smtp_auth_exempt(s)) {
		reply(s, R_AUTH_REQUIRED);
		return;
	}
	if ((v->flags & V_NOARGS) && s->strict && *arg) {
		reply(s, R_EXTRA_JUNK, v->name);
		return;
	}
	v->fn(s, v->name, arg);
}
