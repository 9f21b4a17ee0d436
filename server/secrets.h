/*
 * secrets.h - what the daemon's supervisor holds for its workers while it
 * is still privileged: one TLS server context per group (rebuilt on
 * SIGHUP, the old one kept when the new key is broken) and the AUTH
 * helper process (restarted with the new configuration on SIGHUP, and
 * behind the same door when it dies, so that running workers reach the
 * new one).  Workers inherit both across fork.
 * Not for: TLS itself (tls.c), the helper protocol (privhelper.c).
 */
#ifndef SMTPD_SECRETS_H
#define SMTPD_SECRETS_H

#include <stddef.h>
#include <sys/types.h>

#include "conf.h"

struct tls_server;
struct privhelper;

struct secrets {
	struct tls_server **tls; /* per group; NULL: no TLS there */
	size_t ngroups;
	struct privhelper *auth; /* NULL: no group offers AUTH */
	uid_t pipe_uid;          /* TRUSTEDUSER: the helper runs the */
	gid_t pipe_gid;          /* SMTP-auth-pipe program as this */
};

/* Build everything for c; problems are logged, never fatal (STARTTLS
 * then answers 454, AUTH 454).  uid/gid: TRUSTEDUSER, for the helper. */
void secrets_open(struct secrets *, const struct conf *c, uid_t, gid_t);
/* SIGHUP with the new configuration nc (already validated). */
void secrets_reload(struct secrets *, const struct conf *nc);
/* A child died: if it was the helper, start another; 1 if it was. */
int secrets_reaped(struct secrets *, pid_t, const struct conf *c);
/* Once a second: retry a helper restart that failed (fork). */
void secrets_check(struct secrets *, const struct conf *c);
/* In a new worker, first thing: drop what only the supervisor keeps
 * (the helper's end of its door). */
void secrets_child(struct secrets *);
/* The group's context and the helper, for a worker's session. */
struct tls_server *secrets_tls(const struct secrets *, size_t group);
/* Drop the supervisor's copies (workers keep theirs until they exit). */
void secrets_close(struct secrets *);

#endif
