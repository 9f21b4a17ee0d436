#!/usr/bin/perl
# Connections refused with 450 hold no place under MaxParallelConnections:
# two addresses that keep reconnecting over their MaxSameIpSource (each
# keeping 4N connections open, N of them sessions) never shut a third
# address out, although together they hold twice the global limit open.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use IO::Select;
use POSIX ();
use Time::HiRes qw(time);
use SmtpTest qw(wait_until);

my $N = 2;
my $M = 8;	# 2 flooders x 4N open = 16 connections, 4 of them sessions
my $d = SmtpTest->new(conf => [
	'PARAM BindAddress [127.0.0.1]',
	"PARAM MaxSameIpSource $N",
	"PARAM MaxParallelConnections $M",
	'PARAM min-idle-workers 24',
	'PARAM max-idle-workers 40',
]);
$d->start(idle => 24);

# A flooder keeps 4N connections from src open: whenever the daemon
# closes one (a 450 ends in the daemon's close), it connects again at
# once.  It stops when the parent closes the pipe, or after 90 s.
sub flooder {
	my ($src, $stop) = @_;
	my $sel = IO::Select->new($stop);
	my %open;
	my $end = time + 90;
	while (time < $end) {
		while (keys(%open) < 4 * $N) {
			my $s = $d->connect(src => $src) or last;
			$open{fileno($s)} = $s;
			$sel->add($s);
		}
		for my $r ($sel->can_read(1)) {
			return if $r == $stop;
			next if sysread($r, my $junk, 4096);
			$sel->remove($r);
			delete $open{fileno($r)};
			close($r);
		}
	}
}

pipe(my $stop_r, my $stop_w) or die;
my @kids;
for my $src ('127.0.0.2', '127.0.0.3') {
	my $pid = fork() // die;
	if ($pid == 0) {
		close($stop_w);
		flooder($src, $stop_r);
		POSIX::_exit(0);
	}
	push(@kids, $pid);
}
close($stop_r);

ok(wait_until(sub {
	my $c = $d->status->{connections};
	return $c->{now} >= 3 * $N * 2 && $c->{refused}{sameip_450} >= 20;
}, 30), 'two addresses flood: many connections open, many refused');

# the third address is 127.0.0.1 (in /etc/hosts: no DNS query per try)
my $served = 0;
my $TRIES = 20;
for my $i (1 .. $TRIES) {
	my $s = $d->connect(src => '127.0.0.1');
	my $r = $s ? SmtpTest::reply($s) // '' : '';
	if ($r =~ /^220 /) {
		$served++ if (SmtpTest::cmd($s, 'QUIT') // '') =~ /^221/;
	} else {
		diag("try $i: " . ($r =~ s/\r?\n.*//sr || 'no reply'));
	}
	close($s) if $s;
}
is($served, $TRIES, "a third address is served every time ($TRIES tries)");
my $st = $d->status;
ok($st->{connections}{sessions} <= $M,
    'sessions stay within MaxParallelConnections');
is($st->{connections}{refused}{total_450}, 0,
    'nobody was told the server is full');

close($stop_w);
waitpid($_, 0) for @kids;
ok(wait_until(sub { $d->status->{connections}{now} == 0 }, 20),
    'every count released once the flooders are gone');
is($d->stop, 0, 'daemon stops cleanly');
done_testing();
