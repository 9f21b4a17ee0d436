/*
 * spool.c - the durable spool writer: one transaction writes the envelope
 * and body into its temp file and commits it into router/ (or the
 * freezer); spool ids; free space.
 * Not for: the names and directories (spooldir.c), the envelope text
 * itself (envelope.c) or reading (spoolread.c).
 *
 * SPOOL FORMAT AND DURABILITY (for smtpserver(8))
 *
 * Files.  A transaction creates $POSTOFFICE/public/<host>:<pid> with
 * O_CREAT|O_EXCL, mode 0600 (set with fchmod, whatever the umask), where
 * <host> is the first 19 bytes of our host name ('/' becomes '_') and,
 * if that name is taken, one letter a..z is appended (ZMailer's
 * SUFFIXCHARS).  On commit the file is renamed, without ever replacing an
 * existing name, to $POSTOFFICE/router/<inode> or, with ROUTERDIRHASH=1,
 * to $POSTOFFICE/router/<X>/<inode> with X = 'A' + inode % 26 (a missing
 * hash directory is made at that commit, with router/'s mode, by the
 * committing process: the daemon's user, never root).  A frozen message
 * goes to $POSTOFFICE/freezer/<inode>policy-<N> (N >= 0) or <inode>policy
 * (N < 0, BDAT).  With ROUTERNOTIFY set, a commit sends the datagram
 * "NEW router <inode>" (or "NEW router <X>/<inode>") to that AF_UNIX
 * SOCK_DGRAM socket, non-blocking; a lost datagram only delays the
 * router, which also scans its directory.
 *
 * Contents.  Envelope lines, each ending in LF, exactly as ZMailer's
 * smtpserver writes them for its router:
 *   external                                  (network session)
 *   comment smtp-auth: "<user>"               (authenticated)
 *   rcvdfrom <rhost> ([ip]:<port> "<HELO line>"[ ident: "..."]
 *       [ whoson: "..."][ smtp-auth: "..."|<none>]
 *       [ TLS-CIPHER: "..."|<none>][ TLS-PEER-CN1: "..."|<none>]
 *       rhost-flags-A-B-C-D)                  (one line; [] per rcvd-*)
 *   comment <rhost> [ip]:<port> "<HELO line>"[ whoson: "..."]
 *       smtp-auth: ... TLS-CIPHER: ... TLS-PEER: ... rhost-flags-A-B-C-D)
 *   bodytype 8BITMIME|BINARYMIME|7BIT
 *   with SMTP|ESMTP|ESMTPA|ESMTPS|ESMTPSA|SUBMIT...|LMTP...|BSMTP
 *   identinfo <ident>
 *   from <addr>        or   channel error     (null sender)
 *   comment policytest() reported freeze state
 *   envid <xtext>
 *   notaryret FULL|HDRS
 *   per recipient:
 *   todsn NOTIFY=<given>|NOTIFY=FAILURE,DELAY[,DELAY][,TRACE][ BY=<by>]
 *       ORCPT=<given>|ORCPT=rfc822;<xtext(addr)>
 *       INRCPT=rfc822;<xtext(addr)> INFROM=rfc822;<xtext(sender)>
 *   to <addr>
 *   comment policytest() reported freeze state <N>
 *   per refused recipient:
 *   comment policytest() rejected rcptaddr: <addr>
 *   env-end
 * then, in standalone mode only, one RFC 5321 Received: header (folded
 * with LF TAB), then the message exactly as received after dot-unstuffing
 * with LF line ends.  Quoted strings escape '"', '\', '(' and ')' with a
 * backslash and bytes outside 0x20..0x7e as \ooo; rhost and identinfo get
 * \ooo for control bytes; an address or DSN value holding a control byte
 * is refused, so no client can add an envelope line.
 *
 * Spool id.  'S', the inode in decimal, then year (3 chars), month,
 * day-1, hour, minute, second of the file's mtime in UTC, then 5 chars of
 * the mtime nanoseconds when they are not 0, each char from
 * "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123abcdefghijklmnopqrstuvwxyz4567890-="
 * (ZMailer's lib/taspoolid.c).  The id is taken from fstat() after fsync,
 * so it is the id ZMailer's router computes for the same file.  In
 * standalone mode the mtime is fixed at begin (futimens) so that the id in
 * Received: and in the 250 reply are the same.
 *
 * Durability.  spool_commit() returns 0 only after: every byte was written
 * (short writes retried, errors sticky) and written out to the device
 * (sync_file_range(2): written and waited for), the file got its name in
 * router/ (link(2) of the O_TMPFILE file, or the rename of the named
 * one, never replacing a name), then fsync(file) (its size, blocks and
 * link count) and fsync of the target directory (router/ and, with
 * hashing, also router/<X>/; freezer/ for spool_freeze).  A failure at
 * any step returns -1 with the reason and removes the file (once it has
 * its name, the name is unlinked: a retry may at worst duplicate, never
 * lose).  A file never appears half-written in router/: every byte is
 * written and on the device before it has a name there, so a crash leaves
 * either no name or the whole file (the router may read it before the
 * fsyncs end; a failed fsync then means a 451 and, rarely, a duplicate).
 * On ext4 and XFS the fsync of the file commits the new name with it, so
 * the directory's fsync usually finds nothing left to do: one journal
 * commit per message.  The file is made with O_TMPFILE where the file
 * system has it, so it has no name in public/ until it is complete (a
 * killed writer leaves nothing there); with a contentfilter, which opens
 * it by name, it is public/<host>:<pid>.  With PARAM spool-sync syncfs
 * the fsyncs of the file and of the directory are one syncfs(2) of the
 * spool's file system after the name is given (on Linux it makes every
 * file and directory of it durable, as fsync of each would).
 * spool_abort() unlinks (or closes the unnamed file, which frees it).  In
 * the daemon the fsync (or syncfs) of router/ may be another worker's,
 * one that started after this file got its name and has ended
 * (spool_group_commit, gcommit.h).
 *
 * Free space.  Every byte of the file (envelope and body) is counted
 * against the free space above min-availspace, less one block for the
 * file's last partial block.  statvfs(2) is asked at begin (a look of the
 * last 200 ms, made at MAIL or RCPT, may serve), again each
 * time SPACE_CHECK_BYTES more bytes have been written, and at commit, so
 * one transaction never takes the file system below min-availspace (each
 * of k concurrent writers may take at most SPACE_CHECK_BYTES of it).  A
 * write that would, or a write the kernel refuses with ENOSPC or EDQUOT,
 * fails with errno ENOSPC; the file is truncated to 0 at once, so the
 * space is back while the client is still sending.
 */
