/*
 * envelope_test.c - golden envelopes byte for byte (ZMailer's router
 * format), the standalone Received: header, and injection attempts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spool.h"
#include "tap.h"

#define CIPHER "TLS_AES_256_GCM_SHA384 keybits 256/256 version TLSv1.3"

static const struct env_rcpt one_rcpt[] = {
	{ "user@example.org", NULL, NULL, NULL, 0 },
};
static const struct env_rcpt pm_rcpt[] = {
	{ "postmaster@example.org", NULL, NULL, NULL, 0 },
};
static const struct env_rcpt dsn_rcpts[] = {
	{ "a@example.org", "SUCCESS,FAILURE", "rfc822;a+2Bb@example.org",
	    "3600;N", 0 },
	{ "b@example.org", "NEVER", NULL, "3600;RT", 0 },
	{ "b+c=d@example.org", NULL, NULL, NULL, 2 },
	{ "j\xc3\xb6rg@example.org", "delay", NULL, "60;N", 0 },
};
static const char *const rejected[] = { "evil@example.net" };

static const struct envelope e_full = {
	.external = 1,
	.rhost = "mail.example.com",
	.ip = "192.0.2.1",
	.rport = 40000,
	.helo_line = "EHLO mail.example.com",
	.ident = "joe",
	.whoson = "alice",
	.auth_user = "alice",
	.show_auth = 1,
	.show_tls_mode = 1,
	.show_tls_peer = 1,
	.show_ident = 1,
	.show_whoson = 1,
	.tls_cipher = CIPHER,
	.tls_peer = "client.example",
	.rhost_flags = { 'O', 'O', 'F', 'X' },
	.bodytype = "8BITMIME",
	.with = "ESMTPSA",
	.identinfo = "joe",
	.from = "sender@example.com",
	.rcpts = one_rcpt,
	.nrcpts = 1,
};

static const char g_full[] =
    "external\n"
    "comment smtp-auth: \"alice\"\n"
    "rcvdfrom mail.example.com ([192.0.2.1]:40000 \"EHLO mail.example.com\""
    " ident: \"joe\" whoson: \"alice\" smtp-auth: \"alice\" TLS-CIPHER: "
    "\"" CIPHER
    "\" TLS-PEER-CN1: \"client.example\" rhost-flags-OK-OK-FAIL-X)\n"
    "comment mail.example.com [192.0.2.1]:40000 \"EHLO mail.example.com\""
    " whoson: \"alice\" smtp-auth: \"alice\" TLS-CIPHER: \"" CIPHER "\""
    " TLS-PEER: \"client.example\" rhost-flags-OK-OK-FAIL-X)\n"
    "bodytype 8BITMIME\n"
    "with ESMTPSA\n"
    "identinfo joe\n"
    "from <sender@example.com>\n"
    "todsn NOTIFY=FAILURE,DELAY ORCPT=rfc822;user@example.org"
    " INRCPT=rfc822;user@example.org INFROM=rfc822;sender@example.com\n"
    "to <user@example.org>\n"
    "env-end\n";

/* No show flags, no PTR, IPv6, null sender. */
static const struct envelope e_null = {
	.external = 1,
	.rhost = "[IPv6:2001:db8::1]",
	.ip = "2001:db8::1",
	.ipv6 = 1,
	.rport = 25000,
	.helo_line = "HELO x",
	.ident = "IDENT-NOT-QUERIED",
	.rhost_flags = { 'X', 'X', 'X', 'X' },
	.with = "SMTP",
	.from = "",
	.rcpts = pm_rcpt,
	.nrcpts = 1,
};

