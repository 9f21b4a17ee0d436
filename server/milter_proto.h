/*
 * milter_proto.h - the Sendmail milter wire protocol (version 6, as
 * Postfix speaks it): packet framing and the decoding of a milter's
 * replies, every length checked.  No I/O here (milter.c does it).
 * For: milter.c, milter_eom.c, the unit test and the fuzz harness.
 */
#ifndef SMTPD_MILTER_PROTO_H
#define SMTPD_MILTER_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define MILTER_VERSION 6
#define MILTER_PKT_MAX 65536 /* a longer packet is a milter failure */
#define MILTER_CHUNK 65535   /* body bytes per SMFIC_BODY */

/* MTA to milter */
#define SMFIC_ABORT 'A'
#define SMFIC_BODY 'B'
#define SMFIC_CONNECT 'C'
#define SMFIC_MACRO 'D'
#define SMFIC_BODYEOB 'E'
#define SMFIC_HELO 'H'
#define SMFIC_HEADER 'L'
#define SMFIC_MAIL 'M'
#define SMFIC_EOH 'N'
#define SMFIC_OPTNEG 'O'
#define SMFIC_QUIT 'Q'
#define SMFIC_RCPT 'R'
#define SMFIC_DATA 'T'

/* milter to MTA */
#define SMFIR_ADDRCPT '+'
#define SMFIR_DELRCPT '-'
#define SMFIR_ADDRCPT_PAR '2'
#define SMFIR_SHUTDOWN '4'
#define SMFIR_ACCEPT 'a'
#define SMFIR_REPLBODY 'b'
#define SMFIR_CONTINUE 'c'
#define SMFIR_DISCARD 'd'
#define SMFIR_CHGFROM 'e'
#define SMFIR_CONN_FAIL 'f'
#define SMFIR_ADDHEADER 'h'
#define SMFIR_INSHEADER 'i'
#define SMFIR_SETSYMLIST 'l'
#define SMFIR_CHGHEADER 'm'
#define SMFIR_PROGRESS 'p'
#define SMFIR_QUARANTINE 'q'
#define SMFIR_REJECT 'r'
#define SMFIR_SKIP 's'
#define SMFIR_TEMPFAIL 't'
#define SMFIR_REPLYCODE 'y'

/* actions we allow (SMFIF_*) */
#define SMFIF_ADDHDRS 0x01
#define SMFIF_CHGBODY 0x02
#define SMFIF_ADDRCPT 0x04
#define SMFIF_DELRCPT 0x08
#define SMFIF_CHGHDRS 0x10
#define SMFIF_QUARANTINE 0x20
#define SMFIF_CHGFROM 0x40
#define SMFIF_ADDRCPT_PAR 0x80
#define SMFIF_SETSYMLIST 0x100
#define MILTER_ACTIONS 0x1ff

/* protocol steps a milter may leave out (SMFIP_*) */
#define SMFIP_NOCONNECT 0x01
#define SMFIP_NOHELO 0x02
#define SMFIP_NOMAIL 0x04
#define SMFIP_NORCPT 0x08
#define SMFIP_NOBODY 0x10
#define SMFIP_NOHDRS 0x20
#define SMFIP_NOEOH 0x40
#define SMFIP_NR_HDR 0x80
#define SMFIP_NOUNKNOWN 0x100
#define SMFIP_NODATA 0x200
#define SMFIP_SKIP 0x400
#define SMFIP_RCPT_REJ 0x800
#define SMFIP_NR_CONN 0x1000
#define SMFIP_NR_HELO 0x2000
#define SMFIP_NR_MAIL 0x4000
#define SMFIP_NR_RCPT 0x8000
#define SMFIP_NR_DATA 0x10000
#define SMFIP_NR_UNKN 0x20000
#define SMFIP_NR_EOH 0x40000
#define SMFIP_NR_BODY 0x80000
#define SMFIP_HDR_LEADSPC 0x100000
#define MILTER_PROTO_OFFER 0x1fffff /* every step may be left out */

/* One packet: its command and data (pointing into the caller's bytes). */
struct mpkt {
	int cmd;
	const char *data;
	size_t len;
};

/* Append one packet (length, cmd, data) to out; -1 when it does not fit. */
int mproto_put(struct buf *out, int cmd, const void *data, size_t len);
/* Append a NUL-terminated string and its NUL to b (building data). */
int mproto_str(struct buf *b, const char *s);
/* Append a 32-bit word in network order to b. */
int mproto_u32(struct buf *b, uint32_t v);

/*
 * Take one packet from the n bytes at in: 1 and *used when a whole packet
 * is there, 0 when more bytes are needed, -1 when it is malformed (empty,
 * or longer than MILTER_PKT_MAX).
 */
int mproto_take(const char *in, size_t n, struct mpkt *p, size_t *used);

/* SMFIC_OPTNEG reply: version, actions, protocol; -1 if malformed. */
int mproto_optneg(
    const struct mpkt *, uint32_t *ver, uint32_t *act, uint32_t *proto);
/*
 * SMFIR_REPLYCODE "ddd x.y.z text": a 4xx or 5xx code, the enhanced code
 * (or "" when none; its class must match the code's) into enh, and the
 * text (no CR/LF; at most textlen-1 bytes) into text.  -1 if malformed.
 */
int mproto_replycode(const struct mpkt *, int *code, char *enh, size_t enhlen,
    char *text, size_t textlen);
/*
 * Data made of NUL-terminated strings: up to max of them into v (pointing
 * into p->data); returns how many, -1 when the data does not end in NUL.
 * With idx != NULL, a 32-bit index comes first (INSHEADER, CHGHEADER).
 */
int mproto_strings(const struct mpkt *, uint32_t *idx, const char **v, int max);

#endif
