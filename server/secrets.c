/*
 * secrets.c - the supervisor's TLS contexts and AUTH helper (see
 * secrets.h).  The supervisor keeps both ends of the helper's door: when
 * the helper dies another starts behind the same door, so every worker,
 * however old, reaches it at once (requests sent meanwhile wait in the
 * door).  Workers drop the helper's end after fork.  A helper left behind
 * by a reload lives on for the old generation's workers that still hold
 * its door, and exits when the last of them does; the supervisor's reap
 * loop collects it.
 */
#include "secrets.h"

#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "privhelper.h"
#include "tls.h"

static int
wants_tls(const struct conf_group *g)
{
	size_t i;

	if (g->use_tls || g->listen_ssmtp)
		return 1;
	for (i = 0; i < g->nbinds; i++)
		if (g->binds[i].kind == BIND_SMTPS)
			return 1;
	return 0;
}

static int
wants_auth(const struct conf *c)
{
	size_t i, j;

	if (c->msa_mode)
		return 1;
	for (i = 0; i < c->ngroups; i++) {
		if (c->groups[i].smtp_auth || c->groups[i].auth_pipe)
			return 1;
		for (j = 0; j < c->groups[i].nbinds; j++)
			if (c->groups[i].binds[j].kind == BIND_SUBMIT)
				return 1;
	}
	return 0;
}

static struct tls_server *
build(const struct conf_group *g)
{
	char err[512];
	struct tls_server *ts = tls_server_new(g, err, sizeof(err));

	if (ts == NULL)
		log_msg(LOG_ERR,
		    "TLS for group %s: %s; STARTTLS will answer 454", g->name,
		    err);
	return ts;
}

static void
helper_start(struct secrets *sc, const struct conf *c)
{
	char err[512];

	if (!wants_auth(c))
		return;
	sc->auth = privhelper_spawn_kept(
	    c, sc->pipe_uid, sc->pipe_gid, err, sizeof(err));
	if (sc->auth == NULL)
		log_msg(LOG_ERR, "AUTH helper: %s; AUTH will answer 454", err);
}

/* Close our door without waiting: the reap loop collects the helper. */
static void
helper_detach(struct secrets *sc)
{
	if (sc->auth == NULL)
		return;
	sc->auth->pid = 0;
	privhelper_close(sc->auth);
	sc->auth = NULL;
}

void
secrets_open(struct secrets *sc, const struct conf *c, uid_t uid, gid_t gid)
{
	size_t i;

	sc->pipe_uid = uid;
	sc->pipe_gid = gid;
	sc->ngroups = c->ngroups;
	sc->tls = calloc(c->ngroups ? c->ngroups : 1, sizeof(*sc->tls));
	for (i = 0; sc->tls && i < c->ngroups; i++)
		if (wants_tls(&c->groups[i]))
			sc->tls[i] = build(&c->groups[i]);
	helper_start(sc, c);
}

/* Group i of the new configuration: reload in place when the group had a
 * context (a broken new key keeps it), else build. */
static struct tls_server *
reload_one(struct tls_server *old, const struct conf_group *g)
{
	char err[512];

	if (!wants_tls(g)) {
		tls_server_free(old);
		return NULL;
	}
	if (old == NULL)
		return build(g);
	if (tls_server_reload(old, g, err, sizeof(err)) < 0)
		log_msg(LOG_ERR,
		    "TLS reload for group %s: %s; keeping the old certificate",
		    g->name, err);
	return old;
}

void
secrets_reload(struct secrets *sc, const struct conf *nc)
{
	struct tls_server **t =
	    calloc(nc->ngroups ? nc->ngroups : 1, sizeof(*t));
	size_t i;

	if (t == NULL) {
		log_msg(LOG_ERR, "TLS reload: out of memory");
		return;
	}
	for (i = 0; i < nc->ngroups; i++)
		t[i] =
		    reload_one(i < sc->ngroups && sc->tls ? sc->tls[i] : NULL,
		        &nc->groups[i]);
	for (; sc->tls && i < sc->ngroups; i++)
		tls_server_free(sc->tls[i]);
	free(sc->tls);
	sc->tls = t;
	sc->ngroups = nc->ngroups;
	helper_detach(sc);
	helper_start(sc, nc);
}

/* Start a helper behind the current door if it has none; 0 if it has. */
static int
helper_restart(struct secrets *sc, const struct conf *c)
{
	char err[512];

	if (sc->auth == NULL || sc->auth->pid > 0)
		return 0;
	if (privhelper_restart(sc->auth, c, sc->pipe_uid, sc->pipe_gid, err,
	        sizeof(err)) < 0) {
		log_msg(LOG_ERR,
		    "AUTH helper: %s; AUTH waits, retried in a second", err);
		return -1;
	}
	log_msg(LOG_NOTICE, "AUTH helper %ld started behind the same door",
	    (long)sc->auth->pid);
	return 0;
}

int
secrets_reaped(struct secrets *sc, pid_t pid, const struct conf *c)
{
	if (sc->auth == NULL || sc->auth->pid != pid)
		return 0;
	log_msg(
	    LOG_WARNING, "AUTH helper %ld died; starting another", (long)pid);
	sc->auth->pid = 0; /* already reaped */
	helper_restart(sc, c);
	return 1;
}

void
secrets_check(struct secrets *sc, const struct conf *c)
{
	helper_restart(sc, c);
}

void
secrets_child(struct secrets *sc)
{
	privhelper_child(sc->auth);
}

struct tls_server *
secrets_tls(const struct secrets *sc, size_t group)
{
	return sc->tls && group < sc->ngroups ? sc->tls[group] : NULL;
}

void
secrets_close(struct secrets *sc)
{
	size_t i;

	for (i = 0; sc->tls && i < sc->ngroups; i++)
		tls_server_free(sc->tls[i]);
	free(sc->tls);
	sc->tls = NULL;
	sc->ngroups = 0;
	helper_detach(sc);
}
