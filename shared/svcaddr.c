/*
 * svcaddr.c - "unix:/path" and "inet:host:port" service addresses: the
 * parser the configuration uses to check them and the connect with a
 * timeout the clients use (policy services, milters).
 * Not for: reading or writing the protocol spoken there.
 */
#include "svcaddr.h"

#include "mono.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int
fail(char *err, size_t errlen, const char *why, const char *text)
{
	snprintf(err, errlen, "%s: '%.200s'", why, text);
	return -1;
}

static int
parse_inet(const char *text, const char *p, struct svcaddr *a, char *err,
    size_t errlen)
{
	const char *colon, *end;
	char *e;
	size_t n;
	long port;

	if (*p == '[') {
		if ((end = strchr(p, ']')) == NULL || end[1] != ':')
			return fail(
			    err, errlen, "expected inet:[address]:port", text);
		p++;
		n = (size_t)(end - p);
		colon = end + 1;
	} else {
		if ((colon = strrchr(p, ':')) == NULL)
			return fail(
			    err, errlen, "expected inet:host:port", text);
		n = (size_t)(colon - p);
	}
	if (n == 0 || n >= sizeof(a->host) || memchr(p, ' ', n))
		return fail(err, errlen, "bad host in", text);
	memcpy(a->host, p, n);
	a->host[n] = '\0';
	errno = 0;
	port = strtol(colon + 1, &e, 10);
	if (colon[1] == '\0' || *e != '\0' || errno || port < 1 || port > 65535)
		return fail(err, errlen, "bad port (1..65535) in", text);
	a->port = (int)port;
	return 0;
}

int
svcaddr_parse(const char *text, struct svcaddr *a, char *err, size_t errlen)
{
	size_t n;

	memset(a, 0, sizeof(*a));
	if (strncmp(text, "unix:", 5) == 0) {
		n = strlen(text + 5);
		if (n == 0 || text[5] != '/')
			return fail(
			    err, errlen, "expected unix:/absolute/path", text);
		if (n >= sizeof(a->path))
			return fail(err, errlen, "socket path too long", text);
		memcpy(a->path, text + 5, n + 1);
		a->is_unix = 1;
		return 0;
	}
	if (strncmp(text, "inet:", 5) == 0)
		return parse_inet(text, text + 5, a, err, errlen);
	return fail(err, errlen, "expected unix:/path or inet:host:port", text);
}

/* Finish a non-blocking connect within ms; 0 or -1 with errno. */
static int
wait_connect(int fd, int ms)
{
	socklen_t len = sizeof(int);
	int n, soerr = 0;

	n = mono_poll(fd, POLLOUT, mono_now() + ms);
	if (n == 0)
		errno = ETIMEDOUT;
	if (n <= 0)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		return -1;
	if (soerr != 0) {
		errno = soerr;
		return -1;
	}
	return 0;
}

static int
connect_to(const struct sockaddr *sa, socklen_t len, int timeout)
{
	int fd, fl, eno;

	fd = socket(
	    sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, sa, len) < 0 &&
	    (errno != EINPROGRESS || wait_connect(fd, timeout * 1000) < 0)) {
		eno = errno;
		close(fd);
		errno = eno;
		return -1;
	}
	if ((fl = fcntl(fd, F_GETFL)) >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

int
svcaddr_connect(const struct svcaddr *a, int timeout, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct sockaddr_un sun;
	char port[16];
	int fd = -1, rc;

	if (a->is_unix) {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		memcpy(sun.sun_path, a->path, sizeof(sun.sun_path));
		sun.sun_path[sizeof(sun.sun_path) - 1] = '\0';
		fd = connect_to((struct sockaddr *)&sun, sizeof(sun), timeout);
		if (fd < 0)
			snprintf(err, errlen, "unix:%s: %s", a->path,
			    strerror(errno));
		return fd;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%d", a->port);
	if ((rc = getaddrinfo(a->host, port, &hints, &res)) != 0) {
		snprintf(err, errlen, "inet:%s:%d: %s", a->host, a->port,
		    gai_strerror(rc));
		return -1;
	}
	errno = ENOENT;
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next)
		fd = connect_to(ai->ai_addr, ai->ai_addrlen, timeout);
	if (fd < 0)
		snprintf(err, errlen, "inet:%s:%d: %s", a->host, a->port,
		    strerror(errno));
	freeaddrinfo(res);
	return fd;
}
