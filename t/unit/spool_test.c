/*
 * spool_test.c - the spool writer in a temporary postoffice: commit into
 * router/ (and router/X/), mode, nothing left in public/, abort, notify
 * datagram, freezer, free-space check, errors that leave no file; the
 * flushes of each PARAM spool-sync mode (counted through test seams).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <ftw.h>
#include <limits.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spool.h"
#include "spoolread.h"
#include "tap.h"

static char po[64];
static int nfsync, nsfr, nsyncfs;
static int no_aio;   /* the seam refuses io_setup, as a seccomp filter would */
static char seq[64]; /* what the last commit did, in order */

static void
step(char c)
{
	size_t n = strlen(seq);

	if (n + 1 < sizeof(seq)) {
		seq[n] = c;
		seq[n + 1] = '\0';
	}
}

static void
reset_counts(void)
{
	nfsync = nsfr = nsyncfs = 0;
	seq[0] = '\0';
}

/*
 * Test seams: the spool's fsync(2), sync_file_range(2), syncfs(2),
 * linkat(2) and renameat2(2) bind to these, which count them, note them
 * in seq (F fsync of a file, D of a directory, W sync_file_range, S
 * syncfs, L link, R rename, A a background fsync submitted, E its end
 * reaped) and call the kernel.  syscall(2) is one too: the background
 * fsync is io_submit and io_getevents.
 */
/* libc's syscall(2), which the seams call to reach the kernel */
static long
real_syscall(long n, long a1, long a2, long a3, long a4, long a5)
{
	static long (*real)(long, ...);

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "syscall");
	return real(n, a1, a2, a3, a4, a5);
}

/* The spool calls it for io_setup (2 arguments), io_submit (3) and
 * io_getevents (5), and this file for io_destroy (1); no more are read
 * than each has. */
long
syscall(long n, ...)
{
	long a[5] = { 0, 0, 0, 0, 0 };
	int i,
	    argc = n == SYS_io_getevents ? 5
	    : n == SYS_io_submit         ? 3
	    : n == SYS_io_setup          ? 2
	                                 : 1;
	va_list ap;

	va_start(ap, n);
	for (i = 0; i < argc; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (n == SYS_io_setup && no_aio) {
		errno = EPERM;
		return -1;
	}
	if (n == SYS_io_submit) {
		nfsync++;
		step('A');
	} else if (n == SYS_io_getevents)
		step('E');
	return real_syscall(n, a[0], a[1], a[2], a[3], a[4]);
}

/* Can this kernel fsync in the background (IOCB_CMD_FSYNC)? */
static int
has_bg_fsync(void)
{
	unsigned long ctx = 0;

	if (real_syscall(SYS_io_setup, 1, (long)&ctx, 0, 0, 0) < 0)
		return 0;
	real_syscall(SYS_io_destroy, (long)ctx, 0, 0, 0, 0);
	return 1;
}

int
fsync(int fd)
{
	struct stat st;

	nfsync++;
	step(fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) ? 'D' : 'F');
	return (int)real_syscall(SYS_fsync, fd, 0, 0, 0, 0);
}

int
sync_file_range(int fd, off_t off, off_t n, unsigned int flags)
{
	nsfr++;
	step('W');
	return (int)real_syscall(
	    SYS_sync_file_range, fd, (long)off, (long)n, (long)flags, 0);
}

int
syncfs(int fd)
{
	nsyncfs++;
	step('S');
	return (int)real_syscall(SYS_syncfs, fd, 0, 0, 0, 0);
}

int
linkat(int ofd, const char *old, int nfd, const char *new, int flags)
{
	step('L');
	return (int)real_syscall(
	    SYS_linkat, ofd, (long)old, nfd, (long)new, flags);
}

int
renameat2(
    int ofd, const char *old, int nfd, const char *new, unsigned int flags)
{
	step('R');
	return (int)real_syscall(
	    SYS_renameat2, ofd, (long)old, nfd, (long)new, (long)flags);
}

