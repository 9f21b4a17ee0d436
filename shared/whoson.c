/*
 * whoson.c - the whoson client (whoson.h): "QUERY <addr>\r\n\r\n" out, one
 * answer back, "+user", "-not found" or "*error", each ending in an empty
 * line.  The answer is another program's text: bounded and cleaned.
 * Not for: deciding trust (the policy's trust-whoson does).
 */
#include "whoson.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mono.h"
#include "netdial.h"

static int
verdict(int rc, const char *user, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s",
	    rc == 0       ? user
	        : rc == 1 ? WHOSON_UNREGISTERED
	                  : WHOSON_UNAVAILABLE);
	return rc;
}

int
whoson_answer(const char *line, char *out, size_t outlen)
{
	char user[WHOSON_MAX + 1];
	size_t i, o = 0;

	if (line[0] == '-')
		return verdict(1, NULL, out, outlen);
	if (line[0] != '+')
		return verdict(-1, NULL, out, outlen);
	for (i = 1;
	     line[i] && line[i] != '\r' && line[i] != '\n' && o < WHOSON_MAX;
	     i++) {
		unsigned char c = (unsigned char)line[i];

		user[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	while (o > 0 && user[o - 1] == ' ')
		o--;
	user[o] = '\0';
	if (o == 0)
		return verdict(1, NULL, out, outlen);
	return verdict(0, user, out, outlen);
}

static int
ask_udp(int fd, const char *req, size_t len, long long deadline, char *line,
    size_t linelen)
{
	ssize_t r;

	if (send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len)
		return -1;
	if (mono_poll(fd, POLLIN, deadline) != 1)
		return -1;
	r = recv(fd, line, linelen - 1, 0);
	if (r <= 0)
		return -1;
	line[r] = '\0';
	return 0;
}

int
whoson_query(const char *server, int port, int tcp, int timeout,
    const char *addr, char *out, size_t outlen)
{
	char req[128], line[512], err[200];
	long long deadline = mono_after(timeout > 0 ? timeout : 1);
	int fd, n, rc;

	n = snprintf(req, sizeof(req), "QUERY %s\r\n\r\n", addr);
	if (n <= 0 || (size_t)n >= sizeof(req) || server == NULL)
		return verdict(-1, NULL, out, outlen);
	fd = netdial(server, port, tcp ? SOCK_STREAM : SOCK_DGRAM, deadline,
	    err, sizeof(err));
	if (fd < 0)
		return verdict(-1, NULL, out, outlen);
	if (tcp)
		rc = netdial_write(fd, req, (size_t)n, deadline) < 0 ||
		        netdial_line(fd, line, sizeof(line), deadline) < 0
		    ? -1
		    : 0;
	else
		rc = ask_udp(fd, req, (size_t)n, deadline, line, sizeof(line));
	close(fd);
	if (rc < 0)
		return verdict(-1, NULL, out, outlen);
	return whoson_answer(line, out, outlen);
}
