/*
 * replies.h - every reply of the SMTP session, in one table: one macro per
 * reply, R_NAME expanding to its code, enhanced status (NULL: none) and
 * printf format, so that reply(s, R_NAME, ...) has its arguments checked
 * by the compiler against the format (t/code-replies-format.t).  Codes are
 * ZMailer's as modernised by RFC 5321 (greeting 220/554, unknown command
 * 500 5.5.1, ...); the enhanced status class always equals the reply class
 * (RFC 3463).  Tests and doc/smtpserver.8 cite these texts.
 */
#ifndef SMTPD_REPLIES_H
#define SMTPD_REPLIES_H

#include <stddef.h>

/* R_CODE_ENH(R_NAME): the reply's "code, enhanced status", for a log line */
#define R_CODE_ENH(...) R_CODE_ENH_(__VA_ARGS__)
#define R_CODE_ENH_(code, enh, fmt) code, enh

/* greeting and connection */
#define R_SHUTDOWN 421, "4.3.2", "%s Service shutting down, closing connection"
#define R_TIMEOUT                                                              \
	421, "4.4.2", "%s Timeout waiting for client input, closing connection"
#define R_STRESS_IDLE 421, "4.3.2", "%s Server busy, closing idle connection"
#define R_QUIT_ONLY                                                            \
	503, "5.5.1", "%s; you were refused at connect, only QUIT is accepted"
#define R_NO_POLICY                                                            \
	421, "4.3.0", "%s Policy database unavailable, closing connection"
#define R_WRAP_REFUSED                                                         \
	421, "4.7.0", "%s smtpserver %s WILL NOT TALK TO YOU at %s"
#define R_POLICY_SAMEIP                                                        \
	421, "4.7.0",                                                          \
	    "%s Too many simultaneous connections from this IP address (%d "   \
	    "of %ld)"
#define R_GREETING 220, NULL, "%s" /* one line of PARAM hdr220, expanded */
#define R_CONNECT_TEMP 421, "4.7.0", "%s %s"    /* host, policy text */
#define R_CONNECT_CONTACT 554, "5.7.1", "%s"    /* contact-pointer-message */
#define R_CONNECT_REFUSED 554, "5.7.1", "%s %s" /* host, policy text */
/* refusals the worker writes before the session (admission, -L) */
#define R_BUSY_CONTACT 450, "4.7.1", "%s" /* contact-pointer-message */
#define R_BUSY_AGAIN 450, "4.7.1", "Come again later"
#define R_BUSY_TOTAL                                                           \
	450, "4.7.1",                                                          \
	    "Too many simultaneous connections to this server (%d max %d)"
#define R_BUSY_SAMEIP                                                          \
	450, "4.7.1",                                                          \
	    "Too many simultaneous connections from same IP address (%d max "  \
	    "%d)"
#define R_LOAD_HIGH 421, "4.3.2", "%s System load too high, try again later"
/* input */
#define R_LINE_TOO_LONG 500, "5.5.2", "Line too long (limit %d octets)"
#define R_BARE_LF 500, "5.5.2", "Line not terminated with CRLF"
#define R_ILLEGAL_NUL                                                          \
	500, "5.5.2", "Illegal input characters: NUL on SMTP input"
#define R_ILLEGAL_8BIT                                                         \
	500, "5.5.2", "Illegal input characters: 8-bit char on SMTP input"
#define R_ILLEGAL_CTRL                                                         \
	500, "5.5.2", "Illegal input characters: Control chars on SMTP input"
#define R_UNKNOWN_CMD 500, "5.5.1", "Unknown command '%s'"
#define R_TOO_MANY_UNKNOWN                                                     \
	421, "4.7.0", "%s Hi %s, One too many unknown command '%s'"
#define R_TOO_MANY_JUNK                                                        \
	421, "4.7.0", "%s Too many commands without mail, closing connection"
#define R_PIPELINE_NO_EHLO                                                     \
	550, "5.7.1",                                                          \
	    "Hello %s, you are sending pipelined input, but didn't greet "     \
	    "properly with EHLO"
