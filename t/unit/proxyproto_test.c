/* proxyproto_test.c - the PROXY header parser (v1, v2, TLVs, LOCAL,
 * families, every truncation) and the allowed-network list. */
#include "proxyproto.h"
#include "tap.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#define V2SIG "\r\n\r\n\0\r\nQUIT\n"

struct tcase {
	const char *name;
	const char *in;
	size_t len;      /* 0: strlen(in) */
	int res;         /* enum proxy_res on the whole input */
	const char *src; /* client address text, NULL: local */
	int sport;
	size_t hlen, tlvs;
};

/* the error rows leave the fields of a parsed header zero */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const struct tcase cases[] = {
	{ "v1 TCP4", "PROXY TCP4 192.0.2.1 198.51.100.2 56324 25\r\n", 0,
	    PROXY_DONE, "192.0.2.1", 56324, 44, 0 },
	{ "v1 TCP6", "PROXY TCP6 2001:db8::1 2001:db8::2 1 25\r\n", 0,
	    PROXY_DONE, "2001:db8::1", 1, 41, 0 },
	{ "v1 data after the header is not eaten",
	    "PROXY TCP4 192.0.2.1 198.51.100.2 5 25\r\nEHLO x\r\n", 0,
	    PROXY_DONE, "192.0.2.1", 5, 40, 0 },
	{ "v1 UNKNOWN", "PROXY UNKNOWN\r\n", 0, PROXY_DONE, NULL, 0, 15, 0 },
	{ "v1 UNKNOWN with addresses", "PROXY UNKNOWN a b c d\r\n", 0,
	    PROXY_DONE, NULL, 0, 23, 0 },
	{ "v1 longest TCP6 line",
	    "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n",
	    0, PROXY_DONE, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535,
	    104, 0 },
	{ "v1 107 bytes (the most)",
	    "PROXY UNKNOWN "
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxx\r\n",
	    0, PROXY_DONE, NULL, 0, PROXY_V1_MAX, 0 },
	{ "v1 108 bytes",
	    "PROXY UNKNOWN "
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxx\r\n",
	    0, PROXY_ERROR },
	{ "v1 TCP4 with an IPv6 address",
	    "PROXY TCP4 2001:db8::1 192.0.2.2 1 2\r\n", 0, PROXY_ERROR },
	{ "v1 bad port", "PROXY TCP4 192.0.2.1 192.0.2.2 65536 2\r\n", 0,
	    PROXY_ERROR },
	{ "v1 leading zero", "PROXY TCP4 192.0.2.1 192.0.2.2 025 2\r\n", 0,
	    PROXY_ERROR },
	{ "v1 sign", "PROXY TCP4 192.0.2.1 192.0.2.2 -1 2\r\n", 0,
	    PROXY_ERROR },
	{ "v1 double space", "PROXY TCP4  192.0.2.1 192.0.2.2 1 2\r\n", 0,
	    PROXY_ERROR },
	{ "v1 five fields", "PROXY TCP4 192.0.2.1 192.0.2.2 1 2 3\r\n", 0,
	    PROXY_ERROR },
	{ "v1 three fields", "PROXY TCP4 192.0.2.1 192.0.2.2 1\r\n", 0,
	    PROXY_ERROR },
	{ "v1 UDP", "PROXY UDP4 192.0.2.1 192.0.2.2 1 2\r\n", 0, PROXY_ERROR },
	{ "v1 bare LF", "PROXY TCP4 192.0.2.1 192.0.2.2 1 2\n", 0,
	    PROXY_ERROR },
	{ "v1 CR without LF", "PROXY TCP4 192.0.2.1 192.0.2.2 1 2\rX", 0,
	    PROXY_ERROR },
	{ "v1 NUL byte", "PROXY TCP4 192.0.2.1\0", 21, PROXY_ERROR },
	{ "v1 lower case", "proxy TCP4 192.0.2.1 192.0.2.2 1 2\r\n", 0,
	    PROXY_ERROR },
	{ "v1 empty", "PROXY \r\n", 0, PROXY_ERROR },
	{ "not a header", "EHLO x\r\n", 0, PROXY_ERROR },
	{ "v2 TCP4",
	    V2SIG "\x21\x11\x00\x0c\xc0\x00\x02\x01\xc6\x33\x64\x02"
	          "\x04\xd2\x00\x19",
	    28, PROXY_DONE, "192.0.2.1", 1234, 28, 0 },
	{ "v2 TCP4 with TLVs (unique-id, NOOP, crc32c)",
	    V2SIG "\x21\x11\x00\x1c\xc0\x00\x02\x01\xc6\x33\x64\x02"
	          "\x04\xd2\x00\x19"
	          "\x05\x00\x03"
	          "abc"
	          "\x04\x00\x00"
	          "\x03\x00\x04\x01\x02\x03\x04",
	    44, PROXY_DONE, "192.0.2.1", 1234, 44, 3 },
	{ "v2 TLV overrun",
	    V2SIG "\x21\x11\x00\x10\xc0\x00\x02\x01\xc6\x33\x64\x02"
	          "\x04\xd2\x00\x19\x05\x00\x09\x00",
	    32, PROXY_ERROR },
	{ "v2 TLV cut in its head",
	    V2SIG "\x21\x11\x00\x0e\xc0\x00\x02\x01\xc6\x33\x64\x02"
	          "\x04\xd2\x00\x19\x05\x00",
	    30, PROXY_ERROR },
	{ "v2 TCP6",
	    V2SIG "\x21\x21\x00\x24"
	          "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01"
	          "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x02"
	          "\xff\xff\x00\x19",
	    52, PROXY_DONE, "2001:db8::1", 65535, 52, 0 },
	{ "v2 TCP6 short",
	    V2SIG "\x21\x21\x00\x0c"
	          "123456789012",
	    28, PROXY_ERROR },
	{ "v2 LOCAL", V2SIG "\x20\x00\x00\x00", 16, PROXY_DONE, NULL, 0, 16,
	    0 },
	{ "v2 LOCAL with an address block",
	    V2SIG "\x20\x11\x00\x0c"
	          "123456789012",
	    28, PROXY_DONE, NULL, 0, 28, 0 },
	{ "v2 UNSPEC", V2SIG "\x21\x00\x00\x00", 16, PROXY_DONE, NULL, 0, 16,
	    0 },
	{ "v2 UNIX",
	    V2SIG "\x21\x31\x00\x04"
	          "abcd",
	    20, PROXY_DONE, NULL, 0, 20, 0 },
	{ "v2 UDP4",
	    V2SIG "\x21\x12\x00\x0c\xc0\x00\x02\x01\xc6\x33\x64\x02"
	          "\x04\xd2\x00\x19",
	    28, PROXY_DONE, NULL, 0, 28, 0 },
	{ "v2 unknown family", V2SIG "\x21\x51\x00\x00", 16, PROXY_DONE, NULL,
	    0, 16, 0 },
	{ "v2 version 1", V2SIG "\x11\x11\x00\x00", 16, PROXY_ERROR },
	{ "v2 version 3", V2SIG "\x31\x11\x00\x00", 16, PROXY_ERROR },
	{ "v2 command 2", V2SIG "\x22\x11\x00\x00", 16, PROXY_ERROR },
	{ "v2 too long", V2SIG "\x21\x11\xff\xff", 16, PROXY_ERROR },
	{ "v2 bad signature", "\r\n\r\n\0\r\nQUIX\n\x21\x11\x00\x00", 16,
	    PROXY_ERROR },
};

