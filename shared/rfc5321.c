/*
 * rfc5321.c - RFC 5321 paths, HELO names and address literals (rfc5321.h).
 * For MAIL FROM/RCPT TO arguments and HELO names; not for RFC 5322 header
 * addresses, nor the ESMTP parameters after a path (rfc5321_param.c).
 * Input is untrusted and bounded by its length (a NUL byte inside is an
 * error); results are malloc'ed copies, errors a static reason and the
 * column of the fault.
 */
#include "rfc5321.h"
#include "rfc5321_int.h"
#include "buf.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOCAL_MAX 64     /* RFC 5321 4.5.3.1.1 */
#define DOMAIN_MAX 255   /* RFC 5321 4.5.3.1.2 */
#define LABEL_MAX 63     /* RFC 1035 2.3.4 */
#define RFC_PATH_MAX 256 /* RFC 5321 4.5.3.1.3, with the punctuation */

#define E_NUL "NUL character in address"
#define E_8BIT "8-bit characters need SMTPUTF8"
#define E_LABEL "bad domain label"

struct span {
	size_t off, len;
};

struct pctx {
	const unsigned char *s;
	size_t len;
	size_t i;
	unsigned flags;
	struct smtp_path *p;
	int utf8;    /* saw non-ASCII */
	int bslash;  /* backslash-quoting in an unquoted local part */
	int quoted;  /* local part is a quoted-string */
	int literal; /* domain is an address literal */
	struct span route, local, domain;
};

