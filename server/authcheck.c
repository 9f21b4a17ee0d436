/*
 * authcheck.c - PAM and SMTP-auth-pipe password checks for the AUTH
 * helper (see authcheck.h).  The pipe program is started with execve and
 * an explicit argv, as TRUSTEDUSER: no shell sees the user name and the
 * admin's script gets none of the helper's root rights.
 * Not for: the helper protocol (privhelper.c).
 */
#include "authcheck.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "auth.h"
#include "daemon.h"
#include "log.h"
#include "mono.h"
#include "privhelper.h"

struct creds {
	const char *user, *pass;
};

static void
free_resp(struct pam_response *r, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (r[i].resp) {
			explicit_bzero(r[i].resp, strlen(r[i].resp));
			free(r[i].resp);
		}
	free(r);
}

static int
conv(int n, const struct pam_message **msg, struct pam_response **resp,
    void *arg)
{
	const struct creds *c = arg;
	struct pam_response *r;
	int i;

	if (n <= 0 || (r = calloc((size_t)n, sizeof(*r))) == NULL)
		return PAM_CONV_ERR;
	for (i = 0; i < n; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
			r[i].resp = strdup(c->pass);
			break;
		case PAM_PROMPT_ECHO_ON:
			r[i].resp = strdup(c->user);
			break;
		case PAM_ERROR_MSG:
		case PAM_TEXT_INFO:
			continue;
		default:
			free_resp(r, n);
			return PAM_CONV_ERR;
		}
		if (r[i].resp == NULL) {
			free_resp(r, n);
			return PAM_CONV_ERR;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}

/* The session tarpits failures itself: no PAM delay in the helper. */
static void
no_delay(int status, unsigned int usec, void *arg)
{
	(void)status;
	(void)usec;
	(void)arg;
}

int
authcheck_pam(
    const char *service, const char *user, const char *pass, const char *ip)
{
	struct creds c = { user, pass };
	struct pam_conv pc = { conv, &c };
	pam_handle_t *h = NULL;
	void (*delay)(int, unsigned int, void *) = no_delay;
	int r;

	if (pam_start(service, user, &pc, &h) != PAM_SUCCESS)
		return PH_TEMP;
	pam_set_item(h, PAM_FAIL_DELAY, (const void *)delay);
	if (ip && *ip)
		pam_set_item(h, PAM_RHOST, ip);
	r = pam_authenticate(h, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
	if (r == PAM_SUCCESS)
		r = pam_acct_mgmt(h, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
	pam_end(h, r);
	switch (r) {
	case PAM_SUCCESS:
		return PH_YES;
	case PAM_AUTH_ERR:
	case PAM_USER_UNKNOWN:
	case PAM_CRED_INSUFFICIENT:
	case PAM_MAXTRIES:
	case PAM_ACCT_EXPIRED:
	case PAM_NEW_AUTHTOK_REQD:
	case PAM_PERM_DENIED:
		return PH_NO;
	default:
		log_msg(LOG_WARNING, "auth helper: PAM %s: %s", service,
		    pam_strerror(NULL, r));
		return PH_TEMP;
	}
}

/*
 * In the child: become uid/gid (groups too) when the helper is root, and
 * never run the program as root.  Exit 126 ("cannot run") otherwise.
 */
static void
child_drop(uid_t uid, gid_t gid)
{
	char err[128];

	if (getuid() != 0 && geteuid() != 0)
		return; /* an unprivileged helper has nothing to give away */
	if (uid == 0 || daemon_drop(uid, gid, err, sizeof(err)) < 0)
		_exit(126);
}

static void
run_child(const char *prog, const char *user, int in, int out,
    const struct authcheck_user *as)
{
	char tz[128], zc[1024];
	const char *v;
	char *argv[3], *envp[6];
	int n = 0;

	argv[0] = (char *)prog;
	argv[1] = (char *)user;
	argv[2] = NULL;
	envp[n++] = "SHELL=/bin/sh";
	envp[n++] = "IFS= \t\n";
	envp[n++] = "PATH=/usr/bin:/bin";
	if ((v = getenv("TZ")) != NULL) {
		snprintf(tz, sizeof(tz), "TZ=%s", v);
		envp[n++] = tz;
	}
	if ((v = getenv("ZCONFIG")) != NULL) {
		snprintf(zc, sizeof(zc), "ZCONFIG=%s", v);
		envp[n++] = zc;
	}
	envp[n] = NULL;
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(126);
	child_drop(as->uid, as->gid);
	if (chdir("/") < 0)
		_exit(126);
	execve(prog, argv, envp);
	_exit(127);
}

/* Drain the program's output until EOF or the deadline. */
static void
drain(int fd, long long deadline)
{
	char junk[512];
	ssize_t n;

	while (mono_poll(fd, POLLIN, deadline) == 1)
		if ((n = read(fd, junk, sizeof(junk))) == 0 ||
		    (n < 0 && errno != EINTR))
			return;
}

/* Exit status of pid, killing it at the deadline. */
static int
reap(pid_t pid, long long deadline)
{
	int st = 0;
	pid_t r;

	while ((r = waitpid(pid, &st, WNOHANG)) == 0 && mono_left(deadline) > 0)
		poll(NULL, 0, 20);
	if (r == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return -1;
	}
	return r < 0 ? -1 : st;
}

int
authcheck_pipe(const char *prog, const char *user, const char *pass,
    int timeout, const struct authcheck_user *as)
{
	int in[2], out[2], st;
	long long deadline = mono_after(timeout);
	pid_t pid;

	/* the session refuses these already; the helper trusts no one */
	if (!auth_user_ok(user) || !auth_pass_ok(pass))
		return PH_NO;
	if (pipe2(in, O_CLOEXEC) < 0)
		return PH_TEMP;
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return PH_TEMP;
	}
	if ((pid = fork()) == 0)
		run_child(prog, user, in[0], out[1], as);
	close(in[0]);
	close(out[1]);
	if (pid > 0) {
		(void)!write(in[1], pass, strlen(pass));
		(void)!write(in[1], "\n", 1);
	}
	close(in[1]);
	if (pid > 0)
		drain(out[0], deadline);
	close(out[0]);
	if (pid < 0)
		return PH_TEMP;
	st = reap(pid, deadline);
	if (st < 0 || !WIFEXITED(st)) {
		log_msg(
		    LOG_WARNING, "auth helper: %s: timeout or signal", prog);
		return PH_TEMP;
	}
	if (WEXITSTATUS(st) == 126 || WEXITSTATUS(st) == 127) {
		log_msg(LOG_WARNING, "auth helper: cannot run %s", prog);
		return PH_TEMP;
	}
	return WEXITSTATUS(st) == 0 ? PH_YES : PH_NO;
}
