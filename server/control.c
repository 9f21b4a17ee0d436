/*
 * control.c - the supervisor's control socket (see control.h): peer
 * credentials, one request line, JSON out.  Each request is served in
 * bounded time (1 s socket timeouts) from the supervisor's poll loop.
 * Not for: acting on reload/stop (supervisor.c does: reload through a
 * callback before the answer, stop from a flag after it).
 */
#include "control.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "metrics.h"
#include "scoreboard.h"

#define TOP_IPS 10
#define REQ_MAX 256
#define REPLY_MAX (1 << 20)

/*
 * The socket file gets its mode from the umask at bind(2): no chmod by
 * path afterwards, which a process that can write the directory could
 * point at another file between the bind and the chmod.  A stale socket
 * or a symbolic link at path is removed (unlink never follows a link);
 * anything else there is left alone and the bind fails.
 */
int
control_open(const char *path, int mode, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	struct stat st;
	mode_t old;
	int fd, rc = -1;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: name too long", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if (lstat(path, &st) == 0 &&
	    (S_ISSOCK(st.st_mode) || S_ISLNK(st.st_mode)))
		unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		old = umask(~(mode_t)mode & 0777);
		rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
		umask(old);
	}
	if (rc < 0 || listen(fd, 8) < 0) {
		snprintf(err, errlen, "%s: %s", path,
		    errno == EADDRINUSE ? "exists and is not a socket"
		                        : strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void
json_str(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			buf_printf(b, "\\u%04x", c);
		else
			buf_putc(b, c);
	}
	buf_putc(b, '"');
}

/*
 * A private copy of the scoreboard's header, slots and IP table in use,
 * taken under its lock (the mapping has room for more, never touched).
 */
struct scoreboard *
control_snapshot(struct scoreboard *sb)
{
	struct scoreboard *c;
	size_t ns, ni;

	scoreboard_lock(sb);
	ns = sb->nslots * sizeof(struct sb_slot);
	ni = sb->nips * sizeof(struct sb_ip);
	if ((c = malloc(sizeof(*c) + ns + ni)) != NULL) {
		memcpy(c, sb, sizeof(*c));
		c->slots = (struct sb_slot *)(c + 1);
		c->ips = (struct sb_ip *)((char *)c->slots + ns);
		memcpy(c->slots, sb->slots, ns);
		memcpy(c->ips, sb->ips, ni);
		c->rates = NULL;
		c->authfails = NULL;
	}
	scoreboard_unlock(sb);
	return c;
}

static void
put_workers(struct buf *b, const struct scoreboard *c)
{
	static const char *names[SB_NSTATES] = { "free", "starting", "idle",
		"busy", "exiting" };
	unsigned n[SB_NSTATES] = { 0 }, i, total = 0, old = 0;
	int first = 1;

	for (i = 0; i < c->nslots; i++) {
		if (c->slots[i].state <= SB_FREE ||
		    c->slots[i].state >= SB_NSTATES)
			continue;
		n[c->slots[i].state]++;
		old += c->slots[i].gen != c->generation;
	}
	buf_printf(b, "\"workers\":{\"old_generation\":%u,", old);
	for (i = SB_STARTING; i < SB_NSTATES; i++) {
		buf_printf(b, "\"%s\":%u,", names[i], n[i]);
		total += n[i];
	}
	buf_printf(
	    b, "\"total\":%u,\"slots\":%u},\"sessions\":[", total, c->nslots);
	for (i = 0; i < c->nslots; i++) {
		const struct sb_slot *s = &c->slots[i];

		if (s->state != SB_BUSY)
			continue;
		buf_printf(b, "%s{\"pid\":%ld,\"peer\":", first ? "" : ",",
		    (long)s->pid);
		json_str(b, s->peer);
		buf_puts(b, ",\"verb\":");
		json_str(b, s->verb);
		buf_printf(b, ",\"since\":%lld,\"messages\":%lu}",
		    (long long)s->since, s->messages);
		first = 0;
	}
	buf_puts(b, "],");
}

static int
by_count(const void *a, const void *b)
{
	const struct sb_ip *x = a, *y = b;

	return (y->count > x->count) - (y->count < x->count);
}

static void
put_top(struct buf *b, const struct scoreboard *c)
{
	struct sb_ip *v = malloc(sizeof(*v) * c->nips);
	unsigned i, n = 0;
	char text[64];

	buf_puts(b, "\"top\":[");
	for (i = 0; v && i < c->nips; i++)
		if (c->ips[i].count > 0)
			v[n++] = c->ips[i];
	if (v)
		qsort(v, n, sizeof(*v), by_count);
	for (i = 0; v && i < n && i < TOP_IPS; i++) {
		if (netaddr_key_text(&v[i].key, text, sizeof(text)) < 0)
			snprintf(text, sizeof(text), "?");
		buf_printf(b, "%s{\"ip\":\"%s%s\",\"count\":%d}", i ? "," : "",
		    text, v[i].key.v4 ? "" : "/64", v[i].count);
	}
	buf_puts(b, "],");
	free(v);
}

static void
put_counters(struct buf *b, const struct sb_totals *t)
{
	buf_printf(b,
	    "\"connections\":{\"now\":%lu,\"sessions\":%lu,"
	    "\"refusing\":%lu,\"total\":%lu,\"refused\":{"
	    "\"total_450\":%lu,\"total_close\":%lu,\"sameip_450\":%lu,"
	    "\"sameip_close\":%lu,\"load\":%lu}},",
	    t->conn_now, t->sessions,
	    t->conn_now > t->sessions ? t->conn_now - t->sessions : 0,
	    t->conn_total, t->refused[SB_REF_TOTAL_450],
	    t->refused[SB_REF_TOTAL_CLOSE], t->refused[SB_REF_SAMEIP_450],
	    t->refused[SB_REF_SAMEIP_CLOSE], t->refused[SB_REF_LOAD]);
	buf_printf(b,
	    "\"messages\":{\"accepted\":%lu,\"bytes\":%lu,\"recipients\":%lu},"
	    "\"rejects\":{\"4xx\":%lu,\"5xx\":%lu}",
	    t->messages, t->bytes, t->rcpts, t->rejects4, t->rejects5);
}

/* Stress mode: on/off, its threshold, sessions idle a second or more
 * now, and idle sessions it closed since start. */
static void
put_stress(struct buf *b, const struct scoreboard *c)
{
	unsigned i, idle = 0;

	for (i = 0; i < c->nslots; i++)
		idle += c->slots[i].state == SB_BUSY && c->slots[i].idle != 0;
	buf_printf(b,
	    ",\"stress\":{\"mode\":\"%s\",\"threshold\":%u,\"idle\":%u,"
	    "\"closed\":%lu}",
	    scoreboard_stressed(c) ? "on" : "off", c->stress_at, idle,
	    c->t.stress_closed);
}

int
control_status(struct control_info *ci, struct buf *b)
{
	struct scoreboard *c = control_snapshot(ci->sb);
	time_t now = time(NULL);

	if (c == NULL)
		return -1;
	buf_printf(b,
	    "{\"ok\":true,\"protocol\":%d,\"version\":\"%s\","
	    "\"pid\":%ld,\"started\":%lld,\"uptime\":%lld,",
	    CONTROL_PROTOCOL, SMTPSERVER_VERSION, (long)ci->pid,
	    (long long)c->started, (long long)(now - c->started));
	buf_puts(b, "\"config\":{\"path\":");
	json_str(b, ci->config);
	buf_printf(b, ",\"generation\":%lu,\"loaded\":%lld},\"stopping\":%s,",
	    c->generation, (long long)c->loaded,
	    c->stopping ? "true" : "false");
	put_workers(b, c);
	put_top(b, c);
	put_counters(b, &c->t);
	put_stress(b, c);
	buf_printf(b, ",\"lock_repairs\":%lu}\n", c->repairs);
	free(c);
	return 0;
}

/* Root, or the user the supervisor runs as (the socket's owner). */
static int
peer_allowed(int fd)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) < 0)
		return 0;
	return uc.uid == 0 || uc.uid == geteuid();
}

