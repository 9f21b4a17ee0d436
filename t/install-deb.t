#!/usr/bin/perl
# The Debian package: `make deb` builds it (lintian finding nothing),
# dpkg -i installs it with the user, spool owners and a policy database,
# the unit stays disabled, the installed daemon started in the foreground
# with the packaged ZENV and configuration (plus a loopback listener, a
# free port and a test DNS server, never port 25) takes a message from
# swaks into the packaged spool, and a purge leaves no file behind.
# Root only; it purges the package at the end even when a test fails.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp qw(tempdir);
use IO::Select;
use POSIX ();
use Time::HiRes qw(time);
use SmtpTest ();
use TestDNS;

plan(skip_all => 'needs root') unless $> == 0;

my $src = SmtpTest::srcdir();
my $po = '/var/spool/postoffice';
my @ours = ('/etc/zmailer.conf', '/etc/zmailer', $po);
my ($installed, $daemon);
my $had_user = defined getpwnam('smtpserver');

# A machine that already has the package or its paths is not one to test
# on: the purge would take them.
my $st = `dpkg-query -W -f='\${db:Status-Status}' smtpserver 2>/dev/null`;
if ($st eq 'installed' || grep { -e $_ || -l $_ } @ours) {
	fail('no smtpserver package nor /etc/zmailer*, $po here: '
	    . 'purge it first');
	done_testing();
	exit(1);
}

# dpkg with its arguments; waits (bounded) while another dpkg holds the
# lock.  (exit status, output)
sub dpkg {
	my (@args) = @_;
	my ($rc, $out);
	for my $try (1 .. 60) {
		$out = `timeout 300 dpkg @args 2>&1`;
		$rc = $? >> 8;
		last unless $rc && $out =~ /\block\b.*\b(?:held|locked)\b/i;
		sleep(2);
	}
	return ($rc, $out);
}

# Every path under the trees a package writes, but the ones that change
# by themselves (dpkg's and apt's state, caches, logs) and the backups
# adduser makes of the user database.
sub files {
	my @skip = map { "-path $_ -prune" } qw(/var/lib/dpkg /var/lib/apt
	    /var/cache /var/log /var/tmp /etc/passwd- /etc/group-
	    /etc/shadow- /etc/gshadow-);
	my $expr = join(' -o ', @skip);
	return [ sort split(/\n/,
	    `find /etc /usr /var /opt /srv \\( $expr \\) -o -print 2>/dev/null`) ];
}

sub stop_daemon {
	return unless $daemon;
	kill('TERM', $daemon);
	my ($end, $gone) = (time + 40, 0);
	until ($gone || time > $end) {
		$gone = waitpid($daemon, POSIX::WNOHANG()) > 0;
		select(undef, undef, undef, 0.05) unless $gone;
	}
	unless ($gone) {
		kill('KILL', $daemon);
		waitpid($daemon, 0);
	}
	undef $daemon;
}

# Whatever happened: the daemon stopped, the package purged, what a
# broken purge would leave of the paths that were not there before
# removed, and the user this test made.
END {
	local $?;
	stop_daemon();
	if (defined $installed) {
		dpkg('--purge', 'smtpserver');
		system("dpkg-statoverride --remove '$_' 2>/dev/null")
		    for map { "$po/$_" } qw(public router freezer);
		system('rm', '-rf', @ours);
	}
	system('deluser --system --quiet smtpserver >/dev/null 2>&1')
	    if !$had_user && defined getpwnam('smtpserver');
}

# Build.
my $out;
{
	local %ENV = %ENV;
	delete @ENV{qw(MAKEFLAGS MAKELEVEL MFLAGS)};
	$out = `timeout 600 make -s -C '$src' deb 2>&1`;
}
is($?, 0, 'make deb builds the package and lintian finds nothing')
    or diag($out);
my ($deb) = grep { !/-dbgsym_/ } glob("$src/build-deb/smtpserver_*_*.deb");
ok($deb, '  build-deb/ holds it') or BAIL_OUT('no package');

# Install.
my $before = files();
$installed = 1;
my ($rc, $dout) = dpkg('-i', $deb);
is($rc, 0, 'dpkg -i installs it') or diag($dout);
my ($uid, $gid) = (getpwnam('smtpserver'))[2, 3];
ok(defined $uid && $uid > 0, '  with a system user "smtpserver"');
for my $d (qw(public router freezer)) {
	my @s = stat("$po/$d");
	is_deeply([ $s[2] & 07777, $s[4], $s[5] ], [ 0750, $uid, $gid ],
	    "  $po/$d: mode 0750, the user's");
}
my @s = stat($po);
is_deeply([ $s[2] & 07777, $s[4] ], [ 0755, 0 ], "  $po: root's, 0755");
ok(-f '/etc/zmailer/db/smtp-policy.gdbm',
    '  a policy database built from the sample sources');
