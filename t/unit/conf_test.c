/* conf_test.c - the smtpserver.conf reader and its PARAM table. */
#include "buf.h"
#include "conf.h"
#include "zenv.h"
#include "params.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

static char path[64];
static char err[512];
static struct buf warns;

static void
on_warn(void *arg, const char *msg)
{
	(void)arg;
	buf_puts(&warns, msg);
	buf_putc(&warns, '\n');
}

static void
on_line(void *arg, const char *line)
{
	buf_puts(arg, line);
	buf_putc(arg, '\n');
}

/* Load text as a config file; err and warns hold what was said. */
static struct conf *
load(const char *text, const struct zenv *env)
{
	struct conf *c;
	FILE *fp;
	int fd;

	snprintf(path, sizeof(path), "/tmp/conf_testXXXXXX");
	if ((fd = mkstemp(path)) < 0 || (fp = fdopen(fd, "w")) == NULL)
		return NULL;
	fputs(text, fp);
	fclose(fp);
	err[0] = '\0';
	buf_reset(&warns);
	c = conf_load(path, env, err, sizeof(err), on_warn, NULL);
	unlink(path);
	return c;
}

/* Does the dump of c contain the whole line want? */
static int
dump_has(const struct conf *c, const char *want)
{
	struct buf d;
	char *w;
	int r;

	buf_init(&d, 1 << 20);
	conf_dump(c, on_line, &d);
	w = malloc(strlen(want) + 3);
	snprintf(w, strlen(want) + 3, "\n%s\n", want);
	r = strstr(d.data, w) != NULL ||
	    strncmp(d.data, w + 1, strlen(w + 1)) == 0;
	if (!r)
		printf("# dump lacks '%s'\n", want);
	free(w);
	buf_free(&d);
	return r;
}

