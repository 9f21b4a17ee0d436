/*
 * control_test.c - creating the control socket in a directory another user
 * may write: the mode comes from the umask at bind (whatever the process
 * umask, which is restored), a stale socket or a symbolic link at the path
 * is removed, anything else is left alone, and a link swapped in right
 * after the bind (the race a chmod by path would lose) changes nothing.
 * bind() is interposed here to play that attacker deterministically.
 */
#undef _GNU_SOURCE /* bind() with a plain struct sockaddr pointer */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "tap.h"
#include "tmpdir.h"

static const char *swap_to; /* after bind: replace the socket by a link */

int
bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)sa;
	long rc = syscall(SYS_bind, fd, sa, len);

	if (rc == 0 && swap_to != NULL && sa->sa_family == AF_UNIX) {
		unlink(sun->sun_path);
		if (symlink(swap_to, sun->sun_path) < 0)
			perror("symlink");
	}
	return (int)rc;
}

static int
mode_of(const char *path, int *type)
{
	struct stat st;

	*type = 0;
	if (lstat(path, &st) < 0)
		return -1;
	*type = (int)(st.st_mode & S_IFMT);
	return (int)(st.st_mode & 07777);
}

static void
test_modes(const char *path)
{
	static const int modes[] = { 0600, 0660, 0666 };
	static const mode_t masks[] = { 077, 0, 022 };
	char err[512];
	size_t i;
	int fd, type;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		umask(masks[i]);
		fd = control_open(path, modes[i], err, sizeof(err));
		ok(fd >= 0, "socket made with umask %03o: %s",
		    (unsigned)masks[i], fd < 0 ? err : "");
		is_int(mode_of(path, &type), modes[i], "mode %03o", modes[i]);
		ok(type == S_IFSOCK, "it is a socket");
		is_int(umask(022), masks[i], "the umask is restored");
		close(fd);
	}
	fd = control_open(path, 0600, err, sizeof(err));
	ok(fd >= 0, "a stale socket at the path is replaced");
	close(fd);
}

static void
test_planted(const char *path, const char *victim)
{
	char err[512];
	int fd, type;

	unlink(path);
	ok(symlink(victim, path) == 0, "the path is a link to a victim");
	fd = control_open(path, 0600, err, sizeof(err));
	ok(fd >= 0, "the link is removed, the socket made");
	ok(mode_of(path, &type) == 0600 && type == S_IFSOCK, "a socket");
	close(fd);
	is_int(mode_of(victim, &type), 0640, "the victim's mode is unchanged");

	unlink(path);
	swap_to = victim;
	fd = control_open(path, 0666, err, sizeof(err));
	swap_to = NULL;
	is_int(mode_of(victim, &type), 0640,
	    "a link swapped in after bind: the victim is not chmodded");
	if (fd >= 0)
		close(fd);
	unlink(path);

	tmp_write("ctl", "not a socket\n");
	fd = control_open(path, 0600, err, sizeof(err));
	ok(fd < 0 && strstr(err, "not a socket") != NULL,
	    "a regular file at the path is left alone: %s", err);
	ok(mode_of(path, &type) >= 0 && type == S_IFREG, "and still there");
	unlink(path);
}

int
main(void)
{
	char path[1024], victim[1024];

	umask(022);
	tmp_make();
	tmp_path("ctl", path, sizeof(path));
	tmp_write("victim", "precious\n");
	tmp_path("victim", victim, sizeof(victim));
	chmod(victim, 0640);
	test_modes(path);
	test_planted(path, victim);
	tmp_clean();
	return tap_done();
}
