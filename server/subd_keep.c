/*
 * subd_keep.c - the keeper: one process per sub-daemon kind, as the
 * daemon user, that runs up to maxpar copies of the program, hands each
 * request from the door to an idle one, forwards its reply lines to the
 * request's socket, and kills a program that overruns its timeout, idles
 * too long or whose file changed (it is started again when needed).
 * Not for: the workers' side and the reply formats (subd.c).
 */
#include "subd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "mono.h"

#define KEEP_QUEUE 64
#define KEEP_KIDS 20

/* Whole seconds of the monotonic clock: the keeper's timers. */
static time_t
now_s(void)
{
	return (time_t)(mono_now() / 1000);
}

struct kid {
	pid_t pid;    /* 0: free slot */
	int reaped;   /* exited and reaped: the pid is no longer ours */
	int in, out;  /* its stdin (we write), its stdout+stderr (we read) */
	int fd;       /* reply socket of the request it runs; -1: none */
	int hungry;   /* said "#hungry": ready for a request */
	time_t since; /* started, or got its request */
	time_t last;  /* last request done */
	size_t sent;  /* reply bytes forwarded for this request */
	char tail[SUBD_LINE_MAX]; /* the last line past SUBD_REPLY_MAX */
	size_t tl;
	char line[SUBD_LINE_MAX];
	size_t ll;
	struct stat st; /* the program file when started */
};

struct req {
	int fd;
	char line[SUBD_REQ_MAX + 2];
	size_t len;
};

struct keeper {
	const struct subd_prog *p;
	int door;
	struct kid kids[KEEP_KIDS];
	struct req q[KEEP_QUEUE];
	size_t nq;
	time_t fail_at; /* a program failed to start then */
};

