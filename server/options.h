/*
 * options.h - the ZMailer smtpserver command line, parsed once by main().
 */
#ifndef SMTPD_OPTIONS_H
#define SMTPD_OPTIONS_H

/* Options that are parsed but not implemented (drop a letter when it is
 * built): -R router, -X and -8 charset translation. */
#define OPT_UNBUILT "RX8"

struct options {
	int force4, force6;     /* -4 / -6 */
	int ident;              /* -a */
	int bsmtp;              /* -B */
	const char *cfgfile;    /* -C */
	int debug;              /* -d n */
	int gullible;           /* -g */
	int helo_strict;        /* -h */
	int interactive;        /* -i */
	const char *pidfile;    /* -I, relative to POSTOFFICE */
	const char *logfile;    /* -l file */
	int log_syslog;         /* -l SYSLOG */
	double maxload;         /* -L, 0 = none */
	long maxsize;           /* -M, -1 = not given */
	int inetd;              /* -n */
	int port;               /* -p, 0 = not given */
	const char *postoffice; /* -P (or ZENV POSTOFFICE) */
	const char *router;     /* -R */
	const char *style;      /* -s */
	const char *logsuffix;  /* -S local|remote */
	int implicit_tls;       /* -t */
	const char *test_addr;  /* -T '[a.b.c.d]' */
	int verbose;            /* -v */
	int whoson;             /* -w */
	const char *zenvfile;   /* -Z */
	int check_only;         /* -K: check the configuration and exit */
	int foreground;         /* -F: daemon without detaching (systemd) */
	char unbuilt[sizeof(OPT_UNBUILT)]; /* the OPT_UNBUILT ones given */
};

#endif
