/*
 * smtpserverctl.c - the administrator's client for the control socket:
 * smtpserverctl [-s socket] [-P postoffice]
 *     status [--json] | metrics | reload | stop
 * Prints the daemon's JSON as is (--json) or flattened into a table, and
 * its Prometheus text as it comes.
 * Not for: anything the daemon does not answer over the socket.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "control.h"

#define REPLY_MAX (1 << 20)

static void
usage(void)
{
	fprintf(stderr,
	    "usage: smtpserverctl [-s socket] [-P postoffice] "
	    "status [--json] | metrics | reload | stop\n");
	exit(2);
}

static int
ask(const char *path, const char *req, struct buf *out)
{
	struct sockaddr_un sun;
	char chunk[4096], line[64];
	ssize_t n;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "smtpserverctl: %s: name too long\n", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(
		    stderr, "smtpserverctl: %s: %s\n", path, strerror(errno));
		return -1;
	}
	{
		/* a reload answers when it is done; never wait for ever */
		struct timeval tv = { 120, 0 };

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	/* the request and its LF in one write: the daemon waits only a
	 * second for the line, and a client stalled between two writes (a
	 * loaded machine) lost its answer to EPIPE */
	n = snprintf(line, sizeof(line), "%s\n", req);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		fprintf(
		    stderr, "smtpserverctl: %.20s...: request too long\n", req);
		close(fd);
		return -1;
	}
	if (write(fd, line, (size_t)n) != n) {
		fprintf(stderr, "smtpserverctl: write: %s\n", strerror(errno));
		close(fd);
		return -1;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		if (buf_append(out, chunk, (size_t)n) < 0)
			break;
	close(fd);
	return out->len > 0 ? 0 : -1;
}

/* ---- a small JSON flattener for the table ---- */

struct js {
	const char *p;
	int bad;
};

static void
ws(struct js *j)
{
	while (isspace((unsigned char)*j->p))
		j->p++;
}

static void value(struct js *, char *path, size_t plen);

static void
string(struct js *j, char *out, size_t len)
{
	size_t n = 0;

	if (*j->p++ != '"') {
		j->bad = 1;
		return;
	}
	while (*j->p && *j->p != '"') {
		char c = *j->p++;
		int k;

		if (c == '\\' && *j->p) {
			c = *j->p++;
			for (k = 0; c == 'u' && k < 4 &&
			     isxdigit((unsigned char)*j->p);
			     k++)
				j->p++;
			if (c == 'u')
				c = '?';
		}
		if (n + 1 < len)
			out[n++] = c;
	}
	out[n] = '\0';
	if (*j->p == '"')
		j->p++;
	else
		j->bad = 1;
}

static void
object(struct js *j, char *path, size_t plen)
{
	size_t base = strlen(path);
	char key[128];

	j->p++;
	for (ws(j); *j->p && *j->p != '}' && !j->bad; ws(j)) {
		string(j, key, sizeof(key));
		ws(j);
		if (*j->p++ != ':')
			j->bad = 1;
		snprintf(
		    path + base, plen - base, "%s%s", base ? "." : "", key);
		value(j, path, plen);
		path[base] = '\0';
		ws(j);
		if (*j->p == ',')
			j->p++;
	}
	if (*j->p == '}')
		j->p++;
}

static void
array(struct js *j, char *path, size_t plen)
{
	size_t base = strlen(path);
	int i = 0;

	j->p++;
	for (ws(j); *j->p && *j->p != ']' && !j->bad; ws(j), i++) {
		snprintf(path + base, plen - base, "[%d]", i);
		value(j, path, plen);
		path[base] = '\0';
		ws(j);
		if (*j->p == ',')
			j->p++;
	}
	if (*j->p == ']')
		j->p++;
}

static void
value(struct js *j, char *path, size_t plen)
{
	char v[512];
	size_t n;

	ws(j);
	if (*j->p == '{') {
		object(j, path, plen);
		return;
	}
	if (*j->p == '[') {
		array(j, path, plen);
		return;
	}
	if (*j->p == '"') {
		string(j, v, sizeof(v));
	} else {
		n = strcspn(j->p, ",}] \t\r\n");
		if (n == 0 || n >= sizeof(v)) {
			j->bad = 1;
			return;
		}
		memcpy(v, j->p, n);
		v[n] = '\0';
		j->p += n;
	}
	printf("%-32s %s\n", path, v);
}

/* The daemon's "error" text of a refused request, or "" if none. */
static void
error_of(const char *json, char *out, size_t len)
{
	struct js j = { strstr(json, "\"error\":"), 0 };

	out[0] = '\0';
	if (j.p == NULL)
		return;
	j.p += strlen("\"error\":");
	ws(&j);
	string(&j, out, len);
}

static int
table(const char *json)
{
	struct js j = { json, 0 };
	char path[512] = "";

	value(&j, path, sizeof(path));
	if (j.bad)
		fprintf(stderr, "smtpserverctl: malformed reply\n");
	return j.bad ? 1 : 0;
}

int
main(int argc, char **argv)
{
	const char *sock = NULL, *po = getenv("POSTOFFICE");
	char path[4096], err[1024];
	struct buf out;
	int c, json = 0, rc, ok;

	while ((c = getopt(argc, argv, "+s:P:")) != -1) {
		if (c == 's')
			sock = optarg;
		else if (c == 'P')
			po = optarg;
		else
			usage();
	}
	if (optind >= argc)
		usage();
	if (optind + 1 < argc && strcmp(argv[optind + 1], "--json") == 0)
		json = 1;
	if (optind + 1 + json < argc)
		usage();
	if (strcmp(argv[optind], "status") != 0 &&
	    strcmp(argv[optind], "reload") != 0 &&
	    strcmp(argv[optind], "metrics") != 0 &&
	    strcmp(argv[optind], "stop") != 0)
		usage();
	if (sock == NULL) {
		snprintf(path, sizeof(path), "%s/%s",
		    po ? po : "/var/spool/postoffice", CONTROL_DEFAULT_NAME);
		sock = path;
	}
	buf_init(&out, REPLY_MAX);
	if (ask(sock, argv[optind], &out) < 0)
		return 1;
	ok = strcmp(argv[optind], "metrics") == 0
	    ? out.data[0] == '#' /* JSON only for an error */
	    : strstr(out.data, "\"ok\":true") != NULL;
	rc = ok ? 0 : 1;
	if (json || strcmp(argv[optind], "status") != 0)
		fputs(out.data, stdout);
	else if (table(out.data) != 0)
		rc = 1;
	if (!ok) { /* the reason, e.g. the file:line of a broken config */
		error_of(out.data, err, sizeof(err));
		fprintf(stderr, "smtpserverctl: %s failed: %s\n", argv[optind],
		    err[0] ? err : "no reason given");
	}
	buf_free(&out);
	return rc;
}
