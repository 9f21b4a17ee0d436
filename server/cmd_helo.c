/*
 * cmd_helo.c - HELO, EHLO and LHLO: HELO patterns and style flags
 * (smtpserver.conf(5), HELO-PATTERN LINES), argument checks, and the EHLO capability list.
 * Not for: the effect of the capabilities (cmd_mail.c, cmd_data.c).
 */
#include "smtp.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rfc5321.h"

/*
 * The HELO pattern for name: NULL when none matched, else its flags;
 * *deny gets the rejection text when the flags start with '!' (after an
 * optional "*" placeholder: ZMailer's bug fixed, see smtpserver.conf(5)).
 */
static const char *
helo_flags(struct smtp *s, const char *name, const char **deny)
{
	const struct conf_helo *h;
	char low[256];
	const char *f;
	size_t i;

	*deny = NULL;
	for (i = 0; name[i] && i < sizeof(low) - 1; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	low[i] = '\0';
	h = conf_helo_match(s->cf, low);
	if (h == NULL)
		return NULL;
	f = h->flags;
	if (f[0] == '*' && (f[1] == ' ' || f[1] == '\t'))
		for (f++; *f == ' ' || *f == '\t'; f++)
			;
	if (*f == '!')
		*deny = f[1] ? f + 1 : "access denied.";
	return f;
}

static void
ehlo_keywords(struct smtp *s)
{
	const struct conf_group *g = s->g;

	if (s->maxsize > 0)
		reply_cont(s, 250, NULL, "SIZE %ld", s->maxsize);
	else
		reply_cont(s, 250, NULL, "SIZE");
	if (g->eightbitmime)
		reply_cont(s, 250, NULL, "8BITMIME");
	if (g->pipelining)
		reply_cont(s, 250, NULL, "PIPELINING");
	if (g->chunking)
		reply_cont(s, 250, NULL, "CHUNKING");
	if (g->enhancedstatus)
		reply_cont(s, 250, NULL, "ENHANCEDSTATUSCODES");
	if (g->expncmd)
		reply_cont(s, 250, NULL, "EXPN");
	if (g->vrfycmd)
		reply_cont(s, 250, NULL, "VRFY");
	if (g->dsn)
		reply_cont(s, 250, NULL, "DSN");
	if (g->smtputf8)
		reply_cont(s, 250, NULL, "SMTPUTF8");
	if (g->use_tls && !smtp_tls_on(s))
		reply_cont(s, 250, NULL, "STARTTLS");
	if (smtp_auth_usable(s)) {
		reply_cont(s, 250, NULL, "AUTH PLAIN LOGIN");
		reply_cont(s, 250, NULL, "AUTH=PLAIN LOGIN");
	}
	if (g->rcpt_limit > 100)
		reply_cont(s, 250, NULL, "X-RCPTLIMIT %d", g->rcpt_limit);
	if (g->etrn && !s->msa && !s->lmtp)
		reply_cont(s, 250, NULL, "ETRN");
	reply(s, 250, NULL, "HELP");
}

static void
remember(struct smtp *s, const char *arg)
{
	free(s->helo_arg);
	free(s->helo_line);
	s->helo_arg = xstrdup(arg);
	s->helo_line = xstrdup(s->line.data);
}

/* Spec 3.4: a known PTR name that differs from the argument is named. */
static int
expected(const struct smtp *s, const char *arg)
{
	return s->env->network && !s->env->gullible &&
	    rf_ok(s->rhost_flags, RF_PTR) && strcasecmp(arg, s->rhost) != 0;
}

void
cmd_helo(struct smtp *s, const char *arg)
{
	const char *flags, *deny, *why = NULL;
	int ehlo = strcasecmp(s->verb, "HELO") != 0;
	int bad;

	smtp_txn_reset(s);
	if (*arg == '\0') {
		reply(s, R_HELO_NEED_ARG, s->verb);
		return;
	}
	flags = helo_flags(s, arg, &deny);
	if (deny) {
		reply(s, R_HELO_DENIED, s->iplit, deny);
		return;
	}
	smtp_style(s, flags);
	bad = rfc5321_helo_valid(arg, &why) < 0;
	if (bad && s->env->helo_strict && !s->env->gullible) {
		reply(s, R_HELO_BAD, s->iplit, why ? why : "bad syntax");
		return;
	}
	if (smtp_policy_helo(s, arg) < 0)
		return;
	milter_helo(s, arg);
	remember(s, arg);
	if (s->env->network) {
		s->rhost_flags[RF_HELO_SYNTAX] = bad ? 'F' : 'O';
		s->rhost_flags[RF_HELO_MATCH] =
		    strcasecmp(arg, s->rhost) == 0 ? 'O' : 'F';
	}
	s->helo_seen = 1;
	s->state = ST_MAIL;
	s->esmtp = ehlo;
	if (!s->env->bsmtp)
		s->with = s->lmtp ? "LMTP" : ehlo ? "ESMTP" : "SMTP";
	if (!ehlo) {
		if (expected(s, arg))
			reply(s, R_HELO_EXPECTED, s->myhost, s->verb, s->rhost);
		else
			reply(s, R_HELO_OK, s->myhost, arg);
		return;
	}
	if (expected(s, arg))
		reply_cont(s, R_HELO_EXPECTED, s->myhost, s->verb, s->rhost);
	else
		reply_cont(s, R_HELO_OK, s->myhost, arg);
	if (bad)
		reply_cont(s, R_EHLO_WARN, why ? why : "bad syntax");
	ehlo_keywords(s);
}
