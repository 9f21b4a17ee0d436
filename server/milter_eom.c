/*
 * milter_eom.c - end of message for the milters: the spooled message's
 * headers, end of headers, body (CRLF, chunks of at most 64K) and EOM;
 * then their changes (add/insert/change/delete header, add/remove
 * recipient, change sender, replace body, quarantine) written into a new
 * spool file before the commit.  Changes apply as they arrive, so a later
 * milter sees the headers as earlier ones left them (the body as it
 * came); one that fails on the way gets the default action.
 * Not for: the earlier stages (milter.c).
 */
#include "milter_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "mono.h"

#define HDR_BLOCK_MAX (256 * 1024) /* header bytes we parse */
#define EDITS_MAX 10000            /* changes per message */

struct hdr {
	char *name;  /* NULL: deleted */
	char *value; /* after the ':', LF between folded lines */
};

struct eom {
	int fd;             /* the old spool file */
	long long msg_off;  /* where its message starts */
	long long body_off; /* where the body starts (from msg_off) */
	long long msg_len;
	int sep; /* a blank line ends the headers */
	struct hdr *h;
	size_t nh, ch;
	int edited;   /* a change needs a new file */
	int new_body; /* body replaced by body */
	int body_cr;  /* a CR ended the last REPLBODY chunk */
	struct buf body;
	size_t nedits;
};

/* xalloc.h has no realloc: a bigger copy (the old one freed). */
static void *
grow(void *old, size_t n, size_t newn, size_t size)
{
	void *p = xcalloc(newn, size);

	if (old != NULL)
		memcpy(p, old, n * size);
	free(old);
	return p;
}

static char *
dupn(const char *s, size_t n)
{
	char *p = xcalloc(n + 1, 1);

	memcpy(p, s, n);
	return p;
}

static void
hdr_add(struct eom *e, size_t at, char *name, char *value)
{
	if (e->nh == e->ch) {
		e->h = grow(e->h, e->nh, e->ch ? e->ch * 2 : 32, sizeof(*e->h));
		e->ch = e->ch ? e->ch * 2 : 32;
	}
	if (at > e->nh)
		at = e->nh;
	memmove(e->h + at + 1, e->h + at, (e->nh - at) * sizeof(*e->h));
	e->h[at].name = name;
	e->h[at].value = value;
	e->nh++;
}

/* A header name: printable, no ':' or blank. */
static int
name_ok(const char *n, size_t len)
{
	size_t i;

	if (len == 0 || len > 200)
		return 0;
	for (i = 0; i < len; i++)
		if (n[i] <= ' ' || n[i] >= 0x7f || n[i] == ':')
			return 0;
	return 1;
}

/* Parse the header block at the start of the message. */
static int
read_headers(struct eom *e)
{
	struct buf b;
	char *p, *end, *nl, *c;
	ssize_t r;
	size_t want =
	    e->msg_len < HDR_BLOCK_MAX ? (size_t)e->msg_len : HDR_BLOCK_MAX;

	buf_init(&b, HDR_BLOCK_MAX + 1);
	if (buf_reserve(&b, want + 1) < 0)
		return -1;
	while (b.len < want) {
		r = pread(e->fd, b.data + b.len, want - b.len,
		    e->msg_off + (off_t)b.len);
		if (r <= 0) {
			buf_free(&b);
			return -1;
		}
		b.len += (size_t)r;
	}
	p = b.data;
	end = b.data + b.len;
	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (nl == p) {
			p++;
			e->sep = 1;
			break;
		}
		if ((*p == ' ' || *p == '\t') && e->nh > 0) {
			struct hdr *h = &e->h[e->nh - 1];
			size_t ol = strlen(h->value);

			h->value =
			    grow(h->value, ol, ol + (size_t)(nl - p) + 2, 1);
			h->value[ol] = '\n';
			memcpy(h->value + ol + 1, p, (size_t)(nl - p));
		} else if ((c = memchr(p, ':', (size_t)(nl - p))) != NULL &&
		    name_ok(p, (size_t)(c - p))) {
			hdr_add(e, e->nh, dupn(p, (size_t)(c - p)),
			    dupn(c + 1, (size_t)(nl - c - 1)));
		} else
			break;
		p = nl + 1;
	}
	e->body_off = p - b.data;
	buf_free(&b);
	return 0;
}

