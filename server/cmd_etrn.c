/*
 * cmd_etrn.c - ETRN and TURNME (RFC 1985, ZMailer's smtpetrn.c): check
 * the domain, pass the request on to every etrn-cluster node, and write
 * the local request file when there is no cluster or a node failed.
 * Not for: the scheduler exchange (etrn_cluster.c), the file (spool/etrn.c).
 */
#include "smtp.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "etrn.h"
#include "etrn_cluster.h"
#include "log.h"

#define ETRN_DOMAIN_MAX 255
#define ETRN_SAID_MAX 65536 /* bytes of cluster lines kept for the reply */

/* A domain name's characters only: it goes into a file and a protocol. */
static int
domain_ok(const char *d)
{
	size_t i;

	for (i = 0; d[i]; i++)
		if (!isalnum((unsigned char)d[i]) && d[i] != '.' &&
		    d[i] != '-' && d[i] != '_')
			return 0;
	return i > 0 && i <= ETRN_DOMAIN_MAX;
}

static void
say(void *arg, const char *line)
{
	struct buf *b = arg;

	if (buf_puts(b, line) < 0 || buf_putc(b, '\n') < 0)
		return; /* the cap: later lines are dropped */
}

/* The cluster lines said so far, as continuations of the final reply. */
static void
relay(struct smtp *s, struct buf *said, int code, const char *enh)
{
	char *p = said->data, *end = said->data + said->len, *nl;

	while (p != NULL && p < end && (nl = memchr(p, '\n', end - p))) {
		*nl = '\0';
		reply_cont(s, code, enh, "%s", p);
		p = nl + 1;
	}
	buf_reset(said);
}

static void
log_etrn(struct smtp *s, const char *dom, const char *how)
{
	char who[400], kv[128];

	log_msg(LOG_INFO, "%s: ETRN %s from %s event=etrn %s domain=%s how=%s",
	    xlog_tag(s->env->xlog), dom, smtp_client_name(s, who, sizeof(who)),
	    smtp_kv_client(s, kv, sizeof(kv)), dom, how);
}

static void
local_etrn(struct smtp *s, const char *dom, struct buf *said)
{
	char err[300], name[64];
	const char *po = s->spool.postoffice ? s->spool.postoffice : ".";
	enum etrn_rc rc;

	rc = etrn_submit(
	    po, dom, s->iplit, name, sizeof(name), err, sizeof(err));
	if (rc != ETRN_OK)
		log_msg(LOG_ERR, "%s: ETRN %s: %s", xlog_tag(s->env->xlog), dom,
		    err);
	switch (rc) {
	case ETRN_NODIR:
		relay(s, said, R_CODE_ENH(R_ETRN_NO_QUEUE));
		reply(s, R_ETRN_NO_QUEUE, dom);
		return;
	case ETRN_CREATE:
		relay(s, said, R_CODE_ENH(R_ETRN_DISK));
		reply(s, R_ETRN_DISK);
		return;
	case ETRN_COMMIT:
		relay(s, said, R_CODE_ENH(R_ETRN_PERM));
		reply(s, R_ETRN_PERM);
		return;
	case ETRN_OK:
		break;
	}
	log_etrn(s, dom, name);
	relay(s, said, R_CODE_ENH(R_ETRN_OK1));
	if (s->g->multiline_replies) {
		reply_cont(s, R_ETRN_OK1);
		reply_cont(s, R_ETRN_OK2);
		reply(s, R_ETRN_OK3);
	} else
		reply(s, R_ETRN_OK_SHORT);
}

/* Every node; 0 when all of them took the request. */
static int
cluster_etrn(struct smtp *s, const char *dom, struct buf *said)
{
	size_t i;
	int fail = 0;

	for (i = 0; i < s->cf->netrn_cluster; i++) {
		const struct conf_triple *t = &s->cf->etrn_cluster[i];

		if (etrn_cluster_node(t->a, t->b, t->c, dom, s->iplit,
		        s->myhost, s->cf->etrn_cluster_timeout, say, said) < 0)
			fail = 1;
	}
	return fail ? -1 : 0;
}

void
cmd_etrn(struct smtp *s, const char *arg)
{
	char dom[ETRN_DOMAIN_MAX + 1];
	struct buf said;
	size_t n = strlen(arg);

	while (n > 0 && (arg[n - 1] == ' ' || arg[n - 1] == '\t'))
		n--;
	if (n == 0) {
		reply(s, R_ETRN_NEED_ARG);
		return;
	}
	if (!isalnum((unsigned char)arg[0])) {
		reply(s, R_ETRN_LITERAL);
		return;
	}
	if (n > ETRN_DOMAIN_MAX) {
		reply(s, R_ETRN_BAD_DOMAIN);
		return;
	}
	memcpy(dom, arg, n);
	dom[n] = '\0';
	if (!domain_ok(dom)) {
		reply(s, R_ETRN_BAD_DOMAIN);
		return;
	}
	buf_init(&said, ETRN_SAID_MAX);
	if (s->cf->netrn_cluster > 0 && cluster_etrn(s, dom, &said) == 0) {
		log_etrn(s, dom, "cluster");
		relay(s, &said, R_CODE_ENH(R_ETRN_CLUSTER_OK));
		reply(s, R_ETRN_CLUSTER_OK);
	} else
		local_etrn(s, dom, &said);
	buf_free(&said);
}
