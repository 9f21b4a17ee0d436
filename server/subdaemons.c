/*
 * subdaemons.c - which sub-daemon keepers a configuration wants, with
 * what command line, and their life beside the supervisor (see
 * subdaemons.h).
 */
#include "subdaemons.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"
#include "options.h"
#include "zenv.h"

#define SUBD_IDLE 600 /* seconds before an idle program is killed */

static void
fill(struct subdaemons *sd, const struct conf *c, const struct options *o,
    const struct zenv *z)
{
	const char *bin = z ? zenv_get(z, "MAILBIN") : NULL;
	struct subd_prog *r = &sd->p[SUBD_ROUTER], *f = &sd->p[SUBD_FILTER];
	struct stat st;

	snprintf(sd->zconfig, sizeof(sd->zconfig), "%s",
	    o && o->zenvfile ? o->zenvfile : DEFAULT_ZENV);
	if (o && o->router)
		snprintf(sd->path[SUBD_ROUTER], PATH_MAX, "%s", o->router);
	else
		snprintf(sd->path[SUBD_ROUTER], PATH_MAX, "%s/router",
		    bin && *bin ? bin : DEFAULT_MAILBIN);
	*r = (struct subd_prog){ .name = "router",
		.argv = { sd->path[SUBD_ROUTER], "-Z", sd->zconfig, "-io-i",
		    "-Ismtpserver", NULL },
		.maxpar = c->router_maxpar,
		.timeout = c->router_timeout,
		.idle = SUBD_IDLE,
		.zconfig = sd->zconfig,
		.uid = r->uid,
		.gid = r->gid };
	sd->on[SUBD_ROUTER] = c->enable_router;
	snprintf(sd->path[SUBD_FILTER], PATH_MAX, "%s",
	    c->contentfilter ? c->contentfilter : "");
	*f = (struct subd_prog){ .name = "contentfilter",
		.argv = { sd->path[SUBD_FILTER], "-Z", sd->zconfig, NULL },
		.maxpar = c->contentfilter_maxpar,
		.timeout = c->contentfilter_timeout,
		.idle = SUBD_IDLE,
		.smtpserver_env = 1,
		.debug = c->debug_contentfilter,
		.zconfig = sd->zconfig,
		.uid = f->uid,
		.gid = f->gid };
	sd->on[SUBD_FILTER] = c->contentfilter != NULL;
	sd->filter_sock[0] = '\0';
	if (c->contentfilter && stat(c->contentfilter, &st) == 0 &&
	    S_ISSOCK(st.st_mode)) {
		snprintf(sd->filter_sock, PATH_MAX, "%s", c->contentfilter);
		sd->on[SUBD_FILTER] = 0; /* no keeper: sessions connect */
	}
}

static void
start(struct subdaemons *sd)
{
	char err[512];
	int k;

	for (k = 0; k < SUBD_NKINDS; k++) {
		sd->d[k] = NULL;
		if (!sd->on[k])
			continue;
		sd->d[k] = subd_spawn(&sd->p[k], sd->keep, err, sizeof(err));
		sd->started[k] = time(NULL);
		if (sd->d[k] == NULL)
			log_msg(LOG_ERR, "%s keeper: %s", sd->p[k].name, err);
	}
}

void
subdaemons_open(struct subdaemons *sd, const struct conf *c,
    const struct options *o, const struct zenv *z, uid_t uid, gid_t gid,
    int keep)
{
	int k;

	memset(sd, 0, sizeof(*sd));
	for (k = 0; k < SUBD_NKINDS; k++) {
		sd->p[k].uid = uid;
		sd->p[k].gid = gid;
	}
	sd->keep = keep;
	fill(sd, c, o, z);
	start(sd);
}

/* Close our doors without waiting: the reap loop collects the keepers. */
static void
detach(struct subdaemons *sd)
{
	int k;

	for (k = 0; k < SUBD_NKINDS; k++) {
		subd_close(sd->d[k], 0);
		sd->d[k] = NULL;
	}
}

void
subdaemons_reload(struct subdaemons *sd, const struct conf *nc,
    const struct options *o, const struct zenv *z)
{
	detach(sd);
	fill(sd, nc, o, z);
	start(sd);
}

/* Start a keeper behind a door that has none, at most once a second
 * (a keeper that dies at once must not make the supervisor spin). */
static void
restart(struct subdaemons *sd, int k)
{
	char err[512];
	time_t now = time(NULL);

	if (sd->d[k] == NULL || sd->d[k]->pid > 0 || sd->started[k] == now)
		return;
	sd->started[k] = now;
	if (subd_restart(sd->d[k], &sd->p[k], err, sizeof(err)) < 0)
		log_msg(LOG_ERR, "%s keeper: %s", sd->p[k].name, err);
}

int
subdaemons_reaped(struct subdaemons *sd, pid_t pid)
{
	int k;

	for (k = 0; k < SUBD_NKINDS; k++) {
		if (sd->d[k] == NULL || sd->d[k]->pid != pid)
			continue;
		log_msg(LOG_WARNING, "%s keeper %ld died; starting another",
		    sd->p[k].name, (long)pid);
		sd->d[k]->pid = 0;
		restart(sd, k);
		return 1;
	}
	return 0;
}

void
subdaemons_check(struct subdaemons *sd)
{
	int k;

	for (k = 0; k < SUBD_NKINDS; k++)
		restart(sd, k);
}

void
subdaemons_child(struct subdaemons *sd)
{
	int k;

	for (k = 0; k < SUBD_NKINDS; k++)
		subd_child(sd->d[k]);
}

void
subdaemons_close(struct subdaemons *sd, int wait)
{
	int k;

	for (k = 0; k < SUBD_NKINDS; k++) {
		subd_close(sd->d[k], wait);
		sd->d[k] = NULL;
	}
}
