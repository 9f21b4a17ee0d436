/*
 * policy_build.c - compile smtp-policy.src, localnames, smtp-policy.relay
 * (.manual), .mx (.manual) and .spam (.manual) into BASE.gdbm the way
 * ZMailer's policy-builder.sh and "makedb -A -p" do (policy-builder(8)):
 * same order (first occurrence of an attribute wins), same tags,
 * duplicate keys appended.  Output goes to BASE-new.gdbm, is fsync'd and
 * renamed.  Also the recipient table (rcptdb.h) when its source exists:
 * both are built before either is renamed, so a source error changes
 * neither.
 */
#include "policy_build.h"

#include <errno.h>
#include <fcntl.h>
#include <gdbm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy_src.h"
#include "rcptdb.h"
#include "safefile.h"

enum src_kind { K_SRC, K_LOCALNAMES, K_RELAY, K_MX, K_SPAM, K_RCPT };

struct build {
	const char *dir;
	GDBM_FILE db;
	FILE *errs;
	int errors;
	unsigned warned; /* PA_UNBUILT attributes already warned about */
	unsigned char widths[PDB_WIDTHS]; /* of the address keys stored */
	struct policy_src_rec rec;
};

struct spamline {
	char *text;
	char file[64];
	long line;
};

static int
store(struct build *b, const char *file, long line)
{
	datum k, v, old;
	char *joined;
	size_t n;

	k.dptr = (char *)b->rec.key;
	k.dsize = b->rec.key[0];
	pdb_widths_add(b->widths, b->rec.key);
	old = gdbm_fetch(b->db, k);
	n = (old.dptr ? (size_t)old.dsize : 0) + b->rec.vallen;
	if (n > PDB_RECORD_MAX || (joined = malloc(n)) == NULL) {
		fprintf(b->errs, "%s/%s:%ld: too much data for one key\n",
		    b->dir, file, line);
		free(old.dptr);
		return -1;
	}
	if (old.dptr != NULL)
		memcpy(joined, old.dptr, (size_t)old.dsize);
	memcpy(joined + n - b->rec.vallen, b->rec.val, b->rec.vallen);
	v.dptr = joined;
	v.dsize = (int)n;
	n = (size_t)gdbm_store(b->db, k, v, GDBM_REPLACE);
	free(joined);
	free(old.dptr);
	if (n != 0) {
		fprintf(b->errs, "%s/%s:%ld: gdbm_store: %s\n", b->dir, file,
		    line, gdbm_strerror(gdbm_errno));
		return -1;
	}
	return 0;
}

/* A PA_UNBUILT attribute in the record (value not "-"): warn, once each. */
static void
warn_unbuilt(struct build *b, const char *file, long line)
{
	const unsigned char *v = b->rec.val, *end = v + b->rec.vallen;
	unsigned bit;

	for (; v + 3 <= end && v[0] >= 3 && v + v[0] <= end; v += v[0]) {
		bit = v[1] < 32 ? PA_BIT(v[1]) : 0;
		if (!(bit & PA_UNBUILT) || (b->warned & bit) ||
		    strcmp((const char *)v + 2, "-") == 0)
			continue;
		b->warned |= bit;
		fprintf(b->errs,
		    "%s/%s:%ld: warning: attribute '%s' is parsed but not "
		    "implemented, it has no effect\n",
		    b->dir, file, line, pdb_attr_name(v[1]));
	}
}

/* Compile one (already transformed) source line. */
static void
compile(struct build *b, char *text, const char *file, long line)
{
	char why[200];
	int rc;

	rc = policy_src_line(text, &b->rec, why, sizeof(why));
	if (rc < 0) {
		fprintf(b->errs, "%s/%s:%ld: %s\n", b->dir, file, line, why);
		b->errors++;
	} else if (rc > 0) {
		warn_unbuilt(b, file, line);
		if (store(b, file, line) < 0)
			b->errors++;
	}
}

/* Cut a " # comment" that is outside quotes (ours, see policy-builder.8). */
static void
cut_comment(char *s)
{
	int q = 0;
	char *p;

	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			q = !q;
		else if (!q && *p == '#' && p > s &&
		    (p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			return;
		}
	}
}

