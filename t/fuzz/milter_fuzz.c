/*
 * milter_fuzz.c - libFuzzer entry for the milter reply parser
 * (server/milter_proto.c): the input is a stream of bytes from a milter;
 * every packet taken from it is decoded as option negotiation, reply code
 * and strings (with and without an index).  Besides crashes it checks
 * that packets stay inside the input and decoded texts inside their
 * buffers.  Built and run by `make fuzz` / `make fuzz-run`.
 */
#include "milter_proto.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c))                                                      \
			abort();                                               \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct mpkt p;
	size_t used, off = 0;
	uint32_t a, b, c;
	const char *v[4];
	char enh[16], text[256];
	int code, k;

	while (off < size) {
		k = mproto_take(in + off, size - off, &p, &used);
		if (k <= 0)
			break;
		CHECK(used >= 5 && used <= size - off);
		CHECK(p.data + p.len == in + off + used);
		(void)mproto_optneg(&p, &a, &b, &c);
		if (mproto_replycode(
		        &p, &code, enh, sizeof(enh), text, sizeof(text)) == 0) {
			CHECK(code >= 400 && code <= 599);
			CHECK(strlen(enh) < sizeof(enh));
			CHECK(strlen(text) < sizeof(text));
		}
		k = mproto_strings(&p, NULL, v, 4);
		CHECK(k <= 4);
		k = mproto_strings(&p, &a, v, 4);
		CHECK(k <= 4);
		off += used;
	}
	return 0;
}
