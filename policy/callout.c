/*
 * callout.c - the SMTP/LMTP client of a callout: connect within
 * rcpt-verify-connect-timeout, greeting, EHLO (HELO after a 5xx) or
 * LHLO, MAIL FROM:<>, RCPT TO:<addr>, then RSET and QUIT.  Each reply
 * within rcpt-verify-reply-timeout and the whole dialogue within three
 * times it; reply lines are read bounded (shared/stream.c).
 * Not for: the cache (callout_cache.c), the decision (policy_callout.c),
 * the syntax of a rcpt-verify line (shared/callout_hop.c).
 */
#include "callout.h"

#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "mono.h"
#include "stream.h"

#define REPLY_LINES_MAX 100 /* lines of one multiline reply */

struct client {
	struct stream st;
	struct buf line;
	int utf8; /* the hello reply offered SMTPUTF8 (RFC 6531) */
	char last[CALLOUT_LINE_MAX + 1]; /* the last reply line, cleaned */
};

int
callout_reply_line(const char *line, size_t len, int *code, int *more)
{
	if (len < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' ||
	    line[1] > '9' || line[2] < '0' || line[2] > '9')
		return -1;
	if (len > 3 && line[3] != ' ' && line[3] != '-')
		return -1;
	*code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	*more = len > 3 && line[3] == '-';
	return 0;
}

