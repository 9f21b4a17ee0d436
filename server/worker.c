/*
 * worker.c - the worker skeleton: privilege drop, accept loop, admission
 * (load average, scoreboard), session_run, use count and generation.
 * Not for: SMTP beyond the three refusal replies (session.c; their texts
 * are in replies.h).
 * A refused client is not kept waiting 2 s as in ZMailer; the worker
 * closes its side after the 450 and waits (at most LINGER_MS) for the
 * client to close, so a connection is counted as long as it is open.
 */
#include "worker.h"

#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "daemon.h"
#include "listen.h"
#include "log.h"
#include "mono.h"
#include "netaddr.h"
#include "options.h"
#include "proxy.h"
#include "replies.h"
#include "scoreboard.h"
#include "secrets.h"
#include "session.h"
#include "spool.h"
#include "tracker.h"

#define LINGER_MS 2000
#define POLL_MS 1000

static volatile sig_atomic_t stopping, woken;
static volatile sig_atomic_t cur_fd = -1; /* the client being served */
static const char *cur_ip;                /* its address, for the log */
static int cur_lidx = -1;                 /* its listener's counters */
static struct policy **pols; /* per group, opened before the drop */

struct conn {
	int fd;
	const struct listener *l;
	const struct conf_group *grp;
	struct sockaddr_storage peer, local;
	socklen_t peerlen, locallen;
	char ip[64];
	int port, lport;
	int same_ip; /* connections from this source, this one included */
	int proxied; /* peer is the client a PROXY header named */
	int lidx;    /* the listener's counters in the scoreboard, or -1 */
};

/*
 * SIGTERM at the end of the shutdown grace: a session blocked reading the
 * client sees end of input at once (shutdown is async-signal-safe), and
 * says 421 itself, through its stream: a worker writing to the socket
 * would put plaintext into a TLS session.
 */
static void
on_signal(int sig)
{
	int e = errno;

	if (sig == SIGTERM) {
		stopping = 1;
		if (cur_fd >= 0)
			shutdown(cur_fd, SHUT_RD);
	}
	woken = 1;
	errno = e;
}

static void
worker_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal; /* no SA_RESTART: wake blocked reads */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
}

static void
wake(const struct worker *w)
{
	char c = 'w';

	if (write(w->wakefd, &c, 1) < 0) {
		/* full pipe: the supervisor is already awake */
	}
}

/*
 * After taking a connection: wake the supervisor only when it must fork
 * (fewer idle workers than min-idle-workers).  Trimming surplus idle
 * workers waits for its once-a-second tick, so a session's end wakes no
 * one: two wake-ups and a supervisor round less per connection.
 */
static void
wake_if_short(const struct worker *w)
{
	int lo = w->conf->min_idle_workers > 0 ? w->conf->min_idle_workers : 1;

	if (!scoreboard_idle_at_least(w->sb, lo))
		wake(w);
}

