/*
 * policy_replies.h - the replies to policy refusals, one macro per reply
 * in the shape of server/replies.h: PR_NAME expands to its code, enhanced
 * status and printf format, for set() in policy_reply.c, which checks the
 * arguments against the format.  A refused connection gets 554 5.7.1
 * (421 4.7.0 on a temporary failure), soft refusals 451, and the enhanced
 * status class always equals the reply class (RFC 3463).  Kept here, not
 * in server/replies.h, because policy/ must not include from server/.
 */
#ifndef POLICY_REPLIES_H
#define POLICY_REPLIES_H

/* texts used at two codes */
#define PR_TEXT_MAIL_MSG                                                       \
	"Hello %s, for your MAIL FROM address <%s> policy analysis reported: " \
	"%s"
#define PR_TEXT_MX_RULE                                                        \
	"Your IP address %s is not allowed to relay to email address <%s> "    \
	"via our server; MX rule"
#define PR_TEXT_RCPT_REJECT                                                    \
	"Hello %s, Policy rejection on the target address: <%s>"

/* connect: the client's [address], then the policy's message if any */
#define PR_CONNECT_TEMP                                                        \
	421, "4.7.0",                                                          \
	    "Hello %s; temporary failure of our policy checks, try again "     \
	    "later"
#define PR_CONNECT_MSG 554, "5.7.1", "Hello %s; %s"
#define PR_CONNECT_REJECT                                                      \
	554, "5.7.1",                                                          \
	    "Hello %s; You are on our reject-IP-address -list, GO AWAY!"

/* MAIL FROM: the client's [address], the sender */
#define PR_MAIL_MSG 553, "5.7.1", PR_TEXT_MAIL_MSG
#define PR_MAIL_MSG_SOFT 451, "4.7.1", PR_TEXT_MAIL_MSG
#define PR_MAIL_DNS_TEMP                                                       \
	451, "4.4.3",                                                          \
	    "Hello %s, for your input: <%s> policy analysis reports "          \
	    "temporary DNS error with your source domain."
#define PR_MAIL_DNS_SOFT                                                       \
	451, "4.4.3",                                                          \
	    "Hello %s, for your input: <%s> policy analysis reports DNS "      \
	    "error with your source domain."
#define PR_MAIL_SOFT                                                           \
	451, "4.7.1",                                                          \
	    "Hello %s, for address <%s> access denied by the policy analysis " \
	    "functions."
#define PR_MAIL_DNS                                                            \
	553, "5.4.3",                                                          \
	    "Hello %s, for MAIL FROM address <%s> the policy analysis "        \
	    "reports DNS error with your source domain."
#define PR_MAIL_REJECT                                                         \
	553, "5.7.1",                                                          \
	    "Hello %s, for MAIL FROM address <%s> access is denied by the "    \
	    "policy analysis functions."

/* RCPT TO, temporary: the client's [address], the recipient */
#define PR_RCPT_MSG_SOFT                                                       \
	451, "4.7.1",                                                          \
	    "Hello %s, for recipient address <%s> the policy analysis "        \
	    "reported: %s"
#define PR_RCPT_DNS_TEMP                                                       \
	451, "4.4.3",                                                          \
	    "Hello %s, policy analysis reports temporary DNS error with the "  \
	    "target domain: <%s>"
#define PR_RCPT_MX_SOFT 451, "4.7.1", PR_TEXT_MX_RULE
#define PR_RCPT_DNS_SOFT                                                       \
	451, "4.4.3",                                                          \
	    "Hello %s, Policy analysis found DNS error on the target "         \
	    "address: <%s>"
#define PR_RCPT_SOFT 451, "4.4.3", PR_TEXT_RCPT_REJECT

/* RCPT TO, permanent: the client's [address], the recipient */
#define PR_RCPT_MSG                                                            \
	550, "5.7.1", "Hello %s, Policy analysis reported: %s rcpt=<%s>"
#define PR_RCPT_MX 550, "5.7.1", PR_TEXT_MX_RULE
#define PR_RCPT_DNS                                                            \
	550, "5.4.3",                                                          \
	    "Hello %s, Policy analysis found DNS error on the target domain: " \
	    "<%s>"
#define PR_RCPT_REJECT 550, "5.7.1", PR_TEXT_RCPT_REJECT

#endif
