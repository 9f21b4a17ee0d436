/*
 * privhelper.c - the AUTH helper process, its door protocol and the
 * session-side client (see privhelper.h).  Passwords live only in the
 * request buffers, which are wiped after use; nothing here logs one.
 * Not for: the checks themselves (authcheck.c).
 */
#include "privhelper.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "authcheck.h"
#include "daemon.h"
#include "log.h"
#include "mono.h"

/* ---- messages ---- */

static void
put(struct ph_msg *m, const void *p, size_t n)
{
	if (m->err || n > sizeof(m->b) - m->len) {
		m->err = 1;
		return;
	}
	memcpy(m->b + m->len, p, n);
	m->len += n;
	m->b[0] = (unsigned char)((m->len - 4) >> 24);
	m->b[1] = (unsigned char)((m->len - 4) >> 16);
	m->b[2] = (unsigned char)((m->len - 4) >> 8);
	m->b[3] = (unsigned char)(m->len - 4);
}

void
ph_init(struct ph_msg *m, enum ph_type type)
{
	unsigned char t = (unsigned char)type;

	memset(m->b, 0, 4);
	m->len = 4;
	m->pos = 0;
	m->err = 0;
	put(m, &t, 1);
}

void
ph_put_u32(struct ph_msg *m, uint32_t v)
{
	unsigned char b[4] = { (unsigned char)(v >> 24),
		(unsigned char)(v >> 16), (unsigned char)(v >> 8),
		(unsigned char)v };

	put(m, b, 4);
}

void
ph_put_str(struct ph_msg *m, const char *s)
{
	size_t n = strlen(s);

	if (n > 0xffff) {
		m->err = 1;
		return;
	}
	ph_put_u32(m, (uint32_t)n);
	put(m, s, n);
}

static int
get(struct ph_msg *m, void *p, size_t n)
{
	if (m->err || n > m->len - m->pos) {
		m->err = 1;
		return -1;
	}
	memcpy(p, m->b + m->pos, n);
	m->pos += n;
	return 0;
}

int
ph_get_u32(struct ph_msg *m, uint32_t *v)
{
	unsigned char b[4];

	if (get(m, b, 4) < 0)
		return -1;
	*v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
	    b[3];
	return 0;
}

int
ph_get_str(struct ph_msg *m, char *out, size_t outlen)
{
	uint32_t n;

	if (ph_get_u32(m, &n) < 0)
		return -1;
	if (outlen == 0 || n > outlen - 1 || get(m, out, n) < 0 ||
	    memchr(out, '\0', n) != NULL) {
		m->err = 1;
		return -1;
	}
	out[n] = '\0';
	return 0;
}

int
ph_open(struct ph_msg *m, size_t n, enum ph_type *type)
{
	uint32_t len;
	unsigned char t;

	m->len = n;
	m->pos = 0;
	m->err = 0;
	if (n > sizeof(m->b) || ph_get_u32(m, &len) < 0 ||
	    (size_t)len != n - 4 || get(m, &t, 1) < 0) {
		m->err = 1;
		return -1;
	}
	*type = (enum ph_type)t;
	return 0;
}

int
ph_end(const struct ph_msg *m)
{
	return m->err || m->pos != m->len ? -1 : 0;
}

void
ph_wipe(struct ph_msg *m)
{
	explicit_bzero(m->b, sizeof(m->b));
	m->len = m->pos = 0;
}

/* ---- the helper ---- */

/* What the helper serves with: the configuration and TRUSTEDUSER. */
struct helper {
	const struct conf *cf;
	struct authcheck_user as;
};

/* One request: its verdict (never more than yes, no, try later). */
static int
answer(struct ph_msg *m, size_t n, const struct helper *h)
{
	const struct conf *cf = h->cf;
	char user[256], pass[1024], ip[64];
	const struct conf_group *g;
	enum ph_type type;
	uint32_t gi;
	int v = PH_TEMP;

	if (ph_open(m, n, &type) < 0 || type != PH_AUTH_REQ ||
	    ph_get_u32(m, &gi) < 0 || ph_get_str(m, user, sizeof(user)) < 0 ||
	    ph_get_str(m, pass, sizeof(pass)) < 0 ||
	    ph_get_str(m, ip, sizeof(ip)) < 0 || ph_end(m) < 0 ||
	    (g = conf_group(cf, gi)) == NULL) {
		log_msg(LOG_WARNING, "AUTH helper: malformed request");
	} else if (g->auth_pipe && *g->auth_pipe) {
		v = authcheck_pipe(
		    g->auth_pipe, user, pass, g->auth_pipe_timeout, &h->as);
	} else {
		v = authcheck_pam(PH_SERVICE, user, pass, ip);
	}
	explicit_bzero(pass, sizeof(pass));
	ph_wipe(m);
	return v;
}

