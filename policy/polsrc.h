/*
 * polsrc.h - the policy source language (spec 7.1): one line
 * "key [attr value]... [= _tag]" to a binary key and value block, as
 * ZMailer's "makedb -p" does.  Used by policy-builder and the tests.
 */
#ifndef SMTPD_POLSRC_H
#define SMTPD_POLSRC_H

#include <stddef.h>

#include "policydb.h"

#define POLSRC_LINE_MAX 16384

struct polsrc_rec {
	unsigned char key[PKEY_MAX + 1];
	unsigned char val[POLSRC_LINE_MAX];
	size_t vallen;
};

/*
 * Parse one line (no newline; modified in place).  Returns 1 with a
 * record, 0 for a comment, blank, indented or attribute-less line, -1
 * with the reason in why.
 */
int polsrc_line(char *line, struct polsrc_rec *, char *why, size_t whylen);
/* Encode a key text (lowercased in place): network, user, tag, domain. */
int polsrc_key(
    char *text, unsigned char *key, size_t keylen, char *why, size_t whylen);

#endif
