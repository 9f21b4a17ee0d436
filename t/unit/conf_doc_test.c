/*
 * conf_doc_test.c - the PARAM table against doc/smtpserver.conf.5: every
 * name and alias has an entry (".B PARAM name ..."), every entry names a
 * PARAM, and numeric defaults are the table's.  make check runs this from
 * the repository root; SMTPSERVER_SRC overrides the root.
 */
#include "conf.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

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

int
main(void)
{
	const char *root = getenv("SMTPSERVER_SRC");
	char file[1024];
	size_t i;

	snprintf(file, sizeof(file), "%s%sdoc/smtpserver.conf.5",
	    root ? root : "", root ? "/" : "");
	ok(read_doc(file) == 0, "read %s", file);
	if (nlines == 0)
		return tap_done();
	check_table();
	check_entries();
	for (i = 0; i < nlines; i++)
		free(lines[i]);
	return tap_done();
}