static void
put(int fd, const char *s, size_t n)
{
	ssize_t r;

	while (n > 0) {
		r = write(fd, s, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		s += r;
		n -= (size_t)r;
	}
}

static const struct conf_group *
group_of(const struct conf *c, size_t idx)
{
	return idx < c->ngroups ? &c->groups[idx] : &c->groups[0];
}

/* The client closes or LINGER_MS pass; input is discarded. */
static void
linger(int fd)
{
	long long end = mono_now() + LINGER_MS;
	char junk[512];
	long left;
	struct pollfd p = { fd, POLLIN, 0 };

	shutdown(fd, SHUT_WR);
	/* its own poll, not mono_poll: a signal ends it (stopping) */
	while ((left = mono_left(end)) > 0 && !stopping)
		if (poll(&p, 1, (int)left) > 0 &&
		    read(fd, junk, sizeof(junk)) <= 0)
			return;
}

static void
refuse_450(
    const struct worker *w, const struct conn *c, enum sb_verdict v, int n)
{
	/* never NULL: PARAM contact-pointer-message has a default */
	const char *cp = c->grp->contact_pointer ? c->grp->contact_pointer : "";
	int x = c->grp->enhancedstatus;
	char out[3 * REPLY_LINE_MAX];
	size_t len;

	if (v == SB_450_TOTAL) {
		len = reply_line(out, sizeof(out), x, 0, R_BUSY_CONTACT, cp);
		len += reply_line(
		    out + len, sizeof(out) - len, x, 0, R_BUSY_AGAIN);
		len += reply_line(out + len, sizeof(out) - len, x, 1,
		    R_BUSY_TOTAL, n, w->conf->max_parallel);
	} else {
		len = reply_line(out, sizeof(out), x, 0, R_BUSY_AGAIN);
		len += reply_line(
		    out + len, sizeof(out) - len, x, 0, R_BUSY_CONTACT, cp);
		len += reply_line(out + len, sizeof(out) - len, x, 1,
		    R_BUSY_SAMEIP, n, w->conf->max_same_ip);
	}
	put(c->fd, out, len);
	scoreboard_reject(w->sb, w->slot, 450);
	linger(c->fd);
}

static int
load_too_high(const struct worker *w, const struct conn *c)
{
	double la[1];
	char out[REPLY_LINE_MAX];
	size_t len;

	if (w->opts == NULL || w->opts->maxload <= 0 || getloadavg(la, 1) < 1 ||
	    la[0] <= w->opts->maxload)
		return 0;
	len = reply_line(out, sizeof(out), c->grp->enhancedstatus, 1,
	    R_LOAD_HIGH, w->myhostname);
	put(c->fd, out, len);
	scoreboard_refused(w->sb, SB_REF_LOAD);
	scoreboard_reject(w->sb, w->slot, 421);
	log_msg(LOG_NOTICE,
	    "refused [%s]:%d: load %.2f over %.2f event=reject "
	    "stage=CONNECT client=%s port=%d code=%d enh=%s reason=load",
	    c->ip, c->port, la[0], w->opts->maxload, c->ip, c->port,
	    R_CODE_ENH(R_LOAD_HIGH));
	return 1;
}

static void
on_event(void *arg, enum sess_event ev, const void *p, long n)
{
	const struct worker *w = arg;

	switch (ev) {
	case SEV_STATE:
		scoreboard_set_verb(w->sb, w->slot, p);
		break;
	case SEV_QUIT:
		/* A client that said QUIT may reconnect before we are done
		 * tidying up; it is not counted against its limits twice. */
		scoreboard_release(w->sb, w->slot);
		break;
	case SEV_MESSAGE:
		scoreboard_message(w->sb, w->slot, n);
		sbcount_listener_msg(w->sb, cur_lidx);
		break;
	case SEV_REJECT:
		scoreboard_reject(w->sb, w->slot, (int)n);
		break;
	case SEV_RCPT:
		scoreboard_rcpt(w->sb, w->slot, n);
		break;
	case SEV_TLS:
		if (n < 0)
			sbcount_tls_fail(w->sb);
		else
			sbcount_tls(w->sb, p);
		break;
	case SEV_AUTH:
		sbcount_auth(w->sb, n != 0);
		break;
	case SEV_POLICY:
		sbcount_policy(w->sb, (enum sb_stage)n, p != NULL);
		break;
	case SEV_COMMIT:
		sbcount_commit(w->sb, n);
		break;
	}
}

/* Stress mode: close this idle session?  (session_env.idle) */
static int
on_idle(void *arg, long waited, int first)
{
	const struct worker *w = arg;
	int limit = first ? w->conf->stress_timeout_greeting
	                  : w->conf->stress_timeout_command;

	if (scoreboard_idle(w->sb, w->slot, waited, limit) == 0)
		return 0;
	log_msg(LOG_NOTICE, "stress mode: closing [%s], idle %lds%s",
	    cur_ip ? cur_ip : "?", waited, first ? " since the greeting" : "");
	return 1;
}

/* AUTH failures per client key, across every worker (the scoreboard). */
static int
auth_reserve(void *arg, const struct sockaddr_storage *peer, int limit,
    int window, time_t *since)
{
	const struct worker *w = arg;
	struct netkey k, key;

	if (netaddr_key((const struct sockaddr *)peer, &k) < 0)
		memset(&k, 0, sizeof(k)); /* as admission counts it */
	scoreboard_key(&k, &key);
	return tracker_auth_reserve(w->sb, &key, limit, window, since);
}

static void
auth_refund(
    void *arg, const struct sockaddr_storage *peer, int window, time_t since)
{
	const struct worker *w = arg;
	struct netkey k, key;

	if (netaddr_key((const struct sockaddr *)peer, &k) < 0)
		memset(&k, 0, sizeof(k));
	scoreboard_key(&k, &key);
	tracker_auth_refund(w->sb, &key, window, since);
}

/* The ratelimitmsgs counter for policy_set_rate() (session_hooks.rate). */
static long
on_rate(void *arg, const char *label)
{
	const struct worker *w = arg;

	return tracker_rate(w->sb, label, time(NULL));
}

/* The rcpt-verify-rate bound (session_hooks.callout_rate). */
static int
on_callout_rate(void *arg, int limit)
{
	const struct worker *w = arg;

	return sbcount_callout(w->sb, time(NULL), limit);
}

static void
run_session(struct worker *w, const struct conn *c)
{
	struct session_env env;
	char lname[4096];

	session_env_init(&env, w->opts, w->conf, c->grp);
	env.zenv = w->zenv;
	env.postoffice = w->postoffice;
	env.myhostname = w->myhostname;
	env.fd_in = env.fd_out = c->fd;
	env.network = 1;
	env.peer = c->peer;
	env.peerlen = c->peerlen;
	env.local = c->local;
	env.locallen = c->locallen;
	env.kind = c->l->kind;
	env.listener = c->l->name;
	env.same_ip = c->same_ip;
	if (c->proxied)
		env.ident = 0; /* an ident query would go to the proxy */
	env.policy = pols ? pols[c->l->group] : NULL;
	env.hooks = (struct session_hooks){ .arg = w,
		.event = on_event,
		.rate = on_rate,
		.callout_rate = on_callout_rate,
		.idle = on_idle,
		.auth_reserve = auth_reserve,
		.auth_refund = auth_refund };
	env.tls = w->sec ? secrets_tls(w->sec, c->l->group) : NULL;
	env.auth = w->sec ? w->sec->auth : NULL;
	env.subd = w->subd;
	env.stopping = &stopping;
	env.xlog = xlog_open(w->opts
	        ? session_log_name(&env, w->opts, lname, sizeof(lname))
	        : NULL,
	    w->opts && w->opts->log_syslog, time(NULL), (long)daemon_getpid());
	cur_fd = c->fd;
	cur_ip = c->ip;
	cur_lidx = c->lidx;
	session_run(&env);
	cur_fd = -1;
	cur_ip = NULL;
	cur_lidx = -1;
	xlog_close(env.xlog);
}

static void
log_refusal(const struct conn *c, enum sb_verdict v, int n)
{
	/* by enum sb_verdict; code 0: closed without a reply */
	static const struct {
		const char *why, *reason;
		int code;
		const char *enh;
	} t[] = { { "", "", 0, "-" },
		{ "over MaxParallelConnections", "total",
		    R_CODE_ENH(R_BUSY_TOTAL) },
		{ "over MaxParallelConnections by 100 or more (closed)",
		    "total", 0, "-" },
		{ "over MaxSameIpSource", "same-ip",
		    R_CODE_ENH(R_BUSY_SAMEIP) },
		{ "over 4 x MaxSameIpSource (closed)", "same-ip", 0, "-" } };
	char code[16] = "-";

	if (t[v].code)
		snprintf(code, sizeof(code), "%d", t[v].code);
	log_msg(LOG_NOTICE,
	    "refused [%s]:%d on %s: %s, count %d event=reject "
	    "stage=CONNECT client=%s port=%d listener=%s code=%s enh=%s "
	    "reason=%s count=%d",
	    c->ip, c->port, c->l->name, t[v].why, n, c->ip, c->port, c->l->name,
	    code, t[v].enh, t[v].reason, n);
}

static void
admit_and_serve(struct worker *w, struct conn *c)
{
	static const enum sb_refusal reason[] = { 0, SB_REF_TOTAL_450,
		SB_REF_TOTAL_CLOSE, SB_REF_SAMEIP_450, SB_REF_SAMEIP_CLOSE };
	struct netkey a, k;
	enum sb_verdict v;
	int n;

	if (netaddr_key((struct sockaddr *)&c->peer, &a) < 0)
		memset(&a, 0, sizeof(a));
	scoreboard_key(&a, &k);
	n = tracker_admit(w->sb, w->slot, &k, w->conf->max_same_ip,
	    w->conf->max_parallel, &v, &c->same_ip);
	scoreboard_set_peer(w->sb, w->slot, c->ip);
	if (v != SB_ADMIT) {
		scoreboard_refused(w->sb, reason[v]);
		sbcount_listener(w->sb, c->lidx, SB_LO_REFUSED);
		log_refusal(c, v, n);
		if (v == SB_450_TOTAL || v == SB_450_SAMEIP)
			refuse_450(w, c, v, n);
		tracker_release(w->sb, w->slot, &k);
		return;
	}
	sbcount_listener(w->sb, c->lidx, SB_LO_ADMITTED);
	run_session(w, c);
	tracker_release(w->sb, w->slot, &k);
}

/* The daemon is stopping, or (with reload) was reloaded since our fork. */
static int
stale(struct worker *w, int reload)
{
	int r;

	if (stopping)
		return 1;
	scoreboard_lock(w->sb);
	r = w->sb->stopping || (reload && w->sb->generation != w->gen);
	scoreboard_unlock(w->sb);
	return r;
}

/* For a PROXY header still awaited: not worth the shutdown grace (a proxy
 * sends it first thing). */
static int
shutting_down(void *arg)
{
	return stale(arg, 0);
}

/* Is the listener bound to one address (so that it is every accepted
 * connection's local address), not to a wildcard? */
static int
bound_to_one(const struct listener *l)
{
	const struct sockaddr *sa = (const struct sockaddr *)&l->addr;

	if (sa->sa_family == AF_INET)
		return ((const struct sockaddr_in *)sa)->sin_addr.s_addr !=
		    htonl(INADDR_ANY);
	if (sa->sa_family == AF_INET6)
		return !IN6_IS_ADDR_UNSPECIFIED(
		    &((const struct sockaddr_in6 *)sa)->sin6_addr);
	return 0;
}

/* fd from accept4 with the peer's address (peer, peerlen) */
static void
serve(struct worker *w, const struct listener *l, int fd,
    const struct sockaddr_storage *peer, socklen_t peerlen)
{
	struct conn c;

	memset(&c, 0, sizeof(c));
	c.fd = fd;
	c.l = l;
	c.grp = group_of(w->conf, l->group);
	c.lidx = sbcount_listener_index(w->sb, l->name);
	c.peer = *peer;
	c.peerlen = peerlen;
	c.locallen = sizeof(c.local);
	if (bound_to_one(l) && l->addrlen <= sizeof(c.local)) {
		memcpy(&c.local, &l->addr, l->addrlen);
		c.locallen = l->addrlen;
	} else if (getsockname(fd, (struct sockaddr *)&c.local, &c.locallen) <
	    0)
		return;
	/* behind a load balancer: the client the PROXY header names is
	 * the peer from here on (admission, policy, envelope, logs) */
	if (c.grp->proxy_nets != NULL) {
		enum proxy_outcome po = proxy_accept(
		    fd, c.grp, l->name, &c.peer, &c.peerlen, shutting_down, w);

		if (po == PROXY_NOT_ALLOWED || po == PROXY_BAD_HEADER) {
			sbcount_listener(w->sb, c.lidx,
			    po == PROXY_BAD_HEADER ? SB_LO_PROXY_BAD
			                           : SB_LO_PROXY_REFUSED);
			return;
		}
		c.proxied = po == PROXY_OK;
	}
	if (netaddr_text((struct sockaddr *)&c.peer, c.ip, sizeof(c.ip)) < 0)
		snprintf(c.ip, sizeof(c.ip), "unknown");
	c.port = netaddr_port((struct sockaddr *)&c.peer);
	c.lport = netaddr_port((struct sockaddr *)&c.local);
	if (load_too_high(w, &c)) {
		sbcount_listener(w->sb, c.lidx, SB_LO_REFUSED);
		return;
	}
	admit_and_serve(w, &c);
}

/* Should an idle worker go?  Also true when the slot was marked EXITING. */
static int
must_exit(struct worker *w, unsigned long sessions)
{
	struct scoreboard *sb = w->sb;
	int r;

	if (stopping)
		return 1;
	if (w->conf->max_worker_sessions > 0 &&
	    sessions >= (unsigned long)w->conf->max_worker_sessions)
		return 1;
	scoreboard_lock(sb);
	r = sb->stopping || sb->generation != w->gen ||
	    sb->slots[w->slot].state == SB_EXITING;
	scoreboard_unlock(sb);
	return r;
}

/*
 * Wait for a connection on any listener; its fd, or -1 to re-check.  Each
 * worker has its own epoll set holding every listener with EPOLLEXCLUSIVE,
 * so one connection wakes one idle worker, not all of them (a worker busy
 * in a session is not waiting and is passed over).  A signal or POLL_MS
 * end the wait, for the exit checks.
 */
static int
accept_one(struct worker *w, int ep, int ms, const struct listener **lp,
    struct sockaddr_storage *peer, socklen_t *peerlen)
{
	struct epoll_event ev[8];
	int i, n, fd;

	woken = 0;
	n = epoll_wait(ep, ev, 8, ms);
	if (n <= 0)
		return -1;
	/*
	 * Woken for a connection, it is ours even when an idle trim told us
	 * to go meanwhile: EPOLLEXCLUSIVE woke no other worker for it, so
	 * leaving it would strand it in the backlog until the next
	 * connection.  The session runs, then the worker goes.  After a
	 * reload it is left to the new workers (with the new configuration):
	 * a worker forked after it came sees it at its first wait.
	 */
	if (stale(w, 1))
		return -1;
	for (i = 0; i < n; i++) {
		if (ev[i].data.u32 >= w->ls->n)
			continue;
		*peerlen = sizeof(*peer);
		fd = accept4(w->ls->v[ev[i].data.u32].fd,
		    (struct sockaddr *)peer, peerlen, SOCK_CLOEXEC);
		if (fd >= 0) {
			*lp = &w->ls->v[ev[i].data.u32];
			return fd;
		}
	}
	return -1;
}

/* The worker's epoll set over every listener; -1 on failure. */
static int
accept_set(const struct worker *w)
{
	struct epoll_event ev;
	size_t i;
	int ep = epoll_create1(EPOLL_CLOEXEC);

	for (i = 0; ep >= 0 && i < w->ls->n; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.u32 = (uint32_t)i;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, w->ls->v[i].fd, &ev) < 0) {
			log_msg(LOG_ERR, "worker: epoll_ctl %s: %s",
			    w->ls->v[i].name, strerror(errno));
			close(ep);
			return -1;
		}
	}
	return ep;
}

