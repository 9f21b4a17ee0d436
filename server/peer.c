/*
 * peer.c - reverse DNS of the client with forward confirmation.
 * Not for: policy decisions (policy/), which use only confirmed names.
 */
#include "peer.h"

#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "netaddr.h"

static int
forward_confirms(const char *name, const struct sockaddr *sa)
{
	struct addrinfo hints, *res, *ai;
	struct netkey want, got;
	int ok = 0;

	if (netaddr_key(sa, &want) < 0)
		return 0;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(name, NULL, &hints, &res) != 0)
		return 0;
	for (ai = res; ai && !ok; ai = ai->ai_next)
		if (netaddr_key(ai->ai_addr, &got) == 0 &&
		    memcmp(got.a, want.a, 16) == 0)
			ok = 1;
	freeaddrinfo(res);
	return ok;
}

void
peer_lookup(const struct sockaddr *sa, const char *iplit, char *rhost,
    size_t rhostlen, char flags[4])
{
	char name[NI_MAXHOST];
	socklen_t len = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
	                                          : sizeof(struct sockaddr_in);

	memcpy(flags, "FFXX", 4);
	snprintf(rhost, rhostlen, "%s", iplit);
	if (getnameinfo(sa, len, name, sizeof(name), NULL, 0, NI_NAMEREQD) != 0)
		return;
	snprintf(rhost, rhostlen, "%s", name);
	flags[0] = 'O';
	if (forward_confirms(name, sa))
		flags[1] = 'O';
}
