/*
 * subd.c - a sub-daemon keeper's door: fork and restart of the keeper,
 * the workers' requests (subd_ask, subd_talk) and the reply parsers (see
 * subd.h).  Not for: the keeper's loop and its programs (subd_keep.c).
 */
#include "subd.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "mono.h"
#include "netdial.h"

/* ---- the keeper's process ---- */

static pid_t
fork_keeper(int back, const struct subd_prog *p)
{
	pid_t pid = fork();

	if (pid == 0)
		subd_keep(back, p);
	return pid;
}

struct subd *
subd_spawn(const struct subd_prog *p, int keep, char *err, size_t errlen)
{
	struct subd *d;
	int sv[2];

	if (p->uid == 0) {
		snprintf(err, errlen, "%s: will not run it as root", p->name);
		return NULL;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		return NULL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->pid = fork_keeper(sv[1], p)) < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		free(d);
		close(sv[0]);
		close(sv[1]);
		return NULL;
	}
	if (!keep) {
		close(sv[1]);
		sv[1] = -1;
	}
	d->door = sv[0];
	d->back = sv[1];
	return d;
}

int
subd_restart(
    struct subd *d, const struct subd_prog *p, char *err, size_t errlen)
{
	pid_t pid;

	if (d == NULL || d->back < 0) {
		snprintf(err, errlen, "no door to restart on");
		return -1;
	}
	if ((pid = fork_keeper(d->back, p)) < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	d->pid = pid;
	return 0;
}

void
subd_child(struct subd *d)
{
	if (d != NULL && d->back >= 0) {
		close(d->back);
		d->back = -1;
	}
}

void
subd_close(struct subd *d, int wait)
{
	if (d == NULL)
		return;
	close(d->door);
	if (d->back >= 0)
		close(d->back);
	if (wait && d->pid > 0)
		while (waitpid(d->pid, NULL, 0) < 0 && errno == EINTR)
			;
	free(d);
}

/* ---- the workers' side ---- */

static int
send_req(int door, const char *req, size_t n, int fd)
{
	return daemon_send_fd(door, req, n, fd, MSG_DONTWAIT);
}

/*
 * Read lines from fd into out until a line "#hungry" (SUBD_OK) or
 * "#nostart", EOF, or the deadline.  A line that does not fit is cut;
 * past SUBD_REPLY_MAX bytes only the last line is kept (a flood: that
 * line may be the verdict).
 */
static enum subd_res
read_reply(int fd, struct buf *out, long long deadline)
{
	char b[4096], line[SUBD_LINE_MAX], tail[SUBD_LINE_MAX];
	size_t ll = 0, tl = 0, i;
	ssize_t n;

	for (;;) {
		if (mono_poll(fd, POLLIN, deadline) != 1)
			return SUBD_TIMEOUT;
		if ((n = read(fd, b, sizeof(b))) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return SUBD_EOF;
		for (i = 0; i < (size_t)n; i++) {
			if (b[i] != '\n') {
				if (ll + 2 < sizeof(line) && b[i] != '\0')
					line[ll++] = b[i];
				continue;
			}
			if (ll > 0 && line[ll - 1] == '\r')
				ll--;
			line[ll] = '\0';
			if (strcmp(line, "#hungry") == 0) {
				buf_append(out, tail, tl);
				return SUBD_OK;
			}
			if (strcmp(line, "#nostart") == 0)
				return SUBD_NOSTART;
			line[ll++] = '\n';
			if (out->len + ll <= SUBD_REPLY_MAX) {
				buf_append(out, line, ll);
			} else {
				memcpy(tail, line, ll);
				tl = ll;
			}
			ll = 0;
		}
	}
}

enum subd_res
subd_ask(struct subd *d, const char *req, struct buf *out, int timeout)
{
	long long deadline = mono_after(timeout);
	size_t n = strlen(req);
	enum subd_res r = SUBD_NOSTART;
	int sv[2];

	if (d == NULL || n > SUBD_REQ_MAX || strchr(req, '\n') != NULL ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return SUBD_NOSTART;
	if (send_req(d->door, req, n, sv[1]) == 0) {
		close(sv[1]);
		sv[1] = -1;
		r = read_reply(sv[0], out, deadline);
	}
	close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	return r;
}

enum subd_res
subd_talk(int fd, const char *req, struct buf *out, int timeout)
{
	long long deadline = mono_after(timeout);
	enum subd_res r;
	size_t n = strlen(req);

	if (n > SUBD_REQ_MAX || strchr(req, '\n') != NULL)
		return SUBD_NOSTART;
	r = read_reply(fd, out, deadline); /* its greeting */
	if (r != SUBD_OK)
		return r == SUBD_TIMEOUT ? SUBD_TIMEOUT : SUBD_NOSTART;
	buf_reset(out);
	if (netdial_write(fd, req, n, deadline) < 0 ||
	    netdial_write(fd, "\n", 1, deadline) < 0)
		return SUBD_EOF;
	return read_reply(fd, out, deadline);
}

/* ---- the replies ---- */

/* "x.y.z" at p (class digit, 1-3 digits, 1-3 digits): its length. */
static size_t
enh_len(const char *p)
{
	size_t i = 0, k, part;

	for (part = 0; part < 3; part++) {
		for (k = 0; isdigit((unsigned char)p[i]) && k < 3; k++)
			i++;
		if (k == 0)
			return 0;
		if (part < 2 && p[i++] != '.')
			return 0;
	}
	return p[i] == '\0' || p[i] == ' ' ? i : 0;
}

int
subd_router_line(const char *line, int *code, int *more, char *enh,
    size_t enhlen, const char **text)
{
	size_t n;

	if (!isdigit((unsigned char)line[0]) ||
	    !isdigit((unsigned char)line[1]) ||
	    !isdigit((unsigned char)line[2]) || line[0] < '2' ||
	    line[0] > '5' ||
	    (line[3] != ' ' && line[3] != '-' && line[3] != '\0'))
		return -1;
	*code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	*more = line[3] == '-';
	line += line[3] ? 4 : 3;
	enh[0] = '\0';
	if ((n = enh_len(line)) > 0 && n < enhlen &&
	    line[0] == '0' + *code / 100) {
		memcpy(enh, line, n);
		enh[n] = '\0';
		line += n;
		while (*line == ' ')
			line++;
	}
	*text = line;
	return 0;
}

/* An optionally signed integer at *p, then blanks: 0 and *v, else -1. */
static int
int_word(const char **p, int *v)
{
	const char *s = *p;
	char *end;
	long l;

	if (!isdigit((unsigned char)s[*s == '-' || *s == '+']))
		return -1;
	errno = 0;
	l = strtol(s, &end, 10);
	if (errno || l < -99999 || l > 99999 || (*end && *end != ' '))
		return -1;
	*v = (int)l;
	while (*end == ' ')
		end++;
	*p = end;
	return 0;
}

int
subd_filter_verdict(const char *reply, int *verdict, int *code, char *enh,
    size_t enhlen, char *text, size_t textlen)
{
	const char *line = reply, *nl, *p;
	char one[SUBD_LINE_MAX];
	int found = -1, v, c;
	size_t n;

	for (; *line; line = nl ? nl + 1 : line + strlen(line)) {
		nl = strchr(line, '\n');
		n = nl ? (size_t)(nl - line) : strlen(line);
		if (n >= sizeof(one))
			n = sizeof(one) - 1;
		memcpy(one, line, n);
		one[n] = '\0';
		p = one;
		if (int_word(&p, &v) < 0 || int_word(&p, &c) < 0)
			continue;
		*verdict = v;
		*code = c;
		enh[0] = '\0';
		if ((n = enh_len(p)) > 0 && n < enhlen) {
			memcpy(enh, p, n);
			enh[n] = '\0';
			p += n;
			while (*p == ' ')
				p++;
		}
		snprintf(text, textlen, "%s", p);
		found = 0;
		if (nl == NULL)
			break;
	}
	return found;
}
