#!/usr/bin/perl
# A connection on a PROXY listener whose header has not come when the
# daemon is told to stop does not hold the stop for the header timeout
# (nor for the shutdown grace): the wait ends at once, the connection is
# closed, the log says why, and the daemon exits cleanly.  The timeout
# (300 s) and the grace (60 s) are both longer than stop() waits (40 s).
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use SmtpTest qw(wait_until);

my $d = SmtpTest->new(conf => [
	'PARAM BindAddress [127.0.0.1]',
	'PARAM shutdown-grace 60',
	'PARAM proxy-protocol 127.0.0.1/32',
	'PARAM proxy-protocol-timeout 300',
]);
$d->start;

my $c = $d->connect or die "connect: $!";
ok(wait_until(sub { $d->status->{workers}{busy} >= 1 }, 10),
    'a worker waits for the PROXY header');
is($d->stop, 0, 'the daemon stops cleanly without waiting for the header');
like($d->log_text, qr/bad PROXY header: the daemon is stopping/,
    'the log says why the connection was closed');
my $r = SmtpTest::reply($c, 5);
is($r, undef, 'the connection was closed without a word');
close($c);
done_testing();
