/*
 * netdial.c - client sockets for the side protocols (netdial.h): connect
 * with a deadline, write all, read one bounded line.
 * Not for: anything that needs buffering or TLS (stream.c).
 */
#include "netdial.h"

#include "mono.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* One address: 0 connected, -1 not. */
static int
dial_one(const struct addrinfo *a, long long deadline)
{
	int fd, err = 0;
	socklen_t elen = sizeof(err);

	fd = socket(
	    a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if ((connect(fd, a->ai_addr, a->ai_addrlen) < 0 &&
	        errno != EINPROGRESS) ||
	    mono_poll(fd, POLLOUT, deadline) != 1 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0 || err) {
		close(fd);
		return -1;
	}
	return fd;
}

int
netdial(const char *host, int port, int socktype, long long deadline, char *err,
    size_t errlen)
{
	struct addrinfo hints, *res = NULL, *a;
	char name[256], serv[16];
	size_t n = strlen(host);
	int fd = -1, rc;

	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		host++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(name) || port <= 0 || port > 65535) {
		snprintf(err, errlen, "bad address");
		return -1;
	}
	memcpy(name, host, n);
	name[n] = '\0';
	snprintf(serv, sizeof(serv), "%d", port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(name, serv, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", name, gai_strerror(rc));
		return -1;
	}
	for (a = res; a != NULL && fd < 0; a = a->ai_next)
		fd = dial_one(a, deadline);
	freeaddrinfo(res);
	if (fd < 0)
		snprintf(err, errlen, "%s port %d: cannot connect", name, port);
	return fd;
}

int
netdial_write(int fd, const char *s, size_t len, long long deadline)
{
	ssize_t w;

	while (len > 0) {
		if (mono_poll(fd, POLLOUT, deadline) != 1)
			return -1;
		w = send(fd, s, len, MSG_NOSIGNAL);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w <= 0)
			return -1;
		s += w;
		len -= (size_t)w;
	}
	return 0;
}

int
netdial_line(int fd, char *buf, size_t len, long long deadline)
{
	size_t n = 0;
	ssize_t r;
	char c;

	if (len == 0)
		return -1;
	for (;;) {
		if (mono_poll(fd, POLLIN, deadline) != 1)
			return -1;
		r = read(fd, &c, 1);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return -1;
		if (c == '\n')
			break;
		if (n + 1 >= len)
			return -1;
		buf[n++] = c;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return 0;
}
