#!/usr/bin/perl
# -L: below the load average limit connections are served; above it they
# get 421 4.3.2 and are closed.  The second half runs only when this host
# is loaded enough (the 1-minute average cannot be raised in a quick test).
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use SmtpTest qw(wait_until);

my $d = SmtpTest->new(conf => ['PARAM BindAddress [127.0.0.1]'],
    args => ['-L', '1000']);
$d->start;
my $s = $d->connect;
like(SmtpTest::reply($s), qr/^220 /, '-L 1000: served');
close($s);
is($d->stop, 0, 'stops');

open(my $fh, '<', '/proc/loadavg');
my ($load) = split(' ', <$fh> // '0');
SKIP: {
	skip "load average $load is below 1.5 here", 4 unless $load >= 1.5;
	my $e = SmtpTest->new(conf => ['PARAM BindAddress [127.0.0.1]'],
	    args => ['-L', '1']);
	$e->start;
	$s = $e->connect;
	like(SmtpTest::reply($s) // '',
	    qr/^421 4\.3\.2 \S+ System load too high, try again later\r\n$/,
	    '-L 1 on a loaded host: 421 4.3.2');
	is(SmtpTest::reply($s, 5), undef, 'and closed');
	is($e->status->{connections}{refused}{load}, 1, 'counted as refused');
	is($e->status->{rejects}{'4xx'}, 1, 'and as a 4xx reply');
}
done_testing();
