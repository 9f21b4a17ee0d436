/*
 * tmpdir.h - scratch directories for the C unit tests: make one under
 * $TMPDIR, write small files into it, remove it and its files at the end.
 */
#ifndef TMPDIR_H
#define TMPDIR_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmp_dir[512];

static inline const char *
tmp_make(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmp_dir, sizeof(tmp_dir), "%s/smtpd-test-XXXXXX",
	    t && *t ? t : "/tmp");
	if (mkdtemp(tmp_dir) == NULL) {
		perror("mkdtemp");
		exit(2);
	}
	return tmp_dir;
}

static inline void
tmp_write(const char *name, const char *text)
{
	char path[1024];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmp_dir, name);
	if ((fp = fopen(path, "w")) == NULL) {
		perror(path);
		exit(2);
	}
	fputs(text, fp);
	fclose(fp);
}

/* Copy file src into the directory as name; -1 if src is unreadable. */
static inline int
tmp_copy(const char *src, const char *name)
{
	char path[1024], buf[4096];
	FILE *in, *out;
	size_t n;

	if ((in = fopen(src, "r")) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", tmp_dir, name);
	if ((out = fopen(path, "w")) == NULL) {
		fclose(in);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	fclose(out);
	return 0;
}

static inline void
tmp_path(const char *name, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/%s", tmp_dir, name);
}

static inline void
tmp_clean(void)
{
	char path[1024];
	struct dirent *e;
	DIR *d = opendir(tmp_dir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmp_dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(tmp_dir);
}

#endif