/* One session on fd, the slot BUSY meanwhile (then IDLE, or EXITING
 * when the supervisor told us to go). */
static void
take(struct worker *w, const struct listener *l, int fd,
    const struct sockaddr_storage *peer, socklen_t peerlen,
    unsigned long *sessions)
{
	int stay = scoreboard_set_state(w->sb, w->slot, SB_IDLE, SB_BUSY);

	if (!stay)
		scoreboard_set_state(w->sb, w->slot, -1, SB_BUSY);
	wake_if_short(w);
	serve(w, l, fd, peer, peerlen);
	close(fd);
	(*sessions)++;
	scoreboard_set_state(
	    w->sb, w->slot, SB_BUSY, stay ? SB_IDLE : SB_EXITING);
}

static void
accept_loop(struct worker *w)
{
	const struct listener *l = NULL;
	struct sockaddr_storage peer;
	socklen_t peerlen = 0;
	unsigned long sessions = 0;
	int fd, ep = accept_set(w);

	if (ep < 0)
		return;
	spool_group_commit(&w->sb->gc);
	scoreboard_set_state(w->sb, w->slot, SB_STARTING, SB_IDLE);
	wake(w);
	while (!must_exit(w, sessions)) {
		if ((fd = accept_one(w, ep, POLL_MS, &l, &peer, &peerlen)) >= 0)
			take(w, l, fd, &peer, peerlen, &sessions);
	}
	/*
	 * Trimmed while asleep: the signal may have ended the wait after
	 * the kernel chose us for a connection.  It would sit in the backlog
	 * (EPOLLEXCLUSIVE woke no other worker, and no worker is forked to
	 * find it), so take one that is ready now, without waiting.
	 */
	if ((fd = accept_one(w, ep, 0, &l, &peer, &peerlen)) >= 0)
		take(w, l, fd, &peer, peerlen, &sessions);
	close(ep);
}

