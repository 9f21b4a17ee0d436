/*
 * spoolid_test.c - spool ids as ZMailer's lib/taspoolid.c builds them.
 * Vectors: ids seen in real ZMailer Received: headers (inode and the
 * header's date in UTC), and hand-computed ones with nanoseconds.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "spool.h"
#include "tap.h"

static const struct {
	unsigned long long ino;
	time_t mtime;
	long nsec;
	const char *want;
	const char *what;
} cases[] = {
	/* real headers: "id S1727227AbfHMJUv ... 13 Aug 2019 05:20:51 -0400" */
	{ 1727227, 1565688051, 0, "S1727227AbfHMJUv", "vger 2019" },
	/* "id S1754224AbXKFUML ... Tue, 6 Nov 2007 15:12:11 -0500" */
	{ 1754224, 1194379931, 0, "S1754224AbXKFUML", "vger 2007" },
	/* "id S7455894AbYDCGbn ... Thu, 3 Apr 2008 10:31:43 +0400" */
	{ 7455894, 1207204303, 0, "S7455894AbYDCGbn", "yandex 2008" },
	{ 1, 0, 0, "S1AauAAAAA", "epoch, ns 0" },
	{ 1, 0, 1, "S1AauAAAAAAAAAB", "ns 1" },
	{ 1, 0, 123456789, "S1AauAAAAAHW8wV", "ns 123456789" },
	{ 7, 951868799, 0, "S7AbQB2X77", "leap day 23:59:59" },
	{ 7, 951868799, 999999999, "S7AbQB2X777ioj-",
	    "ns 999999999 (index 63 is -)" },
	{ 42, 2147483648LL, 0, "S42AbyASDOI", "past 2^31" },
	{ 18446744073709551615ULL, 0, 0, "S18446744073709551615AauAAAAA",
	    "largest inode" },
};

int
main(void)
{
	char id[SPOOL_ID_MAX], small[12];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		spool_id(id, sizeof(id), cases[i].ino, cases[i].mtime,
		    cases[i].nsec);
		is_str(id, cases[i].want, "spool id: %s", cases[i].what);
	}
	spool_id(small, sizeof(small), 1727227, 1565688051, 0);
	is_str(small, "", "too small a buffer gives an empty id");
	spool_id(id, 15, 1, 0, 123456789);
	is_str(id, "", "no room for the ns chars gives an empty id");
	spool_id(id, 16, 1, 0, 123456789);
	is_str(id, "S1AauAAAAAHW8wV", "exact room is enough");
	return tap_done();
}
