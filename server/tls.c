/*
 * tls.c - OpenSSL server contexts and the TLS transport of struct stream
 * (see tls.h).  The descriptors go non-blocking for the handshake and stay
 * so: every wait is the stream's poll with its timeout and deadline.
 * Not for: the STARTTLS dialogue (cmd_tls.c), logging secrets (nothing
 * read or written through TLS is logged here).
 */
#include "tls.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "mono.h"

/* TLS 1.2 suites with forward secrecy and AEAD; TLS 1.3 ones all are. */
#define TLS_DEFAULT_CIPHERS                                                    \
	"ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:"                 \
	"!aNULL:!eNULL:!MD5:!DSS:!PSK:!SRP"
#define TLS_SID_CTX "smtpserver"

struct tls_server {
	SSL_CTX *ctx;
};

static void
ssl_err(char *err, size_t errlen, const char *what, const char *file)
{
	char e[256];
	unsigned long code = ERR_get_error();

	if (code)
		ERR_error_string_n(code, e, sizeof(e));
	else
		snprintf(e, sizeof(e), "unknown error");
	snprintf(err, errlen, "%s%s%s: %s", what, file ? " " : "",
	    file ? file : "", e);
	ERR_clear_error();
}

/* Ask-only (not require): a bad client certificate is not fatal. */
static int
verify_cb(int ok, X509_STORE_CTX *x)
{
	SSL *ssl =
	    X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
	SSL_CTX *ctx = ssl ? SSL_get_SSL_CTX(ssl) : NULL;

	if (ctx &&
	    (SSL_CTX_get_verify_mode(ctx) & SSL_VERIFY_FAIL_IF_NO_PEER_CERT))
		return ok;
	return 1;
}

/* Either of a certificate/key pair alone names both: one PEM file with
 * the certificate (chain) and the key (smtpserver.conf(5) TLS, as ZMailer). */
static void
pair(const char **cert, const char **key)
{
	if (*cert == NULL || **cert == '\0')
		*cert = *key;
	if (*key == NULL || **key == '\0')
		*key = *cert;
}

static int
load_keys(SSL_CTX *ctx, const struct conf_group *g, char *err, size_t errlen)
{
	const char *cert = g->tls_cert_file, *key = g->tls_key_file;

	pair(&cert, &key);
	if (cert == NULL || *cert == '\0') {
		snprintf(err, errlen, "tls-cert-file is not set");
		return -1;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
		return ssl_err(err, errlen, "certificate", cert), -1;
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
		return ssl_err(err, errlen, "private key", key), -1;
	if (SSL_CTX_check_private_key(ctx) != 1)
		return ssl_err(err, errlen, "key does not match", cert), -1;
	cert = g->tls_dcert_file;
	key = g->tls_dkey_file;
	pair(&cert, &key);
	if (cert == NULL || *cert == '\0')
		return 0;
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1)
		return ssl_err(err, errlen, "second certificate", cert), -1;
	return 0;
}

/* Client certificates: CA locations, ask/require, verify depth. */
static int
client_certs(SSL_CTX *ctx, const struct conf_group *g, char *err, size_t errlen)
{
	int mode = SSL_VERIFY_NONE;

	if (g->tls_cafile || g->tls_capath) {
		if (SSL_CTX_load_verify_locations(
		        ctx, g->tls_cafile, g->tls_capath) != 1)
			return ssl_err(err, errlen, "CA locations",
			           g->tls_cafile ? g->tls_cafile
			                         : g->tls_capath),
			       -1;
		if (g->tls_cafile) {
			STACK_OF(X509_NAME) *names =
			    SSL_load_client_CA_file(g->tls_cafile);

			if (names)
				SSL_CTX_set_client_CA_list(ctx, names);
		}
	}
	if (g->tls_ask_cert || g->tls_require_cert)
		mode = SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE;
	if (g->tls_require_cert)
		mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	SSL_CTX_set_verify(ctx, mode, mode ? verify_cb : NULL);
	SSL_CTX_set_verify_depth(ctx, g->tls_ccert_vd);
	return 0;
}

