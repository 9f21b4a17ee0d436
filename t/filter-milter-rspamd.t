#!/usr/bin/perl
# The milter client against the real rspamd (Debian rspamd): the test
# starts its own rspamd (a config directory of its own, with local.d
# files: a proxy worker in milter mode on a loopback port, a normal
# worker, DNS to the test DNS server, no network look-ups, no redis).
# A GTUBE message is rejected at the end of data; a normal message is
# accepted with rspamd's headers in the spool file; rspamd stopped gives
# the default action (451).
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use File::Temp qw(tempdir);
use IO::Socket::INET;
use POSIX ();
use Test::More;
use SmtpTest qw(wait_until);
use TestDNS;

my $rspamd = '/usr/bin/rspamd';
-x $rspamd or BAIL_OUT("$rspamd missing: .ci/deps installs rspamd");
my $dns = TestDNS::start();
my $dir = tempdir('smtpd-rspamd-XXXXXX', TMPDIR => 1, CLEANUP => 1);
mkdir("$dir/$_") for qw(local.d db run log);
my ($normal, $proxy) = (SmtpTest::free_port(), SmtpTest::free_port());
$proxy = SmtpTest::free_port() while $proxy == $normal;

sub put {
	my ($name, $text) = @_;
	open(my $fh, '>', "$dir/$name") or die "$dir/$name: $!";
	print $fh $text;
	close($fh);
}

put('rspamd.conf', <<"EOF_CONF");
.include "\$CONFDIR/common.conf"
options {
    pidfile = "\$RUNDIR/rspamd.pid";
    .include "\$CONFDIR/options.inc"
    .include(try=true; priority=1,duplicate=merge) "\$LOCAL_CONFDIR/local.d/options.inc"
}
logging {
    type = "file";
    filename = "\$LOGDIR/rspamd.log";
    level = "info";
}
worker "normal" {
    bind_socket = "127.0.0.1:$normal";
    .include "\$CONFDIR/worker-normal.inc"
    count = 1;
}
worker "rspamd_proxy" {
    bind_socket = "127.0.0.1:$proxy";
    milter = yes;
    timeout = 120s;
    upstream "local" {
        default = yes;
        hosts = "127.0.0.1:$normal";
    }
    count = 1;
}
EOF_CONF
put('local.d/options.inc', "dns { nameserver = [\"127.0.0.1:$dns\"]; "
    . "timeout = 1s; retransmits = 1; }\n");
put('local.d/milter_headers.conf', <<'EOF_MH');
use = ["x-spamd-result", "x-rspamd-server", "x-rspamd-queue-id"];
skip_local = false;
skip_authenticated = false;
EOF_MH
put('local.d/redis.conf', "# no redis\n");
put("local.d/$_.conf", "enabled = false;\n")
    for qw(rbl fuzzy_check phishing multimap surbl emails asn);

my $pid = fork() // die "fork: $!";
if ($pid == 0) {
	POSIX::setpgid(0, 0);
	eval { require 'syscall.ph'; syscall(&SYS_prctl(), 1, 9) };
	open(STDIN, '<', '/dev/null');
	open(STDOUT, '>', "$dir/log/stdout");
	open(STDERR, '>&', \*STDOUT);
	exec($rspamd, '-f', ($> == 0 ? ('-i') : ()), '-c', "$dir/rspamd.conf",
	    "--var=LOCAL_CONFDIR=$dir", "--var=DBDIR=$dir/db",
	    "--var=RUNDIR=$dir/run", "--var=LOGDIR=$dir/log")
	    or POSIX::_exit(127);
}
END { local $?; if ($pid) { kill('KILL', -$pid); waitpid($pid, 0) } }

sub listening {
	my ($port) = @_;
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
	    PeerPort => $port, Proto => 'tcp', Timeout => 1) or return 0;
	close($s);
	return 1;
}
sub rspamd_log {
	open(my $fh, '<', "$dir/log/rspamd.log") or return '';
	local $/;
	return <$fh>;
}
# rspamd loads its rules for a while (hyperscan) before it listens
ok(wait_until(sub { listening($normal) && listening($proxy) }, 240),
    'rspamd listens (normal and milter proxy workers)')
    or BAIL_OUT("rspamd did not start:\n" . rspamd_log());

my $d = SmtpTest->new(conf => []);
$d->write_conf('PARAM BindAddress [127.0.0.1]',
    "PARAM milter rspamd inet:127.0.0.1:$proxy",
    'PARAM milter-eom-timeout 60');
$d->start;

sub send_msg {
	my ($body) = @_;
	my %before = map { $_ => 1 } $d->spooled;
	my $s = $d->connect or die "connect: $!";
	SmtpTest::reply($s);
	SmtpTest::cmd($s, 'EHLO client.example');
	my $r = SmtpTest::message($s, body => $body);
	SmtpTest::cmd($s, 'QUIT');
	close($s);
	my @new = grep { !$before{$_} } $d->spooled;
	my $text;
	if (@new && open(my $fh, '<', "$d->{po}/router/$new[0]")) {
		local $/;
		$text = <$fh>;
	}
	return ($r, $text);
}

my $hdrs = "From: a\@example.org\r\nTo: b\@example.net\r\n"
    . "Date: Sun, 6 Dec 2026 19:00:00 +0000\r\n"
    . "Message-Id: <milter-test\@example.org>\r\n";
my ($r, $f) = send_msg($hdrs . "Subject: spam\r\n\r\n"
    . "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X\r\n");
like($r, qr/^5\d\d 5\.\d+\.\d+ /, 'GTUBE: rejected at the end of data')
    or diag(rspamd_log());
is($f, undef, 'GTUBE: nothing spooled');
like(rspamd_log(), qr/gtube/i, 'rspamd saw GTUBE');

($r, $f) = send_msg($hdrs . "Subject: lunch\r\n\r\nShall we have lunch"
    . " on Tuesday?\r\n");
like($r, qr/^250 /, 'a normal message: accepted');
like($f // '', qr/^X-Spamd-Result: default: False \[/m,
    "rspamd's X-Spamd-Result header in the spool file");
like($f // '', qr/^X-Rspamd-Server: /m, 'X-Rspamd-Server too');
like($f // '', qr/^X-Rspamd-Queue-Id: /m, 'X-Rspamd-Queue-Id too');
like($f // '', qr/\n\nShall we have lunch on Tuesday\?\n\z/,
    'the body is untouched');

# rspamd stopped: the default action
kill('KILL', -$pid);
waitpid($pid, 0);
$pid = 0;
($r, $f) = send_msg($hdrs . "Subject: later\r\n\r\nx\r\n");
like($r // 'MAIL refused', qr/^451 4\.7\.1 |MAIL refused/,
    'rspamd stopped: tempfail');
is($f, undef, '... nothing spooled');

done_testing();
