/*
 * policy_build_tmp_test.c - policy-builder (often run as root) writes its new
 * database as <base>-new.gdbm in the sources' directory.  Whoever else can
 * write that directory may plant a symbolic link there right after the
 * stale name is removed; the database must then not be written through
 * it.  unlink() is interposed here to play that race deterministically.
 */
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "policy_build.h"
#include "tap.h"
#include "tmpdir.h"

static const char *plant; /* after unlink of *-new.gdbm: a link to this */

int
unlink(const char *path)
{
	long rc = syscall(SYS_unlink, path);
	size_t n = strlen(path);

	if (plant != NULL && n > 9 && strcmp(path + n - 9, "-new.gdbm") == 0)
		if (symlink(plant, path) < 0)
			perror("symlink");
	return (int)rc;
}

static long
size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 ? -1 : (long)st.st_size;
}

int
main(void)
{
	char victim[1024], src[1024];
	FILE *errs = tmpfile();

	tmp_make();
	tmp_write("smtp-policy.src", "example.org relaytarget +\n");
	tmp_write("victim", "precious\n");
	tmp_path("victim", victim, sizeof(victim));
	tmp_path("smtp-policy.src", src, sizeof(src));
	is_int(policy_build(tmp_dir, "smtp-policy", errs), 0, "a plain build");
	plant = victim;
	is_int(policy_build(tmp_dir, "smtp-policy", errs), -1,
	    "a link planted at the temp name: the build refuses");
	plant = NULL;
	is_int(size_of(victim), 9, "the victim is not written through it");
	tmp_path("smtp-policy-new.gdbm", src, sizeof(src));
	unlink(src);
	tmp_clean();
	return tap_done();
}
