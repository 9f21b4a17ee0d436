/* zenv_test.c - ZENV file reading and $-expansion. */
#include "buf.h"
#include "zenv.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char tmpl[] = "/tmp/zenv_testXXXXXX";

/* Write n bytes (strlen when 0) to a temporary file and load it. */
static struct zenv *
load_bytes(const char *text, size_t n, char *err, size_t errlen)
{
	struct zenv *z;
	FILE *fp;
	int fd;

	snprintf(tmpl, sizeof(tmpl), "/tmp/zenv_testXXXXXX");
	if ((fd = mkstemp(tmpl)) < 0 || (fp = fdopen(fd, "w")) == NULL)
		return NULL;
	fwrite(text, 1, n ? n : strlen(text), fp);
	fclose(fp);
	z = zenv_load(tmpl, err, errlen);
	unlink(tmpl);
	return z;
}

static const struct {
	const char *in, *out;
} expand_cases[] = {
	{ "plain text", "plain text" },
	{ "$MAILVAR/db/smtp-policy", "/etc/mail/db/smtp-policy" },
	{ "${MAILVAR}x", "/etc/mailx" },
	{ "$(MAILVAR)x", "/etc/mailx" },
	{ "$$MAILVAR", "$MAILVAR" },
	{ "cost $$5", "cost $5" },
	{ "$NOSUCH/x", "$NOSUCH/x" },
	{ "${NOSUCH}/x", "${NOSUCH}/x" },
	{ "$", "$" },
	{ "a$/b", "a$/b" },
	{ "${}", "${}" },
	{ "${MAILVAR", "${MAILVAR" },
	{ "$DBTYPE $MAILVAR", "gdbm /etc/mail" },
	{ "$EMPTY.", "." },
	{ "$A_B1-", "v-" },
};

static void
test_expand(const struct zenv *z)
{
	struct buf b;
	size_t i;

	for (i = 0; i < sizeof(expand_cases) / sizeof(expand_cases[0]); i++) {
		buf_init(&b, 1024);
		ok(zenv_expand(z, expand_cases[i].in, &b) == 0, "expand '%s'",
		    expand_cases[i].in);
		is_str(b.data ? b.data : "", expand_cases[i].out,
		    "expand '%s' gives '%s'", expand_cases[i].in,
		    expand_cases[i].out);
		buf_free(&b);
	}
	buf_init(&b, 8);
	ok(zenv_expand(z, "$MAILVAR/db", &b) < 0, "expansion past cap fails");
	buf_free(&b);
}

static const struct {
	const char *text;
	size_t n;
	const char *err;
} bad_files[] = {
	{ "A=1\nnot an assignment\n", 0, ":2: expected NAME=value" },
	{ "A=\"open\n", 0, ":1: unterminated quoted value" },
	{ "=x\n", 0, ":1: expected NAME=value" },
	{ "A=1\nB=a\0b\n", 10, ":2: line too long or NUL byte" },
};

static void
test_bad(void)
{
	char err[256], big[5000];
	struct zenv *z;
	size_t i;

	for (i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		err[0] = '\0';
		z = load_bytes(
		    bad_files[i].text, bad_files[i].n, err, sizeof(err));
		ok(z == NULL, "malformed file %zu refused", i);
		ok(strstr(err, bad_files[i].err) != NULL,
		    "error names line: %s", err);
		zenv_free(z);
	}
	memset(big, 'x', sizeof(big) - 1);
	memcpy(big, "A=", 2);
	big[sizeof(big) - 1] = '\0';
	z = load_bytes(big, 0, err, sizeof(err));
	ok(z == NULL && strstr(err, ":1: line too long") != NULL,
	    "over-long line refused: %s", err);
	zenv_free(z);
}

int
main(void)
{
	char err[256] = "";
	struct zenv *z;

	z = load_bytes("# ZENV\n"
	               "\n"
	               "MAILVAR=/etc/mail\n"
	               "  DBTYPE=\"gdbm\"\n"
	               "POSTOFFICE='/var/spool/postoffice'  \r\n"
	               "EMPTY=\n"
	               "A_B1=v\n"
	               "DUP=first\n"
	               "DUP=last\n"
	               "NOLF=yes",
	    0, err, sizeof(err));
	ok(z != NULL, "sample file loads (%s)", err);
	is_str(zenv_get(z, "MAILVAR"), "/etc/mail", "plain value");
	is_str(zenv_get(z, "DBTYPE"), "gdbm", "double quotes removed");
	is_str(zenv_get(z, "POSTOFFICE"), "/var/spool/postoffice",
	    "single quotes removed, CRLF and trailing blanks dropped");
	is_str(zenv_get(z, "EMPTY"), "", "empty value");
	is_str(zenv_get(z, "DUP"), "last", "last assignment wins");
	is_str(zenv_get(z, "NOLF"), "yes", "last line without LF");
	ok(zenv_get(z, "PATH") == NULL, "process environment not used");
	ok(zenv_get(z, "mailvar") == NULL, "names are case-sensitive");
	test_expand(z);
	ok(zenv_set(z, "MAILVAR", "/opt") == 0, "zenv_set replaces");
	is_str(zenv_get(z, "MAILVAR"), "/opt", "override visible");
	ok(zenv_set(z, "NEW", "n") == 0, "zenv_set adds");
	is_str(zenv_get(z, "NEW"), "n", "new name visible");
	ok(zenv_set(z, "BAD NAME", "x") < 0, "bad name refused");
	zenv_free(z);

	z = zenv_load("/nonexistent/zmailer.conf", err, sizeof(err));
	ok(z != NULL, "missing file gives an empty env");
	ok(zenv_get(z, "MAILVAR") == NULL, "empty env has no names");
	zenv_free(z);
	z = zenv_load("/", err, sizeof(err));
	ok(z == NULL, "directory is a read error: %s", err);
	test_bad();
	return tap_done();
}
