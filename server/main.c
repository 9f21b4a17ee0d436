/*
 * main.c - smtpserver: the ZMailer command line (smtpserver(8), OPTIONS), ZENV and
 * configuration loading, and the choice of mode: one session on
 * stdin/stdout (-i), one on an inherited socket (-n, inetd), a
 * configuration check (-K), or the daemon.
 * Not for: the session (session.c) or the process model (supervisor.c).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "netaddr.h"
#include "options.h"
#include "policy.h"
#include "privhelper.h"
#include "subdaemons.h"
#include "session.h"
#include "supervisor.h"
#include "tls.h"
#include "unbuilt.h"
#include "zenv.h"

#define DEFAULT_POSTOFFICE "/var/spool/postoffice"
#define DEFAULT_MAILSHARE "/etc/zmailer"

static void
usage(const char *argv0)
{
	fprintf(stderr,
	    "usage: %s [-46aBFghiKntVvw] [-C cfgfile] [-d level] [-I pidfile]\n"
	    "       [-l SYSLOG] [-l logfile] [-L maxloadavg] [-M maxsize]\n"
	    "       [-p port] [-P postoffice] [-R router] [-s style|strict|"
	    "sloppy]\n"
	    "       [-S local|remote] [-T '[a.b.c.d]'] [-Z zenvfile]\n",
	    argv0);
	exit(1);
}

/* Numeric option argument or usage. */
static long
num_arg(const char *argv0, const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end)
		usage(argv0);
	return v;
}

/* -L: a load average such as 8 or 2.5. */
static double
load_arg(const char *argv0, const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < 0 || v > 1e6) {
		fprintf(stderr,
		    "%s: -L needs a load average such as 8 or 2.5\n", argv0);
		usage(argv0);
	}
	return v;
}

static void
opt_char(struct options *o, int c, const char *argv0)
{
	switch (c) {
	case '4':
		o->force4 = 1;
		break;
	case '6':
		o->force6 = 1;
		break;
	case 'a':
		o->ident = 1;
		break;
	case 'B':
		o->bsmtp = 1;
		break;
	case 'C':
		o->cfgfile = optarg;
		break;
	case 'd':
		o->debug = (int)num_arg(argv0, optarg);
		break;
	case 'F':
		o->foreground = 1;
		break;
	case 'g':
		o->gullible = 1;
		break;
	case 'h':
		o->helo_strict = 1;
		break;
	case 'i':
		o->interactive = 1;
		break;
	case 'I':
		o->pidfile = optarg;
		break;
	case 'K':
		o->check_only = 1;
		break;
	case 'l':
		if (strcmp(optarg, "SYSLOG") == 0)
			o->log_syslog = 1;
		else
			o->logfile = optarg;
		break;
	case 'L':
		o->maxload = load_arg(argv0, optarg);
		break;
	case 'M':
		o->maxsize = num_arg(argv0, optarg);
		break;
	case 'n':
		o->inetd = 1;
		break;
	case 'p':
		o->port = (int)num_arg(argv0, optarg);
		break;
	case 'P':
		o->postoffice = optarg;
		break;
	case 'R':
		o->router = optarg;
		break;
	case 's':
		o->style = optarg;
		break;
	case 'S':
		o->logsuffix = optarg;
		break;
	case 't':
		o->implicit_tls = 1;
		break;
	case 'T':
		o->test_addr = optarg;
		break;
	case 'v':
		o->verbose = 1;
		break;
	case 'w':
		o->whoson = 1;
		break;
	case 'X':
	case '8':
		break; /* charset translation: not built */
	case 'Z':
		o->zenvfile = optarg;
		break;
	default:
		usage(argv0);
	}
}