static const struct {
	const char *text, *dump;
} good[] = {
	/* every type */
	{ "PARAM MaxSameIpSource 5\n", "MaxSameIpSource = 5" },
	{ "PARAM maxsize 10000000\n", "maxsize = 10000000" },
	{ "PARAM control-socket-mode 0660\n", "control-socket-mode = 0660" },
	{ "PARAM enable-router\n", "enable-router = yes" },
	{ "PARAM NoPIPELINING\n", "NoPIPELINING = yes" },
	{ "PARAM NoPIPELINING\n", "PIPELINING-OK = no" },
	{ "PARAM NoPIPELINING\nPARAM PIPELINING-OK\n", "PIPELINING-OK = yes" },
	{ "PARAM received-header\n", "received-header = yes" },
	{ "PARAM received-header off\n", "received-header = no" },
	{ "PARAM received-header yes\n", "received-header = yes" },
	{ "PARAM hostname mx.example.org\n", "hostname = mx.example.org" },
	{ "PARAM contentfilter /bin/sh\n", "contentfilter = /bin/sh" },
	{ "PARAM spf-received\n", "spf-received = yes" },
	{ "PARAM spf-threshold SoftFail\n", "spf-threshold = softfail" },
	{ "PARAM bare-lf reject\n", "bare-lf = reject" },
	{ "PARAM bare-lf NORMALIZE\n", "bare-lf = normalize" },
	{ "PARAM help hello  there\n", "help = hello  there" },
	{ "PARAM help\n", "help =" },
	{ "PARAM hdr220 %H hi\n", "hdr220 = %H hi" },
	{ "PARAM sasl-mechanisms PLAIN LOGIN\n",
	    "sasl-mechanisms = PLAIN LOGIN" },
	{ "PARAM proxy-protocol 10.0.0.0/8 ::1\n",
	    "proxy-protocol = 10.0.0.0/8 ::1" },
	{ "PARAM tarpit 20 2\n", "tarpit = 20 2 250" },
	{ "PARAM tarpit 1.5 0.5 60\n", "tarpit = 1.5 0.5 60" },
	{ "PARAM tarpit 1 2 3 4 5 6 7 8 9 10\n", "tarpit = 1 2 3" },
	{ "PARAM BindAddress [0.0.0.0]\n", "BindAddress = [0.0.0.0]" },
	{ "PARAM BindAddress [IPv6.0::0]\n", "BindAddress = [IPv6.0::0]" },
	{ "PARAM BindAddress iface:eth0\n", "BindAddress = iface:eth0" },
	{ "PARAM BindSmtp any 2525\n", "BindSmtp = any 2525" },
	{ "PARAM BindSmtpS any6\n", "BindSmtpS = any6" },
	{ "PARAM BindSubmit 127.0.0.1 587\n", "BindSubmit = 127.0.0.1 587" },
	{ "PARAM etrn-cluster n1 user pw\n", "etrn-cluster = n1 user ***" },
	{ "PARAM rcpt-verify example.org lmtp unix:/run/lmtp\n",
	    "rcpt-verify = example.org lmtp unix:/run/lmtp" },
	{ "PARAM policydb gdbm /var/db/smtp-policy\n",
	    "policydb = gdbm /var/db/smtp-policy" },
	{ "PARAM deliverby\n", "deliverby = yes 0" },
	{ "PARAM deliverby 300\n", "deliverby = yes 300" },
	/* aliases and case-insensitive names */
	{ "PARAM same-ip-source-parallel-max 7\n", "MaxSameIpSource = 7" },
	{ "PARAM MAX-PARALLEL-CONNECTIONS 9\n", "MaxParallelConnections = 9" },
	{ "PARAM RcptLimitCnt 200\n", "RcptLimitCount = 200" },
	{ "PARAM rcpt-limit-count 300\n", "RcptLimitCount = 300" },
	{ "PARAM NoENHANCEDSTATUS\n", "ENHANCEDSTATUSCODES-OK = no" },
	{ "PARAM noenhancedstatuscodes\n", "NoENHANCEDSTATUSCODES = yes" },
	{ "PARAM debugcmd\n", "DEBUGcmd = yes" },
	{ "PARAM DEBUGcmd\nPARAM no-DEBUGcmd\n", "DEBUGcmd = no" },
	{ "PARAM rcvd-ident\nPARAM no-rcvd-ident\n", "rcvd-ident = no" },
	{ "PARAM smtpserver-cluster h 1 s\n", "tracking-cluster = h 1 ***" },
	/* quoting, $-expansion, raw text */
	{ "PARAM smtp-auth-username-prompt \"User name:\"\n",
	    "smtp-auth-username-prompt = User name:" },
	{ "PARAM smtp-auth-password-prompt 'Pass word'\n",
	    "smtp-auth-password-prompt = Pass word" },
	{ "PARAM spf-localpolicy mx.\"exa mple\"'.org'\n",
	    "spf-localpolicy = mx.exa mple.org" },
	{ "PARAM hostname \"[192.0.2.1]\"\n", "hostname = [192.0.2.1]" },
	{ "PARAM policydb $DBTYPE $MAILVAR/db/smtp-policy\n",
	    "policydb = gdbm /etc/mail/db/smtp-policy" },
	{ "PARAM hostname ${HOST}\n", "hostname = mx.example.net" },
	{ "PARAM hostname $(HOST)\n", "hostname = mx.example.net" },
	{ "PARAM perl-hook /x/$$HOME\n", "perl-hook = /x/$HOME" },
	{ "PARAM help \"quoted\"  $MAILVAR\n", "help = \"quoted\"  $MAILVAR" },
	{ "PARAM contact-pointer-message 'Call $MAILVAR'\n",
	    "contact-pointer-message = 'Call $MAILVAR'" },
	{ "PARAM hdr220 %H \"x\"\n", "hdr220 = %H \"x\"" },
	/* comments, blanks, CRLF */
	{ "# comment\n  PARAM maxsize 1\n\tPARAM maxsize 2\n\nPARAM maxsize "
	  "3\r\n",
	    "maxsize = 3" },
	{ "PARAM timeout-command 60\n", "timeout-command = 60" },
	{ "PARAM session-deadline 0\n", "session-deadline = 0" },
	{ "PARAM NoSMTPUTF8\n", "SMTPUTF8-OK = no" },
	{ "PARAM min-idle-workers 0\nPARAM max-idle-workers 1\n",
	    "max-idle-workers = 1" },
};

