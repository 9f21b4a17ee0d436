/*
 * log_test.c - the escapers of log lines: log_escape (people's text) and
 * log_value (a key=value field, smtpserver(8) LOGGING), as a table of
 * inputs and the text each must give, cut short by the buffer size.
 */
#include "log.h"
#include "tap.h"

#include <string.h>

static const struct {
	const char *in;
	size_t len; /* buffer size */
	const char *esc, *val;
} cases[] = {
	{ "alice", 64, "alice", "alice" },
	{ "", 64, "", "-" },
	{ "a b=c\"d", 64, "a b=c\"d", "a\\x20b\\x3dc\\x22d" },
	{ "x failed event=auth-fail client=192.0.2.1", 128,
	    "x failed event=auth-fail client=192.0.2.1",
	    "x\\x20failed\\x20event\\x3dauth-fail\\x20client\\x3d192.0.2.1" },
	{ "tab\there\r\n", 64, "tab\\x09here\\x0d\\x0a",
	    "tab\\x09here\\x0d\\x0a" },
	{ "back\\slash\xe9", 64, "back\\\\slash\\xe9", "back\\\\slash\\xe9" },
	{ "0123456789abcdef", 12, "01234567...", "01234567..." },
	{ "a b c d e f", 12, "a b c d ...", "a\\x20b..." },
};

int
main(void)
{
	char out[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(out, 'Z', sizeof(out));
		log_escape(out, cases[i].len, cases[i].in, strlen(cases[i].in));
		is_str(out, cases[i].esc, "log_escape case %zu", i);
		memset(out, 'Z', sizeof(out));
		log_value(out, cases[i].len, cases[i].in);
		is_str(out, cases[i].val, "log_value case %zu", i);
		ok(strchr(out, ' ') == NULL, "no space in value %zu", i);
	}
	log_value(out, sizeof(out), NULL);
	is_str(out, "-", "log_value of NULL");
	return tap_done();
}
