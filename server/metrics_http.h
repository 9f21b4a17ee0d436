/*
 * metrics_http.h - the optional HTTP listener of the metrics (PARAM
 * metrics-listen): GET /metrics answers the text `smtpserverctl metrics`
 * prints.  Served from the supervisor's poll loop on non-blocking
 * sockets, with bounds on request size, time per connection and
 * concurrent scrapers, so that a slow or silent scraper never holds the
 * loop up.  Not for: rendering (metrics.c) or counting (sbcount.c).
 */
#ifndef SMTPD_METRICS_HTTP_H
#define SMTPD_METRICS_HTTP_H

#include <sys/socket.h>
#include <poll.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"

struct control_info;

#define MHTTP_CONNS 8      /* scrapers served at once; more get 503 */
#define MHTTP_REQ_MAX 2048 /* request line and headers */
#define MHTTP_SECS 5       /* a connection's whole life */
#define MHTTP_NFDS (1 + MHTTP_CONNS)
#define MHTTP_DEFAULT_ADDR "127.0.0.1"

struct mhttp_conn {
	int fd; /* -1: free */
	struct timespec start;
	char req[MHTTP_REQ_MAX];
	size_t nreq;
	struct buf out; /* the whole response, once the request is read */
	size_t sent;
};

struct mhttp {
	int lfd; /* -1: off */
	char name[80];
	struct mhttp_conn c[MHTTP_CONNS];
};

void mhttp_init(struct mhttp *);
/*
 * Parse "port", ":port", "[addr]:port" or "a.b.c.d:port" (an address
 * not given means the IPv4 loopback; any other address is taken only
 * when written out) into *ss; -1 with err.
 */
int mhttp_parse(const char *spec, struct sockaddr_storage *ss, socklen_t *len,
    char *err, size_t errlen);
/* Listen on spec (NULL or "": stay off); -1 with err. */
int mhttp_open(struct mhttp *, const char *spec, char *err, size_t errlen);
/* The pollfds to watch (at most MHTTP_NFDS), how many. */
int mhttp_fds(const struct mhttp *, struct pollfd *);
/* Act on what poll said (p, n as mhttp_fds filled them; n 0 after a
 * timeout) and close connections past their time. */
void mhttp_serve(
    struct mhttp *, const struct pollfd *p, int n, struct control_info *);
/* Close everything (also in a new worker: the sockets are not its). */
void mhttp_close(struct mhttp *);

#endif
