/*
 * wrap_test.c - tcp-wrappers check with allow/deny files written here:
 * the daemon name ZMailer's code uses (smtp-receiver), the one its manual
 * names (smtp-receive), IPv4 and IPv6 patterns.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "tmpdir.h"
#include "wrap.h"

static int
check(const char *ip)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1)
		s4->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1)
		s6->sin6_family = AF_INET6;
	return wrap_check((struct sockaddr *)&ss, NULL);
}

static const struct {
	const char *allow, *deny, *name, *ip;
	int want;
} cases[] = {
	{ "smtp-receiver: 192.0.2.1\n", "ALL: ALL\n", "smtp-receiver",
	    "192.0.2.1", 1 },
	{ "smtp-receiver: 192.0.2.1\n", "ALL: ALL\n", "smtp-receiver",
	    "192.0.2.2", 0 },
	{ "# manual's spelling\nsmtp-receive: ALL\n", "ALL: ALL\n",
	    "smtp-receive", "192.0.2.2", 1 },
	{ "", "smtp-receiver: 198.51.100.0/255.255.255.0\n", "smtp-receiver",
	    "198.51.100.7", 0 },
	{ "", "smtp-receiver: 198.51.100.0/255.255.255.0\n", "smtp-receiver",
	    "192.0.2.7", 1 },
	{ "smtp-receive: 192.0.2.0/255.255.255.0\n", "smtp-receive: ALL\n",
	    "smtp-receive", "203.0.113.1", 0 },
	{ "smtp-receiver: [2001:db8::]/32\n", "ALL: ALL\n", "smtp-receiver",
	    "2001:db8::5", 1 },
	{ "smtp-receiver: [2001:db8::]/32\n", "ALL: ALL\n", "smtp-receiver",
	    "2001:db9::5", 0 },
	{ "", "", "smtp-receiver", "192.0.2.9", 1 },
};

int
main(void)
{
	char allow[1024], deny[1024];
	size_t i;

	tmp_make();
	tmp_path("hosts.allow", allow, sizeof(allow));
	tmp_path("hosts.deny", deny, sizeof(deny));
	ok(wrap_set_tables(allow, deny) == 0, "tables set");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tmp_write("hosts.allow", cases[i].allow);
		tmp_write("hosts.deny", cases[i].deny);
		is_str(wrap_daemon_name(), cases[i].name,
		    "case %zu: daemon name", i);
		is_int(check(cases[i].ip), cases[i].want, "case %zu: %s %s", i,
		    cases[i].ip, cases[i].want ? "allowed" : "refused");
	}
	tmp_clean();
	return tap_done();
}