static const char g_null[] =
    "external\n"
    "rcvdfrom [IPv6:2001:db8::1] ([IPv6:2001:db8::1]:25000 \"HELO x\""
    " rhost-flags-X-X-X-X)\n"
    "comment [IPv6:2001:db8::1] [IPv6:2001:db8::1]:25000 \"HELO x\""
    " smtp-auth: <none> TLS-CIPHER: <none> TLS-PEER: <none>"
    " rhost-flags-X-X-X-X)\n"
    "with SMTP\n"
    "channel error\n"
    "todsn NOTIFY=FAILURE,DELAY ORCPT=rfc822;postmaster@example.org"
    " INRCPT=rfc822;postmaster@example.org INFROM=rfc822;\n"
    "to <postmaster@example.org>\n"
    "env-end\n";

/* Show flags set but nothing to show; no TLS. */
static const struct envelope e_none = {
	.external = 1,
	.rhost = "h.example",
	.ip = "198.51.100.7",
	.rport = 1,
	.helo_line = "EHLO h.example",
	.show_auth = 1,
	.show_tls_mode = 1,
	.show_tls_peer = 1,
	.show_ident = 1,
	.show_whoson = 1,
	.tls_peer = "ignored without TLS",
	.with = "ESMTP",
	.from = "s@h.example",
	.rcpts = one_rcpt,
	.nrcpts = 1,
};

static const char g_none[] =
    "external\n"
    "rcvdfrom h.example ([198.51.100.7]:1 \"EHLO h.example\" smtp-auth:"
    " <none> TLS-CIPHER: <none> TLS-PEER-CN1: <none> rhost-flags-X-X-X-X)\n"
    "comment h.example [198.51.100.7]:1 \"EHLO h.example\" smtp-auth:"
    " <none> TLS-CIPHER: <none> TLS-PEER: <none> rhost-flags-X-X-X-X)\n"
    "with ESMTP\n"
    "from <s@h.example>\n"
    "todsn NOTIFY=FAILURE,DELAY ORCPT=rfc822;user@example.org"
    " INRCPT=rfc822;user@example.org INFROM=rfc822;s@h.example\n"
    "to <user@example.org>\n"
    "env-end\n";

/* Local (-i) session with DSN, freeze and a refused recipient. */
static const struct envelope e_dsn = {
	.bodytype = "7BIT",
	.with = "ESMTP",
	.from = "s@example.com",
	.freeze = 1,
	.envid = "QQ+2B1",
	.notaryret = "HDRS",
	.rcpts = dsn_rcpts,
	.nrcpts = 4,
	.rejected = rejected,
	.nrejected = 1,
};

static const char g_dsn[] =
    "bodytype 7BIT\n"
    "with ESMTP\n"
    "from <s@example.com>\n"
    "comment policytest() reported freeze state\n"
    "envid QQ+2B1\n"
    "notaryret HDRS\n"
    "todsn NOTIFY=SUCCESS,FAILURE,DELAY BY=3600;N"
    " ORCPT=rfc822;a+2Bb@example.org INRCPT=rfc822;a@example.org"
    " INFROM=rfc822;s@example.com\n"
    "to <a@example.org>\n"
    "todsn NOTIFY=NEVER,TRACE BY=3600;RT ORCPT=rfc822;b@example.org"
    " INRCPT=rfc822;b@example.org INFROM=rfc822;s@example.com\n"
    "to <b@example.org>\n"
    "todsn NOTIFY=FAILURE,DELAY ORCPT=rfc822;b+2Bc+3Dd@example.org"
    " INRCPT=rfc822;b+2Bc+3Dd@example.org INFROM=rfc822;s@example.com\n"
    "to <b+c=d@example.org>\n"
    "comment policytest() reported freeze state 2\n"
    "todsn NOTIFY=delay BY=60;N ORCPT=rfc822;j+C3+B6rg@example.org"
    " INRCPT=rfc822;j+C3+B6rg@example.org INFROM=rfc822;s@example.com\n"
    "to <j\xc3\xb6rg@example.org>\n"
    "comment policytest() rejected rcptaddr: <evil@example.net>\n"
    "env-end\n";

