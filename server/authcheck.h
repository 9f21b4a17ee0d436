/*
 * authcheck.h - the two password checkers of the AUTH helper: PAM and
 * an external program.  They run in the helper process only and return
 * an enum ph_verdict; they log no secret.
 */
#ifndef SMTPD_AUTHCHECK_H
#define SMTPD_AUTHCHECK_H

/* pam_authenticate + pam_acct_mgmt for service; ip becomes PAM_RHOST. */
int authcheck_pam(
    const char *service, const char *user, const char *pass, const char *ip);
/*
 * Run prog with argv[1] = user and a fixed small environment, the
 * password and a LF on its stdin; exit 0 within timeout seconds = yes.
 */
int authcheck_pipe(
    const char *prog, const char *user, const char *pass, int timeout);

#endif