static void
say(int fd, const char *s)
{
	if (fd >= 0 && send(fd, s, strlen(s), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		return; /* the worker gave up: nothing to do */
}

/* Every queued request learns that no program could be started. */
static void
fail_queue(struct keeper *k)
{
	size_t i;

	for (i = 0; i < k->nq; i++) {
		say(k->q[i].fd, "#nostart\n");
		close(k->q[i].fd);
	}
	k->nq = 0;
	k->fail_at = now_s();
}

static void
kid_gone(struct keeper *k, struct kid *c, const char *why)
{
	if (why != NULL)
		log_msg(
		    LOG_WARNING, "%s %ld: %s", k->p->name, (long)c->pid, why);
	if (!c->reaped)
		kill(c->pid, SIGKILL);
	close(c->in);
	close(c->out);
	if (c->fd >= 0)
		close(c->fd); /* the worker sees EOF */
	if (!c->hungry)
		fail_queue(k);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* The child side of a start: never returns. */
static void
kid_exec(const struct subd_prog *p, int in, int out)
{
	dup2(in, 0);
	dup2(out, 1);
	dup2(out, 2);
	close_range(3, ~0U, 0);
	signal(SIGPIPE, SIG_DFL);
	execv(p->argv[0], (char *const *)p->argv);
	dprintf(2, "exec %s: %s\n", p->argv[0], strerror(errno));
	_exit(127);
}

static int
kid_start(struct keeper *k, struct kid *c)
{
	int in[2], out[2];
	pid_t pid;

	if (stat(k->p->argv[0], &c->st) < 0 ||
	    access(k->p->argv[0], X_OK) < 0) {
		log_msg(LOG_ERR, "%s: cannot run %s: %s", k->p->name,
		    k->p->argv[0], strerror(errno));
		fail_queue(k);
		return -1;
	}
	if (pipe2(in, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	if ((pid = fork()) == 0)
		kid_exec(k->p, in[0], out[1]);
	close(in[0]);
	close(out[1]);
	if (pid < 0) {
		close(in[1]);
		close(out[0]);
		return -1;
	}
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(in[1], F_SETFL, O_NONBLOCK); /* a full pipe: it is not reading */
	c->pid = pid;
	c->in = in[1];
	c->out = out[0];
	c->fd = -1;
	c->hungry = 0;
	c->since = now_s();
	c->ll = 0;
	return 0;
}

/* The program file is not the one this kid runs any more. */
static int
changed(const struct keeper *k, const struct kid *c)
{
	struct stat st;

	return stat(k->p->argv[0], &st) < 0 || st.st_ino != c->st.st_ino ||
	    st.st_dev != c->st.st_dev ||
	    st.st_mtim.tv_sec != c->st.st_mtim.tv_sec ||
	    st.st_mtim.tv_nsec != c->st.st_mtim.tv_nsec;
}

static struct kid *
find_kid(struct keeper *k, int idle, int *starting, int *live)
{
	struct kid *found = NULL;
	size_t i;

	*starting = *live = 0;
	for (i = 0; i < (size_t)k->p->maxpar && i < KEEP_KIDS; i++) {
		struct kid *c = &k->kids[i];

		if (c->pid == 0) {
			if (!idle && found == NULL)
				found = c;
			continue;
		}
		(*live)++;
		if (!c->hungry)
			(*starting)++;
		else if (idle && c->fd < 0 && found == NULL)
			found = c;
	}
	return found;
}

/* Hand queued requests to idle programs; start more when needed. */
static void
dispatch(struct keeper *k)
{
	struct kid *c;
	int starting, live;

	while (k->nq > 0) {
		if ((c = find_kid(k, 1, &starting, &live)) != NULL) {
			if (changed(k, c)) {
				log_msg(LOG_NOTICE,
				    "%s: %s changed, restarting", k->p->name,
				    k->p->argv[0]);
				kid_gone(k, c, NULL);
				continue;
			}
			if (write(c->in, k->q[0].line, k->q[0].len) !=
			    (ssize_t)k->q[0].len) {
				kid_gone(k, c, "does not read its requests");
				continue;
			}
			c->fd = k->q[0].fd;
			c->since = now_s();
			c->sent = 0;
			c->tl = 0;
			memmove(&k->q[0], &k->q[1], --k->nq * sizeof(k->q[0]));
			continue;
		}
		if ((size_t)starting >= k->nq || now_s() == k->fail_at ||
		    (c = find_kid(k, 0, &starting, &live)) == NULL ||
		    kid_start(k, c) < 0)
			return;
	}
}

/* One line from a program. */
static void
kid_line(struct keeper *k, struct kid *c)
{
	int hungry = strcmp(c->line, "#hungry") == 0;

	if (k->p->debug)
		log_msg(
		    LOG_DEBUG, "%s %ld: %s", k->p->name, (long)c->pid, c->line);
	if (!c->hungry) {
		c->hungry = hungry;
		c->last = now_s();
	} else if (c->fd >= 0 && hungry) {
		if (c->tl > 0) /* a flood: its last line may be the verdict */
			send(
			    c->fd, c->tail, c->tl, MSG_NOSIGNAL | MSG_DONTWAIT);
		c->tl = 0;
		say(c->fd, "#hungry\n");
		close(c->fd);
		c->fd = -1;
		c->last = now_s();
	} else if (c->fd >= 0 && c->sent + c->ll + 1 <= SUBD_REPLY_MAX) {
		c->line[c->ll] = '\n';
		send(c->fd, c->line, c->ll + 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		c->sent += c->ll + 1;
	} else if (c->fd >= 0) {
		c->line[c->ll] = '\n';
		memcpy(c->tail, c->line, c->ll + 1);
		c->tl = c->ll + 1;
	}
}

static void
kid_read(struct keeper *k, struct kid *c)
{
	char b[4096];
	ssize_t n, i;

	n = read(c->out, b, sizeof(b));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		kid_gone(k, c, c->hungry ? "ended" : "ended before #hungry");
		return;
	}
	for (i = 0; i < n; i++) {
		if (b[i] != '\n') {
			if (c->ll + 2 < sizeof(c->line) && b[i] != '\0')
				c->line[c->ll++] = b[i];
			continue;
		}
		if (c->ll > 0 && c->line[c->ll - 1] == '\r')
			c->ll--;
		c->line[c->ll] = '\0';
		kid_line(k, c);
		c->ll = 0;
	}
}

/*
 * Timeouts: a request, a start, an idle program.  A request's program is
 * killed KEEP_GRACE seconds after its timeout: the worker waiting for the
 * reply keeps its own deadline of the timeout (to the millisecond; here
 * whole seconds are counted), so it has always given up, and answered
 * "timed out", before the kill would reach it as an end of the reply
 * ("failed").
 */
#define KEEP_GRACE 2

static void
expire(struct keeper *k)
{
	time_t now = now_s();
	size_t i;

	for (i = 0; i < KEEP_KIDS; i++) {
		struct kid *c = &k->kids[i];

		if (c->pid == 0)
			continue;
		if (c->fd >= 0 && now - c->since >= k->p->timeout + KEEP_GRACE)
			kid_gone(k, c, "timed out; killed");
		else if (!c->hungry && now - c->since >= SUBD_START_WAIT)
			kid_gone(k, c, "no #hungry in time; killed");
		else if (c->hungry && c->fd < 0 && now - c->last >= k->p->idle)
			kid_gone(k, c, NULL);
	}
}

/* Reap the programs that exited; their pipes tell the rest. */
static void
reap(struct keeper *k)
{
	pid_t pid;
	size_t i;

	while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
		for (i = 0; i < KEEP_KIDS; i++)
			if (k->kids[i].pid == pid)
				k->kids[i].reaped = 1;
}

/* One request from the door with its reply socket; 0 when the door is
 * gone (every worker and the supervisor closed it). */
static int
take_req(struct keeper *k)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(4 * sizeof(int))];
	} cm;
	struct req *r = &k->q[k->nq];
	struct iovec iov = { r->line, SUBD_REQ_MAX };
	struct msghdr mh = { 0 };
	struct cmsghdr *ch;
	int fds[4], nfd = 0, i;
	ssize_t n;

	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cm.b;
	mh.msg_controllen = sizeof(cm.b);
	if ((n = recvmsg(k->door, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT)) < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : 0;
	for (ch = CMSG_FIRSTHDR(&mh); ch; ch = CMSG_NXTHDR(&mh, ch))
		if (ch->cmsg_level == SOL_SOCKET && ch->cmsg_type == SCM_RIGHTS)
			for (i = 0; (size_t)i <
			         (ch->cmsg_len - CMSG_LEN(0)) / sizeof(int) &&
			     nfd < 4;
			     i++)
				memcpy(&fds[nfd++],
				    CMSG_DATA(ch) + i * sizeof(int),
				    sizeof(int));
	if (n == 0 && nfd == 0) {
		struct pollfd p = { .fd = k->door, .events = POLLRDHUP };

		return poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLRDHUP))
		    ? 0
		    : 1;
	}
	for (i = 1; i < nfd; i++)
		close(fds[i]);
	if (nfd != 1 || n == 0 || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    memchr(r->line, '\n', (size_t)n) || memchr(r->line, 0, (size_t)n)) {
		if (nfd > 0)
			close(fds[0]);
		return 1;
	}
	r->line[n] = '\n';
	r->len = (size_t)n + 1;
	r->fd = fds[0];
	k->nq++;
	return 1;
}

/* The keeper keeps the door and stderr, as the daemon user. */
static void
keeper_setup(int door, const struct subd_prog *p)
{
	static const int dfl[] = { SIGHUP, SIGINT, SIGTERM, SIGCHLD, SIGUSR1,
		SIGUSR2, SIGALRM };
	char err[256], name[16];

	daemon_keep_door(door, dfl, sizeof(dfl) / sizeof(dfl[0]));
	snprintf(name, sizeof(name), "smtpd-%s", p->name);
	prctl(PR_SET_NAME, name, 0, 0, 0);
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	if (geteuid() == 0 && daemon_drop(p->uid, p->gid, err, sizeof(err)) < 0)
		log_msg(LOG_ERR, "%s keeper: %s", p->name, err);
	if (geteuid() == 0 || getuid() == 0)
		_exit(1); /* never a program as root */
	if (p->smtpserver_env)
		setenv("SMTPSERVER", "y", 1);
	if (p->zconfig)
		setenv("ZCONFIG", p->zconfig, 1);
}

void
subd_keep(int door, const struct subd_prog *p)
{
	struct keeper k = { .p = p, .door = door };
	struct pollfd pf[KEEP_KIDS + 1];
	struct kid *who[KEEP_KIDS + 1];
	size_t i, n;
	int r;

	keeper_setup(door, p);
	for (i = 0; i < KEEP_KIDS; i++)
		k.kids[i].fd = -1;
	for (;;) {
		reap(&k);
		dispatch(&k);
		expire(&k);
		n = 0;
		pf[n].fd = k.nq < KEEP_QUEUE ? door : -1;
		pf[n++].events = POLLIN;
		for (i = 0; i < KEEP_KIDS; i++)
			if (k.kids[i].pid > 0) {
				who[n] = &k.kids[i];
				pf[n].fd = k.kids[i].out;
				pf[n++].events = POLLIN;
			}
		if ((r = poll(pf, n, 1000)) <= 0)
			continue;
		if ((pf[0].revents & (POLLIN | POLLHUP)) && !take_req(&k))
			break;
		for (i = 1; i < n; i++)
			if (pf[i].revents && who[i]->pid > 0)
				kid_read(&k, who[i]);
	}
	for (i = 0; i < KEEP_KIDS; i++)
		if (k.kids[i].pid > 0)
			kid_gone(&k, &k.kids[i], NULL);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		continue;
	_exit(0);
}
