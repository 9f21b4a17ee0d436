#!/usr/bin/perl
# Hostile input through the real program (-i): 150 sessions of random
# commands, junk bytes, stray BDAT sizes and cut-off DATA, from a fixed
# seed.  The program must never crash (under SANITIZE=1 any memory error
# fails it), must answer every session with a greeting and must leave no
# temp file behind.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use SmtpPipe;

srand(20261125);
# a sanitizer report must not look like an ordinary exit status 1
$ENV{ASAN_OPTIONS} = join(':', grep { $_ } $ENV{ASAN_OPTIONS}, 'exitcode=99');
$ENV{UBSAN_OPTIONS} = join(':', grep { $_ } $ENV{UBSAN_OPTIONS},
    'halt_on_error=1', 'exitcode=98');
my $po = postoffice();
my $conf = write_conf($po, "PARAM maxsize 20000\nPARAM max-unknown-commands 50\n"
    . "PARAM RcptLimitCount 100\n* 999 ve\n");
my @verbs = ('EHLO a.example', 'HELO b.example', 'MAIL FROM:<a@b.example>',
    'MAIL FROM:<>', 'RCPT TO:<c@d.example>', 'RCPT TO:<postmaster>', 'DATA',
    'BDAT 5', 'BDAT 0 LAST', 'BDAT 99999999999', 'RSET', 'NOOP', 'VRFY x',
    'HELP', 'AUTH PLAIN', 'STARTTLS', 'QUIT', 'MAIL FROM:<@a,@b:c@d>',
    'RCPT TO:<"q\\"x"@d.example> NOTIFY=SUCCESS ORCPT=rfc822;x',
    'MAIL FROM:<a@b.example> SIZE=1 BODY=8BITMIME SMTPUTF8 ENVID=x');

sub junk {
	my $n = int(rand(300));
	return join('', map { chr(int(rand(256))) } 1 .. $n);
}

my ($crashed, $ungreeted) = (0, 0);
for my $i (1 .. 150) {
	my $in = '';
	for (1 .. 1 + int(rand(25))) {
		my $r = rand();
		if ($r < 0.6) {
			$in .= $verbs[int(rand(@verbs))];
		} elsif ($r < 0.8) {
			$in .= junk();
		} else {
			$in .= ('.' x int(rand(3))) . "x" x int(rand(3000));
		}
		$in .= (rand() < 0.8) ? "\r\n" : (rand() < 0.5 ? "\n" : "\r");
	}
	my ($out, $rc) = run_i(conf => $conf, po => $po, input => $in);
	$crashed++, diag("session $i: exit $rc") if $rc > 2;
	$ungreeted++ unless $out =~ /\A220 /;
}
is($crashed, 0, 'no session crashed or hit a sanitizer error');
is($ungreeted, 0, 'every session was greeted');
is(scalar(glob("$po/public/*")), undef, 'no temp file left in public/');
done_testing();
