/*
 * policydb_test.c - ZMailer's binary key encoding, the source parser, the
 * lookup walk (CIDR prefixes, domain chain, user keys, tags and their
 * depth limit) and policy-builder's precedence and error reports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gdbm.h>

#include "policy_build.h"
#include "policydb.h"
#include "policy_src.h"
#include "tap.h"
#include "tmpdir.h"

struct keycase {
	const char *text;
	int len; /* -1: error */
	unsigned char bytes[20];
};

static const struct keycase keys[] = {
	{ "[192.0.2.0]/24", 7, { 7, 1, 192, 0, 2, 0, 24 } },
	{ "192.0.2.77/24", 7, { 7, 1, 192, 0, 2, 0, 24 } },
	{ "[10.255.255.255]/9", 7, { 7, 1, 10, 128, 0, 0, 9 } },
	{ "[0.0.0.0]/0", 7, { 7, 1, 0, 0, 0, 0, 0 } },
	{ "[1.2.3.4]/32", 7, { 7, 1, 1, 2, 3, 4, 32 } },
	{ "[IPv6.2001:DB8::1]/32", 19,
	    { 19, 2, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	        32 } },
	{ "[ipv6:::1]/128", 19,
	    { 19, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 128 } },
	{ "2001:db8:ffff::/33", 19,
	    { 19, 2, 0x20, 0x01, 0x0d, 0xb8, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	        0, 33 } },
	{ "[ipv6.::ffff:10.1.0.0]/104", 7, { 7, 1, 10, 0, 0, 0, 8 } },
	{ "Example.COM", 14,
	    { 14, 4, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm',
	        0 } },
	{ ".", 4, { 4, 4, '.', 0 } },
	{ "U@D.x", 8, { 8, 5, 'u', '@', 'd', '.', 'x', 0 } },
	{ "Friend@", 10, { 10, 5, 'f', 'r', 'i', 'e', 'n', 'd', '@', 0 } },
	{ "_Full_Rights", 15,
	    { 15, 3, '_', 'f', 'u', 'l', 'l', '_', 'r', 'i', 'g', 'h', 't', 's',
	        0 } },
	{ "[300.1.1.1]/8", -1, { 0 } },
	{ "[1.2.3.4]/33", -1, { 0 } },
	{ "1.2.3.4/x", -1, { 0 } },
	{ "1.2.3.4/", -1, { 0 } },
	{ "[::1]/129", -1, { 0 } },
	{ "[1.2.3.4/8", -1, { 0 } },
};

static void
test_keys(void)
{
	unsigned char key[PKEY_MAX + 1];
	char text[300], why[200];
	size_t i;
	int n;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(text, sizeof(text), "%s", keys[i].text);
		n = policy_src_key(text, key, sizeof(key), why, sizeof(why));
		is_int(n, keys[i].len, "key %s: length", keys[i].text);
		if (n > 0)
			ok(memcmp(key, keys[i].bytes, (size_t)n) == 0,
			    "key %s: bytes", keys[i].text);
	}
	memset(text, 'a', 253);
	text[253] = '\0';
	is_int(policy_src_key(text, key, sizeof(key), why, sizeof(why)), -1,
	    "key of 253 bytes refused");
	text[252] = '\0';
	is_int(policy_src_key(text, key, sizeof(key), why, sizeof(why)), 255,
	    "key of 252 bytes fits the length byte");
}

struct linecase {
	const char *line;
	int rc;
	size_t vallen;
	const char *why; /* substring of the error */
};

static const struct linecase lines[] = {
	{ "# comment", 0, 0, NULL },
	{ "", 0, 0, NULL },
	{ "  indented relaytarget +", 0, 0, NULL },
	{ "_rbl0   # nothing", 0, 0, NULL },
	{ "lonely.example", 0, 0, NULL },
	{ "a.example relaytarget +", 1, 4, NULL },
	{ "a.example relaytarget + = _x", 1, 9, NULL },
	{ "a.example message \"two words\" relaytarget -", 1, 16, NULL },
	{ "a.example relaytarget + # why", 1, 4, NULL },
	{ "a.example bogus +", -1, 0, "unknown attribute" },
	{ "a.example relaytarget", -1, 0, "no value" },
	{ "a.example RelayTarget +", -1, 0, "unknown attribute" },
	{ "[1.2.3.4]/40 rejectnet +", -1, 0, "bad network" },
};

