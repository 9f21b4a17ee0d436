/*
 * spoolread.c - parse a spool file into envelope lines and body (see
 * spoolread.h).  For tests and admin tools.
 * Not for: writing (spool.c) or interpreting the lines (the router).
 */
#include "spoolread.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
rd_fail(char *err, size_t errlen, const char *what, int eno)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: %s", what, strerror(eno));
	errno = eno;
	return -1;
}

/* Split a copy of m->raw at each LF up to env-end. */
static int
split_lines(struct spool_msg *m, char *err, size_t errlen)
{
	char *p, *end, *nl, **nv;
	size_t cap = 0;

	if ((m->linebuf = malloc(m->rawlen + 1)) == NULL)
		return rd_fail(err, errlen, "lines", ENOMEM);
	memcpy(m->linebuf, m->raw, m->rawlen + 1);
	p = m->linebuf;
	end = m->linebuf + m->rawlen;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			break;
		*nl = '\0';
		if (strcmp(p, "env-end") == 0) {
			m->body = m->raw + (nl + 1 - m->linebuf);
			m->bodylen = (size_t)(end - (nl + 1));
			return 0;
		}
		if (m->nlines == cap) {
			cap = cap ? cap * 2 : 32;
			nv = realloc(m->lines, cap * sizeof(*nv));
			if (nv == NULL)
				return rd_fail(err, errlen, "lines", ENOMEM);
			m->lines = nv;
		}
		m->lines[m->nlines++] = p;
		p = nl + 1;
	}
	return rd_fail(err, errlen, "no env-end line", EINVAL);
}

int
spoolread_mem(
    const char *data, size_t len, struct spool_msg *m, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	m->raw = malloc(len + 1);
	if (m->raw == NULL)
		return rd_fail(err, errlen, "spoolread", ENOMEM);
	if (len > 0)
		memcpy(m->raw, data, len);
	m->raw[len] = '\0';
	m->rawlen = len;
	if (split_lines(m, err, errlen) < 0) {
		spoolread_free(m);
		return -1;
	}
	return 0;
}

/* The whole of fd into a malloc'ed buffer. */
static char *
slurp(int fd, size_t *lenp, char *err, size_t errlen)
{
	struct stat st;
	char *data;
	size_t got = 0;
	ssize_t n;

	if (fstat(fd, &st) < 0 || st.st_size > SPOOLREAD_MAX) {
		rd_fail(err, errlen, "size", errno ? errno : EFBIG);
		return NULL;
	}
	if ((data = malloc((size_t)st.st_size + 1)) == NULL) {
		rd_fail(err, errlen, "spoolread", ENOMEM);
		return NULL;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, data + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	*lenp = got;
	return data;
}

int
spoolread_file(const char *path, struct spool_msg *m, char *err, size_t errlen)
{
	char *data;
	size_t len = 0;
	int fd, r;

	memset(m, 0, sizeof(*m));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return rd_fail(err, errlen, path, errno);
	errno = 0;
	data = slurp(fd, &len, err, errlen);
	close(fd);
	if (data == NULL)
		return -1;
	r = spoolread_mem(data, len, m, err, errlen);
	free(data);
	return r;
}

/* Value after "<keyword> " or "" for a bare keyword line; NULL if not. */
static const char *
match(const char *line, const char *kw)
{
	size_t n = strlen(kw);

	if (strncmp(line, kw, n) != 0)
		return NULL;
	if (line[n] == '\0')
		return line + n;
	return line[n] == ' ' ? line + n + 1 : NULL;
}

const char *
spoolread_get(const struct spool_msg *m, const char *keyword, size_t i)
{
	const char *v;
	size_t k;

	for (k = 0; k < m->nlines; k++)
		if ((v = match(m->lines[k], keyword)) != NULL && i-- == 0)
			return v;
	return NULL;
}

size_t
spoolread_count(const struct spool_msg *m, const char *keyword)
{
	size_t k, n = 0;

	for (k = 0; k < m->nlines; k++)
		if (match(m->lines[k], keyword) != NULL)
			n++;
	return n;
}

void
spoolread_free(struct spool_msg *m)
{
	free(m->lines);
	free(m->linebuf);
	free(m->raw);
	memset(m, 0, sizeof(*m));
}
