/*
 * envelope.c - the envelope lines ZMailer's router reads from a spool file
 * (rcvdfrom, with, from, todsn, to, env-end ...), and the RFC 5321 4.4
 * Received: header of standalone mode.
 * Not for: files and fsync (spool.c) or naming (spooldir.c).
 *
 * Every value here came from the network, so no value may break the line
 * structure.  Policy:
 *   - quoted strings (HELO line, ident, whoson, AUTH user, TLS cipher and
 *     peer) are escaped as ZMailer does: '"', '\', '(' and ')' get a
 *     backslash, bytes outside 0x20..0x7e become \ooo;
 *   - names we cannot make the client fix (rhost from DNS, identinfo from
 *     the ident server) have control bytes escaped as \ooo;
 *   - protocol values the session parser has already validated (sender,
 *     recipients, ENVID, RET, NOTIFY, ORCPT, BY, BODY, with) are refused
 *     (EINVAL) if they hold a control byte: a routing address is never
 *     silently altered, and a CR or LF there is a parser bug upstream.
 * The put_* writers append without looking back: struct buf keeps the
 * first failure, and each envelope tests buf_failed() once at its end.
 */
#include "spool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "xtext.h"

/* Hard cap on one envelope: 10000 recipients of 3 x 1000 bytes fit. */
#define ENVELOPE_MAX (64u * 1024 * 1024)
/* ZMailer prints rhostname with %.200s in rcvdfrom. */
#define RCVDFROM_RHOST_MAX 200

static int
is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* 1 if s holds a control byte, or (tok) a space. */
static int
has_bad(const char *s, int tok)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; s != NULL && *p; p++)
		if (is_ctl(*p) || (tok && *p == ' '))
			return 1;
	return 0;
}

/* ZMailer's rfc822commentprint(): "..." with \-escapes and \ooo. */
static void
put_quoted(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	buf_putc(b, '"');
	for (; *p; p++) {
		if (*p < 0x20 || *p > 0x7e)
			buf_printf(b, "\\%03o", *p);
		else if (*p == '"' || *p == '\\' || *p == '(' || *p == ')')
			buf_printf(b, "\\%c", *p);
		else
			buf_putc(b, *p);
	}
	buf_putc(b, '"');
}

/* Unquoted text from DNS or ident: control bytes as \ooo, max bytes. */
static void
put_escaped(struct buf *b, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	for (n = 0; *p && n < max; p++, n++) {
		if (is_ctl(*p) || *p == '\\')
			buf_printf(b, "\\%03o", *p);
		else
			buf_putc(b, *p);
	}
}

/* RFC 3461 xtext, as ZMailer's x() (bytes >= 0x80 as +HH, not ZMailer's
 * sign-extended +FFFFFFHH). */
static void
put_xtext(struct buf *b, const char *s)
{
	char *x = xtext_encode(s ? s : "");

	if (x == NULL) {
		buf_fail(b);
		return;
	}
	buf_puts(b, x);
	free(x);
}

/* " key: " + "value" or <none>. */
static void
put_item(struct buf *b, const char *key, const char *val)
{
	buf_printf(b, " %s: ", key);
	if (val)
		put_quoted(b, val);
	else
		buf_puts(b, "<none>");
}

static void
put_flags(struct buf *b, const char flags[4])
{
	int i;

	buf_puts(b, " rhost-flags");
	for (i = 0; i < 4; i++) {
		if (flags[i] == 'O')
			buf_puts(b, "-OK");
		else if (flags[i] == 'F')
			buf_puts(b, "-FAIL");
		else if (flags[i] == '\0' || is_ctl((unsigned char)flags[i]))
			buf_puts(b, "-X");
		else
			buf_printf(b, "-%c", flags[i]);
	}
}

/* The client name: rhost, else the address literal, else "unknown". */
static void
put_rhost(struct buf *b, const struct envelope *e, size_t max)
{
	if (e->rhost != NULL && *e->rhost)
		put_escaped(b, e->rhost, max);
	else if (e->ip != NULL && *e->ip)
		buf_printf(b, "[%s%s]", e->ipv6 ? "IPv6:" : "", e->ip);
	else
		buf_puts(b, "unknown");
}

