/*
 * proxyproto.c - the PROXY protocol header parser (v1 text line, v2
 * binary with TLVs) and the allowed-network list of PARAM proxy-protocol.
 * For: server/proxy.c, conf_types.c, the tests and the fuzz harness.
 * Not for: I/O; every length is checked against what was read.
 */
#include "proxyproto.h"

#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char v2sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
	0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };
static const char v1sig[] = "PROXY ";

/* Decimal port, no sign, no leading zero: -1 if not one. */
static int
v1_port(const char *s)
{
	long v = 0;
	size_t i, n = strlen(s);

	if (n == 0 || n > 5 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= 65535 ? (int)v : -1;
}

static int
v1_addr(int af, const char *a, const char *p, struct sockaddr_storage *ss,
    socklen_t *len)
{
	int port = v1_port(p);

	memset(ss, 0, sizeof(*ss));
	if (port < 0)
		return -1;
	if (af == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, a, &s4->sin_addr) != 1)
			return -1;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		*len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, a, &s6->sin6_addr) != 1)
			return -1;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		*len = sizeof(*s6);
	}
	return 0;
}

/* The words of a whole v1 line (CRLF cut off), single-space separated. */
static enum proxy_res
v1_line(char *line, struct proxy_info *pi, const char **why)
{
	char *w[7], *save = NULL, *t;
	int n = 0, af;

	if (strstr(line, "  ") != NULL || line[strlen(line) - 1] == ' ') {
		*why = "v1: empty field";
		return PROXY_ERROR;
	}
	for (t = strtok_r(line, " ", &save); t != NULL && n < 7;
	     t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	if (n >= 2 && strcmp(w[1], "UNKNOWN") == 0) {
		pi->local = 1; /* the rest of the line is ignored */
		return PROXY_DONE;
	}
	if (n < 2 || (strcmp(w[1], "TCP4") != 0 && strcmp(w[1], "TCP6") != 0)) {
		*why = "v1: protocol not TCP4, TCP6 or UNKNOWN";
		return PROXY_ERROR;
	}
	if (n != 6 || t != NULL) {
		*why = "v1: not 4 address fields";
		return PROXY_ERROR;
	}
	af = w[1][3] == '4' ? AF_INET : AF_INET6;
	if (v1_addr(af, w[2], w[4], &pi->src, &pi->srclen) < 0 ||
	    v1_addr(af, w[3], w[5], &pi->dst, &pi->dstlen) < 0) {
		*why = "v1: bad address or port";
		return PROXY_ERROR;
	}
	return PROXY_DONE;
}

static enum proxy_res
parse_v1(
    const unsigned char *b, size_t len, struct proxy_info *pi, const char **why)
{
	char line[PROXY_V1_MAX + 1];
	size_t i;

	pi->version = 1;
	if (memcmp(b, v1sig, len < 6 ? len : 6) != 0) {
		*why = "v1: no PROXY signature";
		return PROXY_ERROR;
	}
	for (i = 0; i < len && i < PROXY_V1_MAX; i++) {
		if (b[i] == '\r')
			break;
		if (b[i] < 0x20 || b[i] > 0x7e) {
			*why = "v1: control or 8-bit byte";
			return PROXY_ERROR;
		}
	}
	if (i >= PROXY_V1_MAX - 1) {
		*why = "v1: line too long";
		return PROXY_ERROR;
	}
	if (i + 1 >= len) { /* no CR yet, or CR the last byte read */
		pi->need = 1;
		return PROXY_MORE;
	}
	if (b[i + 1] != '\n' || i < 6) {
		*why = "v1: CR without LF";
		return PROXY_ERROR;
	}
	memcpy(line, b, i);
	line[i] = '\0';
	pi->len = i + 2;
	return v1_line(line, pi, why);
}

/* The TLVs after the addresses: each must fit; their content is skipped. */
static int
v2_tlvs(const unsigned char *t, size_t n, struct proxy_info *pi)
{
	size_t l;

	while (n > 0) {
		if (n < 3)
			return -1;
		l = (size_t)t[1] << 8 | t[2];
		if (l > n - 3)
			return -1;
		t += 3 + l;
		n -= 3 + l;
		pi->tlvs++;
	}
	return 0;
}

static enum proxy_res
v2_addrs(
    const unsigned char *a, size_t n, struct proxy_info *pi, const char **why)
{
	unsigned fam = a[-3] >> 4, tp = a[-3] & 0x0f;
	size_t need = fam == 1 ? 12 : 36;
	struct sockaddr_in *s4;
	struct sockaddr_in6 *s6;

	if ((fam != 1 && fam != 2) || tp != 1) {
		pi->local = 1; /* UNSPEC, UNIX, datagrams, unknown: ignore */
		return PROXY_DONE;
	}
	if (n < need) {
		*why = "v2: address block too short";
		return PROXY_ERROR;
	}
	memset(&pi->src, 0, sizeof(pi->src));
	memset(&pi->dst, 0, sizeof(pi->dst));
	if (fam == 1) {
		s4 = (struct sockaddr_in *)&pi->src;
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, a, 4);
		memcpy(&s4->sin_port, a + 8, 2);
		s4 = (struct sockaddr_in *)&pi->dst;
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, a + 4, 4);
		memcpy(&s4->sin_port, a + 10, 2);
		pi->srclen = pi->dstlen = sizeof(*s4);
	} else {
		s6 = (struct sockaddr_in6 *)&pi->src;
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, a, 16);
		memcpy(&s6->sin6_port, a + 32, 2);
		s6 = (struct sockaddr_in6 *)&pi->dst;
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, a + 16, 16);
		memcpy(&s6->sin6_port, a + 34, 2);
		pi->srclen = pi->dstlen = sizeof(*s6);
	}
	if (v2_tlvs(a + need, n - need, pi) < 0) {
		*why = "v2: TLV overruns the header";
		return PROXY_ERROR;
	}
	return PROXY_DONE;
}

