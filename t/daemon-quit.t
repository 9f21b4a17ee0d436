#!/usr/bin/perl
# QUIT is an event of the session (SEV_QUIT) that the worker acts on:
# the client's count is released before its 221 goes out, so with
# MaxSameIpSource 1 a client that read 221 is admitted again at once,
# without waiting for the old worker to tidy up.  (Without the early
# release the new connection would race that tidying, which it mostly
# wins on an idle host: this guards the contract, it cannot force the
# race.)
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use SmtpTest qw(wait_until);

my $d = SmtpTest->new(conf => [
	'PARAM BindAddress [127.0.0.1]',
	'PARAM MaxSameIpSource 1',
	'PARAM min-idle-workers 4',
	'PARAM max-idle-workers 8',
]);
$d->start(idle => 4);

my $rounds = 10;
my ($quit_ok, $admitted) = (0, 0);
my $s = $d->connect(src => '127.0.0.2') or die "connect: $!";
SmtpTest::reply($s) =~ /^220 / or die 'no greeting';
for my $i (1 .. $rounds) {
	$quit_ok++ if (SmtpTest::cmd($s, 'QUIT') // '') =~ /^221 /;
	# the old connection stays open on our side: only QUIT released it
	my $n = $d->connect(src => '127.0.0.2') or die "connect: $!";
	my $r = SmtpTest::reply($n) // '';
	$admitted++ if $r =~ /^220 /;
	diag("round $i: $r") unless $r =~ /^220 /;
	close($s);
	$s = $n;
	last unless $r =~ /^220 /;
}
is($quit_ok, $rounds, 'every QUIT answered 221');
is($admitted, $rounds, 'after 221 the same IP is admitted again at once');
close($s);
ok(wait_until(sub { $d->status->{connections}{now} == 0 }, 10),
    'no count left once the clients are gone');
is($d->stop, 0, 'daemon stops cleanly');
done_testing();
