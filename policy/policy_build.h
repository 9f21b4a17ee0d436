/*
 * policy_build.h - policy-builder(8)'s work: merge the source files
 * of a db directory into one GDBM database, written beside the old one
 * and renamed into place.  policy_builder.c is only its command line.
 */
#ifndef SMTPD_POLICY_BUILD_H
#define SMTPD_POLICY_BUILD_H

#include <stdio.h>

/*
 * dir: the sources' directory; base: output base name ("smtp-policy"
 * gives smtp-policy.gdbm).  Source errors go to errs as "file:line:
 * reason".  Returns 0, or -1 (nothing renamed; the old database stays).
 */
int policy_build(const char *dir, const char *base, FILE *errs);

#endif
