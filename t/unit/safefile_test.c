/*
 * safefile_test.c - regular-file input (a directory, /dev/zero or a FIFO
 * is refused at once) and the append-only open a root process makes in a
 * directory another user may own: no symbolic link followed, no hard link
 * or FIFO opened, and fchown only for a file it created (or a root file in
 * a root-only directory).  The ownership cases need root.
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "safefile.h"
#include "tap.h"
#include "tmpdir.h"

static void
test_regular(void)
{
	char path[1024], err[1200], line[64];
	FILE *fp;

	tmp_write("conf", "PARAM x\n");
	tmp_path("conf", path, sizeof(path));
	fp = safe_fopen_regular(path, err, sizeof(err));
	ok(fp != NULL && fgets(line, sizeof(line), fp) != NULL &&
	        strcmp(line, "PARAM x\n") == 0,
	    "a regular file is read");
	if (fp)
		fclose(fp);
	tmp_path("conf-link", path, sizeof(path));
	ok(symlink("conf", path) == 0, "a link to it");
	fp = safe_fopen_regular(path, err, sizeof(err));
	ok(fp != NULL, "a link to a regular file is read");
	if (fp)
		fclose(fp);
	tmp_path("missing", path, sizeof(path));
	ok(safe_fopen_regular(path, err, sizeof(err)) == NULL &&
	        errno == ENOENT,
	    "missing: ENOENT (%s)", err);
	ok(safe_fopen_regular(tmp_dir, err, sizeof(err)) == NULL &&
	        strstr(err, "not a regular file") != NULL,
	    "a directory is refused: %s", err);
	ok(safe_fopen_regular("/dev/zero", err, sizeof(err)) == NULL,
	    "/dev/zero is refused: %s", err);
	is_str(err, "/dev/zero: not a regular file", "with the path");
	tmp_path("fifo", path, sizeof(path));
	ok(mkfifo(path, 0600) == 0, "a FIFO");
	ok(safe_fopen_regular(path, err, sizeof(err)) == NULL,
	    "a FIFO is refused without waiting for a writer: %s", err);
	unlink(path);
	tmp_path("conf-link", path, sizeof(path));
	unlink(path);
}

static int
mode_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) < 0 ? -1 : (int)(st.st_mode & 07777);
}

static void
test_append_refusals(void)
{
	char path[1024], victim[1024], err[1200];
	int fd;

	tmp_write("victim", "precious\n");
	tmp_path("victim", victim, sizeof(victim));
	chmod(victim, 0600);
	tmp_path("log", path, sizeof(path));
	fd = safe_append(path, 0640, (uid_t)-1, (gid_t)-1, err, sizeof(err));
	ok(fd >= 0 && write(fd, "a\n", 2) == 2, "a new file is created");
	is_int(mode_of(path), 0640, "with the mode asked for");
	close(fd);
	fd = safe_append(path, 0640, (uid_t)-1, (gid_t)-1, err, sizeof(err));
	ok(fd >= 0 && write(fd, "b\n", 2) == 2, "and appended to");
	close(fd);
	unlink(path);

	ok(symlink(victim, path) == 0, "log is a link to a victim");
	fd = safe_append(path, 0640, (uid_t)-1, (gid_t)-1, err, sizeof(err));
	ok(fd < 0 && strstr(err, "symbolic link") != NULL,
	    "a link is refused: %s", err);
	unlink(path);
	ok(link(victim, path) == 0, "log is a hard link to the victim");
	fd = safe_append(path, 0640, (uid_t)-1, (gid_t)-1, err, sizeof(err));
	ok(fd < 0 && strstr(err, "2 links") != NULL,
	    "a hard link is refused: %s", err);
	unlink(path);
	ok(mkfifo(path, 0600) == 0, "log is a FIFO");
	fd = safe_append(path, 0640, (uid_t)-1, (gid_t)-1, err, sizeof(err));
	ok(fd < 0, "a FIFO is refused without waiting: %s", err);
	unlink(path);
	fd = safe_append(tmp_dir, 0640, (uid_t)-1, (gid_t)-1, err, sizeof(err));
	ok(fd < 0, "a directory is refused: %s", err);
	is_int(mode_of(victim), 0600, "the victim's mode is unchanged");
}

/* As root, with dir owned by uid: which files are given to uid. */
static void
test_give(uid_t uid, gid_t gid)
{
	char sub[1024], path[1100], err[1200];
	struct stat st;
	int fd;

	tmp_path("theirs", sub, sizeof(sub));
	mkdir(sub, 0755);
	chown(sub, uid, gid);
	snprintf(path, sizeof(path), "%s/log", sub);
	fd = safe_append(path, 0640, uid, gid, err, sizeof(err));
	ok(fd >= 0 && fstat(fd, &st) == 0 && st.st_uid == uid,
	    "a file made now in their directory is given to them");
	close(fd);
	unlink(path);
	close(
	    open(path, O_CREAT | O_WRONLY, 0600)); /* root's, theirs to move */
	fd = safe_append(path, 0640, uid, gid, err, sizeof(err));
	ok(fd >= 0 && fstat(fd, &st) == 0 && st.st_uid == 0,
	    "a root file already in their directory is not");
	ok(strstr(err, "not given") != NULL, "warning: %s", err);
	close(fd);
	unlink(path);
	rmdir(sub);

	tmp_path("roots", sub, sizeof(sub));
	mkdir(sub, 0755);
	snprintf(path, sizeof(path), "%s/log", sub);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	fd = safe_append(path, 0640, uid, gid, err, sizeof(err));
	ok(fd >= 0 && fstat(fd, &st) == 0 && st.st_uid == uid,
	    "a root file in a root-only directory is given (as before)");
	close(fd);
	unlink(path);
	rmdir(sub);
}

int
main(void)
{
	struct passwd *pw;

	alarm(60); /* a FIFO that blocks fails the test instead of hanging */
	umask(022);
	tmp_make();
	chmod(tmp_dir, 0755);
	test_regular();
	test_append_refusals();
	pw = getpwnam("daemon");
	if (geteuid() == 0 && pw != NULL)
		test_give(pw->pw_uid, pw->pw_gid);
	else
		ok(1, "# skip ownership cases need root and a user daemon");
	tmp_clean();
	return tap_done();
}
