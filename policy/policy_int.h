/*
 * policy_int.h - what the checks of policy/ share: the handle and tracing
 * (policy_handle.c), the session state, the replies (policy_reply.c), the
 * DNS checks (dnsbl.c) and the address helpers (policy_addr.c).
 * Not part of the session's API (policy.h).
 */
#ifndef SMTPD_POLICY_INT_H
#define SMTPD_POLICY_INT_H

#include <sys/types.h>
#include <time.h>

#include "dns.h"
#include "netaddr.h"
#include "policy.h"
#include "policydb.h"

#define POLICY_MAXSELF 64

/*
 * Verdicts, ZMailer's numbers (smtpserver -d 1 prints them): 0 accept,
 * > 0 freeze, < 0 refuse: -1..-99 permanently (5xx), -100 and below
 * temporarily (4xx).
 */
enum {
	PV_REJECT = -1,
	PV_DNS_HARD = -2,
	PV_MX_RULE = -3,
	PV_SOFT = -100,
	PV_DNS_SOFT = -102,
	PV_MX_SOFT = -103,
	PV_DNS_TEMP = -104
};

struct policy {
	char file[4096]; /* PATH.gdbm */
	struct pdb *db;
	dev_t dev;
	ino_t ino;
	struct timespec mtime;
	struct dns_res *dns; /* created on first use if not set */
	struct netkey self[POLICY_MAXSELF];
	size_t nself;
	struct rcptdb *rcptdb;        /* PARAM recipientdb, or NULL */
	struct callout_conf *callout; /* PARAM rcpt-verify, or NULL */
};

struct policy_sess {
	struct policy *pol;
	struct policy_flags f;
	int have_peer;
	struct netkey peer;
	char ipbr[64]; /* "[192.0.2.1]" / "[IPv6:...]" for replies */
	char ptr[256];
	int self_client;  /* the client is one of our addresses */
	int whoson;       /* whoson knows a user at the client (-w) */
	int rbl_temp;     /* rcpt-dns-rbl lookup failed temporarily */
	int rbl_listed;   /* test-dns-rbl listed the client: always_reject */
	int rbl_now;      /* the decision being made refuses for a blocklist */
	int dns_timeouts; /* in the current check (dnsbl.c) */
	char msg[PVAL_MAX + 1];     /* message of the current decision */
	char ratemsg[PVAL_MAX + 1]; /* message of ratelimitmsgs */
	char ratelabel[40];         /* "4:c0000201", "6:<64 bits hex>" */
	policy_rate_fn rate;
	void *rate_arg;
	policy_callout_rate_fn callout_rate; /* rcpt-verify-rate */
	void *callout_rate_arg;
	struct pdb_attrs pa;
};

/* The handle (policy_handle.c). */
/* Tracing (smtpserver -d 1). */
void policy_trace(struct policy_sess *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Our own addresses (interfaces, policy_add_self). */
int policy_is_self(const struct policy *, const struct netkey *);
/* Reopen the database if its file was replaced; the old one stays if the
 * new one cannot be opened (both traced on s). */
void policy_check_reopen(struct policy_sess *);

/* Note the decision by attribute a ("" if none) and set s->msg. */
int pdecide(struct policy_sess *, int verdict, int a, const char *why);

/* Replies (policy_reply.c). */
void preply_connect(struct policy_sess *, int v, struct policy_result *);
void preply_mail(
    struct policy_sess *, int v, const char *addr, struct policy_result *);
void preply_rcpt(
    struct policy_sess *, int v, const char *addr, struct policy_result *);
/* Copy with control characters blanked, bounded. */
void pclean(char *out, size_t outlen, const char *in);

/* DNS checks (dnsbl.c).  Results are verdict codes (0 = fine). */
/* 1 listed (reason in msg), 0 not listed, -1 temporary failure. */
int pdns_rbl(struct policy_sess *, const char *zones, char *msg, size_t msglen);
/* We are an MX for dom (or own its address).  mode: value of acceptifmx
 * ('+', '-') or '.'.  *local set when dom's own A/AAAA is ours. */
int pdns_mx(struct policy_sess *, const char *dom, int mode, int *local);
/* dom has MX or A/AAAA.  mode '+' or '-'. */
int pdns_exists(struct policy_sess *, const char *dom, int mode);

/* Address helpers (policy_addr.c). */
#define PADDR_MAX 512
/* Lowercased copy without a source route; -1 if unusable. */
int paddr_normalise(const char *in, char *out, size_t outlen);
char *paddr_last_at(char *addr);
/* Copy the first n bytes of a local part without quotes and backslashes. */
void paddr_unquote(const char *in, size_t n, char *out, size_t outlen);
/* Drop one trailing dot; 0 if a plausible domain or [literal]. */
int paddr_check_dom(char *dom);
/* Domain chain or IP key lookup into s->pa; literals of ours are local. */
int paddr_lookup(struct policy_sess *, const char *dom);

#endif
