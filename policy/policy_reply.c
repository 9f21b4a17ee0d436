/*
 * policy_reply.c - the reply each policy refusal is given (smtpserver(8)
 * POLICY, and "Differences from ZMailer" there): a refused connection
 * gets 554 5.7.1 (421 4.7.0 on a temporary DNS failure), soft codes are
 * 451, and the enhanced code's class always equals the reply's class;
 * the texts are in policy_replies.h.
 */
#include "policy_int.h"
#include "policy_replies.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
pclean(char *out, size_t outlen, const char *in)
{
	size_t i;

	if (outlen == 0)
		return;
	for (i = 0; in[i] != '\0' && i + 1 < outlen; i++)
		out[i] = ((unsigned char)in[i] < 0x20 || in[i] == 0x7f) ? ' '
		                                                        : in[i];
	out[i] = '\0';
}

static void set(struct policy_result *r, int verdict, int code, const char *enh,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
set(struct policy_result *r, int verdict, int code, const char *enh,
    const char *fmt, ...)
{
	char text[sizeof(r->text)];
	va_list ap;

	r->verdict = verdict;
	r->code = code;
	r->tempfail = code >= 400 && code < 500;
	snprintf(r->enh, sizeof(r->enh), "%s", enh);
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	pclean(r->text, sizeof(r->text), text);
}

/* The kind of a verdict code (policy_int.h), which decides its reply. */
enum pv_class {
	PVC_ACCEPT,   /* >= 0 */
	PVC_REJECT,   /* permanent: PV_REJECT, PV_DNS_HARD, PV_MX_RULE */
	PVC_SOFT,     /* PV_SOFT: temporary, by the policy */
	PVC_DNS_SOFT, /* PV_DNS_SOFT, PV_MX_SOFT: a DNS answer is missing */
	PVC_DNS_TEMP, /* PV_DNS_TEMP: DNS failed */
};

static enum pv_class
pv_class(int v)
{
	if (v >= 0)
		return PVC_ACCEPT;
	if (v > PV_SOFT)
		return PVC_REJECT;
	if (v == PV_SOFT)
		return PVC_SOFT;
	return v > PV_DNS_TEMP ? PVC_DNS_SOFT : PVC_DNS_TEMP;
}

static void
ok_reply(struct policy_result *r, int verdict)
{
	memset(r, 0, sizeof(*r));
	r->verdict = verdict;
}

void
preply_connect(struct policy_sess *s, int v, struct policy_result *r)
{
	enum pv_class c = pv_class(v);

	if (c == PVC_ACCEPT)
		ok_reply(r, v);
	else if (c != PVC_REJECT)
		set(r, v, PR_CONNECT_TEMP, s->ipbr);
	else if (s->msg[0] != '\0')
		set(r, v, PR_CONNECT_MSG, s->ipbr, s->msg);
	else
		set(r, v, PR_CONNECT_REJECT, s->ipbr);
}

void
preply_mail(
    struct policy_sess *s, int v, const char *addr, struct policy_result *r)
{
	enum pv_class c = pv_class(v);
	char a[300];

	pclean(a, sizeof(a), addr);
	if (c == PVC_ACCEPT)
		ok_reply(r, v);
	else if (s->msg[0] != '\0' && c == PVC_REJECT)
		set(r, v, PR_MAIL_MSG, s->ipbr, a, s->msg);
	else if (s->msg[0] != '\0')
		set(r, v, PR_MAIL_MSG_SOFT, s->ipbr, a, s->msg);
	else if (c == PVC_DNS_TEMP)
		set(r, v, PR_MAIL_DNS_TEMP, s->ipbr, a);
	else if (c == PVC_DNS_SOFT)
		set(r, v, PR_MAIL_DNS_SOFT, s->ipbr, a);
	else if (c == PVC_SOFT)
		set(r, v, PR_MAIL_SOFT, s->ipbr, a);
	else if (v != PV_REJECT)
		set(r, v, PR_MAIL_DNS, s->ipbr, a);
	else
		set(r, v, PR_MAIL_REJECT, s->ipbr, a);
}

static void
rcpt_soft(struct policy_sess *s, int v, const char *a, struct policy_result *r)
{
	if (s->msg[0] != '\0')
		set(r, v, PR_RCPT_MSG_SOFT, s->ipbr, a, s->msg);
	else if (pv_class(v) == PVC_DNS_TEMP)
		set(r, v, PR_RCPT_DNS_TEMP, s->ipbr, a);
	else if (v == PV_MX_SOFT)
		set(r, v, PR_RCPT_MX_SOFT, s->ipbr, a);
	else if (pv_class(v) == PVC_DNS_SOFT)
		set(r, v, PR_RCPT_DNS_SOFT, s->ipbr, a);
	else
		set(r, v, PR_RCPT_SOFT, s->ipbr, a);
}

void
preply_rcpt(
    struct policy_sess *s, int v, const char *addr, struct policy_result *r)
{
	enum pv_class c = pv_class(v);
	char a[300];

	pclean(a, sizeof(a), addr);
	if (c == PVC_ACCEPT)
		ok_reply(r, v);
	else if (c != PVC_REJECT)
		rcpt_soft(s, v, a, r);
	else if (s->msg[0] != '\0')
		set(r, v, PR_RCPT_MSG, s->ipbr, s->msg, a);
	else if (v == PV_MX_RULE)
		set(r, v, PR_RCPT_MX, s->ipbr, a);
	else if (v == PV_DNS_HARD)
		set(r, v, PR_RCPT_DNS, s->ipbr, a);
	else
		set(r, v, PR_RCPT_REJECT, s->ipbr, a);
}
