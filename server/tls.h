/*
 * tls.h - OpenSSL for the SMTP server: a server context built from a
 * group's PARAMs (rebuilt on reload, the old one kept when the new
 * certificate or key is broken), and a TLS transport for struct stream.
 * Not for: the STARTTLS dialogue (cmd_tls.c).
 */
#ifndef SMTPD_TLS_H
#define SMTPD_TLS_H

#include <stddef.h>

#include "conf.h"
#include "stream.h"

struct tls_server;

/*
 * A server context for group g (use-tls, tls-cert-file, tls-key-file,
 * ...): TLS 1.2 minimum, forward-secret ciphers in the server's order.
 * NULL with the reason in err when the files are missing or broken.
 */
struct tls_server *tls_server_new(
    const struct conf_group *g, char *err, size_t errlen);
/*
 * SIGHUP: build a new context from g; on success it replaces the old one
 * (connections in progress keep theirs), else the old one stays and -1
 * comes back with the reason.  For the supervisor, before it forks.
 */
int tls_server_reload(
    struct tls_server *, const struct conf_group *g, char *err, size_t errlen);
void tls_server_free(struct tls_server *);
/* SHA-256 of the server certificate as hex (tests, the control socket). */
int tls_server_fingerprint(const struct tls_server *, char *out, size_t outlen);

/*
 * Handshake on the stream's descriptors within timeout seconds, then
 * swap the stream's transport to TLS.  The caller has discarded any
 * buffered plaintext.  -1 with a reason (not secret) in err.
 */
int tls_start(struct stream *, struct tls_server *, int timeout, char *err,
    size_t errlen);
/* 1 if the stream runs TLS. */
int tls_active(const struct stream *);
/* The protocol version ("TLSv1.3"), NULL when TLS is not on. */
const char *tls_version(const struct stream *);
/* "<cipher> keybits N/M version V" and the client certificate's CN
 * (empty when none). */
void tls_describe(
    const struct stream *, char *cipher, size_t clen, char *peer, size_t plen);
/* Close alert (best effort) and free the TLS state of the stream. */
void tls_end(struct stream *);

#endif