#define R_NOT_AVAILABLE 502, "5.5.1", "%s not available"
#define R_NOT_IMPLEMENTED 502, "5.5.1", "Command not implemented"
/* sequence */
#define R_NEED_HELO 503, "5.5.1", "Hello %s, Waiting for HELO/EHLO command"
#define R_NEED_MAIL 503, "5.5.1", "Hello %s, Waiting for MAIL command"
#define R_NEED_RCPT 503, "5.5.1", "Hello %s, Waiting for RCPT command"
#define R_NESTED_MAIL 503, "5.5.1", "Hello %s, Sender already specified"
#define R_MIX_BDAT_DATA                                                        \
	503, "5.5.1",                                                          \
	    "Hello %s, Must not intermix BDAT and DATA in same transaction!"
#define R_NO_VALID_RCPT                                                        \
	554, "5.5.1",                                                          \
	    "No valid recipients at RCPT addresses, or no RCPT addresses at "  \
	    "all"
#define R_NO_VALID_SENDER                                                      \
	554, "5.5.1", "No valid sender, rejecting all recipients"
#define R_EXTRA_JUNK 501, "5.5.4", "Extra junk after '%s' verb"
#define R_RSET_JUNK                                                            \
	501, "5.5.4", "Extra junk after 'RSET' verb; RSET processed anyway"
/* HELO/EHLO */
#define R_HELO_DENIED 501, "5.7.1", "Sorry %s, %s"
#define R_HELO_BAD 501, "5.5.2", "Sorry %s, Err: %s"
#define R_HELO_OK 250, NULL, "%s Hello %s"
#define R_HELO_EXPECTED 250, NULL, "%s expected \"%s %s\""
#define R_HELO_NEED_ARG 501, "5.5.4", "%s requires domain address"
#define R_EHLO_WARN 250, NULL, "Warning: invalid EHLO argument: %s"
/* MAIL */
#define R_MAIL_NO_FROM 501, "5.5.2", "Hello %s, where is From: in that?"
#define R_MAIL_PATH 501, "5.1.7", "Path data: %s"
#define R_MAIL_TOO_MANY_LT 501, "5.1.7", "there are too many <'s in this: %s"
#define R_MAIL_PARAM_DUP 501, "5.5.4", "%s"
#define R_MAIL_PARAM_UNKNOWN 555, "5.5.4", "Unknown MAIL FROM:<> parameter: %s"
#define R_MAIL_SIZE_BAD 501, "5.5.4", "SIZE-param data error"
#define R_MAIL_BODY_BAD 501, "5.5.4", "BODY-param data error"
#define R_MAIL_RET_BAD 501, "5.5.4", "RET-param data error"
#define R_MAIL_ENVID_BAD 501, "5.5.4", "ENVID-param data error"
#define R_MAIL_UTF8_NEEDED                                                     \
	553, "5.6.7", "Non-ASCII address needs the SMTPUTF8 parameter"
#define R_MAIL_TOO_BIG                                                         \
	552, "5.3.4",                                                          \
	    "This message is larger, than our maximum acceptable incoming "    \
	    "message size of  %ld  chars."
#define R_MAIL_NO_SPACE                                                        \
	452, "4.3.1",                                                          \
	    "Try again later, insufficient storage available at the moment"
#define R_MAIL_OK 250, "2.1.0", "Sender syntax Ok%s"
/* RCPT */
#define R_RCPT_NO_TO 501, "5.5.2", "where is To: in this?  %s"
#define R_RCPT_NULL 501, "5.1.3", "Null address valid only as source: %s"
#define R_RCPT_PATH 501, "5.1.3", "Path data: %s"
#define R_RCPT_PARAM_UNKNOWN 555, "5.5.4", "Unknown RCPT TO:<> parameter: %s"
#define R_RCPT_NOTIFY_BAD 501, "5.5.4", "NOTIFY-param data error"
#define R_RCPT_ORCPT_BAD 501, "5.5.4", "ORCPT-param data error!"
#define R_RCPT_TOO_MANY 452, "4.5.3", "Too many recipients in one go!"
#define R_RCPT_ROUTE 553, "5.1.3", "Unusable source route in <%s>"
#define R_RCPT_UNKNOWN                                                         \
	550, "5.1.1", "<%s>: Recipient address rejected: User unknown"
#define R_RCPT_TABLE_TEMP                                                      \
	451, "4.3.0",                                                          \
	    "<%s>: Recipient address rejected: recipient table unavailable, "  \
	    "try again later"
#define R_RCPT_VERIFY_TEMP                                                     \
	450, "4.1.1",                                                          \
	    "<%s>: Recipient address rejected: unverified address, try "       \
	    "again later"