static int
first_word(const char *s, char *out, size_t outlen)
{
	size_t n;

	s += strspn(s, " \t");
	n = strcspn(s, " \t");
	if (n == 0 || n >= outlen)
		return n == 0 ? 0 : -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 1;
}

/* One line of the recipient table's source: its key, value "+". */
static void
rcpt_line(struct build *b, char *s, const char *file, long line)
{
	char key[RCPTDB_KEY_MAX], why[200];
	size_t n;
	datum k, v;
	int rc;

	rc = rcptdb_src_line(s, key, &n, why, sizeof(why));
	if (rc < 0) {
		fprintf(b->errs, "%s/%s:%ld: %s\n", b->dir, file, line, why);
		b->errors++;
		return;
	}
	if (rc == 0)
		return;
	k.dptr = key;
	k.dsize = (int)n;
	v.dptr = "+";
	v.dsize = 1;
	if (gdbm_store(b->db, k, v, GDBM_REPLACE) != 0) {
		fprintf(b->errs, "%s/%s:%ld: gdbm_store: %s\n", b->dir, file,
		    line, gdbm_strerror(gdbm_errno));
		b->errors++;
	}
}

/* Transform one line of a source file as policy-builder.sh's awk does. */
static void
one_line(
    struct build *b, enum src_kind kind, char *s, const char *file, long line)
{
	char out[POLICY_SRC_LINE_MAX + 32], word[POLICY_SRC_LINE_MAX];
	int n = 0;

	if (kind == K_SRC) {
		compile(b, s, file, line);
		return;
	}
	if (kind == K_RCPT) {
		rcpt_line(b, s, file, line);
		return;
	}
	if (s[0] == '#')
		return;
	if (kind == K_LOCALNAMES) {
		if ((n = first_word(s, word, sizeof(word))) > 0)
			n = snprintf(
			    out, sizeof(out), "%s = _localnames", word);
	} else if (kind == K_RELAY || kind == K_MX) {
		cut_comment(s);
		if (first_word(s, word, sizeof(word)) > 0)
			n = snprintf(out, sizeof(out), "%s = %s", s,
			    kind == K_RELAY ? "_full_rights" : "_relaytarget");
	}
	if (n > 0 && (size_t)n < sizeof(out))
		compile(b, out, file, line);
}

static void read_lines(struct build *b, FILE *fp, const char *file,
    enum src_kind kind, struct spamline **spam, size_t *nspam);

static int
feed(struct build *b, const char *file, enum src_kind kind, int required,
    struct spamline **spam, size_t *nspam)
{
	char path[4096], why[4200];
	FILE *fp;

	if (snprintf(path, sizeof(path), "%s/%s", b->dir, file) >=
	    (int)sizeof(path))
		return -1;
	if ((fp = safe_fopen_regular(path, why, sizeof(why))) == NULL) {
		if (errno == ENOENT && !required)
			return 0;
		fprintf(b->errs, "%s\n", why);
		b->errors++;
		return -1;
	}
	read_lines(b, fp, file, kind, spam, nspam);
	fclose(fp);
	return 0;
}

static void
spam_add(struct build *b, char *s, const char *file, long line,
    struct spamline **spam, size_t *nspam)
{
	struct spamline *n;
	char *p;

	for (p = s; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (*s == '@')
		s++;
	if ((n = realloc(*spam, (*nspam + 1) * sizeof(**spam))) == NULL ||
	    (n[*nspam].text = strdup(s)) == NULL) {
		if (n != NULL)
			*spam = n;
		fprintf(
		    b->errs, "%s/%s:%ld: out of memory\n", b->dir, file, line);
		b->errors++;
		return;
	}
	*spam = n;
	snprintf(n[*nspam].file, sizeof(n[*nspam].file), "%s", file);
	n[*nspam].line = line;
	(*nspam)++;
}

static void
read_lines(struct build *b, FILE *fp, const char *file, enum src_kind kind,
    struct spamline **spam, size_t *nspam)
{
	char s[POLICY_SRC_LINE_MAX];
	long line = 0;
	size_t n;
	int c;

