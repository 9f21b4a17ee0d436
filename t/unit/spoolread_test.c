/*
 * spoolread_test.c - the spool file reader: envelope lines, body, lookups
 * and the files it must refuse.
 */
#include <string.h>

#include "spoolread.h"
#include "tap.h"

static const struct {
	const char *in;
	int rc;
	size_t nlines;
	const char *body;
	const char *what;
} cases[] = {
	{ "env-end\n", 0, 0, "", "empty envelope and body" },
	{ "external\nfrom <a@b>\nto <c@d>\nto <e@f>\nenv-end\nS: x\n\nhi\n", 0,
	    4, "S: x\n\nhi\n", "envelope and message" },
	{ "to <a@b>\nenv-end\nenv-end\n", 0, 1, "env-end\n",
	    "first env-end ends the envelope" },
	{ "from <a@b>\n", -1, 0, NULL, "no env-end" },
	{ "from <a@b>\nenv-end", -1, 0, NULL, "env-end without LF" },
	{ "", -1, 0, NULL, "empty file" },
};

int
main(void)
{
	struct spool_msg m;
	char err[128];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = spoolread_mem(
		    cases[i].in, strlen(cases[i].in), &m, err, sizeof(err));
		is_int(rc, cases[i].rc, "rc: %s", cases[i].what);
		if (rc != 0)
			continue;
		is_int(m.nlines, cases[i].nlines, "lines: %s", cases[i].what);
		ok(m.bodylen == strlen(cases[i].body) &&
		        memcmp(m.body, cases[i].body, m.bodylen) == 0,
		    "body: %s", cases[i].what);
		ok(m.rawlen == strlen(cases[i].in) &&
		        memcmp(m.raw, cases[i].in, m.rawlen) == 0,
		    "raw kept: %s", cases[i].what);
		spoolread_free(&m);
	}
	spoolread_mem(cases[1].in, strlen(cases[1].in), &m, err, sizeof(err));
	is_str(spoolread_get(&m, "external", 0), "", "bare keyword line");
	is_str(spoolread_get(&m, "to", 1), "<e@f>", "second to line");
	ok(spoolread_get(&m, "to", 2) == NULL, "no third to line");
	ok(spoolread_get(&m, "ext", 0) == NULL, "keyword prefix is no match");
	is_int(spoolread_count(&m, "to"), 2, "count to lines");
	spoolread_free(&m);
	ok(spoolread_file("/nonexistent/spool/file", &m, err, sizeof(err)) ==
	        -1,
	    "missing file: %s", err);
	return tap_done();
}
