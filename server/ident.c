/*
 * ident.c - RFC 1413 client identification (-a): one query on port 113
 * of the client's address, bounded in time and length; the answer is
 * client-controlled text and is cleaned before anyone sees it.
 * Not for: trusting anybody (ZMailer only records it).
 */
#include "ident.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mono.h"
#include "netaddr.h"

#define FAULT "IDENT-CALL-FAULT"

/* A socket from our side of the connection to the client's port 113. */
static int
dial(const struct sockaddr *peer, const struct sockaddr *local, int port,
    long long deadline)
{
	struct sockaddr_storage to, from;
	socklen_t len = peer->sa_family == AF_INET6
	    ? sizeof(struct sockaddr_in6)
	    : sizeof(struct sockaddr_in);
	int fd, err = 0;
	socklen_t elen = sizeof(err);

	memcpy(&to, peer, len);
	memcpy(&from, local, len);
	if (to.ss_family == AF_INET6) {
		((struct sockaddr_in6 *)&to)->sin6_port = htons((uint16_t)port);
		((struct sockaddr_in6 *)&from)->sin6_port = 0;
	} else {
		((struct sockaddr_in *)&to)->sin_port = htons((uint16_t)port);
		((struct sockaddr_in *)&from)->sin_port = 0;
	}
	fd =
	    socket(to.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&from, len) < 0 ||
	    (connect(fd, (struct sockaddr *)&to, len) < 0 &&
	        errno != EINPROGRESS) ||
	    mono_poll(fd, POLLOUT, deadline) != 1 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0 || err) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Read one line (at most len-1 bytes) before the deadline. */
static int
read_line(int fd, char *buf, size_t len, long long deadline)
{
	size_t n = 0;
	ssize_t r;

	while (n < len - 1) {
		if (mono_poll(fd, POLLIN, deadline) != 1)
			return -1;
		r = read(fd, buf + n, len - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		buf[n] = '\0';
		if (strchr(buf, '\n'))
			break;
	}
	buf[n] = '\0';
	return n > 0 ? 0 : -1;
}

/* "ports : USERID : os[,charset] : user" -> user, printable, bounded. */
static int
parse_reply(char *line, char *out, size_t outlen)
{
	char *p = strchr(line, ':'), *user;
	size_t i, o = 0;

	if (p == NULL || strncmp(p + strspn(p + 1, " \t") + 1, "USERID", 6))
		return -1;
	if ((p = strchr(p + 1, ':')) == NULL ||
	    (user = strchr(p + 1, ':')) == NULL)
		return -1;
	user += 1 + strspn(user + 1, " \t");
	for (i = 0; user[i] && user[i] != '\r' && user[i] != '\n' &&
	     o + 1 < outlen && o < 64;
	     i++) {
		unsigned char c = (unsigned char)user[i];

		out[o++] = (c > 0x20 && c < 0x7f && c != '"' && c != '\\')
		    ? (char)c
		    : '_';
	}
	out[o] = '\0';
	return o > 0 ? 0 : -1;
}

void
ident_query(const struct sockaddr *peer, const struct sockaddr *local, int port,
    int timeout, char *out, size_t outlen)
{
	long long deadline = mono_after(timeout);
	char req[64], line[512];
	int fd, n;

	snprintf(out, outlen, "%s", FAULT);
	if (peer->sa_family != local->sa_family)
		return;
	fd = dial(peer, local, port, deadline);
	if (fd < 0)
		return;
	n = snprintf(req, sizeof(req), "%d , %d\r\n", netaddr_port(peer),
	    netaddr_port(local));
	if (write(fd, req, (size_t)n) == n &&
	    read_line(fd, line, sizeof(line), deadline) == 0 &&
	    parse_reply(line, out, outlen) < 0)
		snprintf(out, outlen, "%s", FAULT);
	close(fd);
}