static void
test_lines(void)
{
	static struct policy_src_rec r;
	char buf[300], why[200];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", lines[i].line);
		why[0] = '\0';
		rc = policy_src_line(buf, &r, why, sizeof(why));
		is_int(rc, lines[i].rc, "line '%s'", lines[i].line);
		if (rc == 1)
			is_int(r.vallen, lines[i].vallen, "line '%s': bytes",
			    lines[i].line);
		if (lines[i].why)
			ok(strstr(why, lines[i].why) != NULL,
			    "line '%s': says '%s'", lines[i].line, why);
	}
	snprintf(buf, sizeof(buf), "x.example message \"hi there\" freeze +");
	policy_src_line(buf, &r, why, sizeof(why));
	ok(r.val[0] == 11 && r.val[1] == PA_MESSAGE &&
	        memcmp(r.val + 2, "hi there", 9) == 0 && r.val[11] == 4 &&
	        r.val[12] == PA_FREEZE && r.val[13] == '+' && r.val[14] == 0,
	    "records are [len][attr][value NUL]");
}

static const char *const src =
    "# test policy\n"
    "[0.0.0.0]/0 rejectnet - maxinsize 1\n"
    "[10.0.0.0]/8 relaycustnet +\n"
    "[10.1.0.0]/16 relaycustnet -\n"
    "[10.1.2.3]/32 freezenet +\n"
    "[ipv6.2001:db8::]/32 relaycustnet + maxinsize 6\n"
    "a.b.c maxinsize 1\n"
    ".b.c maxinsize 2\n"
    ".c maxinsize 3\n"
    ". maxinsize 4\n"
    "u@d.example maxinsize 10\n"
    "u@ maxinsize 11\n"
    "t0.example = _t1\n"
    "_t1 = _t2 freeze -\n"
    "_t2 = _t3\n"
    "_t3 = _t4\n"
    "_t4 = _t5 relaytarget +\n"
    "_t5 = _t6 acceptifdns +\n"
    "_t6 acceptifmx +\n"
    "m.example message \"first\" relaytarget - message \"unused\"\n"
    "m.example freeze + relaytarget +\n"
    "own.example relaytarget - = _rt\n"
    "_rt relaytarget + freeze +\n"
    "_full_rights rejectnet - relaycustnet + relaytarget +\n"
    "_localnames rejectnet - localdomain + relaytarget +\n"
    "_relaytarget relaytarget +\n"
    "_bulk_mail rejectsource + rejectnet + relaytarget -\n";

static struct pdb *
build(void)
{
	char path[1024], err[300];
	struct pdb *p;

	tmp_write("smtp-policy.src", src);
	tmp_write("localnames", "# us\nlocal.example extra words\n");
	tmp_write("smtp-policy.relay.manual",
	    "[192.0.2.0]/24 relaycustnet - # manual wins\n");
	tmp_write("smtp-policy.relay",
	    "[192.0.2.0]/24\n[198.51.100.0]/24 relaytarget -\n");
	tmp_write("smtp-policy.mx.manual", "mx.example freeze +\n");
	tmp_write("smtp-policy.mx", "mx.example\n#c.example\n");
	tmp_write("smtp-policy.spam", "@Spam.Example\n[203.0.113.0]/24\n");
	tmp_write("smtp-policy.spam.manual", "spam.example\nfriend@\n");
	ok(policy_build(tmp_dir, "smtp-policy", stderr) == 0,
	    "policy_build ok");
	tmp_path("smtp-policy.gdbm", path, sizeof(path));
	p = pdb_open(path, err, sizeof(err));
	ok(p != NULL, "database opens: %s", p ? "" : err);
	return p;
}

static const char *
ip_val(struct pdb *p, const char *ip, int a)
{
	static struct pdb_attrs pa;
	struct netkey k;

	netaddr_parse(ip, &k);
	pdb_attrs_init(&pa,
	    PA_BIT(PA_RELAYCUSTNET) | PA_BIT(PA_FREEZENET) |
	        PA_BIT(PA_MAXINSIZE) | PA_BIT(PA_REJECTNET));
	if (pdb_lookup_ip(p, &k, &pa) <= 0)
		return "(none)";
	return pdb_attrs_val(&pa, a) ? pdb_attrs_val(&pa, a) : "(unset)";
}

