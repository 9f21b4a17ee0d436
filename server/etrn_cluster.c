/*
 * etrn_cluster.c - the client side of ZMailer's scheduler ETRN exchange
 * (etrn_cluster.h), one node at a time, every step under one deadline.
 * What the node says is another program's text: read in bounded lines
 * and passed on only through the reply builder, which cleans it.
 * Not for: deciding the fallback (cmd_etrn.c).
 */
#include "etrn_cluster.h"

#include <ctype.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "mono.h"
#include "netdial.h"

#define MQ2_LINE_MAX 512
#define MQ2_PREAMBLE "version zmailer 2.0"

int
etrn_cluster_digest(const char *challenge, const char *pass, char out[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	if (ctx == NULL)
		return -1;
	ok = EVP_DigestInit_ex(ctx, EVP_md5(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, challenge, strlen(challenge)) == 1 &&
	    EVP_DigestUpdate(ctx, pass, strlen(pass)) == 1 &&
	    EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == 16;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -1;
	for (i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* "host[/port]" into host and port (ZMailer's defaults). */
static int
split_node(const char *node, char *host, size_t hostlen, int *port,
    etrn_say_fn say, void *arg)
{
	const char *slash = strchr(node, '/');
	size_t n = slash ? (size_t)(slash - node) : strlen(node);
	struct servent *se;

	if (n == 0 || n >= hostlen)
		return -1;
	memcpy(host, node, n);
	host[n] = '\0';
	*port = ETRN_MAILQ_PORT;
	if (slash != NULL && isdigit((unsigned char)slash[1])) {
		long p = strtol(slash + 1, NULL, 10);

		if (p <= 0 || p > 65535)
			return -1;
		*port = (int)p;
	} else if (slash == NULL) {
		se = getservbyname("mailq", "tcp");
		if (se != NULL)
			*port = ntohs((uint16_t)se->s_port);
		else
			say(arg, "Cannot find 'mailq' tcp service");
	}
	return 0;
}

/* Version line, challenge, AUTH; 0 when the node said '+'. */
static int
authenticate(int fd, const char *user, const char *pass, long long deadline,
    etrn_say_fn say, void *arg)
{
	char line[MQ2_LINE_MAX], out[MQ2_LINE_MAX], hex[33];
	int n;

	if (netdial_line(fd, line, sizeof(line), deadline) < 0 ||
	    strncmp(line, MQ2_PREAMBLE, strlen(MQ2_PREAMBLE)) != 0) {
		say(arg, "MQ2 version mismatch or no greeting");
		return -1;
	}
	if (netdial_line(fd, line, sizeof(line), deadline) < 0 ||
	    etrn_cluster_digest(line, pass, hex) < 0) {
		say(arg, "MQ2 challenge not received");
		return -1;
	}
	n = snprintf(out, sizeof(out), "AUTH %s %s\n", user, hex);
	if (n <= 0 || (size_t)n >= sizeof(out) ||
	    netdial_write(fd, out, (size_t)n, deadline) < 0) {
		say(arg, "MQ2-AUTH write failure occurred");
		return -1;
	}
	if (netdial_line(fd, line, sizeof(line), deadline) < 0 ||
	    line[0] != '+') {
		say(arg, "MQ2-AUTH failure occurred");
		return -1;
	}
	return 0;
}

int
etrn_cluster_node(const char *node, const char *user, const char *pass,
    const char *domain, const char *iplit, const char *myhost, int timeout,
    etrn_say_fn say, void *arg)
{
	char host[256], line[MQ2_LINE_MAX], out[MQ2_LINE_MAX], err[300];
	long long deadline = mono_after(timeout > 0 ? timeout : 1);
	int fd, port, n, rc = -1;

	snprintf(out, sizeof(out), "Attempting ETRN on cluster node: %s", node);
	say(arg, out);
	if (split_node(node, host, sizeof(host), &port, say, arg) < 0) {
		say(arg, "Unable to connect() to scheduler");
		return -1;
	}
	fd = netdial(host, port, SOCK_STREAM, deadline, err, sizeof(err));
	if (fd < 0) {
		say(arg, "Unable to connect() to scheduler");
		return -1;
	}
	if (authenticate(fd, user, pass, deadline, say, arg) < 0)
		goto out;
	n = snprintf(
	    out, sizeof(out), "ETRN %s %s@%s\n", domain, iplit, myhost);
	if (n <= 0 || (size_t)n >= sizeof(out) ||
	    netdial_write(fd, out, (size_t)n, deadline) < 0) {
		say(arg, "MQ2-ETRN write failure occurred");
		goto out;
	}
	if (netdial_line(fd, line, sizeof(line), deadline) < 0) {
		say(arg, "MQ2-ETRN no answer from scheduler");
		goto out;
	}
	say(arg, line);
	rc = 0;
out:
	close(fd);
	return rc;
}