/* Remember a given OPT_UNBUILT option, once, for unbuilt_report(). */
static void
note_unbuilt(struct options *o, int c)
{
	size_t n = strlen(o->unbuilt);

	if (c != 0 && strchr(OPT_UNBUILT, c) != NULL &&
	    strchr(o->unbuilt, c) == NULL && n + 1 < sizeof(o->unbuilt))
		o->unbuilt[n] = (char)c;
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int c;

	memset(o, 0, sizeof(*o));
	o->maxsize = -1;
	while ((c = getopt(argc, argv,
	            "?46aBC:d:FghiI:Kl:L:M:np:P:R:s:S:tT:VvwX8Z:")) != -1) {
		if (c == 'V') {
			printf("smtpserver %s\n", SMTPSERVER_VERSION);
			exit(0);
		}
		opt_char(o, c, argv[0]);
		note_unbuilt(o, c);
	}
	if (optind != argc)
		usage(argv[0]);
	if (o->maxsize < -1)
		o->maxsize = 0;
	if (o->maxload > 0 && o->maxload < 1)
		o->maxload = 10;
	if (o->logsuffix && strcmp(o->logsuffix, "local") != 0 &&
	    strcmp(o->logsuffix, "remote") != 0)
		usage(argv[0]);
	if (o->test_addr && netaddr_literal(o->test_addr, &ss, &len) < 0) {
		fprintf(stderr,
		    "%s: -T needs an address literal such as "
		    "'[192.0.2.1]' or '[IPv6:2001:db8::1]'\n",
		    argv[0]);
		usage(argv[0]);
	}
}

static void
warn_stderr(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "smtpserver: warning: %s\n", msg);
	log_msg(LOG_WARNING, "%s", msg);
}

static struct zenv *
load_zenv(struct options *o)
{
	const char *path = o->zenvfile;
	struct zenv *z;
	char err[512];

	if (path == NULL)
		path = getenv("ZCONFIG");
	if (path == NULL)
		path = DEFAULT_ZENV;
	o->zenvfile = path; /* ZCONFIG of the sub-daemons */
	z = zenv_load(path, err, sizeof(err));
	if (z == NULL) {
		fprintf(stderr, "smtpserver: %s\n", err);
		exit(1);
	}
	if (o->postoffice == NULL)
		o->postoffice = zenv_get(z, "POSTOFFICE");
	if (o->postoffice == NULL)
		o->postoffice = DEFAULT_POSTOFFICE;
	return z;
}

static struct conf *
load_conf(struct options *o, const struct zenv *z, char *pathbuf, size_t len)
{
	const char *share = zenv_get(z, "MAILSHARE");
	struct conf *c;
	char err[1024];

	if (o->cfgfile == NULL) {
		snprintf(pathbuf, len, "%s/smtpserver.conf",
		    share ? share : DEFAULT_MAILSHARE);
		o->cfgfile = pathbuf;
	}
	if (access(o->cfgfile, F_OK) < 0 && errno == ENOENT && !o->check_only &&
	    o->cfgfile == pathbuf) {
		log_msg(LOG_WARNING, "no %s, using defaults", o->cfgfile);
		return conf_defaults();
	}
	c = conf_load(o->cfgfile, z, err, sizeof(err), warn_stderr, NULL);
	if (c == NULL) {
		fprintf(stderr, "smtpserver: %s\n", err);
		log_msg(LOG_ERR, "%s", err);
		exit(o->check_only ? 1 : 2);
	}
	return c;
}

static void
dump_line(void *arg, const char *line)
{
	(void)arg;
	printf("%s\n", line);
}

static void
my_hostname(const struct conf *c, char *out, size_t len)
{
	if (c->hostname && *c->hostname) {
		snprintf(out, len, "%s", c->hostname);
		return;
	}
	if (gethostname(out, len - 1) < 0)
		snprintf(out, len, "localhost");
	out[len - 1] = '\0';
}

