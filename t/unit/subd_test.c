/* subd_test.c - the sub-daemon reply parsers: router lines and the
 * contentfilter's verdict line, from tables of cases. */
#include "subd.h"
#include "tap.h"

static const struct {
	const char *line;
	int rc, code, more;
	const char *enh, *text;
} rtr[] = {
	{ "250 2.1.5 ok", 0, 250, 0, "2.1.5", "ok" },
	{ "550-5.1.1 first", 0, 550, 1, "5.1.1", "first" },
	{ "450 4.5.0", 0, 450, 0, "4.5.0", "" },
	{ "250 no status here", 0, 250, 0, "", "no status here" },
	{ "550 2.1.5 wrong class", 0, 550, 0, "", "2.1.5 wrong class" },
	{ "250", 0, 250, 0, "", "" },
	{ "25 short", -1, 0, 0, NULL, NULL },
	{ "650 5.0.0 no such class", -1, 0, 0, NULL, NULL },
	{ "250x2.1.5 glued", -1, 0, 0, NULL, NULL },
	{ "what?", -1, 0, 0, NULL, NULL },
	{ "", -1, 0, 0, NULL, NULL },
	{ "250 2.1.5555 long part", 0, 250, 0, "", "2.1.5555 long part" },
};

static const struct {
	const char *reply;
	int rc, verdict, code;
	const char *enh, *text;
} flt[] = {
	{ "-1 550 5.7.1 spam\n", 0, -1, 550, "5.7.1", "spam" },
	{ "0 0\n", 0, 0, 0, "", "" },
	{ "3 250 held\n", 0, 3, 250, "", "held" },
	{ "-1\n0 ok\n0 250 2.6.0 fine\n", 0, 0, 250, "2.6.0", "fine" },
	{ "0 250 first\n-1 550 5.7.1 last wins\n", 0, -1, 550, "5.7.1",
	    "last wins" },
	{ "-1 550 5.7.1 x\nnoise after\n", 0, -1, 550, "5.7.1", "x" },
	{ "hello there\n", -1, 0, 0, NULL, NULL },
	{ "-1\n", -1, 0, 0, NULL, NULL },
	{ "0 ok\n", -1, 0, 0, NULL, NULL },
	{ "", -1, 0, 0, NULL, NULL },
	{ "1x 2 glued\n", -1, 0, 0, NULL, NULL },
	{ "99999999999 1 huge\n", -1, 0, 0, NULL, NULL },
	{ "+2 250 plus\n", 0, 2, 250, "", "plus" },
	{ "-1 550 5.7.1 no newline", 0, -1, 550, "5.7.1", "no newline" },
};

int
main(void)
{
	char enh[16], text[64];
	const char *t;
	int code, more, v, rc;
	size_t i;

	for (i = 0; i < sizeof(rtr) / sizeof(rtr[0]); i++) {
		rc = subd_router_line(
		    rtr[i].line, &code, &more, enh, sizeof(enh), &t);
		is_int(rc, rtr[i].rc, "router line '%s': %s", rtr[i].line,
		    rc == 0 ? "a reply" : "not a reply");
		if (rc < 0 || rtr[i].rc < 0)
			continue;
		ok(code == rtr[i].code && more == rtr[i].more,
		    "  code %d, more %d", code, more);
		is_str(enh, rtr[i].enh, "  status");
		is_str(t, rtr[i].text, "  text");
	}
	for (i = 0; i < sizeof(flt) / sizeof(flt[0]); i++) {
		rc = subd_filter_verdict(flt[i].reply, &v, &code, enh,
		    sizeof(enh), text, sizeof(text));
		is_int(rc, flt[i].rc, "filter reply %zu: %s", i,
		    rc == 0 ? "a verdict" : "none");
		if (rc < 0 || flt[i].rc < 0)
			continue;
		ok(v == flt[i].verdict && code == flt[i].code,
		    "  verdict %d code %d", v, code);
		is_str(enh, flt[i].enh, "  status");
		is_str(text, flt[i].text, "  text");
	}
	return tap_done();
}
