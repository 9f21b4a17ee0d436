/*
 * xalloc.h - allocations that do not return NULL, for session code only.
 * The out-of-memory rule (STYLE rule 4): a session process (a worker, or
 * the -n/-i session) that cannot get memory ends.  x* logs one line at
 * LOG_CRIT and calls _exit(XALLOC_EXIT); the supervisor then releases the
 * worker's scoreboard slots and removes its spool temp file.  Nothing was
 * acknowledged that is not on disk, so the client only loses the open
 * transaction.  Code the supervisor runs (and library code it shares)
 * never calls these: it returns -1 with the reason, and lives on.
 */
#ifndef SMTPD_XALLOC_H
#define SMTPD_XALLOC_H

#include <stddef.h>

#define XALLOC_EXIT 71 /* EX_OSERR of sysexits.h */

void *xcalloc(size_t nmemb, size_t size);
char *xstrdup(const char *);

#endif
