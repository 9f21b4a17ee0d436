/*
 * supervisor.c - the daemon's parent process: startup (previous daemon,
 * listeners, scoreboard, pid file, detach), self-pipe signals, SIGHUP
 * reload by generation, SIGTERM shutdown with a grace period, the control
 * socket, and the loop that drives the worker pool (pool.c).
 * Not for: SMTP, accept() or admission (worker.c).  It never dies after
 * startup: every failure in the loop is logged and the loop goes on.
 */
#include "supervisor.h"
#include "supervisor_int.h"

#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "control.h"
#include "daemon.h"
#include "listen.h"
#include "log.h"
#include "mono.h"
#include "notify.h"
#include "options.h"
#include "policy.h"
#include "scoreboard.h"
#include "secrets.h"
#include "session.h"
#include "tracker.h"
#include "unbuilt.h"
#include "zenv.h"

#define KILL_PREVIOUS_MS 15000
#define HARD_KILL_AFTER 5 /* s after the grace period: SIGKILL */
#define DEFAULT_GRACE 30

static int sigpipe_fds[2] = { -1, -1 };

static void
on_signal(int sig)
{
	unsigned char c = (unsigned char)sig;
	int e = errno;

	if (write(sigpipe_fds[1], &c, 1) < 0) {
		/* full: a wakeup is pending anyway */
	}
	errno = e;
}

/* In a new worker: the signal pipe is the supervisor's alone. */
void
sup_signals_child(void)
{
	close(sigpipe_fds[0]);
	close(sigpipe_fds[1]);
}

static int
nonblocking_pipe(int fds[2])
{
	return pipe2(fds, O_NONBLOCK | O_CLOEXEC);
}

