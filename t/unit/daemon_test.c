/*
 * daemon_test.c - pid file write/remove, killing a previous daemon named
 * in it (and waiting for it) but not another program whose pid it names,
 * links and a FIFO planted where the pid file and its temp name go, and
 * the verified privilege drop (as root).
 */
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "tap.h"

static char dir[] = "/tmp/daemon_test.XXXXXX";

static void
slurp(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(out, 1, len - 1, f) : 0;

	out[n] = '\0';
	if (f)
		fclose(f);
}

static void
tmp_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		abort();
	fputs(text, f);
	fclose(f);
}

static void
test_pidfile(void)
{
	char path[256], got[64], want[64], err[256];

	snprintf(path, sizeof(path), "%s/.pid.smtpserver", dir);
	is_int(daemon_pidfile_write(path, err, sizeof(err)), 0, "pid written");
	slurp(path, got, sizeof(got));
	snprintf(want, sizeof(want), "%ld\n", (long)getpid());
	is_str(got, want, "pid file holds our pid and a newline");
	is_int(daemon_kill_previous(path, 100, err, sizeof(err)), 0,
	    "our own pid is not a previous daemon");
	daemon_pidfile_remove(path);
	ok(access(path, F_OK) < 0, "removed");
	is_int(daemon_kill_previous(path, 100, err, sizeof(err)), 0,
	    "no pid file: nothing to kill");
	is_int(daemon_pidfile_write("/nonexistent/dir/pid", err, sizeof(err)),
	    -1, "unwritable pid file fails");
	ok(strstr(err, "Can't write my pidfile") != NULL,
	    "with ZMailer's words");
}

static void
test_kill_previous(void)
{
	char path[256], err[256], line[32];
	pid_t pid = fork();
	FILE *f;
	int st, ready[2];

	if (pid == 0) {
		pause();
		_exit(0);
	}
	snprintf(path, sizeof(path), "%s/old.pid", dir);
	f = fopen(path, "w");
	snprintf(line, sizeof(line), "%ld\n", (long)pid);
	fputs(line, f);
	fclose(f);
	is_int(daemon_kill_previous(path, 5000, err, sizeof(err)), 0,
	    "previous daemon told to go, and gone (zombie counts as gone)");
	waitpid(pid, &st, 0);
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "it got SIGTERM");

	if (pipe(ready) < 0)
		abort();
	pid = fork();
	if (pid == 0) {
		signal(SIGTERM, SIG_IGN);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	if (read(ready[0], line, 1) != 1) /* it ignores SIGTERM now */
		abort();
	f = fopen(path, "w");
	snprintf(line, sizeof(line), "%ld\n", (long)pid);
	fputs(line, f);
	fclose(f);
	is_int(daemon_kill_previous(path, 200, err, sizeof(err)), -1,
	    "one that does not go: bounded wait, error");
	ok(strstr(err, "still running") != NULL, "error says so");
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

/* A stale pid file naming some other program: it is left alone. */
static void
test_not_ours(void)
{
	char path[256], err[256], line[32];
	int st, ready[2];
	pid_t pid;
	FILE *f;

	if (pipe2(ready, O_CLOEXEC) < 0)
		abort();
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		execl("/bin/sleep", "sleep", "300", (char *)NULL);
		_exit(127);
	}
	close(ready[1]);
	if (read(ready[0], line, 1) != 0) /* EOF: the exec closed it */
		abort();
	close(ready[0]);
	snprintf(path, sizeof(path), "%s/old.pid", dir);
	f = fopen(path, "w");
	fprintf(f, "%ld\n", (long)pid);
	fclose(f);
	is_int(daemon_kill_previous(path, 200, err, sizeof(err)), 0,
	    "a live process that is not an smtpserver: nothing to kill");
	ok(waitpid(pid, &st, WNOHANG) == 0, "and it was not signalled");
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	    "it ran until we killed it");
}

/*
 * Names the daemon user can plant in its own POSTOFFICE before a start as
 * root: the pid file's temp name and the pid file as symbolic links to a
 * file of someone else's, and the pid file as a FIFO.
 */
static void
test_planted(void)
{
	char path[256], tmp[300], victim[256], got[64], want[64], err[256];
	struct stat st;

	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(path, sizeof(path), "%s/.pid.smtpserver", dir);
	snprintf(tmp, sizeof(tmp), "%s.%ld", path, (long)getpid());
	tmp_file(victim, "precious\n");
	chmod(victim, 0600);
	ok(symlink(victim, tmp) == 0, "temp name is a link to a victim");
	is_int(daemon_pidfile_write(path, err, sizeof(err)), 0,
	    "pid written anyway: %s", err);
	slurp(victim, got, sizeof(got));
	is_str(got, "precious\n", "the victim is not overwritten");
	ok(lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	        (st.st_mode & 0777) == 0644,
	    "the pid file is a regular file, mode 0644");
	snprintf(want, sizeof(want), "%ld\n", (long)getpid());
	slurp(path, got, sizeof(got));
	is_str(got, want, "holding our pid");
	ok(access(tmp, F_OK) < 0, "no temp name left");

	unlink(path);
	ok(symlink(victim, path) == 0, "pid file is a link to a victim");
	is_int(daemon_kill_previous(path, 100, err, sizeof(err)), 0,
	    "a linked pid file names no one");
	is_int(daemon_pidfile_write(path, err, sizeof(err)), 0,
	    "and is replaced: %s", err);
	slurp(victim, got, sizeof(got));
	is_str(got, "precious\n", "the victim is not overwritten");
	ok(lstat(path, &st) == 0 && S_ISREG(st.st_mode), "not a link now");

	unlink(path);
	ok(mkfifo(path, 0600) == 0, "pid file is a FIFO");
	is_int(daemon_kill_previous(path, 100, err, sizeof(err)), 0,
	    "read without waiting for a writer");
	unlink(path);
	unlink(victim);
}

static void
test_drop(void)
{
	char err[256];
	uid_t uid;
	gid_t gid;
	pid_t pid;
	int st;

	is_int(daemon_user("root", &uid, &gid, err, sizeof(err)), -1,
	    "TRUSTEDUSER root is refused");
	is_int(daemon_user("no-such-user-xyz", &uid, &gid, err, sizeof(err)),
	    -1, "unknown TRUSTEDUSER is refused");
	if (getuid() != 0 ||
	    daemon_user("daemon", &uid, &gid, err, sizeof(err)) < 0) {
		ok(1, "# skip not root or no user daemon");
		return;
	}
	pid = fork();
	if (pid == 0) {
		if (daemon_drop(uid, gid, err, sizeof(err)) < 0)
			_exit(1);
		_exit(getuid() == uid && geteuid() == uid && getegid() == gid &&
		            setuid(0) < 0
		        ? 0
		        : 2);
	}
	waitpid(pid, &st, 0);
	is_int(WEXITSTATUS(st), 0, "dropped to daemon; uid 0 cannot return");
}

int
main(void)
{
	char cmd[128];

	if (mkdtemp(dir) == NULL)
		return 1;
	alarm(60); /* a read that waits (a FIFO) fails the test, not CI */
	test_pidfile();
	test_kill_previous();
	test_not_ours();
	test_planted();
	test_drop();
	snprintf(cmd, sizeof(cmd), "%s/old.pid", dir);
	unlink(cmd);
	rmdir(dir);
	return tap_done();
}