static const struct {
	const char *text, *err;
} bad[] = {
	{ "PARAM MaxSameIpSource x\n",
	    ":1: PARAM MaxSameIpSource: expected an integer in 1..1000000, "
	    "got 'x'" },
	{ "\nPARAM MaxSameIpSource 0\n",
	    ":2: PARAM MaxSameIpSource: 0 is out of range 1..1000000" },
	{ "PARAM enable-router-maxpar 21\n",
	    ":1: PARAM enable-router-maxpar: 21 is out of range 1..20" },
	{ "PARAM BindPort 99999999999999999999999\n",
	    ":1: PARAM BindPort: expected an integer in 1..65535" },
	{ "PARAM BindPort 25x\n", ":1: PARAM BindPort: expected an integer" },
	{ "PARAM tls-loglevel 5\n",
	    ":1: PARAM tls-loglevel: 5 is out of "
	    "range 0..4" },
	{ "PARAM control-socket-mode 0999\n",
	    ":1: PARAM control-socket-mode: expected an octal number in "
	    "00..0777, got '0999'" },
	{ "PARAM bare-lf strip\n",
	    ":1: PARAM bare-lf: expected one of normalize|reject, got "
	    "'strip'" },
	{ "PARAM spf-threshold maybe\n",
	    ":1: PARAM spf-threshold: expected one of "
	    "fail|softfail|none|neutral|pass, got 'maybe'" },
	{ "PARAM received-header perhaps\n",
	    ":1: PARAM received-header: expected yes or no" },
	{ "PARAM maxsize\n",
	    ":1: PARAM maxsize: missing argument: expected an integer" },
	{ "PARAM policydb gdbm\n",
	    ":1: PARAM policydb: missing argument: expected type path" },
	{ "PARAM etrn-cluster a b\n",
	    ":1: PARAM etrn-cluster: missing argument: expected three words" },
	{ "PARAM tarpit\n", ":1: PARAM tarpit: missing argument" },
	{ "PARAM tarpit 1 x\n",
	    ":1: PARAM tarpit: expected a number in 0..86400, got 'x'" },
	{ "PARAM tarpit nan\n", ":1: PARAM tarpit: expected a number" },
	{ "PARAM BindAddress 1.2.3\n",
	    ":1: PARAM BindAddress: expected any, any6, [a.b.c.d], [IPv6.x] "
	    "or iface:NAME, got '1.2.3'" },
	{ "PARAM BindSmtp any 0\n",
	    ":1: PARAM BindSmtp: expected a port in 1..65535, got '0'" },
	{ "PARAM proxy-protocol 10.0.0.0/33\n",
	    ":1: PARAM proxy-protocol: expected a network (1.2.3.0/24, "
	    "2001:db8::/32), got '10.0.0.0/33'" },
	{ "PARAM proxy-protocol\n",
	    ":1: PARAM proxy-protocol: missing argument: expected networks" },
	{ "PARAM proxy-protocol 1.0.0.1 2.0.0.1 3.0.0.1 4.0.0.1 5.0.0.1 "
	  "6.0.0.1 7.0.0.1 8.0.0.1 9.0.0.1\n",
	    ":1: PARAM proxy-protocol: at most 8 networks, got 9" },
	{ "PARAM hostname \"open\n", ":1: PARAM hostname: unterminated quote" },
	{ "PARAM hostname 'a b'\n",
	    ":1: PARAM hostname: expected a host name, got 'a b'" },
	{ "PARAM\n", ":1: expected a PARAM name" },
	{ "PARAM contentfilter ''\n",
	    ":1: PARAM contentfilter: expected a path, got ''" },
	{ "PARAM newgroup\n", ":1: PARAM newgroup: missing argument" },
	{ "PARAM newgroup a\nPARAM newgroup A\n",
	    ":2: PARAM newgroup: group 'A' is already defined" },
	{ "PARAM min-idle-workers 20\n",
	    ": min-idle-workers (20) exceeds max-idle-workers (10)" },
	{ "PARAM hdr220 1\nPARAM hdr220 2\nPARAM hdr220 3\nPARAM hdr220 4\n"
	  "PARAM hdr220 5\nPARAM hdr220 6\n",
	    ":6: PARAM hdr220: too many lines (at most 5)" },
	{ "* 99999999999999999999 veR\n",
	    ":1: expected a load average in 2..100000" },
};

