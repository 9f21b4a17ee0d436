/*
 * etrn_cluster.h - PARAM etrn-cluster: pass an ETRN on to the ZMailer
 * scheduler of a cluster node over its mailq (version 2) port: version
 * line, challenge, AUTH with an MD5 of challenge and password, ETRN.
 * Not for: the local request file (spool/etrn.c).
 */
#ifndef SMTPD_ETRN_CLUSTER_H
#define SMTPD_ETRN_CLUSTER_H

#include <stddef.h>

/* Default port when the node has no "/port" and there is no "mailq"
 * service in /etc/services (ZMailer's fallback). */
#define ETRN_MAILQ_PORT 174

/* Lines for the client, each one becomes a "250-" continuation. */
typedef void (*etrn_say_fn)(void *arg, const char *line);

/*
 * Ask one node (node "host[/port]", user, password) to run the queue of
 * domain for client iplit, in at most timeout seconds.  0 after the node
 * accepted the AUTH and answered the ETRN (its answer was said); -1 on any
 * failure (what failed was said).
 */
int etrn_cluster_node(const char *node, const char *user, const char *pass,
    const char *domain, const char *iplit, const char *myhost, int timeout,
    etrn_say_fn say, void *arg);
/* Hex MD5 of challenge followed by password into out[33]. 0 / -1. */
int etrn_cluster_digest(const char *challenge, const char *pass, char out[33]);

#endif
