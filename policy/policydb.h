/*
 * policydb.h - ZMailer's binary policy keys and attribute records, the
 * read-only GDBM database, and the lookup engine (smtpserver(8) POLICY,
 * "Lookups").
 * Internal to policy/ and policy-builder; the session uses policy.h.
 */
#ifndef SMTPD_POLICYDB_H
#define SMTPD_POLICYDB_H

#include <stddef.h>

#include "netaddr.h"

/* Key types (byte 1 of a key).  PK_META keys are ours (ZMailer has none)
 * and are never looked up as policy. */
enum {
	PK_IPV4 = 1,
	PK_IPV6 = 2,
	PK_TAG = 3,
	PK_DOMAIN = 4,
	PK_USER = 5,
	PK_META = 6
};

/*
 * The PK_META key "ipwidths": which prefix widths the database's address
 * keys have, so that an address lookup reads only those (an IPv4 client
 * would take 33 reads, an IPv6 one 129, most of them for widths nobody
 * wrote).  Its value: bit w of the first PDB_WIDTHS_V4 bytes for an IPv4
 * key /w, then bit w of the next PDB_WIDTHS_V6 for an IPv6 key /w (bit w
 * is byte w / 8, mask 1 << (w % 8)).  A database without it (built by
 * another builder) is read at every width.
 */
#define PDB_META_IPWIDTHS "ipwidths"
#define PDB_WIDTHS_V4 5  /* widths 0..32 */
#define PDB_WIDTHS_V6 17 /* widths 0..128 */
#define PDB_WIDTHS (PDB_WIDTHS_V4 + PDB_WIDTHS_V6)
/* Note the width of an address key (one that pdb_key_ip made) in w. */
void pdb_widths_add(unsigned char w[PDB_WIDTHS], const unsigned char *key);

/* Attribute codes (byte 1 of a value record). */
enum {
	PA_ALIAS = 1,
	PA_REJECTNET = 2,
	PA_FREEZENET = 3,
	PA_REJECTSOURCE = 4,
	PA_FREEZESOURCE = 5,
	PA_RELAYCUSTOMER = 6,
	PA_RELAYCUSTNET = 7,
	PA_RELAYTARGET = 8,
	PA_ACCEPTIFMX = 9,
	PA_ACCEPTIFDNS = 10,
	PA_SENDEROKWITHDNS = 11,
	PA_FREEZE = 12,
	PA_SENDERNORELAY = 13,
	PA_TESTDNSRBL = 14,
	PA_MESSAGE = 15,
	PA_LOCALDOMAIN = 16,
	PA_MAXINSIZE = 17,
	PA_MAXOUTSIZE = 18,
	PA_FULLTRUSTNET = 19,
	PA_TRUSTRECIPIENTS = 20,
	PA_TRUSTWHOSON = 21,
	PA_RCPTDNSRBL = 22,
	PA_TESTRCPTDNSRBL = 23,
	PA_FILTERING = 25,
	PA_MAXSAMEIPSOURCE = 26,
	PA_SPF = 27,
	PA_RATELIMITMSGS = 28,
	PA_MAX = 29
};

#define PA_BIT(a) (1u << (a))
/* Attributes compiled and looked up but not implemented: policy-builder
 * warns once for each one used with a value other than "-".  Drop a bit
 * when its attribute is built. */
#define PA_UNBUILT                                                             \
	(PA_BIT(PA_RELAYCUSTOMER) | PA_BIT(PA_MAXOUTSIZE) |                    \
	    PA_BIT(PA_FILTERING) | PA_BIT(PA_SPF))
#define PKEY_MAX 255         /* a key's length byte */
#define PVAL_MAX 252         /* longest value / key string */
#define PDB_RECORD_MAX 65536 /* longest value block we accept */
#define PDB_TAG_DEPTH 5      /* "= _tag" levels followed */
#define PDB_FETCH_MAX 512    /* database reads per lookup */

/* Attribute name <-> code ("=" is PA_ALIAS); -1 / NULL if unknown. */
int pdb_attr_code(const char *name);
const char *pdb_attr_name(int code);

/* Key encoders: return the key length (out[0]), or -1 if it does not fit
 * or the input is empty.  Strings are stored as given (lowercase them
 * first). */
int pdb_key_ip(
    unsigned char *out, size_t outlen, const struct netkey *, int width);
int pdb_key_str(unsigned char *out, size_t outlen, int type, const char *s);
/* Printable form of a key ("[192.0.2.0]/24", "_tag", "u@d") */
void pdb_key_text(const unsigned char *key, char *out, size_t outlen);

/* The database. */
struct pdb;
struct pdb *pdb_open(const char *file, char *err, size_t errlen);
void pdb_close(struct pdb *);
/* Malloc'd value block of key, NULL if absent. */
unsigned char *pdb_fetch(struct pdb *, const unsigned char *key, size_t *len);

/* The result of one lookup: first value of each requested attribute. */
struct pdb_attrs {
	unsigned int request; /* bits still wanted */
	unsigned int have;    /* bits found */
	unsigned int fetches; /* reads so far; capped at PDB_FETCH_MAX */
	char val[PA_MAX][PVAL_MAX + 1];
	char msg[PA_MAX][PVAL_MAX + 1]; /* "message" before it, or "" */
	char from[PA_MAX][80];          /* key (and tag) that decided */
	void (*trace)(void *, const char *);
	void *trace_arg;
};

/* Start a lookup asking for the attributes in mask. */
void pdb_attrs_init(struct pdb_attrs *, unsigned int mask);
/* 1 if attribute a was found with value "+" / "-". */
int pdb_attrs_is(const struct pdb_attrs *, int a, const char *v);
const char *pdb_attrs_val(const struct pdb_attrs *, int a); /* NULL if absent */

/*
 * Lookups: 1 found (a key existed), 0 not found, -1 error.
 * IP: /32 (/128) and every shorter prefix; v4-mapped as IPv4; an IPv6
 * miss tries [0.0.0.0]/0.  Domain: d, .d, then each parent ".x", ".".
 * User: "u@d" then "u@" (the caller goes on with the domain).
 */
int pdb_lookup_ip(struct pdb *, const struct netkey *, struct pdb_attrs *);
int pdb_lookup_domain(struct pdb *, const char *dom, struct pdb_attrs *);
int pdb_lookup_user(struct pdb *, const char *addr, struct pdb_attrs *);
/* One key, with its tags resolved. */
int pdb_lookup_key(struct pdb *, const unsigned char *key, struct pdb_attrs *);

#endif
