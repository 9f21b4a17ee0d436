/* rfc5321_test.c - paths, ESMTP parameters, NOTIFY, ORCPT, HELO, literals. */
#include "rfc5321.h"
#include "tap.h"

#include <stdlib.h>

#define ST RFC5321_STRICT
#define SL RFC5321_SLOPPY
#define U8 RFC5321_UTF8
#define KR RFC5321_KEEP_ROUTE
#define ND RFC5321_NEED_DOMAIN
#define AN RFC5321_ALLOW_NULL
#define PM RFC5321_POSTMASTER

#define B_NULL 1
#define B_PM 2
#define B_UTF8 4
#define B_LIT 8

#define END ((size_t)-1) /* p->end is the input length */

#define E_8BIT "8-bit characters need SMTPUTF8"
#define E_LIT "address literal is not a valid IPv4/IPv6 address"
#define E_LABEL "bad domain label"

/*
 * addr NULL: the parse must fail with err x at column col.  Else it must
 * succeed with addr, route x, end col and the B_* bits.
 */
struct pcase {
	const char *in;
	size_t len; /* 0: strlen(in) */
	unsigned flags;
	const char *addr;
	const char *x;
	size_t col;
	unsigned bits;
};

static const struct pcase pcases[] = {
	/* plain and surrounded */
	{ "<user@example.com>", 0, 0, "user@example.com", NULL, END, 0 },
	{ "  <u@example.com> SIZE=10", 0, 0, "u@example.com", NULL, 17, 0 },
	{ "<User.Name+tag@Sub.Ex-1.COM>", 0, 0, "User.Name+tag@Sub.Ex-1.COM",
	    NULL, END, 0 },
	{ "<a.b.c@x1-2.y>", 0, 0, "a.b.c@x1-2.y", NULL, END, 0 },
	{ "<u@d.org>x", 0, 0, "u@d.org", NULL, 9, 0 },
	{ "<u@d.org  >", 0, 0, "u@d.org", NULL, END, 0 },
	{ "<u@1.2.3.4>", 0, 0, "u@1.2.3.4", NULL, END, 0 },
	{ "", 0, 0, NULL, "missing '<'", 0, 0 },
	{ "user@d.org", 0, 0, NULL, "missing '<'", 0, 0 },
	{ "  user@d.org", 0, 0, NULL, "missing '<'", 2, 0 },
	{ "<", 0, 0, NULL, "missing local part", 1, 0 },
	{ "<<u@d.org>>", 0, 0, NULL, "too many '<'", 1, 0 },
	{ "<u@d.org", 0, 0, NULL, "missing '>'", 8, 0 },
	{ "<u@d.org x>", 0, 0, NULL, "junk after address", 9, 0 },
	{ "< u@d.org>", 0, 0, NULL, "missing local part", 1, 0 },
	/* null path */
	{ "<>", 0, AN, "", NULL, 2, B_NULL },
	{ "< > SIZE=1", 0, AN, "", NULL, 3, B_NULL },
	{ "<>", 0, 0, NULL, "null address not allowed", 0, 0 },
	{ "< >", 0, ST | AN, NULL, "missing local part", 1, 0 },
	/* STRICT */
	{ "<u@d.org>", 0, ST, "u@d.org", NULL, END, 0 },
	{ " <u@d.org>", 0, ST, NULL, "missing '<'", 0, 0 },
	{ "<u@d.org >", 0, ST, NULL, "junk after address", 8, 0 },
	{ "<user>", 0, ST, NULL, "missing @domain", 5, 0 },
	{ "u@d.org", 0, ST | SL, NULL, "missing '<'", 0, 0 },
	/* SLOPPY */
	{ "user@d.org SIZE=1", 0, SL, "user@d.org", NULL, 10, 0 },
	{ "  user@d.org", 0, SL, "user@d.org", NULL, END, 0 },
	{ "<  u@d.org  >", 0, SL, "u@d.org", NULL, END, 0 },
	{ "u@d.org>", 0, SL, NULL, "missing '<'", 7, 0 },
	{ "<u@d.org", 0, SL, NULL, "missing '>'", 8, 0 },
	/* local parts */
	{ "<\"john doe\"@example.com>", 0, 0, "\"john doe\"@example.com", NULL,
	    END, 0 },
	{ "<\"a\\\"b\\\\c\"@x.org>", 0, 0, "\"a\\\"b\\\\c\"@x.org", NULL, END,
	    0 },
	{ "<\"\"@x.org>", 0, 0, "\"\"@x.org", NULL, END, 0 },
	{ "<\"abc@d.org>", 0, 0, NULL, "unbalanced quote", 1, 0 },
	{ "<\"ab\\", 0, 0, NULL, "unbalanced quote", 1, 0 },
	{ "<\"ab\"c@x>", 0, 0, NULL, "junk after quoted string", 5, 0 },
	{ "<\"a\001b\"@x>", 0, 0, NULL, "control character in quoted string", 3,
	    0 },
	{ "<\"a\\\001\"@x>", 0, 0, NULL, "bad quoted-pair", 4, 0 },
	{ "<a..b@d.org>", 0, 0, NULL, "empty atom in local part", 3, 0 },
	{ "<.a@d.org>", 0, 0, NULL, "empty atom in local part", 1, 0 },
	{ "<a.@d.org>", 0, 0, NULL, "empty atom in local part", 2, 0 },
	{ "<a,b@d.org>", 0, 0, NULL, "bad character in local part", 2, 0 },
	{ "<a(b)@d.org>", 0, 0, NULL, "bad character in local part", 2, 0 },
	/* ZMailer: backslash-quoting becomes a quoted-string */
	{ "<foo\\ bar@x.org>", 0, 0, "\"foo bar\"@x.org", NULL, END, 0 },
	{ "<a\\\"b@x.org>", 0, 0, "\"a\\\"b\"@x.org", NULL, END, 0 },
	{ "<a\\@b@x.org>", 0, 0, "\"a@b\"@x.org", NULL, END, 0 },
	{ "<a\\\\.b@x>", 0, 0, "\"a\\\\.b\"@x", NULL, END, 0 },
	{ "<a\\", 0, 0, NULL, "bad quoted-pair", 3, 0 },
	/* bare local part, postmaster, NEED_DOMAIN */
	{ "<user>", 0, 0, "user", NULL, END, 0 },
	{ "<postmaster>", 0, 0, "postmaster", NULL, END, B_PM },
	{ "<PostMaster>", 0, ST | PM, "PostMaster", NULL, END, B_PM },
	{ "<postmaster>", 0, ND | PM, "postmaster", NULL, END, B_PM },
	{ "<postmaster@d.org>", 0, ND | PM, "postmaster@d.org", NULL, END, 0 },
	{ "<postmaster>", 0, ND, NULL, "missing @domain", 11, 0 },
	{ "<user>", 0, ND | PM, NULL, "missing @domain", 5, 0 },
	{ "<\"postmaster\">", 0, ND | PM, NULL, "missing @domain", 13, 0 },
	/* source routes */
	{ "<@a.net,@b.net:u@d.org>", 0, 0, "u@d.org", "@a.net,@b.net", END, 0 },
	{ "<@a.net,@b.net:u@d.org>", 0, KR, "@a.net,@b.net:u@d.org",
	    "@a.net,@b.net", END, 0 },
	{ "<@a.net:u@d.org>", 0, 0, "u@d.org", "@a.net", END, 0 },
	{ "<@a.net:user>", 0, 0, NULL, "missing @domain", 12, 0 },
	{ "<@a.net:postmaster>", 0, PM, NULL, "missing @domain", 18, 0 },
	{ "<@a.net,u@d.org>", 0, 0, NULL, "bad source route", 8, 0 },
	{ "<@a_b:u@d>", 0, 0, NULL, E_LABEL, 3, 0 },
	{ "<@a.net", 0, 0, NULL, "bad source route", 7, 0 },
	/* domains */
	{ "<u@-d.org>", 0, 0, NULL, E_LABEL, 3, 0 },
	{ "<u@d-.org>", 0, 0, NULL, E_LABEL, 4, 0 },
	{ "<u@d.org.>", 0, 0, NULL, E_LABEL, 8, 0 },
	{ "<u@d..org>", 0, 0, NULL, E_LABEL, 5, 0 },
	{ "<u@d_x.org>", 0, 0, NULL, E_LABEL, 4, 0 },
	{ "<u@d.org->", 0, 0, NULL, E_LABEL, 8, 0 },
	{ "<u@>", 0, 0, NULL, "missing domain", 3, 0 },
	/* address literals */
	{ "<u@[192.0.2.1]>", 0, 0, "u@[192.0.2.1]", NULL, END, B_LIT },
	{ "<u@[IPv6:2001:db8::1]>", 0, 0, "u@[IPv6:2001:db8::1]", NULL, END,
	    B_LIT },
	{ "<u@[ipv6:::ffff:192.0.2.1]>", 0, 0, "u@[ipv6:::ffff:192.0.2.1]",
	    NULL, END, B_LIT },
	{ "<u@[x-tag:some-content]>", 0, 0, "u@[x-tag:some-content]", NULL, END,
	    B_LIT },
	{ "<u@[1.2.3.256]>", 0, 0, NULL, E_LIT, 3, 0 },
	{ "<u@[01.2.3.4]>", 0, 0, NULL, E_LIT, 3, 0 },
	{ "<u@[1.2.3]>", 0, 0, NULL, E_LIT, 3, 0 },
	{ "<u@[IPv6:2001:db8::g]>", 0, 0, NULL, E_LIT, 3, 0 },
	{ "<u@[IPv6:1.2.3.4]>", 0, 0, NULL, E_LIT, 3, 0 },
	{ "<u@[foo]>", 0, 0, NULL, E_LIT, 3, 0 },
	{ "<u@[]>", 0, 0, NULL, "bad address literal", 3, 0 },
	{ "<u@[-bad:x]>", 0, 0, NULL, "bad address literal tag", 3, 0 },
	{ "<u@[tag:]>", 0, 0, NULL, "empty address literal", 3, 0 },
	{ "<u@[1.2.3.4>", 0, 0, NULL, "unterminated address literal", 3, 0 },
	{ "<u@[1.2\\.3.4]>", 0, 0, NULL, "bad character in address literal", 7,
	    0 },
	{ "<u@[1.2.3.4]x>", 0, 0, NULL, "junk after address literal", 12, 0 },
	{ "<u@[\xc3\xa9]>", 0, U8, NULL, "bad character in address literal", 4,
	    0 },
	/* 8-bit and UTF-8 (RFC 6531) */
	{ "<pel\xc3\xa9@x.org>", 0, U8, "pel\xc3\xa9@x.org", NULL, END,
	    B_UTF8 },
	{ "<u@ex\xc3\xa4mple.org>", 0, U8, "u@ex\xc3\xa4mple.org", NULL, END,
	    B_UTF8 },
	{ "<\"\xe6\x97\xa5 \xe6\x9c\xac\"@\xe4\xbe\x8b.jp>", 0, U8,
	    "\"\xe6\x97\xa5 \xe6\x9c\xac\"@\xe4\xbe\x8b.jp", NULL, END,
	    B_UTF8 },
	{ "<\xf0\x9f\x98\x80@x>", 0, U8, "\xf0\x9f\x98\x80@x", NULL, END,
	    B_UTF8 },
	{ "<pel\xc3\xa9@x.org>", 0, 0, NULL, E_8BIT, 4, 0 },
	{ "<u@ex\xc3\xa4mple.org>", 0, 0, NULL, E_8BIT, 5, 0 },
	{ "<\"\xc3\xa9\"@x>", 0, 0, NULL, E_8BIT, 2, 0 },
	{ "<\xc0\xaf@x.org>", 0, U8, NULL, "malformed UTF-8", 1, 0 },
	{ "<\xe0\x80\xaf@x.org>", 0, U8, NULL, "malformed UTF-8", 1, 0 },
	{ "<\xed\xa0\x80@x.org>", 0, U8, NULL, "malformed UTF-8", 1, 0 },
	{ "<a\xe2\x82@x.org>", 0, U8, NULL, "malformed UTF-8", 2, 0 },
	{ "<\xf4\x90\x80\x80@x>", 0, U8, NULL, "malformed UTF-8", 1, 0 },
	{ "<a\x80@x>", 0, U8, NULL, "malformed UTF-8", 2, 0 },
	{ "<u@d.\xff>", 0, U8, NULL, "malformed UTF-8", 5, 0 },
	/* NUL bytes: the length is authoritative */
	{ "<u\0v@x.org>", 11, 0, NULL, "NUL character in address", 2, 0 },
	{ "<u@x\0.org>", 10, 0, NULL, "NUL character in address", 4, 0 },
	{ "<\"a\0\"@x>", 8, 0, NULL, "NUL character in address", 3, 0 },
	{ "<u@x.org>\0junk", 14, 0, "u@x.org", NULL, 9, 0 },
	{ "<u@x.org>", 3, 0, NULL, "missing domain", 3, 0 },
	{ "<u@x.org>", 5, 0, NULL, E_LABEL, 4, 0 },
};

