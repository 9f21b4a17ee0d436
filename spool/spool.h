/*
 * spool.h - the durable spool writer: a ZMailer router-compatible
 * envelope, the body with LF line ends, and a commit that fsyncs the file,
 * renames it into router/ and fsyncs the directory before returning.
 * Nothing may be acknowledged with 250 before spool_commit() returned 0.
 * Also declares envelope.c's API (envelope_format, envelope_check,
 * envelope_received: the envelope text on its own, for the writer and
 * the tests).  Implemented in spool.c, spooldir.c and envelope.c.
 */
#ifndef SMTPD_SPOOL_H
#define SMTPD_SPOOL_H

#include <stddef.h>
#include <time.h>

struct spool_cfg {
	const char *postoffice;   /* $POSTOFFICE */
	long min_availspace;      /* KB that must stay free */
	int routerdirhash;        /* ZENV ROUTERDIRHASH=1 */
	const char *routernotify; /* ZENV ROUTERNOTIFY socket path or NULL */
	int received_header;      /* standalone: prepend Received: */
	const char *myhostname;   /* <host> in Received: and temp names */
	int sync_fs;              /* PARAM spool-sync syncfs (spool.c) */
	int named_temp;           /* the temp file needs a name another
				   * process can open (a contentfilter) */
};

/* One accepted recipient, written only after it got its 250. */
struct env_rcpt {
	char *addr;   /* as it goes into "to", no <> */
	char *notify; /* NOTIFY= value given, or NULL; ",DELAY" and
			 * ",TRACE" are added from the BY= flags (N, T) */
	char *orcpt;  /* ORCPT= value given (type;xtext), or NULL */
	char *by;     /* BY= value for todsn ("<time>;R|N[T]"), or NULL */
	int freeze;   /* policy freeze state, 0 = none */
};

struct envelope {
	int external;      /* network session: external + rcvdfrom */
	const char *rhost; /* client PTR name or "[ip]" */
	const char *ip;    /* client address text, no brackets */
	int ipv6;          /* ip is IPv6 ("[IPv6:...]" in literals) */
	int rport;
	const char *helo_line; /* the whole HELO/EHLO line */
	const char *ident;     /* NULL = not shown */
	const char *whoson;    /* NULL = not shown */
	const char *auth_user; /* NULL = not authenticated */
	int show_auth, show_tls_mode, show_tls_peer, show_ident, show_whoson;
	const char *tls_cipher; /* NULL = no TLS */
	const char *tls_peer;   /* client cert CN, NULL = none */
	char rhost_flags[4];    /* rhost-flags (smtpserver(8) THE SPOOL):
				 * PTR found, PTR confirmed, HELO syntax, HELO
				 * = rhost, each 'O', 'F' or 'X'; printed
				 * 'O' -> "OK", 'F' -> "FAIL", NUL -> "X", any
				 * other letter as itself */
	const char *bodytype;   /* "8BITMIME", "BINARYMIME", "7BIT", NULL */
	const char *with;       /* "SMTP", "ESMTP", "ESMTPSA", ... */
	const char *identinfo;  /* NULL = none */
	const char *from;       /* sender, "" = null sender (channel error) */
	int freeze;             /* policy freeze on the sender */
	const char *envid;      /* ENVID xtext or NULL */
	const char *notaryret;  /* "FULL", "HDRS" or NULL */
	const struct env_rcpt *rcpts;
	size_t nrcpts;
	const char *const *rejected; /* policy-refused rcpts, as comments */
	size_t nrejected;
	time_t when; /* arrival time, for Received: */
};

struct spool_txn;

/* Free space check: 0 if need bytes fit above min_availspace, else -1
 * (also when statvfs fails). */
int spool_space_ok(const struct spool_cfg *, long long need);
/*
 * Create the temp file in public/ (O_EXCL, 0600) and write the envelope
 * through env-end (and Received: in standalone mode).  -1 + err on failure
 * (errno ENOSPC: no room above min_availspace), *txn NULL and no file
 * left.  The cfg strings are copied.
 */
