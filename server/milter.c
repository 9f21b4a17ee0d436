/*
 * milter.c - the milter client (Sendmail milter protocol 6, as Postfix
 * speaks it): one connection per session to each PARAM milter, in order;
 * option negotiation, the macros common milters read, and the connect,
 * HELO, MAIL, RCPT, DATA, abort and quit stages.  Every wait has a
 * deadline (PARAM milter-*-timeout); a milter that is down, slow or talks
 * nonsense gets the default action (PARAM milter-default-action).
 * Not for: end of message and changes (milter_eom.c), framing
 * (milter_proto.c).
 */
#include "milter_int.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "mono.h"

#define MILTER_IN_MAX (MILTER_PKT_MAX + 4 + 16384) /* a packet and a read */

static void
mlog(struct smtp *s, const struct mconn *m, const char *what)
{
	log_msg(LOG_WARNING, "%s: milter %s: %s", xlog_tag(s->env->xlog),
	    m->name, what);
}

int
milter_usable(const struct mconn *m)
{
	return m->fd >= 0 && !m->failed && !m->sess_accept && !m->msg_accept;
}

void
milter_fail(struct smtp *s, struct mconn *m, const char *why)
{
	if (!m->failed)
		mlog(s, m, why);
	m->failed = 1;
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

int
milter_send(struct smtp *s, struct mconn *m, int cmd, const void *data,
    size_t len, long long deadline)
{
	struct buf b;
	size_t off = 0;
	ssize_t w;
	int rc = 0;

	buf_init(&b, MILTER_PKT_MAX + 8);
	if (mproto_put(&b, cmd, data, len) < 0) {
		buf_free(&b);
		milter_fail(s, m, "packet too long");
		return -1;
	}
	while (off < b.len) {
		if (mono_poll(m->fd, POLLOUT, deadline) != 1) {
			milter_fail(s, m, "timeout writing");
			rc = -1;
			break;
		}
		w = send(m->fd, b.data + off, b.len - off, MSG_NOSIGNAL);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w <= 0) {
			milter_fail(s, m, "write failed");
			rc = -1;
			break;
		}
		off += (size_t)w;
	}
	buf_free(&b);
	return rc;
}

int
milter_recv(struct smtp *s, struct mconn *m, struct mpkt *p, long long deadline)
{
	static char tmp[MILTER_IN_MAX];
	size_t used;
	ssize_t r;
	int k;

	for (;;) {
		if (mono_left(deadline) == 0) { /* also a flood of packets */
			milter_fail(s, m, "timeout waiting for a reply");
			return -1;
		}
		k = mproto_take(
		    m->in.data ? m->in.data : "", m->in.len, p, &used);
		if (k < 0) {
			milter_fail(s, m, "malformed or too long packet");
			return -1;
		}
		if (k > 0) {
			/* keep the packet where p points until the next call */
			memcpy(tmp, m->in.data, used);
			buf_consume(&m->in, used);
			p->data = tmp + 5;
			return 0;
		}
		if (mono_poll(m->fd, POLLIN, deadline) != 1) {
			milter_fail(s, m, "timeout waiting for a reply");
			return -1;
		}
		if (buf_reserve(&m->in, 16384) < 0) {
			milter_fail(s, m, "reply too long");
			return -1;
		}
		r = read(
		    m->fd, m->in.data + m->in.len, m->in.cap - m->in.len - 1);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0) {
			milter_fail(
			    s, m, r == 0 ? "connection closed" : "read failed");
			return -1;
		}
		m->in.len += (size_t)r;
	}
}

int
milter_verdict(const struct mpkt *p, struct mreply *r)
{
	memset(r, 0, sizeof(*r));
	switch (p->cmd) {
	case SMFIR_CONTINUE:
		r->v = MV_CONTINUE;
		return 0;
	case SMFIR_ACCEPT:
		r->v = MV_ACCEPT;
		return 0;
	case SMFIR_REJECT:
		r->v = MV_REJECT;
		return 0;
	case SMFIR_TEMPFAIL:
		r->v = MV_TEMPFAIL;
		return 0;
	case SMFIR_DISCARD:
		r->v = MV_DISCARD;
		return 0;
	case SMFIR_REPLYCODE:
		r->v = MV_REPLY;
		return mproto_replycode(p, &r->code, r->enh, sizeof(r->enh),
		    r->text, sizeof(r->text));
	}
	return -1;
}

