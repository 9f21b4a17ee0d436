/*
 * proxy.c - the PROXY header at the start of a connection from a load
 * balancer (PARAM proxy-protocol): who may send one, reading it with a
 * deadline, and the client it names.  Not for: parsing (proxyproto.c).
 * Nothing is written to the connection: a refused one is only closed.
 */
#include "proxy.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "mono.h"
#include "netaddr.h"
#include "proxyproto.h"

/* Read the header, never a byte past it; -1 with why on any failure. */
static int
proxy_read(int fd, int timeout, struct proxy_info *pi, const char **why,
    int (*stop)(void *), void *arg)
{
	unsigned char buf[PROXY_HDR_MAX];
	struct pollfd p = { fd, POLLIN, 0 };
	long long deadline = mono_after(timeout);
	size_t len = 0;
	enum proxy_res r;
	long left;
	ssize_t n;

	while ((r = proxy_parse(buf, len, pi, why)) == PROXY_MORE) {
		if (pi->need > sizeof(buf) - len) {
			*why = "header too long";
			return -1;
		}
		if ((left = mono_left(deadline)) == 0) {
			*why = "timeout";
			return -1;
		}
		/* a second at a time: a stop does not wait for the timeout */
		if (poll(&p, 1, left < 1000 ? (int)left : 1000) < 0 &&
		    errno != EINTR) {
			*why = "poll failed";
			return -1;
		}
		if (stop != NULL && stop(arg)) {
			*why = "the daemon is stopping";
			return -1;
		}
		n = recv(fd, buf + len, pi->need, MSG_DONTWAIT);
		if (n == 0) {
			*why = "closed before the end of the header";
			return -1;
		}
		if (n < 0 && errno != EINTR && errno != EAGAIN &&
		    errno != EWOULDBLOCK) {
			*why = "read error";
			return -1;
		}
		if (n > 0)
			len += (size_t)n;
	}
	return r == PROXY_DONE ? 0 : -1;
}

static void
refused(const char *listener, const struct sockaddr *sa, const char *what,
    const char *reason, const char *why)
{
	char ip[64] = "unknown";
	int port = netaddr_port(sa);

	(void)netaddr_text(sa, ip, sizeof(ip));
	log_msg(LOG_NOTICE,
	    "refused [%s]:%d on %s: %s%s%s event=reject stage=CONNECT "
	    "client=%s port=%d listener=%s code=- enh=- reason=%s",
	    ip, port, listener, what, *why ? ": " : "", why, ip, port, listener,
	    reason);
}

enum proxy_outcome
proxy_accept(int fd, const struct conf_group *g, const char *listener,
    struct sockaddr_storage *peer, socklen_t *peerlen, int (*stop)(void *),
    void *arg)
{
	struct proxy_net nets[PROXY_MAX_NETS];
	struct proxy_info pi;
	const char *why = "";
	char err[128], ip[64] = "unknown", cip[64] = "unknown";
	int n;

	n = proxy_nets_parse(g->proxy_nets, nets, PROXY_MAX_NETS, err,
	    sizeof(err)); /* checked when the config was read */
	if (n <= 0 || !proxy_nets_match(nets, n, (struct sockaddr *)peer)) {
		refused(listener, (struct sockaddr *)peer,
		    "not a network allowed to send a PROXY header",
		    "proxy-not-allowed", "");
		return PROXY_NOT_ALLOWED;
	}
	if (proxy_read(fd, g->proxy_timeout, &pi, &why, stop, arg) < 0) {
		refused(listener, (struct sockaddr *)peer, "bad PROXY header",
		    "proxy-header", why);
		return PROXY_BAD_HEADER;
	}
	(void)netaddr_text((struct sockaddr *)peer, ip, sizeof(ip));
	if (pi.local) {
		log_msg(LOG_INFO,
		    "proxy [%s]:%d on %s: PROXY v%d without a client "
		    "address event=proxy proxy=%s version=%d client=-",
		    ip, netaddr_port((struct sockaddr *)peer), listener,
		    pi.version, ip, pi.version);
		return PROXY_LOCAL;
	}
	(void)netaddr_text((struct sockaddr *)&pi.src, cip, sizeof(cip));
	log_msg(LOG_INFO,
	    "proxy [%s]:%d on %s: client [%s]:%d event=proxy proxy=%s "
	    "version=%d client=%s port=%d tlvs=%zu",
	    ip, netaddr_port((struct sockaddr *)peer), listener, cip,
	    netaddr_port((struct sockaddr *)&pi.src), ip, pi.version, cip,
	    netaddr_port((struct sockaddr *)&pi.src), pi.tlvs);
	*peer = pi.src;
	*peerlen = pi.srclen;
	return PROXY_OK;
}
