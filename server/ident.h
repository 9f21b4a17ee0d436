/*
 * ident.h - RFC 1413 identification of the client (-a), with a timeout.
 */
#ifndef SMTPD_IDENT_H
#define SMTPD_IDENT_H

#include <stddef.h>
#include <sys/socket.h>

/*
 * Ask the ident service on the client's host about this connection.
 * out gets the user id the client's host reported, or IDENT-CALL-FAULT
 * when there was no usable answer within timeout seconds.
 */
void ident_query(const struct sockaddr *peer, const struct sockaddr *local,
    int port, int timeout, char *out, size_t outlen);

#endif
