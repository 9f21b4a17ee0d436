/*
 * spool_edit.c - replace a transaction's spool file by an edited one
 * before it is committed (milter changes: headers, recipients, body).
 * The new file is written in full beside the old; only when it is
 * complete does it take the old one's place, so a failure leaves the
 * transaction as it was.  Not for: committing (spool.c).
 */
#include "spool.h"

#include <errno.h>
#include <stdio.h>

int
spool_rewrite(struct spool_txn **txnp, const struct spool_cfg *cfg,
    const struct envelope *env, int (*fill)(void *, struct spool_txn *),
    void *arg, char *err, size_t errlen)
{
	struct spool_txn *nt;
	int eno;

	if (spool_begin(cfg, env, &nt, err, errlen) < 0)
		return -1;
	if (fill(arg, nt) < 0 || spool_flush(nt) < 0) {
		eno = errno;
		snprintf(err, errlen, "writing the edited spool file: %s",
		    eno ? "write error" : "bad data");
		spool_abort(nt);
		errno = eno;
		return -1;
	}
	spool_abort(*txnp);
	*txnp = nt;
	return 0;
}