#define R_RCPT_PROBE                                                           \
	421, "4.7.0", "%s Too many refused recipients, closing connection"
#define R_RCPT_ERR_SPAM                                                        \
	550, "5.7.1",                                                          \
	    "SPAM trap -- too many recipients for an empty source address!"
#define R_RCPT_NO_SPACE                                                        \
	452, "4.3.1", "insufficient storage space, try again later"
#define R_RCPT_REJECTED_MAIL                                                   \
	550, "5.7.1",                                                          \
	    "Hello %s, access denied by the policy analysis functions by "     \
	    "earlier rejection"
#define R_RCPT_OK 250, "2.1.5", "Recipient address syntax Ok; rcpt=<%s>"
#define R_RCPT_OK_SIZE                                                         \
	250, "2.1.5", "Ok; can accomodate %lld byte message for <%s>"
/* DATA / BDAT */
#define R_DATA_GO 354, NULL, "Start mail input; end with <CRLF>.<CRLF>"
#define R_DATA_OK 250, "2.0.0", "Message accepted; %s"
#define R_DATA_DISCARDED                                                       \
	250, "2.0.0", "Message accepted and discarded by policy"
#define R_DATA_TOO_BIG                                                         \
	552, "5.3.4",                                                          \
	    "Size of this message exceeds the fixed maximum size of  %ld  "    \
	    "chars for received email"
#define R_DATA_NO_SPACE                                                        \
	452, "4.3.1", "Requested action not taken: insufficient storage"
#define R_DATA_SPOOL_FAIL                                                      \
	451, "4.3.0", "Requested action aborted: local error in processing"
#define R_DATA_BARE_LF                                                         \
	550, "5.6.0", "Message contains a bare <LF>; lines must end with <CRLF>"
/* milters (milter.c): as Postfix says them */
#define R_MILTER_REJECT 550, "5.7.1", "Command rejected"
#define R_MILTER_TEMPFAIL 451, "4.7.1", "Service unavailable - try again later"
#define R_MILTER_DISCARD 250, "2.0.0", "Message accepted; discarded by filter"
#define R_DATA_LMTP_OK 250, "2.0.0", "<%s> Message accepted; %s"
#define R_BDAT_SYNTAX 501, "5.5.4", "Syntax error in BDAT parameters"
#define R_BDAT_OK 250, "2.0.0", "Received %lld bytes"
#define R_BDAT_LAST_OK                                                         \
	250, "2.0.0",                                                          \
	    "%s Roger, got %lld bytes in the last chunk, stored %lld bytes "   \
	    "into spool"
/* STARTTLS (RFC 3207) */
#define R_TLS_NOT_CONF 502, "5.5.1", "STARTTLS not available"
#define R_TLS_ACTIVE 554, "5.5.1", "TLS already active, restart not allowed"
#define R_TLS_UNAVAIL 454, "4.7.0", "TLS not available due to temporary reason"
#define R_TLS_JUNK 501, "5.5.4", "Extra junk following 'STARTTLS' command"
#define R_TLS_GO 220, "2.0.0", "Ready to start TLS"
/* AUTH (RFC 4954) and submission (RFC 6409) */
#define R_AUTH_NOT_CONF 502, "5.5.1", "AUTH not available"
#define R_AUTH_PORT25 503, "5.5.1", "Hi %s, AUTH not supported on this port"
#define R_AUTH_NEED_EHLO                                                       \
	503, "5.5.1", "Hi %s, EHLO first, then - perhaps - AUTH"
#define R_AUTH_IN_TXN                                                          \
	503, "5.5.1", "Hi %s, AUTH not allowed during MAIL transaction"
#define R_AUTH_AGAIN                                                           \
	503, "5.5.1", "Hi %s, already authenticated, second attempt rejected"
#define R_AUTH_NEED_TLS                                                        \
	538, "5.7.11",                                                         \
	    "Encryption required for requested authentication mechanism"
#define R_AUTH_LIMIT                                                           \
	454, "4.7.0",                                                          \
	    "Hi %s, too many authentication failures from your address, try "  \
	    "again later"
