#!/usr/bin/perl
# An IPv6 listener on ::1 beside the IPv4 one (IPV6_V6ONLY keeps them
# apart); IPv6 clients are counted per /64.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use IO::Socket::IP;
use SmtpTest qw(wait_until);

my $probe = IO::Socket::IP->new(LocalHost => '::1', LocalPort => 0,
    Listen => 1);
plan(skip_all => 'no IPv6 loopback on this host') unless $probe;
close($probe);

my $d = SmtpTest->new(conf => [
	'PARAM BindAddress [127.0.0.1]',
	'PARAM BindAddress [IPv6.::1]',
	'PARAM MaxSameIpSource 1',
]);
$d->start;
my $s6 = IO::Socket::IP->new(PeerHost => '::1', PeerPort => $d->{port},
    Timeout => 5);
ok($s6, 'connect to [::1]');
like(SmtpTest::reply($s6), qr/^220 /, '220 over IPv6');
my $st = $d->status;
my ($top) = grep { $_->{ip} =~ /^::\/64$/ } @{ $st->{top} };
ok($top, 'counted under its /64') or diag(explain($st->{top}));
my $again = IO::Socket::IP->new(PeerHost => '::1', PeerPort => $d->{port},
    Timeout => 5);
like(SmtpTest::reply($again), qr/^450 4\.7\.1 .*same IP/m,
    'the same /64 hits MaxSameIpSource 1');
my $s4 = $d->connect;
like(SmtpTest::reply($s4), qr/^220 /, 'IPv4 still served');
like(SmtpTest::cmd($s6, 'QUIT'), qr/^221/, 'IPv6 session QUITs');
close($_) for $s6, $again, $s4;
is($d->stop, 0, 'stops cleanly');
done_testing();
