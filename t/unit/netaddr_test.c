/* netaddr_test.c - address text, literals and prefix matching. */
#include "netaddr.h"
#include "tap.h"

#include <netinet/in.h>

int
main(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct netkey k, net;
	char txt[64];

	ok(netaddr_literal("[1.2.3.4]", &ss, &len) == 0, "IPv4 literal");
	netaddr_text((struct sockaddr *)&ss, txt, sizeof(txt));
	is_str(txt, "1.2.3.4", "IPv4 literal text");
	ok(netaddr_literal("[IPv6:2001:db8::1]", &ss, &len) == 0,
	    "IPv6: literal");
	netaddr_text((struct sockaddr *)&ss, txt, sizeof(txt));
	is_str(txt, "2001:db8::1", "IPv6 literal text");
	ok(netaddr_literal("[ipv6.::1]", &ss, &len) == 0, "ZMailer ipv6. form");
	ok(netaddr_literal("1.2.3.4", &ss, &len) < 0, "brackets mandatory");
	ok(netaddr_literal("[1.2.3]", &ss, &len) < 0, "short IPv4 refused");
	ok(netaddr_literal("[IPv6:zz::1]", &ss, &len) < 0, "bad IPv6 refused");
	ok(netaddr_parse("::ffff:10.1.2.3", &k) == 0 && k.v4,
	    "v4-mapped is v4");
	netaddr_key_text(&k, txt, sizeof(txt));
	is_str(txt, "10.1.2.3", "v4-mapped shown as IPv4");
	netaddr_parse("10.0.0.0", &net);
	ok(netaddr_in_prefix(&k, &net, 96 + 8), "10.1.2.3 in 10/8");
	ok(!netaddr_in_prefix(&k, &net, 96 + 16), "10.1.2.3 not in 10.0/16");
	netaddr_parse("2001:db8:1::5", &k);
	netaddr_parse("2001:db8::", &net);
	ok(netaddr_in_prefix(&k, &net, 32), "in 2001:db8::/32");
	ok(!netaddr_in_prefix(&k, &net, 48), "not in 2001:db8::/48");
	netaddr_parse("127.0.0.2", &k);
	ok(netaddr_is_loopback(&k), "127.0.0.2 loopback");
	netaddr_parse("::1", &k);
	ok(netaddr_is_loopback(&k), "::1 loopback");
	return tap_done();
}
