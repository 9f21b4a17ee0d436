/*
 * whoson.h - client of the whoson protocol (whosond's text protocol over
 * UDP or TCP): who is logged in from an address, asked once per session
 * under -w, with a timeout.
 * Not for: LOGIN/LOGOUT (the POP/IMAP servers register users, not us).
 */
#ifndef SMTPD_WHOSON_H
#define SMTPD_WHOSON_H

#include <stddef.h>

#define WHOSON_UNREGISTERED "-unregistered-"
#define WHOSON_UNAVAILABLE "-unavailable-"
#define WHOSON_MAX 64 /* bytes of a user name we keep */

/*
 * "QUERY <addr>" to server:port (tcp 0 = UDP, 1 = TCP), at most timeout
 * seconds.  Returns 0 and the user ("+name") in out, cleaned to printable
 * ASCII and at most WHOSON_MAX bytes; 1 and "-unregistered-" when the
 * server knows nobody there ("-..."); -1 and "-unavailable-" on any
 * other answer, an error or the timeout.
 */
int whoson_query(const char *server, int port, int tcp, int timeout,
    const char *addr, char *out, size_t outlen);
/* Parse one answer line as whoson_query does (for the unit test). */
int whoson_answer(const char *line, char *out, size_t outlen);

#endif
