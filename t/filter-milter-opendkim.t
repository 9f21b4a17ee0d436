#!/usr/bin/perl
# The milter client against the real OpenDKIM (Debian opendkim) in verify
# mode: a key made by opendkim-genkey, published by the test DNS server
# (t/lib/TestDNS.pm) and found by opendkim through its resolver (unbound,
# ResolverConfiguration forwarding to that server); a message signed with
# opendkim-testmsg gets Authentication-Results "dkim=pass" in the spool
# file, the same message with its body changed "dkim=fail".
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use File::Temp qw(tempdir);
use IO::Socket::INET;
use POSIX ();
use Test::More;
use SmtpTest qw(wait_until);
use TestDNS;

for my $p (qw(/usr/sbin/opendkim /usr/sbin/opendkim-genkey
    /usr/sbin/opendkim-testmsg)) {
	-x $p or BAIL_OUT("$p missing: .ci/deps installs opendkim and "
	    . "opendkim-tools");
}
my $dir = tempdir('smtpd-opendkim-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod(0755, $dir);

sub put {
	my ($name, $text) = @_;
	open(my $fh, '>', "$dir/$name") or die "$dir/$name: $!";
	print $fh $text;
	close($fh);
}
sub slurp {
	open(my $fh, '<', $_[0]) or return '';
	local $/;
	return <$fh>;
}

# the key, and its TXT record (one string: a 1024-bit key fits in 255)
system('/usr/sbin/opendkim-genkey', '-b', '1024', '-d', 'example.org',
    '-s', 'test', '-D', $dir) == 0 or BAIL_OUT('opendkim-genkey failed');
my $rec = join('', slurp("$dir/test.txt") =~ /"([^"]*)"/g);
$rec =~ s/h=sha256; //; # opendkim-testmsg signs with rsa-sha1
like($rec, qr/^v=DKIM1; k=rsa; p=[A-Za-z0-9+\/=]+$/, 'key record made');
my $dns = TestDNS::start(TXT => { 'test._domainkey.example.org' => $rec });

my $port = SmtpTest::free_port();
put('unbound.conf', <<"EOF_UB");
server:
	do-not-query-localhost: no
	username: ""
	chroot: ""
	module-config: "iterator"
forward-zone:
	name: "."
	forward-addr: 127.0.0.1\@$dns
EOF_UB
put('opendkim.conf', <<"EOF_OD");
Mode v
Socket inet:$port\@127.0.0.1
Syslog no
LogWhy yes
PidFile $dir/opendkim.pid
ResolverConfiguration $dir/unbound.conf
AuthservID mx.test.example
InternalHosts 192.0.2.1
Background no
AlwaysAddARHeader yes
EOF_OD

my $pid = fork() // die "fork: $!";
if ($pid == 0) {
	POSIX::setpgid(0, 0);
	eval { require 'syscall.ph'; syscall(&SYS_prctl(), 1, 9) };
	open(STDIN, '<', '/dev/null');
	open(STDOUT, '>', "$dir/opendkim.out");
	open(STDERR, '>&', \*STDOUT);
	exec('/usr/sbin/opendkim', '-f', '-x', "$dir/opendkim.conf")
	    or POSIX::_exit(127);
}
END { local $?; if ($pid) { kill('KILL', -$pid); waitpid($pid, 0) } }
ok(wait_until(sub {
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
	    PeerPort => $port, Proto => 'tcp', Timeout => 1) or return 0;
	close($s);
	return 1;
}, 60), 'opendkim listens') or BAIL_OUT(slurp("$dir/opendkim.out"));

# a message signed with the key
put('msg.eml', "From: a\@example.org\r\nTo: b\@example.net\r\n"
    . "Subject: signed\r\nDate: Sun, 6 Dec 2026 19:00:00 +0000\r\n"
    . "Message-Id: <dkim-test\@example.org>\r\n\r\nHello, signed world.\r\n");
my $signed = `/usr/sbin/opendkim-testmsg -C -d example.org -s test -k $dir/test.private < $dir/msg.eml`;
like($signed, qr/^DKIM-Signature: v=1; /, 'message signed');

my $d = SmtpTest->new(conf => []);
$d->write_conf('PARAM BindAddress [127.0.0.1]',
    "PARAM milter opendkim inet:127.0.0.1:$port");
$d->start;

sub send_msg {
	my ($body) = @_;
	my %before = map { $_ => 1 } $d->spooled;
	my $s = $d->connect or die "connect: $!";
	SmtpTest::reply($s);
	SmtpTest::cmd($s, 'EHLO client.example');
	my $r = SmtpTest::message($s, from => 'a@example.org', body => $body);
	SmtpTest::cmd($s, 'QUIT');
	close($s);
	my @new = grep { !$before{$_} } $d->spooled;
	return ($r, @new ? slurp("$d->{po}/router/$new[0]") : '');
}

my ($r, $f) = send_msg($signed);
like($r, qr/^250 /, 'signed message accepted');
like($f, qr/^env-end\nAuthentication-Results: mx\.test\.example;\n\tdkim=pass /m,
    'Authentication-Results: dkim=pass, at the top of the spooled message')
    or diag($f, slurp("$dir/opendkim.out"));
(my $tampered = $signed) =~ s/signed world/tampered world/;
($r, $f) = send_msg($tampered);
like($r, qr/^250 /, 'tampered message accepted');
like($f, qr/^Authentication-Results: mx\.test\.example;\n\tdkim=fail /m,
    'Authentication-Results: dkim=fail');
like($f, qr/\n\nHello, tampered world\.\n\z/, 'body as sent');
ok((grep { /udp TXT test\._domainkey\.example\.org/ }
    TestDNS::queries($dns)), 'the key came from the test DNS server');

done_testing();
