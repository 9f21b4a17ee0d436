/*
 * cmd_misc.c - RSET, NOOP/ONEX, QUIT, HELP, VRFY, EXPN, VERB, TURN, TICK,
 * and the verbs whose subsystem is not available.
 */
#include "smtp.h"

#include <string.h>
#include <strings.h>

void
cmd_rset(struct smtp *s, const char *arg)
{
	smtp_txn_reset(s);
	if (*arg && s->strict)
		reply(s, R_RSET_JUNK);
	else
		reply(s, R_RSET_OK);
}

void
cmd_noop(struct smtp *s, const char *arg)
{
	if (*arg && (s->strict || s->style_R))
		reply(s, R_EXTRA_JUNK, s->verb);
	else
		reply(s, R_NOOP_OK);
}

void
cmd_quit(struct smtp *s, const char *arg)
{
	(void)arg;
	smtp_event(s, SEV_QUIT, NULL, 0);
	reply(s, R_QUIT_OK, s->myhost);
	s->quit = Q_SAID_QUIT;
}

void
cmd_help(struct smtp *s, const char *arg)
{
	size_t i;

	(void)arg;
	reply_cont(s, R_HELP_HEAD, SMTPSERVER_VERSION);
	for (i = 0; i < s->cf->nhelp; i++)
		reply_cont(s, R_HELP_LINE, s->cf->help[i]);
	reply_cont(s, R_HELP_COMMANDS, s->g->expncmd ? " EXPN" : "");
	reply(s, R_HELP_END, s->myhost);
}

/*
 * RFC 5321 3.5.3, 7.3: a server that does not verify answers 252, never
 * 500, and (4.1.4) VRFY and EXPN work before HELO too.  With VRFYcmd,
 * enable-router and style v the router answers; else VRFYcmd only
 * chooses the text and the EHLO/HELP listing.
 */
void
cmd_vrfy(struct smtp *s, const char *arg)
{
	if (*arg == '\0')
		reply(s, R_VRFY_NEED_ARG, s->verb);
	else if (s->g->vrfycmd && smtp_router_vrfy(s, 0, arg))
		return;
	else if (s->g->vrfycmd)
		reply(s, R_VRFY_OK);
	else
		reply(s, R_VRFY_OFF);
}

/* EXPN is optional (RFC 5321 3.5.2): 502, enabled or not, unless
 * EXPNcmd, enable-router and style e let the router expand lists. */
void
cmd_expn(struct smtp *s, const char *arg)
{
	if (*arg == '\0')
		reply(s, R_VRFY_NEED_ARG, s->verb);
	else if (s->g->expncmd && smtp_router_vrfy(s, 1, arg))
		return;
	else
		reply(s, R_EXPN_NO);
}

void
cmd_verb(struct smtp *s, const char *arg)
{
	(void)arg;
	reply(s, R_VERB_OK, SMTPSERVER_VERSION);
}

void
cmd_turn(struct smtp *s, const char *arg)
{
	(void)arg;
	reply(s, R_NOT_IMPLEMENTED);
}

void
cmd_tick(struct smtp *s, const char *arg)
{
	s->with = "BSMTP";
	reply(s, R_TICK_OK, arg);
}

void
cmd_notavail(struct smtp *s, const char *arg)
{
	(void)arg;
	reply(s, R_NOT_AVAILABLE, s->verb);
}

void
cmd_ignore(struct smtp *s, const char *arg)
{
	(void)s;
	(void)arg;
}