static void
path_case(const struct pcase *t, size_t idx)
{
	struct smtp_path p;
	size_t len = t->len ? t->len : strlen(t->in);
	size_t want_end = t->col == END ? len : t->col;
	unsigned bits;
	int rc, good;

	rc = rfc5321_path(t->in, len, t->flags, &p);
	bits = (p.null ? B_NULL : 0) | (p.postmaster ? B_PM : 0) |
	    (p.utf8 ? B_UTF8 : 0) | (p.literal ? B_LIT : 0);
	if (t->addr == NULL)
		good = rc == -1 && p.err && strcmp(p.err, t->x) == 0 &&
		    p.errcol == t->col && p.addr == NULL && p.route == NULL;
	else
		good = rc == 0 && p.addr && strcmp(p.addr, t->addr) == 0 &&
		    ((!p.route && !t->x) ||
		        (p.route && t->x && strcmp(p.route, t->x) == 0)) &&
		    p.end == want_end && bits == t->bits;
	ok(good, "path %zu %s", idx, t->addr ? "accepted" : t->x);
	if (!good)
		printf("#   rc %d addr '%s' route '%s' err '%s' col %zu "
		       "end %zu bits %u\n",
		    rc, p.addr ? p.addr : "(null)",
		    p.route ? p.route : "(null)", p.err ? p.err : "(null)",
		    p.errcol, p.end, bits);
	rfc5321_path_free(&p);
}

