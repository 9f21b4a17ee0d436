/*
 * auth_test.c - AUTH mechanics: strict base64 both ways, the PLAIN
 * message split, user name checks, the transcript cut of AUTH lines, the
 * lines hidden after a refused AUTH, the helper's message codec (sizes
 * checked, trailing bytes refused), and the helper's door: descriptors
 * that come with a bad request are closed, and a helper restarted behind
 * a kept door answers its old sessions.
 */
#include "auth.h"
#include "privhelper.h"
#include "smtp.h"
#include "tap.h"

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct {
	const char *in;
	int ok;
	const char *out;
	size_t outlen;
} b64[] = {
	{ "=", 1, "", 0 },
	{ "YQ==", 1, "a", 1 },
	{ "YWI=", 1, "ab", 2 },
	{ "YWJj", 1, "abc", 3 },
	{ "AGFsaWNlAHNlY3JldA==", 1, "\0alice\0secret", 13 },
	{ "YWJ", 0, NULL, 0 },
	{ "Y===", 0, NULL, 0 },
	{ "YW=j", 0, NULL, 0 },
	{ "!!!!", 0, NULL, 0 },
	{ "YW I", 0, NULL, 0 },
	{ " YWJ", 0, NULL, 0 },  /* OpenSSL would skip the blank */
	{ "YWJ\t", 0, NULL, 0 }, /* or a tab */
	{ "YQ==YWJj", 0, NULL, 0 },
	{ "YWJjZGVmZ2hp", 1, "abcdefghi", 9 },
	{ "YWJjZGVmZ2g=", 1, "abcdefgh", 8 },
};

static const struct {
	const char *msg;
	size_t len;
	int ok; /* 1 ok; 0 malformed (-1); -2 proxy authorisation (-2) */
	const char *user, *pass;
} plain[] = {
	{ "\0alice\0secret", 13, 1, "alice", "secret" },
	{ "alice\0alice\0secret", 18, 1, "alice", "secret" },
	{ "bob\0alice\0secret", 16, -2, NULL, NULL }, /* acting for bob */
	{ "\0alice\0", 7, 0, NULL, NULL },            /* empty password */
	{ "\0\0secret", 8, 0, NULL, NULL },           /* empty user */
	{ "\0alice", 6, 0, NULL, NULL },              /* one NUL */
	{ "\0alice\0sec\0ret", 14, 0, NULL, NULL },   /* three NULs */
};

static void
test_b64(void)
{
	struct buf b;
	char enc[64];
	size_t i;

	for (i = 0; i < sizeof(b64) / sizeof(b64[0]); i++) {
		int r;

		buf_init(&b, 100);
		r = auth_b64_decode(b64[i].in, strlen(b64[i].in), &b);
		ok((r == 0) == b64[i].ok, "decode '%s' %s", b64[i].in,
		    b64[i].ok ? "ok" : "refused");
		if (b64[i].ok && r == 0) {
			ok(b.len == b64[i].outlen &&
			        memcmp(b.data ? b.data : "", b64[i].out,
			            b.len) == 0,
			    "decode '%s' value", b64[i].in);
			if (b.len) {
				auth_b64_encode(
				    b.data, b.len, enc, sizeof(enc));
				is_str(enc, b64[i].in, "round trip");
			}
		}
		buf_free(&b);
	}
	ok(auth_b64_encode("abcd", 4, enc, 8) < 0, "encode: too small out");
	buf_init(&b, 2);
	ok(auth_b64_decode("YWJj", 4, &b) < 0, "decode past the buffer cap");
	buf_free(&b);
}

