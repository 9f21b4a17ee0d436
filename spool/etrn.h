/*
 * etrn.h - ZMailer's local ETRN request: one line "T <domain> <[ip]>" in a
 * file of $POSTOFFICE/transport/, which the scheduler reads as "run the
 * queue of this domain now".
 * Not for: the cluster exchange (server/etrn_cluster.c).
 */
#ifndef SMTPD_ETRN_H
#define SMTPD_ETRN_H

#include <stddef.h>

enum etrn_rc {
	ETRN_OK = 0,
	ETRN_NODIR = -1,  /* transport/ does not exist */
	ETRN_CREATE = -2, /* the file could not be made or written */
	ETRN_COMMIT = -3, /* fsync or rename failed */
};

/* "T <domain> <iplit>\n" (the file's whole content); 0, or -1 if it does
 * not fit in len. */
int etrn_format(char *out, size_t len, const char *domain, const char *iplit);
/*
 * Write transport/..etrn-XXXXXX, fsync it, rename it to
 * transport/<inode>-etrn and fsync transport/.  On failure no file is
 * left and err says why.  name (may be NULL) gets "<inode>-etrn".
 */
enum etrn_rc etrn_submit(const char *postoffice, const char *domain,
    const char *iplit, char *name, size_t namelen, char *err, size_t errlen);

#endif