/* Build "<" local "@" labels ">" with the given lengths. */
static char *
mkpath(size_t local, size_t nlabel, size_t label)
{
	size_t n = 3 + local + nlabel * (label + 1), k, o = 0;
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	s[o++] = '<';
	memset(s + o, 'l', local);
	o += local;
	s[o++] = '@';
	for (k = 0; k < nlabel; k++) {
		if (k > 0)
			s[o++] = '.';
		memset(s + o, 'd', label);
		o += label;
	}
	s[o++] = '>';
	s[o] = '\0';
	return s;
}

static void
limit_case(
    size_t local, size_t nlabel, size_t label, const char *err, size_t col)
{
	struct smtp_path p;
	char *s = mkpath(local, nlabel, label);
	int rc = rfc5321_path(s, strlen(s), 0, &p);

	if (err == NULL)
		ok(rc == 0 && p.end == strlen(s), "limits %zu/%zux%zu accepted",
		    local, nlabel, label);
	else
		ok(rc == -1 && strcmp(p.err, err) == 0 && p.errcol == col,
		    "limits %zu/%zux%zu: %s", local, nlabel, label, err);
	if (rc == -1 && (err == NULL || strcmp(p.err, err) || p.errcol != col))
		printf("#   err '%s' col %zu\n", p.err, p.errcol);
	rfc5321_path_free(&p);
	free(s);
}

