/*
 * conf.h - the smtpserver.conf model: one immutable struct conf per load.
 * The PARAM table (params.c) is the only place a parameter is defined; it
 * maps each name to a field of struct conf (global) or struct conf_group
 * (per newgroup).  conf_load() builds a whole config or fails with
 * file:line; a reload swaps one pointer.
 */
#ifndef SMTPD_CONF_H
#define SMTPD_CONF_H

#include <stddef.h>
#include <stdio.h>

#define CONF_MAX_HDR220 5
#define CONF_MAX_HELP 41
#define CONF_MAX_CLUSTER 40
#define CONF_MAX_VERIFY 200 /* rcpt-verify lines */
#define CONF_MAX_MILTER 8
#define CONF_MAX_POLSVC 8 /* policy-service lines */

enum bind_kind { BIND_SMTP, BIND_SMTPS, BIND_SUBMIT };

struct conf_bind {
	enum bind_kind kind;
	char *addr; /* "any", "any6", "[1.2.3.4]", "[IPv6.::1]", "iface:eth0" */
	int port;   /* 0 = the kind's default (BindPort, 465, 587) */
};

struct conf_triple { /* etrn-cluster / tracking-cluster entries */
	char *a, *b, *c;
};

/* HELO-pattern ("style") line: glob [maxload] flags... */
struct conf_helo {
	char *glob;  /* lowercased shell glob */
	int maxload; /* -1 when absent */
	char *flags; /* flag string; starting with '!' = reject, rest = text */
	int line;
	int reject; /* flags start with '!' ("* !text" is stored as "!text") */
};

enum bare_lf { BARE_LF_NORMALIZE, BARE_LF_REJECT };
enum spool_sync { SPOOL_SYNC_FSYNC, SPOOL_SYNC_SYNCFS };

/* Per-group (per listener) parameters.  Group 0 is the default group. */
struct conf_group {
	char *name; /* "default" or the newgroup argument */
	int listen_queue;
	int tcp_rcvbuf, tcp_sndbuf;
	char *proxy_nets;  /* PROXY header allowed from these; NULL = off */
	int proxy_timeout; /* s, to read the PROXY header */
	struct conf_bind *binds;
	size_t nbinds;
	int rcpt_limit;
	int max_error_rcpts;
	int use_tcp_wrapper;
	double tarpit_init, tarpit_exp, tarpit_top;
	int deliverby;      /* DELIVERBY advertised */
	long deliverby_min; /* its argument, 0 = none */
	char *policydb_type, *policydb_path;
	char *rcptdb_type, *rcptdb_path; /* recipient table, or NULL */
	int debugcmd, expncmd, vrfycmd;
	int smtp_auth, no_auth_on_25, auth_login_without_tls;
	char *auth_user_prompt, *auth_pass_prompt;
	char *auth_failrate;
	int smtp_auth_sasl;
	char *sasl_mechanisms;
	char *auth_pipe;
	int rcvd_ident, rcvd_whoson, rcvd_auth_user, rcvd_tls_mode,
	    rcvd_tls_peer;
	/* EHLO features: 1 = offered (the default), 0 = disabled by NoX */
	int pipelining, enhancedstatus, eightbitmime, chunking, dsn, ehlo, etrn,
	    smtputf8;
	int multiline_replies;
	int force_rcpt_notify_never;
	char *contact_pointer;
	char *spf_received, *spf_threshold, *spf_localpolicy, *spf_whitelist;
	char *spf_stage; /* "mail" or "rcpt" */
	/* TLS */
	int use_tls, listen_ssmtp, outlook_tls_bug;
	char *tls_cert_file, *tls_key_file, *tls_dcert_file, *tls_dkey_file;
	char *tls_dh512, *tls_dh1024, *tls_random_source, *tls_cipher_list;
	char *tls_cafile, *tls_capath;
	int tls_loglevel, tls_enforce_tls, tls_ccert_vd, tls_ask_cert,
	    tls_require_cert, tls_use_scache;
	char *tls_scache_name;
	int tls_scache_timeout;
	char *report_auth_file;
	/* ours (not in ZMailer) */
	enum bare_lf bare_lf;  /* bare LF in commands/DATA */
	int timeout_command;   /* s, waiting for a command line */
	int timeout_data;      /* s, waiting for DATA/BDAT bytes */
	int session_deadline;  /* s, whole session; 0 = none */
	int data_deadline;     /* s, one DATA/BDAT transfer; 0 = none */
	int auth_fail_limit;   /* AUTH failures per client address */
	int auth_fail_window;  /* s, the window they count in */
	int auth_pipe_timeout; /* s, SMTP-auth-pipe run time */
};

