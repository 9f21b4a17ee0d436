/*
 * conf_doc_test.c - the PARAM table against doc/smtpserver.conf.5: every
 * name and alias has an entry (".B PARAM name ..."), every entry names a
 * PARAM, numeric defaults are the table's, and an entry says "Parsed but
 * not implemented" exactly when it documents a row flagged so (listed in
 * NOT IMPLEMENTED, where no other PARAM is named).  make check runs this from
 * the repository root; SMTPSERVER_SRC overrides the root.  Also: the
 * sample conf/smtpserver.conf loads without a warning, and still loads
 * with every "#PARAM" example in it turned on.
 */
#include "conf.h"
#include "zenv.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

#define MAX_LINES 5000

static char *lines[MAX_LINES];
static size_t nlines;

/* Plain text of a man source line: no font escapes, "\-" is "-", and a
 * request (".B x") keeps only its arguments. */
static void
plain(char *s)
{
	char *r = s, *w = s;

	if (*r == '.') {
		r += strcspn(r, " ");
		r += *r == ' ';
	}
	while (*r != '\0') {
		if (r[0] == '\\' && r[1] == 'f' && r[2] != '\0')
			r += 3;
		else if (r[0] == '\\' && (r[1] == '-' || r[1] == '&'))
			r += r[1] == '-' ? 1 : 2;
		else if (*r == '"')
			r++;
		else
			*w++ = *r++;
	}
	*w = '\0';
}

static int
read_doc(const char *file)
{
	char buf[2048];
	FILE *fp = fopen(file, "r");

	if (fp == NULL)
		return -1;
	while (nlines < MAX_LINES && fgets(buf, sizeof(buf), fp) != NULL) {
		buf[strcspn(buf, "\n")] = '\0';
		lines[nlines++] = strdup(buf);
	}
	fclose(fp);
	return 0;
}

/* Line index of the entry header for name, or -1. */
static long
entry(const char *name)
{
	char tmp[2048];
	size_t i, n = strlen(name);

	for (i = 0; i < nlines; i++) {
		if (strncmp(lines[i], ".B PARAM ", 9) != 0)
			continue;
		snprintf(tmp, sizeof(tmp), "%s", lines[i]);
		plain(tmp);
		if (strncmp(tmp + 6, name, n) == 0 &&
		    (tmp[6 + n] == '\0' || tmp[6 + n] == ' '))
			return (long)i;
	}
	return -1;
}

/* Is name a PARAM name or alias (exact spelling)? */
static int
known(const char *name)
{
	const char *a;
	size_t i, j;

	for (i = 0; i < conf_param_count(); i++)
		for (j = 0; (a = j ? conf_param_alias(i, j - 1)
		                   : conf_param_name(i)) != NULL;
		     j++)
			if (strcmp(a, name) == 0)
				return 1;
	return 0;
}

/* The text of the entry starting at line i, joined with blanks. */
static void
entry_text(size_t i, char *out, size_t len)
{
	char tmp[2048];
	size_t n = 0;

	out[0] = '\0';
	for (i++; i < nlines && n + 1 < len; i++) {
		if (strncmp(lines[i], ".TP", 3) == 0 ||
		    strncmp(lines[i], ".S", 2) == 0)
			break;
		snprintf(tmp, sizeof(tmp), "%s", lines[i]);
		plain(tmp);
		n += (size_t)snprintf(out + n, len - n, "%s ", tmp);
		if (n >= len)
			n = len - 1;
	}
}

static void
check_table(void)
{
	struct conf_param_info pi;
	char text[8192], want[256];
	const char *a;
	size_t i, j;
	long at;

	for (i = 0; i < conf_param_count(); i++) {
		for (j = 0; (a = j ? conf_param_alias(i, j - 1)
		                   : conf_param_name(i)) != NULL;
		     j++)
			ok(entry(a) >= 0, "%s has an entry", a);
		conf_param_info(i, &pi);
		if (pi.def == NULL ||
		    (strcmp(pi.type, "integer") != 0 &&
		        strcmp(pi.type, "octal") != 0))
			continue;
		at = entry(pi.name);
		entry_text((size_t)(at < 0 ? 0 : at), text, sizeof(text));
		snprintf(want, sizeof(want), "default %s", pi.def);
		ok(at >= 0 && strstr(text, want) != NULL, "%s: '%s'", pi.name,
		    want);
	}
}

/* Is name (a PARAM name or alias) on a row flagged not implemented? */
static int
unimpl(const char *name)
{
	struct conf_param_info pi;
	const char *a;
	size_t i, j;

	for (i = 0; i < conf_param_count(); i++)
		for (j = 0; (a = j ? conf_param_alias(i, j - 1)
		                   : conf_param_name(i)) != NULL;
		     j++)
			if (strcmp(a, name) == 0)
				return conf_param_info(i, &pi) == 0 &&
				    pi.unimpl;
	return 0;
}

/* Every entry: "Parsed but not implemented" iff one of its names is; an
 * entry runs from its .TP to the next .TP or section. */
