/*
 * conf_fuzz.c - libFuzzer entry for the smtpserver.conf reader: the input
 * is a whole file, read by conf_load_fp() (conf_load() is only its fopen)
 * from a memory stream, twice: both reads must agree (a reload of an
 * unchanged file reports no change), and a config that loads is dumped,
 * compared with the defaults as a reload would, and matched against a
 * HELO name.  A refused file must say why.
 * Built and run by `make fuzz` / `make fuzz-run` (see t/fuzz/run).
 */
#include "conf.h"
#include "zenv.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c))                                                      \
			abort();                                               \
	} while (0)

static void
ignore(void *arg, const char *msg)
{
	(void)arg, (void)msg;
}

static void
count(void *arg, const char *msg)
{
	(void)msg;
	++*(size_t *)arg;
}

/* The reader on the input; NULL with the reason in err if it refused. */
static struct conf *
load(const uint8_t *data, size_t size, const struct zenv *env, char *err,
    size_t errlen)
{
	struct conf *c;
	FILE *fp;

	err[0] = '\0';
	fp = fmemopen((void *)data, size, "r");
	CHECK(fp != NULL);
	c = conf_load_fp(fp, "fuzz", env, err, errlen, ignore, NULL);
	fclose(fp);
	CHECK(c != NULL || err[0] != '\0'); /* a refusal says why */
	return c;
}

/* What the daemon does with a loaded config: dump it (-K, status),
 * compare it with another for a reload, pick groups and HELO patterns. */
static void
use(const struct conf *c, const struct conf *again, const struct conf *defaults)
{
	size_t i, n = 0;

	conf_dump(c, ignore, NULL);
	(void)conf_diff(defaults, c, ignore, NULL);
	(void)conf_diff(c, defaults, ignore, NULL);
	CHECK(conf_diff(c, again, count, &n) == 0 && n == 0);
	for (i = 0; conf_group(c, i) != NULL; i++)
		CHECK(i < c->ngroups);
	(void)conf_helo_match(c, "Example.ORG");
	(void)conf_helo_match(c, "");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The same file read twice gives the same result, and no reload diff. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct zenv *env;
	static struct conf *defaults;
	char err[512], err2[512];
	struct conf *c, *c2;

	if (env == NULL && (env = zenv_empty()) != NULL)
		zenv_set(env, "MAILVAR", "/etc/mail");
	if (defaults == NULL)
		CHECK((defaults = conf_defaults()) != NULL);
	if (size == 0)
		return 0;
	c = load(data, size, env, err, sizeof(err));
	c2 = load(data, size, env, err2, sizeof(err2));
	CHECK((c == NULL) == (c2 == NULL) && strcmp(err, err2) == 0);
	if (c != NULL)
		use(c, c2, defaults);
	conf_free(c);
	conf_free(c2);
	return 0;
}
