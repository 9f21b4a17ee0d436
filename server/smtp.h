/*
 * smtp.h - the state of one SMTP session, shared by the session files
 * (session.c, verbs.c, reply.c, cmd_*.c).  Not a public interface: the
 * rest of the program sees only session.h.
 */
#ifndef SMTPD_SMTP_H
#define SMTPD_SMTP_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "conf.h"
#include "hdrs.h"
#include "milter.h"
#include "peer.h" /* rhost_flags: enum rhost_flag, rf_ok() */
#include "replies.h"
#include "session.h"
#include "spool.h"
#include "stream.h"
#include "xalloc.h" /* session code: out of memory ends the process */

#define CMD_LINE_MAX 2048 /* command line bytes, CRLF excluded */
#define DATA_SEG_MAX 8192 /* body read granularity */
#define VERB_MAX 40       /* rows of the command table, at most */

/* How the session goes on after the current command's reply. */
enum quit {
	Q_STAY,      /* read the next command */
	Q_DROP,      /* close: an error, a limit, a broken connection */
	Q_SAID_QUIT, /* close: the client said QUIT and had its 221 */
};

enum smtp_state {
	ST_HELLO = 0x01,     /* waiting for HELO/EHLO */
	ST_MAIL = 0x02,      /* MailOrHello */
	ST_RCPT = 0x04,      /* Recipient */
	ST_RCPT_DATA = 0x08, /* RecipientOrData */
	ST_BDAT = 0x10,      /* inside a BDAT transfer */
};
#define ST_ANY (ST_HELLO | ST_MAIL | ST_RCPT | ST_RCPT_DATA | ST_BDAT)

struct smtp_txn {
	int active;           /* MAIL accepted */
	char *from;           /* "" for <> */
	int mail_rejected;    /* MAIL refused by policy */
	long long size;       /* SIZE= or -1 */
	const char *bodytype; /* BODY= or NULL */
	char *envid;
	char *auth_param; /* MAIL AUTH=, decoded; kept if authenticated */
	const char *ret;
	int smtputf8;
	int freeze; /* policy freeze verdict on the sender */
	struct env_rcpt *rcpts;
	size_t nrcpts, rcap;
	int tried;       /* every RCPT counts */
	char **rejected; /* policy-refused rcpts (comments) */
	size_t nrejected;
	/* BDAT */
	struct spool_txn *spool;
	int bdat_cr;             /* a CR ended the previous chunk */
	long long bdat_total;    /* bytes in all chunks */
	long long bdat_last;     /* bytes in the LAST chunk */
	int over_size;           /* maxsize exceeded: stop storing */
	struct hdrs hdrs;        /* added on top of the message (hdrs.h) */
	int discard;             /* a policy service said DISCARD */
	struct spf_verdict *spf; /* SPF evaluated: its verdict (spf.c) */
};

struct smtp {
	const struct session_env *env;
	const struct conf *cf;
	const struct conf_group *g;
	struct stream st;
	struct buf line;
	int line_flags;
	const char *verb; /* the command being run: its table name */
	int state;
	int esmtp; /* EHLO completed */
	int helo_seen;
	char *helo_arg;
	char *helo_line;
	int lmtp;
	/* style: -s strict, or flags from the HELO pattern (smtpserver.conf(5)) */
	int strict, sloppy, style_R, style_v, style_e, style_D;
	int style_F, style_T, style_h; /* router: not at MAIL, RCPT; HELO */
	int router_fails;              /* router failures (router.c) */
	int bare_lf_reject;
	int tty; /* -i on a terminal: LF ends lines and DATA */
	char myhost[256];
	char ip[64];     /* client address text */
	char iplit[80];  /* "[1.2.3.4]" or "[IPv6:...]" */
	char rhost[300]; /* PTR name or iplit */
	int rport, lport;
	int ipv6;
	char rhost_flags[4]; /* by enum rhost_flag (peer.h) */
	char ident[80];      /* RFC 1413 answer (-a), "" when not asked */
	char whoson[80];     /* whoson answer (-w), "" when not asked */
	int whoson_rc;       /* 0 a user, 1 unregistered, -1 unavailable */
	int unknown_cmds;
	int junk_cmds;       /* V_JUNK commands since the last message */
	unsigned long lines; /* command lines read */
	int idle_told;       /* env->idle heard of the current wait */
	double tarpit;
	enum quit quit;   /* close after the current reply? */
	long maxsize;     /* effective maximum message size */
	const char *with; /* envelope "with" */
	struct smtp_txn tx;
	unsigned long nmsgs, nrcpts_total;  /* messages, accepted RCPTs */
	unsigned long rcpt_attempts;        /* every RCPT of the session */
	unsigned long verb_count[VERB_MAX]; /* per command-table row */
	unsigned long nrejects;
	time_t start; /* of the session, for its summary */
	struct spool_cfg spool;
	struct policy_sess *pol; /* NULL: local session, trusted */
	struct polsvc *psv;      /* policy-service connections (polsvc.c) */
	struct spf_ctx *spf;     /* libspf2 and DNS handles (spf.c) */
	int greet_rejected;      /* connect policy said 554 */
	/* TLS and AUTH (cmd_tls.c, cmd_auth.c) */
	int msa;                /* submission (RFC 6409): AUTH before MAIL */
	int authenticated;      /* AUTH succeeded: the client may relay */
	char *auth_user;        /* who, for the envelope and policy */
	const char *auth_mech;  /* "PLAIN" or "LOGIN" (milter {auth_type}) */
	int auth_fails;         /* per-session failure count ... */
	time_t auth_fail_first; /* ... and when the window began */
	int auth_owed;        /* responses an AUTH may still get (cmd_auth.c) */
	int line_secret;      /* line may be one of them: never logged */
	char tls_cipher[160]; /* "<name> keybits N/M version V" */
	char tls_peer[160];   /* verified client certificate CN */
	struct milters *milt; /* milter.c: NULL = no PARAM milter */
};