/* Connect within tmo seconds; the fd (blocking again), or -1 (why). */
static int
connect_to(const struct callout_hop *hop, int tmo, char *why, size_t whylen)
{
	socklen_t elen = sizeof(int);
	int fd, e = 0, fl;

	fd = socket(hop->sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || (fl = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		goto fail;
	if (connect(fd, (const struct sockaddr *)&hop->sa, hop->salen) < 0) {
		if (errno != EINPROGRESS) /* unix: EAGAIN, backlog full */
			goto fail;
		if ((e = mono_poll(fd, POLLOUT, mono_after(tmo))) == 0) {
			snprintf(why, whylen, "connect to %s: timed out",
			    hop->target);
			close(fd);
			return -1;
		}
		if (e < 0)
			goto fail;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0 ||
		    e != 0) {
			errno = e ? e : errno;
			goto fail;
		}
	}
	if (fcntl(fd, F_SETFL, fl) < 0)
		goto fail;
	return fd;
fail:
	snprintf(
	    why, whylen, "connect to %s: %s", hop->target, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Copy the reply line into c->last, control characters blanked. */
static void
keep_line(struct client *c)
{
	size_t i,
	    n = c->line.len < CALLOUT_LINE_MAX ? c->line.len : CALLOUT_LINE_MAX;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)c->line.data[i];
		c->last[i] = ch < ' ' || ch == 0x7f ? ' ' : (char)ch;
	}
	c->last[n] = '\0';
}

/* One whole reply: its code, or -1 (why) on EOF, timeout, garbage. */
static int
read_reply(struct client *c, const char *step, char *why, size_t whylen)
{
	int i, rc, flags, code, more;

	for (i = 0; i < REPLY_LINES_MAX; i++) {
		rc = stream_getline(&c->st, &c->line, CALLOUT_LINE_MAX, &flags);
		if (rc != SR_OK) {
			snprintf(why, whylen, "%s: %s", step,
			    rc == SR_TIMEOUT   ? "reply timed out"
			        : rc == SR_EOF ? "connection closed"
			                       : "read error");
			return -1;
		}
		keep_line(c);
		if (callout_reply_line(
		        c->line.data, c->line.len, &code, &more) < 0) {
			snprintf(why, whylen, "%s: not a reply: %.80s", step,
			    c->last);
			return -1;
		}
		if (c->line.len == 12 &&
		    strncasecmp(c->line.data + 4, "SMTPUTF8", 8) == 0)
			c->utf8 = 1;
		if (!more)
			return code;
	}
	snprintf(why, whylen, "%s: reply of more than %d lines", step,
	    REPLY_LINES_MAX);
	return -1;
}

/* Send a command line and read its reply: code or -1 (why). */
static int
command(struct client *c, const char *cmd, const char *arg, char *why,
    size_t whylen)
{
	char step[64];

	snprintf(step, sizeof(step), "%s", cmd);
	step[strcspn(step, " :")] = '\0';
	if (stream_write(&c->st, cmd, strlen(cmd)) < 0 ||
	    stream_write(&c->st, arg, strlen(arg)) < 0 ||
	    stream_write(&c->st, "\r\n", 2) < 0 || stream_flush(&c->st) < 0) {
		snprintf(why, whylen, "%s: write error", step);
		return -1;
	}
	return read_reply(c, step, why, whylen);
}

/* Greeting, hello: 0 or -1 (why). */
static int
hello(struct client *c, const struct callout_conf *cf,
    const struct callout_hop *hop, char *why, size_t whylen)
{
	int code = read_reply(c, "greeting", why, whylen);

	if (code < 0)
		return -1;
	if (code / 100 != 2) {
		snprintf(why, whylen, "greeting: %.200s", c->last);
		return -1;
	}
	if (hop->proto == CALLOUT_LMTP)
		code = command(c, "LHLO ", cf->helo, why, whylen);
	else if ((code = command(c, "EHLO ", cf->helo, why, whylen)) / 100 == 5)
		code = command(c, "HELO ", cf->helo, why, whylen);
	if (code < 0)
		return -1;
	if (code / 100 != 2) {
		snprintf(why, whylen, "%s: %.200s",
		    hop->proto == CALLOUT_LMTP ? "LHLO" : "EHLO", c->last);
		return -1;
	}
	return 0;
}

static int
ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/* The dialogue on a connected client. */
static enum callout_result
dialogue(struct client *c, const struct callout_conf *cf,
    const struct callout_hop *hop, const char *addr, char *why, size_t whylen)
{
	char rcpt[CALLOUT_ADDR_MAX + 4], scratch[CALLOUT_LINE_MAX + 64];
	int code;

	if (hello(c, cf, hop, why, whylen) < 0)
		return CALLOUT_TEMP;
	if (!ascii(addr) && !c->utf8) {
		/* it could only refuse the address, not say it is unknown */
		snprintf(why, whylen,
		    "not verified: a UTF-8 address and the "
		    "next hop has no SMTPUTF8");
		(void)command(c, "QUIT", "", scratch, sizeof(scratch));
		return CALLOUT_KNOWN;
	}
	if ((code = command(c, "MAIL FROM:<>", ascii(addr) ? "" : " SMTPUTF8",
	         why, whylen)) < 0)
		return CALLOUT_TEMP;
	if (code / 100 != 2) {
		snprintf(why, whylen, "MAIL: %.200s", c->last);
		return CALLOUT_TEMP;
	}
	snprintf(rcpt, sizeof(rcpt), "<%s>", addr);
	if ((code = command(c, "RCPT TO:", rcpt, why, whylen)) < 0)
		return CALLOUT_TEMP;
	snprintf(why, whylen, "%.200s", c->last);
	/* RSET and QUIT for politeness: their answers change nothing */
	if (command(c, "RSET", "", scratch, sizeof(scratch)) >= 0)
		(void)command(c, "QUIT", "", scratch, sizeof(scratch));
	if (code / 100 == 2)
		return CALLOUT_KNOWN;
	return code / 100 == 5 ? CALLOUT_UNKNOWN : CALLOUT_TEMP;
}

/* addr fits in a command line: bounded, no controls, no brackets. */
static int
addr_ok(const char *addr)
{
	size_t n = strlen(addr);
	const unsigned char *p;

	if (n == 0 || n > CALLOUT_ADDR_MAX)
		return 0;
	for (p = (const unsigned char *)addr; *p; p++)
		if (*p < ' ' || *p == 0x7f || *p == '<' || *p == '>')
			return 0;
	return 1;
}

enum callout_result
callout_run(const struct callout_conf *cf, const struct callout_hop *hop,
    const char *addr, char *why, size_t whylen)
{
	struct client *c;
	enum callout_result r;
	int fd;

	if (!addr_ok(addr)) {
		snprintf(why, whylen, "address not fit for a callout");
		return CALLOUT_TEMP;
	}
	if ((fd = connect_to(hop, cf->conn_tmo, why, whylen)) < 0)
		return CALLOUT_TEMP;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(why, whylen, "out of memory");
		close(fd);
		return CALLOUT_TEMP;
	}
	stream_init(&c->st, fd, fd, cf->reply_tmo);
	c->st.deadline = mono_after(3L * cf->reply_tmo);
	buf_init(&c->line, CALLOUT_LINE_MAX + 1);
	r = dialogue(c, cf, hop, addr, why, whylen);
	buf_free(&c->line);
	stream_free(&c->st);
	close(fd);
	free(c);
	return r;
}

const struct callout_hop *
callout_hop_find(const struct callout_conf *c, const char *dom)
{
	size_t i;

	for (i = 0; i < c->nhops; i++)
		if (strcmp(c->hops[i].dom, dom) == 0)
			return &c->hops[i];
	return NULL;
}

void
callout_conf_free(struct callout_conf *c)
{
	if (c == NULL)
		return;
	free(c->hops);
	free(c->cache);
	free(c);
}
