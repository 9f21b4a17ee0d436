/*
 * policydb_fuzz_test.c - untrusted bytes: random value blocks (broken
 * lengths, missing NULs, alias loops) in a GDBM file and random source
 * lines must neither crash (run under SANITIZE=1) nor run away: an alias
 * bomb stays within the lookup budget.  Fixed seed, bounded loops.
 */
#include <gdbm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policydb.h"
#include "policy_src.h"
#include "tap.h"
#include "tmpdir.h"

static unsigned int seed = 12345;

static unsigned int
rnd(unsigned int n)
{
	seed = seed * 1103515245u + 12345u;
	return ((seed >> 16) & 0x7fff) % n;
}

static void
put(GDBM_FILE db, const unsigned char *key, const unsigned char *val,
    size_t len)
{
	datum k = { (char *)key, key[0] }, v = { (char *)val, (int)len };

	gdbm_store(db, k, v, GDBM_REPLACE);
}

/* A value block: mostly well-formed records, sometimes garbage. */
static size_t
random_value(unsigned char *v, size_t max)
{
	static const char *const tags[] = { "_a", "_b", "_c", "_A", "_zz" };
	size_t n = 0, l;
	int i, recs = (int)rnd(12);

	for (i = 0; i < recs && n + 40 < max; i++) {
		if (rnd(8) == 0) { /* garbage bytes */
			for (l = rnd(30); l > 0; l--)
				v[n++] = (unsigned char)rnd(256);
			continue;
		}
		if (rnd(3) == 0) {
			const char *t = tags[rnd(5)];

			v[n] = (unsigned char)(strlen(t) + 3);
			v[n + 1] = PA_ALIAS;
			memcpy(v + n + 2, t, strlen(t) + 1);
			n += v[n];
			continue;
		}
		l = rnd(20);
		v[n] = (unsigned char)(l + 3);
		v[n + 1] = (unsigned char)rnd(40);
		memset(v + n + 2, 'a' + (int)rnd(26), l);
		v[n + 2 + l] = rnd(10) ? 0 : 'x'; /* sometimes no NUL */
		n += l + 3;
	}
	return n;
}

static void
fill(const char *file)
{
	static const char *const names[] = { "_a", "_b", "_c", "_zz", "." };
	unsigned char key[PKEY_MAX + 1], val[2048];
	struct netkey k;
	GDBM_FILE db;
	size_t i;

	db = gdbm_open(file, 0, GDBM_NEWDB | GDBM_NOLOCK, 0600, NULL);
	for (i = 0; i < 5; i++) {
		pdb_key_str(key, sizeof(key),
		    names[i][0] == '_' ? PK_TAG : PK_DOMAIN, names[i]);
		put(db, key, val, random_value(val, sizeof(val)));
	}
	netaddr_parse("0.0.0.0", &k);
	pdb_key_ip(key, sizeof(key), &k, 0);
	put(db, key, val, random_value(val, sizeof(val)));
	pdb_key_str(key, sizeof(key), PK_USER, "u@");
	put(db, key, val, random_value(val, sizeof(val)));
	gdbm_close(db);
}

static int
lookups(const char *file)
{
	static struct pdb_attrs pa;
	struct netkey k;
	char err[300];
	struct pdb *p = pdb_open(file, err, sizeof(err));
	int i, bad = 0;

	if (p == NULL)
		return 1;
	netaddr_parse("2001:db8::1", &k);
	pdb_attrs_init(&pa, ~0u);
	pdb_lookup_domain(p, "x.y.z", &pa);
	pdb_lookup_ip(p, &k, &pa);
	pdb_lookup_user(p, "u@x.y", &pa);
	for (i = 0; i < PA_MAX; i++)
		bad |= strlen(pa.val[i]) > PVAL_MAX ||
		    strlen(pa.msg[i]) > PVAL_MAX;
	bad |= pa.fetches > PDB_FETCH_MAX;
	pdb_close(p);
	return bad;
}

static void
bomb(const char *file)
{
	static unsigned char val[60000];
	static struct pdb_attrs pa;
	unsigned char key[PKEY_MAX + 1];
	char err[300];
	struct pdb *p;
	GDBM_FILE db;
	size_t n;

	db = gdbm_open(file, 0, GDBM_NEWDB | GDBM_NOLOCK, 0600, NULL);
	for (n = 0; n + 5 <= sizeof(val); n += 5)
		memcpy(val + n, "\005\001_a", 5); /* "= _a" x 12000 */
	pdb_key_str(key, sizeof(key), PK_DOMAIN, ".");
	put(db, key, val, n);
	pdb_key_str(key, sizeof(key), PK_TAG, "_a");
	put(db, key, val, n); /* _a = _a = _a ... */
	gdbm_close(db);
	p = pdb_open(file, err, sizeof(err));
	pdb_attrs_init(&pa, PA_BIT(PA_RELAYTARGET));
	is_int(pdb_lookup_domain(p, "x.example", &pa), 1, "bomb: found");
	ok(pa.fetches <= PDB_FETCH_MAX, "bomb: %u reads", pa.fetches);
	pdb_close(p);
}

static void
lines(void)
{
	static const char alpha[] = "ab.@/[]:_#\" \t+-=09xmessagerelaytarget";
	static struct policy_src_rec r;
	char line[400], why[200];
	int i, j, n, bad = 0;

	for (i = 0; i < 20000; i++) {
		n = (int)rnd(sizeof(line) - 1);
		for (j = 0; j < n; j++)
			line[j] = alpha[rnd(sizeof(alpha) - 1)];
		line[n] = '\0';
		if (policy_src_line(line, &r, why, sizeof(why)) == 1)
			bad |= r.key[0] < 3 || r.vallen > sizeof(r.val);
	}
	ok(!bad, "20000 random source lines");
}

int
main(void)
{
	char file[1024];
	int i, bad = 0;

	tmp_make();
	tmp_path("fuzz.gdbm", file, sizeof(file));
	for (i = 0; i < 300; i++) {
		fill(file);
		bad |= lookups(file);
	}
	ok(!bad, "300 random databases looked up");
	bomb(file);
	lines();
	tmp_clean();
	return tap_done();
}