void
milter_default(struct smtp *s, struct mreply *r)
{
	memset(r, 0, sizeof(*r));
	r->v = s->cf->milter_default_action == 1 ? MV_CONTINUE
	    : s->cf->milter_default_action == 2  ? MV_REJECT
	                                         : MV_TEMPFAIL;
}

int
milter_refuse(struct smtp *s, const struct mreply *r)
{
	switch (r->v) {
	case MV_REJECT:
		reply(s, R_MILTER_REJECT);
		return -1;
	case MV_TEMPFAIL:
		reply(s, R_MILTER_TEMPFAIL);
		return -1;
	case MV_REPLY:
		reply(s, r->code, r->enh[0] ? r->enh : NULL, "%s",
		    r->text[0] ? r->text : "Command rejected");
		return -1;
	default:
		return 0;
	}
}

/* "host:port", "[addr]:port" or "port@host" into host; *port into it. */
static int
host_port(const char *hp, char *host, size_t len, char **port)
{
	size_t n = strcspn(hp, "@");

	if (snprintf(host, len, "%s", hp) >= (int)len)
		return -1;
	if (hp[n] == '@') { /* port@host (sendmail) */
		snprintf(host, len, "%s", hp + n + 1);
		*port = host + strlen(host) + 1;
		if ((size_t)(*port - host) + n + 1 > len)
			return -1;
		memcpy(*port, hp, n);
		(*port)[n] = '\0';
	} else if ((*port = strrchr(host, ':')) != NULL)
		*(*port)++ = '\0';
	else
		return -1;
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		host[strlen(host) - 1] = '\0';
		memmove(host, host + 1, strlen(host));
	}
	return 0;
}