/* A header's value for a milter: CRLF folds, one leading blank gone. */
static void
hdr_packet(struct buf *d, const struct mconn *m, const struct hdr *h)
{
	const char *v = h->value;

	mproto_str(d, h->name);
	if (!(m->proto & SMFIP_HDR_LEADSPC) && *v == ' ')
		v++;
	for (; *v; v++) {
		if (*v == '\n')
			buf_putc(d, '\r');
		buf_putc(d, *v);
	}
	buf_putc(d, '\0');
}

/* Wait for the reply to a step; r set, -1 = the milter failed. */
static int
step_reply(struct smtp *s, struct mconn *m, struct mreply *r, long long dl)
{
	struct mpkt p;

	do {
		if (milter_recv(s, m, &p, dl) < 0)
			return -1;
	} while (p.cmd == SMFIR_PROGRESS);
	if (p.cmd == SMFIR_SKIP) {
		r->v = MV_ACCEPT; /* no more body */
		r->code = -1;
		return 0;
	}
	if (milter_verdict(&p, r) < 0) {
		milter_fail(s, m, "unexpected reply");
		return -1;
	}
	return 0;
}

/* One step sent; its reply unless noreply. */
static int
step(struct smtp *s, struct mconn *m, int cmd, const struct buf *d, int noreply,
    struct mreply *r, long long dl)
{
	memset(r, 0, sizeof(*r));
	if (milter_send(s, m, cmd, d ? d->data : NULL, d ? d->len : 0, dl) < 0)
		return -1;
	return noreply ? 0 : step_reply(s, m, r, dl);
}

/* The body as CRLF chunks; r gets a verdict other than continue. */
static int
send_body(struct smtp *s, struct mconn *m, struct eom *e, struct mreply *r,
    long long dl)
{
	char in[16384];
	struct buf d;
	off_t at = e->msg_off + e->body_off;
	ssize_t n;
	ssize_t i;
	int rc = 0;

	buf_init(&d, MILTER_CHUNK + 1);
	while ((n = pread(e->fd, in, sizeof(in), at)) > 0) {
		at += n;
		for (i = 0; i < n; i++) {
			if (in[i] == '\n')
				buf_putc(&d, '\r');
			buf_putc(&d, in[i]);
			if (d.len + 2 > MILTER_CHUNK) {
				rc = step(s, m, SMFIC_BODY, &d,
				    (m->proto & SMFIP_NR_BODY) != 0, r, dl);
				buf_reset(&d);
				if (rc < 0 || r->v != MV_CONTINUE)
					goto out;
			}
		}
	}
	if (d.len > 0)
		rc = step(s, m, SMFIC_BODY, &d, (m->proto & SMFIP_NR_BODY) != 0,
		    r, dl);
out:
	buf_free(&d);
	if (r->v == MV_ACCEPT && r->code == -1)
		r->v = MV_CONTINUE; /* SMFIR_SKIP */
	return rc;
}

/* Strip <> from an address; NULL when unusable. */
static char *
addr_of(const char *a)
{
	size_t n, i;

	while (*a == ' ')
		a++;
	if (*a == '<')
		a++;
	n = strcspn(a, ">");
	if (n > 320)
		return NULL;
	for (i = 0; i < n; i++)
		if ((unsigned char)a[i] <= ' ' || a[i] == 0x7f)
			return NULL;
	return dupn(a, n);
}

/* A header value from a milter: CRLF to LF, folds only; NULL if unsafe. */
static char *
value_of(const struct mconn *m, const char *v)
{
	struct buf b;
	char *out;

	buf_init(&b, 65536);
	if (!(m->proto & SMFIP_HDR_LEADSPC))
		buf_putc(&b, ' ');
	for (; *v; v++) {
		if (*v == '\r' && v[1] == '\n')
			continue;
		if (*v == '\r' || (*v == '\n' && v[1] != ' ' && v[1] != '\t')) {
			buf_free(&b);
			return NULL;
		}
		buf_putc(&b, *v);
	}
	out = buf_failed(&b) ? NULL : buf_strdup(&b);
	buf_free(&b);
	return out;
}