ok(!-e '/etc/systemd/system/multi-user.target.wants/smtpserver.service',
    '  the unit is not enabled');
open(my $fh, '<', '/lib/systemd/system/smtpserver.service') or die;
my ($exec) = grep { /^ExecStart=/ } <$fh>;
is($exec, "ExecStart=/usr/sbin/smtpserver -F -Z /etc/zmailer.conf\n",
    '  the unit runs the installed binary with the installed ZENV');
$out = `/usr/sbin/smtpserver -K 2>&1`;
is($? >> 8, 0, 'smtpserver -K accepts the packaged configuration')
    or diag($out);

# Run.  The packaged configuration with a loopback listener and the test
# DNS server; the packaged ZENV (spool, user) and policy as they are.
my $dns = TestDNS::start(A => { 'example.org' => '127.0.0.1' },
    MX => { 'example.org' => 'mail.example.org' });
my $tmp = tempdir('smtpd-deb-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $conf = "$tmp/smtpserver.conf";
system("cp /etc/zmailer/smtpserver.conf '$conf'") == 0 or die;
open($fh, '>>', $conf) or die;
print $fh "PARAM BindAddress [127.0.0.1]\nPARAM dns-server 127.0.0.1\n",
    "PARAM dns-port $dns\nPARAM dns-timeout 10\n";
close($fh);

# The daemon in the foreground; its output until "listening on" (or it
# ends, or 20 s): (seen, text).
sub start_daemon {
	my ($port) = @_;
	pipe(my $r, my $w) or die "pipe: $!";
	$daemon = fork() // die "fork: $!";
	if ($daemon == 0) {
		close($r);
		open(STDIN, '<', '/dev/null');
		open(STDOUT, '>&', $w);
		open(STDERR, '>&', $w);
		exec('/usr/sbin/smtpserver', '-F', '-C', $conf, '-p', $port)
		    or POSIX::_exit(127);
	}
	close($w);
	my ($text, $end, $sel) = ('', time + 20, IO::Select->new($r));
	while (time < $end) {
		$sel->can_read($end - time) or last;
		sysread($r, my $chunk, 4096) or last;
		$text .= $chunk;
		return (1, $text) if $text =~ /listening on .*\n/;
	}
	return (0, $text);
}

my ($port, $seen, $text);
for my $try (1 .. 3) {	# another test may take the free port first
	$port = SmtpTest::free_port();
	($seen, $text) = start_daemon($port);
	last if $seen || $text !~ /Address already in use/;
	stop_daemon();
}
ok($seen, 'the installed daemon starts (-F)') or diag($text);
$out = `swaks --server 127.0.0.1:$port --from admin\@example.org \\
    --to postmaster\@localhost --timeout 30 2>&1`;
like($out, qr/^<-  250 2\.0\.0 Message accepted; S\S+\r?$/m,
    'swaks gets 250 for its message') or diag($out);
opendir(my $dh, "$po/router") or die;
my @spooled = grep { !/^\./ } readdir($dh);
is(scalar(@spooled), 1, "  which is in $po/router/");
@s = stat("$po/router/$spooled[0]") if @spooled;
is_deeply([ $s[2] & 07777, $s[4] ], [ 0600, $uid ],
    '  mode 0600, written by the "smtpserver" user');
$out = `/usr/sbin/smtpserverctl status 2>&1`;
like($out, qr/^ok\s+true$/m, 'smtpserverctl finds the control socket')
    or diag($out);
stop_daemon();

# Purge.
($rc, $dout) = dpkg('--purge', 'smtpserver');
is($rc, 0, 'dpkg --purge removes it') or diag($dout);
my $after = files();
my %b = map { $_ => 1 } @$before;
my %a = map { $_ => 1 } @$after;
is_deeply([ grep { !$b{$_} } @$after ], [], '  leaving no file behind');
is_deeply([ grep { !$a{$_} } @$before ], [], '  and taking none away');
is(`dpkg-statoverride --list '$po/*'`, '', '  nor a statoverride');
done_testing();
