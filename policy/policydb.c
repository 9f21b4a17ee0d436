/*
 * policydb.c - ZMailer's binary policy format (what policy-builder(8)
 * writes) and the lookup engine (smtpserver(8) POLICY, "Lookups"): key
 * encoding, read-only GDBM, attribute records with "= _tag" aliases and
 * "message" texts, IP prefix walk, domain chain.
 * Not for: verdicts (policy.c) or parsing source text (policy_src.c).
 */
#include "policydb.h"

#include <errno.h>
#include <gdbm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pdb {
	GDBM_FILE db;
	int widths_known; /* the "ipwidths" key was there */
	unsigned char widths[PDB_WIDTHS];
};

void
pdb_widths_add(unsigned char w[PDB_WIDTHS], const unsigned char *key)
{
	unsigned v;

	if (key[0] == 7 && key[1] == PK_IPV4 && (v = key[6]) <= 32)
		w[v / 8] |= (unsigned char)(1u << (v % 8));
	else if (key[0] == 19 && key[1] == PK_IPV6 && (v = key[18]) <= 128)
		w[PDB_WIDTHS_V4 + v / 8] |= (unsigned char)(1u << (v % 8));
}

/* Has the database an address key of this family and width?  Yes when it
 * does not say. */
static int
has_width(const struct pdb *p, int v4, int w)
{
	const unsigned char *b = p->widths + (v4 ? 0 : PDB_WIDTHS_V4);

	return !p->widths_known || (b[w / 8] & (1u << (w % 8))) != 0;
}

/* The "ipwidths" key, when the builder wrote it whole. */
static void
read_widths(struct pdb *p)
{
	unsigned char key[PKEY_MAX + 1];
	datum k, v;

	if (pdb_key_str(key, sizeof(key), PK_META, PDB_META_IPWIDTHS) < 0)
		return;
	k.dptr = (char *)key;
	k.dsize = key[0];
	v = gdbm_fetch(p->db, k);
	if (v.dptr != NULL && v.dsize == PDB_WIDTHS) {
		memcpy(p->widths, v.dptr, PDB_WIDTHS);
		p->widths_known = 1;
	}
	free(v.dptr);
}

static const char *const attr_names[PA_MAX] = {
	[PA_ALIAS] = "=",
	[PA_REJECTNET] = "rejectnet",
	[PA_FREEZENET] = "freezenet",
	[PA_REJECTSOURCE] = "rejectsource",
	[PA_FREEZESOURCE] = "freezesource",
	[PA_RELAYCUSTOMER] = "relaycustomer",
	[PA_RELAYCUSTNET] = "relaycustnet",
	[PA_RELAYTARGET] = "relaytarget",
	[PA_ACCEPTIFMX] = "acceptifmx",
	[PA_ACCEPTIFDNS] = "acceptifdns",
	[PA_SENDEROKWITHDNS] = "senderokwithdns",
	[PA_FREEZE] = "freeze",
	[PA_SENDERNORELAY] = "sendernorelay",
	[PA_TESTDNSRBL] = "test-dns-rbl",
	[PA_MESSAGE] = "message",
	[PA_LOCALDOMAIN] = "localdomain",
	[PA_MAXINSIZE] = "maxinsize",
	[PA_MAXOUTSIZE] = "maxoutsize",
	[PA_FULLTRUSTNET] = "fulltrustnet",
	[PA_TRUSTRECIPIENTS] = "trustrecipients",
	[PA_TRUSTWHOSON] = "trust-whoson",
	[PA_RCPTDNSRBL] = "rcpt-dns-rbl",
	[PA_TESTRCPTDNSRBL] = "test-rcpt-dns-rbl",
	[PA_FILTERING] = "filtering",
	[PA_MAXSAMEIPSOURCE] = "maxsameipsource",
	[PA_SPF] = "spf",
	[PA_RATELIMITMSGS] = "ratelimitmsgs",
};