static void
check_unimpl_entries(void)
{
	char tmp[2048], text[8192];
	size_t i, k, n;
	int any;

	for (i = 0; i + 1 < nlines; i++) {
		if (strncmp(lines[i], ".TP", 3) != 0 ||
		    strncmp(lines[i + 1], ".B PARAM ", 9) != 0)
			continue;
		any = 0;
		n = 0;
		for (k = i + 1;
		     k < nlines && strncmp(lines[k], ".TP", 3) != 0 &&
		     strncmp(lines[k], ".S", 2) != 0;
		     k++) {
			snprintf(tmp, sizeof(tmp), "%s", lines[k]);
			plain(tmp);
			n += (size_t)snprintf(
			    text + n, sizeof(text) - n, "%s ", tmp);
			if (n >= sizeof(text))
				n = sizeof(text) - 1;
			if (strncmp(lines[k], ".B PARAM ", 9) == 0) {
				tmp[6 + strcspn(tmp + 6, " ")] = '\0';
				any |= unimpl(tmp + 6);
			}
		}
		ok((strstr(text, "Parsed but not implemented") != NULL) == any,
		    "%s: %s", lines[i + 1],
		    any ? "says Parsed but not implemented"
		        : "does not say it is not implemented");
	}
}

/* The NOT IMPLEMENTED section names every flagged row and no other. */
static void
check_unimpl_section(void)
{
	char tmp[2048], *w, *save;
	size_t i, k;
	int in = 0, named[1024] = { 0 };

	for (i = 0; i < nlines; i++) {
		if (strncmp(lines[i], ".SH", 3) == 0)
			in = strcmp(lines[i], ".SH NOT IMPLEMENTED") == 0;
		if (!in || lines[i][0] == '\0')
			continue;
		snprintf(tmp, sizeof(tmp), "%s", lines[i]);
		plain(tmp);
		for (w = strtok_r(tmp, " ,.;:()", &save); w;
		     w = strtok_r(NULL, " ,.;:()", &save))
			for (k = 0; k < conf_param_count() && k < 1024; k++)
				if (strcmp(w, conf_param_name(k)) == 0)
					named[k] = 1;
	}
	for (k = 0; k < conf_param_count() && k < 1024; k++) {
		struct conf_param_info pi;

		conf_param_info(k, &pi);
		if (pi.unimpl || named[k])
			ok(pi.unimpl == named[k], "%s %s NOT IMPLEMENTED",
			    pi.name, pi.unimpl ? "is in" : "is not in");
	}
}

static void
check_entries(void)
{
	char tmp[2048];
	size_t i, n = 0;

	for (i = 0; i < nlines; i++) {
		if (strncmp(lines[i], ".B PARAM ", 9) != 0)
			continue;
		snprintf(tmp, sizeof(tmp), "%s", lines[i]);
		plain(tmp);
		tmp[6 + strcspn(tmp + 6, " ")] = '\0';
		ok(known(tmp + 6), "entry '%s' is a PARAM", tmp + 6);
		n++;
	}
	ok(n >= conf_param_count(), "%zu entries", n);
}

static int nwarn;

static void
on_warn(void *arg, const char *msg)
{
	(void)arg;
	printf("# warning: %s\n", msg);
	nwarn++;
}

/* The sample with each "#PARAM" line turned on, in a temporary file. */
static int
uncomment(const char *in, char *out, size_t outlen)
{
	char line[2048];
	FILE *r, *w;
	int fd;

	snprintf(out, outlen, "/tmp/conf_sampleXXXXXX");
	if ((r = fopen(in, "r")) == NULL)
		return -1;
	if ((fd = mkstemp(out)) < 0 || (w = fdopen(fd, "w")) == NULL) {
		fclose(r);
		return -1;
	}
	while (fgets(line, sizeof(line), r) != NULL)
		fputs(strncmp(line, "#PARAM ", 7) == 0 ? line + 1 : line, w);
	fclose(r);
	fclose(w);
	return 0;
}

static void
check_samples(const char *root)
{
	char file[1024], zfile[1024], tmp[64], err[512] = "";
	struct zenv *z;
	struct conf *c;

	snprintf(zfile, sizeof(zfile), "%sconf/zmailer.conf", root);
	snprintf(file, sizeof(file), "%sconf/smtpserver.conf", root);
	z = zenv_load(zfile, err, sizeof(err));
	ok(z != NULL && zenv_get(z, "DBTYPE") != NULL, "%s loads %s", zfile,
	    err);
	c = conf_load(file, z, err, sizeof(err), on_warn, NULL);
	ok(c != NULL && nwarn == 0, "%s loads without warnings %s", file, err);
	ok(c && c->groups[0].policydb_path &&
	        strcmp(c->groups[0].policydb_path,
	            "/etc/zmailer/db/smtp-policy") == 0,
	    "policydb path expanded from ZENV");
	ok(c && c->nhelo == 4 && c->helo[1].reject, "sample HELO patterns");
	conf_free(c);
	nwarn = 0;
	ok(uncomment(file, tmp, sizeof(tmp)) == 0, "uncommented copy");
	/* default, submission and balanced (PROXY protocol) */
	c = conf_load(tmp, z, err, sizeof(err), on_warn, NULL);
	ok(c != NULL && c->ngroups == 3, "every #PARAM example is valid %s",
	    err);
	unlink(tmp);
	conf_free(c);
	zenv_free(z);
}

int
main(void)
{
	const char *root = getenv("SMTPSERVER_SRC");
	char prefix[512], file[1024];
	size_t i;

	snprintf(
	    prefix, sizeof(prefix), "%s%s", root ? root : "", root ? "/" : "");
	snprintf(file, sizeof(file), "%sdoc/smtpserver.conf.5", prefix);
	ok(read_doc(file) == 0, "read %s", file);
	if (nlines == 0)
		return tap_done();
	check_table();
	check_entries();
	check_unimpl_entries();
	check_unimpl_section();
	check_samples(prefix);
	for (i = 0; i < nlines; i++)
		free(lines[i]);
	return tap_done();
}
