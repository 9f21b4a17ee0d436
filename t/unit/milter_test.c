/*
 * milter_test.c - the milter packet codec (server/milter_proto.c):
 * framing both ways, incomplete and malformed packets (empty, over 64 KB),
 * option negotiation, reply codes (class checks, enhanced codes, control
 * bytes) and NUL-separated strings with and without an index.
 */
#include "milter_proto.h"

#include <arpa/inet.h>
#include <string.h>

#include "tap.h"

static void
test_framing(void)
{
	struct buf b;
	struct mpkt p;
	size_t used = 0;
	char big[8];
	uint32_t n;

	buf_init(&b, MILTER_PKT_MAX + 16);
	ok(mproto_put(&b, SMFIC_HELO, "abc", 4) == 0, "put HELO");
	is_int(b.len, 9, "4 + 1 + 4 bytes");
	ok(memcmp(b.data, "\0\0\0\5Habc", 9) == 0, "length counts cmd");
	is_int(mproto_take(b.data, 3, &p, &used), 0, "3 bytes: need more");
	is_int(mproto_take(b.data, 8, &p, &used), 0, "8 bytes: need more");
	is_int(mproto_take(b.data, 9, &p, &used), 1, "whole packet");
	is_int(p.cmd, 'H', "cmd");
	is_int(p.len, 4, "data length");
	is_int(used, 9, "used");
	ok(mproto_put(&b, SMFIC_QUIT, NULL, 0) == 0, "put empty");
	is_int(mproto_take(b.data + 9, b.len - 9, &p, &used), 1, "take");
	is_int(p.len, 0, "no data");
	buf_reset(&b);
	ok(mproto_put(&b, SMFIC_BODY, big, MILTER_PKT_MAX) < 0,
	    "a packet over 64K is not made");
	n = htonl(0);
	memcpy(big, &n, 4);
	is_int(mproto_take(big, 8, &p, &used), -1, "length 0: malformed");
	n = htonl(MILTER_PKT_MAX + 1);
	memcpy(big, &n, 4);
	is_int(mproto_take(big, 8, &p, &used), -1, "over 64K: malformed");
	n = htonl(0xffffffffU);
	memcpy(big, &n, 4);
	is_int(mproto_take(big, 8, &p, &used), -1, "4G: malformed");
	buf_free(&b);
}

static void
test_optneg(void)
{
	struct buf b;
	struct mpkt p;
	uint32_t v, a, pr;
	size_t used;

	buf_init(&b, 1024);
	mproto_u32(&b, 6);
	mproto_u32(&b, 0x1ff);
	mproto_u32(&b, SMFIP_NR_HDR);
	p.cmd = SMFIC_OPTNEG;
	p.data = b.data;
	p.len = b.len;
	ok(mproto_optneg(&p, &v, &a, &pr) == 0, "optneg");
	ok(v == 6 && a == 0x1ff && pr == SMFIP_NR_HDR, "words");
	p.len = 11;
	ok(mproto_optneg(&p, &v, &a, &pr) < 0, "short optneg");
	p.len = 12;
	p.cmd = 'x';
	ok(mproto_optneg(&p, &v, &a, &pr) < 0, "not an optneg");
	(void)used;
	buf_free(&b);
}

static const struct rc_case {
	const char *in;
	int ok, code;
	const char *enh, *text;
} rc_cases[] = {
	{ "554 5.7.1 Go away", 0, 554, "5.7.1", "Go away" },
	{ "451 4.7.1 Try later", 0, 451, "4.7.1", "Try later" },
	{ "550 Just text", 0, 550, "", "Just text" },
	{ "550", 0, 550, "", "" },
	{ "550 4.7.1 class differs", 0, 550, "", "4.7.1 class differs" },
	{ "553-5.7.2 multi\r\n553 5.7.2 line", 0, 553, "5.7.2",
	    "multi 553 5.7.2 line" },
	{ "550 5.7.1 bell\a", 0, 550, "5.7.1", "bell?" },
	{ "250 2.0.0 ok", -1, 0, NULL, NULL },
	{ "55", -1, 0, NULL, NULL },
	{ "5x0 text", -1, 0, NULL, NULL },
	{ "550xtext", -1, 0, NULL, NULL },
};

static void
test_replycode(void)
{
	struct mpkt p;
	char enh[16], text[64];
	int code;
	size_t i;

	for (i = 0; i < sizeof(rc_cases) / sizeof(rc_cases[0]); i++) {
		const struct rc_case *c = &rc_cases[i];
		int r;

		p.cmd = SMFIR_REPLYCODE;
		p.data = c->in;
		p.len = strlen(c->in) + 1;
		r = mproto_replycode(
		    &p, &code, enh, sizeof(enh), text, sizeof(text));
		is_int(r, c->ok, "reply code case %zu: %s", i,
		    c->ok ? "refused" : "ok");
		if (r == 0 && c->ok == 0) {
			is_int(code, c->code, "case %zu: code", i);
			is_str(enh, c->enh, "case %zu: enhanced", i);
			is_str(text, c->text, "case %zu: text", i);
		}
	}
	p.data = "550 5.7.1 no NUL";
	p.len = strlen(p.data);
	ok(mproto_replycode(&p, &code, enh, sizeof(enh), text, sizeof(text)) <
	        0,
	    "no final NUL: refused");
}

static void
test_strings(void)
{
	struct mpkt p;
	const char *v[3];
	uint32_t idx = 0;
	static const char hdr[] = "X-A\0value\0";
	static const char ins[] = "\0\0\0\2X-B\0v\0";

	p.cmd = SMFIR_ADDHEADER;
	p.data = hdr;
	p.len = sizeof(hdr) - 1;
	is_int(mproto_strings(&p, NULL, v, 3), 2, "two strings");
	is_str(v[0], "X-A", "name");
	is_str(v[1], "value", "value");
	p.len = sizeof(hdr) - 2;
	is_int(mproto_strings(&p, NULL, v, 3), -1, "no final NUL");
	p.data = ins;
	p.len = sizeof(ins) - 1;
	is_int(mproto_strings(&p, &idx, v, 3), 2, "indexed");
	is_int(idx, 2, "index");
	is_str(v[0], "X-B", "indexed name");
	p.len = 3;
	is_int(mproto_strings(&p, &idx, v, 3), -1, "index cut short");
	p.len = 4;
	is_int(mproto_strings(&p, &idx, v, 3), 0, "index only");
}

int
main(void)
{
	test_framing();
	test_optneg();
	test_replycode();
	test_strings();
	return tap_done();
}