static void
limits(void)
{
	limit_case(64, 1, 10, NULL, 0);
	limit_case(65, 1, 10, "local part longer than 64 octets", 65);
	limit_case(1, 1, 63, NULL, 0);
	limit_case(1, 1, 64, "domain label longer than 63 octets", 66);
	/* 6 x 42 + 5 dots = 257 */
	limit_case(1, 6, 42, "domain longer than 255 octets", 258);
	/* path: 1 + 62 + 1 + 191 + 1 = 256 fits, one more does not */
	limit_case(62, 3, 63, NULL, 0);
	limit_case(63, 3, 63, "path longer than 256 octets", 256);
}

/* Requoting may grow a local part past 64: the output counts. */
static void
requote_limit(void)
{
	struct smtp_path p;
	char s[80];
	int rc;

	memset(s, 'a', sizeof(s));
	s[0] = '<';
	s[1] = '\\';
	memcpy(s + 65, "@x>", 4);
	rc = rfc5321_path(s, strlen(s), 0, &p);
	ok(rc == -1 && strcmp(p.err, "local part longer than 64 octets") == 0,
	    "requoted local part over 64 octets refused");
	rfc5321_path_free(&p);
}

struct qcase {
	const char *in;
	size_t len; /* 0: strlen(in) */
	size_t max;
	int rc;
	const char *want; /* "K=V|K" on success, else the error */
	size_t col;
};

