/*
 * polsvc_test.c - Postfix policy delegation without a session: the
 * action= values of access(5) and what they mean, service addresses
 * (unix:, inet:), PARAM policy-service in the config reader (file:line
 * errors, the dump), and one request/reply exchange over a socketpair:
 * a good reply, extra attributes, no action, too long, trailing bytes,
 * silence (timeout) and a closed connection.
 */
#include "conf.h"
#include "polsvc.h"
#include "svcaddr.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const struct {
	const char *in;
	int rc;
	enum ps_act act;
	int code;
	const char *enh, *text;
} actions[] = {
	{ "OK", 0, PS_OK, 0, "", "" },
	{ "ok", 0, PS_OK, 0, "", "" },
	{ "DUNNO", 0, PS_DUNNO, 0, "", "" },
	{ "REJECT", 0, PS_REJECT, 550, "5.7.1", "Access denied" },
	{ "REJECT go away", 0, PS_REJECT, 550, "5.7.1", "go away" },
	{ "REJECT 5.7.23 spf", 0, PS_REJECT, 550, "5.7.23", "spf" },
	{ "DEFER", 0, PS_REJECT, 450, "4.7.1", "Service unavailable" },
	{ "DEFER_IF_PERMIT Greylisted, see x", 0, PS_DEFER_IF_PERMIT, 450,
	    "4.7.1", "Greylisted, see x" },
	{ "DEFER_IF_PERMIT 4.2.0 Greylisted", 0, PS_DEFER_IF_PERMIT, 450,
	    "4.2.0", "Greylisted" },
	{ "DEFER_IF_REJECT", 0, PS_DEFER_IF_REJECT, 450, "4.7.1",
	    "Service unavailable" },
	{ "550 5.7.23 Message rejected due to: SPF fail", 0, PS_REJECT, 550,
	    "5.7.23", "Message rejected due to: SPF fail" },
	{ "450 try later", 0, PS_REJECT, 450, "4.7.1", "try later" },
	{ "554 4.1.1 mended", 0, PS_REJECT, 554, "5.1.1", "mended" },
	{ "421", 0, PS_REJECT, 421, "4.7.1", "Service unavailable" },
	{ "250 fine", -1, PS_DUNNO, 0, "", "" },
	{ "5500 x", -1, PS_DUNNO, 0, "", "" },
	{ "PREPEND X-A: b", 0, PS_PREPEND, 0, "", "X-A: b" },
	{ "PREPEND", -1, PS_PREPEND, 0, "", "" },
	{ "HOLD why", 0, PS_HOLD, 0, "", "why" },
	{ "DISCARD", 0, PS_DISCARD, 0, "", "" },
	{ "WARN note", 0, PS_WARN, 0, "", "note" },
	{ "INFO note", 0, PS_WARN, 0, "", "note" },
	{ "FILTER smtp:x", 0, PS_UNSUPPORTED, 0, "", "smtp:x" },
	{ "REJECT a\x01z", 0, PS_REJECT, 550, "5.7.1", "a?z" },
	{ "BOGUS", -1, PS_DUNNO, 0, "", "" },
	{ "", -1, PS_DUNNO, 0, "", "" },
};

static const struct {
	const char *in;
	int rc, is_unix, port;
	const char *where;
} addrs[] = {
	{ "unix:/run/postgrey.sock", 0, 1, 0, "/run/postgrey.sock" },
	{ "inet:127.0.0.1:10023", 0, 0, 10023, "127.0.0.1" },
	{ "inet:localhost:12525", 0, 0, 12525, "localhost" },
	{ "inet:[::1]:10023", 0, 0, 10023, "::1" },
	{ "unix:relative", -1, 0, 0, "" },
	{ "unix:", -1, 0, 0, "" },
	{ "inet:127.0.0.1", -1, 0, 0, "" },
	{ "inet:127.0.0.1:0", -1, 0, 0, "" },
	{ "inet:127.0.0.1:65536", -1, 0, 0, "" },
	{ "inet::25", -1, 0, 0, "" },
	{ "inet:[::1]25", -1, 0, 0, "" },
	{ "tcp:1.2.3.4:25", -1, 0, 0, "" },
};

static void
test_actions(void)
{
	struct ps_verdict v;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		rc = polsvc_parse_action(actions[i].in, &v);
		is_int(rc, actions[i].rc, "action '%s': rc", actions[i].in);
		if (rc < 0)
			continue;
		ok(v.act == actions[i].act && v.code == actions[i].code,
		    "action '%s': kind %d code %d", actions[i].in, (int)v.act,
		    v.code);
		is_str(v.enh, actions[i].enh, "action '%s': status",
		    actions[i].in);
		is_str(v.text, actions[i].text, "action '%s': text",
		    actions[i].in);
	}
}

static void
test_addrs(void)
{
	struct svcaddr a;
	char err[300];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		rc = svcaddr_parse(addrs[i].in, &a, err, sizeof(err));
		is_int(rc, addrs[i].rc, "address '%s'", addrs[i].in);
		if (rc < 0) {
			ok(strstr(err, addrs[i].in) != NULL,
			    "the reason names it: %s", err);
			continue;
		}
		ok(a.is_unix == addrs[i].is_unix && a.port == addrs[i].port &&
		        strcmp(a.is_unix ? a.path : a.host, addrs[i].where) ==
		            0,
		    "address '%s' parsed", addrs[i].in);
	}
	svcaddr_parse("unix:/nonexistent/dir/sock", &a, err, sizeof(err));
	ok(svcaddr_connect(&a, 1, err, sizeof(err)) < 0 &&
	        strstr(err, "/nonexistent/dir/sock") != NULL,
	    "connect to a missing socket fails with the reason: %s", err);
}

