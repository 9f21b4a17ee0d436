/*
 * spool_etrn_test.c - the local ETRN request file byte for byte (ZMailer's
 * "T <domain> <[ip]>" line), its name transport/<inode>-etrn, no temp
 * file left behind, transport/ missing; and the whoson answer parser and
 * the scheduler's AUTH digest.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "etrn.h"
#include "etrn_cluster.h"
#include "tap.h"
#include "tmpdir.h"
#include "whoson.h"

static void
read_file(const char *path, char *out, size_t len)
{
	FILE *fp = fopen(path, "r");
	size_t n = 0;

	out[0] = '\0';
	if (fp == NULL)
		return;
	n = fread(out, 1, len - 1, fp);
	out[n] = '\0';
	fclose(fp);
}

/* Entries of dir other than . and ..; the last one's name in last. */
static int
count_dir(const char *dir, char *last, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		n++;
		snprintf(last, len, "%s", de->d_name);
	}
	closedir(d);
	return n;
}

static void
test_file(void)
{
	char dir[600], path[1200], text[200], name[64], err[300], last[256];
	char want[64];
	struct stat st;
	enum etrn_rc rc;

	tmp_make();
	rc = etrn_submit(tmp_dir, "example.org", "[192.0.2.1]", name,
	    sizeof(name), err, sizeof(err));
	is_int(rc, ETRN_NODIR, "transport/ missing: ETRN_NODIR (%s)", err);

	snprintf(dir, sizeof(dir), "%s/transport", tmp_dir);
	mkdir(dir, 0755);
	rc = etrn_submit(tmp_dir, "example.org", "[192.0.2.1]", name,
	    sizeof(name), err, sizeof(err));
	is_int(rc, ETRN_OK, "request written");
	is_int(count_dir(dir, last, sizeof(last)), 1, "one file, no temp left");
	is_str(last, name, "the name reported is the file");
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	read_file(path, text, sizeof(text));
	is_str(text, "T example.org [192.0.2.1]\n", "content byte for byte");
	stat(path, &st);
	snprintf(
	    want, sizeof(want), "%llu-etrn", (unsigned long long)st.st_ino);
	is_str(name, want, "named <inode>-etrn");
	unlink(path);

	rc = etrn_submit(tmp_dir, "v6.example", "[IPv6:2001:db8::1]", name,
	    sizeof(name), err, sizeof(err));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	read_file(path, text, sizeof(text));
	is_str(text, "T v6.example [IPv6:2001:db8::1]\n", "IPv6 literal");
	unlink(path);
	rmdir(dir);
	tmp_clean();
}

static const struct {
	const char *line;
	int rc;
	const char *out;
} answers[] = {
	{ "+alice", 0, "alice" },
	{ "+alice\r\n", 0, "alice" },
	{ "+bob smith ", 0, "bob smith" },
	{ "+ev\x01il\"\\", 0, "ev?il\"\\" },
	{ "+", 1, "-unregistered-" },
	{ "-Not Logged in", 1, "-unregistered-" },
	{ "*bad request", -1, "-unavailable-" },
	{ "", -1, "-unavailable-" },
	{ "alice", -1, "-unavailable-" },
};

static void
test_whoson(void)
{
	char out[WHOSON_MAX + 1], longer[300];
	size_t i;

	for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		int rc = whoson_answer(answers[i].line, out, sizeof(out));

		is_int(rc, answers[i].rc, "whoson answer %zu: code", i);
		is_str(out, answers[i].out, "whoson answer %zu: text", i);
	}
	longer[0] = '+';
	memset(longer + 1, 'x', 200);
	longer[201] = '\0';
	whoson_answer(longer, out, sizeof(out));
	is_int(strlen(out), WHOSON_MAX, "a long user name is cut to the cap");
}

static void
test_digest(void)
{
	char hex[33];

	/* md5("abc") with the challenge "a" and the password "bc" */
	ok(etrn_cluster_digest("a", "bc", hex) == 0, "digest computed");
	is_str(hex, "900150983cd24fb0d6963f7d28e17f72",
	    "md5(challenge || password), lowercase hex");
}

int
main(void)
{
	char buf[64];

	test_file();
	ok(etrn_format(buf, 10, "example.org", "[192.0.2.1]") < 0,
	    "a line that does not fit is refused");
	test_whoson();
	test_digest();
	return tap_done();
}
