/*
 * rcptdb.h - the recipient table (PARAM recipientdb, policy-builder(8)
 * "Recipient table"): the valid mailboxes of our local domains, one
 * source line per address, compiled into a read-only GDBM that a worker
 * reopens when policy-builder has replaced it.
 * Not for: deciding which domains are local (the policy's localnames).
 */
#ifndef SMTPD_RCPTDB_H
#define SMTPD_RCPTDB_H

#include <stddef.h>

#define RCPTDB_SOURCE "recipients" /* source file in the db directory */
#define RCPTDB_KEY_MAX 258         /* kind byte + 254 + NUL, rounded */
#define RCPTDB_ADDR_MAX 254        /* RFC 5321 path without brackets */

/*
 * Key kinds (first byte): a whole address, a local part valid in every
 * local domain, a domain's catch-all.  Typed so that a quoted local part
 * with an '@' in it can never match a whole-address entry.
 */
enum { RK_ADDR = 'a', RK_LOCAL = 'l', RK_DOMAIN = 'd' };

/*
 * One source line (no newline; modified in place): "user@domain",
 * "user" or "@domain", surrounding blanks ignored; "#" starts a comment
 * line.  Returns 1 with the key (lowercased, kind byte first, NUL
 * terminated) and its length in *keylen, 0 for a blank or comment line,
 * -1 with the reason in why.
 */
int rcptdb_src_line(
    char *line, char *key, size_t *keylen, char *why, size_t whylen);

/* Key of kind for text (already lowercase); -1 if it does not fit. */
int rcptdb_key(char *key, size_t keysz, int kind, const char *text);

/* The table of one worker; path is without ".gdbm". */
struct rcptdb;
struct rcptdb *rcptdb_new(const char *path, char *err, size_t errlen);
void rcptdb_free(struct rcptdb *);

/*
 * Is local@dom a mailbox (local and dom lowercase, dom "" for none)?
 * Looks up "local@dom", "local", "@dom", reopening the file first if it
 * was replaced.  1 known, 0 unknown, -1 the table is missing or
 * unreadable (reason in err): the caller must not accept.
 */
int rcptdb_check(struct rcptdb *, const char *local, const char *dom, char *err,
    size_t errlen);

#endif