/* Before the drop: the policy database of every group (read-only). */
static void
open_policies(const struct worker *w)
{
	char err[512];
	size_t g;

	pols = calloc(w->conf->ngroups, sizeof(*pols));
	for (g = 0; pols && g < w->conf->ngroups; g++) {
		pols[g] = session_open_policy(
		    w->conf, &w->conf->groups[g], w->zenv, err, sizeof(err));
		/* without it, its sessions are refused (fail closed) */
		if (pols[g] == NULL)
			log_msg(LOG_ERR, "group %s: %s",
			    w->conf->groups[g].name, err);
	}
}

void
worker_main(struct worker *w)
{
	char err[256];

	worker_signals();
	scoreboard_slot_pid(w->sb, w->slot, getpid());
	open_policies(w);
	if (daemon_drop(w->uid, w->gid, err, sizeof(err)) < 0) {
		log_msg(LOG_CRIT, "worker: %s", err);
		_exit(2);
	}
	/* After the drop, which clears it: an orphan must not serve. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != w->parent)
		_exit(1);
	tracker_setup(w->conf->tracking_url, w->myhostname, (long)w->parent);
	accept_loop(w);
	scoreboard_set_state(w->sb, w->slot, -1, SB_EXITING);
	wake(w);
	_exit(0);
}