	while (fgets(s, sizeof(s), fp) != NULL) {
		line++;
		n = strlen(s);
		if (n > 0 && s[n - 1] == '\n')
			s[--n] = '\0';
		else if (!feof(fp)) {
			fprintf(b->errs, "%s/%s:%ld: line too long\n", b->dir,
			    file, line);
			b->errors++;
			while ((c = getc(fp)) != EOF && c != '\n')
				;
			continue;
		}
		if (n > 0 && s[n - 1] == '\r')
			s[--n] = '\0';
		if (kind == K_SPAM)
			spam_add(b, s, file, line, spam, nspam);
		else
			one_line(b, kind, s, file, line);
	}
}

static int
spam_cmp(const void *a, const void *b)
{
	return strcmp(((const struct spamline *)a)->text,
	    ((const struct spamline *)b)->text);
}

/* sort | uniq, then "[net rejectnet +" or "x = _bulk_mail". */
static void
spam_compile(struct build *b, struct spamline *spam, size_t n)
{
	char out[POLICY_SRC_LINE_MAX + 32], word[8];
	size_t i;
	int len;

	if (n > 0)
		qsort(spam, n, sizeof(*spam), spam_cmp);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(spam[i].text, spam[i - 1].text) == 0)
			continue;
		if (spam[i].text[0] == '[')
			len = snprintf(
			    out, sizeof(out), "%s  rejectnet +", spam[i].text);
		else if (first_word(spam[i].text, word, sizeof(word)) != 0)
			len = snprintf(
			    out, sizeof(out), "%s  = _bulk_mail", spam[i].text);
		else
			continue;
		if (len > 0 && (size_t)len < sizeof(out))
			compile(b, out, spam[i].file, spam[i].line);
	}
	for (i = 0; i < n; i++)
		free(spam[i].text);
	free(spam);
}

