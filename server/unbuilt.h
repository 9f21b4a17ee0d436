/*
 * unbuilt.h - the one list of what a configuration and command line ask
 * for that this server does not do yet: the PARAMs and HELO-pattern flags
 * of conf_unbuilt() and the options of OPT_UNBUILT.  The daemon logs it at
 * start and on reload; -K prints it and exits 2.
 */
#ifndef SMTPD_UNBUILT_H
#define SMTPD_UNBUILT_H

#include <stddef.h>

struct conf;
struct options;

/* One line per keyword ("where: what") to out; returns how many.  o may
 * be NULL (no command line). */
size_t unbuilt_report(const struct options *o, const struct conf *c,
    void (*out)(void *, const char *), void *arg);
/* The same list, each line a warning in the daemon's log. */
size_t unbuilt_log(const struct options *o, const struct conf *c);

#endif
