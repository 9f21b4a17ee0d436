/*
 * milter_int.h - what milter.c (connections, stages) and milter_eom.c
 * (end of message and modifications) share.  Not for the session.
 */
#ifndef SMTPD_MILTER_INT_H
#define SMTPD_MILTER_INT_H

#include <stdint.h>
#include <time.h>

#include "milter.h"
#include "milter_proto.h"
#include "smtp.h"

#define MILTER_MAX 8 /* PARAM milter lines */

/* What a stage ends in. */
enum mverdict {
	MV_CONTINUE,
	MV_ACCEPT,   /* no more calls for this message (or session) */
	MV_REJECT,   /* 550 5.7.1 */
	MV_TEMPFAIL, /* 451 4.7.1 */
	MV_DISCARD,  /* accept, store nothing */
	MV_REPLY,    /* the milter's own code and text */
};

struct mreply {
	enum mverdict v;
	int code;
	char enh[16];
	char text[256];
};

/* One milter's connection for this session. */
struct mconn {
	char name[64];
	int fd;              /* -1: closed */
	int failed;          /* the default action applies from now on */
	int sess_accept;     /* ACCEPT at connect/HELO: skip it */
	int msg_accept;      /* ACCEPT in this transaction: skip it */
	int in_msg;          /* MAIL was sent: ABORT at the end */
	uint32_t act, proto; /* negotiated */
	struct buf in;       /* bytes read, not yet taken */
};

struct milters {
	size_t n;
	struct mconn m[MILTER_MAX];
	struct mreply held; /* a connect/HELO refusal, given at MAIL */
	int discard;        /* a milter said discard */
	int data_sent;      /* SMFIC_DATA went out for this message */
	const char *rcpt;   /* the {rcpt_addr} macro */
	unsigned long msgno;
	char qid[40]; /* the {i} macro */
};

/* milter.c */
int milter_usable(const struct mconn *);
void milter_fail(struct smtp *, struct mconn *, const char *why);
int milter_send(struct smtp *, struct mconn *, int cmd, const void *data,
    size_t len, long long deadline);
/* A reply packet into *p (valid until the next call); -1 = failed. */
int milter_recv(
    struct smtp *, struct mconn *, struct mpkt *p, long long deadline);
int milter_macros(struct smtp *, struct mconn *, int stage, long long deadline);
/* A stage reply: accept/continue/... into r; -1 on a bad packet. */
int milter_verdict(const struct mpkt *, struct mreply *r);
/* The verdict of the default action (PARAM milter-default-action). */
void milter_default(struct smtp *, struct mreply *r);
/* Send the refusal r; -1 (for returning), 0 when r lets it go on. */
int milter_refuse(struct smtp *, const struct mreply *r);

#endif
