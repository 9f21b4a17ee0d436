/*
 * callout_test.c - recipient verification by callout: reply lines, the
 * rcpt-verify line syntax, the dialogue against a scripted next hop on a
 * unix socket (multiline and over-long replies, HELO after a refused
 * EHLO, LHLO, 4xx/5xx, garbage, silence, no listener), the shared cache
 * (TTLs, case, concurrent writers) and the per-second bound of the
 * scoreboard across processes.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <gdbm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "callout.h"
#include "conf.h"
#include "scoreboard.h"
#include "tap.h"
#include "tmpdir.h"

static const struct {
	const char *line;
	int rc, code, more;
} replies[] = {
	{ "250 ok", 0, 250, 0 },
	{ "250-first", 0, 250, 1 },
	{ "550", 0, 550, 0 },
	{ "451 4.3.0 later", 0, 451, 0 },
	{ "199 low", -1, 0, 0 },
	{ "600 high", -1, 0, 0 },
	{ "25 short", -1, 0, 0 },
	{ "2500 long", -1, 0, 0 },
	{ "abc", -1, 0, 0 },
	{ "", -1, 0, 0 },
};

static void
test_replies(void)
{
	size_t i;
	int code, more, rc;

	for (i = 0; i < sizeof(replies) / sizeof(replies[0]); i++) {
		code = more = 0;
		rc = callout_reply_line(
		    replies[i].line, strlen(replies[i].line), &code, &more);
		is_int(rc, replies[i].rc, "reply '%s'", replies[i].line);
		if (rc == 0) {
			is_int(code, replies[i].code, "its code");
			is_int(more, replies[i].more, "its continuation");
		}
	}
}

static const struct {
	const char *dom, *proto, *target;
	int rc;
	const char *want; /* hop->dom, or a piece of the reason */
} hops[] = {
	{ "Example.ORG.", "lmtp", "unix:/run/dovecot/lmtp", 0, "example.org" },
	{ "example.org", "SMTP", "[192.0.2.1]:25", 0, "example.org" },
	{ "example.org", "smtp", "[IPv6:2001:db8::1]:2525", 0, "example.org" },
	{ "example.org", "esmtp", "[192.0.2.1]:25", -1, "smtp or lmtp" },
	{ "example.org", "smtp", "mx.example.org:25", -1, "target" },
	{ "example.org", "smtp", "[192.0.2.1]", -1, "target" },
	{ "example.org", "smtp", "[192.0.2.1]:0", -1, "target" },
	{ "example.org", "smtp", "[192.0.2.1]:65536", -1, "target" },
	{ "example.org", "smtp", "[192.0.2.1]:25x", -1, "target" },
	{ "example.org", "smtp", "[999.0.2.1]:25", -1, "target" },
	{ "example.org", "lmtp", "unix:relative/path", -1, "target" },
	{ "example.org", "lmtp",
	    "unix:/a/very/long/path/that/goes/on/and/on/and/on/and/on/and/on/"
	    "and/on/and/on/and/on/and/on/and/on/and/on/and/on/and/on/lmtp",
	    -1, "target" },
	{ "exa mple.org", "smtp", "[192.0.2.1]:25", -1, "not a domain" },
	{ "[192.0.2.1]", "smtp", "[192.0.2.1]:25", -1, "not a domain" },
	{ "", "smtp", "[192.0.2.1]:25", -1, "not a domain" },
};

/* rcpt-verify lines in smtpserver.conf: checked as they are read. */
static void
test_conf(void)
{
	char path[600], err[600];
	struct conf *c;

	tmp_write("good.conf",
	    "PARAM rcpt-verify example.org lmtp unix:/run/dovecot/lmtp\n"
	    "PARAM rcpt-verify example.com smtp [192.0.2.25]:25\n"
	    "PARAM rcpt-verify-cache /var/db/callout\n");
	tmp_path("good.conf", path, sizeof(path));
	c = conf_load(path, NULL, err, sizeof(err), NULL, NULL);
	ok(c != NULL, "two rcpt-verify lines load: %s", c ? "" : err);
	if (c != NULL) {
		is_int((int)c->nrcpt_verify, 2, "two hops");
		is_str(c->rcpt_verify[1].c, "[192.0.2.25]:25", "the target");
		is_int(c->rcpt_verify_pos_ttl, 86400, "positive TTL default");
		is_int(c->rcpt_verify_neg_ttl, 3600, "negative TTL default");
		is_int(c->rcpt_verify_rate, 20, "rate default");
		conf_free(c);
	}
	tmp_write("bad.conf",
	    "PARAM rcpt-verify example.org lmtp unix:/run/dovecot/lmtp\n"
	    "PARAM rcpt-verify example.com smtp mx.example.com:25\n");
	tmp_path("bad.conf", path, sizeof(path));
	c = conf_load(path, NULL, err, sizeof(err), NULL, NULL);
	ok(c == NULL &&
	        strstr(err,
	            "bad.conf:2: PARAM rcpt-verify "
	            "example.com: the target must be") != NULL,
	    "a bad line: file:line and the reason: %s", err);
	conf_free(c);
}

