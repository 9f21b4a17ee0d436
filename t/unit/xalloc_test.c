/*
 * xalloc_test.c - x* allocations: a copy when memory is there, and when it
 * is not, one log line and the end of the process with XALLOC_EXIT (each
 * failure runs in a forked child under RLIMIT_AS).
 */
#include "log.h"
#include "tap.h"
#include "xalloc.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define XT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XT_ASAN 1
#endif
#endif
#ifdef XT_ASAN
/* ASan must hand the NULL to xalloc instead of reporting it itself.  Its
 * strdup interceptor (gcc 12) then copies into that NULL: the xstrdup
 * case is skipped under ASan. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}
#endif

#define HEADROOM (64u << 20) /* address space the child may still map */
#define BIG (40u << 20)      /* fits once in HEADROOM, not twice */

static void
calloc_overflow(void)
{
	xcalloc(SIZE_MAX / 2 + 1, 2);
}

static void
calloc_too_big(void)
{
	xcalloc(1, 2 * (size_t)HEADROOM);
}

static void
strdup_too_big(void)
{
	char *s = malloc(BIG + 1);

	if (s == NULL)
		_exit(3); /* not the failure under test */
	memset(s, 'a', BIG);
	s[BIG] = '\0';
	xstrdup(s);
}

static const struct {
	const char *name;
	void (*fn)(void);
	const char *log; /* the one line on stderr */
	int libc_only;   /* skipped under ASan */
} cases[] = {
	{ "xcalloc, size overflows", calloc_overflow, "out of memory: xcalloc",
	    0 },
	{ "xcalloc, no room", calloc_too_big, "out of memory: xcalloc", 0 },
	{ "xstrdup, no room", strdup_too_big, "out of memory: xstrdup", 1 },
};

/* Address space mapped now (bytes), from /proc/self/statm. */
static rlim_t
mapped(void)
{
	unsigned long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f != NULL) {
		if (fscanf(f, "%lu", &pages) != 1)
			pages = 0;
		fclose(f);
	}
	return (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE);
}

/* In the child: stderr to the pipe, little address space left, fn. */
static void
child(int wfd, void (*fn)(void))
{
	struct rlimit rl;

	alarm(20); /* whatever happens, the child ends */
	dup2(wfd, 2);
	log_init("xalloc_test", 1);
	rl.rlim_cur = rl.rlim_max = mapped() + HEADROOM;
	if (rl.rlim_cur == HEADROOM || setrlimit(RLIMIT_AS, &rl) < 0)
		_exit(4);
	fn();
	_exit(0); /* x* returned: the test fails */
}

/* Run fn in a child; its wait status and up to len-1 bytes of stderr. */
static int
run(void (*fn)(void), char *out, size_t len)
{
	size_t n = 0;
	ssize_t r;
	int fd[2], st = -1;
	pid_t pid;

	out[0] = '\0';
	fflush(stdout);
	if (pipe(fd) < 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		close(fd[0]);
		child(fd[1], fn);
	}
	close(fd[1]);
	while (n + 1 < len && (r = read(fd[0], out + n, len - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	close(fd[0]);
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

int
main(void)
{
	char out[1024], *s;
	int *v;
	size_t i;

	s = xstrdup("mailbox@example.org");
	is_str(s, "mailbox@example.org", "xstrdup copies");
	free(s);
	v = xcalloc(4, sizeof(*v));
	ok(v != NULL && v[0] == 0 && v[3] == 0, "xcalloc zeroes");
	free(v);
	v = xcalloc(0, sizeof(*v));
	ok(v != NULL, "xcalloc of nothing is not NULL either");
	free(v);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int st;

#ifdef XT_ASAN
		if (cases[i].libc_only) {
			printf("ok %d # skip %s: ASan's strdup\n", ++tap_n,
			    cases[i].name);
			continue;
		}
#endif
		st = run(cases[i].fn, out, sizeof(out));

		is_int(st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1,
		    XALLOC_EXIT, "%s: the process exits %d", cases[i].name,
		    XALLOC_EXIT);
		ok(strstr(out, cases[i].log) != NULL &&
		        strchr(out, '\n') == out + strlen(out) - 1,
		    "%s: one line saying so", cases[i].name);
		printf("#   %s", out[0] ? out : "(nothing)\n");
	}
	return tap_done();
}