static void
test_ip(struct pdb *p)
{
	is_str(ip_val(p, "10.1.2.3", PA_FREEZENET), "+", "/32 first");
	is_str(ip_val(p, "10.1.2.3", PA_RELAYCUSTNET), "(unset)",
	    "found key ends the walk");
	is_str(ip_val(p, "10.1.9.9", PA_RELAYCUSTNET), "-", "/16 before /8");
	is_str(ip_val(p, "10.200.0.1", PA_RELAYCUSTNET), "+", "/8");
	is_str(ip_val(p, "192.0.2.9", PA_RELAYCUSTNET), "-",
	    ".relay.manual beats .relay");
	is_str(ip_val(p, "198.51.100.1", PA_REJECTNET), "-",
	    ".relay line gets _full_rights");
	is_str(ip_val(p, "203.0.113.5", PA_REJECTNET), "+",
	    ".spam [net] gets rejectnet +");
	is_str(ip_val(p, "172.16.0.1", PA_MAXINSIZE), "1", "/0 default");
	is_str(ip_val(p, "::ffff:10.1.9.9", PA_RELAYCUSTNET), "-",
	    "v4-mapped looked up as IPv4");
	is_str(ip_val(p, "2001:db8:1::5", PA_MAXINSIZE), "6", "IPv6 /32");
	is_str(ip_val(p, "2001:db9::5", PA_MAXINSIZE), "1",
	    "IPv6 miss falls back to [0.0.0.0]/0");
}

/* Reads one address lookup took (-1: not found). */
static int
ip_reads(struct pdb *p, const char *ip)
{
	struct pdb_attrs pa;
	struct netkey k;

	memset(&pa, 0, sizeof(pa));
	netaddr_parse(ip, &k);
	pdb_attrs_init(&pa, PA_BIT(PA_MAXINSIZE));
	return pdb_lookup_ip(p, &k, &pa) > 0 ? (int)pa.fetches : -1;
}

/*
 * The builder's "ipwidths" key: IPv4 keys here are /32 /24 /16 /8 /0,
 * IPv6 ones /32, so a lookup reads only those widths; without the key
 * (another builder's database) every width is read, with the same
 * answers.
 */
static void
test_widths(struct pdb *p)
{
	unsigned char key[PKEY_MAX + 1];
	char path[1024], err[300];
	GDBM_FILE db;
	datum k;

	is_int(ip_reads(p, "172.16.0.1"), 5, "IPv4 /0 found in 5 reads");
	is_int(ip_reads(p, "10.1.9.9"), 3, "IPv4 /16 found in 3 reads");
	is_int(ip_reads(p, "2001:db9::5"), 2,
	    "IPv6 miss: one read for /32, one for [0.0.0.0]/0");
	pdb_close(p);
	tmp_path("smtp-policy.gdbm", path, sizeof(path));
	db = gdbm_open(path, 0, GDBM_WRITER | GDBM_NOLOCK, 0, NULL);
	pdb_key_str(key, sizeof(key), PK_META, PDB_META_IPWIDTHS);
	k.dptr = (char *)key;
	k.dsize = key[0];
	ok(db != NULL && gdbm_delete(db, k) == 0, "ipwidths key removed");
	if (db != NULL)
		gdbm_close(db);
	if ((p = pdb_open(path, err, sizeof(err))) == NULL)
		return;
	is_int(ip_reads(p, "172.16.0.1"), 33, "without it: 33 reads");
	is_int(ip_reads(p, "2001:db9::5"), 130, "and 130 for the IPv6 miss");
	is_str(ip_val(p, "10.1.9.9", PA_RELAYCUSTNET), "-",
	    "  same answer for /16");
	is_str(ip_val(p, "2001:db8:1::5", PA_MAXINSIZE), "6",
	    "  same answer for IPv6 /32");
	pdb_close(p);
}

static const char *
dom_val(struct pdb *p, const char *d, int a, unsigned int mask)
{
	static struct pdb_attrs pa;

	pdb_attrs_init(&pa, mask ? mask : PA_BIT(a));
	if (pdb_lookup_domain(p, d, &pa) <= 0)
		return "(none)";
	return pdb_attrs_val(&pa, a) ? pdb_attrs_val(&pa, a) : "(unset)";
}

static void
test_domains(struct pdb *p)
{
	static const struct {
		const char *dom, *want;
	} c[] = { { "a.b.c", "1" }, { "x.a.b.c", "2" }, { "b.c", "2" },
		{ "z.b.c", "2" }, { "q.c", "3" }, { "c", "3" },
		{ "other", "4" }, { ".", "4" } };
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		is_str(dom_val(p, c[i].dom, PA_MAXINSIZE, 0), c[i].want,
		    "domain chain %s", c[i].dom);
}