static void
test_hops(void)
{
	struct callout_hop hop;
	struct callout_conf cf = { 0 };
	struct callout_hop two[2];
	char err[300];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(hops) / sizeof(hops[0]); i++) {
		err[0] = '\0';
		rc = callout_hop_parse(hops[i].dom, hops[i].proto,
		    hops[i].target, &hop, err, sizeof(err));
		is_int(rc, hops[i].rc, "rcpt-verify %s %s %s", hops[i].dom,
		    hops[i].proto, hops[i].target);
		if (rc == 0)
			is_str(hop.dom, hops[i].want, "its domain");
		else
			ok(strstr(err, hops[i].want) != NULL, "reason: %s",
			    err);
	}
	callout_hop_parse(
	    "a.example", "smtp", "[127.0.0.1]:25", &two[0], err, sizeof(err));
	callout_hop_parse(
	    "b.example", "lmtp", "unix:/x", &two[1], err, sizeof(err));
	cf.hops = two;
	cf.nhops = 2;
	ok(callout_hop_find(&cf, "b.example") == &two[1], "find b.example");
	ok(callout_hop_find(&cf, "c.example") == NULL, "no c.example");
}

/*
 * The scripted next hop: a child that accepts one connection on path,
 * says greet, then answers each line it reads with the next of answers
 * (NULL: close), writing what it read into log.
 */
static pid_t
peer(const char *path, const char *log, const char *greet,
    const char *const *answers)
{
	struct sockaddr_un su = { .sun_family = AF_UNIX };
	char line[4096];
	size_t n;
	int l, c;
	FILE *in, *lg;
	pid_t pid;

	unlink(path);
	if (strlen(path) >= sizeof(su.sun_path)) {
		fprintf(stderr, "peer: %s: path too long\n", path);
		exit(2);
	}
	memcpy(su.sun_path, path, strlen(path) + 1);
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&su, sizeof(su)) < 0 ||
	    listen(l, 1) < 0) {
		perror("peer");
		exit(2);
	}
	if ((pid = fork()) != 0) {
		close(l);
		return pid;
	}
	alarm(20);
	if ((c = accept(l, NULL, NULL)) < 0 || (lg = fopen(log, "w")) == NULL)
		_exit(2);
	if (greet == NULL) { /* silent */
		pause();
		_exit(0);
	}
	in = fdopen(dup(c), "r");
	(void)!write(c, greet, strlen(greet));
	for (n = 0; answers[n] != NULL && fgets(line, sizeof(line), in); n++) {
		fputs(line, lg);
		fflush(lg);
		(void)!write(c, answers[n], strlen(answers[n]));
	}
	_exit(0);
}

static const char *const known[] = { "250-peer\r\n250 PIPELINING\r\n",
	"250 2.1.0 ok\r\n", "250 2.1.5 ok\r\n", "250 2.0.0 ok\r\n",
	"221 bye\r\n", NULL };
static const char *const unknown[] = { "250 peer\r\n", "250 ok\r\n",
	"550 5.1.1 no such user\r\n", "250 ok\r\n", "221 bye\r\n", NULL };
static const char *const busy[] = { "250 peer\r\n", "250 ok\r\n",
	"452 4.2.2 mailbox full\r\n", "250 ok\r\n", "221 bye\r\n", NULL };
static const char *const helo[] = { "502 5.5.2 no EHLO\r\n", "250 peer\r\n",
	"250 ok\r\n", "250 ok\r\n", "250 ok\r\n", "221 bye\r\n", NULL };
static const char *const nomail[] = { "250 peer\r\n",
	"553 5.7.1 no null sender\r\n", NULL };
static const char *const none[] = { NULL };

static char long_greet[3000], many_greet[1200];