#include "spool_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "buf.h"

#define WBUF_MAX (64u * 1024)
#define SPACE_CHECK_BYTES (1024LL * 1024)

struct spool_txn {
	char *postoffice;
	char *routernotify;
	int routerdirhash;
	int fd;
	char *path;      /* public/... or /proc/self/fd/N while open */
	int unnamed;     /* O_TMPFILE: no name until it is committed */
	struct buf wbuf; /* pending bytes */
	long long body;  /* body bytes accepted */
	int fixed;       /* standalone: mtime fixed at begin */
	struct timespec mtime;
	long min_availspace; /* KB */
	long long budget;    /* bytes that may be put before statvfs again */
	int nospace;         /* the sticky error is ENOSPC */
	int looked;          /* the free space was looked at for it */
	int sync_fs;         /* PARAM spool-sync syncfs */
	char err[256];       /* first write error, sticky */
};

static const char spool_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123abcdefghijklmnopqrstuvwxyz4567890-=";

void
spool_id(char *out, size_t outlen, unsigned long long ino, time_t mtime,
    long mtime_nsec)
{
	struct tm tm;
	int y, n;

	if (outlen == 0)
		return;
	out[0] = '\0';
	if (gmtime_r(&mtime, &tm) == NULL)
		return;
	y = tm.tm_year + 1900;
	n = snprintf(out, outlen, "S%llu%c%c%c%c%c%c%c%c", ino,
	    spool_chars[(y >> 12) & 63], spool_chars[(y >> 6) & 63],
	    spool_chars[y & 63], spool_chars[tm.tm_mon],
	    spool_chars[tm.tm_mday - 1], spool_chars[tm.tm_hour],
	    spool_chars[tm.tm_min], spool_chars[tm.tm_sec]);
	if (n < 0 || (size_t)n >= outlen) {
		out[0] = '\0';
		return;
	}
	if (mtime_nsec == 0)
		return;
	if ((size_t)n + 5 >= outlen) {
		out[0] = '\0';
		return;
	}
	snprintf(out + n, outlen - (size_t)n, "%c%c%c%c%c",
	    spool_chars[(mtime_nsec >> 24) & 63],
	    spool_chars[(mtime_nsec >> 18) & 63],
	    spool_chars[(mtime_nsec >> 12) & 63],
	    spool_chars[(mtime_nsec >> 6) & 63], spool_chars[mtime_nsec & 63]);
}

