/*
 * xtext.h - RFC 3461 xtext (ENVID, ORCPT, AUTH=) check, decode, encode.
 */
#ifndef SMTPD_XTEXT_H
#define SMTPD_XTEXT_H

/* 1 if s is valid xtext ("+HH" with upper-case hex, else '!'..'~' but '+'
 * and '='), else 0. */
int xtext_valid(const char *s);
/* Decoded copy (malloc'ed), NULL if invalid. */
char *xtext_decode(const char *s);
/* Encoded copy (malloc'ed) as ZMailer's router expects it. */
char *xtext_encode(const char *s);

#endif