#pragma GCC diagnostic pop

static size_t
clen(const struct tcase *t)
{
	return t->len ? t->len : strlen(t->in);
}

static void
check_case(const struct tcase *t)
{
	struct proxy_info pi;
	const char *why;
	char ip[64] = "";
	size_t n = clen(t), k;
	enum proxy_res r =
	    proxy_parse((const unsigned char *)t->in, n, &pi, &why);
	int prefix_ok = 1;

	is_int(r, t->res, "%s: result", t->name);
	if (r == PROXY_ERROR)
		ok(why && *why, "%s: a reason (%s)", t->name, why);
	if (r != PROXY_DONE)
		return;
	is_int(pi.len, t->hlen, "%s: header length", t->name);
	is_int(pi.tlvs, t->tlvs, "%s: TLVs", t->name);
	if (t->src == NULL) {
		ok(pi.local && pi.srclen == 0, "%s: local", t->name);
	} else {
		netaddr_text((struct sockaddr *)&pi.src, ip, sizeof(ip));
		is_str(ip, t->src, "%s: client", t->name);
		is_int(netaddr_port((struct sockaddr *)&pi.src), t->sport,
		    "%s: client port", t->name);
	}
	/* every strict prefix needs more, and says how much at least */
	for (k = 0; k < pi.len; k++) {
		struct proxy_info p2;

		if (proxy_parse((const unsigned char *)t->in, k, &p2, &why) !=
		        PROXY_MORE ||
		    p2.need < 1 || k + p2.need > pi.len)
			prefix_ok = 0;
	}
	ok(prefix_ok, "%s: each prefix asks for more, within the header",
	    t->name);
}

