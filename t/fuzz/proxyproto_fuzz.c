/*
 * proxyproto_fuzz.c - libFuzzer entry for the PROXY header parser.
 * Built and run by `make fuzz` / `make fuzz-run` (see t/fuzz/run).
 * Besides crashes it checks invariants: a parsed header is no longer than
 * the input nor PROXY_HDR_MAX; more is asked for only within that bound;
 * the input cut to the header parses the same; feeding it in the pieces
 * the parser asks for (as server/proxy.c reads) ends the same way.
 */
#include "proxyproto.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c))                                                      \
			abort();                                               \
	} while (0)

/* What proxy.c does: start empty, read exactly what is asked for. */
static enum proxy_res
stepwise(const uint8_t *d, size_t n, struct proxy_info *pi)
{
	const char *why;
	size_t len = 0;
	enum proxy_res r;

	while ((r = proxy_parse(d, len, pi, &why)) == PROXY_MORE) {
		CHECK(pi->need >= 1 && len + pi->need <= PROXY_HDR_MAX);
		if (len + pi->need > n)
			return PROXY_MORE;
		len += pi->need;
	}
	if (r == PROXY_ERROR)
		CHECK(why != NULL && *why != '\0');
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxy_info a, b;
	struct proxy_net nets[PROXY_MAX_NETS];
	const char *why;
	enum proxy_res r, s;
	char *text, err[128];

	r = proxy_parse(data, size, &a, &why);
	if (r == PROXY_DONE) {
		CHECK(a.len > 0 && a.len <= size && a.len <= PROXY_HDR_MAX);
		CHECK(a.version == 1 || a.version == 2);
		CHECK(a.local ? a.srclen == 0 : a.srclen > 0);
		CHECK(proxy_parse(data, a.len, &b, &why) == PROXY_DONE);
		CHECK(b.len == a.len && b.srclen == a.srclen &&
		    memcmp(&b.src, &a.src, sizeof(a.src)) == 0);
	} else if (r == PROXY_MORE) {
		CHECK(a.need >= 1 && size + a.need <= PROXY_HDR_MAX);
	} else {
		CHECK(why != NULL && *why != '\0');
	}
	s = stepwise(data, size, &b);
	/* a prefix may hide an error the whole input shows */
	CHECK(s == r || (s == PROXY_MORE && r == PROXY_ERROR));
	if (s == PROXY_DONE)
		CHECK(b.len == a.len);

	/* the network list reader, on the same bytes as text */
	text = malloc(size + 1);
	CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	CHECK(proxy_nets_parse(text, nets, PROXY_MAX_NETS, err, sizeof(err)) <=
	    PROXY_MAX_NETS);
	free(text);
	return 0;
}