/* "[ip]:port " when the client address is known. */
static void
put_addr(struct buf *b, const struct envelope *e)
{
	if (e->ip != NULL && *e->ip != '\0')
		buf_printf(
		    b, "[%s%s]:%d ", e->ipv6 ? "IPv6:" : "", e->ip, e->rport);
}

/* rcvdfrom: the items in [] only with their show_* flag. */
static void
put_rcvdfrom(struct buf *b, const struct envelope *e)
{
	buf_puts(b, "rcvdfrom ");
	put_rhost(b, e, RCVDFROM_RHOST_MAX);
	buf_puts(b, " (");
	put_addr(b, e);
	put_quoted(b, e->helo_line);
	if (e->show_ident && e->ident != NULL)
		put_item(b, "ident", e->ident);
	if (e->show_whoson && e->whoson != NULL)
		put_item(b, "whoson", e->whoson);
	if (e->show_auth)
		put_item(b, "smtp-auth", e->auth_user);
	if (e->show_tls_mode)
		put_item(b, "TLS-CIPHER", e->tls_cipher);
	if (e->show_tls_peer)
		put_item(b, "TLS-PEER-CN1", e->tls_cipher ? e->tls_peer : NULL);
	put_flags(b, e->rhost_flags);
	buf_puts(b, ")\n");
}

/* The comment twin of rcvdfrom carries everything, whatever the flags
 * (ZMailer opens no parenthesis here but closes one). */
static void
put_rcvdcomment(struct buf *b, const struct envelope *e)
{
	buf_puts(b, "comment ");
	put_rhost(b, e, (size_t)-1);
	buf_putc(b, ' ');
	put_addr(b, e);
	put_quoted(b, e->helo_line);
	if (e->whoson != NULL)
		put_item(b, "whoson", e->whoson);
	put_item(b, "smtp-auth", e->auth_user);
	put_item(b, "TLS-CIPHER", e->tls_cipher);
	put_item(b, "TLS-PEER", e->tls_cipher ? e->tls_peer : NULL);
	put_flags(b, e->rhost_flags);
	buf_puts(b, ")\n");
}

/* external, smtp-auth comment, rcvdfrom and its comment. */
static void
put_origin(struct buf *b, const struct envelope *e)
{
	if (e->external)
		buf_puts(b, "external\n");
	if (e->auth_user != NULL) {
		buf_puts(b, "comment smtp-auth: ");
		put_quoted(b, e->auth_user);
		buf_putc(b, '\n');
	}
	if (e->external) {
		put_rcvdfrom(b, e);
		put_rcvdcomment(b, e);
	}
}

/* bodytype, with, identinfo, from, freeze, envid, notaryret. */
static void
put_sender(struct buf *b, const struct envelope *e)
{
	if (e->bodytype != NULL)
		buf_printf(b, "bodytype %s\n", e->bodytype);
	buf_printf(b, "with %s\n", e->with ? e->with : "SMTP");
	if (e->identinfo != NULL) {
		buf_puts(b, "identinfo ");
		put_escaped(b, e->identinfo, (size_t)-1);
		buf_putc(b, '\n');
	}
	if (e->from == NULL || *e->from == '\0')
		buf_puts(b, "channel error\n");
	else
		buf_printf(b, "from <%s>\n", e->from);
	if (e->freeze > 0)
		buf_puts(b, "comment policytest() reported freeze state\n");
	if (e->envid != NULL)
		buf_printf(b, "envid %s\n", e->envid);
	if (e->notaryret != NULL)
		buf_printf(b, "notaryret %s\n", e->notaryret);
}

/* 1 if the comma list s names word (any case). */
static int
has_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	while (s != NULL && *s) {
		if (strncasecmp(s, word, n) == 0 && (s[n] == ',' || !s[n]))
			return 1;
		s = strchr(s, ',');
		s = s ? s + 1 : NULL;
	}
	return 0;
}