static const struct env_rcpt rcpt[] = {
	{ "user@example.org", NULL, NULL, NULL, 0 },
};

static const struct envelope env = {
	.external = 1,
	.rhost = "mail.example.com",
	.ip = "192.0.2.1",
	.rport = 4000,
	.helo_line = "EHLO mail.example.com",
	.rhost_flags = { 'O', 'O', 'O', 'O' },
	.with = "ESMTP",
	.from = "s@example.com",
	.rcpts = rcpt,
	.nrcpts = 1,
	.when = 1795617614,
};

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static void
rm_tree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
mk(const char *sub)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", po, sub);
	mkdir(p, 0700);
}

/* Fresh postoffice with public/, router/, freezer/ (and router/A..Z). */
static void
setup(int hashdirs)
{
	char sub[16];
	int c;

	if (po[0] != '\0')
		rm_tree(po);
	snprintf(po, sizeof(po), "/tmp/spool_test.XXXXXX");
	if (mkdtemp(po) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	mk("public");
	mk("router");
	mk("freezer");
	for (c = 'A'; hashdirs && c <= 'Z'; c++) {
		snprintf(sub, sizeof(sub), "router/%c", c);
		mk(sub);
	}
}

static int
count_dir(const char *sub)
{
	char p[PATH_MAX];
	struct dirent *d;
	DIR *dp;
	int n = 0;

	snprintf(p, sizeof(p), "%s/%s", po, sub);
	if ((dp = opendir(p)) == NULL)
		return -1;
	while ((d = readdir(dp)) != NULL)
		if (d->d_name[0] != '.')
			n++;
	closedir(dp);
	return n;
}

static struct spool_cfg
cfg_for(void)
{
	struct spool_cfg c = { 0 };

	c.postoffice = po;
	c.myhostname = "mx.example.net";
	return c;
}

/* begin + body + commit; the inode through *ino.  -1 on failure. */
static int
send_one(const struct spool_cfg *c, const char *body, size_t n,
    unsigned long long *ino, char *id, char *err)
{
	struct spool_txn *t;
	struct stat st;

	if (spool_begin(c, &env, &t, err, 256) < 0)
		return -1;
	if (stat(spool_path(t), &st) < 0 || spool_write(t, body, n) < 0) {
		spool_abort(t);
		return -1;
	}
	*ino = (unsigned long long)st.st_ino;
	return spool_commit(t, id, SPOOL_ID_MAX, err, 256);
}

/* A process that may not use Linux AIO fsyncs the file in the
 * foreground (a forked child: its own AIO context, its own answer). */
static void
test_no_aio(const struct spool_cfg *c, const char *body)
{
	char id[SPOOL_ID_MAX], err[256];
	unsigned long long ino = 0;
	int st = -1;
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		no_aio = 1;
		reset_counts();
		if (send_one(c, body, strlen(body), &ino, id, err) < 0)
			_exit(2);
		_exit(strcmp(seq, "WLFD") == 0 ? 0 : 3);
	}
	if (pid > 0)
		waitpid(pid, &st, 0);
	ok(pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "  no AIO allowed: the file is fsynced in the foreground (status "
	    "%d)",
	    st);
}

