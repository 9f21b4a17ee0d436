/*
 * svcaddr.h - addresses of the helper services the server talks to
 * (Postfix policy services, milters): "unix:/path", "inet:host:port" or
 * "inet:[v6addr]:port", parsed once at configuration time and connected
 * with a timeout.
 * Not for: listening sockets (server/listen.c), DNS (dns.c).
 */
#ifndef SMTPD_SVCADDR_H
#define SMTPD_SVCADDR_H

#include <stddef.h>

#define SVCADDR_PATH_MAX 108 /* sun_path */
#define SVCADDR_HOST_MAX 256

struct svcaddr {
	int is_unix;
	char path[SVCADDR_PATH_MAX]; /* unix: */
	char host[SVCADDR_HOST_MAX]; /* inet: name or address, no [] */
	int port;                    /* inet: 1..65535 */
};

/* Parse text into a; 0, or -1 with the reason in err. */
int svcaddr_parse(
    const char *text, struct svcaddr *a, char *err, size_t errlen);
/*
 * A connected stream socket (close-on-exec, blocking) within timeout
 * seconds; -1 with the reason in err.
 */
int svcaddr_connect(
    const struct svcaddr *a, int timeout, char *err, size_t errlen);

#endif
