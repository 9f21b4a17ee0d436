/*
 * peer.h - what we learn about the client: reverse DNS, confirmed by a
 * forward lookup (the rcvdfrom line's rhost and rhost-flags, smtpserver(8) THE SPOOL).
 */
#ifndef SMTPD_PEER_H
#define SMTPD_PEER_H

#include <stddef.h>
#include <sys/socket.h>

struct dns_res;

/*
 * rhost = PTR name (the first that is a valid host name), or iplit when
 * there is none; flags[0] = 'O' (OK) when a PTR exists, flags[1] = 'O'
 * when the name resolves back to the address, 'F' (FAIL) otherwise; [2]
 * and [3] (HELO syntax, HELO matches) are left 'X' for the HELO handler.
 * Lookups go through dns (NULL: none are made).
 */
void peer_lookup(struct dns_res *dns, const struct sockaddr *,
    const char *iplit, char *rhost, size_t rhostlen, char flags[4]);

#endif
