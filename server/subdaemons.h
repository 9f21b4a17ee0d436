/*
 * subdaemons.h - the daemon's sub-daemon keepers (subd.h): ZMailer's
 * interactive router (PARAM enable-router, -R) and contentfilter
 * (PARAM contentfilter), kept by the supervisor like the AUTH helper:
 * restarted behind the same door when they die, started anew on SIGHUP.
 * A contentfilter that is an AF_UNIX socket needs no keeper: sessions
 * connect to it themselves.  -i/-n sessions get their own keepers.
 * Not for: the keeper (subd_keep.c), SMTP (router.c, contentfilter.c).
 */
#ifndef SMTPD_SUBDAEMONS_H
#define SMTPD_SUBDAEMONS_H

#include <limits.h>
#include <sys/types.h>
#include <time.h>

#include "conf.h"
#include "subd.h"

struct options;
struct zenv;

enum subd_kind { SUBD_ROUTER, SUBD_FILTER, SUBD_NKINDS };

struct subdaemons {
	struct subd *d[SUBD_NKINDS]; /* NULL: off, or could not start */
	struct subd_prog p[SUBD_NKINDS];
	int on[SUBD_NKINDS]; /* configured (a missing keeper = failure) */
	char path[SUBD_NKINDS][PATH_MAX];
	char zconfig[PATH_MAX];
	char filter_sock[PATH_MAX];  /* contentfilter is a socket: "" else */
	int keep;                    /* the supervisor keeps the doors */
	time_t started[SUBD_NKINDS]; /* last keeper start */
};

/* Start what c asks for; problems are logged (sessions then answer
 * 440 / 451).  keep: a supervisor that restarts the keepers. */
void subdaemons_open(struct subdaemons *, const struct conf *c,
    const struct options *o, const struct zenv *z, uid_t, gid_t, int keep);
/* SIGHUP: the old keepers go when their last worker does. */
void subdaemons_reload(struct subdaemons *, const struct conf *nc,
    const struct options *o, const struct zenv *z);
/* A child died: if it was a keeper, start another; 1 if it was. */
int subdaemons_reaped(struct subdaemons *, pid_t);
/* Once a second: start a keeper that could not be restarted at once. */
void subdaemons_check(struct subdaemons *);
/* In a new worker: drop the keepers' ends of the doors. */
void subdaemons_child(struct subdaemons *);
void subdaemons_close(struct subdaemons *, int wait);

#endif
