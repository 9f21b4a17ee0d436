/*
 * rcptdb_test.c - the recipient table: source lines to keys (and the
 * reasons bad lines give), policy-builder's file:line errors and
 * all-or-nothing build, and lookups in a built table (whole address,
 * bare local part, catch-all, a missing or broken file).
 */
#include <stdio.h>
#include <string.h>

#include "policy_build.h"
#include "rcptdb.h"
#include "tap.h"
#include "tmpdir.h"

static const struct {
	const char *line;
	int rc;
	const char *key; /* kind byte first; or a piece of the reason */
} lines[] = {
	{ "joe@example.org", 1, "ajoe@example.org" },
	{ "  Joe@Example.ORG. \t", 1, "ajoe@example.org" },
	{ "joe", 1, "ljoe" },
	{ "@Example.org", 1, "dexample.org" },
	{ "", 0, "" },
	{ "   ", 0, "" },
	{ "# a comment", 0, "" },
	{ "  # indented comment", 0, "" },
	{ "joe bob", -1, "blank" },
	{ "\"joe\"@example.org", -1, "quote" },
	{ "joe@[192.0.2.1]", -1, "special" },
	{ "joe@", -1, "domain" },
	{ "@", -1, "domain" },
	{ "joe@exa..mple", -1, "domain" },
	{ "a@b@c", -1, "more than one" },
	{ "joe\x01@example.org", -1, "special" },
	{ "0123456789012345678901234567890123456789012345678901234567890123x",
	    -1, "64" },
};

static void
test_lines(void)
{
	char line[400], key[RCPTDB_KEY_MAX], why[200];
	size_t i, n;
	int rc;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		snprintf(line, sizeof(line), "%s", lines[i].line);
		key[0] = why[0] = '\0';
		rc = rcptdb_src_line(line, key, &n, why, sizeof(why));
		is_int(rc, lines[i].rc, "rc of '%s'", lines[i].line);
		if (rc > 0) {
			is_str(key, lines[i].key, "key of '%s'", lines[i].line);
			is_int((int)n, (int)strlen(lines[i].key), "its length");
		} else if (rc < 0)
			ok(strstr(why, lines[i].key) != NULL, "'%s': %s",
			    lines[i].line, why);
	}
	memset(line, 'a', 300);
	line[300] = '\0';
	line[20] = '@';
	ok(rcptdb_src_line(line, key, &n, why, sizeof(why)) < 0 &&
	        strstr(why, "254") != NULL,
	    "an address over 254 characters: %s", why);
}

static void
test_build(void)
{
	char out[2000], path[1024];
	FILE *errs = tmpfile();
	size_t n;

	tmp_write("smtp-policy.src", "example.org localdomain +\n");
	tmp_write("recipients", "joe@example.org\n# c\nbad line\n@\n");
	is_int(policy_build(tmp_dir, "smtp-policy", errs), -1,
	    "bad recipient lines fail the build");
	rewind(errs);
	n = fread(out, 1, sizeof(out) - 1, errs);
	out[n] = '\0';
	snprintf(path, sizeof(path), "%s/recipients:3: blank", tmp_dir);
	ok(strstr(out, path) != NULL, "file:line of the first bad line");
	snprintf(path, sizeof(path), "%s/recipients:4: not a valid", tmp_dir);
	ok(strstr(out, path) != NULL, "file:line of the second");
	tmp_path("smtp-policy.gdbm", path, sizeof(path));
	ok(access(path, F_OK) < 0, "and no policy database either");
	tmp_path("recipients.gdbm", path, sizeof(path));
	ok(access(path, F_OK) < 0, "nor a recipient table");
	tmp_path("recipients-new.gdbm", path, sizeof(path));
	ok(access(path, F_OK) < 0, "nor a temp file left behind");
	fclose(errs);
}

static void
test_check(void)
{
	char err[600], base[1024], path[1024];
	struct rcptdb *r;

	tmp_write("recipients", "joe@example.org\nshared\n@all.example\n");
	is_int(policy_build(tmp_dir, "smtp-policy", stderr), 0, "good build");
	tmp_path("recipients", base, sizeof(base));
	r = rcptdb_new(base, err, sizeof(err));
	ok(r != NULL, "rcptdb_new");
	is_int(rcptdb_check(r, "joe", "example.org", err, sizeof(err)), 1,
	    "whole address");
	is_int(rcptdb_check(r, "bob", "example.org", err, sizeof(err)), 0,
	    "unknown");
	is_int(rcptdb_check(r, "joe", "other.example", err, sizeof(err)), 0,
	    "known local part, other domain");
	is_int(rcptdb_check(r, "shared", "other.example", err, sizeof(err)), 1,
	    "bare local part");
	is_int(rcptdb_check(r, "shared", "", err, sizeof(err)), 1,
	    "bare local part, no domain");
	is_int(rcptdb_check(r, "x", "all.example", err, sizeof(err)), 1,
	    "catch-all");
	is_int(rcptdb_check(r, "example.org", "", err, sizeof(err)), 0,
	    "a domain is not a local part");
	is_int(rcptdb_check(r, "joe@example.org", "", err, sizeof(err)), 0,
	    "a quoted local part with '@' is not a whole address");
	tmp_path("recipients.gdbm", path, sizeof(path));
	unlink(path);
	is_int(rcptdb_check(r, "joe", "example.org", err, sizeof(err)), -1,
	    "missing: -1");
	ok(strstr(err, "recipients.gdbm") != NULL, "reason: %s", err);
	tmp_write("recipients.gdbm", "not a database\n");
	is_int(rcptdb_check(r, "joe", "example.org", err, sizeof(err)), -1,
	    "not a GDBM file: -1 (%s)", err);
	rcptdb_free(r);
}

int
main(void)
{
	tmp_make();
	test_lines();
	test_build();
	test_check();
	tmp_clean();
	return tap_done();
}