/* What each PARAM spool-sync mode flushes for one message. */
static void
test_sync_modes(void)
{
	struct spool_cfg c = cfg_for();
	char id[SPOOL_ID_MAX], err[256], p[PATH_MAX];
	const char body[] = "Subject: sync\n\nbody\n";
	unsigned long long ino = 0;
	struct spool_msg m;

	setup(0);
	reset_counts();
	ok(send_one(&c, body, sizeof(body) - 1, &ino, id, err) == 0,
	    "spool-sync fsync: commit (%s)", err);
	ok(nfsync == 2 && nsfr == 1 && nsyncfs == 0,
	    "  fsync of the file and of router/ (%d, %d, %d)", nfsync, nsfr,
	    nsyncfs);
	is_str(seq, has_bg_fsync() ? "WLADE" : "WLFD",
	    "  written out, linked, then fsync of the file (in the background "
	    "where the kernel can) and of router/");
	is_int(
	    count_dir("public"), 0, "  the file never had a name in public/");
	c.named_temp = 1;
	reset_counts();
	ok(send_one(&c, body, sizeof(body) - 1, &ino, id, err) == 0,
	    "named temp file: commit (%s)", err);
	is_str(seq, has_bg_fsync() ? "WRADE" : "WRFD",
	    "  written out, renamed, then fsync of the file and of router/");
	c.named_temp = 0;
	test_no_aio(&c, body);
	c.sync_fs = 1;
	reset_counts();
	ok(send_one(&c, body, sizeof(body) - 1, &ino, id, err) == 0,
	    "spool-sync syncfs: commit (%s)", err);
	ok(nfsync == 0 && nsfr == 1 && nsyncfs == 1,
	    "  the data written out, then one syncfs (%d, %d, %d)", nfsync,
	    nsfr, nsyncfs);
	is_str(seq, "WLS", "  written out, linked, then the syncfs");
	snprintf(p, sizeof(p), "%s/router/%llu", po, ino);
	ok(spoolread_file(p, &m, err, sizeof(err)) == 0 &&
	        m.bodylen == sizeof(body) - 1 &&
	        memcmp(m.body, body, m.bodylen) == 0,
	    "  the file is whole in router/");
	spoolread_free(&m);
	is_int(count_dir("public"), 0, "  nothing left in public/");
	setup(1);
	reset_counts();
	ok(send_one(&c, body, sizeof(body) - 1, &ino, id, err) == 0 &&
	        nsyncfs == 1 && nfsync == 0,
	    "  with hash directories too, one syncfs (%s)", err);
}

