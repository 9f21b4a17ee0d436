/*
 * policy_test.c - verdicts and replies through the public API with the
 * shipped conf/db sources: connect, MAIL, and the relay gate at RCPT for
 * every address trick, from an untrusted client, a fulltrustnet and a
 * relaycustnet network, and after AUTH.  DNS points at a closed port on
 * 127.0.0.1, so nothing leaves the host and DNS checks tempfail.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "policy_build.h"
#include "policy.h"
#include "tap.h"
#include "tmpdir.h"

static struct policy *pol;
static char tracebuf[8192];

static void
trace(void *arg, const char *line)
{
	size_t n = strlen(tracebuf);

	(void)arg;
	snprintf(tracebuf + n, sizeof(tracebuf) - n, "%s\n", line);
}

static struct policy_sess *
sess(const char *ip)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	struct policy_result r;
	struct policy_sess *s;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1)
		s4->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1)
		s6->sin6_family = AF_INET6;
	tracebuf[0] = '\0';
	s = policy_sess_new(pol, (struct sockaddr *)&ss, NULL, trace, NULL);
	policy_connect(s, &r);
	return s;
}

static int
closed_udp_port(void)
{
	struct sockaddr_in a;
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), port;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	getsockname(fd, (struct sockaddr *)&a, &l);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static void
test_open(void)
{
	char err[300], path[1024];

	ok(policy_open("btree", "/nonexistent", err, sizeof(err)) == NULL &&
	        strstr(err, "supported: gdbm") != NULL,
	    "btree refused: %s", err);
	ok(policy_open("hash", "/nonexistent", err, sizeof(err)) == NULL &&
	        strstr(err, "unknown policydb type") != NULL,
	    "unknown type refused: %s", err);
	tmp_path("missing", path, sizeof(path));
	ok(policy_open("gdbm", path, err, sizeof(err)) == NULL &&
	        strstr(err, "missing.gdbm") != NULL,
	    "missing file named in the error");
}

static void
test_connect(void)
{
	struct policy_result r;
	struct policy_sess *s;
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	inet_pton(AF_INET, "198.51.100.7", &a.sin_addr);
	s = policy_sess_new(pol, (struct sockaddr *)&a, NULL, NULL, NULL);
	is_int(policy_connect(s, &r), -1, "spam network refused");
	is_int(r.code, 554, "connect refusal is 554");
	is_str(r.enh, "5.7.1", "with 5.7.1");
	is_str(r.text,
	    "Hello [198.51.100.7]; Your network address is "
	    "blackholed in our static tables",
	    "default rejectnet text");
	ok(policy_flags(s)->always_reject, "always_reject set");
	is_int(policy_content_gate(s), -1, "content gate refuses");
	is_int(policy_mailfrom(s, "a@example.org", &r), -1,
	    "MAIL refused after it");
	policy_sess_free(s);
	s = sess("192.0.2.99");
	ok(strstr(tracebuf, "key [0.0.0.0]/0 found") != NULL,
	    "trace shows key and tag");
	ok(!policy_flags(s)->always_accept, "stranger: no relaying flag");
	is_int(policy_content_gate(s), POLICY_GATE_FILTER,
	    "stranger's mail is filtered");
	policy_sess_free(s);
	s = sess("127.0.0.1");
	ok(policy_flags(s)->always_accept, "127.0.0.1 is relaycustnet");
	is_int(policy_content_gate(s), POLICY_GATE_SKIP,
	    "trusted network skips the content filter");
	policy_sess_free(s);
	s = sess("::1");
	ok(policy_flags(s)->always_accept, "::1 is relaycustnet");
	policy_sess_free(s);
	s = sess("203.0.113.9");
	ok(policy_flags(s)->full_trust, "relay.manual fulltrustnet +");
	policy_sess_free(s);
	s = policy_sess_new(pol, NULL, NULL, NULL, NULL);
	policy_connect(s, &r);
	ok(policy_flags(s)->full_trust, "local session fully trusted");
	policy_sess_free(s);
}

static const struct {
	const char *addr;
	int verdict, code;
	const char *text; /* substring, or NULL */
} mails[] = {
	{ "", 0, 0, NULL },
	{ "a@foreign.example", -104, 451, "temporary DNS error" },
	{ "x@spammer.example", -1, 553,
	    "policy analysis reported: Your "
	    "address is not a welcome source" },
	{ "X@SPAMMER.EXAMPLE.", -1, 553, NULL },
	{ "nodomain", -1, 553, "access is denied by the policy analysis" },
	{ "@relay.example:a@spammer.example", -1, 553, NULL },
};

