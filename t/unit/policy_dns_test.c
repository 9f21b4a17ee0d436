/*
 * policy_dns_test.c - the resolver wrapper and the DNS checks
 * (smtpserver(8) POLICY)
 * against the test DNS server that t/policy-dns.t runs on 127.0.0.1
 * (port in POLICY_TEST_DNS_PORT, its query log in POLICY_TEST_DNS_LOG;
 * skipped without them): TCP after a truncated answer, the cache, RBL
 * with TXT reasons, RFC 5782 IPv6 names, error codes, SERVFAIL, timeouts
 * and a silent server as 4xx, the MX rule, sender existence, relaying
 * from relaycustnet.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dns.h"
#include "policy_build.h"
#include "policy.h"
#include "tap.h"
#include "tmpdir.h"

static struct policy *pol;
static int port;

static const char *const src =
    ". = _default_dot\n"
    "[0.0.0.0]/0 = _default_ipaddr\n"
    "_default_dot relaycustomer - acceptifmx - senderokwithdns -\n"
    "_default_ipaddr relaycustomer - acceptifmx - senderokwithdns -\n"
    "[192.0.2.64]/28 test-dns-rbl rbl.test\n"
    "[192.0.2.80]/28 test-dns-rbl fail.test\n"
    "[192.0.2.96]/28 test-dns-rbl slow.test\n"
    "[192.0.2.112]/28 rcpt-dns-rbl rbl.test\n"
    "[192.0.2.128]/28 test-dns-rbl fail.test:rbl.test\n"
    "[ipv6.2001:db8::]/32 test-dns-rbl rbl.test\n"
    "[127.0.0.0]/8 = _full_rights\n"
    "_full_rights rejectnet - relaycustnet + relaytarget +\n"
    "rbl-target.test test-rcpt-dns-rbl + acceptifmx -\n"
    "plus-mx.test acceptifmx +\n";

static struct policy_sess *
sess(const char *ip, struct policy_result *r)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	struct policy_sess *s;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1)
		s4->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1)
		s6->sin6_family = AF_INET6;
	s = policy_sess_new(pol, (struct sockaddr *)&ss, NULL, NULL, NULL);
	policy_connect(s, r);
	return s;
}

static void
test_resolver(void)
{
	struct dns_answer a;
	struct dns_res *r;
	char err[200];

	r = dns_new("127.0.0.1", port, 1, err, sizeof(err));
	ok(r != NULL, "resolver for 127.0.0.1:%d", port);
	if (r == NULL)
		return;
	ok(dns_query(r, "mx-ours.test", DNS_MX, &a) == DNS_OK && a.n == 1 &&
	        a.mx[0].pref == 10 && strcmp(a.mx[0].name, "mx.ours.test") == 0,
	    "MX answer");
	ok(dns_query(r, "mx.ours.test", DNS_A, &a) == DNS_OK && a.n == 1 &&
	        a.addr[0].v4 && a.addr[0].a[15] == 25,
	    "A answer");
	ok(dns_query(r, "66.2.0.192.rbl.test", DNS_TXT, &a) == DNS_OK &&
	        strcmp(a.txt, "Blocked: 192.0.2.66 is a test spammer") == 0,
	    "TXT answer");
	ok(dns_query(r, "114.2.0.192.rbl.test", DNS_TXT, &a) == DNS_OK &&
	        strchr(a.txt, '\t') == NULL,
	    "control characters in TXT blanked");
	is_int(dns_query(r, "nx.test", DNS_A, &a), DNS_NXDOMAIN, "NXDOMAIN");
	is_int(dns_query(r, "a-ours.test", DNS_MX, &a), DNS_NODATA, "no data");
	is_int(
	    dns_query(r, "x.fail.test", DNS_A, &a), DNS_SERVFAIL, "SERVFAIL");
	is_int(dns_query(r, "x.slow.test", DNS_A, &a), DNS_TIMEOUT, "timeout");
	dns_free(r);
}

/* Lines of the server's query log equal to line ("udp A cache.test"). */
static int
queries(const char *line)
{
	const char *path = getenv("POLICY_TEST_DNS_LOG");
	char buf[512];
	FILE *f;
	int n = 0;

	if (path == NULL || (f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(buf, sizeof(buf), f) != NULL) {
		buf[strcspn(buf, "\n")] = '\0';
		n += strcmp(buf, line) == 0;
	}
	fclose(f);
	return n;
}

/* A lookup in a child: the fork gets a context of its own. */
static int
child_lookup(struct dns_res *r, const char *name)
{
	struct dns_answer a;
	pid_t pid;
	int st;

	fflush(stdout);
	if ((pid = fork()) == 0)
		_exit(dns_query(r, name, DNS_A, &a) == DNS_OK ? 0 : 1);
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0;
}

/* What the library brings: TCP fallback, one cache per process. */
static void
test_library(void)
{
	struct dns_res *r1, *r2;
	struct dns_answer a;
	char err[200];

	r1 = dns_new("127.0.0.1", port, 2, err, sizeof(err));
	r2 = dns_new("127.0.0.1", port, 2, err, sizeof(err));
	ok(dns_query(r1, "big.tc.test", DNS_TXT, &a) == DNS_OK &&
	        strlen(a.txt) == 200,
	    "truncated UDP answer: the TXT record came over TCP");
	is_int(queries("tcp TXT big.tc.test"), 1, "  one TCP query");
	ok(dns_query(r1, "cache.test", DNS_A, &a) == DNS_OK, "A cache.test");
	ok(dns_query(r1, "cache.test", DNS_A, &a) == DNS_OK && a.n == 1 &&
	        a.addr[0].a[15] == 26,
	    "  again");
	ok(dns_query(r2, "cache.test", DNS_A, &a) == DNS_OK,
	    "  through another handle to the same server");
	is_int(queries("udp A cache.test"), 1, "  the server was asked once");
	is_int(dns_query(r1, "nx.cache.test", DNS_A, &a), DNS_NXDOMAIN,
	    "NXDOMAIN");
	is_int(
	    dns_query(r2, "nx.cache.test", DNS_A, &a), DNS_NXDOMAIN, "  again");
	is_int(queries("udp A nx.cache.test"), 1, "  asked once (SOA TTL)");
	ok(child_lookup(r1, "cache.test"), "a forked child's lookup works");
	is_int(queries("udp A cache.test"), 2, "  with a cache of its own");
	dns_free(r1);
	dns_free(r2);
}

/*
 * A nameserver that never answers (a bound socket nobody reads): the
 * lookup gives up at the timeout, and the check is a 4xx.
 */
static void
test_silent(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct policy_result r;
	struct policy_sess *s;
	struct dns_answer a;
	struct dns_res *res;
	char err[200];
	int fd, silent;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) < 0) {
		ok(0, "silent server socket");
		return;
	}
	silent = ntohs(sin.sin_port);
	res = dns_new("127.0.0.1", silent, 1, err, sizeof(err));
	ok(res != NULL &&
	        dns_rc_temporary(dns_query(res, "mx-ours.test", DNS_MX, &a)),
	    "silent server: temporary failure");
	dns_free(res);
	policy_set_dns(pol, "127.0.0.1", silent, 1, err, sizeof(err));
	s = sess("192.0.2.68", &r);
	is_int(policy_mailfrom(s, "a@sender-ok.test", &r), -104,
	    "silent server: MAIL <a@sender-ok.test>");
	ok(r.code == 451 && strcmp(r.enh, "4.4.3") == 0, "  %d %s %s", r.code,
	    r.enh, r.text);
	policy_sess_free(s);
	policy_set_dns(pol, "127.0.0.1", port, 1, err, sizeof(err));
	close(fd);
}