static const struct {
	const char *text, *warn;
} warned[] = {
	{ "PARAM no-such-thing 1\n", ":1: unknown PARAM 'no-such-thing'" },
	{ "PARAM maxsize 1000 # Same as -M\n",
	    ":1: PARAM maxsize: extra argument '#' ignored" },
	{ "PARAM RcptLimitCount 50\n",
	    ":1: PARAM RcptLimitCount: 50 is below the minimum, using 100" },
	{ "PARAM min-availspace 10\n",
	    ":1: PARAM min-availspace: 10 is below the minimum, using 1000" },
	{ "PARAM tls-dh512 /x\n", ":1: PARAM tls-dh512 is deprecated" },
	{ "PARAM perl-hook $NOSUCH/x\n",
	    ":1: PARAM perl-hook: '$NOSUCH/x' still contains '$'" },
	{ "PARAM contentfilter /nonexistent/filter\n",
	    ": contentfilter /nonexistent/filter is neither executable nor a "
	    "socket; messages will get 451" },
	{ "param maxsize 1\n", ":1: 'param' is read as a HELO pattern" },
	{ "PARAM listen-ssmtp\n", "group default: listen-ssmtp needs use-tls" },
};

static void
test_cases(const struct zenv *env)
{
	struct conf *c;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		c = load(good[i].text, env);
		ok(c != NULL && dump_has(c, good[i].dump),
		    "case %zu gives '%s'", i, good[i].dump);
		if (c == NULL)
			printf("#   err '%s'\n", err);
		conf_free(c);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = load(bad[i].text, env);
		ok(c == NULL && strstr(err, bad[i].err) != NULL &&
		        strncmp(err, path, strlen(path)) == 0,
		    "error '%s'", bad[i].err);
		if (c != NULL || strstr(err, bad[i].err) == NULL)
			printf("#   got '%s'\n", err);
		conf_free(c);
	}
	for (i = 0; i < sizeof(warned) / sizeof(warned[0]); i++) {
		c = load(warned[i].text, env);
		ok(c != NULL &&
		        strstr(warns.data ? warns.data : "", warned[i].warn) !=
		            NULL,
		    "warning '%s'", warned[i].warn);
		if (c == NULL || warns.data == NULL)
			printf("#   err '%s'\n", err);
		conf_free(c);
	}
}

static void
test_defaults(void)
{
	struct conf *c = conf_defaults();
	const struct conf_group *g;

	ok(c != NULL, "conf_defaults");
	g = conf_group(c, 0);
	is_int(c->max_same_ip, 100, "MaxSameIpSource 100 (code, not man)");
	is_int(c->max_parallel, 800, "MaxParallelConnections 800");
	is_int(c->bind_port, 25, "BindPort 25");
	is_int(c->maxsize, 52428800, "maxsize 50 MiB");
	is_int(c->min_availspace, 5000, "min-availspace 5000");
	is_int(c->max_unknown_cmds, 10, "max-unknown-commands 10");
	is_int(c->reject_percent_kludge, 1, "reject-percent-kludge on");
	is_int(c->enable_router, 0, "enable-router off");
	is_int(c->router_maxpar, 2, "enable-router-maxpar 2");
	is_int(c->contentfilter_maxpar, 2, "contentfilter-maxpar 2");
	is_int(c->nhdr220, 1, "one default hdr220 line");
	is_str(c->hdr220[0], "%H ZMailer Server %V ESMTP%I ready at %T",
	    "default greeting");
	is_int(c->nhelp, 0, "no help lines");
	is_int(c->received_header, 0, "received-header off");
	ok(c->hostname == NULL && c->control_socket == NULL,
	    "hostname and control-socket unset");
	is_int(c->min_idle_workers, 2, "min-idle-workers 2");
	is_int(c->max_idle_workers, 10, "max-idle-workers 10");
	is_int(c->max_worker_sessions, 100, "max-worker-sessions 100");
	is_int(c->control_mode, 0600, "control-socket-mode 0600");
	is_int(c->shutdown_grace, 30, "shutdown-grace 30");
	is_int(c->ngroups, 1, "one group");
	is_str(g->name, "default", "group 0 is 'default'");
	ok(conf_group(c, 1) == NULL, "no group 1");
	is_int(g->listen_queue, 20000, "ListenQueueSize 20000");
	is_int(g->rcpt_limit, 10000, "RcptLimitCount 10000");
	is_int(g->max_error_rcpts, 3, "max-error-recipients 3");
	ok(g->tarpit_init == 0 && g->tarpit_exp == 0 && g->tarpit_top == 250,
	    "tarpit 0 0 250");
	ok(g->pipelining && g->enhancedstatus && g->eightbitmime &&
	        g->chunking && g->dsn && g->ehlo && g->etrn && g->smtputf8 &&
	        g->multiline_replies,
	    "EHLO features on");
	ok(!g->debugcmd && !g->expncmd && !g->vrfycmd && !g->smtp_auth &&
	        !g->use_tls && !g->rcvd_ident && !g->rcvd_tls_peer &&
	        !g->deliverby && !g->force_rcpt_notify_never,
	    "enablers off");
	is_str(g->contact_pointer, "Ask HELP for our contact information.",
	    "contact-pointer-message");
	is_str(g->auth_user_prompt, "Username:", "username prompt");
	is_str(g->auth_pass_prompt, "Password:", "password prompt");
	is_int(g->tls_ccert_vd, 1, "tls-ccert-vd 1");
	is_int(g->bare_lf, BARE_LF_NORMALIZE, "bare-lf normalize");
	is_int(g->timeout_command, 300, "timeout-command 300");
	is_int(g->timeout_data, 300, "timeout-data 300");
	is_int(g->session_deadline, 3600, "session-deadline 3600");
	is_int(g->data_deadline, 1800, "data-deadline 1800");
	ok(g->binds == NULL && g->nbinds == 0 && g->policydb_path == NULL,
	    "no binds, no policydb");
	conf_free(c);
}