static void
test_mail(void)
{
	struct policy_result r;
	struct policy_sess *s;
	size_t i;

	for (i = 0; i < sizeof(mails) / sizeof(mails[0]); i++) {
		s = sess("192.0.2.99");
		is_int(policy_mailfrom(s, mails[i].addr, &r), mails[i].verdict,
		    "MAIL <%s>", mails[i].addr);
		is_int(r.code, mails[i].code, "MAIL <%s>: code", mails[i].addr);
		if (mails[i].text)
			ok(strstr(r.text, mails[i].text) != NULL,
			    "MAIL <%s>: %s", mails[i].addr, r.text);
		policy_sess_free(s);
	}
}

/* Relay safety: from a stranger only our domains are accepted. */
static const struct {
	const char *addr;
	int accept;
} rcpts[] = {
	{ "user@example.org", 1 },
	{ "USER@Example.ORG", 1 },
	{ "user@example.org.", 1 },
	{ "user@mail.example.org", 1 },
	{ "user@example.com", 1 },
	{ "user@sub.example.com", 1 },
	{ "user%example.com@example.org", 1 },
	{ "example.com!user@example.org", 1 },
	{ "\"user@example.com\"@example.org", 1 },
	{ "postmaster", 1 },
	{ "PostMaster", 1 },
	{ "postmaster@example.net", 1 },
	{ "user@foreign.example", 0 },
	{ "USER@FOREIGN.EXAMPLE", 0 },
	{ "user@foreign.example.", 0 },
	{ "user%foreign.example@example.org", 0 },
	{ "USER%FOREIGN.EXAMPLE@EXAMPLE.ORG", 0 },
	{ "user%foreign.example.@example.org.", 0 },
	{ "user%foreign.example%example.org@example.org", 0 },
	{ "foreign.example!user@example.org", 0 },
	{ "example.org!foreign.example!user@example.org", 0 },
	{ "@example.org:user@foreign.example", 0 },
	{ "@example.org,@example.com:user@foreign.example", 0 },
	{ "\"user@foreign.example\"@example.org", 0 },
	{ "\"user%foreign.example\"@example.org", 0 },
	{ "user@[192.0.2.1]", 0 },
	{ "user%[192.0.2.1]@example.org", 0 },
	{ "user@[IPv6:2001:db8::1]", 0 },
	{ "user@example.org.foreign.example", 0 },
	{ "user@evil-example.org", 0 },
	{ "user@@example.org", 0 },
	{ "user@example..org", 0 },
	{ "user@.example.org", 0 },
	{ "user", 0 },
	{ "postmaster@foreign.example", 0 },
	{ "postmaster%foreign.example@example.org", 0 },
	{ "user@spammer.example", 0 },
};

static void
rcpt_table(const char *ip, int trusted, int all_ok)
{
	struct policy_result r;
	struct policy_sess *s;
	size_t i;
	int v, want;

	for (i = 0; i < sizeof(rcpts) / sizeof(rcpts[0]); i++) {
		s = sess(ip);
		if (trusted)
			policy_set_trusted(s, 1);
		policy_mailfrom(s, "", &r);
		v = policy_rcptto(s, rcpts[i].addr, &r);
		want = all_ok || rcpts[i].accept;
		ok(want ? v == 0 : v < 0, "%s%s: RCPT <%s> %s (%d %d %s)", ip,
		    trusted ? "+AUTH" : "", rcpts[i].addr,
		    want ? "accepted" : "refused", v, r.code, r.text);
		if (!want)
			ok((r.code == 550 && strcmp(r.enh, "5.7.1") == 0) ||
			        (r.code == 451 && r.tempfail),
			    "  refused with 550 5.7.1, or 451 (no DNS)");
		policy_sess_free(s);
	}
}

static void
test_rcpt_texts(void)
{
	struct policy_result r;
	struct policy_sess *s = sess("192.0.2.99");

	policy_rcptto(s, "user@[192.0.2.1]", &r);
	is_str(r.text,
	    "Hello [192.0.2.99], Policy rejection on the target "
	    "address: <user@[192.0.2.1]>",
	    "RCPT refusal text");
	policy_rcptto(s, "user@foreign.example", &r);
	is_str(r.text,
	    "Hello [192.0.2.99], policy analysis reports temporary "
	    "DNS error with the target domain: "
	    "<user@foreign.example>",
	    "RCPT tempfail text");
	policy_rcptto(s, "user@spammer.example", &r);
	is_str(r.text,
	    "Hello [192.0.2.99], Policy analysis reported: This "
	    "is not an accepted relay target "
	    "rcpt=<user@spammer.example>",
	    "RCPT refusal with the policy's message");
	tracebuf[0] = '\0';
	policy_rcptto(s, "user%foreign.example@example.org", &r);
	ok(strstr(tracebuf, "local part routes on to foreign.example") != NULL,
	    "trace explains the %% hack");
	policy_sess_free(s);
}

/* A relaycustnet client: our domains fine, foreign need DNS (down). */
static void
test_relaycustnet(void)
{
	struct policy_result r;
	struct policy_sess *s = sess("127.0.0.1");
	int v;

	is_int(policy_rcptto(s, "user@example.org", &r), 0, "local domain");
	v = policy_rcptto(s, "user@foreign.example", &r);
	ok(v < 0 && r.tempfail && r.code == 451,
	    "foreign target with DNS down: 451, not accepted, not 5xx");
	policy_sess_free(s);
}

