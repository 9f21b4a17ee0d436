/*
 * supervisor_int.h - what supervisor.c and pool.c share inside the daemon's
 * parent process: its state (struct sup) and the pool's calls.
 * Not for: anything outside the supervisor (main.c uses supervisor.h).
 */
#ifndef SMTPD_SUPERVISOR_INT_H
#define SMTPD_SUPERVISOR_INT_H

#include <sys/types.h>
#include <limits.h>
#include <time.h>

#include "control.h"
#include "listen.h"
#include "metrics_http.h"
#include "notify.h"
#include "secrets.h"
#include "subdaemons.h"

struct options;
struct conf;
struct zenv;
struct scoreboard;

struct sup {
	const struct options *opts;
	struct conf *conf;
	struct conf *owned; /* a config we loaded (freed on swap) */
	struct zenv *zenv;
	struct scoreboard *sb;
	struct secrets sec;     /* TLS contexts, AUTH helper */
	struct subdaemons subd; /* router, contentfilter keepers */
	struct listeners ls;
	struct control_info ci;
	int ctl;
	struct mhttp mh; /* PARAM metrics-listen */
	int wake[2];
	char postoffice[PATH_MAX / 2];
	char pidpath[PATH_MAX];
	char ctlpath[PATH_MAX];
	char host[256];
	uid_t uid;
	gid_t gid;
	int stopping, termsent;
	long long deadline; /* mono.h: the end of the stop's grace */
	int fastfail;
	time_t nextspawn;
	time_t lasttrim;
	time_t laststress; /* last stress-mode tick */
	int stress;        /* stress mode, as the last tick saw it */
	struct notify nt;  /* systemd's NOTIFY_SOCKET */
};

struct census {
	int live, idle, busy;
	int sameip; /* connections being told 450 for their address */
};

/* supervisor.c: in a new worker, close the supervisor's signal pipe. */
void sup_signals_child(void);

/* pool.c */
void pool_count(struct sup *, struct census *);
void pool_maintain(struct sup *);
unsigned pool_stress_at(const struct conf *);
void pool_stress_tick(struct sup *);
void pool_signal(struct sup *, int, int);
void pool_reap(struct sup *);

#endif
