/*
 * proxyproto.h - the PROXY protocol header (HAProxy's proxy-protocol.txt,
 * versions 1 and 2) as a pure, incremental parser, and the list of
 * networks allowed to send one.  For: server/proxy.c (reads the socket),
 * the PARAM reader (checks the list), tests and the fuzz harness.
 * Not for: sockets or timeouts.
 */
#ifndef SMTPD_PROXYPROTO_H
#define SMTPD_PROXYPROTO_H

#include <sys/socket.h>
#include <stddef.h>

#include "netaddr.h"

#define PROXY_V1_MAX 107  /* longest v1 line, CRLF included */
#define PROXY_V2_HEAD 16  /* signature, command, family, length */
#define PROXY_V2_MAX 4096 /* the most we take: addresses and TLVs */
#define PROXY_HDR_MAX (PROXY_V2_HEAD + PROXY_V2_MAX)
#define PROXY_MAX_NETS 8 /* networks in PARAM proxy-protocol */

enum proxy_res {
	PROXY_ERROR = -1, /* not a valid header: close the connection */
	PROXY_MORE = 0,   /* a valid start: read need more bytes */
	PROXY_DONE = 1    /* a whole header of len bytes */
};

struct proxy_info {
	int version; /* 1 or 2 */
	/* 1: v2 LOCAL, v1 UNKNOWN or a family we do not know: the
	 * connection's own addresses stand (src/dst are not set) */
	int local;
	struct sockaddr_storage src, dst; /* the client, and what it
					     connected to */
	socklen_t srclen, dstlen;
	size_t len;  /* PROXY_DONE: bytes of the header */
	size_t need; /* PROXY_MORE: bytes that certainly follow (>= 1) */
	size_t tlvs; /* v2: TLVs seen (and skipped) */
};

/*
 * Parse the len bytes read so far.  Never reads past len, never needs
 * more than PROXY_HDR_MAX bytes in all; on PROXY_ERROR *why says what
 * was wrong (a constant string).
 */
enum proxy_res proxy_parse(const unsigned char *buf, size_t len,
    struct proxy_info *, const char **why);

struct proxy_net {
	struct netkey net;
	int bits; /* on the 128-bit form, as netaddr_in_prefix wants */
};

/*
 * "1.2.3.0/24", "2001:db8::/32" or a single address (all its bits) into
 * n; -1 if malformed.  A net list is up to PROXY_MAX_NETS of them,
 * separated by blanks or commas: the count, or -1 with the bad word in
 * err.
 */
int proxy_net_parse(const char *text, struct proxy_net *n);
int proxy_nets_parse(
    const char *list, struct proxy_net *out, int max, char *err, size_t errlen);
/* 1 if the socket address sa is in one of the n nets. */
int proxy_nets_match(
    const struct proxy_net *nets, int n, const struct sockaddr *sa);

#endif