/* 1 if the BY= value "<time>;<flags>" has flag c (R, N, T). */
static int
by_flag(const char *by, int c)
{
	const char *f = by ? strchr(by, ';') : NULL;

	return f != NULL && strchr(f + 1, c) != NULL;
}

/* " NOTIFY=..." with the RFC 2852 additions, then " BY=...". */
static void
put_notify(struct buf *b, const struct env_rcpt *rc)
{
	if (rc->notify == NULL) {
		buf_puts(b, " NOTIFY=FAILURE,DELAY");
	} else {
		buf_printf(b, " NOTIFY=%s", rc->notify);
		if (!has_word(rc->notify, "NEVER") &&
		    !has_word(rc->notify, "DELAY") && by_flag(rc->by, 'N'))
			buf_puts(b, ",DELAY");
	}
	if (by_flag(rc->by, 'T'))
		buf_puts(b, ",TRACE");
	if (rc->by != NULL)
		buf_printf(b, " BY=%s", rc->by);
}

/* todsn, to, and the freeze comment of one accepted recipient. */
static void
put_rcpt(struct buf *b, const struct envelope *e, const struct env_rcpt *rc)
{
	buf_puts(b, "todsn");
	put_notify(b, rc);
	if (rc->orcpt != NULL) {
		buf_printf(b, " ORCPT=%s", rc->orcpt);
	} else {
		buf_puts(b, " ORCPT=rfc822;");
		put_xtext(b, rc->addr);
	}
	buf_puts(b, " INRCPT=rfc822;");
	put_xtext(b, rc->addr);
	buf_puts(b, " INFROM=rfc822;");
	put_xtext(b, e->from);
	buf_printf(b, "\nto <%s>\n", rc->addr ? rc->addr : "");
	if (rc->freeze > 0)
		buf_printf(b, "comment policytest() reported freeze state %d\n",
		    rc->freeze);
}

static int
set_err(char *err, size_t errlen, const char *what, size_t i)
{
	if (err == NULL || errlen == 0)
		return -1;
	if (i == (size_t)-1)
		snprintf(err, errlen, "control character in envelope %s", what);
	else
		snprintf(err, errlen, "control character in envelope %s #%zu",
		    what, i);
	return -1;
}

int
envelope_check(const struct envelope *e, char *err, size_t errlen)
{
	const struct env_rcpt *rc;
	size_t i, none = (size_t)-1;

	if (has_bad(e->from, 0))
		return set_err(err, errlen, "sender", none);
	if (has_bad(e->ip, 1) || has_bad(e->bodytype, 1) || has_bad(e->with, 1))
		return set_err(err, errlen, "ip/bodytype/with", none);
	if (has_bad(e->envid, 1) || has_bad(e->notaryret, 1))
		return set_err(err, errlen, "ENVID/RET", none);
	for (i = 0; i < e->nrcpts; i++) {
		rc = &e->rcpts[i];
		if (rc->addr == NULL || has_bad(rc->addr, 0))
			return set_err(err, errlen, "recipient", i);
		if (has_bad(rc->notify, 1) || has_bad(rc->orcpt, 1) ||
		    has_bad(rc->by, 1))
			return set_err(err, errlen, "DSN of recipient", i);
	}
	for (i = 0; i < e->nrejected; i++)
		if (e->rejected[i] == NULL || has_bad(e->rejected[i], 0))
			return set_err(err, errlen, "rejected recipient", i);
	return 0;
}

/* The text of a finished b (its length in *len) for the caller to free,
 * or NULL with errno ENOMEM when an append failed; b is spent. */
static char *
take_text(struct buf *b, size_t *len)
{
	if (buf_failed(b)) {
		buf_free(b);
		errno = ENOMEM;
		return NULL;
	}
	if (len != NULL)
		*len = b->len;
	return b->data;
}

