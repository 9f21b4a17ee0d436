/*
 * sdnotify.c - the notify protocol of sdnotify.h in a few lines, so the
 * daemon needs no libsystemd (the design card's packages stay as they
 * are): a non-blocking datagram, never a wait on systemd.
 */
#include "sdnotify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int
sdnotify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	size_t plen, mlen = strlen(msg);
	socklen_t alen;
	ssize_t n;
	int fd;

	if (path == NULL || *path == '\0')
		return 0;
	plen = strlen(path);
	if ((path[0] != '/' && path[0] != '@') ||
	    plen >= sizeof(sun.sun_path)) {
		errno = EINVAL;
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, plen);
	if (path[0] == '@')
		sun.sun_path[0] = '\0'; /* abstract: no NUL at the end */
	alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen +
	    (path[0] == '/'));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	n = sendto(fd, msg, mlen, MSG_NOSIGNAL, (struct sockaddr *)&sun, alen);
	close(fd);
	return n == (ssize_t)mlen ? 0 : -1;
}

unsigned long long
sdnotify_watchdog_usec(void)
{
	const char *us = getenv("WATCHDOG_USEC");
	const char *pid = getenv("WATCHDOG_PID");
	unsigned long long v;
	char *end;

	if (us == NULL || *us == '\0')
		return 0;
	if (pid && *pid && strtol(pid, NULL, 10) != (long)getpid())
		return 0;
	errno = 0;
	v = strtoull(us, &end, 10);
	return errno || *end != '\0' ? 0 : v;
}

unsigned long long
sdnotify_monotonic_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000;
}
