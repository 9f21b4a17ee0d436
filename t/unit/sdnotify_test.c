/*
 * sdnotify_test.c - the notify datagram reaches a socket named by a path
 * and one in the abstract namespace ("@name"); no NOTIFY_SOCKET is not an
 * error; a relative name is; WATCHDOG_USEC counts only for WATCHDOG_PID.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sdnotify.h"
#include "tap.h"
#include "tmpdir.h"

/* A datagram socket bound to name (abstract when it starts with '@'). */
static int
bound(const char *name)
{
	struct sockaddr_un sun;
	size_t n = strlen(name);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, name, n);
	if (name[0] == '@')
		sun.sun_path[0] = '\0';
	else
		n++;
	if (fd < 0 ||
	    bind(fd, (struct sockaddr *)&sun,
	        (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n)) < 0) {
		perror("bind");
		exit(1);
	}
	return fd;
}

static void
got(int fd, const char *want, const char *what)
{
	char buf[256];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	is_str(buf, want, "%s", what);
}

int
main(void)
{
	char path[600], abs[64], pid[32];
	int fd;

	tmp_make();
	tmp_path("notify", path, sizeof(path));
	fd = bound(path);
	setenv("NOTIFY_SOCKET", path, 1);
	is_int(sdnotify("READY=1\nSTATUS=x"), 0, "sent to a path");
	got(fd, "READY=1\nSTATUS=x", "  received as one datagram");
	close(fd);
	snprintf(abs, sizeof(abs), "@smtpd-notify-test-%ld", (long)getpid());
	fd = bound(abs);
	setenv("NOTIFY_SOCKET", abs, 1);
	is_int(sdnotify("STOPPING=1"), 0, "sent to an abstract name");
	got(fd, "STOPPING=1", "  received");
	close(fd);
	setenv("NOTIFY_SOCKET", "relative", 1);
	is_int(sdnotify("READY=1"), -1, "a relative name is an error");
	unsetenv("NOTIFY_SOCKET");
	is_int(sdnotify("READY=1"), 0, "no NOTIFY_SOCKET: nothing to do");

	unsetenv("WATCHDOG_PID");
	setenv("WATCHDOG_USEC", "2000000", 1);
	ok(sdnotify_watchdog_usec() == 2000000, "WATCHDOG_USEC read");
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	ok(sdnotify_watchdog_usec() == 2000000, "  for our WATCHDOG_PID");
	setenv("WATCHDOG_PID", "1", 1);
	ok(sdnotify_watchdog_usec() == 0, "  not for another process");
	unsetenv("WATCHDOG_PID");
	setenv("WATCHDOG_USEC", "12x", 1);
	ok(sdnotify_watchdog_usec() == 0, "  not when malformed");
	tmp_clean();
	return tap_done();
}
