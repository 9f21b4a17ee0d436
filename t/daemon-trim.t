#!/usr/bin/perl
# Idle workers retired while a connection waits: the client is served.
# The idle workers are paused (SIGSTOP), a client connects, the supervisor
# retires all but one of them, and they go on: the waiting client gets
# its 220.  The narrower race this guards (the kernel wakes one worker
# per connection, EPOLLEXCLUSIVE, and the supervisor retires that worker
# before it accepted: worker.c must still take the connection, or no
# other worker is woken for it) cannot be forced from outside: a paused
# worker is not in epoll_wait, so every worker's set gets the connection.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use SmtpTest qw(wait_until);

my $d = SmtpTest->new(conf => [
	'PARAM BindAddress [127.0.0.1]',
	'PARAM MaxSameIpSource 1000',
	'PARAM min-idle-workers 1',
	'PARAM max-idle-workers 1',
]);
$d->start(idle => 1);

# the daemon's workers: its children named like it (not the AUTH helper)
sub workers {
	my @w;
	opendir(my $dh, '/proc') or return ();
	for my $p (grep { /^\d+$/ } readdir($dh)) {
		open(my $fh, '<', "/proc/$p/stat") or next;
		my $st = <$fh> // next;
		next unless $st =~ /^\d+ \(([^)]*)\) \S+ (\d+)/;
		push(@w, $p) if $1 eq 'smtpserver' && $2 == $d->{pid};
	}
	return @w;
}

for my $round (1 .. 3) {
	# a burst of sessions leaves surplus idle workers behind
	my @burst = grep { defined } map { $d->connect } 1 .. 6;
	SmtpTest::reply($_, 10) for @burst;
	close($_) for @burst;
	my @w = workers();
	kill('STOP', @w);
	my $c = $d->connect or die "connect: $!";
	# the supervisor retires the stopped surplus: all but one of them
	my $ok = wait_until(sub {
		my $wk = $d->status->{workers};
		return $wk->{idle} <= 1 && $wk->{exiting} >= 1;
	}, 15);
	ok($ok, "round $round: idle workers marked to go while stopped");
	kill('CONT', @w);
	like(SmtpTest::reply($c, 10) // '', qr/^220 /,
	    "round $round: the waiting client gets its 220");
	print $c "QUIT\r\n";
	close($c);
	ok(wait_until(sub { $d->status->{connections}{now} == 0 }, 10),
	    "round $round: released");
}
is($d->stop, 0, 'daemon stops cleanly');
done_testing();