/* reply.c: the one reply builder; reply(s, R_NAME, ...) with replies.h */
void reply(struct smtp *, int code, const char *enh, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void reply_cont(struct smtp *, int code, const char *enh, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void reply_caret(struct smtp *, int code, const char *enh, size_t col);
void reply_flush(struct smtp *);

/* verbs.c */
void verbs_dispatch(struct smtp *);
const char *verbs_name(size_t row);
size_t verbs_count(void);

/* handlers, arg = text after the verb and blanks; s->verb = its row's name */
void cmd_helo(struct smtp *, const char *arg);
void cmd_mail(struct smtp *, const char *arg);
void cmd_rcpt(struct smtp *, const char *arg);
void cmd_data(struct smtp *, const char *arg);
void cmd_bdat(struct smtp *, const char *arg);
void cmd_rset(struct smtp *, const char *arg);
void cmd_noop(struct smtp *, const char *arg);
void cmd_quit(struct smtp *, const char *arg);
void cmd_help(struct smtp *, const char *arg);
void cmd_vrfy(struct smtp *, const char *arg);
void cmd_expn(struct smtp *, const char *arg);
void cmd_verb(struct smtp *, const char *arg);
void cmd_turn(struct smtp *, const char *arg);
void cmd_tick(struct smtp *, const char *arg);
void cmd_notavail(struct smtp *, const char *arg);
void cmd_ignore(struct smtp *, const char *arg);
void cmd_starttls(struct smtp *, const char *arg);
void cmd_auth(struct smtp *, const char *arg);
void cmd_etrn(struct smtp *, const char *arg);

/* cmd_tls.c */
int smtp_tls_implicit(struct smtp *);
int smtp_tls_on(const struct smtp *);
const char *smtp_with(const struct smtp *);
void smtp_tls_end(struct smtp *);
/* cmd_auth.c */
int smtp_auth_usable(const struct smtp *);
int smtp_auth_exempt(const struct smtp *);
size_t smtp_auth_loglen(const char *line, size_t len);
int smtp_auth_secret(struct smtp *);
/* What logs and replies show instead of a line smtp_auth_secret hid. */
#define SMTP_SECRET_LINE "(possible AUTH response, not logged)"
void smtp_auth_reset(struct smtp *);

/* session_policy.c */
enum greet {
	GREET_220,   /* greet the client */
	GREET_554,   /* the greeting was a refusal (554), then only QUIT */
	GREET_CLOSE, /* a reply was sent: close now */
};
enum greet smtp_policy_connect(struct smtp *);
int smtp_policy_helo(struct smtp *, const char *name);
int smtp_policy_mail(struct smtp *, const char *addr);
int smtp_policy_rcpt(struct smtp *, const char *addr, int *freeze);
/* The recipient table (PARAM recipientdb): 0 known, -1 after 550/451. */
int smtp_policy_rcpt_known(struct smtp *, const char *addr);
void smtp_policy_end(struct smtp *);
/* A refusal's log line in Postfix's shape (from, to: NULL = unknown). */
void smtp_log_reject(struct smtp *, const char *stage, int code,
    const char *enh, const char *text, const char *from, const char *to);
/* polsvc.c: PARAM policy-service; 0 go on, -1 after the refusal */
int smtp_polsvc_rcpt(struct smtp *, const char *rcpt);
int smtp_polsvc_data(struct smtp *);
int smtp_polsvc_eom(struct smtp *, long long size);
void smtp_polsvc_end(struct smtp *);
/* spf.c: the spf-* PARAMs; 0 go on, -1 after the refusal */
int smtp_spf_mail(struct smtp *, const char *from);
int smtp_spf_rcpt(struct smtp *, const char *rcpt);
void smtp_spf_txn_end(struct smtp *);
void smtp_spf_end(struct smtp *);

/* cmd_data.c: the spool envelope of the transaction */
void fill_envelope(struct smtp *, struct envelope *);

/* router.c: ZMailer's interactive router; 0 = go on, -1 = replied */
int smtp_router_helo(struct smtp *);
int smtp_router_mail(struct smtp *, const char *addr);
int smtp_router_rcpt(struct smtp *, const char *addr);
/* VRFY (expand 0) / EXPN: 1 when the router answered the client */
int smtp_router_vrfy(struct smtp *, int expand, const char *arg);

/* contentfilter.c: how the message is committed after the filter */
struct filter_verdict {
	int freeze;     /* > 0: into that freezer index */
	int code;       /* 0: the usual 250, else the filter's reply ... */
	char enh[16];   /* ... with this status ... */
	char text[400]; /* ... and text */
};
/* 0: commit as v says; -1: refused, the reply was sent */
int smtp_contentfilter(struct smtp *, struct filter_verdict *v);

/* session.c */
void smtp_txn_reset(struct smtp *);
void smtp_event(struct smtp *, enum sess_event, const void *, long);
/* style from -s and a HELO pattern's flags (NULL: -s's, else "ve") */
void smtp_style(struct smtp *, const char *flags);
/* "name[addr]" for log lines: the PTR name (escaped) or "unknown" */
const char *smtp_client_name(const struct smtp *, char *out, size_t len);
/* "client=ADDR port=N": the client's fields of an event line (LOGGING) */
const char *smtp_kv_client(const struct smtp *, char *out, size_t len);
/* Logs event=timeout: stage command, data, auth (input) or reply. */
void smtp_log_timeout(const struct smtp *, const char *stage);
/* the TLS protocol version ("TLSv1.3"), "none" without TLS */
const char *smtp_tls_version(const struct smtp *);

#endif