/* Descriptors one request may carry before we stop looking: the control
 * buffer's size.  More are closed by the kernel (MSG_CTRUNC). */
#define PH_FDS_MAX 16

/*
 * Every descriptor of every SCM_RIGHTS message in mh: the first into *fd
 * when it is the only one, all of them closed otherwise.  Whatever a
 * worker sends, the helper keeps at most the one reply socket.
 */
static void
take_fds(struct msghdr *mh, int *fd)
{
	struct cmsghdr *ch;
	int got = 0, bad = (mh->msg_flags & MSG_CTRUNC) != 0, f;
	size_t i, n;

	*fd = -1;
	for (ch = CMSG_FIRSTHDR(mh); ch; ch = CMSG_NXTHDR(mh, ch)) {
		if (ch->cmsg_level != SOL_SOCKET ||
		    ch->cmsg_type != SCM_RIGHTS || ch->cmsg_len < CMSG_LEN(0)) {
			bad = 1;
			continue;
		}
		n = (ch->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&f, CMSG_DATA(ch) + i * sizeof(int), sizeof(f));
			if (got++ == 0)
				*fd = f;
			else
				close(f);
		}
	}
	if ((bad || got != 1) && *fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

/* Receive one request and the reply socket that came with it (-1 in
 * *fd when it did not come alone). */
static ssize_t
recv_req(int door, struct ph_msg *m, int *fd)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(PH_FDS_MAX * sizeof(int))];
	} c;
	struct iovec iov = { m->b, sizeof(m->b) };
	struct msghdr mh = { 0 };
	ssize_t n;

	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = c.b;
	mh.msg_controllen = sizeof(c.b);
	*fd = -1;
	do
		n = recvmsg(door, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		take_fds(&mh, fd);
	if (n == 0 && *fd >= 0) { /* an empty request is no request */
		close(*fd);
		*fd = -1;
	}
	return n;
}

/* Check one request and send the verdict on its reply socket. */
static void
serve_one(struct ph_msg *m, size_t n, int fd, const struct helper *h)
{
	struct ph_msg r;
	uint32_t v = (uint32_t)answer(m, n, h);

	ph_init(&r, PH_AUTH_REP);
	ph_put_u32(&r, v);
	if (send(fd, r.b, r.len, MSG_NOSIGNAL) < 0)
		log_msg(LOG_WARNING, "AUTH helper: reply: %s", strerror(errno));
	close(fd);
}

/*
 * recvmsg() returns 0 both for an empty message and when every sender
 * has gone; only the latter ends the helper (a worker must not be able to
 * stop it with an empty send).
 */
static int
door_gone(int door)
{
	struct pollfd p = { .fd = door, .events = POLLIN | POLLRDHUP };

	return poll(&p, 1, 0) < 0 || (p.revents & (POLLHUP | POLLRDHUP));
}

/*
 * One child per request, at most PH_MAX_CHECKS at a time, so that a slow
 * PAM module or pipe program does not hold up every other session.
 */
void
privhelper_serve(int door, const struct conf *cf, uid_t uid, gid_t gid)
{
	struct helper h = { cf, { uid, gid } };
	struct ph_msg m;
	ssize_t n;
	int fd, running = 0;
	pid_t pid;

	while (
	    (n = recv_req(door, &m, &fd)) > 0 || (n == 0 && !door_gone(door))) {
		if (n == 0) /* an empty message, not the end: ignore it */
			continue;
		while (waitpid(-1, NULL,
		           running >= PH_MAX_CHECKS ? 0 : WNOHANG) > 0)
			running--;
		if (fd < 0) {
			ph_wipe(&m);
			continue;
		}
		if ((pid = fork()) == 0) {
			close(door);
			serve_one(&m, (size_t)n, fd, &h);
			_exit(0);
		}
		if (pid < 0) /* no process to spare: answer it here */
			serve_one(&m, (size_t)n, fd, &h);
		else
			running++;
		if (pid > 0)
			close(fd);
		ph_wipe(&m);
	}
	ph_wipe(&m);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		continue;
}

