/*
 * policy_rcptdb.c - recipient validation at RCPT (smtpserver(8) "At
 * RCPT", PARAM recipientdb): after the policy accepted a recipient of a
 * local domain, the recipient table says whether the mailbox exists.
 * Local parts and domains are compared lowercase; postmaster always
 * exists (RFC 5321 4.5.1).
 * Not for: the table's format and file (rcptdb.c), the reply (server/).
 */
#include "policy_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rcptdb.h"

int
policy_set_rcptdb(struct policy *p, const char *type, const char *path,
    char *err, size_t errlen)
{
	struct rcptdb *r;

	if (type == NULL || path == NULL || *path == '\0') {
		snprintf(
		    err, errlen, "recipientdb: type and path are required");
		return -1;
	}
	if (strcasecmp(type, "gdbm") != 0) {
		snprintf(err, errlen,
		    "recipientdb type '%.40s' is not supported; supported: "
		    "gdbm",
		    type);
		return -1;
	}
	if ((r = rcptdb_new(path, err, errlen)) == NULL)
		return -1;
	rcptdb_free(p->rcptdb);
	p->rcptdb = r;
	return 0;
}

/* 1 if dom is one of ours (localdomain +), 0 if not. */
static int
local_domain(struct policy_sess *s, char *dom)
{
	if (paddr_check_dom(dom) < 0)
		return 0;
	pdb_attrs_init(&s->pa, PA_BIT(PA_LOCALDOMAIN));
	if (paddr_lookup(s, dom) < 0)
		return 0;
	return pdb_attrs_is(&s->pa, PA_LOCALDOMAIN, "+");
}

enum policy_known
policy_rcpt_known(
    struct policy_sess *s, const char *addr, char *err, size_t errlen)
{
	char a[PADDR_MAX], local[PADDR_MAX], *at, *dom = "";
	int rc;

	if (s->pol->rcptdb == NULL || paddr_normalise(addr, a, sizeof(a)) < 0)
		return POLICY_RCPT_KNOWN;
	if ((at = paddr_last_at(a)) != NULL) {
		dom = at + 1;
		if (!local_domain(s, dom))
			return POLICY_RCPT_KNOWN;
	}
	paddr_unquote(
	    a, at ? (size_t)(at - a) : strlen(a), local, sizeof(local));
	if (strcmp(local, "postmaster") == 0)
		return POLICY_RCPT_KNOWN;
	rc = rcptdb_check(s->pol->rcptdb, local, dom, err, errlen);
	policy_trace(s, "policy: recipient table: <%s@%s> %s", local, dom,
	    rc > 0        ? "known"
	        : rc == 0 ? "unknown"
	                  : err);
	if (rc < 0)
		return POLICY_RCPT_TEMP;
	return rc > 0 ? POLICY_RCPT_KNOWN : POLICY_RCPT_UNKNOWN;
}
