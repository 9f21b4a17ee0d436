/*
 * contentfilter.c - ZMailer's contentfilter (PARAM contentfilter) after
 * the body is stored and before the commit: the spool file's path to a
 * filter program (through its keeper) or to the AF_UNIX socket the PARAM
 * names, and its verdict "<verdict> <code> [x.y.z] text": < 0 reject,
 * 0 accept, > 0 freeze into that freezer index.  A filter that cannot be
 * run, times out, dies or answers garbage gets the message 451 (ZMailer
 * accepted it; PARAM contentfilter-fail-open does that again).
 * Not for: the keeper (subd.c), the commit (cmd_data.c).
 */
#include "smtp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "subdaemons.h"

/* The socket form: connect, then the program's protocol. */
static enum subd_res
talk_socket(const char *sock, const char *path, struct buf *out, int timeout)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	enum subd_res r;
	int fd;

	if (strlen(sock) >= sizeof(sa.sun_path))
		return SUBD_NOSTART;
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return SUBD_NOSTART;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return SUBD_NOSTART;
	}
	r = subd_talk(fd, path, out, timeout);
	close(fd);
	return r;
}

/* The PARAM names a socket (now: it may have come after the daemon). */
static int
is_socket(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* The spool id of the file at path ("" when it cannot be known). */
static void
file_id(const char *path, char *id, size_t idlen)
{
	struct stat st;

	id[0] = '\0';
	if (stat(path, &st) == 0)
		spool_id(id, idlen, (unsigned long long)st.st_ino, st.st_mtime,
		    st.st_mtim.tv_nsec);
}

/* The filter's status when it fits its code's class, else C.7.1. */
static void
fix_enh(char *enh, size_t len, int code)
{
	if (enh[0] == '\0' || enh[0] != '0' + code / 100)
		snprintf(enh, len, "%d.7.1", code / 100);
}

/* The filter could not say: 451, or accept under fail-open. */
static int
no_verdict(struct smtp *s, enum subd_res r, const char *id)
{
	log_msg(LOG_WARNING, "%s: contentfilter %s for %s%s: %s",
	    xlog_tag(s->env->xlog),
	    r == SUBD_NOSTART       ? "cannot be run"
	        : r == SUBD_TIMEOUT ? "timed out"
	        : r == SUBD_EOF     ? "ended without a verdict"
	                            : "gave no verdict",
	    s->rhost, s->iplit,
	    s->cf->contentfilter_fail_open ? "accepting (fail-open)" : "451");
	if (s->cf->contentfilter_fail_open)
		return 0;
	reply(s, R_FILTER_FAIL, id);
	return -1;
}

/* Act on a verdict: -1 after a refusal, 0 to commit as *v says. */
static int
verdict(struct smtp *s, int vd, int code, char *enh, const char *text,
    const char *id, struct filter_verdict *v)
{
	if (vd < 0) {
		if (code < 400 || code > 599)
			code = 552;
		fix_enh(enh, 16, code);
		log_msg(LOG_NOTICE, "%s: contentfilter rejected %s from %s%s",
		    xlog_tag(s->env->xlog), id, s->rhost, s->iplit);
		reply(s, code, enh, T_FILTER_REJECT, text, id);
		return -1;
	}
	if (vd > 0 || *text) {
		v->code = code >= 200 && code < 300 ? code : 250;
		snprintf(v->enh, sizeof(v->enh), "%s", enh);
		fix_enh(v->enh, sizeof(v->enh), v->code);
		snprintf(v->text, sizeof(v->text), "%s", text);
	}
	v->freeze = vd > 0 ? vd : 0;
	return 0;
}

int
smtp_contentfilter(struct smtp *s, struct filter_verdict *v)
{
	struct subdaemons *sd = s->env->subd;
	const char *path;
	char id[SPOOL_ID_MAX], enh[16], text[400];
	struct buf out;
	enum subd_res r = SUBD_NOSTART;
	int vd, code, rc;

	memset(v, 0, sizeof(*v));
	if (s->cf->contentfilter == NULL || s->tx.spool == NULL ||
	    spool_flush(s->tx.spool) < 0)
		return 0; /* a failed flush fails the commit too */
	path = spool_path(s->tx.spool);
	file_id(path, id, sizeof(id));
	buf_init(&out, SUBD_REPLY_MAX + SUBD_LINE_MAX + 1);
	if (is_socket(s->cf->contentfilter))
		r = talk_socket(s->cf->contentfilter, path, &out,
		    s->cf->contentfilter_timeout);
	else if (sd && sd->d[SUBD_FILTER])
		r = subd_ask(sd->d[SUBD_FILTER], path, &out,
		    s->cf->contentfilter_timeout);
	if (r == SUBD_OK && s->cf->debug_contentfilter)
		log_msg(LOG_DEBUG, "%s: contentfilter said: %s",
		    xlog_tag(s->env->xlog), out.data ? out.data : "");
	if (r != SUBD_OK || out.data == NULL ||
	    subd_filter_verdict(
	        out.data, &vd, &code, enh, sizeof(enh), text, sizeof(text)) < 0)
		rc = no_verdict(s, r == SUBD_OK ? SUBD_OK : r, id);
	else
		rc = verdict(s, vd, code, enh, text, id, v);
	buf_free(&out);
	return rc;
}
