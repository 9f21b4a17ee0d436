/*
 * policy.h - ZMailer's SMTP policy (smtpserver(8) POLICY): the session
 * asks at connect, HELO, MAIL and RCPT and gets a verdict with the complete
 * reply to send when the verdict refuses.  One struct policy per worker (the
 * read-only database and the resolver); one struct policy_sess per
 * connection.  Not for: tcp-wrappers (wrap.h).
 */
#ifndef SMTPD_POLICY_H
#define SMTPD_POLICY_H

#include <stddef.h>
#include <sys/socket.h>

struct policy;
struct policy_sess;
struct dns_res;

/*
 * verdict < 0: refuse with code/enh/text (4xx when tempfail, else 5xx).
 * verdict == 0: accept; code is 0, send the normal reply.
 * verdict > 0: accept into the freezer; code is 0, send the normal reply.
 * text never contains CR or LF; the session prefixes code and enh.
 */
struct policy_result {
	int verdict; /* <0 reject, 0 accept, >0 freeze */
	int code;    /* 421, 451, 550, 553, 554 ... or 0 */
	char enh[12];
	char text[512];
	int tempfail;
	int dnsbl; /* refused because a DNS blocklist lists the client */
};

/* What the policy learnt about the session (read-only for the session). */
struct policy_flags {
	int always_reject, always_freeze, always_accept; /* relaycustnet */
	int full_trust, trust_recipients, trusted;       /* trusted: AUTH */
	int sender_reject, sender_freeze, sender_norelay;
	int content_filter;     /* "filtering": -1 unset, 0, 1 */
	long maxinsize;         /* -1 unset */
	long maxoutsize;        /* -1 unset */
	long maxsameipsource;   /* -1 unset; 0 = refuse the client */
	char rblmsg[512];       /* rcpt-dns-rbl listing, "" if none */
	char ratelimitmsgs[64]; /* "a[,b]" from the client's network */
};

typedef void (*policy_trace_fn)(void *arg, const char *line);

/*
 * type "gdbm": opens PATH.gdbm read-only.  Other ZMailer types (btree,
 * bhash, ndbm, dbm, sleepyrpc) and unknown types are refused; the error
 * names what is supported.  NULL with a reason in err.
 */
struct policy *policy_open(
    const char *type, const char *path, char *err, size_t errlen);
void policy_close(struct policy *);
/* Reopen now (SIGHUP); on failure the old database stays.  0 / -1. */
int policy_reopen(struct policy *, char *err, size_t errlen);
/* Nameserver for the DNS checks ("127.0.0.1", port, seconds per lookup);
 * server NULL = resolv.conf.  Default: resolv.conf, 5 s. */
int policy_set_dns(struct policy *, const char *server, int port, int timeout,
    char *err, size_t errlen);
/* That resolver (for the client's reverse lookup too); NULL if none. */
struct dns_res *policy_dns(struct policy *);
/* One of our own addresses (text), for MX checks and for skipping the
 * RBL of our own clients; interfaces are added at open. 0 / -1. */
int policy_add_self(struct policy *, const char *addr);

/*
 * A session.  peer NULL (or not AF_INET/AF_INET6) = local: -i without
 * -T, fully trusted.  ptrname: the client's forward-confirmed name or
 * NULL (never an unconfirmed PTR).  trace: called with one line per
 * lookup and decision (smtpserver -d 1, -T), or NULL.  The database is
 * reopened first if its file was replaced.  NULL when out of memory.
 */
struct policy_sess *policy_sess_new(struct policy *,
    const struct sockaddr *peer, const char *ptrname, policy_trace_fn trace,
    void *arg);
void policy_sess_free(struct policy_sess *);
/* After a successful AUTH: trusted for HELO, MAIL and RCPT. */
void policy_set_trusted(struct policy_sess *, int);
/* Before policy_connect: whoson (-w) named a user logged in at the
 * client's address; "trust-whoson +" on its network then grants
 * trustrecipients. */
void policy_set_whoson(struct policy_sess *, int registered);
const struct policy_flags *policy_flags(const struct policy_sess *);

