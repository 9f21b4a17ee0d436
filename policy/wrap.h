/*
 * wrap.h - tcp-wrappers (libwrap) admission check (smtpserver(8) POLICY,
 * "tcp-wrappers"): daemon name "smtp-receiver" (what ZMailer's code uses);
 * files that only name "smtp-receive" (what ZMailer's manual says) are
 * honoured too.
 */
#ifndef SMTPD_WRAP_H
#define SMTPD_WRAP_H

#include <stddef.h>
#include <sys/socket.h>

/* Use other hosts.allow / hosts.deny files (NULL keeps the default). */
int wrap_set_tables(const char *allow, const char *deny);
/* The daemon name the tables are read for ("smtp-receiver" unless the
 * files mention only "smtp-receive"). */
const char *wrap_daemon_name(void);
/*
 * 1 if the tables let peer (with its forward-confirmed name or NULL) in,
 * 0 if refused.  On refusal the session answers 421 and closes.
 */
int wrap_check(const struct sockaddr *peer, const char *ptrname);

#endif