static void
del_rcpt(struct smtp *s, const char *addr)
{
	struct smtp_txn *t = &s->tx;
	size_t i;

	for (i = 0; i < t->nrcpts; i++)
		if (strcasecmp(t->rcpts[i].addr, addr) == 0) {
			free(t->rcpts[i].addr);
			free(t->rcpts[i].notify);
			free(t->rcpts[i].orcpt);
			free(t->rcpts[i].by);
			memmove(t->rcpts + i, t->rcpts + i + 1,
			    (t->nrcpts - i - 1) * sizeof(*t->rcpts));
			t->nrcpts--;
			return;
		}
}

static void
add_rcpt(struct smtp *s, char *addr)
{
	struct smtp_txn *t = &s->tx;

	if (t->nrcpts == t->rcap) {
		t->rcpts = grow(t->rcpts, t->nrcpts, t->rcap ? t->rcap * 2 : 8,
		    sizeof(*t->rcpts));
		t->rcap = t->rcap ? t->rcap * 2 : 8;
	}
	memset(&t->rcpts[t->nrcpts], 0, sizeof(*t->rcpts));
	t->rcpts[t->nrcpts++].addr = addr;
}

/* CHGHEADER: the idx-th header called name (1-based); empty = delete. */
static void
chg_header(struct eom *e, uint32_t idx, const char *name, char *value)
{
	size_t i;
	uint32_t k = 0;

	for (i = 0; i < e->nh; i++)
		if (e->h[i].name && strcasecmp(e->h[i].name, name) == 0 &&
		    ++k >= (idx ? idx : 1)) {
			free(e->h[i].value);
			if (value[0] == '\0' ||
			    strspn(value, " \t") == strlen(value)) {
				free(e->h[i].name);
				free(value);
				e->h[i].name = NULL;
				e->h[i].value = NULL;
			} else
				e->h[i].value = value;
			return;
		}
	if (strspn(value, " \t") != strlen(value))
		hdr_add(e, e->nh, xstrdup(name), value);
	else
		free(value);
}

/* REPLBODY bytes: CRLF becomes LF. */
static int
body_bytes(struct smtp *s, struct eom *e, const char *p, size_t n)
{
	size_t i;

	if (!e->new_body) {
		e->new_body = 1;
		buf_init(&e->body,
		    s->maxsize > 0 ? (size_t)s->maxsize + 2 : (size_t)1 << 30);
	}
	for (i = 0; i < n; i++) {
		if (e->body_cr && p[i] != '\n')
			buf_putc(&e->body, '\r');
		e->body_cr = p[i] == '\r';
		if (!e->body_cr)
			buf_putc(&e->body, p[i]);
	}
	return buf_failed(&e->body) ? -1 : 0;
}

/* Add, insert or change a header: v = name, value. */
static int
edit_header(
    const struct mconn *m, struct eom *e, int cmd, uint32_t idx, const char **v)
{
	char *val;

	if (!(m->act &
	        (cmd == SMFIR_CHGHEADER ? SMFIF_CHGHDRS : SMFIF_ADDHDRS)) ||
	    !name_ok(v[0], strlen(v[0])) || (val = value_of(m, v[1])) == NULL)
		return -1;
	if (cmd == SMFIR_CHGHEADER)
		chg_header(e, idx, v[0], val);
	else
		hdr_add(e, cmd == SMFIR_ADDHEADER ? e->nh : idx, xstrdup(v[0]),
		    val);
	return 0;
}

