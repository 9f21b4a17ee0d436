/*
 * milter.h - the milter client as the session sees it: one call per SMTP
 * stage.  A call that returns -1 has already sent the refusal (the
 * milter's, or the default action's when a milter failed); 0 = go on.
 * No PARAM milter: every call returns 0 at once.
 */
#ifndef SMTPD_MILTER_H
#define SMTPD_MILTER_H

struct smtp;

/* After the connect policy let the client in: connect, negotiate, CONNECT. */
void milter_connect(struct smtp *);
int milter_helo(struct smtp *, const char *name);
int milter_mail(struct smtp *, const char *addr, const char *args);
int milter_rcpt(struct smtp *, const char *addr, const char *args);
int milter_data(struct smtp *);
/*
 * End of message, before the commit (milter_eom.c): headers, body, EOM,
 * then the milters' changes applied to the spool file.  0 = commit it;
 * 1 = discarded (250 sent, nothing stored); -1 = refused (reply sent).
 */
int milter_eom(struct smtp *);
/* The transaction ended (RSET, a new MAIL, after EOM): SMFIC_ABORT. */
void milter_abort(struct smtp *);
/* The session ends: SMFIC_QUIT and close. */
void milter_end(struct smtp *);

#endif
