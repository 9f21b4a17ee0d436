/*
 * enomem.c - LD_PRELOAD shim for the out-of-memory test
 * (t/daemon-enomem.t): strdup() of a string that holds "x-enomem" fails
 * with ENOMEM, as if memory ran out just then; every other strdup() is
 * the real one.  Not for: anything but tests.
 */
#include <dlfcn.h>
#include <errno.h>
#include <string.h>

char *
strdup(const char *s)
{
	static char *(*real)(const char *);

	if (strstr(s, "x-enomem") != NULL) {
		errno = ENOMEM;
		return NULL;
	}
	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "strdup");
	return real(s);
}
