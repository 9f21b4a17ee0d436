/*
 * spoolbench.c - the floor under `make bench`: the spool alone, as the
 * daemon's workers use it (spool_begin, spool_write, spool_commit: the
 * file written out, named in router/, fsynced with router/, the router/
 * fsync shared through the group commit in shared memory), with no SMTP,
 * no TCP and no session.  For each count of writers it runs that many
 * processes committing messages for the time given into a POSTOFFICE of
 * its own, and prints one line:
 *   writers N files/s R cpu_ms C
 * C is the machine's busy CPU (/proc/stat: user, nice, system, irq,
 * softirq) per message over the run: the cost of durability on this disk
 * and file system, which every server measured pays too.
 *   spoolbench POSTOFFICE SECONDS BYTES WRITERS...
 * Not for: tests (it asserts nothing; t/bench-smoke.t runs it once).
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gcommit.h"
#include "mono.h"
#include "spool.h"

#define WRITERS_MAX 1000

/* Busy and all jiffies from /proc/stat's cpu line; -1 when unreadable. */
static int
cpu_jiffies(unsigned long long *busy, unsigned long long *all)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	int n;

	if (f == NULL)
		return -1;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
	    &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n < 7)
		return -1;
	/* user nice system idle iowait irq softirq steal */
	*busy = v[0] + v[1] + v[2] + v[5] + v[6];
	*all = *busy + v[3] + v[4] + v[7];
	return 0;
}

/* One writer: commit messages until the deadline; how many. */
static long
writer(const struct spool_cfg *cfg, const char *body, size_t len,
    long long deadline)
{
	struct env_rcpt rcpt = { .addr = "rcpt@load.test" };
	struct envelope env = {
		.external = 1,
		.rhost = "localhost",
		.ip = "127.0.0.1",
		.rport = 1,
		.helo_line = "EHLO spoolbench.load.test",
		.rhost_flags = { 'O', 'O', 'O', 'O' },
		.with = "ESMTP",
		.from = "bench@load.test",
		.rcpts = &rcpt,
		.nrcpts = 1,
	};
	char err[256], id[SPOOL_ID_MAX];
	struct spool_txn *t;
	long n = 0;

	while (mono_left(deadline) > 0) {
		env.when = time(NULL);
		if (spool_begin(cfg, &env, &t, err, sizeof(err)) < 0 ||
		    spool_write(t, body, len) < 0 ||
		    spool_commit(t, id, sizeof(id), err, sizeof(err)) < 0) {
			fprintf(stderr, "spoolbench: %s\n", err);
			break;
		}
		n++;
	}
	return n;
}

/* writers processes for secs seconds; the files they committed. */
static long
run(const struct spool_cfg *cfg, struct gcommit *gc, const char *body,
    size_t len, int writers, int secs)
{
	long long deadline = mono_after(secs);
	long total = 0, n;
	int p[2], i;

	if (pipe(p) < 0)
		return -1;
	for (i = 0; i < writers; i++) {
		pid_t pid = fork();

		if (pid < 0)
			break;
		if (pid == 0) {
			close(p[0]);
			spool_group_commit(gc);
			n = writer(cfg, body, len, deadline);
			_exit(write(p[1], &n, sizeof(n)) == sizeof(n) ? 0 : 1);
		}
	}
	close(p[1]);
	while (read(p[0], &n, sizeof(n)) == sizeof(n))
		total += n;
	close(p[0]);
	while (wait(NULL) > 0 || errno == EINTR)
		continue;
	return total;
}

int
main(int argc, char **argv)
{
	struct spool_cfg cfg = { .myhostname = "spoolbench" };
	const char *sub[] = { "public", "router", "freezer" };
	unsigned long long b0, a0, b1, a1;
	struct gcommit *gc;
	char dir[4096], *body;
	long long t0;
	size_t len, i;
	long hz = sysconf(_SC_CLK_TCK), files;
	int secs, a, writers;

	if (argc < 5 || (secs = atoi(argv[2])) < 1 ||
	    (len = strtoul(argv[3], NULL, 10)) < 2 || len > 64 << 20) {
		fprintf(stderr,
		    "usage: spoolbench POSTOFFICE SECONDS BYTES "
		    "WRITERS...\n");
		return 2;
	}
	cfg.postoffice = argv[1];
	mkdir(argv[1], 0755);
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/%s", argv[1], sub[i]);
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			perror(dir);
			return 1;
		}
	}
	/* a message of len bytes: lines of 78 x's */
	if ((body = malloc(len)) == NULL)
		return 1;
	for (i = 0; i < len; i++)
		body[i] = (i + 2) % 80 == 0 ? '\r'
		    : (i + 1) % 80 == 0     ? '\n'
		                            : 'x';
	body[len - 2] = '\r';
	body[len - 1] = '\n';
	gc = mmap(NULL, sizeof(*gc), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (gc == MAP_FAILED)
		return 1;
	for (a = 4; a < argc; a++) {
		writers = atoi(argv[a]);
		if (writers < 1 || writers > WRITERS_MAX)
			continue;
		sync();
		if (cpu_jiffies(&b0, &a0) < 0)
			b0 = a0 = 0;
		t0 = mono_now();
		files = run(&cfg, gc, body, len, writers, secs);
		t0 = mono_now() - t0;
		if (cpu_jiffies(&b1, &a1) < 0)
			b1 = b0;
		if (files <= 0)
			return 1;
		printf("writers %d files/s %.0f cpu_ms %.3f\n", writers,
		    files * 1000.0 / (double)t0,
		    (double)(b1 - b0) * 1000.0 / (double)hz / (double)files);
		fflush(stdout);
	}
	free(body);
	return 0;
}
