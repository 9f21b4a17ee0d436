/*
 * milter_proto.c - milter packets: framing (4-byte length in network
 * order, command byte, data) and the decoding of replies.  Every length
 * is checked; a malformed packet is an error the caller turns into a
 * milter failure.  Not for: sockets and timeouts (milter.c).
 */
#include "milter_proto.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

int
mproto_put(struct buf *out, int cmd, const void *data, size_t len)
{
	uint32_t n;
	char c = (char)cmd;

	if (len >= MILTER_PKT_MAX)
		return -1;
	n = htonl((uint32_t)len + 1);
	if (buf_append(out, &n, 4) < 0 || buf_append(out, &c, 1) < 0 ||
	    (len > 0 && buf_append(out, data, len) < 0))
		return -1;
	return 0;
}

int
mproto_str(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s) + 1);
}

int
mproto_u32(struct buf *b, uint32_t v)
{
	v = htonl(v);
	return buf_append(b, &v, 4);
}

static uint32_t
get32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

int
mproto_take(const char *in, size_t n, struct mpkt *p, size_t *used)
{
	uint32_t len;

	if (n < 4)
		return 0;
	len = get32(in);
	if (len == 0 || len > MILTER_PKT_MAX)
		return -1;
	if (n - 4 < len)
		return 0;
	p->cmd = (unsigned char)in[4];
	p->data = in + 5;
	p->len = len - 1;
	*used = 4 + (size_t)len;
	return 1;
}

int
mproto_optneg(
    const struct mpkt *p, uint32_t *ver, uint32_t *act, uint32_t *proto)
{
	if (p->cmd != SMFIC_OPTNEG || p->len < 12)
		return -1;
	*ver = get32(p->data);
	*act = get32(p->data + 4);
	*proto = get32(p->data + 8);
	return 0;
}

/* "x.y.z" with x = cls, y and z 1-3 digits; its length or 0. */
static size_t
enh_len(const char *s, size_t n, char cls)
{
	size_t i = 0, d;
	int part;

	if (n < 5 || s[0] != cls || s[1] != '.')
		return 0;
	i = 2;
	for (part = 0; part < 2; part++) {
		for (d = 0; i < n && d < 4 && s[i] >= '0' && s[i] <= '9'; d++)
			i++;
		if (d == 0 || d > 3)
			return 0;
		if (part == 0 && (i >= n || s[i++] != '.'))
			return 0;
	}
	return i;
}

int
mproto_replycode(const struct mpkt *p, int *code, char *enh, size_t enhlen,
    char *text, size_t textlen)
{
	const char *s = p->data;
	size_t n, i, e, o = 0;

	if (p->cmd != SMFIR_REPLYCODE || p->len < 4 || s[p->len - 1] != '\0')
		return -1;
	n = strlen(s);
	if (n < 3 || (s[0] != '4' && s[0] != '5') || s[1] < '0' || s[1] > '9' ||
	    s[2] < '0' || s[2] > '9' || (n > 3 && s[3] != ' ' && s[3] != '-'))
		return -1;
	*code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	i = n > 3 ? 4 : 3;
	enh[0] = '\0';
	if ((e = enh_len(s + i, n - i, s[0])) > 0 &&
	    (i + e == n || s[i + e] == ' ') && e < enhlen) {
		memcpy(enh, s + i, e);
		enh[e] = '\0';
		i += e;
		while (i < n && s[i] == ' ')
			i++;
	}
	/* a multi-line reply is joined; other control bytes become '?' */
	for (; i < n && o + 1 < textlen; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r')
			continue;
		text[o++] = c == '\n' ? ' ' : (c < 0x20 || c == 0x7f) ? '?' : c;
	}
	text[o] = '\0';
	return 0;
}

int
mproto_strings(const struct mpkt *p, uint32_t *idx, const char **v, int max)
{
	const char *s = p->data, *end = p->data + p->len;
	int k = 0;

	if (idx != NULL) {
		if (p->len < 4)
			return -1;
		*idx = get32(s);
		s += 4;
	}
	if (s == end)
		return 0;
	if (end[-1] != '\0')
		return -1;
	while (s < end && k < max) {
		v[k++] = s;
		s += strlen(s) + 1;
	}
	return k;
}