/* One change from an EOM reply; -1 = unusable (the milter fails). */
static int
edit(struct smtp *s, struct mconn *m, struct eom *e, const struct mpkt *p)
{
	const char *v[3];
	uint32_t idx = 0;
	char *a, why[200];
	int k, has_idx = p->cmd == SMFIR_INSHEADER || p->cmd == SMFIR_CHGHEADER;

	if (++e->nedits > EDITS_MAX)
		return -1;
	if (p->cmd == SMFIR_REPLBODY) {
		if (!(m->act & SMFIF_CHGBODY))
			return -1;
		e->edited = 1;
		return body_bytes(s, e, p->data, p->len);
	}
	k = mproto_strings(p, has_idx ? &idx : NULL, v, 3);
	if (k < 1)
		return -1;
	switch (p->cmd) {
	case SMFIR_ADDHEADER:
	case SMFIR_INSHEADER:
	case SMFIR_CHGHEADER:
		if (k < 2 || edit_header(m, e, p->cmd, idx, v) < 0)
			return -1;
		break;
	case SMFIR_ADDRCPT:
	case SMFIR_ADDRCPT_PAR:
		if ((a = addr_of(v[0])) == NULL || *a == '\0') {
			free(a);
			return -1;
		}
		add_rcpt(s, a);
		break;
	case SMFIR_DELRCPT:
		if ((a = addr_of(v[0])) == NULL)
			return -1;
		del_rcpt(s, a);
		free(a);
		break;
	case SMFIR_CHGFROM:
		if ((a = addr_of(v[0])) == NULL)
			return -1;
		free(s->tx.from);
		s->tx.from = a;
		break;
	case SMFIR_QUARANTINE:
		log_msg(LOG_INFO, "%s: milter %s: quarantine: %s",
		    xlog_tag(s->env->xlog), m->name,
		    log_escape(why, sizeof(why), v[0], strlen(v[0])));
		if (s->tx.freeze < 1)
			s->tx.freeze = 1;
		return 0;
	default:
		return -1;
	}
	e->edited = 1;
	return 0;
}

/* Headers, EOH, body and EOM to one milter; its verdict into r. */
static int
one(struct smtp *s, struct mconn *m, struct eom *e, struct mreply *r)
{
	long long dl = mono_after(s->cf->milter_eom_timeout);
	struct buf d;
	struct mpkt p;
	size_t i;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	buf_init(&d, MILTER_PKT_MAX - 1);
	for (i = 0; !(m->proto & SMFIP_NOHDRS) && i < e->nh; i++) {
		buf_reset(&d);
		hdr_packet(&d, m, &e->h[i]);
		if (buf_failed(&d))
			continue; /* a header over 64K is not shown */
		if ((rc = step(s, m, SMFIC_HEADER, &d,
		         (m->proto & SMFIP_NR_HDR) != 0, r, dl)) < 0 ||
		    r->v != MV_CONTINUE)
			goto out;
	}
	if (!(m->proto & SMFIP_NOEOH) &&
	    ((rc = step(s, m, SMFIC_EOH, NULL, (m->proto & SMFIP_NR_EOH) != 0,
	          r, dl)) < 0 ||
	        r->v != MV_CONTINUE))
		goto out;
	if (!(m->proto & SMFIP_NOBODY) &&
	    ((rc = send_body(s, m, e, r, dl)) < 0 || r->v != MV_CONTINUE))
		goto out;
	if ((rc = milter_macros(s, m, SMFIC_BODYEOB, dl)) < 0 ||
	    (rc = milter_send(s, m, SMFIC_BODYEOB, NULL, 0, dl)) < 0)
		goto out;
	for (;;) {
		if ((rc = milter_recv(s, m, &p, dl)) < 0)
			goto out;
		if (p.cmd == SMFIR_PROGRESS)
			continue;
		if (milter_verdict(&p, r) == 0) {
			m->in_msg = 0; /* the message is over for it */
			break;
		}
		if (edit(s, m, e, &p) < 0) {
			milter_fail(s, m, "bad change at end of message");
			rc = -1;
			goto out;
		}
	}
out:
	buf_free(&d);
	return rc;
}

