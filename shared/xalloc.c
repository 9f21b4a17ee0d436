/*
 * xalloc.c - allocations that end the process when memory runs out.
 * The rule, in STYLE 4 terms: running out of memory is a broken invariant
 * a session process may die of (the supervisor frees its slots and temp
 * file); the supervisor never dies of it, so its code (and the shared
 * code it runs) keeps returning -1.  Who may call these: see xalloc.h.
 */
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* One line, then the end: no atexit handlers, no stdio of the parent. */
static void
out_of_memory(const char *what, size_t nmemb, size_t size)
{
	log_msg(LOG_CRIT,
	    "out of memory: %s of %zu x %zu bytes; the session process ends",
	    what, nmemb, size);
	_exit(XALLOC_EXIT);
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1; /* never NULL, not even for nothing */
	if (size > (size_t)-1 / nmemb)
		out_of_memory("xcalloc", nmemb, size);
	if ((p = calloc(nmemb, size)) == NULL)
		out_of_memory("xcalloc", nmemb, size);
	return p;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		out_of_memory("xstrdup", 1, strlen(s) + 1);
	return p;
}
