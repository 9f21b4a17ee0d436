/*
 * proxy.h - a connection on a listener with PARAM proxy-protocol: is the
 * sender a proxy we trust, and who is the client behind it (the PROXY
 * header, shared/proxyproto.c).  For: worker.c, before admission.
 */
#ifndef SMTPD_PROXY_H
#define SMTPD_PROXY_H

#include <sys/socket.h>

#include "conf.h"

enum proxy_outcome {
	PROXY_OK,          /* peer is now the client the header names */
	PROXY_LOCAL,       /* LOCAL / UNKNOWN: the proxy's address stands */
	PROXY_NOT_ALLOWED, /* a sender outside the group's networks */
	PROXY_BAD_HEADER,  /* malformed, timed out or closed: closed */
};

/*
 * Check that *peer may send a header on a listener of group g, read the
 * header within g->proxy_timeout seconds (exactly its bytes: what follows
 * is the client's), and replace *peer, *peerlen by the client.  Logs a
 * refusal (listener names the listener).  fd is closed by the caller.
 * stop(arg), asked at least once a second while waiting, says the daemon
 * is stopping: the wait ends then (PROXY_BAD_HEADER), not at the timeout.
 */
enum proxy_outcome proxy_accept(int fd, const struct conf_group *g,
    const char *listener, struct sockaddr_storage *peer, socklen_t *peerlen,
    int (*stop)(void *), void *arg);

#endif
