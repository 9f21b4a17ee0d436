#!/usr/bin/perl
# MaxSameIpSource N across workers: N sessions from one IP get 220, the
# next ones the 450 text while they are open, and beyond 4N the connection
# is closed without a word; another IP is served all along.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use SmtpTest qw(wait_until);

my $N = 2;
my $d = SmtpTest->new(conf => [
	'PARAM BindAddress [127.0.0.1]',
	"PARAM MaxSameIpSource $N",
	'PARAM MaxParallelConnections 50',
	'PARAM min-idle-workers 12',
	'PARAM max-idle-workers 20',
]);
$d->start(idle => 12);

my @held;
for my $i (1 .. $N) {
	my $s = $d->connect(src => '127.0.0.2') or die "connect: $!";
	like(SmtpTest::reply($s), qr/^220 /, "session $i from 127.0.0.2: 220");
	push(@held, $s);
}
my $r = SmtpTest::reply(my $s = $d->connect(src => '127.0.0.2'));
my $n = $N + 1;
is($r, "450-4.7.1 Come again later\r\n" .
    "450-4.7.1 Ask HELP for our contact information.\r\n" .
    "450 4.7.1 Too many simultaneous connections from same IP address " .
    "($n max $N)\r\n", 'session N+1: the 450 text, word for word');
push(@held, $s);
for my $i ($N + 2 .. 4 * $N) {
	my $s = $d->connect(src => '127.0.0.2');
	like(SmtpTest::reply($s), qr/^450 4\.7\.1 Too many .* \($i max $N\)/m,
	    "connection $i of 4N: 450");
	push(@held, $s);
}
$s = $d->connect(src => '127.0.0.2');
is(SmtpTest::reply($s), undef, 'connection 4N+1: closed without a word');
my $o = $d->connect(src => '127.0.0.3');
like(SmtpTest::reply($o), qr/^220 /, 'another IP is still served');
like(SmtpTest::cmd($o, 'QUIT'), qr/^221/, 'and can QUIT');

my $st = $d->status;
is($st->{connections}{refused}{sameip_450}, 3 * $N, 'status: 450s');
is($st->{connections}{refused}{sameip_close}, 1, 'status: silent close');

close($_) for @held, $s, $o;
ok(wait_until(sub { $d->status->{connections}{now} == 0 }, 10),
    'every count released once the clients are gone');
$s = $d->connect(src => '127.0.0.2');
like(SmtpTest::reply($s), qr/^220 /, 'the IP is admitted again');
close($s);
like($d->log_text, qr/refused \[127\.0\.0\.2\].*MaxSameIpSource/,
    'refusals are logged with their reason');
is($d->stop, 0, 'daemon stops cleanly');
done_testing();