static const struct {
	const char *ip;
	int verdict, code;
	const char *text;
} conns[] = {
	{ "192.0.2.66", -1, 554, "Blocked: 192.0.2.66 is a test spammer" },
	{ "192.0.2.67", 0, 0, NULL }, /* 127.255.255.254: list error */
	{ "192.0.2.68", 0, 0, NULL }, /* not listed */
	{ "192.0.2.69", 0, 0, NULL }, /* answer outside 127/8 */
	{ "192.0.2.81", -104, 421, "temporary" }, /* SERVFAIL */
	{ "192.0.2.97", -104, 421, "temporary" }, /* timeout */
	{ "192.0.2.130", -1, 554, "second zone lists" },
	{ "2001:db8::66", -1, 554, "Hello [IPv6:2001:db8::66]; " },
	{ "127.0.0.1", 0, 0, NULL },
};

static void
test_connect(void)
{
	struct policy_result r;
	struct policy_sess *s;
	size_t i;

	for (i = 0; i < sizeof(conns) / sizeof(conns[0]); i++) {
		s = sess(conns[i].ip, &r);
		is_int(r.verdict, conns[i].verdict, "connect %s", conns[i].ip);
		is_int(r.code, conns[i].code, "connect %s: code", conns[i].ip);
		if (conns[i].text)
			ok(strstr(r.text, conns[i].text) != NULL,
			    "connect %s: %s", conns[i].ip, r.text);
		policy_sess_free(s);
	}
}

