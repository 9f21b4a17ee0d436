/*
 * session.h - one SMTP session over a stream, from greeting to close.
 * The caller (worker, -i or -n mode) owns the connection and accounting;
 * the session knows nothing of processes or the scoreboard except through
 * the event hook.
 */
#ifndef SMTPD_SESSION_H
#define SMTPD_SESSION_H

#include <sys/socket.h>
#include <stddef.h>
#include <time.h>

#include "conf.h"

struct zenv;
struct xlog;
struct policy;
struct tls_server;
struct privhelper;
struct options;

enum sess_event {
	SEV_STATE,   /* arg = verb text (const char *) now running */
	SEV_MESSAGE, /* a message was committed: n = bytes */
	SEV_REJECT,  /* a 4xx/5xx reply was sent: n = reply code */
	SEV_RCPT,    /* after SEV_MESSAGE: n = its recipients (each had
			250); recipients of a transaction that did not end in
			a committed message are not reported */
	SEV_QUIT,    /* the client said QUIT; its 221 follows */
	SEV_TLS,     /* a TLS handshake succeeded: p = version text;
			n = -1: it failed (p NULL) */
	SEV_AUTH,    /* an AUTH was checked: n = 1 ok, 0 refused */
	SEV_POLICY,  /* the policy refused: n = enum sb_stage, p non-NULL
			when a DNS blocklist decided it */
	SEV_COMMIT,  /* a spool commit took n microseconds */
};

/*
 * What the session tells its caller (the daemon's worker: scoreboard and
 * stress mode) and asks of it.  Every hook gets arg; a NULL hook is not
 * called (-i and -n sessions have none).
 */
struct session_hooks {
	void *arg;
	void (*event)(void *arg, enum sess_event, const void *p, long n);
	/* ratelimitmsgs counter (daemon: the scoreboard) */
	long (*rate)(void *arg, const char *label);
	/* rcpt-verify-rate: may one more callout start in this second
	 * across all workers (daemon: the scoreboard)?  1 yes, 0 no */
	int (*callout_rate)(void *arg, int limit);
	/*
	 * Stress mode, called about once a second while the session waits
	 * for a command: waited seconds so far, first = no command came
	 * yet.  1 = close the session now (421).  waited < 0: the wait is
	 * over.
	 */
	int (*idle)(void *arg, long waited, int first);
	/*
	 * AUTH failures of this client address across sessions (the
	 * daemon's scoreboard), reserve then check: auth_reserve counts an
	 * attempt as a failure before it is checked, unless limit failures
	 * fell within the last window seconds (then 0); auth_refund takes
	 * back one that did not fail.  NULL: counted per session.
	 */
	int (*auth_reserve)(void *arg, const struct sockaddr_storage *peer,
	    int limit, int window, time_t *since);
	void (*auth_refund)(void *arg, const struct sockaddr_storage *peer,
	    int window, time_t since);
};

struct session_env {
	const struct conf *conf;
	const struct conf_group *grp;
	const struct zenv *zenv;
	int fd_in, fd_out; /* the same socket, or 0/1 under -i */
	int network;       /* peer is a network client (policy applies) */
	struct sockaddr_storage peer, local;
	socklen_t peerlen, locallen;
	enum bind_kind kind; /* SMTP, SMTPS (implicit TLS), SUBMIT */
	const char *postoffice;
	const char *myhostname;
	int interactive;       /* -i */
	int bsmtp;             /* -B */
	int echo;              /* -v under -i */
	int debug;             /* -d n */
	int gullible;          /* -g */
	int helo_strict;       /* -h */
	int ident;             /* -a */
	int whoson;            /* -w: ask whoson about the client */
	const char *style;     /* -s value: "strict", "sloppy", or flags */
	long maxsize;          /* -M overrides PARAM maxsize when >= 0 */
	const char *test_addr; /* -T '[a.b.c.d]' */
	struct xlog *xlog;     /* session transcript, may be NULL */
	struct policy *policy; /* open policy database; NULL only for local
				   (-i) sessions, which are trusted */
	int same_ip;           /* connections from this client now (daemon) */
	const char *listener; /* the daemon's listener name; NULL under -i/-n */
	struct session_hooks hooks;
	volatile const int *stopping; /* set when the server shuts down */
	/* TLS context of this group; NULL when use-tls is off or the
	 * certificate could not be loaded (STARTTLS then gets 454) */
	struct tls_server *tls;
	/* the AUTH helper's door; NULL = no AUTH backend (454) */
	struct privhelper *auth;
};

/*
 * Open a group's policy database with the DNS and tcp-wrapper settings
 * (before dropping privileges); NULL with the reason in err.
 */
struct policy *session_open_policy(const struct conf *,
    const struct conf_group *, const struct zenv *, char *err, size_t errlen);

/*
 * session_env.c: clear e and fill in what every session takes from the
 * command line (o may be NULL: defaults), the configuration and the
 * listener's group.  The caller adds the descriptors, the peer, the
 * handles and the hooks.
 */
void session_env_init(struct session_env *e, const struct options *o,
    const struct conf *c, const struct conf_group *g);
/*
 * The -l file of a session whose peer is already in e: with -S local our
 * host name appended, with -S remote the client's address ("127.0.0.1"
 * for a local -i session).  NULL without -l; the plain -l name when the
 * suffixed one does not fit in len.
 */
const char *session_log_name(const struct session_env *e,
    const struct options *o, char *buf, size_t len);

/* Run one session; returns 0 after QUIT, 1 after a drop or error. */
int session_run(const struct session_env *);

/*
 * reply.c: one reply line and its CRLF into out, formatted as the session
 * formats every reply, for the refusals the worker writes before there is
 * a session: reply_line(out, size, enhanced, last, R_NAME, ...) with
 * replies.h.  Returns its length, 0 when it does not fit in size; a line
 * never needs more than REPLY_LINE_MAX.
 */
#define REPLY_LINE_MAX 540
size_t reply_line(char *out, size_t size, int enhanced, int last, int code,
    const char *enh, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

#endif
