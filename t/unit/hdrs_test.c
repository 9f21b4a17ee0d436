/*
 * hdrs_test.c - the headers a transaction puts on top of the message:
 * accepted and refused shapes, folds kept, control bytes blanked, the
 * count and size limits, and the writer's LF line ends.
 */
#include "hdrs.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	const char *in, *out; /* out NULL: refused */
	const char *name;
} cases[] = {
	{ "Received-SPF: pass (x) client-ip=1.2.3.4;",
	    "Received-SPF: pass (x) client-ip=1.2.3.4;", "plain" },
	{ "X-A: one\r\n two", "X-A: one\n two", "CRLF fold kept as LF" },
	{ "X-A: one\n\ttwo", "X-A: one\n\ttwo", "LF TAB fold kept" },
	{ "X-A: a\rb\x01"
	  "c\nd",
	    "X-A: a b c d", "other controls blanked" },
	{ "X-A:", "X-A:", "empty value" },
	{ "X A: b", NULL, "blank in the name" },
	{ ": b", NULL, "no name" },
	{ "no colon", NULL, "no colon" },
	{ "X-\x80: b", NULL, "8-bit name" },
	{ "", NULL, "empty" },
};

static char out[1 << 16];
static size_t olen;

static int
put(void *arg, const char *p, size_t n)
{
	(void)arg;
	if (olen + n >= sizeof(out))
		return -1;
	memcpy(out + olen, p, n);
	olen += n;
	out[olen] = '\0';
	return 0;
}

static int
put_fail(void *arg, const char *p, size_t n)
{
	(void)arg, (void)p, (void)n;
	return -1;
}

int
main(void)
{
	struct hdrs h;
	char want[1024], *big;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&h, 0, sizeof(h));
		olen = 0;
		out[0] = '\0';
		if (cases[i].out == NULL) {
			ok(hdrs_add(&h, cases[i].in) < 0 && h.n == 0,
			    "refused: %s", cases[i].name);
		} else {
			ok(hdrs_add(&h, cases[i].in) == 0, "added: %s",
			    cases[i].name);
			hdrs_write(&h, put, NULL);
			snprintf(want, sizeof(want), "%s\n", cases[i].out);
			is_str(out, want, "written: %s", cases[i].name);
		}
		hdrs_free(&h);
	}

	memset(&h, 0, sizeof(h));
	olen = 0;
	hdrs_add(&h, "A: 1");
	hdrs_add(&h, "B: 2");
	hdrs_write(&h, put, NULL);
	is_str(out, "A: 1\nB: 2\n", "in the order added");
	ok(hdrs_write(&h, put_fail, NULL) < 0, "the writer's failure returned");
	hdrs_free(&h);
	is_int(h.n, 0, "freed and empty");

	for (i = 0; i < HDRS_MAX; i++)
		hdrs_add(&h, "X-Many: y");
	is_int(h.n, HDRS_MAX, "HDRS_MAX headers");
	ok(hdrs_add(&h, "X-Many: y") < 0, "one more refused");
	hdrs_free(&h);

	big = malloc(HDRS_LINE_MAX + 20);
	memset(big, 'v', HDRS_LINE_MAX + 19);
	memcpy(big, "X-Big: ", 7);
	big[HDRS_LINE_MAX + 19] = '\0';
	ok(hdrs_add(&h, big) < 0, "a line over %d bytes refused",
	    HDRS_LINE_MAX);
	big[HDRS_LINE_MAX - 1] = '\0';
	ok(hdrs_add(&h, big) == 0, "a line of %d bytes taken",
	    HDRS_LINE_MAX - 1);
	hdrs_free(&h);
	for (i = 0; i < HDRS_MAX; i++)
		if (hdrs_add(&h, big) < 0)
			break;
	ok(h.bytes <= HDRS_BYTES && i < HDRS_MAX,
	    "HDRS_BYTES caps the total (%zu headers)", i);
	hdrs_free(&h);
	free(big);
	return tap_done();
}
