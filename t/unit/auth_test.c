/*
 * auth_test.c - AUTH mechanics: strict base64 both ways, the PLAIN
 * message split, user name checks, the transcript cut of AUTH lines, and
 * the helper's message codec (sizes checked, trailing bytes refused).
 */
#include "auth.h"
#include "privhelper.h"
#include "smtp.h"
#include "tap.h"

#include <stdlib.h>

static const struct {
	const char *in;
	int ok;
	const char *out;
	size_t outlen;
} b64[] = {
	{ "=", 1, "", 0 },
	{ "YQ==", 1, "a", 1 },
	{ "YWI=", 1, "ab", 2 },
	{ "YWJj", 1, "abc", 3 },
	{ "AGFsaWNlAHNlY3JldA==", 1, "\0alice\0secret", 13 },
	{ "YWJ", 0, NULL, 0 },
	{ "Y===", 0, NULL, 0 },
	{ "YW=j", 0, NULL, 0 },
	{ "!!!!", 0, NULL, 0 },
	{ "YW I", 0, NULL, 0 },
};

static const struct {
	const char *msg;
	size_t len;
	int ok;
	const char *user, *pass;
} plain[] = {
	{ "\0alice\0secret", 13, 1, "alice", "secret" },
	{ "alice\0alice\0secret", 18, 1, "alice", "secret" },
	{ "bob\0alice\0secret", 16, 0, NULL, NULL }, /* acting for bob */
	{ "\0alice\0", 7, 0, NULL, NULL },           /* empty password */
	{ "\0\0secret", 8, 0, NULL, NULL },          /* empty user */
	{ "\0alice", 6, 0, NULL, NULL },             /* one NUL */
	{ "\0alice\0sec\0ret", 14, 0, NULL, NULL },  /* three NULs */
};

static void
test_b64(void)
{
	struct buf b;
	char enc[64];
	size_t i;

	for (i = 0; i < sizeof(b64) / sizeof(b64[0]); i++) {
		int r;

		buf_init(&b, 100);
		r = auth_b64_decode(b64[i].in, strlen(b64[i].in), &b);
		ok((r == 0) == b64[i].ok, "decode '%s' %s", b64[i].in,
		    b64[i].ok ? "ok" : "refused");
		if (b64[i].ok && r == 0) {
			ok(b.len == b64[i].outlen &&
			        memcmp(b.data ? b.data : "", b64[i].out,
			            b.len) == 0,
			    "decode '%s' value", b64[i].in);
			if (b.len) {
				auth_b64_encode(
				    b.data, b.len, enc, sizeof(enc));
				is_str(enc, b64[i].in, "round trip");
			}
		}
		buf_free(&b);
	}
	ok(auth_b64_encode("abcd", 4, enc, 8) < 0, "encode: too small out");
	buf_init(&b, 2);
	ok(auth_b64_decode("YWJj", 4, &b) < 0, "decode past the buffer cap");
	buf_free(&b);
}

static void
test_plain(void)
{
	size_t i;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		const char *u = NULL, *p = NULL;
		char m[64];
		int r;

		memcpy(m, plain[i].msg, plain[i].len);
		m[plain[i].len] = '\0';
		r = auth_plain(m, plain[i].len, &u, &p);
		ok((r == 0) == plain[i].ok, "PLAIN case %zu %s", i,
		    plain[i].ok ? "ok" : "refused");
		if (plain[i].ok && r == 0) {
			is_str(u, plain[i].user, "PLAIN user");
			is_str(p, plain[i].pass, "PLAIN password");
		}
	}
	ok(auth_user_ok("alice@example.org"), "user with @");
	ok(!auth_user_ok("al ice"), "user with a blank");
	ok(!auth_user_ok("al\"ice"), "user with a quote");
	ok(!auth_user_ok(""), "empty user");
	ok(!auth_user_ok("-x"), "user like an option");
	ok(auth_user_ok("a-x"), "user with a dash inside");
	ok(auth_pass_ok("s3cret"), "password");
	ok(!auth_pass_ok("s3cret\nextra"), "password with LF");
	ok(!auth_pass_ok("s3cret\r"), "password with CR");
	ok(!auth_pass_ok(""), "empty password");
	ok(auth_mech("plain", 5) == AUTH_MECH_PLAIN, "mechanism case");
	ok(auth_mech("CRAM-MD5", 8) == AUTH_MECH_NONE, "unknown mechanism");
}

static void
test_loglen(void)
{
	const char *l = "AUTH PLAIN AGFsaWNlAHNlY3JldA==";

	is_int(smtp_auth_loglen(l, strlen(l)), 10, "AUTH cut after mech");
	is_int(smtp_auth_loglen("AUTH LOGIN", 10), 10, "no response: all");
	is_int(smtp_auth_loglen("MAIL FROM:<a>", 13), 13, "other verbs: all");
	is_int(smtp_auth_loglen("AUTHX y", 7), 7, "AUTHX is not AUTH");
}

static void
test_msg(void)
{
	struct ph_msg m, r;
	enum ph_type t;
	uint32_t v;
	char s[16];

	ph_init(&m, PH_AUTH_REQ);
	ph_put_u32(&m, 7);
	ph_put_str(&m, "alice");
	memcpy(r.b, m.b, m.len);
	ok(ph_open(&r, m.len, &t) == 0 && t == PH_AUTH_REQ, "open");
	ok(ph_get_u32(&r, &v) == 0 && v == 7, "u32");
	ok(ph_get_str(&r, s, sizeof(s)) == 0, "str");
	is_str(s, "alice", "str value");
	ok(ph_end(&r) == 0, "end: all read");
	ok(ph_open(&r, m.len, &t) == 0 && ph_get_u32(&r, &v) == 0 &&
	        ph_end(&r) < 0,
	    "end: trailing bytes refused");
	ok(ph_open(&r, m.len, &t) == 0 && ph_get_u32(&r, &v) == 0 &&
	        ph_get_str(&r, s, 4) < 0,
	    "str longer than the output refused");
	ok(ph_open(&r, m.len - 1, &t) < 0, "length prefix must match");
	r.b[m.len - 2] = '\0';
	ok(ph_open(&r, m.len, &t) == 0 && ph_get_u32(&r, &v) == 0 &&
	        ph_get_str(&r, s, sizeof(s)) < 0,
	    "NUL inside a string refused");
	ph_init(&m, PH_AUTH_REQ);
	memset(s, 'x', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	for (v = 0; v < 1000; v++)
		ph_put_str(&m, s);
	ok(m.err && m.len <= sizeof(m.b), "overflow is sticky, in bounds");
	ph_wipe(&m);
	ok(m.len == 0 && m.b[10] == 0, "wipe");
}

int
main(void)
{
	test_b64();
	test_plain();
	test_loglen();
	test_msg();
	return tap_done();
}