/* Client strings that try to add envelope lines. */
static const struct envelope e_inject = {
	.external = 1,
	.rhost = "bad\r\nto <evil@x>\\",
	.ip = "192.0.2.9",
	.rport = 2,
	.helo_line = "EHLO x\r\nto <evil@x> \"a(b)\\c\"\xff",
	.ident = "joe\nto <evil@x>",
	.show_ident = 1,
	.auth_user = "u\"\n",
	.show_auth = 1,
	.rhost_flags = { 'O', '\n', 0, 'F' },
	.with = "ESMTPA",
	.identinfo = "joe\r\nto <evil@x>",
	.from = "s@example.com",
	.rcpts = one_rcpt,
	.nrcpts = 1,
};

static const char g_inject[] =
    "external\n"
    "comment smtp-auth: \"u\\\"\\012\"\n"
    "rcvdfrom bad\\015\\012to <evil@x>\\134 ([192.0.2.9]:2"
    " \"EHLO x\\015\\012to <evil@x> \\\"a\\(b\\)\\\\c\\\"\\377\""
    " ident: \"joe\\012to <evil@x>\" smtp-auth: \"u\\\"\\012\""
    " rhost-flags-OK-X-X-FAIL)\n"
    "comment bad\\015\\012to <evil@x>\\134 [192.0.2.9]:2"
    " \"EHLO x\\015\\012to <evil@x> \\\"a\\(b\\)\\\\c\\\"\\377\""
    " smtp-auth: \"u\\\"\\012\" TLS-CIPHER: <none> TLS-PEER: <none>"
    " rhost-flags-OK-X-X-FAIL)\n"
    "with ESMTPA\n"
    "identinfo joe\\015\\012to <evil@x>\n"
    "from <s@example.com>\n"
    "todsn NOTIFY=FAILURE,DELAY ORCPT=rfc822;user@example.org"
    " INRCPT=rfc822;user@example.org INFROM=rfc822;s@example.com\n"
    "to <user@example.org>\n"
    "env-end\n";

static const struct {
	const struct envelope *env;
	const char *want;
	const char *what;
} golden[] = {
	{ &e_full, g_full, "network session, every show flag" },
	{ &e_null, g_null, "null sender, IPv6, no PTR, no show flags" },
	{ &e_none, g_none, "show flags with nothing to show" },
	{ &e_dsn, g_dsn, "local session: DSN, freeze, refused rcpt" },
	{ &e_inject, g_inject, "CR/LF/quotes in HELO, rhost, ident, auth" },
};

/* Line starts in text that begin with "to " (only real recipients). */
static int
count_to_lines(const char *s)
{
	int n = 0;

	for (; s != NULL && *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : "")
		if (strncmp(s, "to ", 3) == 0)
			n++;
	return n;
}

static void
test_golden(void)
{
	size_t i, len;
	char *got;

	for (i = 0; i < sizeof(golden) / sizeof(golden[0]); i++) {
		got = envelope_format(golden[i].env, &len);
		is_str(got, golden[i].want, "envelope: %s", golden[i].what);
		is_int(
		    len, strlen(golden[i].want), "length: %s", golden[i].what);
		free(got);
	}
	got = envelope_format(&e_inject, NULL);
	is_int(count_to_lines(got), 1, "injection adds no \"to\" line");
	free(got);
}

static const struct env_rcpt bad_addr[] = {
	{ "a@x\r\nto <evil@x>", NULL, NULL, NULL, 0 },
};
static const struct env_rcpt bad_notify[] = {
	{ "a@x", "SUCCESS ORCPT=rfc822;evil", NULL, NULL, 0 },
};
static const struct env_rcpt bad_orcpt[] = {
	{ "a@x", NULL, "rfc822;a\nto <evil@x>", NULL, 0 },
};
static const struct env_rcpt bad_by[] = {
	{ "a@x", NULL, NULL, "1;R\n", 0 },
};
static const char *const bad_rej[] = { "ok@x", "x\nto <evil@x>" };

