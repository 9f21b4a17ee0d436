/*
 * metrics_http.c - the metrics over HTTP (see metrics_http.h): a tiny
 * HTTP/1.0-1.1 responder, one request per connection, Connection: close.
 * Everything is non-blocking and bounded: a request longer than
 * MHTTP_REQ_MAX gets 431, a connection older than MHTTP_SECS is closed,
 * a scraper beyond MHTTP_CONNS gets 503 at once.
 */
#include "metrics_http.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "control.h"
#include "metrics.h"
#include "netaddr.h"

#define OUT_MAX (4 << 20)
#define ACCEPTS_PER_WAKE 32
#define CTYPE "text/plain; version=0.0.4; charset=utf-8"

void
mhttp_init(struct mhttp *m)
{
	int i;

	memset(m, 0, sizeof(*m));
	m->lfd = -1;
	for (i = 0; i < MHTTP_CONNS; i++)
		m->c[i].fd = -1;
}

static int
parse_port(const char *p, int *port)
{
	char *end;
	long v;

	if (*p < '0' || *p > '9')
		return -1;
	v = strtol(p, &end, 10);
	if (*end != '\0' || v < 1 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

/* addr text (no brackets) into ss; -1 if not an IP address. */
static int
parse_addr(const char *a, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (strncasecmp(a, "ipv6:", 5) == 0)
		a += 5;
	if (inet_pton(AF_INET, a, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, a, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		*len = sizeof(*s6);
		return 0;
	}
	return -1;
}

int
mhttp_parse(const char *spec, struct sockaddr_storage *ss, socklen_t *len,
    char *err, size_t errlen)
{
	char addr[64];
	const char *colon, *close;
	size_t n;
	int port;

	colon = strrchr(spec, ':');
	if (spec[0] == '[') {
		close = strchr(spec, ']');
		if (close == NULL || close[1] != ':')
			goto bad;
		colon = close + 1;
		spec++;
		n = (size_t)(close - spec);
	} else
		n = colon ? (size_t)(colon - spec) : 0;
	if (n >= sizeof(addr))
		goto bad;
	memcpy(addr, spec, n);
	addr[n] = '\0';
	if (parse_port(colon ? colon + 1 : spec, &port) < 0 ||
	    parse_addr(n ? addr : MHTTP_DEFAULT_ADDR, port, ss, len) < 0)
		goto bad;
	return 0;
bad:
	snprintf(err, errlen,
	    "metrics-listen: want port, [address]:port or a.b.c.d:port");
	return -1;
}

int
mhttp_open(struct mhttp *m, const char *spec, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char host[INET6_ADDRSTRLEN];
	int fd, on = 1;

	if (spec == NULL || *spec == '\0')
		return 0;
	if (mhttp_parse(spec, &ss, &len, err, errlen) < 0)
		return -1;
	fd =
	    socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 64) < 0) {
		snprintf(err, errlen, "metrics-listen %s: %s", spec,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (netaddr_text((struct sockaddr *)&ss, host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "?");
	snprintf(m->name, sizeof(m->name), "[%s]:%d", host,
	    netaddr_port((struct sockaddr *)&ss));
	m->lfd = fd;
	return 0;
}

int
mhttp_fds(const struct mhttp *m, struct pollfd *p)
{
	int i, n = 0;

	if (m->lfd < 0)
		return 0;
	p[n].fd = m->lfd;
	p[n++].events = POLLIN;
	for (i = 0; i < MHTTP_CONNS; i++) {
		if (m->c[i].fd < 0)
			continue;
		p[n].fd = m->c[i].fd;
		p[n++].events = m->c[i].out.len ? POLLOUT : POLLIN;
	}
	return n;
}

static void
conn_end(struct mhttp_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	buf_free(&c->out);
	c->nreq = c->sent = 0;
}

static void
respond(struct buf *out, int code, const char *why, const char *extra,
    const struct buf *body, int head)
{
	size_t n = body ? body->len : strlen(why) + 1;

	buf_printf(out,
	    "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n%sContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n",
	    code, why, body ? CTYPE : "text/plain; charset=utf-8",
	    extra ? extra : "", n);
	if (head)
		return;
	if (body)
		buf_append(out, body->data, body->len);
	else
		buf_printf(out, "%s\n", why);
}

/* The response to the request line in line (NUL-terminated). */
static void
answer(struct mhttp_conn *c, char *line, struct control_info *ci)
{
	char *meth = line, *target, *ver, *q;
	struct buf body;
	int head;

	target = strchr(meth, ' ');
	ver = target ? strchr(target + 1, ' ') : NULL;
	if (ver == NULL || strncmp(ver + 1, "HTTP/1.", 7) != 0) {
		respond(&c->out, 400, "Bad Request", NULL, NULL, 0);
		return;
	}
	*target++ = '\0';
	*ver = '\0';
	head = strcmp(meth, "HEAD") == 0;
	if (!head && strcmp(meth, "GET") != 0) {
		respond(&c->out, 405, "Method Not Allowed",
		    "Allow: GET, HEAD\r\n", NULL, 0);
		return;
	}
	if ((q = strchr(target, '?')) != NULL)
		*q = '\0';
	if (strcmp(target, "/metrics") != 0) {
		respond(&c->out, 404, "Not Found", NULL, NULL, head);
		return;
	}
	buf_init(&body, OUT_MAX);
	if (metrics_render(ci, &body) < 0 || buf_failed(&body))
		respond(
		    &c->out, 500, "Internal Server Error", NULL, NULL, head);
	else
		respond(&c->out, 200, "OK", NULL, &body, head);
	buf_free(&body);
}

static void
conn_write(struct mhttp_conn *c)
{
	ssize_t w = send(
	    c->fd, c->out.data + c->sent, c->out.len - c->sent, MSG_NOSIGNAL);

	if (w < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (w < 0) {
		conn_end(c);
		return;
	}
	c->sent += (size_t)w;
	if (c->sent >= c->out.len) {
		shutdown(c->fd, SHUT_WR);
		conn_end(c);
	}
}

/* Read what there is; once the header ends (or overflows), answer. */
static void
conn_read(struct mhttp_conn *c, struct control_info *ci)
{
	ssize_t r;
	char *eol;

	r = read(c->fd, c->req + c->nreq, sizeof(c->req) - 1 - c->nreq);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		conn_end(c);
		return;
	}
	c->nreq += (size_t)r;
	c->req[c->nreq] = '\0';
	if (memchr(c->req, '\0', c->nreq) != NULL)
		respond(&c->out, 400, "Bad Request", NULL, NULL, 0);
	else if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n")) {
		eol = strpbrk(c->req, "\r\n");
		*eol = '\0';
		answer(c, c->req, ci);
	} else if (c->nreq + 1 >= sizeof(c->req))
		respond(&c->out, 431, "Request Header Fields Too Large", NULL,
		    NULL, 0);
	if (buf_failed(&c->out))
		conn_end(c);
	else if (c->out.len)
		conn_write(c);
}

/* A scraper too many: one try at a short 503, then close. */
static void
refuse(int fd)
{
	static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\n"
	                           "Content-Length: 0\r\n"
	                           "Connection: close\r\n\r\n";

	if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* nothing more to try: the connection goes anyway */
	}
	close(fd);
}

static void
accept_all(struct mhttp *m)
{
	int i, k, fd;

	for (k = 0; k < ACCEPTS_PER_WAKE; k++) {
		fd = accept4(m->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		for (i = 0; i < MHTTP_CONNS && m->c[i].fd >= 0; i++)
			continue;
		if (i == MHTTP_CONNS) {
			refuse(fd);
			continue;
		}
		m->c[i].fd = fd;
		m->c[i].nreq = m->c[i].sent = 0;
		buf_init(&m->c[i].out, OUT_MAX);
		clock_gettime(CLOCK_MONOTONIC, &m->c[i].start);
	}
}

static struct mhttp_conn *
find(struct mhttp *m, int fd)
{
	int i;

	for (i = 0; i < MHTTP_CONNS; i++)
		if (m->c[i].fd == fd)
			return &m->c[i];
	return NULL;
}

void
mhttp_serve(
    struct mhttp *m, const struct pollfd *p, int n, struct control_info *ci)
{
	struct mhttp_conn *c;
	struct timespec now;
	int i;

	for (i = 1; i < n; i++) {
		if (p[i].revents == 0 || (c = find(m, p[i].fd)) == NULL)
			continue;
		if (c->out.len)
			conn_write(c);
		else if (p[i].revents & (POLLIN | POLLHUP | POLLERR))
			conn_read(c, ci);
	}
	if (n > 0 && p[0].revents)
		accept_all(m);
	clock_gettime(CLOCK_MONOTONIC, &now);
	for (i = 0; i < MHTTP_CONNS; i++)
		if (m->c[i].fd >= 0 &&
		    now.tv_sec - m->c[i].start.tv_sec >= MHTTP_SECS)
			conn_end(&m->c[i]);
}

void
mhttp_close(struct mhttp *m)
{
	int i;

	for (i = 0; i < MHTTP_CONNS; i++)
		conn_end(&m->c[i]);
	if (m->lfd >= 0)
		close(m->lfd);
	m->lfd = -1;
}
