/*
 * listen.h - the listening sockets of the daemon (smtpserver.conf(5), Listeners), opened once
 * by the supervisor and inherited by the workers.  Each remembers its
 * group and kind, so a connection gets its listener's PARAMs.
 */
#ifndef SMTPD_LISTEN_H
#define SMTPD_LISTEN_H

#include <sys/socket.h>
#include <stddef.h>

#include "conf.h"

struct options;
struct zenv;

struct listener {
	int fd;
	size_t group; /* index into conf->groups */
	enum bind_kind kind;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char name[80]; /* "[127.0.0.1]:25" for logs and errors */
};

struct listeners {
	struct listener *v;
	size_t n;
};

/* Open every listener the config and options ask for; -1 with err. */
int listen_open(const struct conf *, const struct options *,
    const struct zenv *, struct listeners *, char *err, size_t errlen);
/*
 * For a reload: build the set for the new config, keeping the open
 * sockets of listeners that did not change.  On success cur is replaced
 * (sockets no longer wanted are closed); on failure cur is untouched.
 */
int listen_reopen(const struct conf *, const struct options *,
    const struct zenv *, struct listeners *cur, char *err, size_t errlen);
/* The names of the open listeners, space-separated ("[127.0.0.1]:25
 * [::1]:25"), ending in "..." when they do not fit in len. */
void listen_names(const struct listeners *, char *out, size_t len);
/* Close (and shut down, so inherited copies stop accepting too). */
void listen_close(struct listeners *);

#endif