static const struct {
	const char *ip, *mail, *rcpt;
	int verdict, code;
	const char *enh, *text;
} addrs[] = {
	{ "192.0.2.68", "a@sender-ok.test", NULL, 0, 0, NULL, NULL },
	{ "192.0.2.68", "a@nx.test", NULL, -2, 553, "5.4.3", "DNS error" },
	{ "192.0.2.68", "a@x.fail.test", NULL, -104, 451, "4.4.3",
	    "temporary DNS error" },
	{ "192.0.2.68", "", "u@mx-ours.test", 0, 0, NULL, NULL },
	{ "192.0.2.68", "", "u@a-ours.test", 0, 0, NULL, NULL },
	{ "192.0.2.68", "", "u@MX-THEIRS.test.", -3, 550, "5.7.1",
	    "not allowed to relay to email address <u@MX-THEIRS.test.> via "
	    "our server; MX rule" },
	{ "192.0.2.68", "", "u@plus-mx.test", -103, 451, "4.7.1", "MX rule" },
	{ "192.0.2.68", "", "u@mx-private.test", -104, 451, "4.4.3", NULL },
	{ "192.0.2.68", "", "u@x.fail.test", -104, 451, "4.4.3",
	    "temporary DNS error with the target domain" },
	{ "192.0.2.68", "", "u@nx.test", -2, 550, "5.4.3", NULL },
	{ "192.0.2.68", "", "u%mx-theirs.test@a-ours.test", -3, 550, "5.7.1",
	    NULL },
	{ "192.0.2.68", "", "mx-theirs.test!u@a-ours.test", -3, 550, "5.7.1",
	    NULL },
	{ "192.0.2.114", "", "u@rbl-target.test", -1, 550, "5.7.1",
	    "Policy analysis reported: RCPT-time listing for 192.0.2.114" },
	{ "192.0.2.114", "", "u@mx-ours.test", 0, 0, NULL, NULL },
	{ "127.0.0.1", "a@sender-ok.test", NULL, 0, 0, NULL, NULL },
	{ "127.0.0.1", "a@nx.test", NULL, -2, 553, "5.4.3",
	    "DNS error with your source domain" },
	{ "127.0.0.1", "", "u@mx-theirs.test", 0, 0, NULL, NULL },
	{ "127.0.0.1", "", "u@nx.test", -2, 550, "5.4.3", NULL },
	{ "127.0.0.1", "", "u@x.fail.test", -104, 451, "4.4.3", NULL },
};

static void
test_addrs(void)
{
	struct policy_result r;
	struct policy_sess *s;
	size_t i;
	int v;

	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		s = sess(addrs[i].ip, &r);
		v = policy_mailfrom(s, addrs[i].mail, &r);
		if (addrs[i].rcpt != NULL)
			v = policy_rcptto(s, addrs[i].rcpt, &r);
		is_int(v, addrs[i].verdict, "%s: %s <%s>", addrs[i].ip,
		    addrs[i].rcpt ? "RCPT" : "MAIL",
		    addrs[i].rcpt ? addrs[i].rcpt : addrs[i].mail);
		is_int(r.code, addrs[i].code, "  code (%s)", r.text);
		if (addrs[i].enh)
			is_str(r.enh, addrs[i].enh, "  enhanced code");
		if (addrs[i].text)
			ok(strstr(r.text, addrs[i].text) != NULL, "  text");
		ok(!(r.code >= 500 && r.tempfail), "  tempfail is never 5xx");
		policy_sess_free(s);
	}
	s = sess("192.0.2.68", &r);
	policy_set_trusted(s, 1);
	is_int(
	    policy_mailfrom(s, "a@nx.test", &r), -2, "AUTH: MAIL <a@nx.test>");
	ok(r.code == 553 &&
	        strstr(r.text,
	            "reported: Sorry, bad DNS result "
	            "for your source domain") != NULL,
	    "  %s", r.text);
	is_int(policy_rcptto(s, "u@nx.test", &r), 0, "AUTH: RCPT anywhere");
	policy_sess_free(s);
}

int
main(void)
{
	const char *env = getenv("POLICY_TEST_DNS_PORT");
	char path[1024], err[300];

	if (env == NULL) {
		printf("1..0 # SKIP run by t/policy-dns.t\n");
		return 0;
	}
	port = atoi(env);
	test_resolver();
	test_library();
	tmp_make();
	tmp_write("smtp-policy.src", src);
	ok(policy_build(tmp_dir, "smtp-policy", stderr) == 0, "database built");
	tmp_path("smtp-policy", path, sizeof(path));
	pol = policy_open("gdbm", path, err, sizeof(err));
	ok(pol != NULL, "policy open %s", pol ? "" : err);
	if (pol != NULL) {
		policy_set_dns(pol, "127.0.0.1", port, 1, err, sizeof(err));
		policy_add_self(pol, "192.0.2.25");
		test_connect();
		test_addrs();
		test_silent();
		policy_close(pol);
	}
	tmp_clean();
	return tap_done();
}
