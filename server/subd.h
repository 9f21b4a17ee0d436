/*
 * subd.h - a "keeper" process that runs a pool of ZMailer sub-daemon
 * programs (the interactive router, the contentfilter) for the workers,
 * and the workers' side of it.  Workers reach the keeper through a
 * SOCK_SEQPACKET door (as the AUTH helper, privhelper.h): a request is
 * one line and carries a fresh socket on which the program's reply lines
 * come back, ended by "#hungry" (done), "#nostart" (no program could be
 * started) or EOF (the program died).  Programs run as the daemon user,
 * never as root.  Also the parsers of the two reply formats.
 * Not for: what a reply means to SMTP (router.c, contentfilter.c).
 */
#ifndef SMTPD_SUBD_H
#define SMTPD_SUBD_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

#define SUBD_REQ_MAX 4096   /* request line, LF excluded */
#define SUBD_REPLY_MAX 8192 /* reply bytes kept per request */
#define SUBD_LINE_MAX 1024  /* one reply line */
#define SUBD_START_WAIT 10  /* seconds for a new program's "#hungry" */

/* What the keeper runs; strings are copied by the forked keeper. */
struct subd_prog {
	const char *name; /* "router", "contentfilter": logs, ps */
	const char *argv[8];
	int maxpar;          /* programs at most */
	int timeout;         /* seconds one request may take, then killed */
	int idle;            /* seconds without a request, then killed */
	int smtpserver_env;  /* SMTPSERVER=y in the environment */
	int debug;           /* log every line of the programs */
	const char *zconfig; /* ZCONFIG in the environment, or NULL */
	uid_t uid;           /* the daemon user: never 0 */
	gid_t gid;
};

struct subd {
	int door; /* worker side */
	int back; /* keeper side, kept for a restart (-1: not kept) */
	pid_t pid;
};

enum subd_res {
	SUBD_OK,      /* reply lines then "#hungry" */
	SUBD_NOSTART, /* the program could not be started */
	SUBD_TIMEOUT, /* no complete reply in time */
	SUBD_EOF,     /* the program (or keeper) went away mid-reply */
};

/* Fork a keeper for p; keep: the caller keeps the keeper's end of the
 * door for subd_restart.  NULL with the reason in err. */
struct subd *subd_spawn(
    const struct subd_prog *p, int keep, char *err, size_t errlen);
/* The keeper died (reaped): start another behind the same door. */
int subd_restart(
    struct subd *, const struct subd_prog *p, char *err, size_t errlen);
/* In a forked worker: drop the keeper's end of the door. */
void subd_child(struct subd *);
/* Close the door; wait for the keeper when we started it and wait. */
void subd_close(struct subd *, int wait);

/* subd_keep.c: the keeper's loop on its end of the door. */
void subd_keep(int door, const struct subd_prog *p) __attribute__((noreturn));

/*
 * Ask: send req (one line, no LF) and collect the reply lines (without
 * the final "#hungry") into out, waiting at most timeout seconds.
 */
enum subd_res subd_ask(
    struct subd *, const char *req, struct buf *out, int timeout);
/*
 * The same directly on a connected stream (a contentfilter socket):
 * wait for its "#hungry", send req, read lines to the next "#hungry".
 */
enum subd_res subd_talk(int fd, const char *req, struct buf *out, int timeout);

/*
 * A router reply line "NNN[ -]x.y.z text" (status optional): 0 and its
 * parts (text points into line), -1 if line is not one.
 */
int subd_router_line(const char *line, int *code, int *more, char *enh,
    size_t enhlen, const char **text);
/*
 * A contentfilter reply: the last line that starts with two integers,
 * "<verdict> <code> [x.y.z] text".  0 with its parts (enh "" when none,
 * text "" when none), -1 when no line qualifies.
 */
int subd_filter_verdict(const char *reply, int *verdict, int *code, char *enh,
    size_t enhlen, char *text, size_t textlen);

#endif