#define SAID(hello, mail, rcpt)                                                \
	hello " mx.test\r\nMAIL FROM:<>" mail "\r\nRCPT TO:<" rcpt             \
	      ">\r\nRSET\r\nQUIT\r\n"
#define JOE "joe@example.org"
#define UJOE                                                                   \
	"j\xc3\xb6"                                                            \
	"e@example.org"

static const char *const utf8[] = { "250-peer\r\n250 SMTPUTF8\r\n",
	"250 ok\r\n", "250 ok\r\n", "250 ok\r\n", "221 bye\r\n", NULL };

static const struct {
	const char *name;
	enum callout_proto proto;
	const char *greet;
	const char *const *answers;
	const char *addr;
	enum callout_result want;
	const char *why;  /* piece of why */
	const char *sent; /* what the next hop read, or NULL */
} runs[] = {
	{ "known", CALLOUT_SMTP, "220 peer ESMTP\r\n", known, JOE,
	    CALLOUT_KNOWN, "250 2.1.5", SAID("EHLO", "", JOE) },
	{ "unknown", CALLOUT_SMTP, "220 peer\r\n", unknown, JOE,
	    CALLOUT_UNKNOWN, "550 5.1.1 no such user", NULL },
	{ "4xx to RCPT", CALLOUT_SMTP, "220 peer\r\n", busy, JOE, CALLOUT_TEMP,
	    "452 4.2.2", NULL },
	{ "HELO after a refused EHLO", CALLOUT_SMTP, "220 peer\r\n", helo, JOE,
	    CALLOUT_KNOWN, "250", "EHLO mx.test\r\n" SAID("HELO", "", JOE) },
	{ "LMTP", CALLOUT_LMTP, "220 lmtp\r\n", known, JOE, CALLOUT_KNOWN,
	    "250", SAID("LHLO", "", JOE) },
	{ "UTF-8 address, SMTPUTF8 offered", CALLOUT_SMTP, "220 peer\r\n", utf8,
	    UJOE, CALLOUT_KNOWN, "250", SAID("EHLO", " SMTPUTF8", UJOE) },
	{ "UTF-8 address, no SMTPUTF8", CALLOUT_SMTP, "220 peer\r\n", known,
	    UJOE, CALLOUT_KNOWN, "no SMTPUTF8", "EHLO mx.test\r\nQUIT\r\n" },
	{ "MAIL refused", CALLOUT_SMTP, "220 peer\r\n", nomail, JOE,
	    CALLOUT_TEMP, "MAIL: 553", NULL },
	{ "greeting 554", CALLOUT_SMTP, "554 go away\r\n", none, JOE,
	    CALLOUT_TEMP, "greeting: 554", NULL },
	{ "garbage", CALLOUT_SMTP, "hello there\r\n", none, JOE, CALLOUT_TEMP,
	    "not a reply", NULL },
	{ "closed", CALLOUT_SMTP, "220 peer\r\n", none, JOE, CALLOUT_TEMP,
	    "EHLO: ", NULL },
	{ "over-long line", CALLOUT_SMTP, long_greet, known, JOE, CALLOUT_KNOWN,
	    "250", NULL },
	{ "a reply of 101 lines", CALLOUT_SMTP, many_greet, known, JOE,
	    CALLOUT_TEMP, "more than 100 lines", NULL },
	{ "silent", CALLOUT_SMTP, NULL, none, JOE, CALLOUT_TEMP, "timed out",
	    NULL },
};