static void
test_plain(void)
{
	size_t i;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		const char *u = NULL, *p = NULL;
		char m[64];
		int r;

		memcpy(m, plain[i].msg, plain[i].len);
		m[plain[i].len] = '\0';
		r = auth_plain(m, plain[i].len, &u, &p);
		ok(plain[i].ok == 1 ? r == 0 : r == (plain[i].ok ? -2 : -1),
		    "PLAIN case %zu %s", i,
		    plain[i].ok == 1      ? "ok"
		        : plain[i].ok < 0 ? "refused as proxy authorisation"
		                          : "refused");
		if (plain[i].ok == 1 && r == 0) {
			is_str(u, plain[i].user, "PLAIN user");
			is_str(p, plain[i].pass, "PLAIN password");
		}
	}
	ok(auth_user_ok("alice@example.org"), "user with @");
	ok(!auth_user_ok("al ice"), "user with a blank");
	ok(!auth_user_ok("al\"ice"), "user with a quote");
	ok(!auth_user_ok(""), "empty user");
	ok(!auth_user_ok("-x"), "user like an option");
	ok(auth_user_ok("a-x"), "user with a dash inside");
	ok(auth_pass_ok("s3cret"), "password");
	ok(!auth_pass_ok("s3cret\nextra"), "password with LF");
	ok(!auth_pass_ok("s3cret\r"), "password with CR");
	ok(!auth_pass_ok(""), "empty password");
	ok(auth_mech("plain", 5) == AUTH_MECH_PLAIN, "mechanism case");
	ok(auth_mech("CRAM-MD5", 8) == AUTH_MECH_NONE, "unknown mechanism");
}

static void
test_loglen(void)
{
	const char *l = "AUTH PLAIN AGFsaWNlAHNlY3JldA==";

	is_int(smtp_auth_loglen(l, strlen(l)), 10, "AUTH cut after mech");
	is_int(smtp_auth_loglen("AUTH LOGIN", 10), 10, "no response: all");
	is_int(smtp_auth_loglen("MAIL FROM:<a>", 13), 13, "other verbs: all");
	is_int(smtp_auth_loglen("AUTHX y", 7), 7, "AUTHX is not AUTH");
}

/* Lines after an AUTH that may be its responses are hidden: "1" marks
 * a line smtp_auth_secret must hide. */
static const struct {
	const char *lines[5];
	const char *secret;
} secret_cases[] = {
	{ { "AUTH LOGIN", "dXNlcg==", "cGFzcw==", "QUIT" }, "0110" },
	{ { "auth login dXNlcg==", "cGFzcw== ", "NOOP" }, "010" },
	{ { "AUTH PLAIN AGEAYg==", "NOOP" }, "00" },
	{ { "AUTH PLAIN", "*", "NOOP" }, "010" },
	{ { "AUTH", "dXNlcg==", "=" }, "011" },
	{ { "AUTH CRAM-MD5", "MAIL FROM:<a@b>", "dXNlcg==" }, "000" },
	{ { "AUTH LOGIN", "EHLO x", "AUTH LOGIN", "eA==", "eQ==" }, "00011" },
	{ { "AUTHX LOGIN", "dXNlcg==" }, "00" },
};

static void
test_secret(void)
{
	size_t i, k;

	for (i = 0; i < sizeof(secret_cases) / sizeof(secret_cases[0]); i++) {
		struct smtp s;
		char got[8] = "";

		memset(&s, 0, sizeof(s));
		for (k = 0; k < 5 && secret_cases[i].lines[k]; k++) {
			s.line.data = (char *)secret_cases[i].lines[k];
			s.line.len = strlen(s.line.data);
			got[k] = smtp_auth_secret(&s) ? '1' : '0';
		}
		is_str(
		    got, secret_cases[i].secret, "hidden lines, case %zu", i);
	}
}