char *
envelope_format(const struct envelope *e, size_t *len)
{
	struct buf b;
	size_t i;

	if (envelope_check(e, NULL, 0) < 0) {
		errno = EINVAL;
		return NULL;
	}
	buf_init(&b, ENVELOPE_MAX);
	put_origin(&b, e);
	put_sender(&b, e);
	for (i = 0; i < e->nrcpts; i++)
		put_rcpt(&b, e, &e->rcpts[i]);
	for (i = 0; i < e->nrejected; i++)
		buf_printf(&b, "comment policytest() rejected rcptaddr: <%s>\n",
		    e->rejected[i]);
	buf_puts(&b, "env-end\n");
	return take_text(&b, len);
}

/* 1 if s is a host name or address literal that is safe in a header. */
static int
is_hosttoken(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (s == NULL || *s == '\0' || strlen(s) > 255)
		return 0;
	for (; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && strchr(".-_:[]", *p) == NULL)
			return 0;
	return 1;
}

/* The argument of the whole HELO/EHLO line into out ("" if none). */
static void
helo_arg(const char *line, char *out, size_t outlen)
{
	size_t n = 0;

	out[0] = '\0';
	if (line == NULL)
		return;
	line += strcspn(line, " \t");
	line += strspn(line, " \t");
	n = strcspn(line, " \t\r\n");
	if (n < outlen)
		snprintf(out, outlen, "%.*s", (int)n, line);
}

/* RFC 3848 keyword for ZMailer's "with" value. */
static const char *
with_keyword(const char *with)
{
	static const char *const map[][2] = {
		{ "SUBMIT", "ESMTP" },
		{ "SUBMITA", "ESMTPA" },
		{ "SUBMITS", "ESMTPS" },
		{ "SUBMITSA", "ESMTPSA" },
		{ "BSMTP", "SMTP" },
	};
	size_t i;

	if (with == NULL || !is_hosttoken(with))
		return "SMTP";
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(with, map[i][0]) == 0)
			return map[i][1];
	return with;
}

/* RFC 5322 date-time in local time with a numeric zone. */
static void
put_date(struct buf *b, time_t t)
{
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
		"Fri", "Sat" };
	static const char *const mo[] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	long off;

	if (localtime_r(&t, &tm) == NULL) {
		buf_fail(b);
		return;
	}
	off = tm.tm_gmtoff / 60;
	buf_printf(b, "%s, %d %s %04d %02d:%02d:%02d %c%02ld%02ld",
	    wd[tm.tm_wday], tm.tm_mday, mo[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
	    labs(off) / 60, labs(off) % 60);
}

/* "from <helo> (<rhost> [ip])" + fold, or nothing when nothing known. */
static void
put_from_clause(struct buf *b, const struct envelope *e)
{
	char helo[256], lit[128];
	int named = is_hosttoken(e->rhost) && e->rhost[0] != '[';
	int hasip = e->ip != NULL && *e->ip && is_hosttoken(e->ip);

	helo_arg(e->helo_line, helo, sizeof(helo));
	snprintf(lit, sizeof(lit), "[%s%s]", e->ipv6 ? "IPv6:" : "",
	    hasip ? e->ip : "");
	if (!is_hosttoken(helo))
		snprintf(helo, sizeof(helo), "%s",
		    named       ? e->rhost
		        : hasip ? lit
		                : "");
	if (helo[0] == '\0')
		return;
	buf_printf(b, "from %s", helo);
	if (hasip)
		buf_printf(b, " (%s%s%s)", named ? e->rhost : "",
		    named ? " " : "", lit);
	buf_puts(b, "\n\t");
}

char *
envelope_received(const struct envelope *e, const char *myhostname,
    const char *id, size_t *len)
{
	struct buf b;

	buf_init(&b, 4096);
	buf_puts(&b, "Received: ");
	put_from_clause(&b, e);
	buf_printf(&b, "by %s with %s id %s",
	    is_hosttoken(myhostname) ? myhostname : "localhost",
	    with_keyword(e->with), id ? id : "");
	if (e->nrcpts == 1 && e->rcpts[0].addr != NULL &&
	    !has_bad(e->rcpts[0].addr, 0))
		buf_printf(&b, "\n\tfor <%s>", e->rcpts[0].addr);
	buf_puts(&b, "; ");
	put_date(&b, e->when);
	buf_putc(&b, '\n');
	return take_text(&b, len);
}
