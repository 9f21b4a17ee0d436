/*
 * daemon.c - pid file, detach, privilege drop (see daemon.h).
 * For: the supervisor at startup and each worker after fork.
 * Not for: listening sockets (server/listen.c) or signals (supervisor.c).
 */
#include "daemon.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static pid_t my_pid;
static pthread_once_t my_pid_once = PTHREAD_ONCE_INIT;

static void
forget_pid(void)
{
	my_pid = 0;
}

static void
watch_forks(void)
{
	(void)pthread_atfork(NULL, NULL, forget_pid);
}

pid_t
daemon_getpid(void)
{
	(void)pthread_once(&my_pid_once, watch_forks);
	if (my_pid == 0)
		my_pid = getpid();
	return my_pid;
}

/* The pid in path: a regular file, not a symbolic link (the directory
 * may belong to the daemon user), never waited on (a FIFO). */
static long
read_pid(const char *path)
{
	char buf[32];
	struct stat st;
	ssize_t n = -1;
	long pid;
	char *end;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	pid = strtol(buf, &end, 10);
	if (end == buf || pid <= 1 || (*end != '\n' && *end != '\0'))
		return -1;
	return pid;
}

/* Alive and not a zombie (a zombie is gone for our purpose). */
static int
alive(pid_t pid)
{
	char path[64], buf[256], *p;
	ssize_t n;
	int fd;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return !(p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'));
}

/* The last component of path, without the " (deleted)" the kernel adds
 * to /proc/PID/exe when the binary was replaced (an upgrade). */
static void
base_name(const char *path, char *out, size_t outlen)
{
	const char *b = strrchr(path, '/');
	size_t n;

	b = b ? b + 1 : path;
	n = strlen(b);
	if (n > 10 && strcmp(b + n - 10, " (deleted)") == 0)
		n -= 10;
	snprintf(out, outlen, "%.*s", (int)n, b);
}

/* Program name of pid: its executable's, or argv[0]'s when that cannot be
 * read (another user's process); "" when neither can. */
static void
program_of(pid_t pid, char *out, size_t outlen)
{
	char path[64], buf[PATH_MAX];
	ssize_t n;
	int fd;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%ld/exe", (long)pid);
	if ((n = readlink(path, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		base_name(buf, out, outlen);
		return;
	}
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0'; /* argv[0] ends at its NUL */
	base_name(buf, out, outlen);
}

/*
 * Is pid an smtpserver: its program is named "smtpserver", or the same as
 * ours (a renamed binary)?  1 yes, 0 no, -1 when /proc cannot tell.
 */
static int
is_smtpserver(pid_t pid)
{
	char theirs[256], ours[256];

	if (access("/proc/self/exe", F_OK) < 0)
		return -1;
	program_of(pid, theirs, sizeof(theirs));
	program_of(getpid(), ours, sizeof(ours));
	if (theirs[0] == '\0')
		return 0;
	return strcmp(theirs, "smtpserver") == 0 || strcmp(theirs, ours) == 0;
}

int
daemon_kill_previous(const char *path, int wait_ms, char *err, size_t errlen)
{
	long pid = read_pid(path);
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	int waited;

	if (pid <= 0 || pid == (long)getpid() || !alive((pid_t)pid))
		return 0;
	if (is_smtpserver((pid_t)pid) == 0) {
		log_msg(LOG_WARNING,
		    "pid file %s names pid %ld, which is not an smtpserver: "
		    "stale, left alone and overwritten",
		    path, pid);
		return 0;
	}
	if (kill((pid_t)pid, SIGTERM) < 0 && errno != ESRCH) {
		snprintf(err, errlen,
		    "cannot signal previous daemon pid %ld: %s", pid,
		    strerror(errno));
		return -1;
	}
	for (waited = 0; waited < wait_ms; waited += 20) {
		if (!alive((pid_t)pid))
			return 0;
		nanosleep(&tick, NULL);
	}
	snprintf(err, errlen, "previous daemon pid %ld (%s) still running", pid,
	    path);
	return -1;
}

/*
 * Create tmp for writing, never through a symbolic link or into an
 * existing file: O_EXCL|O_NOFOLLOW.  A name left over from an earlier
 * process with our pid (or planted by whoever can write the directory)
 * is removed (unlink removes a link, not its target) and tried again.
 */
static int
create_excl(const char *tmp)
{
	const int fl = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	int fd = open(tmp, fl, 0644), eno;

	if (fd < 0 && errno == EEXIST && unlink(tmp) == 0)
		fd = open(tmp, fl, 0644);
	if (fd >= 0 && fchmod(fd, 0644) < 0) { /* whatever the umask */
		eno = errno;
		close(fd);
		unlink(tmp);
		errno = eno;
		return -1;
	}
	return fd;
}

int
daemon_pidfile_write(const char *path, char *err, size_t errlen)
{
	char tmp[4096], line[32];
	int fd, n, ok;

	if (snprintf(tmp, sizeof(tmp), "%s.%ld", path, (long)getpid()) >=
	    (int)sizeof(tmp)) {
		snprintf(err, errlen, "pid file name too long");
		return -1;
	}
	n = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	fd = create_excl(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "Can't write my pidfile! %s: %s", tmp,
		    strerror(errno));
		return -1;
	}
	ok = write(fd, line, (size_t)n) == n;
	ok = close(fd) == 0 && ok;
	/* rename replaces a link at path, it does not follow it */
	if (!ok || rename(tmp, path) < 0) {
		snprintf(err, errlen,
		    "Can't write my pidfile!  Disk full ? %s: %s", path,
		    strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

void
daemon_pidfile_remove(const char *path)
{
	if (read_pid(path) == (long)getpid())
		unlink(path);
}

int
daemon_detach(char *err, size_t errlen)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0)
		_exit(0);
	setsid();
	umask(022);
	fd = open("/dev/null", O_RDWR);
	if (fd < 0) {
		snprintf(err, errlen, "/dev/null: %s", strerror(errno));
		return -1;
	}
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	return 0;
}

int
daemon_user(const char *user, uid_t *uid, gid_t *gid, char *err, size_t errlen)
{
	struct passwd *pw;

	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL) {
		snprintf(err, errlen, "TRUSTEDUSER %s: no such user", user);
		return -1;
	}
	if (pw->pw_uid == 0) {
		snprintf(err, errlen, "TRUSTEDUSER %s is root; refusing", user);
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

int
daemon_drop(uid_t uid, gid_t gid, char *err, size_t errlen)
{
	if (getuid() != 0 && geteuid() != 0)
		return 0;
	if (setgroups(1, &gid) < 0 || setgid(gid) < 0 || setuid(uid) < 0) {
		snprintf(err, errlen, "privilege drop to %ld:%ld: %s",
		    (long)uid, (long)gid, strerror(errno));
		return -1;
	}
	if (setuid(0) == 0 || seteuid(0) == 0 || getuid() == 0 ||
	    geteuid() == 0 || getegid() != gid) {
		snprintf(err, errlen, "privilege drop to %ld:%ld not effective",
		    (long)uid, (long)gid);
		return -1;
	}
	return 0;
}

void
daemon_keep_door(int door, const int *sigs, size_t nsigs)
{
	size_t i;
	int nul;

	for (i = 0; i < nsigs; i++)
		signal(sigs[i], SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	if ((nul = open("/dev/null", O_RDWR)) >= 0) {
		dup2(nul, 0);
		dup2(nul, 1);
		if (nul > 2)
			close(nul);
	}
	if (door > 3)
		close_range(3, (unsigned)door - 1, 0);
	close_range((unsigned)door + 1, ~0U, 0);
	closelog(); /* its socket may be gone: reopened on the next line */
}

int
daemon_send_fd(int sock, const void *p, size_t n, int fd, int flags)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} c;
	struct iovec iov = { (void *)p, n };
	struct msghdr mh = { 0 };
	struct cmsghdr *ch;
	ssize_t r;

	memset(&c, 0, sizeof(c));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = c.b;
	mh.msg_controllen = sizeof(c.b);
	ch = CMSG_FIRSTHDR(&mh);
	ch->cmsg_level = SOL_SOCKET;
	ch->cmsg_type = SCM_RIGHTS;
	ch->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(ch), &fd, sizeof(int));
	do
		r = sendmsg(sock, &mh, MSG_NOSIGNAL | flags);
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)n ? 0 : -1;
}