static void
on_warn(void *arg, const char *msg)
{
	(void)arg, (void)msg;
}

static void
on_line(void *arg, const char *line)
{
	char *all = arg;
	size_t n = strlen(all);

	if (n + strlen(line) + 2 < 4096)
		snprintf(all + n, 4096 - n, "%s\n", line);
}

static struct conf *
load(const char *text, char *err, size_t errlen)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	struct conf *c;

	err[0] = '\0';
	c = conf_load_fp(fp, "test.conf", NULL, err, errlen, on_warn, NULL);
	fclose(fp);
	return c;
}

static void
test_conf(void)
{
	char err[512], dump[4096] = "";
	struct conf *c;

	c = load("PARAM policy-service grey unix:/run/pg.sock\n"
	         "PARAM policy-service spf inet:127.0.0.1:10027\n"
	         "PARAM policy-service-timeout 3\n"
	         "PARAM policy-service-failure dunno\n",
	    err, sizeof(err));
	ok(c != NULL, "two services load: %s", err);
	if (c == NULL)
		return;
	is_int(c->npolicy_service, 2, "two services, in order");
	is_str(c->policy_service[1].a, "spf", "the second's name");
	is_str(c->policy_service[1].b, "inet:127.0.0.1:10027",
	    "the second's address");
	is_int(c->policy_service_timeout, 3, "timeout");
	is_str(c->policy_service_failure, "dunno", "failure mode");
	conf_dump(c, on_line, dump);
	ok(strstr(dump, "policy-service = grey unix:/run/pg.sock\n") != NULL,
	    "the dump shows each service");
	conf_free(c);

	c = conf_defaults();
	is_str(c->policy_service_failure, "tempfail", "default: tempfail");
	is_int(c->policy_service_timeout, 10, "default timeout 10");
	is_int(c->npolicy_service, 0, "default: no service");
	conf_free(c);

	c = load("PARAM maxsize 1000\nPARAM policy-service x unix:rel\n", err,
	    sizeof(err));
	ok(c == NULL && strstr(err, "test.conf:2:") != NULL,
	    "a bad address: file:line (%s)", err);
	c = load("PARAM policy-service x unix:/a\n"
	         "PARAM policy-service x unix:/b\n",
	    err, sizeof(err));
	ok(c == NULL && strstr(err, "given twice") != NULL,
	    "a name given twice (%s)", err);
	c = load("PARAM policy-service x\n", err, sizeof(err));
	ok(c == NULL && strstr(err, "test.conf:1:") != NULL,
	    "a missing address (%s)", err);
	c = load("PARAM policy-service-failure maybe\n", err, sizeof(err));
	ok(c == NULL, "a bad failure mode (%s)", err);
}

/* One exchange: what the peer has already written, the result. */
static int
exchange(const char *reply, size_t len, int close_peer, char *action, char *err,
    char *req_seen)
{
	struct ps_conn c;
	int sv[2], rc;
	ssize_t n;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	memset(&c, 0, sizeof(c));
	c.name = "test";
	svcaddr_parse("unix:/nonexistent/sock", &c.addr, err, 300);
	c.fd = sv[0];
	if (len)
		n = write(sv[1], reply, len);
	if (close_peer)
		shutdown(sv[1], SHUT_WR);
	action[0] = err[0] = '\0';
	rc = psio_ask(&c, 1, "request=smtpd_access_policy\n\n", 29, action,
	    PS_REPLY_MAX, err, 300);
	n = read(sv[1], req_seen, 100);
	req_seen[n > 0 ? n : 0] = '\0';
	psio_close(&c);
	close(sv[1]);
	return rc;
}

static void
test_io(void)
{
	char action[PS_REPLY_MAX], err[300], seen[128];
	char *big = malloc(PS_REPLY_MAX + 100);
	int rc;

	rc = exchange("action=DUNNO\n\n", 14, 0, action, err, seen);
	ok(rc == 0, "a reply: %s", err);
	is_str(action, "DUNNO", "its action");
	is_str(seen, "request=smtpd_access_policy\n\n", "the request sent");
	rc = exchange("foo=bar\naction=REJECT x y\nother=1\n\n", 35, 0, action,
	    err, seen);
	ok(rc == 0 && strcmp(action, "REJECT x y") == 0,
	    "other attributes ignored: '%s'", action);
	rc = exchange("action=OK\r\n\r\n", 13, 0, action, err, seen);
	ok(rc == 0 && strcmp(action, "OK") == 0, "CRLF lines taken: '%s'",
	    action);
	rc = exchange("foo=bar\n\n", 9, 0, action, err, seen);
	ok(rc < 0 && strstr(err, "without action") != NULL, "no action: %s",
	    err);
	rc = exchange("action=OK\n\nmore", 15, 0, action, err, seen);
	ok(rc < 0 && strstr(err, "malformed") != NULL,
	    "bytes after the end: %s", err);
	memset(big, 'x', PS_REPLY_MAX + 100);
	memcpy(big, "action=", 7);
	rc = exchange(big, PS_REPLY_MAX + 100, 0, action, err, seen);
	ok(rc < 0 && strstr(err, "too long") != NULL, "too long: %s", err);
	rc = exchange("", 0, 0, action, err, seen);
	ok(rc < 0 && strstr(err, "timeout") != NULL, "silence: %s", err);
	rc = exchange("action=O", 8, 1, action, err, seen);
	ok(rc < 0 && strstr(err, "lost") != NULL, "cut short: %s", err);
	rc = exchange("", 0, 1, action, err, seen);
	ok(rc < 0 && strstr(err, "nonexistent") != NULL,
	    "a reused connection closed: one new connect, which fails: %s",
	    err);
	free(big);
}

int
main(void)
{
	test_actions();
	test_addrs();
	test_conf();
	test_io();
	return tap_done();
}
