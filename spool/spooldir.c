/*
 * spooldir.c - the spool's names and directories: the temp file in
 * public/ (O_TMPFILE, without a name, where the file system has it; else
 * a name made with O_EXCL, removed again for a writer that died), the
 * final name in router/[X/] or freezer/, the link or rename that never
 * replaces a name and the fsyncs after it, and the router's
 * notification.  The format and the durability contract are described at
 * the head of spool.c.
 * Not for: what the file holds, buffering or free space (spool.c).
 */
#include "spool_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/aio_abi.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "buf.h"
#include "daemon.h"
#include "gcommit.h"

#define NAME_HOST_MAX 19

/* The daemon's shared group-commit counters for router/ (NULL: none). */
static struct gcommit *router_gc;

int
spool_fail(
    char *err, size_t errlen, const char *what, const char *path, int eno)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s %s: %s", what, path ? path : "",
		    strerror(eno));
	errno = eno;
	return -1;
}

/* malloc'ed path from a format; NULL on ENOMEM or past PATH_MAX. */
static char *mkpath(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
mkpath(const char *fmt, ...)
{
	struct buf b;
	va_list ap;
	int r;

	buf_init(&b, PATH_MAX);
	va_start(ap, fmt);
	r = buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (r < 0) {
		buf_free(&b);
		errno = ENAMETOOLONG;
		return NULL;
	}
	return b.data;
}

/* At most 19 bytes of our host name, safe in a file name. */
static void
host_part(const struct spool_cfg *cfg, char *out, size_t outlen)
{
	char h[256];
	const char *s = cfg->myhostname;
	char *p;

	if (s == NULL || *s == '\0') {
		if (gethostname(h, sizeof(h)) == 0) {
			h[sizeof(h) - 1] = '\0';
			s = h;
		}
	}
	if (s == NULL || *s == '\0')
		s = "I";
	snprintf(out, outlen, "%.*s", NAME_HOST_MAX, s);
	for (p = out; *p; p++)
		if (*p == '/' || (unsigned char)*p < 0x21 || *p == 0x7f)
			*p = '_';
}

/* The temp names of pid, tried in this order (ZMailer's SUFFIXCHARS). */
static const char temp_sfx[] = " abcdefghijklmnopqrstuvwxyz";

/* <host>:<pid>, with suffix i of temp_sfx (0 = none). */
static void
temp_base(char *out, size_t len, const char *host, long pid, size_t i)
{
	snprintf(
	    out, len, "%s:%ld%.*s", host, pid, i == 0 ? 0 : 1, &temp_sfx[i]);
}

/* public/<host>:<pid>, with suffix i of temp_sfx (0 = none); malloc'ed. */
static char *
temp_name(const struct spool_cfg *cfg, const char *host, long pid, size_t i)
{
	char base[NAME_HOST_MAX + 32];

	temp_base(base, sizeof(base), host, pid, i);
	return mkpath("%s/public/%s", cfg->postoffice, base);
}

/*
 * Must a new file be given mode 0600 with fchmod?  Only when the umask
 * takes away one of its bits (the umask is read once per process; fork
 * keeps it).
 */
static int
umask_strips_0600(void)
{
	static int known, strips;
	mode_t m;

	if (!known) {
		m = umask(077);
		umask(m);
		strips = (m & 0600) != 0;
		known = 1;
	}
	return strips;
}

/*
 * Can a file made with O_TMPFILE be given its name later?  linkat(2) of
 * /proc/self/fd/N needs /proc (AT_EMPTY_PATH would need
 * CAP_DAC_READ_SEARCH); asked once per process.
 */
static int
proc_fd_links(void)
{
	static int known, yes;

	if (!known) {
		yes = access("/proc/self/fd", X_OK) == 0;
		known = 1;
	}
	return yes;
}

/* O_TMPFILE in public/ where the file system has it: 0 and *fdp, or -1
 * (errno EOPNOTSUPP and the like: take a name instead). */
static int
create_unnamed(const struct spool_cfg *cfg, char **path, int *fdp)
{
	static int unsupported;
	char *dir;
	int fd, eno;

#ifdef O_TMPFILE
	if (unsupported || !proc_fd_links())
		return -1;
	if ((dir = mkpath("%s/public", cfg->postoffice)) == NULL)
		return -1;
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	eno = errno;
	free(dir);
	if (fd < 0) {
		if (eno == EOPNOTSUPP || eno == EISDIR || eno == EINVAL)
			unsupported = 1;
		errno = eno;
		return -1;
	}
	*path = mkpath("/proc/self/fd/%d", fd);
	if (*path == NULL || (umask_strips_0600() && fchmod(fd, 0600) < 0)) {
		eno = errno;
		close(fd);
		free(*path);
		*path = NULL;
		errno = eno;
		return -1;
	}
	*fdp = fd;
	return 0;
#else
	(void)cfg, (void)path, (void)fdp, (void)dir, (void)fd, (void)eno;
	unsupported = 1;
	errno = EOPNOTSUPP;
	return -1;
#endif
}

int
spooldir_create_temp(const struct spool_cfg *cfg, char **path, int *fdp,
    int *unnamed, char *err, size_t errlen)
{
	char host[NAME_HOST_MAX + 1];
	size_t i;
	int fd;

	*unnamed = 0;
	if (!cfg->named_temp && create_unnamed(cfg, path, fdp) == 0) {
		*unnamed = 1;
		return 0;
	}
	host_part(cfg, host, sizeof(host));
	for (i = 0; temp_sfx[i] != '\0'; i++) {
		free(*path);
		*path = temp_name(cfg, host, (long)daemon_getpid(), i);
		if (*path == NULL)
			return spool_fail(err, errlen, "temp name", "", errno);
		fd = open(*path,
		    O_CREAT | O_EXCL | O_NOFOLLOW | O_RDWR | O_CLOEXEC, 0600);
		if (fd >= 0) {
			*fdp = fd;
			if (umask_strips_0600() && fchmod(fd, 0600) < 0)
				return spool_fail(
				    err, errlen, "fchmod", *path, errno);
			return 0;
		}
		if (errno != EEXIST)
			break;
	}
	spool_fail(err, errlen, "create", *path, errno);
	free(*path);
	*path = NULL;
	return -1;
}

/*
 * The caller may be root and public/ belongs to the daemon user: names are
 * removed relative to public/ opened without following a symbolic link,
 * so a public/ replaced by a link to another directory is left alone.
 */
int
spool_remove_temps(const struct spool_cfg *cfg, long pid)
{
	char host[NAME_HOST_MAX + 1], base[NAME_HOST_MAX + 32], *dir;
	size_t i;
	int n = 0, dfd;

	if ((dir = mkpath("%s/public", cfg->postoffice)) == NULL)
		return -1;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	free(dir);
	if (dfd < 0)
		return 0;
	host_part(cfg, host, sizeof(host));
	for (i = 0; temp_sfx[i] != '\0'; i++) {
		temp_base(base, sizeof(base), host, pid, i);
		if (unlinkat(dfd, base, 0) == 0)
			n++;
	}
	close(dfd);
	return n;
}

int
spooldir_target(struct spool_target *g, const char *postoffice,
    int routerdirhash, int freeze, int n, unsigned long long ino)
{
	char sfx[32] = "";

	memset(g, 0, sizeof(*g));
	if (freeze) {
		if (n >= 0)
			snprintf(sfx, sizeof(sfx), "policy-%d", n);
		else
			snprintf(sfx, sizeof(sfx), "policy");
		g->dir = mkpath("%s/freezer", postoffice);
		g->dest = mkpath("%s/freezer/%llu%s", postoffice, ino, sfx);
		return g->dir && g->dest ? 0 : -1;
	}
	if (routerdirhash) {
		snprintf(
		    g->hash, sizeof(g->hash), "%c/", 'A' + (int)(ino % 26));
		g->subdir = mkpath("%s/router/%c", postoffice, g->hash[0]);
		if (g->subdir == NULL)
			return -1;
	}
	g->router = 1;
	g->dir = mkpath("%s/router", postoffice);
	g->dest = mkpath("%s/router/%s%llu", postoffice, g->hash, ino);
	return g->dir && g->dest ? 0 : -1;
}

void
spooldir_target_free(struct spool_target *g)
{
	free(g->dir);
	free(g->subdir);
	free(g->dest);
}

/* rename(2) that never replaces an existing name. */
static int
move_noreplace(const char *from, const char *to)
{
	int eno;

#ifdef RENAME_NOREPLACE
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
#endif
	if (link(from, to) < 0)
		return -1;
	if (unlink(from) < 0) {
		eno = errno;
		unlink(to);
		errno = eno;
		return -1;
	}
	return 0;
}

/* The O_TMPFILE file (open at /proc/self/fd/N) gets its name; link(2)
 * never replaces one either. */
static int
name_unnamed(const char *procpath, const char *to)
{
	return linkat(AT_FDCWD, procpath, AT_FDCWD, to, AT_SYMLINK_FOLLOW);
}

static int
fsync_dir(const char *dir)
{
	int fd, eno;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (fsync(fd) < 0) {
		if (errno != EINTR) {
			eno = errno;
			close(fd);
			errno = eno;
			return -1;
		}
	}
	close(fd);
	return 0;
}

static int
fsync_dir_cb(void *dir)
{
	return fsync_dir(dir);
}

/* syncfs(2) of the file system that holds dir. */
static int
syncfs_dir(const char *dir)
{
	int fd, rc, eno;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((rc = syncfs(fd)) < 0 && errno == EINTR)
		continue;
	eno = errno;
	close(fd);
	errno = eno;
	return rc;
}

static int
syncfs_dir_cb(void *dir)
{
	return syncfs_dir(dir);
}

void
spool_group_commit(struct gcommit *gc)
{
	router_gc = gc;
}

/*
 * The new entry of router/ on disk: with the daemon's group commit, an
 * fsync of router/ by any worker that started after our rename will do
 * (gcommit.h); without it, or with hash directories, our own fsync.
 */
static int
sync_entry(const struct spool_target *g)
{
	if (g->sync_fs && g->router && router_gc != NULL)
		return gcommit_sync(router_gc, gcommit_renamed(router_gc),
		    syncfs_dir_cb, g->dir, GCOMMIT_WAIT_MS);
	if (g->sync_fs)
		return syncfs_dir(g->dir);
	if (g->subdir != NULL)
		return fsync_dir(g->subdir);
	if (g->router && router_gc != NULL)
		return gcommit_sync(router_gc, gcommit_renamed(router_gc),
		    fsync_dir_cb, g->dir, GCOMMIT_WAIT_MS);
	return fsync_dir(g->dir);
}

/*
 * ROUTERDIRHASH=1 and router/X is missing: make it with router/'s mode
 * (fchmod, whatever the umask), as whoever commits: a worker or a -i/-n
 * session, never root.  EEXIST is another writer that was quicker.
 */
static int
make_hashdir(const char *dir, const char *subdir)
{
	struct stat st;
	int fd, rc;

	if (stat(dir, &st) < 0)
		return -1;
	if (mkdir(subdir, 0700) < 0)
		return errno == EEXIST ? 0 : -1;
	fd = open(subdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fchmod(fd, st.st_mode & 07777);
	close(fd);
	return rc;
}

/*
 * The file's fsync in the background (Linux AIO, IOCB_CMD_FSYNC), so that
 * it and the directory's run at once: one context per process, made at
 * the first commit (a forked child makes its own).  A kernel without it
 * (before 4.18, aio-max-nr reached, a seccomp filter) is asked once; the
 * file is then fsynced in the foreground.
 */
static aio_context_t bg_ctx;
static long bg_pid;
static int bg_off;

static int
bg_fsync_start(int fd)
{
	struct iocb cb, *cbs[1] = { &cb };

	if (bg_off)
		return -1;
	if (bg_pid != (long)daemon_getpid()) {
		bg_ctx = 0;
		if (syscall(SYS_io_setup, 4L, &bg_ctx) < 0) {
			bg_off = 1;
			return -1;
		}
		bg_pid = (long)daemon_getpid();
	}
	memset(&cb, 0, sizeof(cb));
	cb.aio_fildes = (uint32_t)fd;
	cb.aio_lio_opcode = IOCB_CMD_FSYNC;
	if (syscall(SYS_io_submit, bg_ctx, 1L, cbs) == 1)
		return 0;
	if (errno != EAGAIN && errno != EINTR)
		bg_off = 1; /* no IOCB_CMD_FSYNC here (EINVAL), or filtered */
	return -1;
}

/* The background fsync's end: 0, or -1 with its errno. */
static int
bg_fsync_wait(void)
{
	struct io_event ev;
	long n;

	while ((n = syscall(SYS_io_getevents, bg_ctx, 1L, 1L, &ev, NULL)) < 0 &&
	    errno == EINTR)
		continue;
	if (n != 1)
		return -1;
	if (ev.res < 0) {
		errno = (int)-ev.res;
		return -1;
	}
	return 0;
}

/*
 * The file's own fsync: begun in the background (*bg = 1), or done now;
 * none with syncfs, whose one syncfs covers it.  0, or -1 with errno.
 */
static int
file_sync_begin(const struct spool_target *g, int fd, int *bg)
{
	int rc;

	*bg = 0;
	if (g->sync_fs)
		return 0;
	if (bg_fsync_start(fd) == 0) {
		*bg = 1;
		return 0;
	}
	while ((rc = fsync(fd)) < 0 && errno == EINTR)
		continue;
	return rc;
}

static int
give_name(const char *path, int unnamed, const char *dest)
{
	return unnamed ? name_unnamed(path, dest) : move_noreplace(path, dest);
}

int
spooldir_publish(char **path, int fd, int unnamed, const struct spool_target *g,
    char *err, size_t errlen)
{
	const char *bad = NULL;
	int bg, eno, rc = give_name(*path, unnamed, g->dest);

	if (rc < 0 && errno == ENOENT && g->subdir != NULL) {
		if (make_hashdir(g->dir, g->subdir) < 0)
			return spool_fail(
			    err, errlen, "mkdir", g->subdir, errno);
		rc = give_name(*path, unnamed, g->dest);
	}
	if (rc < 0)
		return spool_fail(err, errlen,
		    unnamed ? "link to" : "rename to", g->dest, errno);
	free(*path);
	*path = NULL;
	/* the file (its size, blocks and link count) and its entry in
	 * subdir, and router/ too in case X was just made, at once where the
	 * kernel can fsync in the background; with syncfs the one syncfs
	 * covers all of it */
	if (file_sync_begin(g, fd, &bg) < 0)
		bad = g->dest;
	else if (sync_entry(g) < 0)
		bad = g->subdir != NULL ? g->subdir : g->dir;
	else if (!g->sync_fs && g->subdir != NULL && fsync_dir(g->dir) < 0)
		bad = g->dir;
	eno = errno;
	if (bg && bg_fsync_wait() < 0 && bad == NULL) {
		bad = g->dest;
		eno = errno;
	}
	if (bad == NULL)
		return 0;
	unlink(g->dest);
	return spool_fail(err, errlen,
	    bad == g->dest ? "fsync" : "fsync directory", bad, eno);
}

void
spooldir_notify(const char *sock, const char *hash, unsigned long long ino)
{
	struct sockaddr_un sa;
	char msg[64];
	int fd, n;

	if (sock == NULL || strlen(sock) >= sizeof(sa.sun_path))
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, sock, strlen(sock));
	n = snprintf(msg, sizeof(msg), "NEW router %s%llu", hash, ino);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return;
	if (sendto(fd, msg, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL,
	        (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		/* ignored: the router scans router/ as well */
	}
	close(fd);
}
