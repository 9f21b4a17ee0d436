#!/usr/bin/perl
# Reload and the size of the pool: a reload that raises
# MaxParallelConnections far beyond its start-up value is served in full
# (the scoreboard has room for what a reload may ask), and a reload that
# changes a PARAM which takes effect only at start-up is refused, with
# the PARAM named in the answer and the log.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use IO::Select;
use Time::HiRes qw(time);
use SmtpTest qw(wait_until);

my @base = ('PARAM BindAddress [127.0.0.1]', 'PARAM MaxSameIpSource 1000',
	'PARAM min-idle-workers 4', 'PARAM max-idle-workers 400');
my $d = SmtpTest->new(conf => [@base, 'PARAM MaxParallelConnections 2']);
$d->start(idle => 4);
my $slots = $d->status->{workers}{slots};

$d->write_conf(@base, 'PARAM MaxParallelConnections 500');
my ($out, $rc) = $d->ctl('reload');
is($rc, 0, 'reload from 2 to 500: ok');
like($d->log_text, qr/MaxParallelConnections: 2 -> 500/,
    'the log says what changed');

# More clients than the start-up scoreboard had slots: every one is
# served.  Connect them all, then collect the greetings.  (From
# 127.0.0.1, whose name is in /etc/hosts: no DNS query per session.)
my $K = $slots + 50;
my @c;
for my $i (1 .. $K) {
	my $s = $d->connect or last;
	push(@c, $s);
}
is(scalar(@c), $K, "$K clients connected");
my %got;
my $sel = IO::Select->new(@c);
my $end = time + 60;
while ($sel->count && time < $end) {
	for my $s ($sel->can_read(1)) {
		my $r = SmtpTest::reply($s, 5) // 'none';
		$got{substr($r, 0, 4)}++;
		$sel->remove($s);
	}
}
is($got{'220 '} // 0, $K,
    "all $K get their 220 (the start-up size was $slots slots)")
    or diag(explain(\%got));
ok($d->status->{workers}{slots} >= 2 * 601, 'the scoreboard grew');
close($_) for @c;
ok(wait_until(sub { $d->status->{connections}{now} == 0 }, 30),
    'all released');

# A PARAM that needs a restart: the reload is refused as a whole.
$d->write_conf(@base, 'PARAM MaxParallelConnections 500',
    'PARAM control-socket-mode 0640', 'PARAM hdr220 changed');
($out, $rc) = $d->ctl('reload');
isnt($rc, 0, 'reload with a restart-only change exits non-zero');
like($out, qr/control-socket-mode.*needs a restart/,
    'and names the PARAM');
like($d->log_text, qr/reload refused: .*control-socket-mode.*needs a restart/,
    'so does the log');
is($d->status->{config}{generation}, 2, 'generation unchanged');
my $s = $d->connect;
unlike(SmtpTest::reply($s) // '', qr/changed/, 'the old config serves');
close($s);
is($d->stop, 0, 'daemon stops cleanly');
done_testing();