static const struct qcase qcases[] = {
	{ "SIZE=100 BODY=8BITMIME", 0, 4, 2, "SIZE=100|BODY=8BITMIME", 0 },
	{ " size=1   ret=hdrs ", 0, 4, 2, "SIZE=1|RET=hdrs", 0 },
	{ "", 0, 4, 0, "", 0 },
	{ "   ", 0, 0, 0, "", 0 },
	{ "SMTPUTF8", 0, 4, 1, "SMTPUTF8", 0 },
	{ "x-foo=bar 8bit", 0, 4, 2, "X-FOO=bar|8BIT", 0 },
	{ "ORCPT=rfc822;a+2Bb@c", 0, 4, 1, "ORCPT=rfc822;a+2Bb@c", 0 },
	{ "SIZE=1 size=2", 0, 4, -1, "parameter double defined!", 7 },
	{ "-X=1", 0, 4, -1, "bad parameter keyword", 0 },
	{ "SI_ZE=1", 0, 4, -1, "bad parameter keyword", 2 },
	{ "=1", 0, 4, -1, "bad parameter keyword", 0 },
	{ "SIZE=", 0, 4, -1, "empty parameter value", 5 },
	{ "SIZE= BODY=7BIT", 0, 4, -1, "empty parameter value", 5 },
	{ "SIZE=a=b", 0, 4, -1, "bad parameter value", 6 },
	{ "ENVID=\xc3\xa9", 0, 4, -1, "8-bit characters in parameter", 6 },
	{ "A=1 B=2 C=3", 0, 2, -1, "too many parameters", 8 },
	{ "A", 0, 0, -1, "too many parameters", 0 },
	{ "A=1\tB=2", 0, 4, -1, "bad parameter value", 3 },
	{ "A\0=1", 4, 4, -1, "NUL character in parameters", 1 },
	{ "A=1\0", 4, 4, -1, "NUL character in parameters", 3 },
};

static void
param_case(const struct qcase *t, size_t idx)
{
	struct esmtp_param v[4];
	char got[200];
	const char *err = NULL;
	size_t col = 0, k, o = 0;
	size_t len = t->len ? t->len : strlen(t->in);
	int rc;

	rc = rfc5321_params_col(t->in, len, v, t->max, &err, &col);
	got[0] = '\0';
	for (k = 0; rc > 0 && k < (size_t)rc; k++)
		o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%s%s%s",
		    k ? "|" : "", v[k].key, v[k].value ? "=" : "",
		    v[k].value ? v[k].value : "");
	if (rc < 0) {
		ok(rc == t->rc && err && strcmp(err, t->want) == 0 &&
		        col == t->col,
		    "params %zu: %s", idx, t->want);
		if (rc != t->rc || col != t->col || strcmp(err, t->want))
			printf("#   err '%s' col %zu\n", err, col);
	} else {
		ok(rc == t->rc && strcmp(got, t->want) == 0 && err == NULL,
		    "params %zu: '%s'", idx, t->want);
		if (rc != t->rc || strcmp(got, t->want))
			printf("#   rc %d got '%s'\n", rc, got);
		rfc5321_params_free(v, (size_t)rc);
	}
}

struct scase {
	const char *in;
	int rc;
};