static void
test_runs(void)
{
	struct callout_conf cf = { .conn_tmo = 2, .reply_tmo = 1 };
	struct callout_hop hop;
	char sock[600], log[600], target[700], why[300], text[4096];
	enum callout_result r;
	FILE *fp;
	size_t i, n;
	pid_t pid;

	snprintf(cf.helo, sizeof(cf.helo), "mx.test");
	memset(long_greet, 'x', sizeof(long_greet));
	memcpy(long_greet, "220-", 4);
	snprintf(
	    long_greet + 2000, sizeof(long_greet) - 2000, "\r\n220 peer\r\n");
	for (i = 0; i < 101; i++)
		memcpy(many_greet + 10 * i, "220-line\r\n", 10);
	memcpy(many_greet + 1010, "220 end\r\n", 10);
	tmp_path("peer.sock", sock, sizeof(sock));
	tmp_path("peer.log", log, sizeof(log));
	snprintf(target, sizeof(target), "unix:%s", sock);
	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		callout_hop_parse("example.org",
		    runs[i].proto == CALLOUT_LMTP ? "lmtp" : "smtp", target,
		    &hop, why, sizeof(why));
		pid = peer(sock, log, runs[i].greet, runs[i].answers);
		why[0] = '\0';
		r = callout_run(&cf, &hop, runs[i].addr, why, sizeof(why));
		is_int(r, runs[i].want, "%s", runs[i].name);
		ok(strstr(why, runs[i].why) != NULL, "%s: why '%s'",
		    runs[i].name, why);
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		if (runs[i].sent != NULL) {
			fp = fopen(log, "r");
			n = fp ? fread(text, 1, sizeof(text) - 1, fp) : 0;
			text[n] = '\0';
			if (fp)
				fclose(fp);
			is_str(text, runs[i].sent, "%s: what the next hop read",
			    runs[i].name);
		}
	}
	unlink(sock);
	r = callout_run(&cf, &hop, "joe@example.org", why, sizeof(why));
	is_int(r, CALLOUT_TEMP, "no listener: TEMP");
	ok(strstr(why, "connect to unix:") != NULL, "why: %s", why);
	r = callout_run(&cf, &hop, "joe\r\nDATA@example.org", why, sizeof(why));
	is_int(r, CALLOUT_TEMP, "an address with CR LF is never sent");
}

/* Keys in the cache file (path without ".gdbm"). */
static int
keys(const char *path)
{
	char file[700];
	GDBM_FILE db;
	datum k, next;
	int n = 0;

	snprintf(file, sizeof(file), "%s.gdbm", path);
	if ((db = gdbm_open(file, 0, GDBM_READER, 0, NULL)) == NULL)
		return -1;
	for (k = gdbm_firstkey(db); k.dptr != NULL; k = next, n++) {
		next = gdbm_nextkey(db, k);
		free(k.dptr);
	}
	gdbm_close(db);
	return n;
}

