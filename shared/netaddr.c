/*
 * netaddr.c - socket address helpers (see netaddr.h).
 * Not for: DNS (dns.c) or listening sockets (server/listen.c).
 */
#include "netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

static const unsigned char v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff,
	0xff };

int
netaddr_key(const struct sockaddr *sa, struct netkey *k)
{
	memset(k, 0, sizeof(*k));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		memcpy(k->a, v4mapped, 12);
		memcpy(k->a + 12, &s4->sin_addr, 4);
		k->v4 = 1;
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		memcpy(k->a, &s6->sin6_addr, 16);
		k->v4 = memcmp(k->a, v4mapped, 12) == 0;
		return 0;
	}
	return -1;
}

int
netaddr_key_text(const struct netkey *k, char *out, size_t outlen)
{
	const char *r;

	if (k->v4)
		r = inet_ntop(AF_INET, k->a + 12, out, (socklen_t)outlen);
	else
		r = inet_ntop(AF_INET6, k->a, out, (socklen_t)outlen);
	return r ? 0 : -1;
}

int
netaddr_text(const struct sockaddr *sa, char *out, size_t outlen)
{
	struct netkey k;

	if (netaddr_key(sa, &k) < 0)
		return -1;
	return netaddr_key_text(&k, out, outlen);
}

int
netaddr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return 0;
}

int
netaddr_parse(const char *text, struct netkey *k)
{
	memset(k, 0, sizeof(*k));
	if (inet_pton(AF_INET, text, k->a + 12) == 1) {
		memcpy(k->a, v4mapped, 12);
		k->v4 = 1;
		return 0;
	}
	if (inet_pton(AF_INET6, text, k->a) == 1) {
		k->v4 = memcmp(k->a, v4mapped, 12) == 0;
		return 0;
	}
	return -1;
}

int
netaddr_literal(const char *lit, struct sockaddr_storage *ss, socklen_t *len)
{
	char tmp[64];
	size_t n = strlen(lit);
	const char *p;

	if (n < 3 || lit[0] != '[' || lit[n - 1] != ']' || n - 2 >= sizeof(tmp))
		return -1;
	memcpy(tmp, lit + 1, n - 2);
	tmp[n - 2] = '\0';
	memset(ss, 0, sizeof(*ss));
	p = tmp;
	if (strncasecmp(p, "ipv6:", 5) == 0 ||
	    strncasecmp(p, "ipv6.", 5) == 0) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, p + 5, &s6->sin6_addr) != 1)
			return -1;
		s6->sin6_family = AF_INET6;
		*len = sizeof(*s6);
		return 0;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, p, &s4->sin_addr) != 1)
			return -1;
		s4->sin_family = AF_INET;
		*len = sizeof(*s4);
		return 0;
	}
}

int
netaddr_in_prefix(const struct netkey *k, const struct netkey *net, int bits)
{
	int full = bits / 8, rest = bits % 8;
	unsigned char mask;

	if (bits < 0 || bits > 128)
		return 0;
	if (memcmp(k->a, net->a, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (k->a[full] & mask) == (net->a[full] & mask);
}

int
netaddr_is_loopback(const struct netkey *k)
{
	static const unsigned char lo6[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 1 };

	if (k->v4)
		return k->a[12] == 127;
	return memcmp(k->a, lo6, 16) == 0;
}
