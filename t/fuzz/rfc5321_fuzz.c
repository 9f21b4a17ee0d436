/*
 * rfc5321_fuzz.c - libFuzzer entry for the path and parameter parser.
 * Built and run by `make fuzz` / `make fuzz-run` (see t/fuzz/run).
 * The first byte picks the path flags; the rest is the input.  Besides
 * crashes it checks invariants: results bounded by the input, errors with
 * a reason and an in-range column, and addr reparses to itself.
 */
#include "rfc5321.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c))                                                      \
			abort();                                               \
	} while (0)

/* "<addr>" must parse again, with the flags that let any result pass. */
static void
reparse(const struct smtp_path *p, unsigned flags)
{
	struct smtp_path q;
	size_t n = strlen(p->addr);
	char *s = malloc(n + 3);

	CHECK(s != NULL);
	s[0] = '<';
	memcpy(s + 1, p->addr, n);
	s[n + 1] = '>';
	s[n + 2] = '\0';
	flags = (flags & RFC5321_UTF8) | RFC5321_KEEP_ROUTE |
	    RFC5321_ALLOW_NULL | RFC5321_POSTMASTER;
	CHECK(rfc5321_path(s, n + 2, flags, &q) == 0);
	CHECK(strcmp(q.addr, p->addr) == 0);
	CHECK(q.end == n + 2);
	rfc5321_path_free(&q);
	free(s);
}

static void
path(const char *s, size_t n, unsigned flags)
{
	struct smtp_path p;

	if (rfc5321_path(s, n, flags, &p) == 0) {
		CHECK(p.addr != NULL && p.err == NULL && p.end <= n);
		CHECK(strlen(p.addr) + 2 <= 256);
		CHECK(!p.null || p.addr[0] == '\0');
		CHECK(!p.utf8 || (flags & RFC5321_UTF8));
		if (!p.null)
			reparse(&p, flags);
	} else {
		CHECK(p.err != NULL && p.errcol <= n);
		CHECK(p.addr == NULL && p.route == NULL);
	}
	rfc5321_path_free(&p);
}

static void
params(const char *s, size_t n)
{
	struct esmtp_param v[8];
	const char *err = NULL;
	size_t col = 0;
	int r = rfc5321_params_col(s, n, v, 8, &err, &col);

	if (r >= 0) {
		CHECK(err == NULL && r <= 8);
		rfc5321_params_free(v, (size_t)r);
	} else {
		CHECK(err != NULL && col <= n);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why;
	char *z;

	if (size < 1)
		return 0;
	path((const char *)data + 1, size - 1, data[0] & 0x7f);
	params((const char *)data + 1, size - 1);
	z = malloc(size);
	CHECK(z != NULL);
	memcpy(z, data + 1, size - 1);
	z[size - 1] = '\0';
	why = NULL;
	CHECK(rfc5321_helo_valid(z, &why) == (why == NULL ? 0 : -1));
	(void)rfc5321_notify_valid(z);
	(void)rfc5321_orcpt_valid(z);
	(void)rfc5321_literal_valid(z, size - 1);
	free(z);
	return 0;
}
