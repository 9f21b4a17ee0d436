/*
 * policy_reply.c - the reply texts of policy refusals (smtpserver(8)
 * POLICY, and "Differences from ZMailer" there): a refused connection
 * gets 554 5.7.1 (421 4.7.0 on a temporary DNS failure), soft codes are
 * 451, and the enhanced code's class always equals the reply's class.
 */
#include "policy_int.h"

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

static void
ok_reply(struct policy_result *r, int verdict)
{
	memset(r, 0, sizeof(*r));
	r->verdict = verdict;
}

void
preply_connect(struct policy_sess *s, int v, struct policy_result *r)
{
	if (v >= 0) {
		ok_reply(r, v);
		return;
	}
	if (v <= PV_SOFT)
		set(r, v, 421, "4.7.0",
		    "Hello %s; temporary failure of our policy checks, "
		    "try again later",
		    s->ipbr);
	else
		set(r, v, 554, "5.7.1", "Hello %s; %s", s->ipbr,
		    s->msg[0]
		        ? s->msg
		        : "You are on our reject-IP-address -list, GO AWAY!");
}

void
preply_mail(
    struct policy_sess *s, int v, const char *addr, struct policy_result *r)
{
	char a[300];

	pclean(a, sizeof(a), addr);
	if (v >= 0)
		ok_reply(r, v);
	else if (s->msg[0] != '\0')
		set(r, v, v > PV_SOFT ? 553 : 451,
		    v > PV_SOFT ? "5.7.1" : "4.7.1",
		    "Hello %s, for your MAIL FROM address <%s> policy analysis "
		    "reported: %s",
		    s->ipbr, a, s->msg);
	else if (v <= PV_DNS_TEMP)
		set(r, v, 451, "4.4.3",
		    "Hello %s, for your input: <%s> policy analysis reports "
		    "temporary DNS error with your source domain.",
		    s->ipbr, a);
	else if (v < PV_SOFT)
		set(r, v, 451, "4.4.3",
		    "Hello %s, for your input: <%s> policy analysis reports "
		    "DNS error with your source domain.",
		    s->ipbr, a);
	else if (v == PV_SOFT)
		set(r, v, 451, "4.7.1",
		    "Hello %s, for address <%s> access denied by the policy "
		    "analysis functions.",
		    s->ipbr, a);
	else if (v < PV_REJECT)
		set(r, v, 553, "5.4.3",
		    "Hello %s, for MAIL FROM address <%s> the policy analysis "
		    "reports DNS error with your source domain.",
		    s->ipbr, a);
	else
		set(r, v, 553, "5.7.1",
		    "Hello %s, for MAIL FROM address <%s> access is denied by "
		    "the policy analysis functions.",
		    s->ipbr, a);
}

static void
rcpt_soft(struct policy_sess *s, int v, const char *a, struct policy_result *r)
{
	if (s->msg[0] != '\0')
		set(r, v, 451, "4.7.1",
		    "Hello %s, for recipient address <%s> the policy analysis "
		    "reported: %s",
		    s->ipbr, a, s->msg);
	else if (v <= PV_DNS_TEMP)
		set(r, v, 451, "4.4.3",
		    "Hello %s, policy analysis reports temporary DNS error "
		    "with the target domain: <%s>",
		    s->ipbr, a);
	else if (v == PV_MX_SOFT)
		set(r, v, 451, "4.7.1",
		    "Your IP address %s is not allowed to relay to email "
		    "address <%s> via our server; MX rule",
		    s->ipbr, a);
	else if (v < PV_SOFT)
		set(r, v, 451, "4.4.3",
		    "Hello %s, Policy analysis found DNS error on the target "
		    "address: <%s>",
		    s->ipbr, a);
	else
		set(r, v, 451, "4.4.3",
		    "Hello %s, Policy rejection on the target address: <%s>",
		    s->ipbr, a);
}

void
preply_rcpt(
    struct policy_sess *s, int v, const char *addr, struct policy_result *r)
{
	char a[300];

	pclean(a, sizeof(a), addr);
	if (v >= 0)
		ok_reply(r, v);
	else if (v <= PV_SOFT)
		rcpt_soft(s, v, a, r);
	else if (s->msg[0] != '\0')
		set(r, v, 550, "5.7.1",
		    "Hello %s, Policy analysis reported: %s rcpt=<%s>", s->ipbr,
		    s->msg, a);
	else if (v == PV_MX_RULE)
		set(r, v, 550, "5.7.1",
		    "Your IP address %s is not allowed to relay to email "
		    "address <%s> via our server; MX rule",
		    s->ipbr, a);
	else if (v == PV_DNS_HARD)
		set(r, v, 550, "5.4.3",
		    "Hello %s, Policy analysis found DNS error on the target "
		    "domain: <%s>",
		    s->ipbr, a);
	else
		set(r, v, 550, "5.7.1",
		    "Hello %s, Policy rejection on the target address: <%s>",
		    s->ipbr, a);
}