/* fill() of spool_rewrite: the edited headers and the body. */
static int
write_message(void *arg, struct spool_txn *t)
{
	struct eom *e = arg;
	char in[16384];
	off_t at;
	ssize_t n;
	size_t i;

	for (i = 0; i < e->nh; i++)
		if (e->h[i].name &&
		    (spool_write(t, e->h[i].name, strlen(e->h[i].name)) < 0 ||
		        spool_write(t, ":", 1) < 0 ||
		        spool_write(t, e->h[i].value, strlen(e->h[i].value)) <
		            0 ||
		        spool_write(t, "\n", 1) < 0))
			return -1;
	if ((e->sep || e->new_body) && spool_write(t, "\n", 1) < 0)
		return -1;
	if (e->new_body) {
		if (e->body_cr)
			buf_putc(&e->body, '\r');
		return e->body.len ? spool_write(t, e->body.data, e->body.len)
		                   : 0;
	}
	at = e->msg_off + e->body_off;
	while ((n = pread(e->fd, in, sizeof(in), at)) > 0) {
		if (spool_write(t, in, (size_t)n) < 0)
			return -1;
		at += n;
	}
	return n < 0 ? -1 : 0;
}

/* Open and parse the spooled message. */
static int
eom_open(struct smtp *s, struct eom *e)
{
	struct stat st;

	memset(e, 0, sizeof(*e));
	e->fd = -1;
	if (spool_flush(s->tx.spool) < 0 ||
	    (e->fd = open(spool_path(s->tx.spool), O_RDONLY | O_CLOEXEC)) < 0 ||
	    fstat(e->fd, &st) < 0)
		return -1;
	e->msg_len = spool_size(s->tx.spool);
	e->msg_off = (long long)st.st_size - e->msg_len;
	return e->msg_off < 0 ? -1 : read_headers(e);
}

static void
eom_close(struct eom *e)
{
	size_t i;

	for (i = 0; i < e->nh; i++) {
		free(e->h[i].name);
		free(e->h[i].value);
	}
	free(e->h);
	if (e->new_body)
		buf_free(&e->body);
	if (e->fd >= 0)
		close(e->fd);
}

/* The changes into a new spool file; -1 after a 451. */
static int
rewrite(struct smtp *s, struct eom *e)
{
	struct envelope env;
	char err[256];

	fill_envelope(s, &env);
	if (spool_rewrite(&s->tx.spool, &s->spool, &env, write_message, e, err,
	        sizeof(err)) < 0) {
		log_msg(LOG_ERR, "%s: milter changes: %s",
		    xlog_tag(s->env->xlog), err);
		reply(s, R_DATA_SPOOL_FAIL);
		return -1;
	}
	return 0;
}

/* The reply to the data: LMTP owes one per recipient. */
static int
eom_reply(struct smtp *s, const struct mreply *r)
{
	size_t i, n = s->lmtp && s->tx.nrcpts > 0 ? s->tx.nrcpts : 1;
	int rc = 0;

	for (i = 0; i < n; i++)
		if (r != NULL)
			rc = milter_refuse(s, r);
		else
			reply(s, R_MILTER_DISCARD);
	return r != NULL ? rc : 1;
}

int
milter_eom(struct smtp *s)
{
	struct milters *ms = s->milt;
	struct mreply r;
	struct eom e;
	size_t i;
	int rc = 0;

	if (ms == NULL || s->tx.spool == NULL)
		return 0;
	if (!ms->data_sent && milter_data(s) < 0) /* BDAT */
		return -1;
	if (eom_open(s, &e) < 0) {
		eom_close(&e);
		reply(s, R_DATA_SPOOL_FAIL);
		return -1;
	}
	for (i = 0; i < ms->n && rc == 0; i++) {
		struct mconn *m = &ms->m[i];

		if (milter_usable(m) && one(s, m, &e, &r) == 0 &&
		    r.v != MV_CONTINUE && r.v != MV_ACCEPT) {
			if (r.v == MV_DISCARD)
				ms->discard = 1;
			else
				rc = eom_reply(s, &r);
		}
		if (m->failed) {
			milter_default(s, &r);
			rc = eom_reply(s, &r);
		}
		m->in_msg = m->failed ? 0 : m->in_msg;
	}
	if (rc == 0 && (ms->discard || s->tx.nrcpts == 0)) {
		log_msg(LOG_INFO, "%s: milter: message from %s%s discarded",
		    xlog_tag(s->env->xlog), s->rhost, s->iplit);
		rc = eom_reply(s, NULL);
	} else if (rc == 0 && e.edited)
		rc = rewrite(s, &e);
	eom_close(&e);
	return rc;
}
