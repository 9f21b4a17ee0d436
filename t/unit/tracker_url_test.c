/*
 * tracker_url_test.c - PARAM tracking-cluster URLs: the redis:// and
 * unix: forms parsed into their parts, bad ones refused with a reason
 * that never holds the password, and the shown form masking it; then
 * the PARAM itself: the URL, the peer form, and what is unbuilt.
 */
#include "tap.h"
#include "tracker_url.h"
#include "conf.h"

#include <stdio.h>
#include <stdlib.h>

static const struct {
	const char *in;
	int ok, is_unix;
	const char *host, *path, *user, *pw;
	int port, db;
	const char *shown;
} cases[] = {
	{ "redis://127.0.0.1", 1, 0, "127.0.0.1", "", "", "", 6379, 0,
	    "redis://127.0.0.1:6379/0" },
	{ "redis://mx-redis.example.org:6380/3", 1, 0, "mx-redis.example.org",
	    "", "", "", 6380, 3, "redis://mx-redis.example.org:6380/3" },
	{ "REDIS://:s3cret@10.0.0.1:7000", 1, 0, "10.0.0.1", "", "", "s3cret",
	    7000, 0, "redis://:***@10.0.0.1:7000/0" },
	{ "redis://smtp:p@ss@h/1", 1, 0, "h", "", "smtp", "p@ss", 6379, 1,
	    "redis://smtp:***@h:6379/1" },
	{ "redis://pw@h", 1, 0, "h", "", "", "pw", 6379, 0,
	    "redis://:***@h:6379/0" },
	{ "redis://[::1]:6379/2", 1, 0, "::1", "", "", "", 6379, 2,
	    "redis://[::1]:6379/2" },
	{ "redis://h/", 1, 0, "h", "", "", "", 6379, 0, "redis://h:6379/0" },
	{ "unix:/run/redis/redis.sock", 1, 1, "", "/run/redis/redis.sock", "",
	    "", 6379, 0, "unix:/run/redis/redis.sock" },
	{ "unix:relative.sock", 0, 0, NULL, NULL, NULL, NULL, 0, 0, NULL },
	{ "unix:", 0, 0, NULL, NULL, NULL, NULL, 0, 0, NULL },
	{ "redis://", 0, 0, NULL, NULL, NULL, NULL, 0, 0, NULL },
	{ "redis://h:0", 0, 0, NULL, NULL, NULL, NULL, 0, 0, NULL },
	{ "redis://h:65536", 0, 0, NULL, NULL, NULL, NULL, 0, 0, NULL },
	{ "redis://h:12x", 0, 0, NULL, NULL, NULL, NULL, 0, 0, NULL },
	{ "redis://h/65536", 0, 0, NULL, NULL, NULL, NULL, 0, 0, NULL },
	{ "redis://h/db", 0, 0, NULL, NULL, NULL, NULL, 0, 0, NULL },
	{ "redis://[::1]x:1", 0, 0, NULL, NULL, NULL, NULL, 0, 0, NULL },
	{ "redis://[::1", 0, 0, NULL, NULL, NULL, NULL, 0, 0, NULL },
	{ "redis://h;rm", 0, 0, NULL, NULL, NULL, NULL, 0, 0, NULL },
	{ "redis://:topsecret@h:99999", 0, 0, NULL, NULL, NULL, NULL, 0, 0,
	    NULL },
	{ "redis://h\001", 0, 0, NULL, NULL, NULL, NULL, 0, 0, NULL },
	{ "http://h", 0, 0, NULL, NULL, NULL, NULL, 0, 0, NULL },
};

static void
check_case(size_t i)
{
	struct tracker_url u;
	char err[160] = "", shown[600];
	int r = tracker_url_parse(cases[i].in, &u, err, sizeof(err));

	ok((r == 0) == cases[i].ok, "%s: %s", cases[i].in,
	    cases[i].ok ? "parsed" : "refused");
	if (!cases[i].ok) {
		ok(err[0] != '\0' && strstr(err, "topsecret") == NULL,
		    "  with a reason, no secret in it: %s", err);
		return;
	}
	is_int(u.is_unix, cases[i].is_unix, "  unix");
	is_str(u.host, cases[i].host, "  host");
	is_str(u.path, cases[i].path, "  path");
	is_str(u.user, cases[i].user, "  user");
	is_str(u.password, cases[i].pw, "  password");
	is_int(u.port, cases[i].port, "  port");
	is_int(u.db, cases[i].db, "  db");
	tracker_url_show(&u, shown, sizeof(shown));
	is_str(shown, cases[i].shown, "  shown");
}

static void
long_inputs(void)
{
	struct tracker_url u;
	char in[2048], err[160];

	memset(in, 'a', sizeof(in));
	memcpy(in, "redis://", 8);
	in[sizeof(in) - 1] = '\0';
	ok(tracker_url_parse(in, &u, err, sizeof(err)) < 0,
	    "a 2 KB URL is refused: %s", err);
	snprintf(in, sizeof(in), "redis://:%0300d@h", 7);
	ok(tracker_url_parse(in, &u, err, sizeof(err)) < 0,
	    "a 300-byte password is refused: %s", err);
	snprintf(in, sizeof(in), "unix:/%0200d", 7);
	ok(tracker_url_parse(in, &u, err, sizeof(err)) < 0,
	    "a socket path longer than sun_path is refused");
}

static void
collect(void *arg, const char *line)
{
	char *b = arg;
	size_t n = strlen(b);

	if (n < 4000)
		snprintf(b + n, 4000 - n, "%s\n", line);
}

/* the PARAM: both forms, the dump, what is reported unbuilt */
static void
param(void)
{
	static const char *const ok_in[] = {
		"PARAM tracking-cluster redis://:sekrit@127.0.0.1:6380/1\n",
		"PARAM tracking-cluster h 1 s\n",
		"PARAM smtpserver-cluster unix:/run/redis.sock\n",
	};
	static const char *const bad_in[] = {
		"PARAM tracking-cluster redis://h:0\n",
		"PARAM tracking-cluster h 1\n",
		"PARAM tracking-cluster h\n",
	};
	char err[512], out[4000];
	struct conf *c;
	size_t i;
	FILE *f;

	for (i = 0; i < 6; i++) {
		const char *in = i < 3 ? ok_in[i] : bad_in[i - 3];

		if ((f = fmemopen((void *)in, strlen(in), "r")) == NULL)
			return;
		c = conf_load_fp(
		    f, "t.conf", NULL, err, sizeof(err), NULL, NULL);
		fclose(f);
		ok((c != NULL) == (i < 3), "%.*s %s", (int)strlen(in) - 1, in,
		    i < 3 ? "loads" : "is refused");
		if (c == NULL) {
			ok(strstr(err, ":1:") != NULL, "  at file:line: %s",
			    err);
			continue;
		}
		out[0] = '\0';
		conf_unbuilt(c, collect, out);
		ok((strstr(out, "tracking-cluster") != NULL) == (i == 1),
		    "  %s reported unbuilt", i == 1 ? "is" : "is not");
		out[0] = '\0';
		conf_dump(c, collect, out);
		ok(strstr(out, "sekrit") == NULL, "  no password in the dump");
		if (i == 0)
			ok(strstr(out,
			       "tracking-cluster = redis://:***@127.0.0.1"
			       ":6380/1\n") != NULL,
			    "  the dump shows the URL masked");
		conf_free(c);
	}
}

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(i);
	long_inputs();
	param();
	return tap_done();
}