static void
test_commit(void)
{
	struct spool_cfg c = cfg_for();
	char id[SPOOL_ID_MAX], want[SPOOL_ID_MAX], err[256], p[PATH_MAX];
	const char body[] = "Subject: hi\n\nline 1\n.line 2\n";
	unsigned long long ino = 0;
	struct spool_msg m;
	struct stat st;
	char *envtext;

	setup(0);
	umask(0);
	ok(send_one(&c, body, sizeof(body) - 1, &ino, id, err) == 0,
	    "commit: %s", err);
	umask(022);
	snprintf(p, sizeof(p), "%s/router/%llu", po, ino);
	ok(stat(p, &st) == 0, "file is router/<inode>");
	is_int(st.st_mode & 07777, 0600, "mode 0600 even with umask 0");
	is_int(count_dir("public"), 0, "nothing left in public/");
	spool_id(
	    want, sizeof(want), ino, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	is_str(id, want, "id is taspoolid of the router file");
	ok(spoolread_file(p, &m, err, sizeof(err)) == 0, "reads back");
	envtext = envelope_format(&env, NULL);
	ok(envtext && m.body - m.raw == (long)strlen(envtext) &&
	        memcmp(m.raw, envtext, strlen(envtext)) == 0,
	    "envelope as envelope_format");
	ok(m.bodylen == sizeof(body) - 1 &&
	        memcmp(m.body, body, m.bodylen) == 0,
	    "body bytes as written");
	is_str(spoolread_get(&m, "to", 0), "<user@example.org>", "to line");
	is_int(spoolread_count(&m, "todsn"), 1, "one todsn line");
	free(envtext);
	spoolread_free(&m);
}

static void
test_big_and_flush(void)
{
	struct spool_cfg c = cfg_for();
	static char big[200000];
	char id[SPOOL_ID_MAX], err[256], p[PATH_MAX];
	struct spool_txn *t;
	struct spool_msg m;
	struct stat st;
	size_t i;
	int ok1;

	setup(0);
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	ok1 = spool_begin(&c, &env, &t, err, sizeof(err)) == 0;
	ok(ok1, "begin: %s", err);
	if (!ok1)
		return;
	for (i = 0; i < 100000; i += 1000)
		spool_write(t, big + i, 1000);
	spool_write(t, big + 100000, 100000);
	is_int(spool_size(t), sizeof(big), "spool_size counts body bytes");
	ok(spool_flush(t) == 0 && stat(spool_path(t), &st) == 0 &&
	        st.st_size > (off_t)sizeof(big),
	    "spool_flush makes the temp file complete");
	ok(strncmp(spool_path(t), "/proc/self/fd/", 14) == 0,
	    "temp has no name (O_TMPFILE): %s", spool_path(t));
	is_int(count_dir("public"), 0, "  and public/ shows nothing");
	ok(spool_commit(t, id, sizeof(id), err, sizeof(err)) == 0, "commit");
	snprintf(
	    p, sizeof(p), "%s/router/%llu", po, (unsigned long long)st.st_ino);
	ok(spoolread_file(p, &m, err, sizeof(err)) == 0 &&
	        m.bodylen == sizeof(big) &&
	        memcmp(m.body, big, sizeof(big)) == 0,
	    "200000 body bytes intact through the buffer");
	spoolread_free(&m);
}

static void
test_abort_and_names(void)
{
	struct spool_cfg c = cfg_for();
	struct spool_txn *t, *t2;
	char err[256], p[256], want[300];
	int fd;

	setup(0);
	c.named_temp = 1; /* as with a contentfilter */
	c.myhostname = "averyveryverylonghostname.example";
	snprintf(p, sizeof(p), "%s/public/averyveryverylongho:%ld", po,
	    (long)getpid());
	fd = open(p, O_CREAT | O_WRONLY, 0600);
	close(fd);
	ok(spool_begin(&c, &env, &t, err, sizeof(err)) == 0, "begin");
	snprintf(want, sizeof(want), "%sa", p);
	is_str(spool_path(t), want, "host cut to 19, suffix a when taken");
	ok(spool_begin(&c, &env, &t2, err, sizeof(err)) == 0, "second begin");
	snprintf(want, sizeof(want), "%sb", p);
	is_str(spool_path(t2), want, "next suffix b");
	spool_write(t, "x\n", 2);
	spool_abort(t);
	spool_abort(t2);
	unlink(p);
	is_int(count_dir("public"), 0, "abort unlinks");
	is_int(count_dir("router"), 0, "abort leaves router/ alone");
	spool_abort(NULL);
	ok(1, "spool_abort(NULL) is harmless");
}

/* Two unnamed temp files at once, one aborted, one committed. */
static void
test_unnamed(void)
{
	struct spool_cfg c = cfg_for();
	struct spool_txn *t, *t2;
	char id[SPOOL_ID_MAX], err[256];
	struct stat st, st2;

	setup(0);
	if (spool_begin(&c, &env, &t, err, sizeof(err)) < 0 ||
	    spool_begin(&c, &env, &t2, err, sizeof(err)) < 0) {
		ok(0, "two begins: %s", err);
		return;
	}
	ok(stat(spool_path(t), &st) == 0 && stat(spool_path(t2), &st2) == 0 &&
	        st.st_ino != st2.st_ino && st.st_nlink == 0,
	    "two files without a name (links %d)", (int)st.st_nlink);
	is_int(st.st_mode & 07777, 0600, "mode 0600");
	is_int(count_dir("public"), 0, "public/ shows neither");
	spool_write(t, "x\n", 2);
	spool_abort(t);
	is_int(count_dir("public") + count_dir("router"), 0,
	    "abort leaves no name anywhere");
	ok(spool_write(t2, "y\n", 2) == 0 &&
	        spool_commit(t2, id, sizeof(id), err, sizeof(err)) == 0,
	    "the other commits: %s", err);
	is_int(count_dir("router"), 1, "router/ holds it");
	is_int(count_dir("public"), 0, "nothing in public/");
}

static void
touch_public(const char *name)
{
	char p[PATH_MAX];
	int fd;

	snprintf(p, sizeof(p), "%s/public/%s", po, name);
	if ((fd = open(p, O_CREAT | O_WRONLY, 0600)) >= 0)
		close(fd);
}

/* The supervisor's clean-up after a worker died: only that pid's names. */
static void
test_remove_temps(void)
{
	static const char *const mine[] = { "averyveryverylongho:4242",
		"averyveryverylongho:4242a", "averyveryverylongho:4242z" };
	static const char *const others[] = { "averyveryverylongho:42420",
		"averyveryverylongho:424", "averyveryverylongho:4242aa",
		"averyveryverylonghos:4242", "other:4242", "4242" };
	struct spool_cfg c = cfg_for();
	char p[PATH_MAX], q[PATH_MAX];
	size_t i;

	setup(0);
	c.named_temp = 1; /* as with a contentfilter */
	c.myhostname = "averyveryverylonghostname.example";
	for (i = 0; i < sizeof(mine) / sizeof(mine[0]); i++)
		touch_public(mine[i]);
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		touch_public(others[i]);
	is_int(spool_remove_temps(&c, 4242), 3,
	    "remove_temps: <host>:<pid> and its a..z variants");
	is_int(count_dir("public"), (int)(sizeof(others) / sizeof(others[0])),
	    "remove_temps: other pids, hosts and programs' files stay");
	is_int(spool_remove_temps(&c, 4242), 0, "remove_temps: none left");
	/* public/ replaced by a link to another directory (the daemon user
	 * owns the postoffice; the supervisor removing temps is root) */
	mk("elsewhere");
	snprintf(p, sizeof(p), "%s/public", po);
	snprintf(q, sizeof(q), "%s/elsewhere", po);
	rm_tree(p);
	ok(symlink(q, p) == 0, "public/ is a symbolic link");
	touch_public(mine[0]);
	is_int(spool_remove_temps(&c, 4242), 0,
	    "remove_temps: nothing removed through a linked public/");
	is_int(count_dir("elsewhere"), 1, "the file there stays");
}

/* A bound datagram socket at <po>/notify. */
static int
notify_sock(char *path, size_t len)
{
	struct sockaddr_un sa;
	int fd;

	snprintf(path, len, "%s/notify", po);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
test_hash_and_notify(void)
{
	struct spool_cfg c = cfg_for();
	char id[SPOOL_ID_MAX], err[256], p[PATH_MAX], sock[PATH_MAX];
	char msg[128], want[128];
	unsigned long long ino = 0;
	struct stat st;
	ssize_t n;
	int fd, x;

	setup(1);
	fd = notify_sock(sock, sizeof(sock));
	ok(fd >= 0, "test notify socket");
	c.routerdirhash = 1;
	c.routernotify = sock;
	ok(send_one(&c, "b\n", 2, &ino, id, err) == 0, "hashed commit: %s",
	    err);
	x = 'A' + (int)(ino % 26);
	snprintf(p, sizeof(p), "%s/router/%c/%llu", po, x, ino);
	ok(stat(p, &st) == 0, "file is router/%c/<inode>", x);
	n = recv(fd, msg, sizeof(msg) - 1, 0);
	msg[n > 0 ? n : 0] = '\0';
	snprintf(want, sizeof(want), "NEW router %c/%llu", x, ino);
	is_str(msg, want, "notify datagram");
	c.routerdirhash = 0;
	ok(send_one(&c, "b\n", 2, &ino, id, err) == 0, "plain commit");
	n = recv(fd, msg, sizeof(msg) - 1, 0);
	msg[n > 0 ? n : 0] = '\0';
	snprintf(want, sizeof(want), "NEW router %llu", ino);
	is_str(msg, want, "notify datagram without hash");
	close(fd);
	unlink(sock);
	ok(send_one(&c, "b\n", 2, &ino, id, err) == 0,
	    "commit succeeds when nobody listens");
}

/* ROUTERDIRHASH=1 without router/A..Z: the one needed is made. */
static void
test_hash_made(void)
{
	struct spool_cfg c = cfg_for();
	char id[SPOOL_ID_MAX], err[256], p[PATH_MAX];
	unsigned long long ino = 0;
	struct stat st;
	int x;

	setup(0);
	snprintf(p, sizeof(p), "%s/router", po);
	chmod(p, 02751);
	c.routerdirhash = 1;
	ok(send_one(&c, "b\n", 2, &ino, id, err) == 0,
	    "hashed commit without router/X: %s", err);
	x = 'A' + (int)(ino % 26);
	snprintf(p, sizeof(p), "%s/router/%c", po, x);
	ok(stat(p, &st) == 0 && S_ISDIR(st.st_mode), "router/%c was made", x);
	is_int(st.st_mode & 07777, 02751, "with router/'s mode");
	snprintf(p, sizeof(p), "%s/router/%c/%llu", po, x, ino);
	ok(stat(p, &st) == 0, "file is router/%c/<inode>", x);
	ok(send_one(&c, "b\n", 2, &ino, id, err) == 0,
	    "the next commit too: %s", err);
}

static void
test_freeze(void)
{
	struct spool_cfg c = cfg_for();
	char id[SPOOL_ID_MAX], err[256], p[PATH_MAX], sock[PATH_MAX];
	struct spool_txn *t;
	struct stat st;
	char msg[64];
	int fd, i;
	static const struct {
		int n;
		const char *sfx;
	} cases[] = { { 3, "policy-3" }, { 0, "policy-0" }, { -1, "policy" } };

	setup(0);
	fd = notify_sock(sock, sizeof(sock));
	c.routernotify = sock;
	for (i = 0; i < 3; i++) {
		if (spool_begin(&c, &env, &t, err, sizeof(err)) < 0 ||
		    stat(spool_path(t), &st) < 0) {
			ok(0, "begin: %s", err);
			continue;
		}
		ok(spool_freeze(
		       t, cases[i].n, id, sizeof(id), err, sizeof(err)) == 0,
		    "freeze %d", cases[i].n);
		snprintf(p, sizeof(p), "%s/freezer/%llu%s", po,
		    (unsigned long long)st.st_ino, cases[i].sfx);
		ok(access(p, F_OK) == 0, "freezer/<inode>%s", cases[i].sfx);
	}
	is_int(count_dir("router"), 0, "nothing in router/");
	is_int(count_dir("public"), 0, "nothing in public/");
	ok(recv(fd, msg, sizeof(msg), 0) < 0, "no router notify for freeze");
	close(fd);
}

static void
test_space(void)
{
	struct spool_cfg c = cfg_for();

	setup(0);
	is_int(spool_space_ok(&c, 1), 0, "1 byte fits");
	is_int(spool_space_ok(&c, LLONG_MAX), -1, "LLONG_MAX does not");
	c.min_availspace = LONG_MAX / 2;
	is_int(spool_space_ok(&c, 0), -1, "huge min_availspace refuses");
	c.min_availspace = 0;
	c.postoffice = "/nonexistent/postoffice";
	is_int(spool_space_ok(&c, 1), -1, "missing postoffice refuses");
}

static void
test_errors(void)
{
	struct spool_cfg c = cfg_for();
	char id[SPOOL_ID_MAX] = "x", err[256] = "", p[PATH_MAX];
	unsigned long long ino;
	struct spool_txn *t;
	struct envelope bad = env;
	struct stat st;
	int fd, x;

	setup(0);
	bad.from = "s@x\r\nto <evil@x>";
	ok(spool_begin(&c, &bad, &t, err, sizeof(err)) == -1 && t == NULL,
	    "CR/LF in sender refused: %s", err);
	is_int(count_dir("public"), 0, "no file for a refused envelope");
	c.routerdirhash = 1;
	for (x = 'A'; x <= 'Z'; x++) { /* router/X that is not a directory */
		snprintf(p, sizeof(p), "%s/router/%c", po, x);
		close(open(p, O_CREAT | O_WRONLY, 0600));
	}
	ok(send_one(&c, "b\n", 2, &ino, id, err) == -1,
	    "router/X not a directory: %s", err);
	is_str(id, "", "no id on failure");
	is_int(count_dir("public"), 0, "file removed after failed rename");
	c.routerdirhash = 0;
	if (spool_begin(&c, &env, &t, err, sizeof(err)) == 0 &&
	    stat(spool_path(t), &st) == 0) {
		snprintf(p, sizeof(p), "%s/router/%llu", po,
		    (unsigned long long)st.st_ino);
		fd = open(p, O_CREAT | O_WRONLY, 0600);
		ok(fd >= 0 && write(fd, "old", 3) == 3, "stale router file");
		close(fd);
		ok(spool_commit(t, id, sizeof(id), err, sizeof(err)) == -1,
		    "never replaces router/<inode>: %s", err);
		ok(stat(p, &st) == 0 && st.st_size == 3, "stale file intact");
		is_int(count_dir("public"), 0, "temp removed");
	}
	snprintf(p, sizeof(p), "%s/public", po);
	rmdir(p);
	ok(spool_begin(&c, &env, &t, err, sizeof(err)) == -1 &&
	        strstr(err, "public") != NULL,
	    "no public/: %s", err);
}

/* A file size limit makes write(2) fail with EFBIG mid-body. */
static void
test_write_error(void)
{
	struct spool_cfg c = cfg_for();
	static char chunk[8192];
	char id[SPOOL_ID_MAX], err[256] = "";
	struct spool_txn *t;
	struct rlimit old, lim;
	int i, wr = 0;

	setup(0);
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 100000;
	setrlimit(RLIMIT_FSIZE, &lim);
	if (spool_begin(&c, &env, &t, err, sizeof(err)) == 0) {
		for (i = 0; i < 40 && wr == 0; i++)
			wr = spool_write(t, chunk, sizeof(chunk));
		ok(wr == -1, "spool_write reports the failed write");
		ok(spool_write(t, "x", 1) == -1, "the error is sticky");
		ok(spool_commit(t, id, sizeof(id), err, sizeof(err)) == -1 &&
		        strstr(err, "write") != NULL,
		    "commit fails: %s", err);
	}
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	is_int(count_dir("public"), 0, "no temp file left");
	is_int(count_dir("router"), 0, "nothing in router/");
}

static void
test_received(void)
{
	struct spool_cfg c = cfg_for();
	char id[SPOOL_ID_MAX], err[256], p[PATH_MAX], want[128];
	unsigned long long ino = 0;
	struct spool_msg m;

	setup(0);
	c.received_header = 1;
	ok(send_one(&c, "Subject: x\n\nbody\n", 17, &ino, id, err) == 0,
	    "standalone commit: %s", err);
	snprintf(p, sizeof(p), "%s/router/%llu", po, ino);
	ok(spoolread_file(p, &m, err, sizeof(err)) == 0, "reads back");
	ok(m.body &&
	        strncmp(m.body, "Received: from mail.example.com", 31) == 0,
	    "Received: right after env-end");
	snprintf(want, sizeof(want), " id %s\n", id);
	ok(m.body && strstr(m.body, want) != NULL,
	    "Received: carries the committed id %s", id);
	ok(m.body && strstr(m.body, ";") &&
	        strstr(m.body, "\nSubject: x\n\nbody\n") != NULL,
	    "message follows the header");
	spoolread_free(&m);
}

int
main(void)
{
	test_commit();
	test_sync_modes();
	test_big_and_flush();
	test_abort_and_names();
	test_remove_temps();
	test_unnamed();
	test_hash_and_notify();
	test_hash_made();
	test_freeze();
	test_space();
	test_errors();
	test_write_error();
	test_received();
	if (po[0] != '\0')
		rm_tree(po);
	return tap_done();
}