/*
 * The last statvfs(2) of this process: the checks at MAIL, RCPT and the
 * start of the file, a few milliseconds apart, share one look (each is
 * an early warning; the commit always looks again).
 */
static struct {
	char *dir;
	struct timespec at; /* CLOCK_MONOTONIC_COARSE */
	unsigned long long bavail, frsize;
} last_look;

#define LOOK_REUSE_MS 200

/* statvfs of dir, or its last result when fresh is 0 and it is recent. */
static int
look(const char *dir, int fresh, unsigned long long *bavail,
    unsigned long long *frsize)
{
	struct timespec now;
	struct statvfs sv;
	long ms;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	ms = (long)(now.tv_sec - last_look.at.tv_sec) * 1000 +
	    (now.tv_nsec - last_look.at.tv_nsec) / 1000000;
	if (!fresh && last_look.dir != NULL &&
	    strcmp(last_look.dir, dir) == 0 && ms >= 0 && ms < LOOK_REUSE_MS) {
		*bavail = last_look.bavail;
		*frsize = last_look.frsize;
		return 0;
	}
	if (statvfs(dir, &sv) < 0)
		return -1;
	*bavail = sv.f_bavail;
	*frsize = sv.f_frsize;
	if (last_look.dir == NULL || strcmp(last_look.dir, dir) != 0) {
		free(last_look.dir);
		last_look.dir = strdup(dir); /* NULL: no reuse */
	}
	last_look.at = now;
	last_look.bavail = *bavail;
	last_look.frsize = *frsize;
	return 0;
}

/*
 * Bytes that may still be written above min_kb KB of free space, less one
 * block; negative when there are none.  -1 if statvfs fails.  fresh: look
 * now; else a look of the last LOOK_REUSE_MS may do, when it leaves room
 * for need bytes (a refusal always comes from a look made for it).
 */
static int
headroom(
    const char *dir, long min_kb, int fresh, long long need, long long *room)
{
	unsigned long long kb, bavail, frsize;
	long long avail;

	if (dir == NULL || look(dir, fresh, &bavail, &frsize) < 0)
		return -1;
	/* f_bavail * f_frsize / 1024 without overflow */
	kb = bavail / 1024 * frsize + bavail % 1024 * frsize / 1024;
	if (kb > (unsigned long long)LLONG_MAX / 2)
		kb = (unsigned long long)LLONG_MAX / 2;
	avail = (long long)kb - min_kb;
	if (avail > LLONG_MAX / 1024)
		avail = LLONG_MAX / 1024;
	*room = avail < 0 ? -1 : avail * 1024 - (long long)frsize;
	if (!fresh && (*room < 0 || *room < need))
		return headroom(dir, min_kb, 1, need, room);
	return 0;
}

int
spool_space_ok(const struct spool_cfg *cfg, long long need)
{
	long long room;

	if (headroom(cfg->postoffice, cfg->min_availspace, 0, need, &room) < 0)
		return -1;
	return room >= 0 && room >= need ? 0 : -1;
}