/*
 * The helper keeps nothing of its parent but the door and stderr: not
 * the client connection (-n), not the listeners or the supervisor's
 * pipes, not its signal handlers.
 */
static void
helper_child(int door)
{
	static const int dfl[] = { SIGHUP, SIGINT, SIGTERM, SIGCHLD, SIGUSR1 };

	daemon_keep_door(door, dfl, sizeof(dfl) / sizeof(dfl[0]));
	prctl(PR_SET_NAME, PH_PROCNAME, 0, 0, 0);
}

/* A helper serving the door end back; its pid, or -1 with errno. */
static pid_t
fork_helper(int back, const struct conf *cf, uid_t uid, gid_t gid)
{
	pid_t pid = fork();

	if (pid == 0) {
		helper_child(back);
		privhelper_serve(back, cf, uid, gid);
		_exit(0);
	}
	return pid;
}

static struct privhelper *
spawn(const struct conf *cf, uid_t uid, gid_t gid, int keep, char *err,
    size_t errlen)
{
	struct privhelper *ph;
	int sv[2];
	pid_t pid = -1;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		return NULL;
	}
	if ((ph = calloc(1, sizeof(*ph))) == NULL ||
	    (pid = fork_helper(sv[1], cf, uid, gid)) < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		free(ph);
		close(sv[0]);
		close(sv[1]);
		return NULL;
	}
	if (!keep) {
		close(sv[1]);
		sv[1] = -1;
	}
	ph->door = sv[0];
	ph->back = sv[1];
	ph->pid = pid;
	return ph;
}

struct privhelper *
privhelper_spawn(
    const struct conf *cf, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	return spawn(cf, uid, gid, 0, err, errlen);
}

struct privhelper *
privhelper_spawn_kept(
    const struct conf *cf, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	return spawn(cf, uid, gid, 1, err, errlen);
}

int
privhelper_restart(struct privhelper *ph, const struct conf *cf, uid_t uid,
    gid_t gid, char *err, size_t errlen)
{
	pid_t pid;

	if (ph == NULL || ph->back < 0) {
		snprintf(err, errlen, "no door to restart on");
		return -1;
	}
	if ((pid = fork_helper(ph->back, cf, uid, gid)) < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	ph->pid = pid;
	return 0;
}

void
privhelper_child(struct privhelper *ph)
{
	if (ph != NULL && ph->back >= 0) {
		close(ph->back);
		ph->back = -1;
	}
}

/* ---- the session side ---- */

static int
send_req(int door, struct ph_msg *m, int fd)
{
	return daemon_send_fd(door, m->b, m->len, fd, 0);
}

/* The verdict from the reply socket, PH_TEMP on anything odd. */
static int
read_reply(int fd, int timeout)
{
	long long deadline = mono_after(timeout);
	struct ph_msg r;
	enum ph_type type;
	uint32_t v;
	size_t got = 0;
	ssize_t n;

	while (got < 9) {
		if (mono_poll(fd, POLLIN, deadline) != 1)
			return PH_TEMP;
		n = read(fd, r.b + got, sizeof(r.b) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return PH_TEMP;
		got += (size_t)n;
	}
	if (ph_open(&r, got, &type) < 0 || type != PH_AUTH_REP ||
	    ph_get_u32(&r, &v) < 0 || ph_end(&r) < 0 || v > PH_TEMP)
		return PH_TEMP;
	return (int)v;
}

int
privhelper_check(struct privhelper *ph, size_t gi, const char *user,
    const char *pass, const char *ip, int timeout)
{
	struct ph_msg m;
	int sv[2], v = PH_TEMP;

	if (ph == NULL ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return PH_TEMP;
	ph_init(&m, PH_AUTH_REQ);
	ph_put_u32(&m, (uint32_t)gi);
	ph_put_str(&m, user);
	ph_put_str(&m, pass);
	ph_put_str(&m, ip);
	if (!m.err && send_req(ph->door, &m, sv[1]) == 0) {
		close(sv[1]);
		sv[1] = -1;
		v = read_reply(sv[0], timeout);
	}
	ph_wipe(&m);
	close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	return v;
}

void
privhelper_close(struct privhelper *ph)
{
	if (ph == NULL)
		return;
	close(ph->door);
	if (ph->back >= 0)
		close(ph->back);
	if (ph->pid > 0)
		while (waitpid(ph->pid, NULL, 0) < 0 && errno == EINTR)
			;
	free(ph);
}
