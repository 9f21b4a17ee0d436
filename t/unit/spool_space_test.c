/*
 * spool_space_test.c - the spool writer on a 4 MB tmpfs (mounted here, so
 * root only): a growing message never takes the file system below
 * min_availspace, free space is looked at about once a megabyte and not
 * per write, and a full disk (ours or the kernel's) gives ENOSPC, an
 * emptied file and nothing left behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "spool.h"
#include "tap.h"

#define MIN_KB 1000

static char po[64];
static int nstatvfs;

/*
 * A test seam: the spool's statvfs(2) calls bind to this one, which
 * counts them and asks the kernel through fstatvfs(2).
 */
int
statvfs(const char *path, struct statvfs *sv)
{
	int fd, r;

	nstatvfs++;
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	r = fstatvfs(fd, sv);
	close(fd);
	return r;
}

static const struct env_rcpt rcpt[] = {
	{ "user@example.org", NULL, NULL, NULL, 0 },
};

static const struct envelope env = {
	.rhost = "mail.example.com",
	.ip = "192.0.2.1",
	.helo_line = "EHLO mail.example.com",
	.with = "ESMTP",
	.from = "s@example.com",
	.rcpts = rcpt,
	.nrcpts = 1,
};

/* Free KB of the test file system. */
static long long
free_kb(void)
{
	struct statvfs sv;
	int fd = open(po, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fstatvfs(fd, &sv) < 0) {
		perror(po);
		exit(1);
	}
	close(fd);
	return (long long)sv.f_bavail * (long long)sv.f_frsize / 1024;
}

static int
count(const char *sub)
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
	c.min_availspace = MIN_KB;
	return c;
}

/* Fill the file system to leave kb KB free; the ballast file's fd. */
static int
ballast(long long kb)
{
	static char blk[4096];
	char p[PATH_MAX];
	int fd;

	snprintf(p, sizeof(p), "%s/ballast", po);
	if ((fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0600)) < 0)
		return -1;
	while (free_kb() > kb && write(fd, blk, sizeof(blk)) > 0)
		continue;
	return fd;
}

static void
unballast(int fd)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/ballast", po);
	close(fd);
	unlink(p);
}

/* Writes of size n until one fails: min_availspace at every step. */
static void
test_grow(size_t n)
{
	struct spool_cfg c = cfg_for();
	struct spool_txn *t;
	struct stat st;
	char err[256] = "", *buf = calloc(1, n);
	long long low = LLONG_MAX, f, wrote = 0;
	int r = 0, eno = 0, calls = 0;

	nstatvfs = 0;
	if (buf == NULL || spool_begin(&c, &env, &t, err, sizeof(err)) < 0) {
		ok(0, "spool_begin: %s", err);
		free(buf);
		return;
	}
	while (r == 0 && calls++ < 100000) {
		if ((r = spool_write(t, buf, n)) < 0)
			eno = errno;
		else
			wrote += (long long)n;
		if ((f = free_kb()) < low)
			low = f;
	}
	ok(r == -1 && eno == ENOSPC, "%zu-byte writes: ENOSPC after %lld bytes",
	    n, wrote);
	ok(low >= MIN_KB, "never below min_availspace (lowest %lld KB)", low);
	ok(wrote > 2 * 1024 * 1024, "most of the free space was usable");
	ok(nstatvfs <= 2 + wrote / (1024 * 1024) + 1,
	    "%d statvfs for %d writes", nstatvfs, calls);
	ok(stat(spool_path(t), &st) == 0 && st.st_size == 0,
	    "the file is emptied at once");
	ok(spool_write(t, "x", 1) == -1 && errno == ENOSPC, "sticky ENOSPC");
	spool_abort(t);
	is_int(count("public"), 0, "abort leaves nothing in public/");
	free(buf);
}

/* The kernel's ENOSPC, between two looks at the free space. */
static void
test_kernel_full(void)
{
	struct spool_cfg c = cfg_for();
	struct spool_txn *t;
	struct stat st;
	static char buf[100 * 1024];
	char err[256] = "";
	int fd, r;

	c.min_availspace = 0;
	if (spool_begin(&c, &env, &t, err, sizeof(err)) < 0) {
		ok(0, "spool_begin: %s", err);
		return;
	}
	fd = ballast(0);
	r = spool_write(t, buf, sizeof(buf));
	if (r == 0)
		r = spool_flush(t);
	ok(r == -1 && errno == ENOSPC, "a full disk is ENOSPC");
	ok(stat(spool_path(t), &st) == 0 && st.st_size == 0,
	    "and the file is emptied");
	unballast(fd);
	spool_abort(t);
	is_int(count("public"), 0, "nothing left in public/");
}

/* Commit looks once more: another writer took the space meanwhile. */
static void
test_commit_full(void)
{
	struct spool_cfg c = cfg_for();
	struct spool_txn *t;
	char err[256] = "", id[SPOOL_ID_MAX];
	int fd, r;

	if (spool_begin(&c, &env, &t, err, sizeof(err)) < 0 ||
	    spool_write(t, "hello\n", 6) < 0) {
		ok(0, "spool_begin: %s", err);
		return;
	}
	fd = ballast(MIN_KB / 2);
	r = spool_commit(t, id, sizeof(id), err, sizeof(err));
	ok(r == -1 && errno == ENOSPC,
	    "commit below min_availspace: ENOSPC (%s)", err);
	unballast(fd);
	is_int(count("public"), 0, "nothing in public/");
	is_int(count("router"), 0, "nothing in router/");
	r = spool_begin(&c, &env, &t, err, sizeof(err)) == 0 &&
	    spool_write(t, "hello\n", 6) == 0 &&
	    spool_commit(t, id, sizeof(id), err, sizeof(err)) == 0;
	ok(r, "with the space back, a message commits");
	is_int(count("router"), 1, "into router/");
}

static int
mount_po(void)
{
	char p[PATH_MAX];
	const char *dirs[] = { "public", "router", "freezer" };
	size_t i;

	snprintf(po, sizeof(po), "/tmp/spool_space.XXXXXX");
	if (mkdtemp(po) == NULL)
		return -1;
	if (mount("smtpd-test", po, "tmpfs", 0, "size=4m,mode=0700") < 0) {
		printf("# mount tmpfs on %s: %s\n", po, strerror(errno));
		rmdir(po);
		return -1;
	}
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", po, dirs[i]);
		mkdir(p, 0700);
	}
	return 0;
}

int
main(void)
{
	if (geteuid() != 0) {
		/* CI runs as root; elsewhere there is no small disk to fill */
		printf("1..0 # SKIP mounting a tmpfs needs root\n");
		return 0;
	}
	if (mount_po() < 0) {
		ok(0,
		    "mount a 4 MB tmpfs (root that cannot mount: fix the "
		    "host)");
		return tap_done();
	}
	test_grow(1000);
	test_grow(300 * 1024);
	test_kernel_full();
	test_commit_full();
	if (umount(po) < 0)
		umount2(po, MNT_DETACH);
	rmdir(po);
	return tap_done();
}
