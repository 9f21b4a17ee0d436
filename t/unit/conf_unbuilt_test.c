/*
 * conf_unbuilt_test.c - conf_unbuilt(): every PARAM flagged "not
 * implemented" in the table is listed once when set to something, never
 * when left at (or set back to) its default; HELO-pattern style flags.
 * The rows come from the table, so building a feature (dropping its flag)
 * needs no change here.
 */
#include "buf.h"
#include "conf.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

static struct buf said;

static void
on_line(void *arg, const char *line)
{
	(void)arg;
	buf_puts(&said, line);
	buf_putc(&said, '\n');
}

static void
on_warn(void *arg, const char *msg)
{
	(void)arg;
	printf("# warning: %s\n", msg);
}

/* Load text, run conf_unbuilt; the lines are in said.  -1: no config. */
static long
unbuilt(const char *text)
{
	char err[512] = "";
	struct conf *c;
	size_t n;
	FILE *fp;

	buf_reset(&said);
	if ((fp = fmemopen((void *)text, strlen(text), "r")) == NULL)
		return -1;
	c = conf_load_fp(fp, "t.conf", NULL, err, sizeof(err), on_warn, NULL);
	fclose(fp);
	if (c == NULL) {
		printf("# %s\n", err);
		return -1;
	}
	n = conf_unbuilt(c, on_line, NULL);
	conf_free(c);
	return (long)n;
}

/* A PARAM line giving row pi a value other than its default (a path
 * that exists and is executable: contentfilter wants one). */
static void
setting(const struct conf_param_info *pi, char *out, size_t len)
{
	const char *v = "/bin/sh";
	int n;

	if (strcmp(pi->type, "flag") == 0)
		v = "";
	else if (strcmp(pi->type, "integer") == 0)
		v = pi->def && strcmp(pi->def, "1") == 0 ? "2" : "1";
	else if (strcmp(pi->type, "optional integer") == 0)
		v = "10";
	else if (strcmp(pi->type, "three words") == 0)
		v = "node user secret";
	else if (pi->choices != NULL)
		v = pi->choices; /* its first word */
	n = (int)(v == pi->choices ? strcspn(v, "|") : strlen(v));
	snprintf(out, len, "PARAM %s %.*s\n", pi->name, n, v);
}

static void
test_table_rows(void)
{
	struct conf_param_info pi;
	char text[512], want[256];
	size_t i, n = 0;

	for (i = 0; i < conf_param_count(); i++) {
		conf_param_info(i, &pi);
		if (!pi.unimpl)
			continue;
		n++;
		setting(&pi, text, sizeof(text));
		snprintf(want, sizeof(want),
		    "PARAM %s: parsed but not "
		    "implemented",
		    pi.name);
		is_int(unbuilt(text), 1, "%s set: listed once", pi.name);
		ok(said.data && strstr(said.data, want) != NULL, "as '%s'",
		    want);
		snprintf(text, sizeof(text), "PARAM newgroup other\n");
		setting(&pi, text + strlen(text), sizeof(text) - strlen(text));
		if (pi.group)
			is_int(unbuilt(text), 1, "%s set in a group: listed",
			    pi.name);
		if (pi.def != NULL && strcmp(pi.type, "flag") != 0) {
			snprintf(text, sizeof(text), "PARAM %s %s\n", pi.name,
			    pi.def);
			is_int(unbuilt(text), 0,
			    "%s at its default %s: not "
			    "listed",
			    pi.name, pi.def);
		}
	}
	ok(n > 0, "%zu rows flagged not implemented", n);
}

static const struct {
	const char *text;
	long n;
	const char *why;
} cases[] = {
	{ "", 0, "defaults" },
	{ "PARAM maxsize 1000\nPARAM VRFYcmd\n* 999 veR\n", 0, "built ones" },
	{ "PARAM reject-percent-kludge\n", 0, "always on anyway" },
	{ "PARAM tls-dh512 /x\n", 0, "deprecated, not unbuilt" },
	{ "PARAM no-DEBUGcmd\nPARAM no-smtp-auth-sasl\n"
	  "PARAM no-rcvd-whoson\n",
	    0, "the off forms ask for nothing" },
	{ "PARAM DEBUGcmd\nPARAM no-DEBUGcmd\n", 0, "turned on and off" },
	{ "PARAM DEBUGcmd\nPARAM newgroup a\nPARAM newgroup b\n", 1,
	    "inherited by groups: one line" },
	{ "* 999 veDR\nx 999 D\n", 1, "style flag D: one line" },
	{ "x.example 999 !Do not\n* 999 ve\n", 0, "reject text is no flag" },
	{ "PARAM outlook-tls-bug\nPARAM smtp-auth-sasl\nbad 999 D\n", 3,
	    "each keyword once" },
};

int
main(void)
{
	size_t i;

	buf_init(&said, 1 << 20);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(unbuilt(cases[i].text), cases[i].n, "%s", cases[i].why);
	unbuilt("* 999 veR\nx 999 veD\n");
	ok(said.data && strstr(said.data, "style flag D (line 2)") != NULL,
	    "the style flag names its line");
	test_table_rows();
	buf_free(&said);
	return tap_done();
}