int
pdb_attr_code(const char *name)
{
	int i;

	for (i = 1; i < PA_MAX; i++)
		if (attr_names[i] != NULL && strcmp(attr_names[i], name) == 0)
			return i;
	return -1;
}

const char *
pdb_attr_name(int code)
{
	if (code <= 0 || code >= PA_MAX)
		return NULL;
	return attr_names[code];
}

int
pdb_key_ip(unsigned char *out, size_t outlen, const struct netkey *k, int width)
{
	if (k->v4) {
		if (outlen < 7 || width < 0 || width > 32)
			return -1;
		out[0] = 7;
		out[1] = PK_IPV4;
		memcpy(out + 2, k->a + 12, 4);
		out[6] = (unsigned char)width;
		return 7;
	}
	if (outlen < 19 || width < 0 || width > 128)
		return -1;
	out[0] = 19;
	out[1] = PK_IPV6;
	memcpy(out + 2, k->a, 16);
	out[18] = (unsigned char)width;
	return 19;
}

int
pdb_key_str(unsigned char *out, size_t outlen, int type, const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > PVAL_MAX || n + 3 > outlen)
		return -1;
	out[0] = (unsigned char)(n + 3);
	out[1] = (unsigned char)type;
	memcpy(out + 2, s, n + 1);
	return (int)(n + 3);
}

void
pdb_key_text(const unsigned char *key, char *out, size_t outlen)
{
	struct netkey k;
	char a[64];

	if (key[1] == PK_IPV4 || key[1] == PK_IPV6) {
		memset(&k, 0, sizeof(k));
		if (key[1] == PK_IPV4) {
			k.a[10] = k.a[11] = 0xff;
			memcpy(k.a + 12, key + 2, 4);
			k.v4 = 1;
		} else
			memcpy(k.a, key + 2, 16);
		if (netaddr_key_text(&k, a, sizeof(a)) < 0)
			snprintf(a, sizeof(a), "?");
		snprintf(out, outlen, "[%s%s]/%d", k.v4 ? "" : "ipv6.", a,
		    key[1] == PK_IPV4 ? key[6] : key[18]);
		return;
	}
	snprintf(out, outlen, "%.*s", (int)(key[0] > 3 ? key[0] - 3 : 0),
	    (const char *)key + 2);
}

