/*
 * policy_builder.c - policy-builder(8): compile the policy sources of a
 * db directory into BASE.gdbm (the work is in policy_build.c).  Options as
 * ZMailer's policy-builder.sh: -n (no spam-list fetching; we never
 * fetch), -d dir, and ours: -f base.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy_build.h"

static void
usage(void)
{
	fprintf(
	    stderr, "usage: policy-builder [-n] [-d dbdir] [-f basename]\n");
	exit(64);
}

int
main(int argc, char **argv)
{
	const char *dir = NULL, *base = "smtp-policy";
	const char *mailvar;
	char defdir[4096];
	struct stat st;
	int c;

	while ((c = getopt(argc, argv, "nd:f:")) != -1) {
		switch (c) {
		case 'n':
			break;
		case 'd':
			dir = optarg;
			break;
		case 'f':
			base = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || *base == '\0')
		usage();
	if (dir == NULL) {
		mailvar = getenv("MAILVAR");
		if (snprintf(defdir, sizeof(defdir), "%s/db",
		        mailvar ? mailvar : "/var/lib/zmailer") >=
		    (int)sizeof(defdir))
			usage();
		dir = defdir;
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "policy-builder: %s: not a directory\n", dir);
		return 1;
	}
	umask(022);
	return policy_build(dir, base, stderr) == 0 ? 0 : 1;
}
