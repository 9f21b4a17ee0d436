/*
 * params.c - THE PARAM table: the only definition of every smtpserver.conf
 * PARAM (name, aliases, type, default, range, field, scope, flags).
 * For: conf.c (parse, defaults, dump), tests and the man page check.
 * Not for: parsing logic; one row per PARAM keyword, aliases in the row.
 */
#include "params.h"
#include "callout_hop.h"
#include "conf.h"

#include <limits.h>
#include <strings.h>

#define CF(f) offsetof(struct conf, f)
#define GF(f) offsetof(struct conf_group, f)
#define NA                                                                     \
	{                                                                      \
		NULL                                                           \
	}
#define AL(...)                                                                \
	{                                                                      \
		__VA_ARGS__, NULL                                              \
	}
/* scope and state of a row, short enough to keep the rows on two lines */
#define GLOBAL P_GLOBAL
#define GROUP P_GROUP
#define UNBUILT P_UNIMPL /* parsed, not built: drop it when built */
#define BUFMAX (1L << 30)
#define DAY 86400L

/*
 * Rows give the leading fields in order and name the few trailing ones
 * they need (.off2, .off3, .choices); the rest are zero on purpose.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
/* clang-format off */
const struct param conf_params[] = {
/* global: connection limits, sizes, sub-daemons (smtpserver.conf(5)) */
{ "MaxSameIpSource", AL("same-ip-source-parallel-max"), PT_INT, "100",
    1, 1000000, GLOBAL, CF(max_same_ip) },
{ "MaxParallelConnections", AL("max-parallel-connections"), PT_INT, "800",
    1, 1000000, GLOBAL, CF(max_parallel) },
{ "BindPort", NA, PT_INT, "25", 1, 65535, GLOBAL, CF(bind_port) },
{ "maxsize", NA, PT_LONG, "52428800", 0, LONG_MAX, GLOBAL, CF(maxsize) },
{ "min-availspace", NA, PT_LONG, "5000", 1000, LONG_MAX / 1024,
    GLOBAL | P_CLAMP, CF(min_availspace) },
{ "spool-sync", NA, PT_ENUM, "fsync", 0, 0, GLOBAL | P_OURS, CF(spool_sync),
    .choices = "fsync|syncfs" },
{ "max-unknown-commands", NA, PT_INT, "10", 1, 100000, GLOBAL,
    CF(max_unknown_cmds) },
{ "max-junk-commands", NA, PT_INT, "100", 0, 100000, GLOBAL | P_OURS,
    CF(max_junk_cmds) },
{ "sum-sizeoption-value", NA, PT_SET, "no", 0, 0, GLOBAL, CF(sum_sizeoption) },
{ "allowsourceroute", NA, PT_SET, "no", 0, 0, GLOBAL, CF(allow_source_route) },
{ "reject-percent-kludge", NA, PT_SET, "yes", 0, 0, GLOBAL,
    CF(reject_percent_kludge) },
{ "msa-mode", NA, PT_SET, "no", 0, 0, GLOBAL, CF(msa_mode) },
{ "enable-router", NA, PT_SET, "no", 0, 0, GLOBAL, CF(enable_router) },
{ "enable-router-maxpar", NA, PT_INT, "2", 1, 20, GLOBAL, CF(router_maxpar) },
{ "enable-router-timeout", NA, PT_INT, "60", 1, 3600, GLOBAL | P_OURS,
    CF(router_timeout) },
{ "contentfilter", NA, PT_PATH, NULL, 0, 0, GLOBAL, CF(contentfilter) },
{ "contentfilter-maxpar", NA, PT_INT, "2", 1, 20, GLOBAL,
    CF(contentfilter_maxpar) },
{ "contentfilter-timeout", NA, PT_INT, "120", 1, 3600, GLOBAL | P_OURS,
    CF(contentfilter_timeout) },
{ "contentfilter-fail-open", NA, PT_SET, "no", 0, 0, GLOBAL | P_OURS,
    CF(contentfilter_fail_open) },
{ "debug-contentfilter", NA, PT_SET, "no", 0, 0, GLOBAL,
    CF(debug_contentfilter) },
/* milters (server/milter.c), ours */
{ "milter", NA, PT_MILTER, NULL, 0, CONF_MAX_MILTER, GLOBAL | P_OURS,
    CF(milters), .off2 = CF(nmilters) },
{ "milter-connect-timeout", NA, PT_INT, "30", 1, 3600, GLOBAL | P_OURS,
    CF(milter_connect_timeout) },
{ "milter-command-timeout", NA, PT_INT, "30", 1, 3600, GLOBAL | P_OURS,
    CF(milter_command_timeout) },
{ "milter-eom-timeout", NA, PT_INT, "300", 1, 3600, GLOBAL | P_OURS,
    CF(milter_eom_timeout) },
{ "milter-default-action", NA, PT_ENUM, "tempfail", 0, 0, GLOBAL | P_OURS,
    CF(milter_default_action), .choices = "tempfail|accept|reject" },
{ "perl-hook", NA, PT_PATH, NULL, 0, 0, GLOBAL | UNBUILT, CF(perl_hook) },
{ "lmtp-mode", NA, PT_SET, "no", 0, 0, GLOBAL, CF(lmtp_mode) },
{ "hdr220", NA, PT_RAWLIST, "%H ZMailer Server %V ESMTP%I ready at %T",
    0, CONF_MAX_HDR220, GLOBAL, CF(hdr220), .off2 = CF(nhdr220) },
{ "help", NA, PT_RAWLIST, NULL, 0, CONF_MAX_HELP, GLOBAL, CF(help),
    .off2 = CF(nhelp) },
{ "etrn-cluster", NA, PT_TRIPLE, NULL, 0, CONF_MAX_CLUSTER, GLOBAL,
    CF(etrn_cluster), .off2 = CF(netrn_cluster) },
{ "etrn-cluster-timeout", NA, PT_INT, "10", 1, 300, GLOBAL | P_OURS,
    CF(etrn_cluster_timeout) },
/* the redis:// form is built; the peer form is reported by conf_unbuilt */
{ "tracking-cluster", AL("smtpserver-cluster"), PT_CLUSTER, NULL, 0,
    CONF_MAX_CLUSTER, GLOBAL, CF(tracking_cluster),
    .off2 = CF(ntracking_cluster), .off3 = CF(tracking_url) },
/* global, ours */
{ "received-header", NA, PT_BOOL, "no", 0, 0, GLOBAL | P_OURS,
    CF(received_header) },
{ "hostname", NA, PT_HOST, NULL, 0, 0, GLOBAL | P_OURS | P_NORELOAD,
    CF(hostname) },
{ "dns-server", NA, PT_STR, NULL, 0, 0, GLOBAL | P_OURS, CF(dns_server) },
{ "dns-port", NA, PT_INT, "53", 1, 65535, GLOBAL | P_OURS, CF(dns_port) },
{ "dns-timeout", NA, PT_INT, "5", 1, 300, GLOBAL | P_OURS, CF(dns_timeout) },
{ "whoson-server", NA, PT_STR, "127.0.0.1", 0, 0, GLOBAL | P_OURS,
    CF(whoson_server) },
{ "whoson-port", NA, PT_INT, "9876", 1, 65535, GLOBAL | P_OURS,
    CF(whoson_port) },
{ "whoson-timeout", NA, PT_INT, "5", 1, 60, GLOBAL | P_OURS,
    CF(whoson_timeout) },
{ "whoson-protocol", NA, PT_ENUM, "udp", 0, 0, GLOBAL | P_OURS,
    CF(whoson_tcp), .choices = "udp|tcp" },
/* global, ours: Postfix policy delegation (server/polsvc.c) */
{ "policy-service", NA, PT_SERVICE, NULL, 0, CONF_MAX_POLSVC,
    GLOBAL | P_OURS, CF(policy_service), .off2 = CF(npolicy_service) },
{ "policy-service-timeout", NA, PT_INT, "10", 1, 300, GLOBAL | P_OURS,
    CF(policy_service_timeout) },
{ "policy-service-data", NA, PT_BOOL, "no", 0, 0, GLOBAL | P_OURS,
    CF(policy_service_data) },
{ "policy-service-failure", NA, PT_CHOICE, "tempfail", 0, 0,
    GLOBAL | P_OURS, CF(policy_service_failure),
    .choices = "tempfail|dunno" },
{ "tcp-wrapper-allow", NA, PT_PATH, NULL, 0, 0, GLOBAL | P_OURS,
    CF(wrap_allow) },
{ "tcp-wrapper-deny", NA, PT_PATH, NULL, 0, 0, GLOBAL | P_OURS,
    CF(wrap_deny) },
{ "min-idle-workers", NA, PT_INT, "2", 0, 10000, GLOBAL | P_OURS,
    CF(min_idle_workers) },
{ "max-idle-workers", NA, PT_INT, "10", 1, 10000, GLOBAL | P_OURS,
    CF(max_idle_workers) },
{ "max-worker-sessions", NA, PT_INT, "100", 1, 1000000, GLOBAL | P_OURS,
    CF(max_worker_sessions) },
{ "control-socket", NA, PT_PATH, NULL, 0, 0, GLOBAL | P_OURS | P_NORELOAD,
    CF(control_socket) },
{ "control-socket-mode", NA, PT_OCTAL, "0600", 0, 0777,
    GLOBAL | P_OURS | P_NORELOAD, CF(control_mode) },
{ "metrics-listen", NA, PT_STR, NULL, 0, 0, GLOBAL | P_OURS | P_NORELOAD,
    CF(metrics_listen) },
{ "shutdown-grace", NA, PT_INT, "30", 0, 3600, GLOBAL | P_OURS,
    CF(shutdown_grace) },
/* global, ours: recipient verification by callout (smtpserver(8)) */
{ "rcpt-verify", NA, PT_TRIPLE, NULL, 0, CONF_MAX_VERIFY, GLOBAL | P_OURS,
    CF(rcpt_verify), .off2 = CF(nrcpt_verify), .check = callout_hop_check },
{ "rcpt-verify-cache", NA, PT_PATH, NULL, 0, 0, GLOBAL | P_OURS,
    CF(rcpt_verify_cache) },
{ "rcpt-verify-positive-ttl", NA, PT_INT, "86400", 0, 30 * DAY,
    GLOBAL | P_OURS, CF(rcpt_verify_pos_ttl) },
{ "rcpt-verify-negative-ttl", NA, PT_INT, "3600", 0, 30 * DAY,
    GLOBAL | P_OURS, CF(rcpt_verify_neg_ttl) },
{ "rcpt-verify-rate", NA, PT_INT, "20", 0, 100000, GLOBAL | P_OURS,
    CF(rcpt_verify_rate) },
{ "rcpt-verify-connect-timeout", NA, PT_INT, "5", 1, 300, GLOBAL | P_OURS,
    CF(rcpt_verify_conn_tmo) },
{ "rcpt-verify-reply-timeout", NA, PT_INT, "10", 1, 600, GLOBAL | P_OURS,
    CF(rcpt_verify_reply_tmo) },
/* global, ours: stress mode (smtpserver(8) "Stress mode") */
{ "stress-threshold", NA, PT_INT, "80", 0, 100, GLOBAL | P_OURS,
    CF(stress_threshold) },
{ "stress-timeout-greeting", NA, PT_INT, "10", 1, DAY, GLOBAL | P_OURS,
    CF(stress_timeout_greeting) },
{ "stress-timeout-command", NA, PT_INT, "10", 1, DAY, GLOBAL | P_OURS,
    CF(stress_timeout_command) },
/* groups */
{ "newgroup", NA, PT_NEWGROUP, NULL, 0, 0, GROUP, 0 },
/* per group: listeners */
{ "ListenQueueSize", NA, PT_INT, "20000", 1, 1000000, GROUP,
    GF(listen_queue) },
{ "proxy-protocol", NA, PT_NETS, NULL, 0, 0, GROUP | P_OURS,
    GF(proxy_nets) },
{ "proxy-protocol-timeout", NA, PT_INT, "10", 1, 300, GROUP | P_OURS,
    GF(proxy_timeout) },
{ "TcpRcvBufferSize", NA, PT_INT, "0", 0, BUFMAX, GROUP, GF(tcp_rcvbuf) },
{ "TcpXmitBufferSize", NA, PT_INT, "0", 0, BUFMAX, GROUP, GF(tcp_sndbuf) },
{ "BindAddress", NA, PT_BINDADDR, NULL, BIND_SMTP, 0, GROUP, GF(binds),
    .off2 = GF(nbinds) },
{ "BindSmtp", NA, PT_BIND, NULL, BIND_SMTP, 0, GROUP, GF(binds),
    .off2 = GF(nbinds) },
{ "BindSmtpS", NA, PT_BIND, NULL, BIND_SMTPS, 0, GROUP, GF(binds),
    .off2 = GF(nbinds) },
{ "BindSubmit", NA, PT_BIND, NULL, BIND_SUBMIT, 0, GROUP, GF(binds),
    .off2 = GF(nbinds) },
/* per group: limits, tarpit, policy */
{ "RcptLimitCount", AL("RcptLimitCnt", "Rcpt-Limit-Count"), PT_INT,
    "10000", 100, 10000000, GROUP | P_CLAMP, GF(rcpt_limit) },
{ "max-error-recipients", NA, PT_INT, "3", 0, 1000000, GROUP,
    GF(max_error_rcpts) },
{ "use-tcp-wrapper", NA, PT_SET, "no", 0, 0, GROUP, GF(use_tcp_wrapper) },
{ "tarpit", NA, PT_TARPIT, "0 0 250", 0, DAY, GROUP, GF(tarpit_init),
    .off2 = GF(tarpit_exp), .off3 = GF(tarpit_top) },
{ "deliverby", NA, PT_DELIVERBY, NULL, 0, LONG_MAX, GROUP | UNBUILT,
    GF(deliverby), .off2 = GF(deliverby_min) },
{ "policydb", NA, PT_POLICYDB, NULL, 0, 0, GROUP, GF(policydb_type),
    .off2 = GF(policydb_path) },
{ "recipientdb", NA, PT_POLICYDB, NULL, 0, 0, GROUP | P_OURS,
    GF(rcptdb_type), .off2 = GF(rcptdb_path) },
/* per group: verb enablers (default off) */
{ "DEBUGcmd", NA, PT_SET, "no", 0, 0, GROUP | UNBUILT, GF(debugcmd) },
{ "no-DEBUGcmd", NA, PT_CLR, "yes", 0, 0, GROUP, GF(debugcmd) },
{ "EXPNcmd", NA, PT_SET, "no", 0, 0, GROUP, GF(expncmd) },
{ "no-EXPNcmd", NA, PT_CLR, "yes", 0, 0, GROUP, GF(expncmd) },
{ "VRFYcmd", NA, PT_SET, "no", 0, 0, GROUP, GF(vrfycmd) },
{ "no-VRFYcmd", NA, PT_CLR, "yes", 0, 0, GROUP, GF(vrfycmd) },
/* per group: AUTH */
{ "smtp-auth", NA, PT_SET, "no", 0, 0, GROUP, GF(smtp_auth) },
{ "no-smtp-auth", NA, PT_CLR, "yes", 0, 0, GROUP, GF(smtp_auth) },
{ "no-smtp-auth-on-25", AL("no-smtp-auth-on-port-25"), PT_SET, "no", 0, 0,
    GROUP, GF(no_auth_on_25) },
{ "smtp-auth-username-prompt", NA, PT_STR, "Username:", 0, 0, GROUP,
    GF(auth_user_prompt) },
{ "smtp-auth-password-prompt", NA, PT_STR, "Password:", 0, 0, GROUP,
    GF(auth_pass_prompt) },
{ "auth-failrate", NA, PT_STR, NULL, 0, 0, GROUP | UNBUILT, GF(auth_failrate) },
{ "AUTH-LOGIN-also-without-TLS", NA, PT_SET, "no", 0, 0, GROUP,
    GF(auth_login_without_tls) },
{ "smtp-auth-sasl", NA, PT_SET, "no", 0, 0, GROUP | UNBUILT,
    GF(smtp_auth_sasl) },
{ "no-smtp-auth-sasl", NA, PT_CLR, "yes", 0, 0, GROUP, GF(smtp_auth_sasl) },
{ "sasl-mechanisms", NA, PT_RAW, NULL, 0, 0, GROUP | UNBUILT,
    GF(sasl_mechanisms) },
{ "SMTP-auth-pipe", NA, PT_PATH, NULL, 0, 0, GROUP, GF(auth_pipe) },
{ "auth-fail-limit", NA, PT_INT, "5", 0, 100000, GROUP | P_OURS,
    GF(auth_fail_limit) },
{ "auth-fail-window", NA, PT_INT, "3600", 1, DAY, GROUP | P_OURS,
    GF(auth_fail_window) },
{ "auth-pipe-timeout", NA, PT_INT, "20", 1, 600, GROUP | P_OURS,
    GF(auth_pipe_timeout) },
/* per group: rcvdfrom comment items (default off) */
{ "rcvd-ident", NA, PT_SET, "no", 0, 0, GROUP, GF(rcvd_ident) },
{ "no-rcvd-ident", NA, PT_CLR, "yes", 0, 0, GROUP, GF(rcvd_ident) },
{ "rcvd-whoson", NA, PT_SET, "no", 0, 0, GROUP, GF(rcvd_whoson) },
{ "no-rcvd-whoson", NA, PT_CLR, "yes", 0, 0, GROUP, GF(rcvd_whoson) },
{ "rcvd-auth-user", NA, PT_SET, "no", 0, 0, GROUP, GF(rcvd_auth_user) },
{ "no-rcvd-auth-user", NA, PT_CLR, "yes", 0, 0, GROUP, GF(rcvd_auth_user) },
{ "rcvd-tls-mode", NA, PT_SET, "no", 0, 0, GROUP, GF(rcvd_tls_mode) },
{ "no-rcvd-tls-mode", NA, PT_CLR, "yes", 0, 0, GROUP, GF(rcvd_tls_mode) },
{ "rcvd-tls-peer", AL("rcvd-tls-ccert"), PT_SET, "no", 0, 0, GROUP,
    GF(rcvd_tls_peer) },
{ "no-rcvd-tls-peer", AL("no-rcvd-tls-ccert"), PT_CLR, "yes", 0, 0, GROUP,
    GF(rcvd_tls_peer) },
/* per group: EHLO feature disablers/enablers (default on) */
{ "NoPIPELINING", NA, PT_CLR, "no", 0, 0, GROUP, GF(pipelining) },
{ "PIPELINING-OK", NA, PT_SET, "yes", 0, 0, GROUP, GF(pipelining) },
{ "NoENHANCEDSTATUSCODES", AL("NoENHANCEDSTATUS"), PT_CLR, "no", 0, 0, GROUP,
    GF(enhancedstatus) },
{ "ENHANCEDSTATUSCODES-OK", AL("ENHANCEDSTATUS-OK"), PT_SET, "yes", 0, 0,
    GROUP, GF(enhancedstatus) },
{ "No8BITMIME", NA, PT_CLR, "no", 0, 0, GROUP, GF(eightbitmime) },
{ "8BITMIME-OK", NA, PT_SET, "yes", 0, 0, GROUP, GF(eightbitmime) },
{ "NoCHUNKING", NA, PT_CLR, "no", 0, 0, GROUP, GF(chunking) },
{ "CHUNKING-OK", NA, PT_SET, "yes", 0, 0, GROUP, GF(chunking) },
{ "NoDSN", NA, PT_CLR, "no", 0, 0, GROUP, GF(dsn) },
{ "DSN-OK", NA, PT_SET, "yes", 0, 0, GROUP, GF(dsn) },
{ "NoEHLO", NA, PT_CLR, "no", 0, 0, GROUP, GF(ehlo) },
{ "EHLO-OK", NA, PT_SET, "yes", 0, 0, GROUP, GF(ehlo) },
{ "NoETRN", NA, PT_CLR, "no", 0, 0, GROUP, GF(etrn) },
{ "ETRN-OK", NA, PT_SET, "yes", 0, 0, GROUP, GF(etrn) },
{ "NoSMTPUTF8", NA, PT_CLR, "no", 0, 0, GROUP | P_OURS, GF(smtputf8) },
{ "SMTPUTF8-OK", NA, PT_SET, "yes", 0, 0, GROUP | P_OURS, GF(smtputf8) },
{ "no-multiline-replies", NA, PT_CLR, "no", 0, 0, GROUP,
    GF(multiline_replies) },
{ "multiline-replies-ok", NA, PT_SET, "yes", 0, 0, GROUP,
    GF(multiline_replies) },
{ "force-rcpt-notify-never", NA, PT_SET, "no", 0, 0, GROUP,
    GF(force_rcpt_notify_never) },
{ "no-force-rcpt-notify-never", NA, PT_CLR, "yes", 0, 0, GROUP,
    GF(force_rcpt_notify_never) },
{ "contact-pointer-message", NA, PT_RAW,
    "Ask HELP for our contact information.", 0, 0, GROUP,
    GF(contact_pointer) },
/* per group: SPF (server/spf.c, libspf2) */
{ "spf-received", NA, PT_FLAGSTR, NULL, 0, 0, GROUP, GF(spf_received) },
{ "spf-threshold", NA, PT_CHOICE, NULL, 0, 0, GROUP, GF(spf_threshold),
    .choices = "fail|softfail|none|neutral|pass" },
{ "spf-localpolicy", NA, PT_STR, NULL, 0, 0, GROUP, GF(spf_localpolicy) },
{ "spf-whitelist-use-default", NA, PT_CHOICE, NULL, 0, 0, GROUP,
    GF(spf_whitelist), .choices = "true|false" },
{ "spf-stage", NA, PT_CHOICE, "mail", 0, 0, GROUP | P_OURS, GF(spf_stage),
    .choices = "mail|rcpt" },
/* per group: TLS */
{ "use-tls", NA, PT_SET, "no", 0, 0, GROUP, GF(use_tls) },
{ "no-use-tls", NA, PT_CLR, "yes", 0, 0, GROUP, GF(use_tls) },
{ "listen-ssmtp", NA, PT_SET, "no", 0, 0, GROUP, GF(listen_ssmtp) },
{ "outlook-tls-bug", NA, PT_SET, "no", 0, 0, GROUP | UNBUILT,
    GF(outlook_tls_bug) },
{ "tls-cert-file", NA, PT_PATH, NULL, 0, 0, GROUP, GF(tls_cert_file) },
{ "tls-key-file", NA, PT_PATH, NULL, 0, 0, GROUP, GF(tls_key_file) },
{ "tls-dcert-file", NA, PT_PATH, NULL, 0, 0, GROUP, GF(tls_dcert_file) },
{ "tls-dkey-file", NA, PT_PATH, NULL, 0, 0, GROUP, GF(tls_dkey_file) },
{ "tls-dh512", NA, PT_PATH, NULL, 0, 0, GROUP | P_DEPRECATED, GF(tls_dh512) },
{ "tls-dh1024", NA, PT_PATH, NULL, 0, 0, GROUP, GF(tls_dh1024) },
{ "tls-random-source", NA, PT_STR, NULL, 0, 0, GROUP | P_DEPRECATED,
    GF(tls_random_source) },
{ "tls-cipher-list", NA, PT_STR, NULL, 0, 0, GROUP, GF(tls_cipher_list) },
{ "tls-CAfile", NA, PT_PATH, NULL, 0, 0, GROUP, GF(tls_cafile) },
{ "tls-CApath", NA, PT_PATH, NULL, 0, 0, GROUP, GF(tls_capath) },
{ "tls-loglevel", NA, PT_INT, "0", 0, 4, GROUP, GF(tls_loglevel) },
{ "tls-enforce-tls", NA, PT_INT, "0", 0, 1, GROUP | P_DEPRECATED,
    GF(tls_enforce_tls) },
{ "tls-ccert-vd", NA, PT_INT, "1", 0, 100, GROUP, GF(tls_ccert_vd) },
{ "tls-ask-cert", NA, PT_INT, "0", 0, 1, GROUP, GF(tls_ask_cert) },
{ "tls-require-cert", NA, PT_INT, "0", 0, 1, GROUP, GF(tls_require_cert) },
{ "tls-use-scache", NA, PT_SET, "no", 0, 0, GROUP, GF(tls_use_scache) },
{ "tls-scache-name", NA, PT_PATH, NULL, 0, 0, GROUP | UNBUILT,
    GF(tls_scache_name) },
{ "tls-scache-timeout", NA, PT_INT, "3600", 0, DAY, GROUP,
    GF(tls_scache_timeout) },
{ "report-auth-file", NA, PT_PATH, NULL, 0, 0, GROUP | UNBUILT,
    GF(report_auth_file) },
/* per group, ours: line ends, timeouts, deadlines */
{ "bare-lf", NA, PT_ENUM, "normalize", 0, 0, GROUP | P_OURS, GF(bare_lf),
    .choices = "normalize|reject" },
{ "timeout-command", NA, PT_INT, "300", 1, DAY, GROUP | P_OURS,
    GF(timeout_command) },
{ "timeout-data", NA, PT_INT, "300", 1, DAY, GROUP | P_OURS,
    GF(timeout_data) },
{ "session-deadline", NA, PT_INT, "3600", 0, 7 * DAY, GROUP | P_OURS,
    GF(session_deadline) },
{ "data-deadline", NA, PT_INT, "1800", 0, 7 * DAY, GROUP | P_OURS,
    GF(data_deadline) },
};
/* clang-format on */
#pragma GCC diagnostic pop