/* write(2) all of it, retrying EINTR and short writes. */
static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * The sticky error of t.  Out of space (ours or the kernel's): errno
 * ENOSPC, and the file is emptied so that its blocks are free again.
 */
static int
txn_fail(struct spool_txn *t, const char *what, int eno)
{
	if (eno == ENOSPC || eno == EDQUOT) {
		eno = ENOSPC;
		t->nospace = 1;
		buf_reset(&t->wbuf);
		if (t->fd >= 0 && ftruncate(t->fd, 0) < 0) {
			/* nothing more to do: abort unlinks it */
		}
	}
	return spool_fail(t->err, sizeof(t->err), what, t->path, eno);
}

static int
flush_wbuf(struct spool_txn *t)
{
	if (t->err[0] != '\0') {
		errno = t->nospace ? ENOSPC : EIO;
		return -1;
	}
	if (write_all(t->fd, t->wbuf.data, t->wbuf.len) < 0)
		return txn_fail(t, "write", errno);
	buf_reset(&t->wbuf);
	return 0;
}

static int
buffer(struct spool_txn *t, const char *p, size_t n)
{
	if (buf_append(&t->wbuf, p, n) == 0)
		return 0;
	return txn_fail(t, "buffer", ENOMEM);
}

/*
 * Count n more bytes against the free space; statvfs only when the
 * budget from the last look is used up (at most SPACE_CHECK_BYTES).
 */
static int
reserve(struct spool_txn *t, size_t n)
{
	long long room;

	if ((unsigned long long)n <= (unsigned long long)t->budget) {
		t->budget -= (long long)n;
		return 0;
	}
	if (headroom(t->postoffice, t->min_availspace, t->looked,
	        (long long)(t->wbuf.len + n), &room) < 0)
		return txn_fail(t, "statvfs", errno);
	t->looked = 1;
	room -= (long long)t->wbuf.len; /* counted, not yet on disk */
	if (room < 0 || (unsigned long long)room < (unsigned long long)n)
		return txn_fail(t, "min-availspace reached in", ENOSPC);
	room -= (long long)n;
	t->budget = room < SPACE_CHECK_BYTES ? room : SPACE_CHECK_BYTES;
	return 0;
}

/* Buffered append; errors are sticky in t->err. */
static int
put(struct spool_txn *t, const char *p, size_t n)
{
	if (t->err[0] != '\0') {
		errno = t->nospace ? ENOSPC : EIO;
		return -1;
	}
	if (reserve(t, n) < 0)
		return -1;
	if (n <= t->wbuf.max - t->wbuf.len)
		return buffer(t, p, n);
	if (flush_wbuf(t) < 0)
		return -1;
	if (n >= t->wbuf.max) {
		if (write_all(t->fd, p, n) == 0)
			return 0;
		return txn_fail(t, "write", errno);
	}
	return buffer(t, p, n);
}

int
spool_write(struct spool_txn *t, const char *p, size_t n)
{
	if (put(t, p, n) < 0)
		return -1;
	t->body += (long long)n;
	return 0;
}

long long
spool_size(const struct spool_txn *t)
{
	return t->body;
}

const char *
spool_path(const struct spool_txn *t)
{
	return t->path;
}

static void
txn_free(struct spool_txn *t)
{
	if (t == NULL)
		return;
	if (t->fd >= 0)
		close(t->fd);
	buf_free(&t->wbuf);
	free(t->postoffice);
	free(t->routernotify);
	free(t->path);
	free(t);
}

void
spool_abort(struct spool_txn *t)
{
	if (t == NULL)
		return;
	if (t->fd >= 0) {
		close(t->fd);
		t->fd = -1;
	}
	if (t->path != NULL && !t->unnamed)
		unlink(t->path);
	txn_free(t);
}

/* Standalone: fix the mtime now, so the Received: id is the final id. */
static int
add_received(struct spool_txn *t, const struct spool_cfg *cfg,
    const struct envelope *env, char *err, size_t errlen)
{
	struct timespec ts[2];
	struct stat st;
	char id[SPOOL_ID_MAX], *hdr;
	size_t len;
	int r;

	if (clock_gettime(CLOCK_REALTIME, &ts[0]) < 0)
		return spool_fail(err, errlen, "clock_gettime", "", errno);
	ts[1] = ts[0];
	if (futimens(t->fd, ts) < 0 || fstat(t->fd, &st) < 0)
		return spool_fail(
		    err, errlen, "futimens/fstat", t->path, errno);
	t->mtime = st.st_mtim;
	t->fixed = 1;
	spool_id(id, sizeof(id), (unsigned long long)st.st_ino,
	    st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	hdr = envelope_received(env, cfg->myhostname, id, &len);
	if (hdr == NULL)
		return spool_fail(err, errlen, "Received: header", "", ENOMEM);
	r = put(t, hdr, len);
	free(hdr);
	return r;
}

static struct spool_txn *
txn_new(const struct spool_cfg *cfg)
{
	struct spool_txn *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->fd = -1;
	buf_init(&t->wbuf, WBUF_MAX);
	t->routerdirhash = cfg->routerdirhash;
	t->min_availspace = cfg->min_availspace;
	t->sync_fs = cfg->sync_fs;
	t->postoffice = strdup(cfg->postoffice);
	if (cfg->routernotify != NULL && *cfg->routernotify)
		t->routernotify = strdup(cfg->routernotify);
	if (t->postoffice == NULL ||
	    (cfg->routernotify != NULL && *cfg->routernotify &&
	        t->routernotify == NULL)) {
		txn_free(t);
		return NULL;
	}
	return t;
}

int
spool_begin(const struct spool_cfg *cfg, const struct envelope *env,
    struct spool_txn **txnp, char *err, size_t errlen)
{
	struct spool_txn *t;
	char *text;
	size_t len;
	int eno;

	*txnp = NULL;
	if (cfg->postoffice == NULL || *cfg->postoffice == '\0')
		return spool_fail(
		    err, errlen, "spool_begin: no postoffice", "", EINVAL);
	if (envelope_check(env, err, errlen) < 0) {
		errno = EINVAL;
		return -1;
	}
	if ((text = envelope_format(env, &len)) == NULL)
		return spool_fail(err, errlen, "envelope", "", errno);
	if ((t = txn_new(cfg)) == NULL) {
		free(text);
		return spool_fail(err, errlen, "spool_begin", "", ENOMEM);
	}
	if (spooldir_create_temp(
	        cfg, &t->path, &t->fd, &t->unnamed, err, errlen) < 0 ||
	    put(t, text, len) < 0 ||
	    (cfg->received_header &&
	        add_received(t, cfg, env, err, errlen) < 0)) {
		eno = errno;
		if (t->err[0] != '\0' && err != NULL && errlen > 0)
			snprintf(err, errlen, "%s", t->err);
		free(text);
		spool_abort(t);
		errno = eno;
		return -1;
	}
	free(text);
	*txnp = t;
	return 0;
}

int
spool_flush(struct spool_txn *t)
{
	return flush_wbuf(t);
}

/* At commit, with every byte on disk: is min-availspace still free? */
static int
commit_space(struct spool_txn *t)
{
	long long room;

	if (headroom(t->postoffice, t->min_availspace, 1, 0, &room) < 0)
		return txn_fail(t, "statvfs", errno);
	if (room < 0)
		return txn_fail(t, "min-availspace reached in", ENOSPC);
	return 0;
}

/*
 * The file's bytes written out before it gets its name: sync_file_range(2)
 * (written and waited for; no journal commit, no cache flush), so that
 * whatever makes the name durable finds the blocks already on the device;
 * the fsync of the file and of its directory follow the name
 * (spooldir_publish).  A file system without sync_file_range gets an
 * fsync here instead.
 */
static int
write_out(struct spool_txn *t)
{
	if (sync_file_range(t->fd, 0, 0,
	        SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
	            SYNC_FILE_RANGE_WAIT_AFTER) == 0)
		return 0;
	if (errno != EINVAL && errno != ESPIPE && errno != ENOSYS)
		return -1;
	while (fsync(t->fd) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* Flush, check the free space, fix the mtime (standalone), write out,
 * stat (*st gives the spool id).  The file stays open. */
static int
finish_file(struct spool_txn *t, struct stat *st, char *err, size_t errlen)
{
	struct timespec ts[2];
	int eno;

	if (flush_wbuf(t) < 0 || commit_space(t) < 0) {
		eno = errno;
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s", t->err);
		errno = eno;
		return -1;
	}
	ts[0] = ts[1] = t->mtime;
	if (t->fixed && futimens(t->fd, ts) < 0)
		return spool_fail(err, errlen, "futimens", t->path, errno);
	if (write_out(t) < 0)
		return spool_fail(
		    err, errlen, "sync_file_range", t->path, errno);
	if (fstat(t->fd, st) < 0)
		return spool_fail(err, errlen, "fstat", t->path, errno);
	return 0;
}

/* Commit into router/ or the freezer; the txn is freed either way. */
static int
txn_finish(struct spool_txn *t, int freeze, int n, char *id, size_t idlen,
    char *err, size_t errlen)
{
	struct spool_target g;
	struct stat st;
	unsigned long long ino;
	int eno;

	if (idlen > 0)
		id[0] = '\0';
	memset(&g, 0, sizeof(g));
	if (finish_file(t, &st, err, errlen) < 0)
		goto bad;
	ino = (unsigned long long)st.st_ino;
	if (spooldir_target(
	        &g, t->postoffice, t->routerdirhash, freeze, n, ino) < 0) {
		spool_fail(err, errlen, "target name", "", errno);
		goto bad;
	}
	g.sync_fs = t->sync_fs;
	if (spooldir_publish(&t->path, t->fd, t->unnamed, &g, err, errlen) < 0)
		goto bad;
	(void)close(t->fd); /* its data and name are on disk already */
	t->fd = -1;
	if (!freeze)
		spooldir_notify(t->routernotify, g.hash, ino);
	spool_id(id, idlen, ino, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	spooldir_target_free(&g);
	txn_free(t);
	return 0;
bad:
	eno = errno;
	spooldir_target_free(&g);
	spool_abort(t);
	errno = eno;
	return -1;
}

int
spool_commit(
    struct spool_txn *t, char *id, size_t idlen, char *err, size_t errlen)
{
	return txn_finish(t, 0, 0, id, idlen, err, errlen);
}

int
spool_freeze(struct spool_txn *t, int n, char *id, size_t idlen, char *err,
    size_t errlen)
{
	return txn_finish(t, 1, n, id, idlen, err, errlen);
}