/*
 * ratelimitmsgs "a[,b]" on a relaycustnet client's network: every MAIL
 * calls count(arg, label) once; it counts this MAIL in the shared
 * scoreboard and returns the number in the current interval, or -1 if
 * unknown (then no limit).  label: "4:c0000201" (IPv4) or "6:" and the
 * /64 in hex (IPv6).  A count >= |a| (or |b|) refuses the MAIL: 451 for
 * a positive limit, 553 for a negative one; AUTH multiplies by 10.
 */
typedef long (*policy_rate_fn)(void *arg, const char *label);
void policy_set_rate(struct policy_sess *, policy_rate_fn count, void *arg);

/*
 * The checks return the verdict and fill *res.  Call policy_connect once
 * before the greeting; a refusal is the greeting to send (554, or 421
 * on a DNS failure: then close).  policy_helo never refuses by itself:
 * what it finds is felt at MAIL.  Addresses are given without angle
 * brackets; "" is the null sender.  policy_rcptto sees through source
 * routes, '%', '!' and quoted local parts, and rescues postmaster
 * (plain always; postmaster@dom if that key has relaytarget +).
 */
int policy_connect(struct policy_sess *, struct policy_result *);
int policy_helo(struct policy_sess *, const char *helo, struct policy_result *);
int policy_mailfrom(
    struct policy_sess *, const char *addr, struct policy_result *);
int policy_rcptto(
    struct policy_sess *, const char *addr, struct policy_result *);

/*
 * PARAM recipientdb: the recipient table, type "gdbm", path without
 * ".gdbm".  Only the type is checked here: the file is opened at the
 * first check (and reopened whenever policy-builder replaced it), so a
 * missing table refuses recipients with 451 instead of stopping the
 * daemon.  0 / -1 with a reason in err.
 */
int policy_set_rcptdb(struct policy *, const char *type, const char *path,
    char *err, size_t errlen);

enum policy_known { POLICY_RCPT_KNOWN, POLICY_RCPT_UNKNOWN, POLICY_RCPT_TEMP };
/*
 * After policy_rcptto accepted addr: is it a mailbox of ours?  KNOWN when
 * there is no table, when the domain is not local (localdomain + in the
 * policy: localnames, our address literals), for postmaster, or when the
 * table lists "user@domain", "user" or "@domain" (compared lowercase).
 * UNKNOWN otherwise.  TEMP when the table is missing or unreadable,
 * with the reason in err: never accept then.
 */
enum policy_known policy_rcpt_known(
    struct policy_sess *, const char *addr, char *err, size_t errlen);

/*
 * PARAM rcpt-verify (callout.h): the policy takes over cf (NULL: none)
 * and frees it with itself.
 */
struct callout_conf;
void policy_set_callout(struct policy *, struct callout_conf *cf);
/*
 * rcpt-verify-rate: take(arg, limit) counts one callout in the current
 * second across all workers and says 1 if it is within limit, 0 if not.
 * Without one, the bound is counted in this process alone.
 */
typedef int (*policy_callout_rate_fn)(void *arg, int limit);
void policy_set_callout_rate(
    struct policy_sess *, policy_callout_rate_fn take, void *arg);
/*
 * After policy_rcpt_known said KNOWN: ask the next hop of addr's domain
 * (a rcpt-verify line for it, and the domain local or a relay target in
 * the policy), through the cache.  KNOWN when not ours to verify or the
 * next hop took it, UNKNOWN on its 5xx, TEMP when it could not say (or
 * the rate bound was reached); what happened in why.
 */
enum policy_known policy_rcpt_verify(
    struct policy_sess *, const char *addr, char *why, size_t whylen);

/*
 * Before the content filter: POLICY_GATE_FILTER run it,
 * POLICY_GATE_SKIP accept unfiltered (trusted network without
 * "filtering +"), < 0 refuse (-1 always_reject, -2 sender_reject), > 0
 * freeze unfiltered (1 always_freeze, 2 sender_freeze).
 */
#define POLICY_GATE_FILTER 0
#define POLICY_GATE_SKIP 3
int policy_content_gate(const struct policy_sess *);

#endif