static int
sync_path(const char *path, int dir)
{
	int fd = open(path, (dir ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* The "ipwidths" key (policydb.h), after every address key is in. */
static int
store_widths(struct build *b, const char *tmp)
{
	unsigned char key[PKEY_MAX + 1];
	datum k, v;

	if (pdb_key_str(key, sizeof(key), PK_META, PDB_META_IPWIDTHS) < 0)
		return -1;
	k.dptr = (char *)key;
	k.dsize = key[0];
	v.dptr = (char *)b->widths;
	v.dsize = PDB_WIDTHS;
	if (gdbm_store(b->db, k, v, GDBM_REPLACE) != 0) {
		fprintf(b->errs, "%s: gdbm_store: %s\n", tmp,
		    gdbm_strerror(gdbm_errno));
		return -1;
	}
	return 0;
}

static int
finish(struct build *b, const char *tmp, const char *final)
{
	if (store_widths(b, tmp) < 0)
		return -1;
	if (gdbm_sync(b->db) != 0) {
		fprintf(b->errs, "%s: gdbm_sync: %s\n", tmp,
		    gdbm_strerror(gdbm_errno));
		return -1;
	}
	gdbm_close(b->db);
	b->db = NULL;
	if (sync_path(tmp, 0) < 0 || rename(tmp, final) < 0 ||
	    sync_path(b->dir, 1) < 0) {
		fprintf(b->errs, "%s: %s\n", final, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * A new, empty database at tmp.  A stale tmp is removed first, and the
 * file is created with O_EXCL|O_NOFOLLOW: a symbolic link planted there
 * by whoever else can write the directory is never followed.
 */
static GDBM_FILE
new_db(const char *tmp, FILE *errs)
{
	GDBM_FILE db;
	int fd;

	(void)unlink(tmp);
	fd =
	    open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(errs, "%s: %s\n", tmp, strerror(errno));
		return NULL;
	}
	db = gdbm_fd_open(
	    fd, tmp, 0, GDBM_NEWDB | GDBM_NOLOCK | GDBM_CLOERROR, NULL);
	if (db == NULL)
		fprintf(errs, "%s: %s\n", tmp, gdbm_strerror(gdbm_errno));
	return db;
}

/*
 * Compile the recipient table's source, if there is one, into
 * DIR/recipients-new.gdbm; the caller renames it.  1 built, 0 no source,
 * -1 errors (reported; nothing left behind).
 */
static int
rcpt_stage(const char *dir, FILE *errs, const char *tmp)
{
	struct build rb;
	char src[4096];
	int rc = 1;

	memset(&rb, 0, sizeof(rb));
	rb.dir = dir;
	rb.errs = errs;
	if (snprintf(src, sizeof(src), "%s/%s", dir, RCPTDB_SOURCE) >=
	        (int)sizeof(src) ||
	    (access(src, F_OK) < 0 && errno == ENOENT))
		return 0;
	if ((rb.db = new_db(tmp, errs)) == NULL)
		return -1;
	feed(&rb, RCPTDB_SOURCE, K_RCPT, 1, NULL, NULL);
	if (rb.errors == 0 && gdbm_sync(rb.db) != 0) {
		fprintf(errs, "%s: gdbm_sync: %s\n", tmp,
		    gdbm_strerror(gdbm_errno));
		rb.errors++;
	}
	gdbm_close(rb.db);
	if (rb.errors == 0 && sync_path(tmp, 0) < 0) {
		fprintf(errs, "%s: %s\n", tmp, strerror(errno));
		rb.errors++;
	}
	if (rb.errors != 0) {
		(void)unlink(tmp);
		rc = -1;
	}
	return rc;
}

/* Rename the staged recipient table into place (after the policy). */
static int
rcpt_commit(const char *dir, FILE *errs, const char *tmp)
{
	char final[4096];

	if (snprintf(final, sizeof(final), "%s/%s.gdbm", dir, RCPTDB_SOURCE) >=
	        (int)sizeof(final) ||
	    rename(tmp, final) < 0 || sync_path(dir, 1) < 0) {
		fprintf(errs, "%s: %s\n", final, strerror(errno));
		(void)unlink(tmp);
		return -1;
	}
	return 0;
}

int
policy_build(const char *dir, const char *base, FILE *errs)
{
	static const struct {
		const char *file;
		enum src_kind kind;
	} srcs[] = { { "smtp-policy.src", K_SRC },
		{ "localnames", K_LOCALNAMES },
		{ "smtp-policy.relay.manual", K_RELAY },
		{ "smtp-policy.relay", K_RELAY },
		{ "smtp-policy.mx.manual", K_MX }, { "smtp-policy.mx", K_MX },
		{ "smtp-policy.spam", K_SPAM },
		{ "smtp-policy.spam.manual", K_SPAM } };
	struct build *b;
	struct spamline *spam = NULL;
	size_t nspam = 0, i;
	char tmp[4096], final[4096], rtmp[4096];
	int rc = -1, rcpt = 0;

	if (snprintf(tmp, sizeof(tmp), "%s/%s-new.gdbm", dir, base) >=
	        (int)sizeof(tmp) ||
	    snprintf(final, sizeof(final), "%s/%s.gdbm", dir, base) >=
	        (int)sizeof(final) ||
	    snprintf(rtmp, sizeof(rtmp), "%s/%s-new.gdbm", dir,
	        RCPTDB_SOURCE) >= (int)sizeof(rtmp)) {
		fprintf(errs, "%s: path too long\n", dir);
		return -1;
	}
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return -1;
	b->dir = dir;
	b->errs = errs;
	if ((b->db = new_db(tmp, errs)) == NULL) {
		free(b);
		return -1;
	}
	for (i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++)
		feed(b, srcs[i].file, srcs[i].kind, i == 0, &spam, &nspam);
	spam_compile(b, spam, nspam);
	if (b->errors == 0 && (rcpt = rcpt_stage(dir, errs, rtmp)) < 0)
		b->errors++;
	if (b->errors == 0 && (rc = finish(b, tmp, final)) == 0 && rcpt > 0)
		rc = rcpt_commit(dir, errs, rtmp);
	else if (b->errors != 0)
		fprintf(errs, "%s: %d error(s); %s not changed\n", dir,
		    b->errors, final);
	if (b->db != NULL)
		gdbm_close(b->db);
	if (rc < 0)
		(void)unlink(tmp);
	if (rc < 0 && rcpt > 0)
		(void)unlink(rtmp);
	free(b);
	return rc;
}