/* tls-dh1024: DH parameters from a PEM file, else OpenSSL's own. */
static int
load_dh(SSL_CTX *ctx, const char *path, char *err, size_t errlen)
{
	EVP_PKEY *dh;
	BIO *bio;

	if (path == NULL || *path == '\0')
		return SSL_CTX_set_dh_auto(ctx, 1) == 1 ? 0 : -1;
	if ((bio = BIO_new_file(path, "r")) == NULL)
		return ssl_err(err, errlen, "tls-dh1024", path), -1;
	dh = PEM_read_bio_Parameters(bio, NULL);
	BIO_free(bio);
	if (dh == NULL || SSL_CTX_set0_tmp_dh_pkey(ctx, dh) != 1) {
		EVP_PKEY_free(dh);
		return ssl_err(err, errlen, "tls-dh1024", path), -1;
	}
	return 0;
}

static SSL_CTX *
build_ctx(const struct conf_group *g, char *err, size_t errlen)
{
	const char *ciphers = g->tls_cipher_list;
	SSL_CTX *ctx;

	ERR_clear_error();
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		return ssl_err(err, errlen, "SSL_CTX_new", NULL), NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx,
	    SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION |
	        SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_mode(ctx,
	    SSL_MODE_ENABLE_PARTIAL_WRITE |
	        SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (load_dh(ctx, g->tls_dh1024, err, errlen) < 0)
		goto fail;
	if (SSL_CTX_set_cipher_list(ctx,
	        ciphers && *ciphers ? ciphers : TLS_DEFAULT_CIPHERS) != 1) {
		ssl_err(err, errlen, "tls-cipher-list", ciphers);
		goto fail;
	}
	SSL_CTX_set_session_id_context(
	    ctx, (const unsigned char *)TLS_SID_CTX, sizeof(TLS_SID_CTX) - 1);
	if (g->tls_use_scache) {
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
		SSL_CTX_set_timeout(ctx, g->tls_scache_timeout);
	} else {
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
		SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
		SSL_CTX_set_num_tickets(ctx, 0);
	}
	if (load_keys(ctx, g, err, errlen) < 0 ||
	    client_certs(ctx, g, err, errlen) < 0)
		goto fail;
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

struct tls_server *
tls_server_new(const struct conf_group *g, char *err, size_t errlen)
{
	struct tls_server *ts;
	SSL_CTX *ctx = build_ctx(g, err, errlen);

	if (ctx == NULL)
		return NULL;
	if ((ts = calloc(1, sizeof(*ts))) == NULL) {
		SSL_CTX_free(ctx);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ts->ctx = ctx;
	return ts;
}

int
tls_server_reload(
    struct tls_server *ts, const struct conf_group *g, char *err, size_t errlen)
{
	SSL_CTX *ctx = build_ctx(g, err, errlen);

	if (ctx == NULL)
		return -1;
	SSL_CTX_free(ts->ctx); /* sessions holding it keep a reference */
	ts->ctx = ctx;
	return 0;
}

void
tls_server_free(struct tls_server *ts)
{
	if (ts == NULL)
		return;
	SSL_CTX_free(ts->ctx);
	free(ts);
}

int
tls_server_fingerprint(const struct tls_server *ts, char *out, size_t outlen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	X509 *x = SSL_CTX_get0_certificate(ts->ctx);

	if (x == NULL || X509_digest(x, EVP_sha256(), md, &n) != 1 ||
	    outlen < 2 * (size_t)n + 1)
		return -1;
	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02X", md[i]);
	return 0;
}

/* ---- the stream transport ---- */

static ssize_t
io_result(SSL *ssl, int r)
{
	switch (SSL_get_error(ssl, r)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	default:
		ERR_clear_error();
		errno = EIO;
		return -1;
	}
}

static ssize_t
tls_rd(struct stream *s, void *p, size_t n)
{
	int r;

	ERR_clear_error();
	r = SSL_read(s->tp, p, n > INT_MAX ? INT_MAX : (int)n);
	return r > 0 ? r : io_result(s->tp, r);
}

static ssize_t
tls_wr(struct stream *s, const void *p, size_t n)
{
	int r;

	ERR_clear_error();
	r = SSL_write(s->tp, p, n > INT_MAX ? INT_MAX : (int)n);
	return r > 0 ? r : io_result(s->tp, r);
}

static int
tls_pending(struct stream *s)
{
	return SSL_pending(s->tp);
}

static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* SSL_accept until done, waiting at most until deadline. */
static int
handshake(
    SSL *ssl, int rfd, int wfd, long long deadline, char *err, size_t errlen)
{
	for (;;) {
		int r, e;

		ERR_clear_error();
		if ((r = SSL_accept(ssl)) == 1)
			return 0;
		e = SSL_get_error(ssl, r);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
			if (e == SSL_ERROR_SSL)
				ssl_err(err, errlen, "handshake", NULL);
			else
				snprintf(err, errlen,
				    "handshake: connection "
				    "closed");
			return -1;
		}
		r = e == SSL_ERROR_WANT_READ
		    ? mono_poll(rfd, POLLIN, deadline)
		    : mono_poll(wfd, POLLOUT, deadline);
		if (r == 0) {
			snprintf(err, errlen, "handshake: timeout");
			return -1;
		}
		if (r < 0) {
			snprintf(err, errlen, "handshake: %s", strerror(errno));
			return -1;
		}
	}
}

int
tls_start(struct stream *s, struct tls_server *ts, int timeout, char *err,
    size_t errlen)
{
	SSL *ssl;
	long long deadline = mono_after(timeout > 0 ? timeout : 300);

	if (s->deadline && s->deadline < deadline)
		deadline = s->deadline;
	if (set_nonblock(s->rfd) < 0 || set_nonblock(s->wfd) < 0) {
		snprintf(err, errlen, "fcntl: %s", strerror(errno));
		return -1;
	}
	if ((ssl = SSL_new(ts->ctx)) == NULL || SSL_set_rfd(ssl, s->rfd) != 1 ||
	    SSL_set_wfd(ssl, s->wfd) != 1) {
		ssl_err(err, errlen, "SSL_new", NULL);
		SSL_free(ssl);
		return -1;
	}
	if (handshake(ssl, s->rfd, s->wfd, deadline, err, errlen) < 0) {
		SSL_free(ssl);
		return -1;
	}
	s->tp = ssl;
	s->rd = tls_rd;
	s->wr = tls_wr;
	s->rpending = tls_pending;
	return 0;
}

int
tls_active(const struct stream *s)
{
	return s->rd == tls_rd && s->tp != NULL;
}

/* A copy of src safe for the envelope and logs: printable, no quotes. */
static void
clean_copy(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < len; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
		    ? '?'
		    : (char)c;
	}
	if (len)
		dst[i] = '\0';
}

const char *
tls_version(const struct stream *s)
{
	return tls_active(s) ? SSL_get_version(s->tp) : NULL;
}

void
tls_describe(
    const struct stream *s, char *cipher, size_t clen, char *peer, size_t plen)
{
	SSL *ssl = s->tp;
	X509 *x;
	int alg = 0, bits;
	char cn[256];

	if (clen)
		cipher[0] = '\0';
	if (plen)
		peer[0] = '\0';
	if (!tls_active(s))
		return;
	bits = SSL_get_cipher_bits(ssl, &alg);
	snprintf(cipher, clen, "%s keybits %d/%d version %s",
	    SSL_get_cipher_name(ssl), bits, alg, SSL_get_version(ssl));
	x = SSL_get1_peer_certificate(ssl);
	if (x == NULL)
		return;
	if (SSL_get_verify_result(ssl) == X509_V_OK &&
	    X509_NAME_get_text_by_NID(
	        X509_get_subject_name(x), NID_commonName, cn, sizeof(cn)) > 0)
		clean_copy(peer, plen, cn);
	X509_free(x);
}

void
tls_end(struct stream *s)
{
	if (!tls_active(s))
		return;
	ERR_clear_error();
	(void)SSL_shutdown(s->tp); /* one try: the socket is non-blocking */
	ERR_clear_error();
	SSL_free(s->tp);
	s->tp = NULL;
}