#define R_AUTH_TEMP 454, "4.7.0", "Temporary authentication failure"
#define R_AUTH_SYNTAX 501, "5.5.4", "Syntax: AUTH mechanism [initial-response]"
#define R_AUTH_MECH 504, "5.5.4", "Unrecognized authentication type"
#define R_AUTH_B64 501, "5.5.2", "Cannot decode the response"
#define R_AUTH_CANCEL 501, "5.7.0", "AUTH command cancelled"
#define R_AUTH_OK 235, "2.7.0", "Authentication successful"
#define R_AUTH_FAIL 535, "5.7.8", "Authentication credentials invalid"
#define R_AUTH_REQUIRED 530, "5.7.0", "Authentication required"
#define R_MAIL_AUTH_BAD 501, "5.5.4", "AUTH-param data error"
#define R_AUTH_CHALLENGE 334, NULL, "%s" /* base64 */
/* sub-daemons: ZMailer's interactive router, contentfilter */
#define R_ROUTER_SICK                                                          \
	440, "4.4.0", "I am sick: Failed to init interactive router subsystem"
#define R_ROUTER_TIMEOUT 450, "4.5.0", "Interactive router timed out!"
#define R_ROUTER_FAILED                                                        \
	450, "4.5.0", "Interactive router failed; try again later"
#define R_ROUTER_THRU                                                          \
	250, "2.7.1", "Interactive policy router failed, letting this thru..."
#define R_FILTER_FAIL                                                          \
	451, "4.7.1", "Content filter unavailable; try again later; %s"
/* the filter's own code and status go with these texts */
#define T_FILTER_REJECT "Content-Policy reject msg: %s; %s"
#define T_FILTER_FREEZE "Content-Policy accept-into-freezer-%d msg: %s; %s"
#define T_FILTER_ACCEPT "%s; %s"
/* misc */
#define R_RSET_OK 250, "2.0.0", "Reset processed, now waiting for MAIL command"
#define R_NOOP_OK 250, "2.0.0", "Ok"
#define R_QUIT_OK 221, "2.0.0", "%s Out"
#define R_VRFY_NEED_ARG 501, "5.5.4", "%s requires an argument"
#define R_VRFY_OK                                                              \
	252, "2.5.2",                                                          \
	    "Cannot VRFY user, but will accept message and attempt delivery"
#define R_VRFY_OFF                                                             \
	252, "2.5.0", "Cannot VRFY user; try RCPT to attempt delivery"
#define R_EXPN_NO 502, "5.5.1", "Command not implemented"
#define R_TICK_OK 250, "2.0.0", "TICK %s"
/* ETRN/TURNME (RFC 1985; ZMailer's texts) */
#define R_ETRN_NEED_ARG 501, "5.5.4", "ETRN needs target domain name parameter."
#define R_ETRN_LITERAL                                                         \
	458, "4.7.1", "Sorry, only literal target domains accepted"
#define R_ETRN_BAD_DOMAIN 501, "5.5.4", "Invalid target domain name"
#define R_ETRN_NO_QUEUE 458, "4.3.0", "Unable to queue messages for node %s"
#define R_ETRN_DISK 452, "4.0.0", "Failed to initiate ETRN request;  Disk full?"
#define R_ETRN_PERM                                                            \
	452, "4.0.0",                                                          \
	    "Failed to initiate local ETRN request; Permission denied?"
#define R_ETRN_OK1                                                             \
	250, "2.0.0", "An ETRN request is initiated - lets hope the system"
#define R_ETRN_OK2                                                             \
	250, "2.0.0", "has resources to honour it. We call the remote,"
#define R_ETRN_OK3 250, "2.0.0", "if we have anything to send there."
#define R_ETRN_OK_SHORT                                                        \
	250, "2.0.0", "An ETRN request is submitted - something may get sent."
#define R_ETRN_CLUSTER_LINE 250, "2.0.0", "%s" /* a cluster node's line */
#define R_ETRN_CLUSTER_OK 250, "2.0.0", "ETRN-cluster operation(s) complete"
#define R_HELP_HEAD                                                            \
	214, "2.0.0", "smtpserver %s, a ZMailer-compatible SMTP server"
#define R_HELP_LINE 214, "2.0.0", "%s" /* one line of PARAM help */
#define R_HELP_COMMANDS                                                        \
	214, "2.0.0",                                                          \
	    "Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT HELP "     \
	    "VRFY%s "                                                          \
	    "VERB"
#define R_HELP_END 214, "2.0.0", "For local information contact: postmaster@%s"
#define R_VERB_OK 250, "2.0.0", "smtpserver %s (ZMailer-compatible)"

#endif
