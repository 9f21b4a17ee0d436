/*
 * callout_hop.c - the "rcpt-verify DOMAIN PROTO TARGET" lines
 * (smtpserver.conf(5)): the domain, smtp or lmtp, and where the next hop
 * listens (unix:/path, or an address literal and a port: no DNS, so a
 * callout never waits for a resolver).  The config reader checks each
 * line with it; the policy parses them again into its hops.
 * Not for: talking to the next hop (policy/callout.c).
 */
#include "callout_hop.h"

#include <sys/un.h>
#include <netinet/in.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "netaddr.h"
#include "rfc5321.h"

static int
fail(char *err, size_t errlen, const char *dom, const char *why)
{
	snprintf(err, errlen, "%.100s: %s", dom, why);
	return -1;
}

/* "unix:/absolute/path" into a sockaddr_un. */
static int
parse_unix(const char *path, struct callout_hop *hop)
{
	struct sockaddr_un *su = (struct sockaddr_un *)&hop->sa;
	size_t n = strlen(path);

	if (path[0] != '/' || n >= sizeof(su->sun_path))
		return -1;
	su->sun_family = AF_UNIX;
	memcpy(su->sun_path, path, n + 1);
	hop->salen = (socklen_t)sizeof(*su);
	return 0;
}

/* "[literal]:port" into a sockaddr_in or sockaddr_in6. */
static int
parse_inet(const char *t, struct callout_hop *hop)
{
	const char *close = strchr(t, ']');
	char lit[80], *end;
	unsigned long port;
	size_t n;

	if (t[0] != '[' || close == NULL || close[1] != ':' ||
	    !isdigit((unsigned char)close[2]))
		return -1;
	n = (size_t)(close - t) + 1;
	if (n >= sizeof(lit))
		return -1;
	memcpy(lit, t, n);
	lit[n] = '\0';
	port = strtoul(close + 2, &end, 10);
	if (*end != '\0' || port < 1 || port > 65535 ||
	    netaddr_literal(lit, &hop->sa, &hop->salen) < 0)
		return -1;
	if (hop->sa.ss_family == AF_INET)
		((struct sockaddr_in *)&hop->sa)->sin_port = htons((int)port);
	else
		((struct sockaddr_in6 *)&hop->sa)->sin6_port = htons((int)port);
	return 0;
}

int
callout_hop_parse(const char *dom, const char *proto, const char *target,
    struct callout_hop *hop, char *err, size_t errlen)
{
	const char *why;
	size_t i, n = strlen(dom);

	memset(hop, 0, sizeof(*hop));
	if (n > 1 && dom[n - 1] == '.')
		n--;
	if (n == 0 || n >= sizeof(hop->dom))
		return fail(err, errlen, dom, "not a domain");
	for (i = 0; i < n; i++)
		hop->dom[i] = (char)tolower((unsigned char)dom[i]);
	if (rfc5321_helo_valid(hop->dom, &why) != 0 || hop->dom[0] == '[')
		return fail(err, errlen, dom, "not a domain");
	if (strcasecmp(proto, "smtp") == 0)
		hop->proto = CALLOUT_SMTP;
	else if (strcasecmp(proto, "lmtp") == 0)
		hop->proto = CALLOUT_LMTP;
	else
		return fail(
		    err, errlen, dom, "the protocol must be smtp or lmtp");
	if (strlen(target) >= sizeof(hop->target))
		return fail(err, errlen, dom, "target too long");
	snprintf(hop->target, sizeof(hop->target), "%s", target);
	if (strncmp(target, "unix:", 5) == 0 ? parse_unix(target + 5, hop)
	                                     : parse_inet(target, hop))
		return fail(err, errlen, dom,
		    "the target must be unix:/path, [address]:port or "
		    "[IPv6:address]:port");
	return 0;
}

int
callout_hop_check(char **av, char *err, size_t errlen)
{
	struct callout_hop hop;

	return callout_hop_parse(av[0], av[1], av[2], &hop, err, errlen);
}