/* Connect to "unix:/path", "inet:host:port" or "inet:port@host". */
static int
open_spec(const char *spec, long long deadline)
{
	struct sockaddr_un un;
	struct addrinfo hints, *ai = NULL;
	char host[256], *port;
	int fd = -1, err;
	socklen_t el = sizeof(err);

	if (strncmp(spec, "unix:", 5) == 0) {
		memset(&un, 0, sizeof(un));
		un.sun_family = AF_UNIX;
		if (snprintf(un.sun_path, sizeof(un.sun_path), "%s",
		        spec + 5) >= (int)sizeof(un.sun_path))
			return -1;
		fd = socket(
		    AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd >= 0 &&
		    connect(fd, (struct sockaddr *)&un, sizeof(un)) < 0 &&
		    errno != EINPROGRESS && errno != EAGAIN) {
			close(fd);
			return -1;
		}
	} else if (strncmp(spec, "inet:", 5) == 0) {
		if (host_port(spec + 5, host, sizeof(host), &port) < 0)
			return -1;
		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_STREAM;
		if (getaddrinfo(host, port, &hints, &ai) != 0 || ai == NULL)
			return -1;
		fd = socket(ai->ai_family,
		    SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 &&
		    errno != EINPROGRESS) {
			close(fd);
			fd = -1;
		}
		freeaddrinfo(ai);
	}
	if (fd < 0)
		return -1;
	if (mono_poll(fd, POLLOUT, deadline) != 1 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Connect and negotiate one milter; -1 = failed (logged). */
static int
open_one(struct smtp *s, struct mconn *m, const char *spec)
{
	const struct conf *c = s->cf;
	struct buf b;
	struct mpkt p;
	uint32_t ver, act, proto;
	int r;

	m->fd = open_spec(spec, mono_after(c->milter_connect_timeout));
	if (m->fd < 0) {
		milter_fail(s, m, "cannot connect");
		return -1;
	}
	buf_init(&b, 64);
	r = mproto_u32(&b, MILTER_VERSION) < 0 ||
	    mproto_u32(&b, MILTER_ACTIONS) < 0 ||
	    mproto_u32(&b, MILTER_PROTO_OFFER) < 0;
	r = r ? -1
	      : milter_send(s, m, SMFIC_OPTNEG, b.data, b.len,
	            mono_after(c->milter_command_timeout));
	buf_free(&b);
	if (r < 0 ||
	    milter_recv(s, m, &p, mono_after(c->milter_command_timeout)) < 0)
		return -1;
	if (mproto_optneg(&p, &ver, &act, &proto) < 0 || ver < 2 ||
	    ver > MILTER_VERSION) {
		milter_fail(s, m, "bad option negotiation");
		return -1;
	}
	m->act = act & MILTER_ACTIONS;
	m->proto = proto & MILTER_PROTO_OFFER;
	return 0;
}

/* The macro value of the client's TLS cipher: its first word. */
static void
cipher_name(const struct smtp *s, char *out, size_t len)
{
	snprintf(
	    out, len, "%.*s", (int)strcspn(s->tls_cipher, " "), s->tls_cipher);
}

/* Append name\0value\0 unless value is NULL or empty. */
static void
macro(struct buf *b, const char *name, const char *value)
{
	if (value != NULL && *value != '\0') {
		mproto_str(b, name);
		mproto_str(b, value);
	}
}

static void
connect_macros(struct smtp *s, struct buf *b)
{
	char tmp[400], port[16];

	macro(b, "j", s->myhost);
	snprintf(tmp, sizeof(tmp), "%s %s", s->rhost, s->iplit);
	macro(b, "_", tmp);
	macro(b, "{daemon_name}",
	    s->env->listener ? s->env->listener : "smtpserver");
	macro(b, "{client_addr}", s->ip);
	macro(b, "{client_name}", s->rhost[0] == '[' ? "unknown" : s->rhost);
	macro(b, "{client_ptr}", s->rhost[0] == '[' ? "unknown" : s->rhost);
	snprintf(port, sizeof(port), "%d", s->rport);
	macro(b, "{client_port}", port);
	macro(b, "v", "smtpserver");
}

int
milter_macros(struct smtp *s, struct mconn *m, int stage, long long deadline)
{
	struct milters *ms = s->milt;
	struct buf b;
	char tmp[400];
	const char *at;
	int r;

	buf_init(&b, MILTER_PKT_MAX - 1);
	buf_putc(&b, stage);
	switch (stage) {
	case SMFIC_CONNECT:
		connect_macros(s, &b);
		break;
	case SMFIC_HELO:
		if (smtp_tls_on(s)) {
			macro(&b, "{tls_version}", smtp_tls_version(s));
			cipher_name(s, tmp, sizeof(tmp));
			macro(&b, "{cipher}", tmp);
			macro(&b, "{cert_subject}", s->tls_peer);
		}
		break;
	case SMFIC_MAIL:
		macro(&b, "i", ms->qid);
		if (s->authenticated) {
			macro(&b, "{auth_type}", s->auth_mech);
			macro(&b, "{auth_authen}", s->auth_user);
		}
		if (smtp_tls_on(s)) {
			macro(&b, "{tls_version}", smtp_tls_version(s));
			cipher_name(s, tmp, sizeof(tmp));
			macro(&b, "{cipher}", tmp);
		}
		macro(&b, "{mail_mailer}", "smtp");
		macro(&b, "{mail_addr}", s->tx.from);
		if (s->tx.from && (at = strrchr(s->tx.from, '@')) != NULL)
			macro(&b, "{mail_host}", at + 1);
		break;
	case SMFIC_RCPT:
		macro(&b, "{rcpt_mailer}", "smtp");
		macro(&b, "{rcpt_addr}", ms->rcpt);
		break;
	case SMFIC_BODYEOB:
		macro(&b, "i", ms->qid);
		break;
	}
	if (buf_failed(&b)) {
		buf_free(&b);
		return 0; /* too many: send none */
	}
	r = b.len > 1 ? milter_send(s, m, SMFIC_MACRO, b.data, b.len, deadline)
	              : 0;
	buf_free(&b);
	return r;
}

/* Protocol bits: the step is left out, and no reply is owed. */
static uint32_t
no_step(int cmd)
{
	switch (cmd) {
	case SMFIC_CONNECT:
		return SMFIP_NOCONNECT;
	case SMFIC_HELO:
		return SMFIP_NOHELO;
	case SMFIC_MAIL:
		return SMFIP_NOMAIL;
	case SMFIC_RCPT:
		return SMFIP_NORCPT;
	case SMFIC_DATA:
		return SMFIP_NODATA;
	}
	return 0;
}

static uint32_t
no_reply(int cmd)
{
	switch (cmd) {
	case SMFIC_CONNECT:
		return SMFIP_NR_CONN;
	case SMFIC_HELO:
		return SMFIP_NR_HELO;
	case SMFIC_MAIL:
		return SMFIP_NR_MAIL;
	case SMFIC_RCPT:
		return SMFIP_NR_RCPT;
	case SMFIC_DATA:
		return SMFIP_NR_DATA;
	}
	return 0;
}

/*
 * One stage to every usable milter in order; the first refusal (or
 * discard) ends it and is returned in r, a failed milter gives the
 * default action.
 */
static void
stage(struct smtp *s, int cmd, const struct buf *data, struct mreply *r)
{
	struct milters *ms = s->milt;
	struct mconn *m;
	struct mpkt p;
	long long dl;
	size_t i;

	memset(r, 0, sizeof(*r));
	for (i = 0; ms != NULL && i < ms->n; i++) {
		m = &ms->m[i];
		if (m->failed) {
			milter_default(s, r);
			if (r->v != MV_CONTINUE)
				return;
			continue;
		}
		if (!milter_usable(m) || (m->proto & no_step(cmd)))
			continue;
		dl = mono_after(s->cf->milter_command_timeout);
		if (cmd == SMFIC_MAIL)
			m->in_msg = 1;
		if (milter_macros(s, m, cmd, dl) < 0 ||
		    milter_send(s, m, cmd, data->data, data->len, dl) < 0) {
			i--; /* again, as failed */
			continue;
		}
		if (m->proto & no_reply(cmd))
			continue;
		do {
			if (milter_recv(s, m, &p, dl) < 0)
				break;
		} while (p.cmd == SMFIR_PROGRESS);
		if (m->failed || milter_verdict(&p, r) < 0) {
			milter_fail(s, m, "unexpected reply");
			i--;
			continue;
		}
		if (r->v == MV_ACCEPT) {
			if (cmd == SMFIC_CONNECT || cmd == SMFIC_HELO)
				m->sess_accept = 1;
			else
				m->msg_accept = 1;
			r->v = MV_CONTINUE;
		} else if (r->v != MV_CONTINUE)
			return;
	}
}

void
milter_connect(struct smtp *s)
{
	const struct conf *c = s->cf;
	struct milters *ms;
	struct buf d;
	struct mreply r;
	char name[64], spec[512], port[2];
	size_t i;
	uint16_t pn;

	if (c->nmilters == 0)
		return;
	ms = s->milt = xcalloc(1, sizeof(*ms));
	for (i = 0; i < c->nmilters && i < MILTER_MAX; i++) {
		struct mconn *m = &ms->m[ms->n++];

		m->fd = -1;
		buf_init(&m->in, MILTER_IN_MAX);
		if (sscanf(c->milters[i], "%63s %511s", name, spec) != 2) {
			snprintf(m->name, sizeof(m->name), "#%zu", i + 1);
			milter_fail(s, m, "bad PARAM milter");
			continue;
		}
		snprintf(m->name, sizeof(m->name), "%s", name);
		open_one(s, m, spec);
	}
	buf_init(&d, 1024);
	mproto_str(&d, s->rhost[0] == '[' ? s->iplit : s->rhost);
	buf_putc(&d, s->ipv6 ? '6' : s->ip[0] ? '4' : 'L');
	pn = htons((uint16_t)s->rport);
	memcpy(port, &pn, 2);
	buf_append(&d, port, 2);
	mproto_str(&d, s->ip);
	stage(s, SMFIC_CONNECT, &d, &r);
	buf_free(&d);
	if (r.v != MV_CONTINUE)
		ms->held = r;
}

int
milter_helo(struct smtp *s, const char *name)
{
	struct buf d;
	struct mreply r;

	if (s->milt == NULL)
		return 0;
	buf_init(&d, 1024);
	mproto_str(&d, name);
	stage(s, SMFIC_HELO, &d, &r);
	buf_free(&d);
	if (r.v != MV_CONTINUE && s->milt->held.v == MV_CONTINUE)
		s->milt->held = r;
	return 0;
}

/* "<addr>" then the ESMTP parameters, one string each. */
static void
addr_args(struct buf *d, const char *addr, const char *args)
{
	const char *p = args;
	size_t n;

	buf_putc(d, '<');
	buf_puts(d, addr);
	mproto_str(d, ">");
	for (;;) {
		p += strspn(p, " ");
		if ((n = strcspn(p, " ")) == 0)
			break;
		buf_append(d, p, n);
		buf_putc(d, '\0');
		p += n;
	}
}

int
milter_mail(struct smtp *s, const char *addr, const char *args)
{
	struct milters *ms = s->milt;
	struct buf d;
	struct mreply r;
	size_t i;

	if (ms == NULL)
		return 0;
	if (ms->held.v != MV_CONTINUE)
		return milter_refuse(s, &ms->held);
	ms->msgno++;
	snprintf(ms->qid, sizeof(ms->qid), "%lX%04lX", (unsigned long)getpid(),
	    ms->msgno);
	ms->discard = 0;
	for (i = 0; i < ms->n; i++)
		ms->m[i].msg_accept = 0;
	buf_init(&d, MILTER_PKT_MAX - 1);
	addr_args(&d, addr, args);
	stage(s, SMFIC_MAIL, &d, &r);
	buf_free(&d);
	if (r.v == MV_DISCARD)
		ms->discard = 1;
	return milter_refuse(s, &r);
}

int
milter_rcpt(struct smtp *s, const char *addr, const char *args)
{
	struct buf d;
	struct mreply r;

	if (s->milt == NULL)
		return 0;
	s->milt->rcpt = addr;
	buf_init(&d, MILTER_PKT_MAX - 1);
	addr_args(&d, addr, args);
	stage(s, SMFIC_RCPT, &d, &r);
	buf_free(&d);
	if (r.v == MV_DISCARD)
		s->milt->discard = 1;
	return milter_refuse(s, &r);
}

int
milter_data(struct smtp *s)
{
	struct buf d;
	struct mreply r;

	if (s->milt == NULL)
		return 0;
	s->milt->data_sent = 1;
	buf_init(&d, 16);
	stage(s, SMFIC_DATA, &d, &r);
	buf_free(&d);
	if (r.v == MV_DISCARD)
		s->milt->discard = 1;
	return milter_refuse(s, &r);
}

void
milter_abort(struct smtp *s)
{
	struct milters *ms = s->milt;
	size_t i;

	for (i = 0; ms != NULL && i < ms->n; i++) {
		struct mconn *m = &ms->m[i];

		if (m->in_msg && m->fd >= 0 && !m->failed && !m->sess_accept)
			milter_send(s, m, SMFIC_ABORT, NULL, 0,
			    mono_after(s->cf->milter_command_timeout));
		m->in_msg = 0;
		m->msg_accept = 0;
	}
	if (ms != NULL)
		ms->discard = ms->data_sent = 0;
}

void
milter_end(struct smtp *s)
{
	struct milters *ms = s->milt;
	size_t i;

	for (i = 0; ms != NULL && i < ms->n; i++) {
		struct mconn *m = &ms->m[i];

		if (m->fd >= 0) {
			milter_send(s, m, SMFIC_QUIT, NULL, 0, mono_after(2));
			if (m->fd >= 0)
				close(m->fd);
		}
		buf_free(&m->in);
	}
	free(ms);
	s->milt = NULL;
}
