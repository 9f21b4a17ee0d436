/*
 * stream_fuzz.c - libFuzzer entry for the line reader (stream_getline),
 * which every SMTP command line goes through.  Built and run by
 * `make fuzz` / `make fuzz-run` (see t/fuzz/run).
 * The first byte picks the line limit (1 to 64, or 512); the rest is
 * the input, handed over in pieces of 1 to 17 bytes that the input's
 * own bytes choose, so that CR, LF and the limit fall on every boundary.
 * Besides crashes it checks each line against a model of the input:
 * one line per LF; a line of at most the limit comes whole, without its
 * LF and its CR before it (and the flags say which); a longer one is
 * flagged too long, keeps the limit's first bytes and the rest up to
 * its LF is skipped; whichever read the LF comes in; at the end a
 * piece without LF is end of file, never a line.
 */
#include "stream.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c))                                                      \
			abort();                                               \
	} while (0)

struct feed {
	const uint8_t *d;
	size_t n, off;
};

static struct feed F;

static ssize_t
feed_read(struct stream *s, void *p, size_t n)
{
	size_t k;

	(void)s;
	if (F.off >= F.n)
		return 0;
	k = 1 + F.d[F.off] % 17;
	if (k > n)
		k = n;
	if (k > F.n - F.off)
		k = F.n - F.off;
	memcpy(p, F.d + F.off, k);
	F.off += k;
	return (ssize_t)k;
}

/* never wait in poll(2): the feed always has an answer, bytes or EOF */
static int
feed_pending(struct stream *s)
{
	(void)s;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stream st;
	struct buf line;
	const uint8_t *in, *lf;
	size_t max, n, pos = 0, seg, lines = 0, lfs = 0, i;
	int r, fl;

	if (size < 1)
		return 0;
	max = data[0] == 0xff ? 512 : 1 + data[0] % 64;
	in = data + 1;
	n = size - 1;
	for (i = 0; i < n; i++)
		lfs += in[i] == '\n';
	F.d = in;
	F.n = n;
	F.off = 0;
	stream_init(&st, -1, -1, 1);
	st.rd = feed_read;
	st.rpending = feed_pending;
	buf_init(&line, max + 1);
	for (;;) {
		fl = 0;
		r = stream_getline(&st, &line, max, &fl);
		if (r != SR_OK) {
			/* only at the end, with no LF left in the input */
			CHECK(r == SR_EOF);
			CHECK(memchr(in + pos, '\n', n - pos) == NULL);
			break;
		}
		lf = memchr(in + pos, '\n', n - pos);
		CHECK(lf != NULL);
		seg =
		    (size_t)(lf - (in + pos)); /* the line's bytes before LF */
		CHECK(line.len <= max);
		CHECK(
		    memchr(line.data ? line.data : "", '\n', line.len) == NULL);
		CHECK(!(fl & SL_PARTIAL));
		CHECK(((fl & SL_CRLF) != 0) + ((fl & SL_LF) != 0) == 1);
		CHECK(
		    !(fl & SL_CRLF) == !(seg > 0 && in[pos + seg - 1] == '\r'));
		if (seg <= max) {
			CHECK(!(fl & SL_TOOLONG));
			CHECK(line.len == seg - ((fl & SL_CRLF) != 0));
			CHECK(memcmp(line.data ? line.data : "", in + pos,
			          line.len) == 0);
		} else {
			CHECK(fl & SL_TOOLONG);
			CHECK(line.len == max);
			CHECK(memcmp(line.data, in + pos, line.len) == 0);
		}
		pos += seg + 1;
		lines++;
	}
	CHECK(lines == lfs);
	buf_free(&line);
	stream_free(&st);
	return 0;
}
