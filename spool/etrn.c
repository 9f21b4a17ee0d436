/*
 * etrn.c - the local ETRN request file (etrn.h), written the way ZMailer's
 * smtpserver leaves it for the scheduler, and durable before the 250.
 * Not for: checking the domain (the session's cmd_etrn.c does).
 */
#include "etrn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
etrn_format(char *out, size_t len, const char *domain, const char *iplit)
{
	int n = snprintf(out, len, "T %s %s\n", domain, iplit);

	return n > 0 && (size_t)n < len ? 0 : -1;
}

static int
write_all(int fd, const char *s, size_t len)
{
	ssize_t w;

	while (len > 0) {
		w = write(fd, s, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		len -= (size_t)w;
	}
	return 0;
}

static int
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Fill tmp, the file; -1 with err. */
static enum etrn_rc
make_temp(const char *dir, const char *text, char *tmp, size_t tmplen,
    struct stat *st, char *err, size_t errlen)
{
	struct stat dst;
	int fd, n;

	if (stat(dir, &dst) < 0) {
		int e = errno;

		snprintf(err, errlen, "%s: %s", dir, strerror(e));
		return e == ENOENT || e == ENOTDIR ? ETRN_NODIR : ETRN_CREATE;
	}
	if (!S_ISDIR(dst.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		return ETRN_NODIR;
	}
	n = snprintf(tmp, tmplen, "%s/..etrn-XXXXXX", dir);
	if (n <= 0 || (size_t)n >= tmplen) {
		snprintf(err, errlen, "%s: name too long", dir);
		return ETRN_CREATE;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return ETRN_CREATE;
	}
	if (write_all(fd, text, strlen(text)) < 0 || fsync(fd) < 0 ||
	    fstat(fd, st) < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return ETRN_CREATE;
	}
	if (close(fd) < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		unlink(tmp);
		return ETRN_CREATE;
	}
	return ETRN_OK;
}

enum etrn_rc
etrn_submit(const char *postoffice, const char *domain, const char *iplit,
    char *name, size_t namelen, char *err, size_t errlen)
{
	char dir[4096], tmp[4200], final[4200], text[600];
	struct stat st;
	enum etrn_rc rc;
	int n;

	if (etrn_format(text, sizeof(text), domain, iplit) < 0) {
		snprintf(err, errlen, "request too long");
		return ETRN_CREATE;
	}
	n = snprintf(dir, sizeof(dir), "%s/transport", postoffice);
	if (n <= 0 || (size_t)n >= sizeof(dir)) {
		snprintf(err, errlen, "POSTOFFICE too long");
		return ETRN_CREATE;
	}
	rc = make_temp(dir, text, tmp, sizeof(tmp), &st, err, errlen);
	if (rc != ETRN_OK)
		return rc;
	snprintf(final, sizeof(final), "%s/%llu-etrn", dir,
	    (unsigned long long)st.st_ino);
	if (rename(tmp, final) < 0) {
		snprintf(err, errlen, "rename %s: %s", final, strerror(errno));
		unlink(tmp);
		return ETRN_COMMIT;
	}
	if (sync_dir(dir) < 0) {
		snprintf(err, errlen, "fsync %s: %s", dir, strerror(errno));
		unlink(final);
		return ETRN_COMMIT;
	}
	if (name != NULL)
		snprintf(
		    name, namelen, "%llu-etrn", (unsigned long long)st.st_ino);
	return ETRN_OK;
}