int spool_begin(const struct spool_cfg *, const struct envelope *,
    struct spool_txn **, char *err, size_t errlen);
/*
 * Append body bytes (already unstuffed, LF line ends).  -1 on error, which
 * is sticky: errno ENOSPC when the bytes would take the file system below
 * min_availspace (free space is looked at every megabyte, not per call)
 * or the kernel says it is full, and then the file is emptied at once;
 * another errno for an I/O error.
 */
int spool_write(struct spool_txn *, const char *, size_t);
/* Body bytes written so far. */
long long spool_size(const struct spool_txn *);
/*
 * Check min_availspace once more, fsync, rename into router/, fsync
 * router/, notify.  id = spool id (SPOOL_ID_MAX bytes).  The txn is freed
 * either way; on -1 the file is gone, err says why and errno is ENOSPC
 * when the reason is free space.
 */
int spool_commit(
    struct spool_txn *, char *id, size_t idlen, char *err, size_t errlen);
/* Like commit but into freezer/<inode>policy-N (n >= 0) or
 * freezer/<inode>policy (n < 0), no notify.  The txn is freed either way. */
int spool_freeze(struct spool_txn *, int n, char *id, size_t idlen, char *err,
    size_t errlen);
/* Unlink and free. */
void spool_abort(struct spool_txn *);
/*
 * spool_edit.c: write a new file for the transaction with envelope env
 * (as spool_begin) and the message fill() writes with spool_write(); when
 * it is complete the old file is removed and *txnp is the new one.  -1 +
 * err on failure, and *txnp is unchanged.
 */
int spool_rewrite(struct spool_txn **txnp, const struct spool_cfg *cfg,
    const struct envelope *env, int (*fill)(void *, struct spool_txn *),
    void *arg, char *err, size_t errlen);
/*
 * A writer that died (the daemon's worker, killed mid-message) leaves its
 * temp file behind: unlink public/<host>:<pid> and its a..z variants, the
 * only names a process with that pid can have made (public/ is shared
 * with the rest of ZMailer).  Only for a pid known dead.  Names are
 * removed in public/ opened with O_NOFOLLOW (0 when public/ is a symbolic
 * link).  Returns how many were removed, or -1 when out of memory.
 */
int spool_remove_temps(const struct spool_cfg *, long pid);
/* Path of the temp file (for a content filter); spool_flush() first. */
const char *spool_path(const struct spool_txn *);
/* Write out buffered bytes (no fsync) so the file at spool_path() is
 * complete for a reader.  -1 on I/O error (sticky, commit fails too). */
int spool_flush(struct spool_txn *);

/*
 * The daemon's workers share their fsyncs of router/ through these
 * counters in shared memory (gcommit.h); once per process, before the
 * first commit.  NULL (the default): every commit syncs router/ itself.
 */
struct gcommit;
void spool_group_commit(struct gcommit *);

/* Longest spool id with its NUL: 'S' + 20 digits + 8 + 5 + 1. */
#define SPOOL_ID_MAX 40

/* ZMailer spool id (lib/taspoolid.c) for an inode and mtime. */
void spool_id(char *out, size_t outlen, unsigned long long ino, time_t mtime,
    long mtime_nsec);
/*
 * The envelope text (through env-end) into a malloc'ed string.  NULL with
 * errno EINVAL if a field holds a control character (see envelope_check),
 * ENOMEM if out of memory.
 */
char *envelope_format(const struct envelope *, size_t *len);
/*
 * 0 if every protocol field (addresses, DSN values, keywords) is free of
 * CR, LF and other control bytes; else -1 and the field's name in err.
 */
int envelope_check(const struct envelope *, char *err, size_t errlen);
/*
 * Standalone mode: the RFC 5321 4.4 Received: header (folded, LF line
 * ends, final LF) into a malloc'ed string.  NULL on ENOMEM.
 */
char *envelope_received(const struct envelope *, const char *myhostname,
    const char *id, size_t *len);

#endif