const size_t conf_nparams = sizeof(conf_params) / sizeof(conf_params[0]);

const struct param *
param_find(const char *name)
{
	size_t i, j;

	for (i = 0; i < conf_nparams; i++) {
		if (strcasecmp(conf_params[i].name, name) == 0)
			return &conf_params[i];
		for (j = 0; conf_params[i].alias[j] != NULL; j++)
			if (strcasecmp(conf_params[i].alias[j], name) == 0)
				return &conf_params[i];
	}
	return NULL;
}

const char *
param_type_name(enum ptype t)
{
	static const char *const names[PT_NTYPES] = {
		[PT_INT] = "integer",
		[PT_LONG] = "integer",
		[PT_OCTAL] = "octal",
		[PT_SET] = "flag",
		[PT_CLR] = "flag",
		[PT_BOOL] = "boolean",
		[PT_STR] = "string",
		[PT_PATH] = "path",
		[PT_HOST] = "host name",
		[PT_FLAGSTR] = "flag or string",
		[PT_CHOICE] = "choice",
		[PT_ENUM] = "choice",
		[PT_RAW] = "raw text",
		[PT_RAWLIST] = "raw text lines",
		[PT_TARPIT] = "tarpit",
		[PT_BINDADDR] = "address",
		[PT_BIND] = "address and port",
		[PT_TRIPLE] = "three words",
		[PT_CLUSTER] = "URL or three words",
		[PT_SERVICE] = "name and service address",
		[PT_POLICYDB] = "type and path",
		[PT_DELIVERBY] = "optional integer",
		[PT_NETS] = "networks",
		[PT_NEWGROUP] = "group name",
		[PT_MILTER] = "name and socket",
	};

	return (unsigned)t < PT_NTYPES ? names[t] : "?";
}