static enum proxy_res
parse_v2(
    const unsigned char *b, size_t len, struct proxy_info *pi, const char **why)
{
	size_t body;

	pi->version = 2;
	if (memcmp(b, v2sig, len < 12 ? len : 12) != 0) {
		*why = "v2: bad signature";
		return PROXY_ERROR;
	}
	if (len > 12 && (b[12] >> 4 != 2 || (b[12] & 0x0f) > 1)) {
		*why = "v2: not version 2 LOCAL or PROXY";
		return PROXY_ERROR;
	}
	if (len < PROXY_V2_HEAD) {
		pi->need = PROXY_V2_HEAD - len;
		return PROXY_MORE;
	}
	body = (size_t)b[14] << 8 | b[15];
	if (body > PROXY_V2_MAX) {
		*why = "v2: header too long";
		return PROXY_ERROR;
	}
	if (len < PROXY_V2_HEAD + body) {
		pi->need = PROXY_V2_HEAD + body - len;
		return PROXY_MORE;
	}
	pi->len = PROXY_V2_HEAD + body;
	if ((b[12] & 0x0f) == 0) { /* LOCAL: a health check of the proxy */
		pi->local = 1;
		return PROXY_DONE;
	}
	return v2_addrs(b + PROXY_V2_HEAD, body, pi, why);
}

enum proxy_res
proxy_parse(const unsigned char *buf, size_t len, struct proxy_info *pi,
    const char **why)
{
	enum proxy_res r;

	memset(pi, 0, sizeof(*pi));
	*why = "";
	if (len == 0) {
		pi->need = 1;
		return PROXY_MORE;
	}
	if (buf[0] == v2sig[0])
		r = parse_v2(buf, len, pi, why);
	else if (buf[0] == (unsigned char)v1sig[0])
		r = parse_v1(buf, len, pi, why);
	else {
		*why = "no PROXY header";
		r = PROXY_ERROR;
	}
	if (r == PROXY_DONE && pi->local)
		pi->srclen = pi->dstlen = 0;
	return r;
}

int
proxy_net_parse(const char *text, struct proxy_net *n)
{
	char a[64], *slash, *end;
	long bits;

	if (strlen(text) >= sizeof(a))
		return -1;
	memcpy(a, text, strlen(text) + 1);
	if ((slash = strchr(a, '/')) != NULL)
		*slash++ = '\0';
	if (netaddr_parse(a, &n->net) < 0)
		return -1;
	n->bits = 128;
	if (slash == NULL)
		return 0;
	if (*slash < '0' || *slash > '9')
		return -1;
	bits = strtol(slash, &end, 10);
	if (*end != '\0' || bits > (n->net.v4 ? 32 : 128))
		return -1;
	n->bits = (int)bits + (n->net.v4 ? 96 : 0);
	return 0;
}

int
proxy_nets_parse(
    const char *list, struct proxy_net *out, int max, char *err, size_t errlen)
{
	char w[64];
	size_t l;
	int n = 0;

	while (*list != '\0') {
		list += strspn(list, " \t,");
		if (*list == '\0')
			break;
		l = strcspn(list, " \t,");
		if (l >= sizeof(w) || n >= max) {
			snprintf(err, errlen, "%s",
			    n >= max ? "too many networks"
			             : "network too long");
			return -1;
		}
		memcpy(w, list, l);
		w[l] = '\0';
		if (proxy_net_parse(w, &out[n]) < 0) {
			snprintf(err, errlen, "bad network '%s'", w);
			return -1;
		}
		n++;
		list += l;
	}
	return n;
}

int
proxy_nets_match(const struct proxy_net *nets, int n, const struct sockaddr *sa)
{
	struct netkey k;
	int i;

	if (netaddr_key(sa, &k) < 0)
		return 0;
	for (i = 0; i < n; i++)
		if (netaddr_in_prefix(&k, &nets[i].net, nets[i].bits))
			return 1;
	return 0;
}
