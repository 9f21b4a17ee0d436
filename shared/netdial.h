/*
 * netdial.h - a client socket to host:port and line I/O on it, every step
 * bounded by one deadline (mono.h): for the small text protocols the
 * session asks on the side (whoson, the ETRN cluster's scheduler).
 * Not for: SMTP sessions (stream.c), DNS (dns.c).
 */
#ifndef SMTPD_NETDIAL_H
#define SMTPD_NETDIAL_H

#include <stddef.h>

/*
 * A connected socket (SOCK_STREAM or SOCK_DGRAM, non-blocking, close on
 * exec) to host ("name", "1.2.3.4", "::1" or "[addr]") and port, trying
 * each address until the deadline; -1 with the reason in err.
 */
int netdial(const char *host, int port, int socktype, long long deadline,
    char *err, size_t errlen);
/* Write all of s; 0 / -1. */
int netdial_write(int fd, const char *s, size_t len, long long deadline);
/*
 * Read one line ending in LF (CR LF and LF are removed) into buf: 0, or -1
 * on end of file, error, timeout, or a line longer than len - 1 bytes.
 * Reads byte by byte: nothing past the LF is consumed.
 */
int netdial_line(int fd, char *buf, size_t len, long long deadline);

#endif
