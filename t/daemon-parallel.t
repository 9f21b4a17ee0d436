#!/usr/bin/perl
# MaxParallelConnections counted across two listeners and many IPs: the
# limit is admitted, over it by up to 100 gets the 450 text, beyond that
# the connection is closed without a word.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use SmtpTest qw(wait_until);

my $M = 3;
my $p2 = SmtpTest::free_port();
my $d = SmtpTest->new(conf => [
	'PARAM BindAddress [127.0.0.1]',
	"PARAM MaxParallelConnections $M",
	'PARAM MaxSameIpSource 1000',
	'PARAM min-idle-workers 200',	# the pool is capped at M + 101
	'PARAM max-idle-workers 200',
	'PARAM newgroup second',
	"PARAM BindSmtp [127.0.0.1] $p2",
]);
$d->start(idle => $M + 101);
my $st = $d->status;
is($st->{workers}{total}, $M + 101, 'pool capped at limit + 101 workers');

my @held;
for my $i (1 .. $M) {
	my $s = $d->connect(src => "127.0.0.$i", port => $i % 2 ? undef : $p2);
	like(SmtpTest::reply($s), qr/^220 /, "session $i: 220");
	push(@held, $s);
}
my $s = $d->connect(src => '127.0.0.9', port => $p2);
my $n = $M + 1;
is(SmtpTest::reply($s), "450-4.7.1 Ask HELP for our contact information.\r\n" .
    "450-4.7.1 Come again later\r\n" .
    "450 4.7.1 Too many simultaneous connections to this server " .
    "($n max $M)\r\n", 'limit + 1 on the other listener: the 450 text');
push(@held, $s);

# 99 more at once, from many sources, on both listeners: all 450
my @more = map { $d->connect(src => '127.0.1.' . ($_ % 250 + 1),
    port => $_ % 2 ? $p2 : undef) } 1 .. 99;
my $bad = grep { (SmtpTest::reply($_) // '') !~ /^450 4\.7\.1 Too many/m }
    @more;
is($bad, 0, 'limit + 2 .. limit + 100: 450');
push(@held, @more);
$s = $d->connect(src => '127.0.0.10');
is(SmtpTest::reply($s), undef, 'limit + 101: closed without a word');
$st = $d->status;
is($st->{connections}{refused}{total_450}, 100, 'status: 100 times 450');
is($st->{connections}{refused}{total_close}, 1, 'status: 1 silent close');
close($_) for @held, $s;
ok(wait_until(sub { $d->status->{connections}{now} == 0 }, 10),
    'all released');
$s = $d->connect(port => $p2);
like(SmtpTest::reply($s), qr/^220 /, 'admitted again');
close($s);
is($d->stop, 0, 'daemon stops cleanly');
done_testing();