static void
test_refused(void)
{
	static const struct {
		const char *from, *envid, *ret;
		const struct env_rcpt *r;
		const char *const *rej;
		size_t nrej;
		const char *field, *what;
	} c[] = {
		{ "s@x\nto <evil@x>", NULL, NULL, one_rcpt, NULL, 0, "sender",
		    "LF in sender" },
		{ "s@x", "id\r", NULL, one_rcpt, NULL, 0, "ENVID",
		    "CR in ENVID" },
		{ "s@x", NULL, "FULL\n", one_rcpt, NULL, 0, "RET",
		    "LF in RET" },
		{ "s@x", NULL, NULL, bad_addr, NULL, 0, "recipient #0",
		    "CRLF in recipient" },
		{ "s@x", NULL, NULL, bad_notify, NULL, 0, "DSN",
		    "space in NOTIFY" },
		{ "s@x", NULL, NULL, bad_orcpt, NULL, 0, "DSN", "LF in ORCPT" },
		{ "s@x", NULL, NULL, bad_by, NULL, 0, "DSN", "LF in BY" },
		{ "s@x", NULL, NULL, one_rcpt, bad_rej, 2,
		    "rejected recipient #1", "LF in refused recipient" },
	};
	struct envelope e;
	char err[128];
	size_t i;
	char *got;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		memset(&e, 0, sizeof(e));
		e.from = c[i].from;
		e.envid = c[i].envid;
		e.notaryret = c[i].ret;
		e.rcpts = c[i].r;
		e.nrcpts = 1;
		e.rejected = c[i].rej;
		e.nrejected = c[i].nrej;
		errno = 0;
		got = envelope_format(&e, NULL);
		ok(got == NULL && errno == EINVAL, "refused: %s", c[i].what);
		free(got);
		err[0] = '\0';
		ok(envelope_check(&e, err, sizeof(err)) == -1 &&
		        strstr(err, c[i].field) != NULL,
		    "reason names %s: %s", c[i].field, err);
	}
}

static const struct env_rcpt two_rcpts[] = {
	{ "a@example.org", NULL, NULL, NULL, 0 },
	{ "b@example.org", NULL, NULL, NULL, 0 },
};

static void
test_received(void)
{
	struct envelope e2 = e_null, e3;
	const struct {
		const struct envelope *env;
		const char *tz, *want, *what;
	} c[] = {
		{ &e_full, "UTC",
		    "Received: from mail.example.com (mail.example.com"
		    " [192.0.2.1])\n\tby mx.example.net with ESMTPSA id S1X\n"
		    "\tfor <user@example.org>; Wed, 25 Nov 2026 14:40:14 "
		    "+0000\n",
		    "named client, one recipient" },
		{ &e2, "EST5",
		    "Received: from [IPv6:2001:db8::1] ([IPv6:2001:db8::1])\n"
		    "\tby mx.example.net with ESMTPS id S1X;"
		    " Wed, 25 Nov 2026 09:40:14 -0500\n",
		    "bad HELO, no PTR, SUBMITS, two recipients" },
		{ &e3, "IST-5:30",
		    "Received: by mx.example.net with SMTP id S1X;"
		    " Wed, 25 Nov 2026 20:10:14 +0530\n",
		    "local BSMTP, no recipient" },
	};
	size_t i, len;
	char *got;

	e2.helo_line = "EHLO bad(helo";
	e2.with = "SUBMITS";
	e2.rcpts = two_rcpts;
	e2.nrcpts = 2;
	memset(&e3, 0, sizeof(e3));
	e3.with = "BSMTP";
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct envelope e = *c[i].env;

		e.when = 1795617614;
		setenv("TZ", c[i].tz, 1);
		tzset();
		got = envelope_received(&e, "mx.example.net", "S1X", &len);
		is_str(got, c[i].want, "Received: %s", c[i].what);
		is_int(len, got ? strlen(got) : 0, "Received: length");
		free(got);
	}
}

int
main(void)
{
	test_golden();
	test_refused();
	test_received();
	return tap_done();
}
