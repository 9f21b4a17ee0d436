/*
 * authcheck.h - the two password checkers of the AUTH helper: PAM and
 * an external program.  They run in the helper process only and return
 * an enum ph_verdict; they log no secret.
 */
#ifndef SMTPD_AUTHCHECK_H
#define SMTPD_AUTHCHECK_H

#include <sys/types.h>

/* Who the pipe program runs as: TRUSTEDUSER (uid 0 = unknown: refused
 * when the helper is root). */
struct authcheck_user {
	uid_t uid;
	gid_t gid;
};

/* pam_authenticate + pam_acct_mgmt for service; ip becomes PAM_RHOST. */
int authcheck_pam(
    const char *service, const char *user, const char *pass, const char *ip);
/*
 * Run prog as the user as (groups, gid, uid dropped in the child; never
 * as root) in / with argv[1] = user and a fixed small environment, the
 * password and a LF on its stdin; exit 0 within timeout seconds = yes.
 * A user name auth_user_ok refuses (one starting with '-' could be an
 * option) or a password with CR or LF (the protocol is one line) is a
 * no without running anything.
 */
int authcheck_pipe(const char *prog, const char *user, const char *pass,
    int timeout, const struct authcheck_user *as);

#endif
