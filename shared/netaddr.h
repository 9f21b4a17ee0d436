/*
 * netaddr.h - socket address helpers: text forms, ports, ZMailer address
 * literals, and a normalised 16-byte key (IPv4 as ::ffff:a.b.c.d) with
 * prefix matching for per-IP tables and CIDR rules.
 */
#ifndef SMTPD_NETADDR_H
#define SMTPD_NETADDR_H

#include <sys/socket.h>
#include <stddef.h>

struct netkey {
	unsigned char a[16]; /* IPv4 mapped into ::ffff:0:0/96 */
	int v4;              /* 1 if the address is IPv4 (or v4-mapped) */
};

/* "1.2.3.4" or "2001:db8::1" (v4-mapped shown as IPv4).  -1 if unknown. */
int netaddr_text(const struct sockaddr *, char *out, size_t outlen);
/* Port in host order, 0 if none. */
int netaddr_port(const struct sockaddr *);
/* Key of a socket address; -1 if not INET/INET6. */
int netaddr_key(const struct sockaddr *, struct netkey *);
/* Parse "1.2.3.4" / "::1" text into a key. */
int netaddr_parse(const char *text, struct netkey *);
/*
 * Parse a ZMailer/RFC 5321 literal: "[1.2.3.4]", "[IPv6:...]",
 * "[ipv6.…]" (ZMailer -T form) into a sockaddr; -1 if malformed.
 */
int netaddr_literal(const char *lit, struct sockaddr_storage *, socklen_t *len);
/* Key text: same as netaddr_text for the key. */
int netaddr_key_text(const struct netkey *, char *out, size_t outlen);
/* 1 if k is inside net/bits (bits counted on the 128-bit form, so an IPv4
 * /24 is bits 96+24). */
int netaddr_in_prefix(
    const struct netkey *k, const struct netkey *net, int bits);
/* 1 for 127.0.0.0/8 and ::1. */
int netaddr_is_loopback(const struct netkey *);

#endif
