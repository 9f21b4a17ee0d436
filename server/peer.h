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
 * The positions of the 4-character rhost flags, written as they are into
 * the envelope's rcvdfrom line: 'O' (OK), 'F' (FAIL) or 'X' (not known).
 */
enum rhost_flag {
	RF_PTR,         /* the address has a PTR name */
	RF_FCRDNS,      /* that name resolves back to the address */
	RF_HELO_SYNTAX, /* the HELO/EHLO argument is a valid domain */
	RF_HELO_MATCH,  /* it is the PTR name */
};

/* Is flag f of flags 'O'? */
static inline int
rf_ok(const char flags[4], enum rhost_flag f)
{
	return flags[f] == 'O';
}

/*
 * rhost = PTR name (the first that is a valid host name), or iplit when
 * there is none; RF_PTR and RF_FCRDNS are 'O' or 'F'; the HELO handler
 * sets RF_HELO_SYNTAX and RF_HELO_MATCH, 'X' until then.
 * Lookups go through dns (NULL: none are made).
 */
void peer_lookup(struct dns_res *dns, const struct sockaddr *,
    const char *iplit, char *rhost, size_t rhostlen, char flags[4]);

#endif
