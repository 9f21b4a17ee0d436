/*
 * conf_fuzz.c - libFuzzer entry point for the smtpserver.conf reader.
 * Not built by make (t/unit/ only); build and run by hand:
 *   clang -g -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Ishared \
 *     t/fuzz/conf_fuzz.c shared/conf*.c shared/params.c shared/zenv.c \
 *     shared/buf.c -o conf_fuzz && ./conf_fuzz -max_len=8192
 */
#include "conf.h"
#include "zenv.h"

#include <stdint.h>
#include <stdio.h>

static void
ignore(void *arg, const char *msg)
{
	(void)arg, (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct zenv *env;
	char err[512];
	struct conf *c;
	FILE *fp;

	if (env == NULL && (env = zenv_empty()) != NULL)
		zenv_set(env, "MAILVAR", "/etc/mail");
	if (size == 0 || (fp = fmemopen((void *)data, size, "r")) == NULL)
		return 0;
	c = conf_load_fp(fp, "fuzz", env, err, sizeof(err), ignore, NULL);
	fclose(fp);
	if (c != NULL) {
		conf_dump(c, ignore, NULL);
		(void)conf_helo_match(c, "Example.ORG");
	}
	conf_free(c);
	return 0;
}
