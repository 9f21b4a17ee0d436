/*
 * policy_src_fuzz.c - libFuzzer entry for the policy source parser
 * (policy/policy_src.c), as policy-builder feeds it: the input is a source
 * file, each line (without its LF or CR) goes to policy_src_line() in a heap
 * copy of its exact size.  Besides crashes it checks what the database
 * reader relies on: a well-formed key that pdb_key_text() turns back into the
 * same key, and a value block of [len][code][value NUL] records.
 * Built and run by `make fuzz` / `make fuzz-run` (see t/fuzz/run).
 */
#include "policy_src.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c))                                                      \
			abort();                                               \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The key's text parses back to the very same key. */
static void
check_key(const unsigned char *key)
{
	unsigned char again[PKEY_MAX + 1];
	char text[PKEY_MAX + 64], why[200];
	int n;

	CHECK(key[0] >= 3);
	CHECK(key[1] >= PK_IPV4 && key[1] <= PK_USER);
	if (key[1] == PK_IPV4)
		CHECK(key[0] == 7 && key[6] <= 32);
	else if (key[1] == PK_IPV6)
		CHECK(key[0] == 19 && key[18] <= 128);
	else
		CHECK(key[0] - 3 <= PVAL_MAX && key[key[0] - 1] == '\0' &&
		    strlen((const char *)key + 2) == (size_t)key[0] - 3);
	pdb_key_text(key, text, sizeof(text));
	n = policy_src_key(text, again, sizeof(again), why, sizeof(why));
	CHECK(n == key[0] && memcmp(again, key, (size_t)n) == 0);
}

static void
check_value(const struct policy_src_rec *r)
{
	size_t at = 0, len;

	CHECK(r->vallen > 0 && r->vallen <= sizeof(r->val));
	while (at < r->vallen) {
		CHECK(r->vallen - at >= 3);
		len = r->val[at];
		CHECK(len >= 3 && len <= r->vallen - at);
		CHECK(pdb_attr_name(r->val[at + 1]) != NULL);
		CHECK(r->val[at + len - 1] == '\0');
		CHECK(strlen((const char *)r->val + at + 2) == len - 3);
		at += len;
	}
}

static void
one_line(const uint8_t *s, size_t n, struct policy_src_rec *r)
{
	char why[200], *line;
	int rc;

	if (n >= POLICY_SRC_LINE_MAX) /* policy-builder refuses it first */
		return;
	if (n > 0 && s[n - 1] == '\r')
		n--;
	line = malloc(n + 1);
	CHECK(line != NULL);
	memcpy(line, s, n);
	line[n] = '\0';
	why[0] = '\0';
	rc = policy_src_line(line, r, why, sizeof(why));
	CHECK(rc >= -1 && rc <= 1);
	if (rc < 0)
		CHECK(why[0] != '\0' && strlen(why) < sizeof(why));
	if (rc > 0) {
		check_key(r->key);
		check_value(r);
	}
	free(line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct policy_src_rec r;
	const uint8_t *end = data + size, *nl;

	while (data < end) {
		nl = memchr(data, '\n', (size_t)(end - data));
		if (nl == NULL)
			nl = end;
		one_line(data, (size_t)(nl - data), &r);
		data = nl + 1;
	}
	return 0;
}
