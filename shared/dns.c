/*
 * dns.c - stub resolver over UDP with a per-try timeout (see dns.h).
 * libresolv builds the query and walks the answer (ns_initparse and
 * friends check every length); we only send, wait and copy out.
 * Not for: TCP fallback (a truncated answer is used as far as it parses).
 */
#include "dns.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct dns_res {
	struct sockaddr_storage ns;
	socklen_t nslen;
	int timeout; /* seconds per try */
	int tries;
	struct __res_state rs;
};

static int
ns_from_text(struct dns_res *r, const char *server, int port)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&r->ns;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&r->ns;

	memset(&r->ns, 0, sizeof(r->ns));
	if (inet_pton(AF_INET, server, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		r->nslen = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, server, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		r->nslen = sizeof(*s6);
		return 0;
	}
	return -1;
}

/* The first IPv4 nameserver res_ninit found in resolv.conf. */
static int
ns_from_system(struct dns_res *r, int port)
{
	int i;

	for (i = 0; i < r->rs.nscount && i < MAXNS; i++) {
		if (r->rs.nsaddr_list[i].sin_family != AF_INET)
			continue;
		memcpy(
		    &r->ns, &r->rs.nsaddr_list[i], sizeof(struct sockaddr_in));
		if (port != 0)
			((struct sockaddr_in *)&r->ns)->sin_port =
			    htons((unsigned short)port);
		r->nslen = sizeof(struct sockaddr_in);
		return 0;
	}
	return ns_from_text(r, "127.0.0.1", port ? port : 53);
}

struct dns_res *
dns_new(const char *server, int port, int timeout, int tries, char *err,
    size_t errlen)
{
	struct dns_res *r;

	if (port < 0 || port > 65535 || timeout <= 0 || timeout > 300 ||
	    tries < 1 || tries > 10) {
		snprintf(err, errlen, "dns: bad port, timeout or tries");
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(err, errlen, "dns: out of memory");
		return NULL;
	}
	r->timeout = timeout;
	r->tries = tries;
	if (res_ninit(&r->rs) != 0 && (server == NULL || *server == '\0')) {
		snprintf(err, errlen, "dns: res_ninit failed");
		free(r);
		return NULL;
	}
	if (server != NULL && *server != '\0') {
		if (ns_from_text(r, server, port ? port : 53) < 0) {
			snprintf(err, errlen,
			    "dns: nameserver '%s' is not an IP address",
			    server);
			res_nclose(&r->rs);
			free(r);
			return NULL;
		}
	} else
		(void)ns_from_system(r, port);
	return r;
}

void
dns_free(struct dns_res *r)
{
	if (r == NULL)
		return;
	res_nclose(&r->rs);
	free(r);
}

const char *
dns_rc_text(enum dns_rc rc)
{
	switch (rc) {
	case DNS_OK:
		return "ok";
	case DNS_NXDOMAIN:
		return "NXDOMAIN";
	case DNS_NODATA:
		return "no data";
	case DNS_SERVFAIL:
		return "SERVFAIL";
	case DNS_TIMEOUT:
		return "timeout";
	case DNS_ERROR:
		break;
	}
	return "error";
}

int
dns_rc_temporary(enum dns_rc rc)
{
	return rc == DNS_SERVFAIL || rc == DNS_TIMEOUT || rc == DNS_ERROR;
}

static long
ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long)(deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : ms;
}

/*
 * One try: send q, wait up to the timeout for a reply with our id.
 * Returns the reply length, 0 on timeout, -1 on a socket error.
 */
static int
exchange(struct dns_res *r, int fd, const unsigned char *q, int qlen,
    unsigned char *ans, int anslen)
{
	struct timespec deadline;
	struct pollfd pfd;
	ssize_t n;
	int i;

	if (send(fd, q, (size_t)qlen, 0) != qlen)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += r->timeout;
	for (i = 0; i < 64; i++) { /* bounded: stray datagrams */
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)ms_left(&deadline)) <= 0)
			return 0;
		n = recv(fd, ans, (size_t)anslen, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -1;
		if (n >= HFIXEDSZ && ans[0] == q[0] && ans[1] == q[1] &&
		    (ans[2] & 0x80) != 0)
			return (int)n;
	}
	return 0;
}

