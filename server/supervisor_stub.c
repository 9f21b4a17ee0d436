/*
 * supervisor_stub.c - placeholder until the daemon lands: the daemon mode
 * reports that it is not available.
 */
#include <stdio.h>

#include "conf.h"
#include "options.h"
#include "zenv.h"

int supervisor_main(const struct options *, struct conf *, struct zenv *);

int
supervisor_main(const struct options *o, struct conf *c, struct zenv *z)
{
	(void)o;
	(void)c;
	(void)z;
	fprintf(stderr, "smtpserver: daemon mode is not available yet; "
	    "use -i or -n\n");
	return 2;
}
