/*
 * main.c - smtpserver: ZMailer-compatible command line, mode selection.
 */
#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "-V") == 0) {
		printf("smtpserver %s\n", SMTPSERVER_VERSION);
		return 0;
	}
	return 1;
}