static int
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* RFC 5322 atext, ASCII part. */
static int
is_atext(int c)
{
	return is_letdig(c) || (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* c is one of the terminators in terms (never NUL). */
static int
is_term(const char *terms, int c)
{
	return c != 0 && strchr(terms, c) != NULL;
}

/*
 * Length of the well-formed UTF-8 sequence at s[i] (RFC 3629), 0 when
 * malformed: bad lead, short, overlong, surrogate or above U+10FFFF.
 */
static size_t
utf8_seq(const unsigned char *s, size_t len, size_t i)
{
	unsigned c = s[i], lo = 0x80, hi = 0xbf;
	size_t n, k;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0; /* overlong */
	else if (c == 0xed)
		hi = 0x9f; /* surrogates */
	else if (c == 0xf0)
		lo = 0x90; /* overlong */
	else if (c == 0xf4)
		hi = 0x8f; /* > U+10FFFF */
	if (len - i < n)
		return 0;
	if (s[i + 1] < lo || s[i + 1] > hi)
		return 0;
	for (k = 2; k < n; k++)
		if (s[i + k] < 0x80 || s[i + k] > 0xbf)
			return 0;
	return n;
}

static int
perr(struct pctx *c, size_t col, const char *why)
{
	c->p->err = why;
	c->p->errcol = col;
	return -1;
}

/* Error at c->i: NUL and 8-bit bytes get their own reason, else why. */
static int
stop_err(struct pctx *c, const char *why)
{
	if (c->i < c->len && c->s[c->i] == '\0')
		why = E_NUL;
	else if (c->i < c->len && c->s[c->i] >= 0x80 &&
	    !(c->flags & RFC5321_UTF8))
		why = E_8BIT;
	else if (c->i < c->len && c->s[c->i] >= 0x80 &&
	    utf8_seq(c->s, c->len, c->i) == 0)
		why = "malformed UTF-8";
	return perr(c, c->i, why);
}

/* Consume one UTF-8 character at c->i, if SMTPUTF8 allows it. */
static int
eat_utf8(struct pctx *c)
{
	size_t n = 0;

	if (c->flags & RFC5321_UTF8)
		n = utf8_seq(c->s, c->len, c->i);
	if (n == 0)
		return stop_err(c, E_8BIT);
	c->i += n;
	c->utf8 = 1;
	return 0;
}

static void
skip_blanks(struct pctx *c)
{
	while (c->i < c->len && is_blank(c->s[c->i]))
		c->i++;
}

/*
 * A Domain (RFC 5321 4.1.2) at c->i, ended by end of input or a byte in
 * terms.  Labels: letters, digits, inner hyphens (U-labels with UTF8).
 */
static int
domain(struct pctx *c, const char *terms, struct span *sp)
{
	size_t start = c->i, lstart = c->i;
	int ch, last = 0;

	for (; c->i < c->len; last = ch) {
		ch = c->s[c->i];
		if (ch == '.') {
			if (c->i == lstart || last == '-')
				return perr(c, c->i - (last == '-'), E_LABEL);
			lstart = ++c->i;
			continue;
		}
		if (ch >= 0x80) {
			if (eat_utf8(c) < 0)
				return -1;
		} else if (is_letdig(ch) || (ch == '-' && c->i > lstart)) {
			c->i++;
		} else {
			break;
		}
		if (c->i - lstart > LABEL_MAX)
			return perr(c, lstart + LABEL_MAX,
			    "domain label longer than 63 octets");
	}
	if (c->i < c->len && !is_term(terms, c->s[c->i]))
		return stop_err(c, E_LABEL);
	if (c->i == start)
		return perr(c, c->i, "missing domain");
	if (c->i == lstart || last == '-')
		return perr(c, c->i - 1, E_LABEL);
	if (c->i - start > DOMAIN_MAX)
		return perr(
		    c, start + DOMAIN_MAX, "domain longer than 255 octets");
	sp->off = start;
	sp->len = c->i - start;
	return 0;
}

/* RFC 5321 dtext: %d33-90 / %d94-126. */
static int
is_dtext(int c)
{
	return c >= 33 && c <= 126 && c != '[' && c != '\\' && c != ']';
}

/* Ldh-str as a general address literal's Standardized-tag. */
static int
ldh_valid(const unsigned char *s, size_t n)
{
	size_t k;

	if (n == 0 || !is_letdig(s[0]) || !is_letdig(s[n - 1]))
		return 0;
	for (k = 1; k + 1 < n; k++)
		if (!is_letdig(s[k]) && s[k] != '-')
			return 0;
	return 1;
}

/* inet_pton over a bounded, NUL-free span. */
static int
ip_valid(int af, const unsigned char *s, size_t n)
{
	char tmp[INET6_ADDRSTRLEN + 1];
	unsigned char bin[16];

	if (n >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return inet_pton(af, tmp, bin) == 1;
}

#define E_LITIP "address literal is not a valid IPv4/IPv6 address"

/* Check "[...]" of n bytes; NULL when fine, else the reason. */
static const char *
literal_why(const unsigned char *s, size_t n)
{
	const unsigned char *body, *colon;
	size_t k, blen;

	if (n < 3 || s[0] != '[' || s[n - 1] != ']')
		return "bad address literal";
	body = s + 1;
	blen = n - 2;
	for (k = 0; k < blen; k++)
		if (!is_dtext(body[k]))
			return "bad character in address literal";
	colon = memchr(body, ':', blen);
	if (colon == NULL)
		return ip_valid(AF_INET, body, blen) ? NULL : E_LITIP;
	k = (size_t)(colon - body);
	if (k == 4 && strncasecmp((const char *)body, "IPv6", 4) == 0)
		return ip_valid(AF_INET6, colon + 1, blen - 5) ? NULL : E_LITIP;
	if (!ldh_valid(body, k))
		return "bad address literal tag";
	if (k + 1 == blen)
		return "empty address literal";
	return NULL;
}

/* An address literal at c->i ('['), ended by end of input or terms. */
static int
literal(struct pctx *c, const char *terms, struct span *sp)
{
	size_t start = c->i;
	const char *why;

	for (c->i++; c->i < c->len && c->s[c->i] != ']'; c->i++)
		if (!is_dtext(c->s[c->i]))
			return stop_err(c, "bad character in address literal");
	if (c->i >= c->len)
		return perr(c, start, "unterminated address literal");
	c->i++;
	if ((why = literal_why(c->s + start, c->i - start)) != NULL)
		return perr(c, start, why);
	if (c->i < c->len && !is_term(terms, c->s[c->i]))
		return stop_err(c, "junk after address literal");
	sp->off = start;
	sp->len = c->i - start;
	c->literal = 1;
	return 0;
}

/* A-d-l ":" (RFC 5321 4.1.2) at c->i ('@'); the span excludes ':'. */
static int
route(struct pctx *c)
{
	struct span d;

	c->route.off = c->i;
	for (;;) {
		if (c->i >= c->len || c->s[c->i] != '@')
			return stop_err(c, "bad source route");
		c->i++;
		if (domain(c, ",:", &d) < 0)
			return -1;
		if (c->i >= c->len)
			return perr(c, c->i, "bad source route");
		if (c->s[c->i++] == ':')
			break;
	}
	c->route.len = c->i - 1 - c->route.off;
	return 0;
}

/* Quoted-string (RFC 5321 4.1.2, RFC 6531 3.3) at c->i ('"'). */
static int
quoted_string(struct pctx *c)
{
	size_t start = c->i;
	int ch;

	for (c->i++; c->i < c->len;) {
		ch = c->s[c->i];
		if (ch == '"') {
			c->i++;
			c->quoted = 1;
			return 0;
		}
		if (ch == '\\') {
			if (c->i + 1 >= c->len)
				break;
			c->i++;
			if (c->s[c->i] < 32 || c->s[c->i] > 126)
				return stop_err(c, "bad quoted-pair");
			c->i++;
		} else if (ch >= 0x80) {
			if (eat_utf8(c) < 0)
				return -1;
		} else if (ch < 32 || ch == 127) {
			return stop_err(
			    c, "control character in quoted string");
		} else {
			c->i++;
		}
	}
	return perr(c, start, "unbalanced quote");
}

/*
 * Dot-string at c->i.  ZMailer quirk: quoted-pairs are accepted here too;
 * the local part is then rewritten as a quoted-string.
 */
static int
dot_string(struct pctx *c)
{
	size_t atom = 0;
	int ch;

	while (c->i < c->len) {
		ch = c->s[c->i];
		if (ch == '.') {
			if (atom == 0)
				return perr(
				    c, c->i, "empty atom in local part");
			atom = 0;
			c->i++;
			continue;
		}
		if (ch == '\\') {
			c->i++;
			if (c->i >= c->len || c->s[c->i] < 32 ||
			    c->s[c->i] > 126)
				return stop_err(c, "bad quoted-pair");
			c->i++;
			c->bslash = 1;
		} else if (ch >= 0x80) {
			if (eat_utf8(c) < 0)
				return -1;
		} else if (is_atext(ch)) {
			c->i++;
		} else {
			break;
		}
		atom++;
	}
	if (c->i < c->len && !is_term("@> \t", c->s[c->i]))
		return stop_err(c, "bad character in local part");
	if (atom == 0 && c->i > c->local.off)
		return perr(c, c->i - 1, "empty atom in local part");
	if (atom == 0)
		return perr(c, c->i, "missing local part");
	return 0;
}

/* Is the local part exactly "postmaster" (any case)? */
static int
is_postmaster(const struct pctx *c)
{
	return !c->quoted && !c->bslash && c->local.len == 10 &&
	    strncasecmp((const char *)c->s + c->local.off, "postmaster", 10) ==
	    0;
}

/* Mailbox = Local-part ["@" (Domain / address-literal)] at c->i. */
static int
mailbox(struct pctx *c, const char *terms)
{
	int need;

	c->local.off = c->i;
	if (c->i < c->len && c->s[c->i] == '"') {
		if (quoted_string(c) < 0)
			return -1;
		if (c->i < c->len && !is_term("@> \t", c->s[c->i]))
			return stop_err(c, "junk after quoted string");
	} else if (dot_string(c) < 0) {
		return -1;
	}
	c->local.len = c->i - c->local.off;
	if (c->local.len > LOCAL_MAX)
		return perr(c, c->local.off + LOCAL_MAX,
		    "local part longer than 64 octets");
	if (c->i < c->len && c->s[c->i] == '@') {
		c->i++;
		if (c->i < c->len && c->s[c->i] == '[')
			return literal(c, terms, &c->domain);
		return domain(c, terms, &c->domain);
	}
	need = (c->flags & (RFC5321_NEED_DOMAIN | RFC5321_STRICT)) ||
	    c->route.len > 0;
	if (need &&
	    !(is_postmaster(c) && (c->flags & RFC5321_POSTMASTER) &&
	        c->route.len == 0))
		return perr(c, c->i, "missing @domain");
	return 0;
}

/* Append the local part, rewriting backslash-quoting as a quoted-string
 * (a failure sticks in b). */
static void
put_local(const struct pctx *c, struct buf *b)
{
	const unsigned char *s = c->s + c->local.off;
	size_t k;

	if (!c->bslash) {
		buf_append(b, s, c->local.len);
		return;
	}
	buf_putc(b, '"');
	for (k = 0; k < c->local.len; k++) {
		if (s[k] == '\\')
			k++;
		if (s[k] == '"' || s[k] == '\\')
			buf_putc(b, '\\');
		buf_putc(b, s[k]);
	}
	buf_putc(b, '"');
}

/*
 * Fill p->addr and p->route.  The whole path as it is passed on, route
 * included and local part requoted, must fit the 256 octets.
 */
static int
build(struct pctx *c, size_t open)
{
	struct smtp_path *p = c->p;
	struct buf b;
	size_t skip = 0, full;

	buf_init(&b, c->len + 16);
	if (c->route.len > 0) {
		buf_append(&b, c->s + c->route.off, c->route.len);
		buf_putc(&b, ':');
		if (!(c->flags & RFC5321_KEEP_ROUTE))
			skip = b.len;
	}
	full = b.len;
	put_local(c, &b);
	if (!buf_failed(&b) && b.len - full > LOCAL_MAX) {
		buf_free(&b);
		return perr(
		    c, c->local.off, "local part longer than 64 octets");
	}
	if (c->domain.len > 0) {
		buf_putc(&b, '@');
		buf_append(&b, c->s + c->domain.off, c->domain.len);
	}
	if (!buf_failed(&b) && b.len + 2 > RFC_PATH_MAX) {
		buf_free(&b);
		return perr(c,
		    c->i - open > RFC_PATH_MAX ? open + RFC_PATH_MAX : open,
		    "path longer than 256 octets");
	}
	if (!buf_failed(&b))
		p->addr =
		    dup_span((unsigned char *)b.data + skip, b.len - skip);
	buf_free(&b);
	if (p->addr != NULL && c->route.len > 0)
		p->route = dup_span(c->s + c->route.off, c->route.len);
	if (p->addr == NULL || (c->route.len > 0 && p->route == NULL)) {
		rfc5321_path_free(p);
		return perr(c, open, "out of memory");
	}
	return 0;
}

/* "<" at c->i (or not, when SLOPPY); 1 when the path is <>. */
static int
open_path(struct pctx *c, int *bracketed)
{
	size_t k;

	*bracketed = c->i < c->len && c->s[c->i] == '<';
	if (!*bracketed) {
		if (c->flags & RFC5321_SLOPPY && !(c->flags & RFC5321_STRICT))
			return 0;
		return stop_err(c, "missing '<'");
	}
	c->i++;
	if (c->i < c->len && c->s[c->i] == '<')
		return perr(c, c->i, "too many '<'");
	for (k = c->i; !(c->flags & RFC5321_STRICT) && k < c->len; k++)
		if (!is_blank(c->s[k]))
			break;
	if (k < c->len && c->s[k] == '>') {
		if (!(c->flags & RFC5321_ALLOW_NULL))
			return perr(c, c->i - 1, "null address not allowed");
		c->i = k + 1;
		return 1;
	}
	if (c->flags & RFC5321_SLOPPY && !(c->flags & RFC5321_STRICT))
		skip_blanks(c);
	return 0;
}

/* ">" after the mailbox (blanks before it unless STRICT). */
static int
close_path(struct pctx *c, int bracketed)
{
	size_t after = c->i;

	if (!(c->flags & RFC5321_STRICT))
		skip_blanks(c);
	if (!bracketed) {
		if (c->i < c->len && c->s[c->i] == '>')
			return perr(c, c->i, "missing '<'");
		c->i = after;
		return 0;
	}
	if (c->i >= c->len)
		return perr(c, c->i, "missing '>'");
	if (c->s[c->i] != '>')
		return stop_err(c, "junk after address");
	c->i++;
	return 0;
}

static int
path_parse(struct pctx *c)
{
	size_t open;
	int bracketed, r;

	if (!(c->flags & RFC5321_STRICT))
		skip_blanks(c);
	open = c->i;
	if ((r = open_path(c, &bracketed)) != 0)
		return r < 0 ? -1 : 1;
	if (c->i < c->len && c->s[c->i] == '@' && route(c) < 0)
		return -1;
	if (mailbox(c, bracketed ? "> \t" : " \t>") < 0)
		return -1;
	if (close_path(c, bracketed) < 0)
		return -1;
	return build(c, open);
}

int
rfc5321_path(const char *s, size_t len, unsigned flags, struct smtp_path *p)
{
	struct pctx c;
	int r;

	memset(p, 0, sizeof(*p));
	memset(&c, 0, sizeof(c));
	c.s = (const unsigned char *)s;
	c.len = len;
	c.flags = flags;
	c.p = p;
	r = path_parse(&c);
	if (r < 0)
		return -1;
	if (r == 1) {
		p->null = 1;
		p->addr = dup_span(c.s, 0);
		if (p->addr == NULL)
			return perr(&c, 0, "out of memory");
	} else {
		p->postmaster = c.domain.len == 0 && is_postmaster(&c);
		p->utf8 = c.utf8;
		p->literal = c.literal;
	}
	p->end = c.i;
	return 0;
}

void
rfc5321_path_free(struct smtp_path *p)
{
	free(p->addr);
	free(p->route);
	p->addr = NULL;
	p->route = NULL;
}

int
rfc5321_literal_valid(const char *s, size_t len)
{
	if (s == NULL || memchr(s, '\0', len) != NULL)
		return -1;
	return literal_why((const unsigned char *)s, len) == NULL ? 0 : -1;
}

int
rfc5321_helo_valid(const char *s, const char **why)
{
	struct smtp_path p;
	struct pctx c;
	const char *w = NULL;
	struct span sp;

	memset(&c, 0, sizeof(c));
	memset(&p, 0, sizeof(p));
	c.s = (const unsigned char *)(s != NULL ? s : "");
	c.len = strlen((const char *)c.s);
	c.p = &p;
	if (c.len == 0)
		w = "missing domain";
	else if (c.s[0] == '[')
		w = literal_why(c.s, c.len);
	else if (domain(&c, "", &sp) < 0)
		w = p.err;
	if (why != NULL)
		*why = w;
	return w == NULL ? 0 : -1;
}
