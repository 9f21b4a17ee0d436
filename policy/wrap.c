/*
 * wrap.c - libwrap check (see wrap.h).  libwrap reads its tables through
 * two globals; we point them at the configured files.  The daemon name
 * is chosen by reading the tables: "smtp-receiver" unless only
 * "smtp-receive" appears in them, so both ZMailer spellings work.
 */
#include "wrap.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tcpd.h>

#include "netaddr.h"

#define NAME_REAL "smtp-receiver"
#define NAME_MANUAL "smtp-receive"

static char *allow_copy, *deny_copy;

int
wrap_set_tables(const char *allow, const char *deny)
{
	char *a = allow ? strdup(allow) : NULL, *d = deny ? strdup(deny) : NULL;

	if ((allow && a == NULL) || (deny && d == NULL)) {
		free(a);
		free(d);
		return -1;
	}
	if (a != NULL) {
		free(allow_copy);
		hosts_allow_table = allow_copy = a;
	}
	if (d != NULL) {
		free(deny_copy);
		hosts_deny_table = deny_copy = d;
	}
	return 0;
}

/* Bits: 1 the real name is in the file, 2 the manual's name is. */
static int
mentions(const char *file)
{
	char line[2048], *p;
	int real = 0, manual = 0, n = 0;
	FILE *fp = fopen(file, "r");

	if (fp == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL && n++ < 100000) {
		for (p = line; (p = strstr(p, NAME_MANUAL)) != NULL; p++) {
			if (p[sizeof(NAME_MANUAL) - 1] == 'r')
				real = 1;
			else
				manual = 1;
		}
	}
	fclose(fp);
	return real | (manual ? 2 : 0);
}

/* Modification stamp of a table, 0 when missing. */
static long long
stamp(const char *file)
{
	struct stat st;
	long long t;

	if (file == NULL || stat(file, &st) < 0)
		return 0;
	t = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	return t ^ ((long long)st.st_ino << 20) ^ (long long)st.st_size;
}

/* Read the tables again only when one of them changed: this runs for
 * every connection. */
const char *
wrap_daemon_name(void)
{
	static long long seen_a = -1, seen_d = -1;
	static int m, warned;
	long long a = stamp(hosts_allow_table), d = stamp(hosts_deny_table);

	if (a != seen_a || d != seen_d) {
		m = mentions(hosts_allow_table) | mentions(hosts_deny_table);
		seen_a = a;
		seen_d = d;
	}
	if (m == 3 && !warned) {
		/* libwrap matches one daemon name: rules for the other are
		 * not applied, deny rules included */
		warned = 1;
		log_msg(LOG_WARNING,
		    "tcp-wrapper files name both " NAME_REAL " and " NAME_MANUAL
		    "; only " NAME_REAL " rules apply, rename the others");
	}
	return (m & 1) || m == 0 ? NAME_REAL : NAME_MANUAL;
}

int
wrap_check(const struct sockaddr *peer, const char *ptrname)
{
	struct request_info req;
	char addr[64];

	if (netaddr_text(peer, addr, sizeof(addr)) < 0)
		return 0;
	request_init(&req, RQ_DAEMON, wrap_daemon_name(), RQ_CLIENT_ADDR, addr,
	    RQ_CLIENT_NAME,
	    (ptrname != NULL && *ptrname != '\0') ? ptrname : STRING_UNKNOWN,
	    0);
	return hosts_access(&req) ? 1 : 0;
}
