/*
 * replies.h - every reply text of the SMTP session, in one table.
 * R(name, code, enhanced status, printf format).  Codes follow spec 3 as
 * modernised by spec 13 (greeting 220/554, unknown command 500 5.5.1, ...);
 * the enhanced status class always equals the reply class (RFC 3463).
 * Tests and doc/smtpserver.8 cite these texts.
 */
/* greeting and connection */
R(SHUTDOWN, 421, "4.3.2", "%s Service shutting down, closing connection")
R(TIMEOUT, 421, "4.4.2",
    "%s Timeout waiting for client input, closing connection")
R(STRESS_IDLE, 421, "4.3.2", "%s Server busy, closing idle connection")
R(QUIT_ONLY, 503, "5.5.1",
    "%s; you were refused at connect, only QUIT is accepted")
R(NO_POLICY, 421, "4.3.0", "%s Policy database unavailable, closing connection")
R(WRAP_REFUSED, 421, "4.7.0", "%s smtpserver %s WILL NOT TALK TO YOU at %s")
R(POLICY_SAMEIP, 421, "4.7.0",
    "%s Too many simultaneous connections from this IP address (%d of %ld)")
/* input */
R(LINE_TOO_LONG, 500, "5.5.2", "Line too long (limit %d octets)")
R(BARE_LF, 500, "5.5.2", "Line not terminated with CRLF")
R(ILLEGAL_NUL, 500, "5.5.2", "Illegal input characters: NUL on SMTP input")
R(ILLEGAL_8BIT, 500, "5.5.2",
    "Illegal input characters: 8-bit char on SMTP input")
R(ILLEGAL_CTRL, 500, "5.5.2",
    "Illegal input characters: Control chars on SMTP input")
R(UNKNOWN_CMD, 500, "5.5.1", "Unknown command '%s'")
R(TOO_MANY_UNKNOWN, 421, "4.7.0", "%s Hi %s, One too many unknown command '%s'")
R(PIPELINE_NO_EHLO, 550, "5.7.1",
    "Hello %s, you are sending pipelined input, but didn't greet properly with "
    "EHLO")
R(NOT_AVAILABLE, 502, "5.5.1", "%s not available")
R(NOT_IMPLEMENTED, 502, "5.5.1", "Command not implemented")
/* sequence */
R(NEED_HELO, 503, "5.5.1", "Hello %s, Waiting for HELO/EHLO command")
R(NEED_MAIL, 503, "5.5.1", "Hello %s, Waiting for MAIL command")
R(NEED_RCPT, 503, "5.5.1", "Hello %s, Waiting for RCPT command")
R(NESTED_MAIL, 503, "5.5.1", "Hello %s, Sender already specified")
R(MIX_BDAT_DATA, 503, "5.5.1",
    "Hello %s, Must not intermix BDAT and DATA in same transaction!")
R(NO_VALID_RCPT, 554, "5.5.1",
    "No valid recipients at RCPT addresses, or no RCPT addresses at all")
R(NO_VALID_SENDER, 554, "5.5.1", "No valid sender, rejecting all recipients")
R(EXTRA_JUNK, 501, "5.5.4", "Extra junk after '%s' verb")
R(RSET_JUNK, 501, "5.5.4",
    "Extra junk after 'RSET' verb; RSET processed anyway")
/* HELO/EHLO */
R(HELO_DENIED, 501, "5.7.1", "Sorry %s, %s")
R(HELO_BAD, 501, "5.5.2", "Sorry %s, Err: %s")
R(HELO_OK, 250, NULL, "%s Hello %s")
R(HELO_EXPECTED, 250, NULL, "%s expected \"%s %s\"")
R(HELO_NEED_ARG, 501, "5.5.4", "%s requires domain address")
/* MAIL */
R(MAIL_NO_FROM, 501, "5.5.2", "Hello %s, where is From: in that?")
R(MAIL_PATH, 501, "5.1.7", "Path data: %s")
R(MAIL_TOO_MANY_LT, 501, "5.1.7", "there are too many <'s in this: %s")
R(MAIL_PARAM_DUP, 501, "5.5.4", "%s")
R(MAIL_PARAM_UNKNOWN, 555, "5.5.4", "Unknown MAIL FROM:<> parameter: %s")
R(MAIL_SIZE_BAD, 501, "5.5.4", "SIZE-param data error")
R(MAIL_BODY_BAD, 501, "5.5.4", "BODY-param data error")
R(MAIL_RET_BAD, 501, "5.5.4", "RET-param data error")
R(MAIL_ENVID_BAD, 501, "5.5.4", "ENVID-param data error")
R(MAIL_UTF8_NEEDED, 553, "5.6.7",
    "Non-ASCII address needs the SMTPUTF8 parameter")
R(MAIL_TOO_BIG, 552, "5.3.4",
    "This message is larger, than our maximum acceptable incoming message size "
    "of  %ld  chars.")
R(MAIL_NO_SPACE, 452, "4.3.1",
    "Try again later, insufficient storage available at the moment")
