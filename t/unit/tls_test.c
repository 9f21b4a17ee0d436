/*
 * tls_test.c - server contexts and the SIGHUP reload: a context from a
 * certificate made with the openssl command line, a reload with a broken
 * key keeps the old certificate, a reload with a new one swaps it (the
 * fingerprint changes), a missing certificate is an error with a reason,
 * and a combined PEM file named by tls-cert-file or tls-key-file alone.
 */
#include "conf.h"
#include "tls.h"
#include "tap.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[] = "/tmp/smtpd-tls-XXXXXX";

static int
run(char *const argv[])
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		freopen("/dev/null", "w", stderr);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st)
	    ? WEXITSTATUS(st)
	    : -1;
}

static int
make_cert(const char *name)
{
	char crt[300], key[300];
	char *argv[] = { "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
		"ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
		"-out", crt, "-subj", "/CN=localhost", "-days", "2", "-batch",
		NULL };

	snprintf(crt, sizeof(crt), "%s/%s.crt", dir, name);
	snprintf(key, sizeof(key), "%s/%s.key", dir, name);
	return run(argv);
}

/* dir/out = dir/a then dir/b. */
static int
combine(const char *a, const char *b, const char *out)
{
	char p[300], line[512];
	const char *in[2] = { a, b };
	FILE *o, *i;
	int k;

	snprintf(p, sizeof(p), "%s/%s", dir, out);
	if ((o = fopen(p, "w")) == NULL)
		return -1;
	for (k = 0; k < 2; k++) {
		snprintf(p, sizeof(p), "%s/%s", dir, in[k]);
		if ((i = fopen(p, "r")) == NULL) {
			fclose(o);
			return -1;
		}
		while (fgets(line, sizeof(line), i))
			fputs(line, o);
		fclose(i);
	}
	return fclose(o) == 0 ? 0 : -1;
}

static void
set(struct conf_group *g, const char *crt, const char *key)
{
	char p[300];

	free(g->tls_cert_file);
	free(g->tls_key_file);
	snprintf(p, sizeof(p), "%s/%s", dir, crt);
	g->tls_cert_file = strdup(p);
	snprintf(p, sizeof(p), "%s/%s", dir, key);
	g->tls_key_file = strdup(p);
}

int
main(void)
{
	struct conf *c = conf_defaults();
	struct conf_group *g = &c->groups[0];
	struct tls_server *ts;
	char err[512], fa[100], fb[100], f[100];
	FILE *fp;

	if (mkdtemp(dir) == NULL || make_cert("a") != 0 ||
	    make_cert("b") != 0) {
		printf("1..0 # SKIP no openssl command\n");
		return 0;
	}
	snprintf(err, sizeof(err), "%s/broken.key", dir);
	if ((fp = fopen(err, "w")) != NULL) {
		fputs("-----BEGIN PRIVATE KEY-----\nbroken\n"
		      "-----END PRIVATE KEY-----\n",
		    fp);
		fclose(fp);
	}
	set(g, "missing.crt", "missing.key");
	ok(tls_server_new(g, err, sizeof(err)) == NULL, "missing certificate");
	ok(strstr(err, "missing.crt") != NULL, "error names it: %s", err);
	set(g, "a.crt", "a.key");
	ts = tls_server_new(g, err, sizeof(err));
	ok(ts != NULL, "context from a.crt");
	ok(ts && tls_server_fingerprint(ts, fa, sizeof(fa)) == 0, "fp a");
	set(g, "b.crt", "broken.key");
	ok(ts && tls_server_reload(ts, g, err, sizeof(err)) < 0,
	    "reload with a broken key fails");
	ok(ts && tls_server_fingerprint(ts, f, sizeof(f)) == 0 &&
	        strcmp(f, fa) == 0,
	    "and keeps the old certificate");
	set(g, "b.crt", "a.key");
	ok(ts && tls_server_reload(ts, g, err, sizeof(err)) < 0,
	    "reload with a key of another certificate fails");
	set(g, "b.crt", "b.key");
	ok(ts && tls_server_reload(ts, g, err, sizeof(err)) == 0,
	    "reload with b.crt");
	ok(ts && tls_server_fingerprint(ts, fb, sizeof(fb)) == 0 &&
	        strcmp(fa, fb) != 0,
	    "the fingerprint changed");
	tls_server_free(ts);
	ts = NULL;
	if (combine("a.crt", "a.key", "a.pem") == 0) {
		set(g, "a.pem", "a.pem");
		free(g->tls_cert_file);
		g->tls_cert_file = NULL;
		ts = tls_server_new(g, err, sizeof(err));
		ok(ts != NULL, "only tls-key-file, a combined PEM: %s",
		    ts ? "ok" : err);
		ok(ts && tls_server_fingerprint(ts, f, sizeof(f)) == 0 &&
		        strcmp(f, fa) == 0,
		    "its certificate is a.crt");
		tls_server_free(ts);
		set(g, "a.pem", "a.pem");
		free(g->tls_key_file);
		g->tls_key_file = NULL;
		ts = tls_server_new(g, err, sizeof(err));
		ok(ts != NULL, "only tls-cert-file, a combined PEM: %s",
		    ts ? "ok" : err);
	} else {
		ok(0, "combined PEM file written");
	}
	free(g->tls_cipher_list);
	g->tls_cipher_list = strdup("NO-SUCH-CIPHER");
	ok(ts && tls_server_reload(ts, g, err, sizeof(err)) < 0,
	    "a bad tls-cipher-list is refused");
	tls_server_free(ts);
	conf_free(c);
	{
		char *argv[] = { "rm", "-rf", dir, NULL };

		run(argv);
	}
	return tap_done();
}