static void
test_cache(void)
{
	struct callout_conf cf = { .pos_ttl = 100, .neg_ttl = 10 };
	char path[600], err[300];
	enum callout_result r;
	int i, k, bad;
	pid_t pid;

	tmp_path("cache", path, sizeof(path));
	cf.cache = path;
	r = callout_cache_get(&cf, "joe@example.org", 1000, err, sizeof(err));
	is_int(r, CALLOUT_MISS, "no cache file yet: miss");
	is_str(err, "", "... and no error");
	is_int(callout_cache_put(&cf, "joe@Example.ORG", CALLOUT_KNOWN, 1000,
	           err, sizeof(err)),
	    0, "put known");
	is_int(callout_cache_put(&cf, "bob@example.org", CALLOUT_UNKNOWN, 1000,
	           err, sizeof(err)),
	    0, "put unknown");
	callout_cache_put(
	    &cf, "tmp@example.org", CALLOUT_TEMP, 1000, err, sizeof(err));
	is_int(callout_cache_get(&cf, "joe@example.org", 1099, err, 300),
	    CALLOUT_KNOWN, "known within its TTL (domain case ignored)");
	is_int(callout_cache_get(&cf, "joe@example.org", 1100, err, 300),
	    CALLOUT_MISS, "known past its TTL: miss");
	is_int(callout_cache_get(&cf, "Joe@example.org", 1000, err, 300),
	    CALLOUT_MISS, "local part case matters");
	is_int(callout_cache_get(&cf, "bob@example.org", 1009, err, 300),
	    CALLOUT_UNKNOWN, "unknown within the negative TTL");
	is_int(callout_cache_get(&cf, "bob@example.org", 1010, err, 300),
	    CALLOUT_MISS, "unknown past it: miss");
	is_int(callout_cache_get(&cf, "bob@example.org", 999, err, 300),
	    CALLOUT_MISS, "an entry from the future: miss");
	is_int(callout_cache_get(&cf, "tmp@example.org", 1000, err, 300),
	    CALLOUT_MISS, "temporary failures are not cached");
	cf.neg_ttl = 0;
	callout_cache_put(
	    &cf, "ann@example.org", CALLOUT_UNKNOWN, 1000, err, sizeof(err));
	cf.neg_ttl = 10;
	is_int(callout_cache_get(&cf, "ann@example.org", 1000, err, 300),
	    CALLOUT_MISS, "negative TTL 0: not stored");

	/* four writers at once, then every answer is there */
	for (k = 0; k < 4; k++)
		if ((pid = fork()) == 0) {
			char a[64];

			for (i = 0; i < 100; i++) {
				snprintf(
				    a, sizeof(a), "u%d.%d@example.org", k, i);
				if (callout_cache_put(&cf, a, CALLOUT_KNOWN,
				        2000, err, sizeof(err)) < 0)
					_exit(1);
			}
			_exit(0);
		}
	for (k = bad = 0; k < 4; k++) {
		int st;

		wait(&st);
		bad += !WIFEXITED(st) || WEXITSTATUS(st) != 0;
	}
	is_int(bad, 0, "four concurrent writers all stored");
	for (k = bad = 0; k < 4; k++)
		for (i = 0; i < 100; i++) {
			char a[64];

			snprintf(a, sizeof(a), "u%d.%d@example.org", k, i);
			bad += callout_cache_get(&cf, a, 2001, err, 300) !=
			    CALLOUT_KNOWN;
		}
	is_int(bad, 0, "all 400 answers read back");

	/* an hour on, the next write drops what has expired */
	is_int(keys(path), 403, "402 entries and the pruning mark");
	callout_cache_put(
	    &cf, "new@example.org", CALLOUT_KNOWN, 4000, err, sizeof(err));
	is_int(keys(path), 404, "within the hour: no pruning");
	callout_cache_put(
	    &cf, "late@example.org", CALLOUT_UNKNOWN, 4700, err, sizeof(err));
	is_int(keys(path), 2, "an hour on: only the live entry and the mark");
	is_int(callout_cache_get(&cf, "late@example.org", 4700, err, 300),
	    CALLOUT_UNKNOWN, "the live entry survives pruning");

	/* a damaged file (a writer killed mid-write) is made anew */
	tmp_write("cache.gdbm", "this is not a GDBM file at all\n");
	is_int(callout_cache_get(&cf, "late@example.org", 4700, err, 300),
	    CALLOUT_MISS, "damaged cache: a miss");
	ok(err[0] != '\0', "... with the reason: %s", err);
	is_int(callout_cache_put(&cf, "fix@example.org", CALLOUT_KNOWN, 4700,
	           err, sizeof(err)),
	    0, "the next write makes it anew: %s", err);
	is_int(callout_cache_get(&cf, "fix@example.org", 4700, err, 300),
	    CALLOUT_KNOWN, "and it answers again");

	cf.cache = "/nonexistent/dir/cache";
	ok(callout_cache_put(&cf, "joe@example.org", CALLOUT_KNOWN, 1, err,
	       sizeof(err)) < 0 &&
	        strstr(err, "/nonexistent/dir/cache.lock") != NULL,
	    "unwritable cache: error %s", err);
	is_int(callout_cache_get(&cf, "joe@example.org", 1, err, 300),
	    CALLOUT_MISS, "unreadable cache: miss");
	cf.cache = NULL;
	is_int(callout_cache_put(
	           &cf, "joe@example.org", CALLOUT_KNOWN, 1, err, sizeof(err)),
	    0, "no cache: put is a no-op");
}

static void
test_rate(void)
{
	struct scoreboard *sb = scoreboard_create(4);
	int i, n, total, st;

	if (sb == NULL) {
		ok(0, "scoreboard");
		return;
	}
	for (i = n = 0; i < 5; i++)
		n += sbcount_callout(sb, 1000, 3);
	is_int(n, 3, "3 of 5 within a limit of 3 in one second");
	is_int(sbcount_callout(sb, 1001, 3), 1, "the next second starts anew");
	is_int(sbcount_callout(sb, 1001, 0), 1, "limit 0: no bound");
	is_int(sbcount_callout(NULL, 1001, 1), 1, "no scoreboard: no bound");
	/* four processes take 10 each in one second, limit 15 */
	for (i = 0; i < 4; i++)
		if (fork() == 0) {
			int j, got = 0;

			for (j = 0; j < 10; j++)
				got += sbcount_callout(sb, 2000, 15);
			_exit(got);
		}
	for (i = total = 0; i < 4; i++) {
		wait(&st);
		total += WIFEXITED(st) ? WEXITSTATUS(st) : 100;
	}
	is_int(total, 15, "across processes: exactly the limit");
	scoreboard_destroy(sb);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN); /* as the daemon: a closed peer is EPIPE */
	tmp_make();
	test_replies();
	test_hops();
	test_conf();
	test_runs();
	test_cache();
	test_rate();
	tmp_clean();
	return tap_done();
}