static const struct scase notify[] = {
	{ "NEVER", 0 },
	{ "never", 0 },
	{ "SUCCESS", 0 },
	{ "success,Failure,DELAY", 0 },
	{ "DELAY,FAILURE", 0 },
	{ "", -1 },
	{ "NEVER,SUCCESS", -1 },
	{ "SUCCESS,NEVER", -1 },
	{ "SUCCESS,SUCCESS", -1 },
	{ "SUCCESS,", -1 },
	{ ",DELAY", -1 },
	{ "SUCCESS,,DELAY", -1 },
	{ "SUCCES", -1 },
	{ "SUCCESSX", -1 },
	{ "SUCCESS FAILURE", -1 },
};

static const struct scase orcpt[] = {
	{ "rfc822;user@example.com", 0 },
	{ "RFC822;a+2Bb+3Dc@d", 0 },
	{ "utf-8;us\\x{E9}r@x", 0 },
	{ "rfc822;", -1 },
	{ ";a@b", -1 },
	{ "rfc822", -1 },
	{ "rfc 822;a@b", -1 },
	{ "rfc822;a+2b@c", -1 },
	{ "rfc822;a=b", -1 },
	{ "rfc822;a b", -1 },
	{ "rf@c;a", -1 },
};

struct hcase {
	const char *in;
	const char *why; /* NULL: valid */
};

static const struct hcase helo[] = {
	{ "mail.example.com", NULL },
	{ "localhost", NULL },
	{ "[192.0.2.7]", NULL },
	{ "[IPv6:::1]", NULL },
	{ "", "missing domain" },
	{ "mail.example.com.", E_LABEL },
	{ "my_host.example", E_LABEL },
	{ "-a.example", E_LABEL },
	{ "a b", E_LABEL },
	{ "[1.2.3.4", "bad address literal" },
	{ "[300.1.1.1]", E_LIT },
	{ "h\xc3\xa9.example", E_8BIT },
	{ "a.b.", E_LABEL },
	{ "a."
	  "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
	    "domain label longer than 63 octets" },
};

static void
dsn_and_helo(void)
{
	const char *why;
	size_t k;
	int rc;

	for (k = 0; k < sizeof(notify) / sizeof(notify[0]); k++)
		is_int(rfc5321_notify_valid(notify[k].in), notify[k].rc,
		    "NOTIFY=%s", notify[k].in);
	ok(rfc5321_notify_valid(NULL) == -1, "NOTIFY NULL");
	for (k = 0; k < sizeof(orcpt) / sizeof(orcpt[0]); k++)
		is_int(rfc5321_orcpt_valid(orcpt[k].in), orcpt[k].rc,
		    "ORCPT=%s", orcpt[k].in);
	{
		char big[520];

		memcpy(big, "rfc822;", 7);
		memset(big + 7, 'a', sizeof(big) - 8);
		big[500] = '\0';
		ok(rfc5321_orcpt_valid(big) == 0, "ORCPT of 500 accepted");
		big[500] = 'a';
		big[501] = '\0';
		ok(rfc5321_orcpt_valid(big) == -1, "ORCPT of 501 refused");
	}
	for (k = 0; k < sizeof(helo) / sizeof(helo[0]); k++) {
		why = "unset";
		rc = rfc5321_helo_valid(helo[k].in, &why);
		is_str(why, helo[k].why, "HELO %s", helo[k].in);
		is_int(rc, helo[k].why ? -1 : 0, "HELO %s rc", helo[k].in);
	}
	ok(rfc5321_literal_valid("[10.0.0.1]", 10) == 0, "literal IPv4");
	ok(rfc5321_literal_valid("[10.0.0.1]x", 10) == 0, "literal by length");
	ok(rfc5321_literal_valid("[10.0\0.1]", 9) == -1, "literal with NUL");
	ok(rfc5321_literal_valid("10.0.0.1", 8) == -1, "literal no brackets");
}

int
main(void)
{
	size_t k;

	for (k = 0; k < sizeof(pcases) / sizeof(pcases[0]); k++)
		path_case(&pcases[k], k);
	limits();
	requote_limit();
	for (k = 0; k < sizeof(qcases) / sizeof(qcases[0]); k++)
		param_case(&qcases[k], k);
	dsn_and_helo();
	return tap_done();
}
