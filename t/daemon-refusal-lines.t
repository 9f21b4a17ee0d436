#!/usr/bin/perl
# The worker's 450 refusal is made of well-formed reply lines whatever
# contact-pointer-message holds: a tab is blanked, an 8-bit byte becomes
# '?', and a long text is cut to 500 bytes on its own line, so the final
# "450 ... (N max M)" line and every CRLF still arrive (RFC 5321 4.5.3.1.5:
# a reply line is at most 512 octets).  The session's own replies follow
# the same rules (reply.c).
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use SmtpTest;

my $text = "Call\tus \xe9 " . ('x' x 900) . " (the end)";
my $d = SmtpTest->new(conf => [
	'PARAM BindAddress [127.0.0.1]',
	'PARAM MaxSameIpSource 1',
	'PARAM MaxParallelConnections 50',
	"PARAM contact-pointer-message $text",
]);
$d->start;

my $held = $d->connect(src => '127.0.0.2') or die "connect: $!";
like(SmtpTest::reply($held), qr/^220 /, 'first session: 220');
my $s = $d->connect(src => '127.0.0.2') or die "connect: $!";
my $r = SmtpTest::reply($s) // '';
my @lines = split(/(?<=\n)/, $r);
is(scalar(@lines), 3, 'the 450 has its three lines');
is($lines[0], "450-4.7.1 Come again later\r\n", 'first Come again later');
is($lines[1], "450-4.7.1 " . substr("Call us ? " . ('x' x 900), 0, 500) .
    "\r\n", 'then the contact line: tab blanked, 8-bit as ?, cut at 500 bytes');
is($lines[2] // '', "450 4.7.1 Too many simultaneous connections from " .
    "same IP address (2 max 1)\r\n", 'and the final line, whole');
ok(!grep({ length($_) > 512 || /[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\xff]/ }
    @lines), 'no line over 512 octets, no control or 8-bit byte');
close($_) for $held, $s;

is($d->stop, 0, 'daemon stops cleanly');
done_testing();
