/*
 * polsvc.h - Postfix's policy delegation protocol (SMTPD_POLICY_README):
 * the name=value request, the action= reply and its meaning, for the
 * services of PARAM policy-service.  The session side (smtp_polsvc_*) is
 * declared in smtp.h.
 * Not for: SMTP replies (polsvc.c does those through reply.c).
 */
#ifndef SMTPD_POLSVC_H
#define SMTPD_POLSVC_H

#include <stddef.h>

#include "svcaddr.h"

#define PS_REQ_MAX 8192   /* request bytes */
#define PS_REPLY_MAX 4096 /* reply bytes, the empty line included */
#define PS_TEXT_MAX 400   /* text of an action */

enum ps_act {
	PS_DUNNO,
	PS_OK,
	PS_REJECT, /* REJECT, DEFER, 4NN / 5NN: code, enh, text */
	PS_DEFER_IF_PERMIT,
	PS_DEFER_IF_REJECT,
	PS_PREPEND, /* text = the header */
	PS_HOLD,
	PS_DISCARD,
	PS_WARN, /* WARN and INFO: logged */
	PS_UNSUPPORTED,
};

struct ps_verdict {
	enum ps_act act;
	int code;     /* PS_REJECT, PS_DEFER_IF_*: 4xx or 5xx */
	char enh[16]; /* x.y.z, class = the code's */
	char text[PS_TEXT_MAX];
};

/* One action= value into v; -1 when it is not a known action. */
int polsvc_parse_action(const char *value, struct ps_verdict *v);

/* One connection to one service; fd -1 when closed. */
struct ps_conn {
	const char *name;
	struct svcaddr addr;
	int fd;
};

/*
 * Send req (name=value lines, the empty line included) and read the reply
 * within timeout seconds, on the open connection or a new one (a reused
 * connection the service closed meanwhile is opened again once).  The
 * action's value into action; 0, or -1 with the reason in err (the
 * connection is then closed).
 */
int psio_ask(struct ps_conn *, int timeout, const char *req, size_t reqlen,
    char *action, size_t actlen, char *err, size_t errlen);
void psio_close(struct ps_conn *);
/* The attribute value of a request: control bytes to '?', bounded. */
void psio_value(char *out, size_t outlen, const char *v);

#endif