/* The peer of a -i/-n session: the socket's, or the -T literal. */
static void
session_peer(const struct options *o, struct session_env *e)
{
	struct stat st;
	int fam;

	e->peerlen = sizeof(e->peer);
	e->locallen = sizeof(e->local);
	if (fstat(e->fd_in, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    getpeername(e->fd_in, (struct sockaddr *)&e->peer, &e->peerlen) ==
	        0) {
		fam = e->peer.ss_family;
		/* only an IP peer is a network client; anything else (a
		 * UNIX socket from a wrapper) has no address to judge */
		e->network = fam == AF_INET || fam == AF_INET6;
		if (getsockname(e->fd_in, (struct sockaddr *)&e->local,
		        &e->locallen) < 0)
			e->locallen = 0;
	}
	if (!e->network)
		e->peerlen = e->locallen = 0;
	if (o->test_addr) {
		netaddr_literal(o->test_addr, &e->peer, &e->peerlen);
		e->network = 1;
	}
}

/* TRUSTEDUSER (default daemon) when we are root, else ourselves. */
static int
trusted_ids(
    const struct zenv *z, uid_t *uid, gid_t *gid, char *err, size_t errlen)
{
	const char *user = zenv_get(z, "TRUSTEDUSER");

	*uid = getuid();
	*gid = getgid();
	if (getuid() != 0 && geteuid() != 0)
		return 0;
	*uid = 0; /* unknown: the helper will not run a pipe program */
	return daemon_user(
	    user && *user ? user : "daemon", uid, gid, err, errlen);
}

/*
 * What a -i/-n session needs while still privileged: the TLS context
 * (keys are often root-only) and the AUTH helper, forked here because
 * there is no supervisor to own it.  Failures are logged: the session
 * then answers 454 to STARTTLS / AUTH (or closes under -t).
 */
static void
privileged_setup(const struct options *o, struct session_env *e)
{
	const struct conf_group *g = e->grp;
	char err[512];
	uid_t uid;
	gid_t gid;

	if (g->use_tls || o->implicit_tls) {
		e->tls = tls_server_new(g, err, sizeof(err));
		if (e->tls == NULL)
			log_msg(LOG_ERR, "TLS: %s", err);
	}
	if (g->smtp_auth || e->conf->msa_mode || o->implicit_tls) {
		if (trusted_ids(e->zenv, &uid, &gid, err, sizeof(err)) < 0)
			log_msg(LOG_ERR, "AUTH helper: %s", err);
		e->auth = privhelper_spawn(e->conf, uid, gid, err, sizeof(err));
		if (e->auth == NULL)
			log_msg(LOG_ERR, "AUTH helper: %s", err);
	}
}

/* The router and contentfilter keepers of a -i/-n session, run as
 * TRUSTEDUSER (as the daemon's): there is no supervisor to keep them. */
static void
subd_setup(
    const struct options *o, struct session_env *e, struct subdaemons *sd)
{
	char err[512];
	uid_t uid;
	gid_t gid;

	if (trusted_ids(e->zenv, &uid, &gid, err, sizeof(err)) < 0)
		log_msg(LOG_ERR, "sub-daemons: %s", err);
	subdaemons_open(sd, e->conf, o, e->zenv, uid, gid, 0);
	e->subd = sd;
}

/*
 * A session started as root (-n from inetd, -i) runs as TRUSTEDUSER
 * (default daemon), like the daemon's workers and ZMailer's sessions,
 * once keys, helper and policy are open and the -l file is made for it:
 * its spool and log files are in directories that user can write.
 */
static int
session_drop(const struct zenv *z, const char *logfile)
{
	char err[256];
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0)
		return 0;
	if (trusted_ids(z, &uid, &gid, err, sizeof(err)) == 0)
		xlog_prepare(logfile, uid, gid);
	if (uid == 0 || daemon_drop(uid, gid, err, sizeof(err)) < 0) {
		log_msg(LOG_ERR, "cannot drop privileges: %s", err);
		fprintf(stderr, "smtpserver: %s\n", err);
		return -1;
	}
	return 0;
}