static void
test_groups(void)
{
	const struct conf_group *g0, *g1;
	struct conf *c;

	c = load("PARAM tarpit 5 1 100\n"
	         "PARAM policydb gdbm /db/a\n"
	         "PARAM BindAddress any\n"
	         "PARAM NoCHUNKING\n"
	         "PARAM tls-cert-file /c.pem\n"
	         "PARAM newgroup submit\n"
	         "PARAM BindSubmit any 587\n"
	         "PARAM policydb gdbm /db/b\n"
	         "PARAM MaxSameIpSource 3\n"
	         "PARAM CHUNKING-OK\n",
	    NULL);
	ok(c != NULL, "two groups load (%s)", err);
	if (c == NULL)
		return;
	g0 = conf_group(c, 0);
	g1 = conf_group(c, 1);
	ok(g1 != NULL && strcmp(g1->name, "submit") == 0, "group 1 'submit'");
	is_int(g0->nbinds, 1, "default group keeps its bind");
	is_int(g1->nbinds, 1, "newgroup starts without binds, has its own");
	ok(g1->binds[0].kind == BIND_SUBMIT && g1->binds[0].port == 587,
	    "submit bind on 587");
	ok(g1->tarpit_init == 5 && g1->tarpit_top == 100,
	    "newgroup copies the default group");
	is_str(g0->policydb_path, "/db/a", "default policydb kept");
	is_str(g1->policydb_path, "/db/b", "group policydb replaced");
	ok(!g0->chunking && g1->chunking, "group flag independent");
	is_int(c->max_same_ip, 3, "global PARAM after newgroup is global");
	is_str(g0->tls_key_file, "/c.pem", "tls-key-file defaults to cert");
	is_str(g1->tls_key_file, "/c.pem", "and in the copied group");
	ok(dump_has(c, "newgroup = submit"), "dump names groups");
	conf_free(c);
}

static void
test_helo(void)
{
	const struct conf_helo *h;
	struct conf *c;

	c = load("localhost 999 ftveR\n"
	         "Some.Host.Domain 999 !NO EMAIL ACCEPTED FROM YOUR MACHINE\n"
	         "\\[*\\] 999 ve\n"
	         "bad.example * !go away\n"
	         "star.example * veR\n"
	         "low.example 1 -\n"
	         "* veR\n",
	    NULL);
	ok(c != NULL, "HELO lines load (%s)", err);
	if (c == NULL)
		return;
	is_int(c->nhelo, 7, "seven patterns");
	is_str(c->helo[1].glob, "some.host.domain", "glob lowercased");
	h = conf_helo_match(c, "LOCALHOST");
	ok(h && strcmp(h->flags, "ftveR") == 0 && h->maxload == 999 &&
	        !h->reject && h->line == 1,
	    "localhost: flags, maxload, line");
	h = conf_helo_match(c, "some.HOST.domain");
	ok(h && h->reject &&
	        strcmp(h->flags, "!NO EMAIL ACCEPTED FROM YOUR MACHINE") == 0,
	    "'!' flags reject, text kept");
	h = conf_helo_match(c, "[1.2.3.4]");
	ok(h && strcmp(h->flags, "ve") == 0, "escaped brackets match");
	h = conf_helo_match(c, "bad.example");
	ok(h && h->reject && strcmp(h->flags, "!go away") == 0,
	    "'* !text' rejects too (modernisation)");
	h = conf_helo_match(c, "star.example");
	ok(h && !h->reject && strcmp(h->flags, "* veR") == 0,
	    "'* veR' kept whole");
	h = conf_helo_match(c, "low.example");
	ok(h && h->maxload == 2 && strcmp(h->flags, "-") == 0,
	    "maxload raised to 2, flags '-'");
	h = conf_helo_match(c, "other.example");
	ok(h && h->maxload == -1 && strcmp(h->flags, "veR") == 0 &&
	        h->line == 7,
	    "catch-all without maxload");
	ok(dump_has(c, "helo-pattern = localhost 999 ftveR"), "dump HELO");
	conf_free(c);
	c = load("PARAM perl-hook /a/$$b\n", NULL);
	ok(c && conf_helo_match(c, "x") == NULL, "no patterns, no match");
	is_str(c ? c->perl_hook : NULL, "/a/$b", "no ZENV: $$ is still $");
	conf_free(c);
}