static int
sup_signals(void)
{
	static const int sigs[] = { SIGHUP, SIGTERM, SIGINT, SIGCHLD };
	struct sigaction sa;
	size_t i;

	if (nonblocking_pipe(sigpipe_fds) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	return 0;
}

/* ---- reload and shutdown ---- */

/*
 * Scoreboard slots for a config: twice the pool cap, for the workers of
 * two generations side by side after a reload.
 */
static unsigned
slots_for(const struct conf *c)
{
	long n = c->max_parallel > 0
	    ? 2L * (c->max_parallel + SB_TOTAL_OVERFLOW + 1)
	    : 4096;

	return n > SB_MAX_SLOTS ? SB_MAX_SLOTS : (unsigned)n;
}

/* What a reload changes: every line, and apart those needing a restart. */
struct changes {
	struct buf all, restart;
};

static void
on_change(void *arg, const char *line)
{
	struct changes *ch = arg;
	struct buf *b =
	    strstr(line, "(needs a restart)") ? &ch->restart : &ch->all;

	buf_printf(b, "%s%s", b->len ? "; " : "", line);
}

/*
 * A reload must not change what takes effect only at start-up: that
 * would leave the daemon running other values than its file says, with
 * nothing to tell.  0, or -1 with those PARAMs in err; the other changes
 * go to *all for the log.
 */
static int
check_changes(struct sup *s, const struct conf *nc, struct buf *all, char *err,
    size_t errlen)
{
	struct changes ch;
	int rc = 0;

	buf_init(&ch.all, 1 << 16);
	buf_init(&ch.restart, 1 << 16);
	conf_diff(s->conf, nc, on_change, &ch);
	if (ch.restart.len > 0) {
		snprintf(err, errlen, "%s", ch.restart.data);
		rc = -1;
	} else if (slots_for(nc) > s->sb->room) {
		snprintf(err, errlen,
		    "MaxParallelConnections %d needs a restart "
		    "(room for %u workers)",
		    nc->max_parallel, s->sb->room);
		rc = -1;
	}
	buf_free(&ch.restart);
	*all = ch.all;
	return rc;
}

static void
conf_warning(void *arg, const char *msg)
{
	(void)arg;
	log_msg(LOG_WARNING, "%s", msg);
}

static const char *
conf_path(const struct sup *s)
{
	if (s->opts && s->opts->cfgfile)
		return s->opts->cfgfile;
	return s->conf->path;
}

/* Every group's policy database must open, or no session could be served. */
static int
check_policies(
    const struct conf *c, const struct zenv *z, char *err, size_t errlen)
{
	struct policy *p;
	size_t g;

	for (g = 0; g < c->ngroups; g++) {
		p = session_open_policy(c, &c->groups[g], z, err, errlen);
		if (p == NULL)
			return -1;
		policy_close(p);
	}
	return 0;
}

/* Per-listener metrics: their names, before any worker counts. */
static void
name_listeners(struct sup *s)
{
	size_t i;

	for (i = 0; i < s->ls.n; i++)
		sbcount_listener_name(s->sb, s->ls.v[i].name);
}

/* The new generation, or 0 with the reason in err (also logged). */
static unsigned long
reload_conf(struct sup *s, char *err, size_t errlen)
{
	struct conf *nc;
	struct buf changes;
	unsigned long gen;

	nc = conf_load(conf_path(s), s->zenv, err, errlen, conf_warning, NULL);
	if (nc == NULL) {
		log_msg(LOG_ERR, "reload failed: %s; keeping generation %lu",
		    err, s->conf->generation);
		return 0;
	}
	if (check_changes(s, nc, &changes, err, errlen) < 0) {
		log_msg(LOG_ERR, "reload refused: %s; keeping generation %lu",
		    err, s->conf->generation);
		goto fail;
	}
	if (check_policies(nc, s->zenv, err, errlen) < 0 ||
	    listen_reopen(nc, s->opts, s->zenv, &s->ls, err, errlen) < 0) {
		log_msg(LOG_ERR, "reload failed: %s; keeping generation %lu",
		    err, s->conf->generation);
		goto fail;
	}
	if (changes.len > 0)
		log_msg(LOG_NOTICE, "reload: %s", changes.data);
	buf_free(&changes);
	scoreboard_grow(s->sb, slots_for(nc)); /* fits: checked above */
	name_listeners(s);
	scoreboard_set_stress(s->sb, pool_stress_at(nc));
	secrets_reload(&s->sec, nc);
	subdaemons_reload(&s->subd, nc, s->opts, s->zenv);
	gen = scoreboard_bump(s->sb);
	nc->generation = gen;
	if (s->owned)
		conf_free(s->owned);
	s->owned = s->conf = nc;
	s->ci.config = conf_path(s);
	pool_signal(s, SIGUSR1, 1); /* idle old-generation ones go */
	log_msg(LOG_NOTICE, "reloaded %s: generation %lu, %zu listeners",
	    conf_path(s), gen, s->ls.n);
	unbuilt_log(s->opts, nc);
	return gen;
fail:
	buf_free(&changes);
	conf_free(nc);
	return 0;
}

/* reload_conf() between RELOADING=1 and READY=1 for systemd. */
static unsigned long
reload(struct sup *s, char *err, size_t errlen)
{
	unsigned long gen;

	notify_reloading();
	gen = reload_conf(s, err, errlen);
	scoreboard_lock(s->sb);
	*(gen > 0 ? &s->sb->t.reloads_ok : &s->sb->t.reloads_failed) += 1;
	scoreboard_unlock(s->sb);
	notify_reloaded(&s->nt, s->sb, gen > 0);
	return gen;
}

/* SIGHUP: the outcome is in the log. */
static void
reload_on_signal(struct sup *s)
{
	char err[1024];

	(void)reload(s, err, sizeof(err));
}

/* A control "reload": the outcome goes back to the client too. */
static unsigned long
reload_on_request(void *arg, char *err, size_t errlen)
{
	struct sup *s = arg;

	if (s->stopping) {
		snprintf(err, errlen, "the daemon is stopping");
		return 0;
	}
	return reload(s, err, errlen);
}

static void
begin_stop(struct sup *s)
{
	int grace = s->conf->shutdown_grace >= 0 ? s->conf->shutdown_grace
	                                         : DEFAULT_GRACE;

	if (s->stopping)
		return;
	s->stopping = 1;
	notify_stopping();
	s->deadline = mono_after(grace);
	scoreboard_lock(s->sb);
	s->sb->stopping = 1;
	scoreboard_unlock(s->sb);
	listen_close(&s->ls);
	pool_signal(s, SIGUSR1, 1);
	log_msg(LOG_NOTICE, "stopping: sessions have %ds to finish", grace);
}

/* Past the grace period: SIGTERM (sessions say 421), then SIGKILL. */
static void
press_stop(struct sup *s)
{
	long long now = mono_now();

	if (now >= s->deadline && !s->termsent) {
		pool_signal(s, SIGTERM, 0);
		s->termsent = 1;
	}
	if (now >= s->deadline + HARD_KILL_AFTER * 1000LL)
		pool_signal(s, SIGKILL, 0);
}

static void
on_signals(struct sup *s)
{
	unsigned char buf[64];
	ssize_t n, i;

	while ((n = read(sigpipe_fds[0], buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++) {
			if (buf[i] == SIGHUP && !s->stopping)
				reload_on_signal(s);
			else if (buf[i] == SIGTERM || buf[i] == SIGINT)
				begin_stop(s);
		}
	}
}

static void
drain(int fd)
{
	char buf[256];

	while (read(fd, buf, sizeof(buf)) > 0)
		continue;
}

static void
loop(struct sup *s)
{
	struct pollfd p[3 + MHTTP_NFDS];
	struct census c;
	int nm, r;

	for (;;) {
		p[0].fd = sigpipe_fds[0];
		p[1].fd = s->wake[0];
		p[2].fd = s->ctl;
		p[0].events = p[1].events = p[2].events = POLLIN;
		nm = mhttp_fds(&s->mh, p + 3);
		r = poll(p, 3 + (nfds_t)nm, notify_poll_ms(&s->nt, 1000));
		if (r > 0) {
			if (p[0].revents)
				on_signals(s);
			if (p[1].revents)
				drain(s->wake[0]);
			if (p[2].fd >= 0 && p[2].revents)
				control_serve(s->ctl, &s->ci);
		}
		mhttp_serve(&s->mh, p + 3, r > 0 ? nm : 0, &s->ci);
		if (s->ci.want_stop)
			begin_stop(s);
		s->ci.want_stop = 0;
		pool_reap(s);
		secrets_check(&s->sec, s->conf);
		subdaemons_check(&s->subd);
		if (s->stopping) {
			pool_count(s, &c);
			if (c.live == 0)
				return;
			press_stop(s);
		}
		pool_maintain(s);
		pool_stress_tick(s);
		notify_tick(&s->nt, s->sb);
		tracker_follow(s->conf->tracking_url, s->host, (long)getpid());
		tracker_tick(s->sb, time(NULL));
	}
}

/* ---- startup ---- */

static int
join(char *out, size_t len, const char *dir, const char *name)
{
	int n = name[0] == '/' ? snprintf(out, len, "%s", name)
	                       : snprintf(out, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int
names(struct sup *s, char *err, size_t errlen)
{
	const char *po = s->opts ? s->opts->postoffice : NULL;
	const char *pid =
	    s->opts && s->opts->pidfile ? s->opts->pidfile : ".pid.smtpserver";
	const char *ctl = s->conf->control_socket;

	if (po == NULL)
		po = zenv_get(s->zenv, "POSTOFFICE");
	if (po == NULL)
		po = "/var/spool/postoffice";
	if (snprintf(s->postoffice, sizeof(s->postoffice), "%s", po) >=
	        (int)sizeof(s->postoffice) ||
	    join(s->pidpath, sizeof(s->pidpath), po, pid) < 0 ||
	    join(s->ctlpath, sizeof(s->ctlpath), po,
	        ctl && *ctl ? ctl : CONTROL_DEFAULT_NAME) < 0) {
		snprintf(err, errlen, "POSTOFFICE path too long");
		return -1;
	}
	if (s->conf->hostname && *s->conf->hostname)
		snprintf(s->host, sizeof(s->host), "%s", s->conf->hostname);
	else if (gethostname(s->host, sizeof(s->host) - 1) < 0)
		snprintf(s->host, sizeof(s->host), "localhost");
	return 0;
}

static int
trusted_user(struct sup *s, char *err, size_t errlen)
{
	const char *user = zenv_get(s->zenv, "TRUSTEDUSER");

	s->uid = getuid();
	s->gid = getgid();
	if (getuid() != 0 && geteuid() != 0)
		return 0; /* not root: nothing to drop */
	return daemon_user(
	    user && *user ? user : "daemon", &s->uid, &s->gid, err, errlen);
}

/*
 * The -l transcript file must be writable by the unprivileged workers:
 * made for them here (safely, see xlog_prepare), under the name they use.
 * With -S remote there is one per client address, made by the workers.
 */
static void
prepare_logfile(const struct sup *s)
{
	const struct options *o = s->opts;
	char name[PATH_MAX];

	if (o == NULL || o->logfile == NULL)
		return;
	if (o->logsuffix == NULL)
		xlog_prepare(o->logfile, s->uid, s->gid);
	else if (strcmp(o->logsuffix, "local") == 0 &&
	    snprintf(name, sizeof(name), "%s.%s", o->logfile, s->host) <
	        (int)sizeof(name))
		xlog_prepare(name, s->uid, s->gid);
}

static int
open_all(struct sup *s, char *err, size_t errlen)
{
	if (check_policies(s->conf, s->zenv, err, errlen) < 0 ||
	    daemon_kill_previous(s->pidpath, KILL_PREVIOUS_MS, err, errlen) < 0)
		return 1;
	if (listen_open(s->conf, s->opts, s->zenv, &s->ls, err, errlen) < 0)
		return 1;
	if (mhttp_open(&s->mh, s->conf->metrics_listen, err, errlen) < 0)
		return 1;
	s->sb = scoreboard_create_room(slots_for(s->conf), SB_MAX_SLOTS);
	if (s->sb == NULL) {
		snprintf(err, errlen, "scoreboard: %s", strerror(errno));
		return 1;
	}
	s->sb->generation = s->conf->generation = 1;
	s->sb->stress_at = pool_stress_at(s->conf);
	name_listeners(s);
	if (daemon_pidfile_write(s->pidpath, err, errlen) < 0)
		return 2;
	prepare_logfile(s);
	return 0;
}

static int
go_background(struct sup *s, char *err, size_t errlen)
{
	const struct options *o = s->opts;
	int mode = s->conf->control_mode > 0 ? s->conf->control_mode : 0600;

	if (!(o && (o->foreground || o->debug >= 2))) {
		if (daemon_detach(err, errlen) < 0 ||
		    daemon_pidfile_write(s->pidpath, err, errlen) < 0)
			return 2;
	}
	s->ctl = control_open(s->ctlpath, mode, err, errlen);
	if (s->ctl < 0)
		log_msg(LOG_ERR, "control socket: %s", err);
	if (sup_signals() < 0 || nonblocking_pipe(s->wake) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return 1;
	}
	/* after detach: the helper is ours */
	secrets_open(&s->sec, s->conf, s->uid, s->gid);
	subdaemons_open(&s->subd, s->conf, s->opts, s->zenv, s->uid, s->gid, 1);
	s->ci.sb = s->sb;
	s->ci.pid = getpid();
	s->ci.config = conf_path(s);
	s->ci.reload = reload_on_request;
	s->ci.reload_arg = s;
	return 0;
}

static void
cleanup(struct sup *s)
{
	struct stat st;

	listen_close(&s->ls);
	mhttp_close(&s->mh);
	tracker_stop();
	if (s->ctl >= 0) {
		close(s->ctl);
		if (lstat(s->ctlpath, &st) == 0 && S_ISSOCK(st.st_mode))
			unlink(s->ctlpath);
	}
	daemon_pidfile_remove(s->pidpath);
	secrets_close(&s->sec);
	subdaemons_close(&s->subd, 0);
	scoreboard_destroy(s->sb);
	if (s->owned)
		conf_free(s->owned);
}

int
supervisor_run(const struct options *opts, struct conf *conf, struct zenv *zenv)
{
	static struct sup s; /* one per process; signal handlers need it */
	char err[1024], bound[1024];
	int rc;

	memset(&s, 0, sizeof(s));
	s.opts = opts;
	s.conf = conf;
	s.zenv = zenv;
	s.ctl = -1;
	mhttp_init(&s.mh);
	notify_init(&s.nt);
	unbuilt_log(opts, conf);
	rc = names(&s, err, sizeof(err)) < 0 ||
	    trusted_user(&s, err, sizeof(err)) < 0;
	if (rc == 0)
		rc = open_all(&s, err, sizeof(err));
	if (rc == 0)
		rc = go_background(&s, err, sizeof(err));
	if (rc != 0) {
		log_msg(LOG_ERR, "%s", err);
		fprintf(stderr, "smtpserver: %s\n", err);
		cleanup(&s);
		return rc;
	}
	log_msg(LOG_NOTICE, "started: pid %ld, %zu listeners, generation 1",
	    (long)getpid(), s.ls.n);
	/* only now, every socket bound: what make run and people wait for */
	listen_names(&s.ls, bound, sizeof(bound));
	log_tell("listening on %s", bound);
	if (s.mh.lfd >= 0)
		log_msg(LOG_NOTICE, "metrics over HTTP on %s", s.mh.name);
	notify_ready(&s.nt, s.sb);
	loop(&s);
	log_msg(LOG_NOTICE, "killed server.");
	cleanup(&s);
	return 0;
}