static void
test_users(struct pdb *p)
{
	static struct pdb_attrs pa;

	pdb_attrs_init(&pa, PA_BIT(PA_MAXINSIZE));
	ok(pdb_lookup_user(p, "u@d.example", &pa) == 1 &&
	        pdb_attrs_is(&pa, PA_MAXINSIZE, "10"),
	    "user u@d");
	pdb_attrs_init(&pa, PA_BIT(PA_MAXINSIZE));
	ok(pdb_lookup_user(p, "u@other.example", &pa) == 1 &&
	        pdb_attrs_is(&pa, PA_MAXINSIZE, "11"),
	    "user u@ after u@d misses");
	pdb_attrs_init(&pa, PA_BIT(PA_MAXINSIZE));
	is_int(pdb_lookup_user(p, "v@d.example", &pa), 0, "no user key");
	pdb_attrs_init(&pa, PA_BIT(PA_REJECTSOURCE));
	ok(pdb_lookup_user(p, "friend@x.example", &pa) == 1 &&
	        pdb_attrs_is(&pa, PA_REJECTSOURCE, "+"),
	    "spam friend@ is _bulk_mail");
}

static void
test_tags(struct pdb *p)
{
	unsigned int all = PA_BIT(PA_FREEZE) | PA_BIT(PA_RELAYTARGET) |
	    PA_BIT(PA_ACCEPTIFDNS) | PA_BIT(PA_ACCEPTIFMX);

	is_str(dom_val(p, "t0.example", PA_FREEZE, all), "-", "tag depth 1");
	is_str(
	    dom_val(p, "t0.example", PA_RELAYTARGET, all), "+", "tag depth 4");
	is_str(dom_val(p, "t0.example", PA_ACCEPTIFDNS, all), "+",
	    "tag depth 5 is followed");
	is_str(dom_val(p, "t0.example", PA_ACCEPTIFMX, all), "(unset)",
	    "tag depth 6 is not");
	is_str(dom_val(p, "own.example", PA_RELAYTARGET, 0), "-",
	    "own attribute before the tag wins");
	is_str(dom_val(p, "own.example", PA_FREEZE, 0), "+",
	    "tag still supplies the others");
	is_str(dom_val(p, "local.example", PA_LOCALDOMAIN, 0), "+",
	    "localnames first word gets _localnames");
	is_str(dom_val(p, "mx.example", PA_FREEZE, 0), "+",
	    ".mx.manual attributes come first");
	is_str(dom_val(p, "mx.example", PA_RELAYTARGET, 0), "+",
	    ".mx line gets _relaytarget");
	is_str(dom_val(p, "c.example", PA_RELAYTARGET, 0), "(unset)",
	    ".mx comment line skipped");
	is_str(dom_val(p, "spam.example", PA_RELAYTARGET, 0), "-",
	    ".spam lowercased, @ cut, sort -u");
}

static void
test_messages(struct pdb *p)
{
	static struct pdb_attrs pa;

	pdb_attrs_init(&pa, PA_BIT(PA_RELAYTARGET) | PA_BIT(PA_FREEZE));
	pdb_lookup_domain(p, "m.example", &pa);
	ok(pdb_attrs_is(&pa, PA_RELAYTARGET, "-"), "first occurrence wins");
	is_str(pa.msg[PA_RELAYTARGET], "first", "message goes to next attr");
	ok(pdb_attrs_is(&pa, PA_FREEZE, "+"), "appended duplicate key read");
	is_str(pa.msg[PA_FREEZE], "unused",
	    "a trailing message reaches an appended line (as in ZMailer)");
}

static void
test_errors(void)
{
	char path[1024];
	FILE *fp;
	char out[2000];
	size_t n;

	tmp_write("smtp-policy.src",
	    "ok.example relaytarget +\n\nbad.example nonsense +\n");
	tmp_path("errs", path, sizeof(path));
	fp = fopen(path, "w+");
	is_int(
	    policy_build(tmp_dir, "smtp-policy", fp), -1, "bad source fails");
	rewind(fp);
	n = fread(out, 1, sizeof(out) - 1, fp);
	out[n] = '\0';
	fclose(fp);
	ok(strstr(out, "smtp-policy.src:3: unknown attribute 'nonsense'") !=
	        NULL,
	    "error names file:line");
	tmp_path("smtp-policy-new.gdbm", path, sizeof(path));
	ok(access(path, F_OK) != 0, "no half-built database left behind");
}

static struct pdb *
pdb_open_built(void)
{
	char path[1024], err[300];

	tmp_path("smtp-policy.gdbm", path, sizeof(path));
	return pdb_open(path, err, sizeof(err));
}

int
main(void)
{
	struct pdb *p;

	test_keys();
	test_lines();
	tmp_make();
	if ((p = build()) != NULL) {
		test_ip(p);
		test_domains(p);
		test_users(p);
		test_tags(p);
		test_messages(p);
		pdb_close(p);
		if ((p = pdb_open_built()) != NULL)
			test_widths(p);
	}
	test_errors();
	tmp_clean();
	return tap_done();
}