static void
check_nets(void)
{
	struct proxy_net n[PROXY_MAX_NETS];
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	char err[128];
	int c;

	c = proxy_nets_parse("10.0.0.0/8, 2001:db8::/32 192.0.2.7", n,
	    PROXY_MAX_NETS, err, sizeof(err));
	is_int(c, 3, "three networks");
	inet_pton(AF_INET, "10.9.8.7", &s4.sin_addr);
	ok(proxy_nets_match(n, c, (struct sockaddr *)&s4), "10.9.8.7 in 10/8");
	inet_pton(AF_INET, "192.0.2.8", &s4.sin_addr);
	ok(!proxy_nets_match(n, c, (struct sockaddr *)&s4),
	    "192.0.2.8 is not 192.0.2.7");
	inet_pton(AF_INET6, "2001:db8:1::1", &s6.sin6_addr);
	ok(proxy_nets_match(n, c, (struct sockaddr *)&s6), "v6 in /32");
	inet_pton(AF_INET6, "::ffff:10.1.1.1", &s6.sin6_addr);
	ok(proxy_nets_match(n, c, (struct sockaddr *)&s6), "v4-mapped in 10/8");
	ok(proxy_nets_parse(
	       "10.0.0.0/33", n, PROXY_MAX_NETS, err, sizeof(err)) < 0,
	    "/33 on IPv4 refused (%s)", err);
	ok(proxy_nets_parse("10.0.0.0/", n, PROXY_MAX_NETS, err, sizeof(err)) <
	        0,
	    "empty bits refused");
	ok(proxy_nets_parse(
	       "10.0.0.0/-1", n, PROXY_MAX_NETS, err, sizeof(err)) < 0,
	    "negative bits refused");
	ok(proxy_nets_parse(
	       "example.org", n, PROXY_MAX_NETS, err, sizeof(err)) < 0,
	    "a name refused");
	ok(proxy_nets_parse("1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4 5.5.5.5 6.6.6.6 "
	                    "7.7.7.7 8.8.8.8 9.9.9.9",
	       n, PROXY_MAX_NETS, err, sizeof(err)) < 0,
	    "nine networks refused (%s)", err);
	is_int(proxy_nets_parse("::/0", n, PROXY_MAX_NETS, err, sizeof(err)), 1,
	    "::/0 parses");
	inet_pton(AF_INET, "203.0.113.1", &s4.sin_addr);
	ok(proxy_nets_match(n, 1, (struct sockaddr *)&s4), "::/0 takes all");
}

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
	check_nets();
	return tap_done();
}