static long rate_count;
static char rate_label[64];

static long
counter(void *arg, const char *label)
{
	(void)arg;
	snprintf(rate_label, sizeof(rate_label), "%s", label);
	return ++rate_count;
}

static void
test_rate(void)
{
	static const struct {
		const char *ip, *label;
		int trusted, n, verdict, code;
		const char *text;
	} c[] = {
		{ "192.0.2.201", "4:c00002c9", 0, 3, 0, 0, NULL },
		{ "192.0.2.201", "4:c00002c9", 0, 4, -100, 451,
		    "policy analysis reported: You are sending too much "
		    "mail/rcpts per time interval.  Try again later." },
		{ "192.0.2.201", "4:c00002c9", 1, 30, 0, 0, NULL },
		{ "192.0.2.201", "4:c00002c9", 1, 31, -100, 451, NULL },
		{ "192.0.2.209", "4:c00002d1", 0, 2, 0, 0, NULL },
		{ "192.0.2.209", "4:c00002d1", 0, 3, -1, 553,
		    "reported: slow down" },
		{ "2001:db8:1::7", "6:20010db800010000", 0, 1, 0, 0, NULL },
		{ "2001:db8:1::7", "6:20010db800010000", 0, 2, -100, 451,
		    NULL },
	};
	struct policy_result r;
	struct policy_sess *s;
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		s = sess(c[i].ip);
		policy_set_trusted(s, c[i].trusted);
		policy_set_rate(s, counter, NULL);
		rate_count = c[i].n - 1;
		is_int(policy_mailfrom(s, "", &r), c[i].verdict,
		    "%s%s: message %d", c[i].ip, c[i].trusted ? "+AUTH" : "",
		    c[i].n);
		is_int(r.code, c[i].code, "  code");
		is_str(rate_label, c[i].label, "  scoreboard label");
		if (c[i].text)
			ok(strstr(r.text, c[i].text) != NULL, "  text: %s",
			    r.text);
		policy_sess_free(s);
	}
	s = sess("192.0.2.99");
	policy_set_rate(s, counter, NULL);
	rate_count = 100;
	policy_mailfrom(s, "", &r);
	is_int(rate_count, 100, "no ratelimitmsgs: counter not called");
	policy_sess_free(s);
}

static void
test_reopen(void)
{
	struct policy_result r;
	struct policy_sess *s;

	s = sess("192.0.2.99");
	ok(policy_rcptto(s, "u@new.example", &r) < 0, "new.example unknown");
	policy_sess_free(s);
	tmp_write("localnames", "example.org\nnew.example\n");
	sleep(1); /* a distinct mtime even on coarse clocks */
	ok(policy_build(tmp_dir, "smtp-policy", stderr) == 0, "rebuilt");
	s = sess("192.0.2.99");
	is_int(policy_rcptto(s, "u@new.example", &r), 0,
	    "replaced database seen by the next session");
	policy_sess_free(s);
}

int
main(void)
{
	static const char *const files[] = { "smtp-policy.src", "localnames",
		"smtp-policy.relay", "smtp-policy.mx", "smtp-policy.spam" };
	char path[1024], err[300];
	size_t i;

	tmp_make();
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "conf/db/%s", files[i]);
		if (tmp_copy(path, files[i]) < 0) {
			printf("1..0 # SKIP no %s (run from the top)\n", path);
			tmp_clean();
			return 0;
		}
	}
	tmp_write("smtp-policy.relay.manual",
	    "[203.0.113.0]/24 fulltrustnet +\n"
	    "[192.0.2.200]/29 ratelimitmsgs 3\n"
	    "[192.0.2.208]/29 message \"slow down\" "
	    "ratelimitmsgs -2\n"
	    "[2001:db8:1::]/48 ratelimitmsgs 1\n");
	ok(policy_build(tmp_dir, "smtp-policy", stderr) == 0, "conf/db builds");
	tmp_path("smtp-policy", path, sizeof(path));
	if ((pol = policy_open("gdbm", path, err, sizeof(err))) == NULL) {
		printf("# %s\n", err);
		tmp_clean();
		return tap_done() | 1;
	}
	ok(policy_set_dns(
	       pol, "127.0.0.1", closed_udp_port(), 1, err, sizeof(err)) == 0,
	    "resolver on a closed local port");
	test_open();
	test_connect();
	test_mail();
	rcpt_table("192.0.2.99", 0, 0);
	rcpt_table("2001:db8::99", 0, 0);
	rcpt_table("203.0.113.9", 0, 1);
	rcpt_table("192.0.2.99", 1, 1);
	test_rcpt_texts();
	test_relaycustnet();
	test_rate();
	test_reopen();
	policy_close(pol);
	tmp_clean();
	return tap_done();
}