/* Bounded copy of a TXT rdata's character-strings into out. */
static void
copy_txt(const unsigned char *rd, size_t rdlen, char *out, size_t outlen)
{
	size_t i = 0, o = 0, l, k;

	while (i < rdlen && o + 1 < outlen) {
		l = rd[i++];
		for (k = 0; k < l && i < rdlen && o + 1 < outlen; k++, i++)
			out[o++] =
			    (rd[i] < 0x20 || rd[i] == 0x7f) ? ' ' : (char)rd[i];
	}
	out[o] = '\0';
}

static void
store_rr(ns_msg *msg, ns_rr *rr, enum dns_type type, struct dns_answer *a)
{
	const unsigned char *rd = ns_rr_rdata(*rr);
	size_t rdlen = ns_rr_rdlen(*rr);
	struct netkey *k = &a->addr[a->n];

	if (type == DNS_A && rdlen == 4) {
		memset(k, 0, sizeof(*k));
		k->a[10] = k->a[11] = 0xff;
		memcpy(k->a + 12, rd, 4);
		k->v4 = 1;
	} else if (type == DNS_AAAA && rdlen == 16) {
		memset(k, 0, sizeof(*k));
		memcpy(k->a, rd, 16);
	} else if (type == DNS_MX && rdlen >= 3) {
		a->mx[a->n].pref = ns_get16(rd);
		if (ns_name_uncompress(ns_msg_base(*msg), ns_msg_end(*msg),
		        rd + 2, a->mx[a->n].name, DNS_NAMELEN) < 0)
			return;
	} else if (type == DNS_TXT) {
		if (a->n == 0)
			copy_txt(rd, rdlen, a->txt, sizeof(a->txt));
	} else
		return;
	a->n++;
}

static enum dns_rc
parse_answer(
    const unsigned char *ans, int len, enum dns_type type, struct dns_answer *a)
{
	ns_msg msg;
	ns_rr rr;
	int i, rcode, count;

	if (ns_initparse(ans, len, &msg) < 0)
		return DNS_ERROR;
	rcode = ns_msg_getflag(msg, ns_f_rcode);
	if (rcode == ns_r_nxdomain)
		return DNS_NXDOMAIN;
	if (rcode != ns_r_noerror)
		return DNS_SERVFAIL;
	count = ns_msg_count(msg, ns_s_an);
	for (i = 0; i < count && a->n < DNS_MAXANS; i++) {
		if (ns_parserr(&msg, ns_s_an, i, &rr) < 0)
			break;
		if (ns_rr_class(rr) == ns_c_in &&
		    (int)ns_rr_type(rr) == (int)type)
			store_rr(&msg, &rr, type, a);
	}
	if (a->n > 0)
		return DNS_OK;
	return ns_msg_getflag(msg, ns_f_tc) ? DNS_ERROR : DNS_NODATA;
}

enum dns_rc
dns_query(struct dns_res *r, const char *name, enum dns_type type,
    struct dns_answer *a)
{
	unsigned char q[NS_PACKETSZ], ans[4096];
	int qlen, n = 0, fd, t;
	enum dns_rc rc;

	memset(a, 0, sizeof(*a));
	if (strlen(name) >= NS_MAXDNAME)
		return DNS_ERROR;
	qlen = res_nmkquery(&r->rs, ns_o_query, name, ns_c_in, (int)type, NULL,
	    0, NULL, q, sizeof(q));
	if (qlen < HFIXEDSZ)
		return DNS_ERROR;
	fd = socket(r->ns.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return DNS_ERROR;
	if (connect(fd, (struct sockaddr *)&r->ns, r->nslen) < 0) {
		close(fd);
		return DNS_ERROR;
	}
	for (t = 0; t < r->tries && n == 0; t++)
		n = exchange(r, fd, q, qlen, ans, (int)sizeof(ans));
	close(fd);
	if (n < 0)
		return DNS_ERROR;
	if (n == 0)
		return DNS_TIMEOUT;
	rc = parse_answer(ans, n, type, a);
	return rc;
}
