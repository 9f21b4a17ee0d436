#!/usr/bin/perl
# make bench cannot rot: `t/bench/run --smoke` (one round of 20 messages
# per 1 KB load, our daemon and, as root, a private Postfix) runs to its
# end, prints its tables (rates with every message stored, the smtp-sink
# ceiling, our spool alone, costs), and leaves no server
# running, no bench directory and nothing configured under /etc/postfix.
# Nothing here looks at how fast anything was.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use POSIX qw(:sys_wait_h);
use Time::HiRes qw(time sleep);
use SmtpTest qw(wait_until);

my $root = $> == 0;
my $main_cf = -e '/etc/postfix/main.cf';

# the bench with a deadline: TERM (it stops its servers) then KILL
sub run_bench {
	my $out = SmtpTest::build() . '/bench-smoke.out';
	my $pid = fork() // die "fork: $!";
	if ($pid == 0) {
		open(STDOUT, '>', $out) or POSIX::_exit(126);
		open(STDERR, '>&', \*STDOUT);
		exec("$FindBin::Bin/bench/run", '--smoke', SmtpTest::build())
		    or POSIX::_exit(127);
	}
	my $status;
	for my $sig ('TERM', 'KILL') {
		last if wait_until(sub { waitpid($pid, WNOHANG) == $pid }, 90);
		kill($sig, $pid);
	}
	$status = $?;
	open(my $fh, '<', $out) or die "$out: $!";
	local $/;
	return ($status, scalar <$fh>);
}

my ($status, $out) = run_bench();
is($status, 0, 'the bench exits 0') or diag($out);

sub cells { return [ map { s/^\s+|\s+$//gr } split(/\|/, $_[0]) ] }
# the rows of the table whose first heading is $head
sub table {
	my ($head) = @_;
	my ($t) = $out =~ /^\| \Q$head\E\s*\|.*\n\|[-|]+\n((?:\|.*\n)*)/m;
	return map { cells($_) } split(/\n/, $t // '');
}
my @rates = map { cells($_) } $out =~ /^(\| 1 KB, .*\|\s+20 \|.*)$/mg;
is(scalar(@rates), 4, 'four loads in the rate table');
for my $r (@rates) {
	like($r->[3], qr/^\d+$/, "$r->[1]: ours msg/s");
	like($r->[4], $root ? qr/^\d+$/ : qr/^-$/, "$r->[1]: Postfix msg/s");
	is($r->[6], 'yes', "$r->[1]: every message stored");
}

# the ceiling: smtp-sink comes with smtp-source (Debian's postfix)
my @ceil = table('ceiling: smtp-sink, no disk');
is(scalar(@ceil), 4, 'four loads in the smtp-sink ceiling table')
    or diag($out);
for my $r (@ceil) {
	like($r->[2], qr/^\d+$/, "$r->[1]: smtp-sink msg/s");
	like($r->[3], qr/^\d+\.\d\d$/, "$r->[1]: ours/smtp-sink");
}

# our spool alone, a writer per session: what durability costs here
my @floor = table('spool alone: no SMTP, a writer a session');
is(scalar(@floor), 3, 'three loads in the spool-alone table') or diag($out);
for my $r (@floor) {
	like($r->[2], qr/^\d+$/, "$r->[1]: spool files/s");
	like($r->[3], qr/^\d+\.\d{3}$/, "$r->[1]: CPU ms per file");
	like($r->[4], qr/^\d+\.\d\d$/, "$r->[1]: ours/spool alone");
}
ok(-e SmtpTest::build() . '/t/bench/spoolbench', 'spoolbench is built');

my %cost = map { my $c = cells($_); ($c->[1] => $c) }
    $out =~ /^(\| (?:CPU ms|ctxsw|syscalls|RSS|PSS).*)$/mg;
is(scalar(keys %cost), 11, 'eleven rows in the cost table');
my $num = qr/^\d+(?:\.\d+)?$/;
for my $row ('CPU ms, 1 KB, 1 session', 'ctxsw, 1 KB, 10 sessions', 'RSS kB per idle session',
    'PSS kB per idle session', 'syscalls (strace -c -f), 1 KB, 10 sessions') {
	like($cost{$row}[2] // '', $num, "$row: ours");
	like($cost{$row}[3] // '', $root ? $num : qr/^-$/, "$row: Postfix");
}
like($out, qr/^idle sessions measured: .*ours 3\b/m, 'three idle sessions');

my ($dir) = $out =~ /^servers stopped, (\S+) removed$/m;
ok($dir && !-e $dir, 'the bench directory is removed');
my ($pids) = $out =~ /^pids: (.*)$/m;
my %pid = split(/[ ,]+/, $pids // '');
ok($pid{ours}, 'our daemon had a pid');
ok($pid{Postfix}, 'the Postfix master had a pid') if $root;
ok($pid{'smtp-sink'}, 'smtp-sink had a pid');
for my $name (sort keys %pid) {
	my $gone = wait_until(sub {
		open(my $fh, '<', "/proc/$pid{$name}/stat") or return 1;
		return (<$fh> // '') =~ /\)\s+Z/;
	}, 10);
	ok($gone, "$name is not running");
}
is(-e '/etc/postfix/main.cf', $main_cf, '/etc/postfix/main.cf untouched');
done_testing;
