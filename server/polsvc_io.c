/*
 * polsvc_io.c - the bytes of Postfix's policy delegation protocol: one
 * request out, one bounded reply in ("name=value" lines ending with an
 * empty line), with a deadline, on a connection kept for the session.
 * Not for: what the request says or what the action means (polsvc.c).
 */
#include "polsvc.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mono.h"

void
psio_close(struct ps_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static int
send_all(int fd, const char *p, size_t n, long long end)
{
	ssize_t w;

	while (n > 0) {
		if (mono_poll(fd, POLLOUT, end) <= 0)
			return -1;
		w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Read until the empty line that ends the reply; its length (without the
 * empty line), -1 on error or EOF (*got: bytes read), -2 on timeout, -3
 * when too long or with bytes after the end.
 */
static int
read_reply(int fd, char *buf, size_t size, long long end, size_t *got)
{
	size_t n = 0;
	ssize_t r;
	char *e;
	int w;

	*got = 0;
	for (;;) {
		if ((w = mono_poll(fd, POLLIN, end)) <= 0)
			return w == 0 ? -2 : -1;
		r = recv(fd, buf + n, size - 1 - n, MSG_DONTWAIT);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return -1;
		n += (size_t)r;
		*got = n;
		buf[n] = '\0';
		if (n >= 1 && buf[0] == '\n')
			return n == 1 ? 0 : -3;
		/* LF LF ends it; LF CR LF too (a service writing CRLF) */
		if ((e = strstr(buf, "\n\n")) != NULL ||
		    (e = strstr(buf, "\n\r\n")) != NULL)
			return (size_t)(e - buf) + (e[1] == '\r' ? 3 : 2) == n
			    ? (int)(e - buf) + 1
			    : -3;
		if (n >= size - 1)
			return -3;
	}
}

/* The value of the (first) action= line of a reply; -1 without one. */
static int
find_action(char *reply, char *action, size_t actlen)
{
	char *line, *save = NULL;

	for (line = strtok_r(reply, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		line[strcspn(line, "\r")] = '\0';
		if (strncasecmp(line, "action=", 7) == 0) {
			snprintf(action, actlen, "%s", line + 7);
			return 0;
		}
	}
	return -1;
}

/* One exchange on c->fd; 0, -1 (err set), or 1: the connection was dead
 * before any reply byte came (worth one new try). */
static int
exchange(struct ps_conn *c, const char *req, size_t reqlen, long long end,
    char *action, size_t actlen, char *err, size_t errlen)
{
	char buf[PS_REPLY_MAX + 1];
	size_t got;
	int n;

	if (send_all(c->fd, req, reqlen, end) < 0)
		return errno == EPIPE || errno == ECONNRESET ? 1 : -1;
	n = read_reply(c->fd, buf, sizeof(buf), end, &got);
	if (n == -1 && got == 0)
		return 1;
	if (n == -2)
		snprintf(err, errlen, "%s: timeout", c->name);
	else if (n == -3)
		snprintf(
		    err, errlen, "%s: reply too long or malformed", c->name);
	else if (n < 0)
		snprintf(err, errlen, "%s: connection lost", c->name);
	else if (find_action(buf, action, actlen) < 0)
		snprintf(err, errlen, "%s: reply without action=", c->name);
	else
		return 0;
	return -1;
}

int
psio_ask(struct ps_conn *c, int timeout, const char *req, size_t reqlen,
    char *action, size_t actlen, char *err, size_t errlen)
{
	long long end = mono_after(timeout);
	int reused, rc, tries;

	for (tries = 0; tries < 2; tries++) {
		reused = c->fd >= 0;
		if (!reused &&
		    (c->fd = svcaddr_connect(&c->addr, timeout, err, errlen)) <
		        0)
			return -1;
		rc = exchange(c, req, reqlen, end, action, actlen, err, errlen);
		if (rc == 0)
			return 0;
		psio_close(c);
		if (rc < 0)
			return -1;
		if (!reused) {
			snprintf(err, errlen, "%s: connection closed", c->name);
			return -1;
		}
	}
	snprintf(err, errlen, "%s: connection closed", c->name);
	return -1;
}

void
psio_value(char *out, size_t outlen, const char *v)
{
	size_t i;

	if (outlen == 0)
		return;
	for (i = 0; v && v[i] && i + 1 < outlen; i++)
		out[i] =
		    (unsigned char)v[i] < 0x20 || v[i] == 0x7f ? '?' : v[i];
	out[i] = '\0';
}
