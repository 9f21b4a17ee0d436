/*
 * spf_int.h - what spf.c and spf_dns.c share: libspf2's headers and the
 * DNS layer that makes libspf2 ask through shared/dns.c (the nameserver
 * of PARAM dns-server, its timeout and cache) instead of libresolv.
 * Not for: the session (smtp.h declares smtp_spf_*).
 */
#ifndef SMTPD_SPF_INT_H
#define SMTPD_SPF_INT_H

#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/nameser.h>
#include <spf2/spf.h>
#include <spf2/spf_dns.h>

struct dns_res;

/* A libspf2 resolver answering through r; freed by SPF_server_free. */
SPF_dns_server_t *spf_dns_new(struct dns_res *r);

/* spf-threshold's levels and a result's place among them (1..5, 0 =
 * no threshold or no place). */
int spf_threshold_rank(const char *level);
int spf_result_rank(SPF_result_t);

#endif