static int
read_request(int fd, char *req, size_t len)
{
	size_t n = 0;
	ssize_t r;

	while (n < len - 1) {
		r = read(fd, req + n, len - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		if (memchr(req, '\n', n))
			break;
	}
	req[n] = '\0';
	while (n > 0 && strchr("\r\n \t", req[n - 1]))
		req[--n] = '\0';
	return n > 0 ? 0 : -1;
}

/* {"ok":true,"request":"reload","generation":N}, or ok false, the error
 * and the generation still running. */
static void
answer_reload(struct control_info *ci, struct buf *out)
{
	char err[1024];
	unsigned long gen;

	err[0] = '\0';
	gen = ci->reload ? ci->reload(ci->reload_arg, err, sizeof(err)) : 0;
	if (gen > 0) {
		buf_printf(out,
		    "{\"ok\":true,\"request\":\"reload\",\"generation\":%lu}\n",
		    gen);
		return;
	}
	buf_puts(out, "{\"ok\":false,\"request\":\"reload\",\"error\":");
	json_str(out, err[0] ? err : "reload not available");
	buf_printf(
	    out, ",\"generation\":%lu}\n", scoreboard_generation(ci->sb));
}

static void
answer(struct control_info *ci, const char *req, struct buf *out)
{
	if (strcmp(req, "status") == 0) {
		if (control_status(ci, out) < 0)
			buf_puts(
			    out, "{\"ok\":false,\"error\":\"no memory\"}\n");
	} else if (strcmp(req, "metrics") == 0) {
		if (metrics_render(ci, out) < 0)
			buf_puts(
			    out, "{\"ok\":false,\"error\":\"no memory\"}\n");
	} else if (strcmp(req, "reload") == 0) {
		answer_reload(ci, out);
	} else if (strcmp(req, "stop") == 0) {
		ci->want_stop = 1;
		buf_puts(out, "{\"ok\":true,\"request\":\"stop\"}\n");
	} else {
		buf_puts(out, "{\"ok\":false,\"error\":\"unknown request\"}\n");
	}
}

void
control_serve(int lfd, struct control_info *ci)
{
	/* a request line, and room for our answer, within 5 s: the
	 * supervisor waits for nothing else meanwhile, and a client on a
	 * loaded machine may be descheduled for over a second */
	struct timeval tv = { 5, 0 };
	char req[REQ_MAX];
	struct buf out;
	size_t off = 0;
	ssize_t w;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	buf_init(&out, REPLY_MAX);
	if (!peer_allowed(fd)) {
		log_msg(LOG_WARNING, "control: peer not allowed");
		buf_puts(&out, "{\"ok\":false,\"error\":\"not allowed\"}\n");
	} else if (read_request(fd, req, sizeof(req)) == 0) {
		answer(ci, req, &out);
	}
	while (
	    off < out.len && (w = write(fd, out.data + off, out.len - off)) > 0)
		off += (size_t)w;
	buf_free(&out);
	close(fd);
}