/* -i and -n: one session on the inherited descriptors. */
static int
one_session(const struct options *o, struct conf *c, struct zenv *z)
{
	struct session_env e;
	struct subdaemons subd;
	char host[256], lname[1024], err[512];
	const char *lfile;
	int rc;

	my_hostname(c, host, sizeof(host));
	session_env_init(&e, o, c, conf_group(c, 0));
	e.zenv = z;
	e.myhostname = host;
	e.fd_in = 0;
	e.fd_out = o->inetd ? 0 : 1;
	session_peer(o, &e);
	if (o->inetd && !e.network) {
		/* -n without a TCP peer would be a trusted local session,
		 * which for a network service means an open relay */
		fprintf(stderr,
		    "smtpserver: -n needs a TCP connection on "
		    "descriptor 0 (with an IPv4/IPv6 peer)\n");
		log_msg(LOG_ERR,
		    "-n: descriptor 0 is not a TCP connection, "
		    "refusing the session");
		return 2;
	}
	e.kind = o->implicit_tls ? BIND_SMTPS : BIND_SMTP;
	if (e.network) {
		e.policy = session_open_policy(c, e.grp, z, err, sizeof(err));
		if (e.policy == NULL) {
			fprintf(stderr, "smtpserver: %s\n", err);
			log_msg(LOG_ERR, "%s", err);
			return 2;
		}
	}
	privileged_setup(o, &e);
	subd_setup(o, &e, &subd);
	lfile = session_log_name(&e, o, lname, sizeof(lname));
	if (session_drop(z, lfile) < 0)
		return 2;
	e.xlog = xlog_open(lfile, o->log_syslog, time(NULL), (long)getpid());
	rc = session_run(&e);
	privhelper_close(e.auth);
	subdaemons_close(&subd, 1);
	tls_server_free(e.tls);
	xlog_close(e.xlog);
	if (e.policy)
		policy_close(e.policy);
	return rc;
}

static void
print_unbuilt(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "smtpserver: warning: %s\n", line);
}

/*
 * -K: the file parsed (errors already reported); also open every group's
 * policy database as the daemon would, since a network session without
 * one is refused.  0 usable, 1 not, 2 usable but asking for keywords
 * that are parsed and not implemented (each printed).
 */
static int
check_config(
    const struct options *o, const struct conf *c, const struct zenv *z)
{
	const struct conf_group *g;
	struct policy *p;
	char err[512];
	size_t i, unbuilt;
	int bad = 0;

	if (o->debug)
		conf_dump(c, dump_line, NULL);
	for (i = 0; (g = conf_group(c, i)) != NULL; i++) {
		p = session_open_policy(c, g, z, err, sizeof(err));
		if (p == NULL) {
			fprintf(stderr, "%s: group %s: %s\n", o->cfgfile,
			    g->name ? g->name : "default", err);
			bad = 1;
		}
		policy_close(p);
	}
	if (c->nhelo == 0)
		fprintf(stderr,
		    "%s: warning: no HELO-pattern line; the usual "
		    "last line is '* 999 veR'\n",
		    o->cfgfile);
	unbuilt = unbuilt_report(o, c, print_unbuilt, NULL);
	if (bad)
		printf(
		    "%s: configuration NOT usable by the daemon\n", o->cfgfile);
	else if (unbuilt > 0)
		printf("%s: configuration usable, but %zu keyword%s not "
		       "implemented (see above)\n",
		    o->cfgfile, unbuilt, unbuilt == 1 ? " is" : "s are");
	else
		printf("%s: configuration OK\n", o->cfgfile);
	return bad ? 1 : unbuilt > 0 ? 2 : 0;
}

int
main(int argc, char **argv)
{
	struct options o;
	struct zenv *z;
	struct conf *c;
	char cfpath[1024];
	int rc;

	signal(SIGPIPE, SIG_IGN);
	parse_options(argc, argv, &o);
	log_init("smtpserver", o.debug > 0 && !o.interactive);
	z = load_zenv(&o);
	c = load_conf(&o, z, cfpath, sizeof(cfpath));
	if (o.check_only) {
		rc = check_config(&o, c, z);
	} else if (o.interactive || o.inetd) {
		rc = one_session(&o, c, z);
	} else {
		rc = supervisor_run(&o, c, z);
	}
	conf_free(c);
	zenv_free(z);
	return rc;
}
