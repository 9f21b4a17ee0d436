#!/usr/bin/perl
# BindAddress any is 0.0.0.0 and any6 is [::] with IPV6_V6ONLY, as in
# ZMailer: each alone listens on one family, the two together on both
# (they used to collide with "Address already in use").
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use IO::Socket::IP;
use SmtpTest;

my $probe = IO::Socket::IP->new(LocalHost => '::1', LocalPort => 0,
    Listen => 1);
plan(skip_all => 'no IPv6 loopback on this host') unless $probe;
close($probe);

my $d = SmtpTest->new(conf => ['PARAM BindAddress any',
	'PARAM BindAddress any6']);
$d->start;
like($d->log_text, qr/started: pid \d+, 2 listeners/,
    'any and any6 together: two listeners');
my $s4 = $d->connect;
like(SmtpTest::reply($s4) // '', qr/^220 /, 'IPv4 client served');
my $s6 = IO::Socket::IP->new(PeerHost => '::1', PeerPort => $d->{port},
    Timeout => 5);
ok($s6, 'IPv6 client connects');
like($s6 ? SmtpTest::reply($s6) // '' : '', qr/^220 /, 'and is served');
close($_) for grep { defined } $s4, $s6;
is($d->stop, 0, 'stops cleanly');

for my $case (['any', 'IPv4'], ['any6', 'IPv6']) {
	my $one = SmtpTest->new(conf => ["PARAM BindAddress $case->[0]"]);
	$one->start;
	like($one->log_text, qr/started: pid \d+, 1 listeners/,
	    "$case->[0] alone: one listener, $case->[1] only");
	is($one->stop, 0, 'stops cleanly');
}
done_testing();