static void
test_lines(void)
{
	char text[1100];
	struct conf *c;

	memset(text, 'a', sizeof(text));
	memcpy(text, "PARAM help ", 11);
	text[1023] = '\n';
	text[1024] = '\0';
	c = load(text, NULL);
	ok(c != NULL && c->nhelp == 1 && strlen(c->help[0]) == 1012,
	    "1023-character line accepted");
	conf_free(c);
	text[1023] = 'a';
	text[1024] = '\n';
	text[1025] = '\0';
	c = load(text, NULL);
	ok(c == NULL &&
	        strstr(err,
	            ":1: line too long (at most 1023 "
	            "characters)") != NULL,
	    "1024-character line refused: %s", err);
	conf_free(c);
	c = conf_load(
	    "/nonexistent/smtpserver.conf", NULL, err, sizeof(err), NULL, NULL);
	ok(c == NULL && strstr(err, "/nonexistent/smtpserver.conf: ") == err,
	    "missing file is an error: %s", err);
}

/* Line of the dump of the defaults that starts with "name =". */
static int
default_line(const char *dump, const char *name, char *out, size_t len)
{
	const char *p = dump;
	size_t n = strlen(name);

	while (p != NULL && *p != '\0') {
		if (strncmp(p, name, n) == 0 && strncmp(p + n, " =", 2) == 0) {
			snprintf(out, len, "%.*s", (int)strcspn(p, "\n"), p);
			return 1;
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return 0;
}

static void
test_unique(void)
{
	const char *a, *b;
	size_t i, j, k, l, n = conf_param_count();
	int dup = 0;

	ok(n > 100, "%zu PARAMs in the table", n);
	for (i = 0; i < n; i++)
		for (j = 0; (a = j ? conf_param_alias(i, j - 1)
		                   : conf_param_name(i)) != NULL;
		     j++)
			for (k = i; k < n; k++)
				for (l = k == i ? j + 1 : 0;
				     (b = l ? conf_param_alias(k, l - 1)
				            : conf_param_name(k)) != NULL;
				     l++)
					if (strcasecmp(a, b) == 0) {
						printf("# duplicate %s\n", a);
						dup++;
					}
	is_int(dup, 0, "names and aliases unique, ignoring case");
}

static void
test_table(void)
{
	struct conf_param_info pi;
	struct conf *c = conf_defaults();
	char line[1200], want[1200];
	size_t i, j, n = conf_param_count();
	struct buf d;
	int bad = 0;

	buf_init(&d, 1 << 20);
	conf_dump(c, on_line, &d);
	for (i = 0; i < n; i++) {
		conf_param_info(i, &pi);
		if (strcmp(pi.name, "newgroup") == 0)
			continue;
		if (!default_line(d.data, pi.name, line, sizeof(line))) {
			printf("# %s not in dump\n", pi.name);
			bad++;
			continue;
		}
		snprintf(want, sizeof(want), "%s =%s%s", pi.name,
		    pi.def ? " " : "", pi.def ? pi.def : "");
		if (pi.def && strcmp(line, want) != 0) {
			printf("# '%s' != '%s'\n", line, want);
			bad++;
		}
	}
	is_int(bad, 0, "every PARAM dumped, defaults as in the table");
	buf_free(&d);
	conf_free(c);
	for (i = bad = 0; i < conf_nparams; i++)
		for (j = i + 1; j < conf_nparams; j++)
			if (conf_params[i].off == conf_params[j].off &&
			    conf_params[i].flags == conf_params[j].flags &&
			    conf_params[i].type >= PT_STR &&
			    conf_params[i].type <= PT_RAWLIST &&
			    conf_params[i].type != PT_ENUM)
				bad++;
	is_int(bad, 0, "no two string rows share a field");
	for (i = bad = 0; i < conf_nparams; i++)
		if ((conf_params[i].type == PT_RAWLIST ||
		        conf_params[i].type == PT_TRIPLE) &&
		    (conf_params[i].flags & P_GROUP))
			bad++;
	is_int(bad, 0, "list types are global only");
	ok(conf_param_name(n) == NULL && conf_param_info(n, &pi) < 0,
	    "out of range index");
	is_str(conf_param_alias(0, 0), "same-ip-source-parallel-max",
	    "alias listed");
}

static void
test_diff(void)
{
	struct conf *a, *b;
	struct buf d;
	int r;

	a = load("PARAM MaxSameIpSource 5\nPARAM newgroup sub\n* veR\n", NULL);
	b = load("PARAM MaxSameIpSource 6\nPARAM control-socket /x\n"
	         "PARAM etrn-cluster n u secret\n"
	         "PARAM newgroup sub\nPARAM NoDSN\nPARAM newgroup new\n"
	         "* ve\n",
	    NULL);
	buf_init(&d, 1 << 16);
	r = a && b ? conf_diff(a, b, on_line, &d) : -1;
	is_int(r, 1, "one change needs a restart");
	is_str(d.data,
	    "MaxSameIpSource: 5 -> 6\n"
	    "etrn-cluster:  -> n u ***\n"
	    "control-socket:  -> /x (needs a restart)\n"
	    "sub/NoDSN: no -> yes\n"
	    "sub/DSN-OK: yes -> no\n"
	    "group new added\n"
	    "HELO patterns changed\n",
	    "reload diff");
	buf_reset(&d);
	is_int(conf_diff(a, a, on_line, &d), 0, "no change");
	is_int(d.len, 0, "nothing said");
	buf_free(&d);
	conf_free(a);
	conf_free(b);
}

/* Random lines from PARAM names and awkward words: never a crash, a leak
 * (ASan) or a NULL without a reason. */
static void
test_garbage(void)
{
	static const char *const words[] = { "1", "-1", "0", "0777",
		"99999999999999999999", "'", "\"", "$X", "${", "$(X", "$$",
		"any", "[1.2.3.4]", "[IPv6.::1]", "iface:", "x y", "!", "*",
		"\\[*\\]", "1e308", "nan", "-", "\t", "yes", "reject" };
	const size_t nw = sizeof(words) / sizeof(words[0]);
	unsigned long seed = 12345;
	char text[4096];
	size_t i, j, k, n, bad = 0, loaded = 0;
	struct conf *c;

	for (i = 0; i < 400; i++) {
		n = 0;
		for (j = 0; j < 1 + i % 4 && n < sizeof(text) - 600; j++) {
			seed = seed * 6364136223846793005UL +
			    1442695040888963407UL;
			n += (size_t)snprintf(text + n, sizeof(text) - n,
			    "%s%s", seed >> 60 ? "PARAM " : "",
			    conf_param_name((seed >> 20) % conf_param_count()));
			for (k = 0; k < ((seed >> 40) & 3); k++)
				n +=
				    (size_t)snprintf(text + n, sizeof(text) - n,
				        " %s", words[(seed >> (8 * k)) % nw]);
			text[n++] = '\n';
		}
		text[n] = '\0';
		c = load(text, NULL);
		if (c == NULL && err[0] == '\0')
			bad++;
		loaded += c != NULL;
		conf_free(c);
	}
	printf("# %zu of 400 loaded\n", loaded);
	is_int(bad, 0, "400 random configs: a config or a reason each");
}

int
main(void)
{
	struct zenv *env = zenv_empty();

	buf_init(&warns, 1 << 16);
	zenv_set(env, "DBTYPE", "gdbm");
	zenv_set(env, "MAILVAR", "/etc/mail");
	zenv_set(env, "HOST", "mx.example.net");
	test_defaults();
	test_cases(env);
	test_groups();
	test_helo();
	test_lines();
	test_unique();
	test_table();
	test_diff();
	test_garbage();
	zenv_free(env);
	buf_free(&warns);
	return tap_done();
}