struct pdb *
pdb_open(const char *file, char *err, size_t errlen)
{
	struct pdb *p = calloc(1, sizeof(*p));

	if (p == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->db = gdbm_open(file, 0, GDBM_READER | GDBM_NOLOCK, 0, NULL);
	if (p->db == NULL) {
		snprintf(err, errlen, "%s: %s%s%s", file,
		    gdbm_strerror(gdbm_errno), errno ? ": " : "",
		    errno ? strerror(errno) : "");
		free(p);
		return NULL;
	}
	read_widths(p);
	return p;
}

void
pdb_close(struct pdb *p)
{
	if (p == NULL)
		return;
	gdbm_close(p->db);
	free(p);
}

unsigned char *
pdb_fetch(struct pdb *p, const unsigned char *key, size_t *len)
{
	datum k, v;

	k.dptr = (char *)key;
	k.dsize = key[0];
	v = gdbm_fetch(p->db, k);
	if (v.dptr == NULL)
		return NULL;
	if (v.dsize <= 0 || v.dsize > PDB_RECORD_MAX) {
		free(v.dptr);
		return NULL;
	}
	*len = (size_t)v.dsize;
	return (unsigned char *)v.dptr;
}

/* The value arrays (17 KB) are not cleared: an attribute's val, msg and
 * from are set together with its bit in have, and read only under it. */
void
pdb_attrs_init(struct pdb_attrs *pa, unsigned int mask)
{
	pa->request = mask;
	pa->have = 0;
	pa->fetches = 0;
}

int
pdb_attrs_is(const struct pdb_attrs *pa, int a, const char *v)
{
	return (pa->have & PA_BIT(a)) && strcmp(pa->val[a], v) == 0;
}

const char *
pdb_attrs_val(const struct pdb_attrs *pa, int a)
{
	return (pa->have & PA_BIT(a)) ? pa->val[a] : NULL;
}

static void
trace(struct pdb_attrs *pa, const char *fmt, const char *a, const char *b,
    const char *c)
{
	char line[600];

	if (pa->trace == NULL)
		return;
	snprintf(line, sizeof(line), fmt, a, b, c);
	pa->trace(pa->trace_arg, line);
}

static int resolve(
    struct pdb *, const unsigned char *, int, const char *, struct pdb_attrs *);

/* "= _tag": look the tag up in place, one level deeper. */
static void
follow_tag(struct pdb *p, const char *tag, int depth, const char *path,
    struct pdb_attrs *pa)
{
	unsigned char key[PKEY_MAX + 1];
	char low[PVAL_MAX + 1], sub[80];
	size_t i;

	if (depth >= PDB_TAG_DEPTH) {
		trace(pa, "  = %s: tag depth limit reached%s%s", tag, "", "");
		return;
	}
	for (i = 0; tag[i] != '\0' && i < PVAL_MAX; i++)
		low[i] =
		    (char)((tag[i] >= 'A' && tag[i] <= 'Z') ? tag[i] - 'A' + 'a'
		                                            : tag[i]);
	low[i] = '\0';
	if (pdb_key_str(key, sizeof(key), PK_TAG, low) < 0)
		return;
	snprintf(sub, sizeof(sub), "%.40s -> %.34s", path, low);
	if (resolve(p, key, depth + 1, sub, pa) == 0)
		trace(pa, "  = %s: no such tag%s%s", low, "", "");
}

/* src into dst[n], cut to n - 1 bytes (snprintf "%s" without the
 * format parsing: this runs for every attribute found). */
static void
copy_cut(char *dst, size_t n, const char *src)
{
	if (memccpy(dst, src, '\0', n) == NULL)
		dst[n - 1] = '\0';
}

static void
take(struct pdb_attrs *pa, int a, const char *v, const char *msg,
    const char *path)
{
	pa->request &= ~PA_BIT(a);
	pa->have |= PA_BIT(a);
	copy_cut(pa->val[a], sizeof(pa->val[a]), v);
	copy_cut(pa->msg[a], sizeof(pa->msg[a]), msg ? msg : "");
	copy_cut(pa->from[a], sizeof(pa->from[a]), path);
	trace(pa, "  %s: %s %s", path, pdb_attr_name(a), v);
}

/* path, or when NULL the key's text made into text[80]. */
static const char *
key_name(const unsigned char *key, const char *path, char *text)
{
	if (path != NULL)
		return path;
	pdb_key_text(key, text, 80);
	return text;
}

/* Scan one key's records; 1 if the key exists.  path names the key in
 * traces and in pa->from; NULL: the key's text, made only when needed
 * (most keys looked up do not exist). */
static int
resolve(struct pdb *p, const unsigned char *key, int depth, const char *path,
    struct pdb_attrs *pa)
{
	unsigned char *val, *r;
	const char *msg = NULL;
	char text[80];
	size_t len, l;

	if (pa->fetches >= PDB_FETCH_MAX) {
		if (pa->trace != NULL)
			trace(pa, "  lookup budget spent at %s%s%s", "",
			    key_name(key, path, text), "");
		return 0;
	}
	pa->fetches++;
	if ((val = pdb_fetch(p, key, &len)) == NULL)
		return 0;
	path = key_name(key, path, text);
	for (r = val; len >= 3 && pa->request != 0; r += l, len -= l) {
		l = r[0];
		if (l < 3 || l > len || r[l - 1] != '\0')
			break; /* corrupt record: stop, keep what we have */
		if (r[1] == PA_ALIAS) {
			follow_tag(p, (const char *)r + 2, depth, path, pa);
			continue;
		}
		if (r[1] == PA_MESSAGE) {
			msg = (const char *)r + 2;
			continue;
		}
		if (r[1] < PA_MAX && (pa->request & PA_BIT(r[1])))
			take(pa, r[1], (const char *)r + 2, msg, path);
		msg = NULL;
	}
	free(val);
	return 1;
}

int
pdb_lookup_key(struct pdb *p, const unsigned char *key, struct pdb_attrs *pa)
{
	char text[80];
	int found;

	if ((found = resolve(p, key, 0, NULL, pa)) > 0 && pa->trace != NULL)
		trace(pa, "  key %s found%s%s", key_name(key, NULL, text), "",
		    "");
	return found;
}

static void
mask_bits(unsigned char *a, int nbytes, int width)
{
	int i;

	for (i = 0; i < nbytes; i++) {
		int keep = width - i * 8;

		if (keep >= 8)
			continue;
		a[i] &= keep <= 0 ? 0 : (unsigned char)(0xff << (8 - keep));
	}
}

int
pdb_lookup_ip(struct pdb *p, const struct netkey *addr, struct pdb_attrs *pa)
{
	unsigned char key[32];
	struct netkey k = *addr, any;
	int w, max = k.v4 ? 32 : 128;

	for (w = max; w >= 0; w--) {
		if (!has_width(p, k.v4, w))
			continue;
		if (k.v4)
			mask_bits(k.a + 12, 4, w);
		else
			mask_bits(k.a, 16, w);
		if (pdb_key_ip(key, sizeof(key), &k, w) < 0)
			return -1;
		if (pdb_lookup_key(p, key, pa))
			return 1;
	}
	if (k.v4)
		return 0;
	memset(&any, 0, sizeof(any));
	any.v4 = 1;
	if (!has_width(p, 1, 0))
		return 0;
	if (pdb_key_ip(key, sizeof(key), &any, 0) < 0)
		return -1;
	return pdb_lookup_key(p, key, pa);
}

int
pdb_lookup_domain(struct pdb *p, const char *dom, struct pdb_attrs *pa)
{
	unsigned char key[PKEY_MAX + 1];
	char buf[PVAL_MAX + 2];
	const char *d = dom;
	int n = 0;

	if (*d == '\0')
		d = ".";
	if (*d != '.') {
		if (pdb_key_str(key, sizeof(key), PK_DOMAIN, d) < 0)
			return -1;
		if (pdb_lookup_key(p, key, pa))
			return 1;
	}
	/* ".a.b.c", ".b.c", ".c", "." -- each step drops a label. */
	while (n++ < 128) {
		if (*d == '.')
			d++;
		if (snprintf(buf, sizeof(buf), ".%s", d) >= (int)sizeof(buf) ||
		    pdb_key_str(key, sizeof(key), PK_DOMAIN, buf) < 0)
			return -1;
		if (pdb_lookup_key(p, key, pa))
			return 1;
		if (*d == '\0')
			break;
		d = strchr(d, '.');
		if (d == NULL)
			d = "";
	}
	return 0;
}

int
pdb_lookup_user(struct pdb *p, const char *addr, struct pdb_attrs *pa)
{
	unsigned char key[PKEY_MAX + 1];
	char buf[PVAL_MAX + 1];
	const char *at = strrchr(addr, '@');
	size_t n;

	if (at == NULL)
		return 0;
	if (pdb_key_str(key, sizeof(key), PK_USER, addr) >= 0 &&
	    pdb_lookup_key(p, key, pa))
		return 1;
	n = (size_t)(at - addr) + 1;
	if (n > PVAL_MAX)
		return 0;
	memcpy(buf, addr, n);
	buf[n] = '\0';
	if (pdb_key_str(key, sizeof(key), PK_USER, buf) < 0)
		return 0;
	return pdb_lookup_key(p, key, pa);
}
