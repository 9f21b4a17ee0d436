/*
 * rfc5321.h - SMTP address (path) and ESMTP parameter parser.
 * Pure functions over a bounded input; results are malloc'ed copies.
 * Errors give a reason text and the 0-based column of the fault (for the
 * caret line of the reply).
 */
#ifndef SMTPD_RFC5321_H
#define SMTPD_RFC5321_H

#include <stddef.h>

#define RFC5321_STRICT 0x01      /* require <>, no blanks, @domain required */
#define RFC5321_SLOPPY 0x02      /* "<" ">" may be missing, extra blanks */
#define RFC5321_UTF8 0x04        /* SMTPUTF8: UTF-8 in local part and domain */
#define RFC5321_KEEP_ROUTE 0x08  /* allowsourceroute: keep <@a,@b:u@d> */
#define RFC5321_NEED_DOMAIN 0x10 /* style R: u@domain required */
#define RFC5321_ALLOW_NULL 0x20  /* <> accepted (MAIL FROM) */
#define RFC5321_POSTMASTER 0x40  /* bare <postmaster> accepted (RCPT) */

struct smtp_path {
	char *addr;      /* local@domain (route stripped unless KEEP_ROUTE);
			     "" for <> */
	char *route;     /* "@a,@b" when a source route was given, else NULL */
	int null;        /* <> */
	int postmaster;  /* bare <postmaster> (any case) */
	int utf8;        /* contains non-ASCII */
	int literal;     /* domain is an address literal */
	size_t end;      /* offset just after the path in the input */
	const char *err; /* reason on failure (static text) */
	size_t errcol;   /* column of the fault */
};

struct esmtp_param {
	char *key;   /* upper-cased keyword */
	char *value; /* NULL when no '=' */
};

/*
 * Parse a path at the start of s (len bytes, blanks before it skipped
 * unless STRICT).  Returns 0 and fills p, or -1 with p->err/p->errcol.
 */
int rfc5321_path(
    const char *s, size_t len, unsigned flags, struct smtp_path *p);
void rfc5321_path_free(struct smtp_path *);

/*
 * Split "K1=V1 K2 K3=V3" (after the path).  Returns the count, or -1 with
 * *err set (bad keyword syntax, duplicate keyword, too many > max).
 */
int rfc5321_params(const char *s, size_t len, struct esmtp_param *out,
    size_t max, const char **err);
/* The same, also giving the column of the fault (for the caret line). */
int rfc5321_params_col(const char *s, size_t len, struct esmtp_param *out,
    size_t max, const char **err, size_t *errcol);
void rfc5321_params_free(struct esmtp_param *, size_t n);

/* NOTIFY=: SUCCESS,FAILURE,DELAY or NEVER alone; 0 ok, -1 bad. */
int rfc5321_notify_valid(const char *s);
/* ORCPT=addr-type;xtext; 0 ok, -1 bad. */
int rfc5321_orcpt_valid(const char *s);
/* HELO/EHLO argument: a domain or address literal; 0 ok, -1 + reason. */
int rfc5321_helo_valid(const char *s, const char **why);
/* Address literal "[1.2.3.4]" / "[IPv6:...]"; 0 ok. */
int rfc5321_literal_valid(const char *s, size_t len);

#endif