struct conf {
	char *path; /* file it was read from */
	/* global */
	int max_same_ip;
	int max_parallel;
	int bind_port;
	long maxsize;        /* bytes, 0 = unlimited */
	long min_availspace; /* KB */
	int spool_sync;      /* enum spool_sync (PARAM spool-sync) */
	int max_unknown_cmds;
	int max_junk_cmds;
	int sum_sizeoption;
	int allow_source_route;
	int reject_percent_kludge;
	int msa_mode;
	int enable_router;
	int router_maxpar;
	int router_timeout; /* seconds for one router answer */
	char *contentfilter;
	int contentfilter_maxpar;
	int contentfilter_timeout;   /* seconds for one verdict */
	int contentfilter_fail_open; /* accept when the filter fails */
	int debug_contentfilter;
	/* milters: "NAME SOCKET" lines in order; timeouts (s); default
	 * action on failure: 0 tempfail, 1 accept, 2 reject */
	char *milters[CONF_MAX_MILTER];
	size_t nmilters;
	int milter_connect_timeout, milter_command_timeout, milter_eom_timeout;
	int milter_default_action;
	char *perl_hook;
	int lmtp_mode;
	char *hdr220[CONF_MAX_HDR220]; /* raw text lines */
	size_t nhdr220;
	char *help[CONF_MAX_HELP];
	size_t nhelp;
	struct conf_triple etrn_cluster[CONF_MAX_CLUSTER];
	size_t netrn_cluster;
	int etrn_cluster_timeout; /* seconds per node */
	struct conf_triple tracking_cluster[CONF_MAX_CLUSTER];
	size_t ntracking_cluster;
	char *tracking_url; /* tracking-cluster redis://... or unix:/path */
	/* ours */
	int received_header; /* standalone mode: prepend Received: */
	char *hostname;      /* our name; NULL = from the system */
	char *dns_server;    /* nameserver for policy DNS checks, NULL =
				   resolv.conf (ZENV DNSSERVER overrides) */
	int dns_port, dns_timeout;
	char *whoson_server; /* -w: whosond address */
	int whoson_port, whoson_timeout;
	int whoson_tcp; /* whoson-protocol: 0 udp, 1 tcp */
	/* Postfix policy services, asked in order (server/polsvc.c) */
	struct conf_triple policy_service[CONF_MAX_POLSVC];
	size_t npolicy_service;
	int policy_service_timeout, policy_service_data;
	char *policy_service_failure; /* "tempfail" or "dunno" */
	char *wrap_allow, *wrap_deny; /* other hosts.allow / hosts.deny */
	/* the daemon (smtpserver.conf(5) "Our parameters: the daemon") */
	int min_idle_workers, max_idle_workers, max_worker_sessions;
	char *control_socket;
	int control_mode;
	char *metrics_listen; /* the HTTP listener of the metrics */
	int shutdown_grace;
	/* recipient verification by callout (smtpserver.conf(5)) */
	struct conf_triple rcpt_verify[CONF_MAX_VERIFY]; /* dom proto target */
	size_t nrcpt_verify;
	char *rcpt_verify_cache; /* path without ".gdbm"; NULL = none */
	int rcpt_verify_pos_ttl, rcpt_verify_neg_ttl; /* s */
	int rcpt_verify_rate;                         /* callouts/s, 0 = any */
	int rcpt_verify_conn_tmo, rcpt_verify_reply_tmo; /* s */
	/* stress mode: % of max_parallel; timeouts (s) while it is on */
	int stress_threshold, stress_timeout_greeting, stress_timeout_command;
	/* the HELO-pattern lines, first match wins */
	struct conf_helo *helo;
	size_t nhelo;
	/* groups: [0] is the default group */
	struct conf_group *groups;
	size_t ngroups;
	unsigned long generation;
};

struct zenv; /* zenv.h */

/*
 * Load path (ZENV env may be NULL).  On error returns NULL and writes
 * "file:line: what was expected" into err ("path: not a regular file" for
 * a FIFO, a device or a directory, which would hang or spin the reader).
 * Warnings (unknown PARAM) go to warn_cb if not NULL, else are ignored.
 */
struct conf *conf_load(const char *path, const struct zenv *env, char *err,
    size_t errlen, void (*warn_cb)(void *, const char *), void *warn_arg);
/* The same from an open stream; name is used in messages (tests, fuzzing). */
struct conf *conf_load_fp(FILE *fp, const char *name, const struct zenv *env,
    char *err, size_t errlen, void (*warn_cb)(void *, const char *),
    void *warn_arg);
/* A config with every default, no file. */
struct conf *conf_defaults(void);
void conf_free(struct conf *);
/* The group a listener named by group index uses; NULL past the last. */
const struct conf_group *conf_group(const struct conf *, size_t idx);
/* First HELO pattern that matches name (lowercased glob), or NULL. */
const struct conf_helo *conf_helo_match(const struct conf *, const char *name);
/* Dump every PARAM with its effective value, one per line (for -V / check). */
void conf_dump(
    const struct conf *, void (*out)(void *, const char *), void *arg);

/* HELO-pattern style flags that are parsed but not implemented (drop a
 * letter when it is built). */
#define CONF_STYLE_UNBUILT "D"

/*
 * What c asks for that is not built, one line per keyword to out: every
 * PARAM flagged "not implemented" in the table whose value is not its
 * default (in any group), and every CONF_STYLE_UNBUILT flag of a HELO
 * pattern.  Returns how many.
 */
size_t conf_unbuilt(
    const struct conf *c, void (*out)(void *, const char *), void *arg);

/*
 * What a reload changes, one line per PARAM ("[group/]name: old -> new",
 * secrets masked as in conf_dump), plus groups added/removed and "HELO
 * patterns changed".  Returns how many changes need a restart.
 */
int conf_diff(const struct conf *old, const struct conf *next,
    void (*out)(void *, const char *), void *arg);

/*
 * The PARAM table, for tests, documentation and -K.  i < conf_param_count();
 * out of range gives NULL / -1.
 */
struct conf_param_info {
	const char *name;
	const char *type;    /* "integer", "flag", "path", ... */
	const char *def;     /* default as PARAM text, NULL = none */
	const char *choices; /* "a|b" for choice types, else NULL */
	long min, max;       /* numbers: range; lists: max entries */
	int group;           /* 1 = per group (g), 0 = global (G) */
	int reloadable;      /* takes effect on SIGHUP */
	int deprecated;      /* accepted with a warning */
	int ours;            /* not in ZMailer */
	int unimpl;          /* parsed, not implemented */
};
size_t conf_param_count(void);
const char *conf_param_name(size_t i);
/* The j-th alias of row i, NULL past the last. */
const char *conf_param_alias(size_t i, size_t j);
int conf_param_info(size_t i, struct conf_param_info *);

#endif