static void
test_msg(void)
{
	struct ph_msg m, r;
	enum ph_type t;
	uint32_t v;
	char s[16];

	ph_init(&m, PH_AUTH_REQ);
	ph_put_u32(&m, 7);
	ph_put_str(&m, "alice");
	memcpy(r.b, m.b, m.len);
	ok(ph_open(&r, m.len, &t) == 0 && t == PH_AUTH_REQ, "open");
	ok(ph_get_u32(&r, &v) == 0 && v == 7, "u32");
	ok(ph_get_str(&r, s, sizeof(s)) == 0, "str");
	is_str(s, "alice", "str value");
	ok(ph_end(&r) == 0, "end: all read");
	ok(ph_open(&r, m.len, &t) == 0 && ph_get_u32(&r, &v) == 0 &&
	        ph_end(&r) < 0,
	    "end: trailing bytes refused");
	ok(ph_open(&r, m.len, &t) == 0 && ph_get_u32(&r, &v) == 0 &&
	        ph_get_str(&r, s, 4) < 0,
	    "str longer than the output refused");
	ok(ph_open(&r, m.len - 1, &t) < 0, "length prefix must match");
	r.b[m.len - 2] = '\0';
	ok(ph_open(&r, m.len, &t) == 0 && ph_get_u32(&r, &v) == 0 &&
	        ph_get_str(&r, s, sizeof(s)) < 0,
	    "NUL inside a string refused");
	ph_init(&m, PH_AUTH_REQ);
	memset(s, 'x', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	for (v = 0; v < 1000; v++)
		ph_put_str(&m, s);
	ok(m.err && m.len <= sizeof(m.b), "overflow is sticky, in bounds");
	ph_wipe(&m);
	ok(m.len == 0 && m.b[10] == 0, "wipe");
}

/* Descriptors open in process pid. */
static int
fd_count(pid_t pid)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%ld/fd", (long)pid);
	if ((dir = opendir(path)) == NULL)
		return -1;
	while ((d = readdir(dir)) != NULL)
		if (d->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

/* A request with nfd copies of fd, in ncm control messages. */
static int
send_fds(int door, int fd, int nfd, int ncm)
{
	union {
		struct cmsghdr h;
		char b[4 * CMSG_SPACE(8 * sizeof(int))];
	} c;
	struct ph_msg m;
	struct iovec iov;
	struct msghdr mh = { 0 };
	struct cmsghdr *ch;
	int fds[32], i, k, per = nfd / ncm;

	if (nfd > 32 || per > 8 || ncm > 4)
		return -1;
	for (i = 0; i < nfd; i++)
		fds[i] = fd;
	ph_init(&m, PH_AUTH_REQ);
	ph_put_u32(&m, 0);
	ph_put_str(&m, "alice");
	ph_put_str(&m, "pw");
	ph_put_str(&m, "192.0.2.1");
	iov.iov_base = m.b;
	iov.iov_len = m.len;
	memset(&c, 0, sizeof(c));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = c.b;
	mh.msg_controllen = (size_t)ncm * CMSG_SPACE((size_t)per * sizeof(int));
	for (ch = CMSG_FIRSTHDR(&mh), k = 0; k < ncm;
	     k++, ch = CMSG_NXTHDR(&mh, ch)) {
		ch->cmsg_level = SOL_SOCKET;
		ch->cmsg_type = SCM_RIGHTS;
		ch->cmsg_len = CMSG_LEN((size_t)per * sizeof(int));
		memcpy(CMSG_DATA(ch), fds + k * per, (size_t)per * sizeof(int));
	}
	return sendmsg(door, &mh, MSG_NOSIGNAL) == (ssize_t)m.len ? 0 : -1;
}

/* A helper for "PARAM SMTP-auth-pipe /bin/true"; its conf in *cfp. */
static struct privhelper *
true_helper(int kept, struct conf **cfp)
{
	const char *text = "PARAM SMTP-auth-pipe /bin/true\n";
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	struct passwd *pw = getpwnam("nobody");
	uid_t uid = pw ? pw->pw_uid : 65534;
	gid_t gid = pw ? pw->pw_gid : 65534;
	char err[256];

	*cfp = fp ? conf_load_fp(fp, "test", NULL, err, sizeof(err), NULL, NULL)
	          : NULL;
	if (fp)
		fclose(fp);
	if (*cfp == NULL)
		return NULL;
	return kept ? privhelper_spawn_kept(*cfp, uid, gid, err, sizeof(err))
	            : privhelper_spawn(*cfp, uid, gid, err, sizeof(err));
}

/*
 * A compromised worker sends requests with 2, 3, 8 or 24 descriptors, or
 * two control messages: the helper must close them all, and still answer a
 * good request afterwards (which also proves it read the bad ones).
 */
static void
test_door_fds(void)
{
	/* { descriptors, control messages }: 24 is more than the helper's
	 * control buffer takes (MSG_CTRUNC) */
	static const int shapes[][2] = { { 2, 1 }, { 3, 1 }, { 8, 1 }, { 2, 2 },
		{ 24, 3 } };
	struct conf *cf = NULL;
	struct privhelper *ph = true_helper(0, &cf);
	int before, after, nul, i, bad = 0;
	size_t k;

	nul = open("/dev/null", O_RDWR);
	ok(ph != NULL && nul >= 0, "helper started");
	if (ph == NULL || nul < 0)
		return;
	is_int(privhelper_check(ph, 0, "alice", "pw", "192.0.2.1", 10), PH_YES,
	    "a good request is answered");
	before = fd_count(ph->pid);
	/* A good request after each round: its answer means the helper has
	 * read the round (the door keeps order), so that no more than one
	 * round's descriptors are ever in flight.  Unprivileged senders may
	 * have only RLIMIT_NOFILE of them in flight (ETOOMANYREFS). */
	for (i = 0; i < 40; i++) {
		for (k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++)
			if (send_fds(
			        ph->door, nul, shapes[k][0], shapes[k][1]) < 0)
				bad++;
		if (privhelper_check(ph, 0, "alice", "pw", "192.0.2.1", 10) !=
		    PH_YES)
			bad++;
	}
	is_int(bad, 0, "the bad requests went out, each round answered");
	is_int(privhelper_check(ph, 0, "alice", "pw", "192.0.2.1", 10), PH_YES,
	    "a good request is still answered");
	/* the helper closes a reply descriptor just after forking its
	 * checker, which may answer first: take the lowest of a few looks */
	for (i = 0, after = fd_count(ph->pid); i < 50 && after > before; i++) {
		usleep(10000);
		after = fd_count(ph->pid);
	}
	ok(before > 0 && after <= before,
	    "helper keeps no descriptor of them (%d before, %d after)", before,
	    after);
	is_int(send(ph->door, "", 0, MSG_NOSIGNAL), 0, "an empty message");
	is_int(privhelper_check(ph, 0, "alice", "pw", "192.0.2.1", 10), PH_YES,
	    "does not stop the helper");
	close(nul);
	privhelper_close(ph);
	conf_free(cf);
}

/*
 * The supervisor's case: the helper dies, another starts behind the same
 * door, and a session that holds the door from before is answered.
 */
static void
test_restart(void)
{
	struct conf *cf = NULL;
	struct privhelper *ph = true_helper(1, &cf);
	char err[256];
	pid_t old;

	ok(ph != NULL && ph->back >= 0, "kept helper started");
	if (ph == NULL)
		return;
	is_int(privhelper_check(ph, 0, "alice", "pw", "192.0.2.1", 10), PH_YES,
	    "answered");
	old = ph->pid;
	kill(old, SIGKILL);
	waitpid(old, NULL, 0);
	ph->pid = 0;
	ok(privhelper_restart(ph, cf, 65534, 65534, err, sizeof(err)) == 0 &&
	        ph->pid > 0 && ph->pid != old,
	    "restarted after kill -9");
	is_int(privhelper_check(ph, 0, "alice", "pw", "192.0.2.1", 10), PH_YES,
	    "the same door reaches the new helper");
	privhelper_close(ph);
	conf_free(cf);
	ph = true_helper(0, &cf);
	ok(ph != NULL && ph->back < 0, "a plain helper keeps no back end");
	ok(ph == NULL ||
	        privhelper_restart(ph, cf, 65534, 65534, err, sizeof(err)) < 0,
	    "and cannot be restarted");
	privhelper_close(ph);
	conf_free(cf);
}

int
main(void)
{
	test_b64();
	test_plain();
	test_loglen();
	test_secret();
	test_msg();
	test_door_fds();
	test_restart();
	return tap_done();
}
