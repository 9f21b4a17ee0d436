/*
 * worker.h - one pre-forked worker: drop privileges, accept on the
 * inherited listeners, admit through the scoreboard, run sessions, and
 * exit after max_worker_sessions, on a new generation when idle, or when
 * told to.  It knows no SMTP beyond the refusal replies.
 */
#ifndef SMTPD_WORKER_H
#define SMTPD_WORKER_H

#include <sys/types.h>

struct subdaemons;

struct options;
struct conf;
struct zenv;
struct scoreboard;
struct listeners;
struct secrets;

struct worker {
	const struct options *opts;
	const struct conf *conf;
	const struct zenv *zenv;
	struct scoreboard *sb;
	int slot;
	unsigned long gen; /* generation of conf */
	const struct listeners *ls;
	int wakefd; /* a byte here wakes the supervisor */
	const char *postoffice;
	const char *myhostname;
	pid_t parent; /* the supervisor */
	uid_t uid;    /* TRUSTEDUSER */
	gid_t gid;
	const struct secrets *sec; /* TLS contexts, AUTH helper door */
	struct subdaemons *subd;   /* router, contentfilter doors */
};

/* Runs in the child after fork; never returns. */
void worker_main(struct worker *) __attribute__((noreturn));

#endif