R(MAIL_OK, 250, "2.1.0", "Sender syntax Ok%s")
/* RCPT */
R(RCPT_NO_TO, 501, "5.5.2", "where is To: in this?  %s")
R(RCPT_NULL, 501, "5.1.3", "Null address valid only as source: %s")
R(RCPT_PATH, 501, "5.1.3", "Path data: %s")
R(RCPT_PARAM_UNKNOWN, 555, "5.5.4", "Unknown RCPT TO:<> parameter: %s")
R(RCPT_NOTIFY_BAD, 501, "5.5.4", "NOTIFY-param data error")
R(RCPT_ORCPT_BAD, 501, "5.5.4", "ORCPT-param data error!")
R(RCPT_TOO_MANY, 452, "4.5.3", "Too many recipients in one go!")
R(RCPT_ROUTE, 553, "5.1.3", "Unusable source route in <%s>")
R(RCPT_PROBE, 421, "4.7.0",
    "%s Too many refused recipients, closing connection")
R(RCPT_ERR_SPAM, 550, "5.7.1",
    "SPAM trap -- too many recipients for an empty source address!")
R(RCPT_NO_SPACE, 452, "4.3.1", "insufficient storage space, try again later")
R(RCPT_REJECTED_MAIL, 550, "5.7.1",
    "Hello %s, access denied by the policy analysis functions by earlier "
    "rejection")
R(RCPT_OK, 250, "2.1.5", "Recipient address syntax Ok; rcpt=<%s>")
R(RCPT_OK_SIZE, 250, "2.1.5", "Ok; can accomodate %lld byte message for <%s>")
/* DATA / BDAT */
R(DATA_GO, 354, NULL, "Start mail input; end with <CRLF>.<CRLF>")
R(DATA_OK, 250, "2.0.0", "Message accepted; %s")
R(DATA_TOO_BIG, 552, "5.3.4",
    "Size of this message exceeds the fixed maximum size of  %ld  chars for "
    "received email")
R(DATA_NO_SPACE, 452, "4.3.1",
    "Requested action not taken: insufficient storage")
R(DATA_SPOOL_FAIL, 451, "4.3.0",
    "Requested action aborted: local error in processing")
R(DATA_BARE_LF, 550, "5.6.0",
    "Message contains a bare <LF>; lines must end with <CRLF>")
R(DATA_LMTP_OK, 250, "2.0.0", "<%s> Message accepted; %s")
R(BDAT_SYNTAX, 501, "5.5.4", "Syntax error in BDAT parameters")
R(BDAT_OK, 250, "2.0.0", "Received %lld bytes")
R(BDAT_LAST_OK, 250, "2.0.0",
    "%s Roger, got %lld bytes in the last chunk, stored %lld bytes into spool")
/* STARTTLS (RFC 3207) */
R(TLS_NOT_CONF, 502, "5.5.1", "STARTTLS not available")
R(TLS_ACTIVE, 554, "5.5.1", "TLS already active, restart not allowed")
R(TLS_UNAVAIL, 454, "4.7.0", "TLS not available due to temporary reason")
R(TLS_JUNK, 501, "5.5.4", "Extra junk following 'STARTTLS' command")
R(TLS_GO, 220, "2.0.0", "Ready to start TLS")
/* AUTH (RFC 4954) and submission (RFC 6409) */
R(AUTH_NOT_CONF, 502, "5.5.1", "AUTH not available")
R(AUTH_PORT25, 503, "5.5.1", "Hi %s, AUTH not supported on this port")
R(AUTH_NEED_EHLO, 503, "5.5.1", "Hi %s, EHLO first, then - perhaps - AUTH")
R(AUTH_IN_TXN, 503, "5.5.1", "Hi %s, AUTH not allowed during MAIL transaction")
R(AUTH_AGAIN, 503, "5.5.1",
    "Hi %s, already authenticated, second attempt rejected")
R(AUTH_NEED_TLS, 538, "5.7.11",
    "Encryption required for requested authentication mechanism")
R(AUTH_LIMIT, 454, "4.7.0",
    "Hi %s, too many authentication failures from your address, try again "
    "later")
R(AUTH_TEMP, 454, "4.7.0", "Temporary authentication failure")
R(AUTH_SYNTAX, 501, "5.5.4", "Syntax: AUTH mechanism [initial-response]")
R(AUTH_MECH, 504, "5.5.4", "Unrecognized authentication type")
R(AUTH_B64, 501, "5.5.2", "Cannot decode the response")
R(AUTH_CANCEL, 501, "5.7.0", "AUTH command cancelled")
R(AUTH_OK, 235, "2.7.0", "Authentication successful")
R(AUTH_FAIL, 535, "5.7.8", "Authentication credentials invalid")
R(AUTH_REQUIRED, 530, "5.7.0", "Authentication required")
R(MAIL_AUTH_BAD, 501, "5.5.4", "AUTH-param data error")
/* misc */
R(RSET_OK, 250, "2.0.0", "Reset processed, now waiting for MAIL command")
R(NOOP_OK, 250, "2.0.0", "Ok")
R(QUIT_OK, 221, "2.0.0", "%s Out")
R(VRFY_NEED_ARG, 501, "5.5.4", "%s requires an argument")
R(VRFY_OK, 252, "2.5.2",
    "Cannot VRFY user, but will accept message and attempt delivery")
R(VRFY_OFF, 252, "2.5.0", "Cannot VRFY user; try RCPT to attempt delivery")
R(EXPN_NO, 502, "5.5.1", "Command not implemented")
R(TICK_OK, 250, "2.0.0", "TICK %s")
R(HELP_END, 214, "2.0.0", "For local information contact: postmaster@%s")
