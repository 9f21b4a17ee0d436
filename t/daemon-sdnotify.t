#!/usr/bin/perl
# systemd's notify protocol without systemd: the test owns the datagram
# socket named by NOTIFY_SOCKET and reads what the daemon says there:
# READY=1 once the listeners accept, STATUS= with the session count,
# RELOADING=1 (with MONOTONIC_USEC) then READY=1 around a reload, good
# or broken, WATCHDOG=1 when WATCHDOG_USEC asks for it, STOPPING=1.
# Also `systemd-analyze verify` on conf/smtpserver.service.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp qw(tempdir);
use IO::Select;
use IO::Socket::INET;
use Socket qw(SOCK_DGRAM);
use IO::Socket::UNIX;
use Time::HiRes qw(time);
use SmtpTest qw(wait_until);

my $dir = tempdir('sdnotify-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $path = "$dir/notify";
my $ns = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => $path)
    or die "notify socket: $!";
chmod(0666, $path);	# the supervisor is root, but say so anyway
my @seen;

# Wait (bounded) for a datagram matching re; every one read is kept.
sub expect_msg {
	my ($re, $timeout) = @_;
	my $sel = IO::Select->new($ns);
	my $end = time + ($timeout // 15);
	while (time < $end) {
		next unless $sel->can_read($end - time);
		my $m;
		defined($ns->recv($m, 4096)) or next;
		push(@seen, $m);
		return $m if $m =~ $re;
	}
	return undef;
}

local $ENV{NOTIFY_SOCKET} = $path;
local $ENV{WATCHDOG_USEC} = 400000;
my $d = SmtpTest->new(conf => [ 'PARAM BindAddress [127.0.0.1]' ]);
$d->start(nowait => 1);
my $ready = expect_msg(qr/^READY=1$/m);
ok($ready, 'READY=1') or diag(join("\n--\n", @seen), $d->log_text);
like($d->log_text, qr/listening on /, '  after "listening on"');
my $c = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
    PeerPort => $d->{port}, Timeout => 5);
ok($c, '  and the listener accepts');
like($ready // '', qr/^STATUS=0 sessions, generation 1$/m,
    '  with a STATUS line');
close($c) if $c;
$d->wait_ready(1);
ok(expect_msg(qr/^WATCHDOG=1$/m), 'WATCHDOG=1 with WATCHDOG_USEC set');

my $s = $d->connect;
like(SmtpTest::reply($s), qr/^220 /, 'a session');
ok(expect_msg(qr/^STATUS=1 session, generation 1$/m),
    'STATUS= counts it');
SmtpTest::cmd($s, 'QUIT');
close($s);
ok(expect_msg(qr/^STATUS=0 sessions, generation 1$/m),
    'STATUS= when it is over');

kill('HUP', $d->{pid});
my $rl = expect_msg(qr/^RELOADING=1$/m);
ok($rl, 'RELOADING=1 on SIGHUP');
like($rl // '', qr/^MONOTONIC_USEC=\d+$/m, '  with MONOTONIC_USEC');
like(expect_msg(qr/^READY=1$/m) // '', qr/^STATUS=0 sessions, generation 2$/m,
    '  then READY=1, generation 2');

$d->write_conf('PARAM BindAddress [127.0.0.1]', 'PARAM maxsize bogus');
kill('HUP', $d->{pid});
ok(expect_msg(qr/^RELOADING=1$/m), 'RELOADING=1 on a broken reload');
like(expect_msg(qr/^READY=1$/m) // '',
    qr/^STATUS=last reload failed, old configuration kept; 0 sessions, generation 2$/m,
    '  then READY=1 (the old one serves) and the failure in STATUS');

kill('TERM', $d->{pid});
ok(expect_msg(qr/^STOPPING=1$/m), 'STOPPING=1 on SIGTERM');
is($d->wait_exit(30), 0, 'the daemon stopped');

# The unit: verified as systemd would load it (no systemd need run).
SKIP: {
	my $sa = '/usr/bin/systemd-analyze';
	skip('no systemd-analyze', 2) unless -x $sa;
	my $src = SmtpTest::srcdir() . '/conf/smtpserver.service';
	my $bin = SmtpTest::binary();
	open(my $in, '<', $src) or die "$src: $!";
	open(my $out, '>', "$dir/smtpserver.service") or die;
	while (<$in>) {	# its binary must exist for verify
		s{^ExecStart=/usr/sbin/smtpserver}{ExecStart=$bin};
		print $out $_;
	}
	close($out);
	my $o = `$sa verify --man=no $dir/smtpserver.service 2>&1`;
	is($?, 0, 'systemd-analyze verify: exit 0');
	is($o, '', '  and no complaint') or diag($o);
}
done_testing();
