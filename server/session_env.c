/*
 * session_env.c - the one place a session's inputs are taken from the
 * command line: the option fields of struct session_env and the name of
 * the -l transcript file, for the daemon's workers and -i/-n alike.
 * Not for: the peer, descriptors, handles and hooks (the callers).
 */
#include "session.h"

#include <stdio.h>
#include <string.h>

#include "netaddr.h"
#include "options.h"

void
session_env_init(struct session_env *e, const struct options *o,
    const struct conf *c, const struct conf_group *g)
{
	memset(e, 0, sizeof(*e));
	e->conf = c;
	e->grp = g;
	e->maxsize = -1;
	if (o == NULL)
		return;
	e->postoffice = o->postoffice;
	e->interactive = o->interactive;
	e->bsmtp = o->bsmtp;
	e->echo = o->verbose && o->interactive;
	e->debug = o->debug;
	e->gullible = o->gullible;
	e->helo_strict = o->helo_strict;
	e->ident = o->ident;
	e->whoson = o->whoson;
	e->style = o->style;
	e->maxsize = o->maxsize;
	e->test_addr = o->test_addr;
}

const char *
session_log_name(
    const struct session_env *e, const struct options *o, char *buf, size_t len)
{
	const char *sfx = o ? o->logsuffix : NULL;
	char ip[64];
	int n;

	if (o == NULL || o->logfile == NULL || sfx == NULL)
		return o ? o->logfile : NULL;
	if (strcmp(sfx, "remote") != 0)
		n = snprintf(buf, len, "%s.%s", o->logfile,
		    e->myhostname ? e->myhostname : "localhost");
	else if (e->peerlen > 0 &&
	    netaddr_text((const struct sockaddr *)&e->peer, ip, sizeof(ip)) >=
	        0)
		n = snprintf(buf, len, "%s.%s", o->logfile, ip);
	else
		n = snprintf(buf, len, "%s.127.0.0.1", o->logfile);
	return n > 0 && (size_t)n < len ? buf : o->logfile;
}
