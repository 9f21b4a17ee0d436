/*
 * rfc5321_param.c - ESMTP parameters after a path, and the DSN values
 * NOTIFY= and ORCPT= (see rfc5321.h).  Only syntax: which keywords a verb
 * accepts and what a value means is the caller's business.
 */
#include "rfc5321.h"
#include "rfc5321_int.h"
#include "xtext.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ORCPT_MAX 500 /* RFC 3461 4.2 */

/* Reason for a byte that ends a keyword or value where it should not. */
static const char *
param_bad(int ch, const char *why)
{
	if (ch == '\0')
		return "NUL character in parameters";
	if (ch >= 0x80)
		return "8-bit characters in parameter";
	return why;
}

/*
 * One esmtp-param at s[*i]: esmtp-keyword ["=" esmtp-value] (RFC 5321
 * 4.1.2), ended by SP or end of input.
 */
static const char *
param_one(
    const unsigned char *s, size_t len, size_t *i, struct esmtp_param *out)
{
	size_t k = *i, kstart = *i, vstart;
	char *key;

	if (!is_letdig(s[k]))
		return param_bad(s[k], "bad parameter keyword");
	while (k < len && (is_letdig(s[k]) || s[k] == '-'))
		k++;
	if (k < len && s[k] != ' ' && s[k] != '=')
		return *i = k, param_bad(s[k], "bad parameter keyword");
	if ((out->key = key = dup_span(s + kstart, k - kstart)) == NULL)
		return "out of memory";
	for (; *key; key++)
		if (*key >= 'a' && *key <= 'z')
			*key = (char)(*key - 'a' + 'A');
	if (k >= len || s[k] != '=')
		return *i = k, NULL;
	vstart = ++k;
	while (k < len && s[k] >= 33 && s[k] <= 126 && s[k] != '=')
		k++;
	*i = k;
	if (k < len && s[k] != ' ')
		return param_bad(s[k], "bad parameter value");
	if (k == vstart)
		return "empty parameter value";
	if ((out->value = dup_span(s + vstart, k - vstart)) == NULL)
		return "out of memory";
	return NULL;
}

/* Is out[n]'s keyword already among out[0..n-1]? */
static int
dup_key(const struct esmtp_param *out, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (strcmp(out[k].key, out[n].key) == 0)
			return 1;
	return 0;
}

int
rfc5321_params_col(const char *str, size_t len, struct esmtp_param *out,
    size_t max, const char **err, size_t *errcol)
{
	const unsigned char *s = (const unsigned char *)str;
	const char *why = NULL;
	size_t i = 0, n = 0, k;

	for (;;) {
		while (i < len && s[i] == ' ')
			i++;
		if (i >= len)
			break;
		if (n >= max) {
			why = "too many parameters";
			break;
		}
		out[n].key = out[n].value = NULL;
		k = i;
		why = param_one(s, len, &i, &out[n]);
		n++;
		if (why != NULL)
			break;
		if (dup_key(out, n - 1)) {
			why = "parameter double defined!";
			i = k;
			break;
		}
	}
	if (err != NULL)
		*err = why;
	if (why == NULL)
		return (int)n;
	if (errcol != NULL)
		*errcol = i;
	rfc5321_params_free(out, n);
	return -1;
}

int
rfc5321_params(const char *s, size_t len, struct esmtp_param *out, size_t max,
    const char **err)
{
	return rfc5321_params_col(s, len, out, max, err, NULL);
}

void
rfc5321_params_free(struct esmtp_param *v, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++) {
		free(v[k].key);
		free(v[k].value);
		v[k].key = v[k].value = NULL;
	}
}

/* RFC 3461 4.1: "NEVER" alone, or a list of SUCCESS, FAILURE, DELAY. */
int
rfc5321_notify_valid(const char *s)
{
	static const char *const word[] = { "SUCCESS", "FAILURE", "DELAY" };
	unsigned seen = 0, bit;
	size_t n, k;

	if (s == NULL || *s == '\0')
		return -1;
	if (strcasecmp(s, "NEVER") == 0)
		return 0;
	for (;;) {
		n = strcspn(s, ",");
		for (k = 0, bit = 0; k < 3 && bit == 0; k++)
			if (strlen(word[k]) == n &&
			    strncasecmp(s, word[k], n) == 0)
				bit = 1u << k;
		if (bit == 0 || (seen & bit))
			return -1;
		seen |= bit;
		if (s[n] == '\0')
			return 0;
		s += n + 1;
	}
}

/* RFC 822 atom character: printable, not a special. */
static int
is_atomch(int c)
{
	return c > 32 && c < 127 && strchr("()<>@,;:\\\".[]", c) == NULL;
}

/*
 * RFC 3461 4.2: addr-type ";" xtext, at most 500 characters.  An empty
 * address is refused: it cannot name an original recipient.
 */
int
rfc5321_orcpt_valid(const char *s)
{
	const char *semi;
	size_t k;

	if (s == NULL || strlen(s) > ORCPT_MAX)
		return -1;
	semi = strchr(s, ';');
	if (semi == NULL || semi == s || semi[1] == '\0')
		return -1;
	for (k = 0; s + k < semi; k++)
		if (!is_atomch((unsigned char)s[k]))
			return -1;
	return xtext_valid(semi + 1) ? 0 : -1;
}
