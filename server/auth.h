/*
 * auth.h - SMTP AUTH mechanics (RFC 4954, 4616): mechanism names,
 * base64 as SASL uses it, and the PLAIN message.  Pure functions, for
 * cmd_auth.c and the unit test.
 * Not for: the dialogue (cmd_auth.c) or password checks (privhelper.c).
 */
#ifndef SMTPD_AUTH_H
#define SMTPD_AUTH_H

#include <stddef.h>

#include "buf.h"

enum auth_mech { AUTH_MECH_NONE, AUTH_MECH_PLAIN, AUTH_MECH_LOGIN };

#define AUTH_USER_MAX 255
#define AUTH_PASS_MAX 1000
#define AUTH_LINE_MAX 12288 /* RFC 4954 section 4 */

enum auth_mech auth_mech(const char *name, size_t len);
/* Strict base64 of in[0..n) appended to out; -1 on a bad character,
 * bad padding or overflow.  "=" alone is the empty string. */
int auth_b64_decode(const char *in, size_t n, struct buf *out);
/* base64 of s into out (NUL-terminated); -1 if it does not fit. */
int auth_b64_encode(const char *s, size_t n, char *out, size_t outlen);
/*
 * Split a decoded PLAIN message authzid NUL authcid NUL passwd: pointers
 * into msg (which has a spare NUL after len bytes).  -1 when malformed
 * or too long; -2 when the authzid names someone else (proxy
 * authorisation, which we do not support).
 */
int auth_plain(
    const char *msg, size_t len, const char **user, const char **pass);
/* 1 if a user name is acceptable (printable, no blanks, short, and not
 * starting with '-', which the pipe program would take for an option). */
int auth_user_ok(const char *user);
/* 1 if a password may go to a checker: not empty, not too long, and no
 * CR or LF (the pipe program reads one line).  NUL is the caller's job. */
int auth_pass_ok(const char *pass);

#endif
