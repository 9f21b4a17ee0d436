/*
 * policy_src.h - the policy source language (policy-builder(8) "Source
 * syntax"): one line "key [attr value]... [= _tag]" to a binary key and
 * value block, as ZMailer's "makedb -p" does.  Used by policy-builder and the tests.
 */
#ifndef SMTPD_POLICY_SRC_H
#define SMTPD_POLICY_SRC_H

#include <stddef.h>

#include "policydb.h"

#define POLICY_SRC_LINE_MAX 16384

struct policy_src_rec {
	unsigned char key[PKEY_MAX + 1];
	unsigned char val[POLICY_SRC_LINE_MAX];
	size_t vallen;
};

/*
 * Parse one line (no newline; modified in place).  Returns 1 with a
 * record, 0 for a comment, blank, indented or attribute-less line, -1
 * with the reason in why.
 */
int policy_src_line(
    char *line, struct policy_src_rec *, char *why, size_t whylen);
/* Encode a key text (lowercased in place): network, user, tag, domain. */
int policy_src_key(
    char *text, unsigned char *key, size_t keylen, char *why, size_t whylen);

#endif
