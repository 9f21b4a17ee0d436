/*
 * privhelper.h - the privileged AUTH checker: a process that keeps the
 * rights the sessions gave up and answers "is this password right?" with
 * yes, no or try-later, nothing else.  Sessions reach it through a
 * SOCK_SEQPACKET "door": each request carries a fresh socket (SCM_RIGHTS)
 * on which the one reply comes, so many workers can share one door.
 * A supervisor keeps the helper's end of the door too, and starts a new
 * helper on it when one dies: sessions forked earlier never notice.
 * Backends: PAM service smtpauth-login, or the group's SMTP-auth-pipe.
 * Not for: the SMTP dialogue (cmd_auth.c), mechanisms (auth.c).
 */
#ifndef SMTPD_PRIVHELPER_H
#define SMTPD_PRIVHELPER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf.h"

#define PH_SERVICE "smtpauth-login"
#define PH_MSG_MAX 4096
#define PH_MAX_CHECKS 32 /* checks running at once in the helper */

enum ph_verdict { PH_NO = 0, PH_YES = 1, PH_TEMP = 2 };
enum ph_type { PH_AUTH_REQ = 1, PH_AUTH_REP = 2 };

/* A message: u32 length of what follows, u8 type, typed fields. */
struct ph_msg {
	unsigned char b[PH_MSG_MAX];
	size_t len, pos;
	int err; /* sticky: a put overflowed or a get ran short */
};

void ph_init(struct ph_msg *, enum ph_type);
void ph_put_u32(struct ph_msg *, uint32_t);
void ph_put_str(struct ph_msg *, const char *);
/* Start reading b[0..n): -1 unless the length prefix says n. */
int ph_open(struct ph_msg *, size_t n, enum ph_type *type);
int ph_get_u32(struct ph_msg *, uint32_t *);
/* A string of at most outlen-1 bytes without NUL into out. */
int ph_get_str(struct ph_msg *, char *out, size_t outlen);
/* 0 when every byte was read and no get failed. */
int ph_end(const struct ph_msg *);
void ph_wipe(struct ph_msg *);

struct privhelper {
	int door;  /* session side of the door */
	int back;  /* helper side, kept for a restart (-1: not kept) */
	pid_t pid; /* the helper, when we started it (else 0) */
};

/* The helper's process name (ps, /proc/PID/comm; at most 15 bytes). */
#define PH_PROCNAME "smtpserver-auth"

/*
 * Fork the helper for cf (it must outlive no one: it exits when every
 * copy of the door is closed).  The child gives up stdin/stdout (the
 * client connection under -n).  PAM runs in the helper with its rights;
 * an SMTP-auth-pipe program runs as uid/gid (TRUSTEDUSER; 0 when unknown,
 * and then a root helper refuses to run it).  NULL with the reason in err.
 */
struct privhelper *privhelper_spawn(
    const struct conf *cf, uid_t uid, gid_t gid, char *err, size_t errlen);
/*
 * The same for a supervisor that outlives its helper: it keeps the
 * helper's end of the door, so that privhelper_restart can start another
 * helper behind the same door.  Requests sent meanwhile wait in the door
 * for the new helper.  Every session process forked after this must call
 * privhelper_child first.
 */
struct privhelper *privhelper_spawn_kept(
    const struct conf *cf, uid_t uid, gid_t gid, char *err, size_t errlen);
/* The helper died (already reaped): start another on the kept end. */
int privhelper_restart(struct privhelper *, const struct conf *cf, uid_t uid,
    gid_t gid, char *err, size_t errlen);
/* In a forked session process: give up the helper's end of the door (a
 * session must not be able to read other sessions' requests). */
void privhelper_child(struct privhelper *);
/*
 * The helper's loop on its end of the door; returns when it closes.  A
 * request must carry exactly one descriptor (its reply socket): any other
 * descriptors that come along are closed and the request is dropped.
 */
void privhelper_serve(int door, const struct conf *cf, uid_t uid, gid_t gid);
/*
 * Ask: is pass right for user, in group gi, from client address ip?
 * Waits at most timeout seconds.  Returns an enum ph_verdict.
 */
int privhelper_check(struct privhelper *, size_t gi, const char *user,
    const char *pass, const char *ip, int timeout);
/* Close the door (both ends we hold) and reap the helper we started. */
void privhelper_close(struct privhelper *);

#endif
