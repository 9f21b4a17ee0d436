#!/usr/bin/perl
# PROXY protocol (PARAM proxy-protocol) behind a real HAProxy started here:
# v1 (send-proxy), v2 (send-proxy-v2) and v2 with TLVs (unique-id, crc32c).
# Clients bound to 127.0.0.x reach HAProxy, which connects from 127.0.0.1:
# the spool's rcvdfrom and MaxSameIpSource see the real client; a header
# from a network not allowed, a malformed one or none at all => closed.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use IO::Socket::INET;
use POSIX qw(setpgid);
use SmtpTest qw(wait_until);

my $haproxy = (grep { -x } map { "$_/haproxy" } split(/:/, $ENV{PATH}),
    '/usr/sbin', '/sbin')[0];
plan(skip_all => 'haproxy not installed (Debian haproxy, .ci/deps)')
    unless $haproxy;

my $N = 2;
my $pp = SmtpTest::free_port();
my $d = SmtpTest->new(conf => [
	'PARAM BindAddress [127.0.0.1]',
	"PARAM MaxSameIpSource $N",
	'PARAM min-idle-workers 8',
	'PARAM max-idle-workers 12',
	'PARAM newgroup lb',
	"PARAM BindSmtp [127.0.0.1] $pp",
	'PARAM proxy-protocol 127.0.0.1/32 ::1',
	'PARAM proxy-protocol-timeout 2',
]);
$d->start(idle => 8);

# HAProxy: one frontend per header kind, a monitor for readiness
my %fe = map { $_ => SmtpTest::free_port() } qw(v1 v2 tlv mon v6a v6b);
# an IPv6 client in front, when this host has ::1
my $has6 = eval { require IO::Socket::IP; 1 };
my $probe6 = $has6 && IO::Socket::IP->new(Listen => 1, LocalHost => '::1',
    LocalPort => 0);
close($probe6) if $probe6;
my $v6fe = $probe6 ? <<"V6" : '';
frontend v6a
	bind [::1]:$fe{v6a}
	default_backend v1
frontend v6b
	bind [::1]:$fe{v6b}
	default_backend v2
V6
my $hdir = $d->{dir};
open(my $hc, '>', "$hdir/haproxy.cfg") or die;
print $hc <<"CFG";
global
	maxconn 200
defaults
	mode tcp
	timeout connect 5s
	timeout client 60s
	timeout server 60s
frontend mon
	mode http
	bind 127.0.0.1:$fe{mon}
	monitor-uri /ok
frontend v1
	bind 127.0.0.1:$fe{v1}
	default_backend v1
frontend v2
	bind 127.0.0.1:$fe{v2}
	default_backend v2
frontend tlv
	bind 127.0.0.1:$fe{tlv}
	unique-id-format %{+X}o%ci-%cp-%fp-%rt
	default_backend tlv
${v6fe}backend v1
	server s 127.0.0.1:$pp send-proxy
backend v2
	server s 127.0.0.1:$pp send-proxy-v2
backend tlv
	server s 127.0.0.1:$pp send-proxy-v2 proxy-v2-options unique-id,crc32c
CFG
close($hc);
my $hpid = fork() // die "fork: $!";
if ($hpid == 0) {
	setpgid(0, 0);
	eval { require 'syscall.ph'; syscall(&SYS_prctl(), 1, 9) };
	open(STDIN, '<', '/dev/null');
	open(STDOUT, '>', "$hdir/haproxy.log");
	open(STDERR, '>&', \*STDOUT);
	exec($haproxy, '-db', '-f', "$hdir/haproxy.cfg") or POSIX::_exit(127);
}
END { local $?; if ($hpid) { kill('TERM', $hpid); waitpid($hpid, 0) } }
ok(wait_until(sub {
	my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$fe{mon}",
	    Timeout => 2) or return 0;
	print $s "GET /ok HTTP/1.0\r\n\r\n";
	my $r = <$s> // '';
	return $r =~ / 200 /;
}, 20), 'haproxy is up') or diag(`cat $hdir/haproxy.log`);

sub hello {
	my ($s) = @_;
	my $r = SmtpTest::reply($s) // '';
	return $r =~ /^220 / ? SmtpTest::cmd($s, 'EHLO client.example') : $r;
}

# 1. each header kind: the real client is in the envelope
my $i = 10;
for my $kind (qw(v1 v2 tlv)) {
	my $src = '127.0.0.' . ++$i;
	my $before = () = $d->spooled;
	my $s = $d->connect(src => $src, port => $fe{$kind});
	like(hello($s), qr/^250/, "$kind from $src: EHLO 250");
	like(SmtpTest::message($s), qr/^250/, "$kind: message accepted");
	like(SmtpTest::cmd($s, 'QUIT'), qr/^221/, "$kind: QUIT");
	close($s);
	my @f = $d->spooled;
	is(scalar(@f), $before + 1, "$kind: one more spool file");
	my $txt = join('', map {
		open(my $fh, '<', "$d->{po}/router/$_") or ();
		local $/; <$fh> // '' } @f);
	like($txt, qr/^rcvdfrom \S+ \(\[\Q$src\E\]:\d+ /m,
	    "$kind: rcvdfrom shows the client $src, not the proxy");
	like($d->log_text, qr/event=proxy proxy=127\.0\.0\.1 version=\d client=\Q$src\E /,
	    "$kind: the proxy line names proxy and client");
}
like($d->log_text, qr/event=proxy proxy=127\.0\.0\.1 version=2 client=127\.0\.0\.13 port=\d+ tlvs=[1-9]/,
    'the v2 TLVs were seen and skipped');

# 1b. an IPv6 client in front of an IPv4 hop: v1 TCP6 and v2 INET6
SKIP: {
	skip('no IPv6 loopback', 6) unless $probe6;
	for my $kind (qw(v6a v6b)) {
		my $s = IO::Socket::IP->new(PeerHost => '::1',
		    PeerPort => $fe{$kind}, Timeout => 5);
		like(hello($s), qr/^250/, "$kind from ::1: EHLO 250");
		like(SmtpTest::message($s), qr/^250/, "$kind: message accepted");
		like(SmtpTest::cmd($s, 'QUIT'), qr/^221/, "$kind: QUIT");
	}
	my $txt = join('', map {
		open(my $fh, '<', "$d->{po}/router/$_") or ();
		local $/; <$fh> // '' } $d->spooled);
	like($txt, qr/^rcvdfrom .*\[IPv6:::1\]/mi,
	    'rcvdfrom shows the IPv6 client');
	like($d->log_text, qr/event=proxy proxy=127\.0\.0\.1 version=1 client=::1 /,
	    'v1 TCP6 header read');
	like($d->log_text, qr/event=proxy proxy=127\.0\.0\.1 version=2 client=::1 /,
	    'v2 INET6 header read');
}

# 2. MaxSameIpSource counts the real client, not the proxy
my @held;
for my $k (1 .. $N) {
	my $s = $d->connect(src => '127.0.0.20', port => $fe{v2});
	like(SmtpTest::reply($s), qr/^220 /, "127.0.0.20 session $k via proxy: 220");
	push(@held, $s);
}
my $s = $d->connect(src => '127.0.0.20', port => $fe{v1});
like(SmtpTest::reply($s) // '', qr/^450 4\.7\.1 Too many simultaneous connections from same IP/m,
    'session N+1 of 127.0.0.20 through the proxy: 450 same-IP');
push(@held, $s);
$s = $d->connect(src => '127.0.0.21', port => $fe{v2});
like(SmtpTest::reply($s) // '', qr/^220 /, 'another client through the same proxy: 220');
push(@held, $s);
like($d->log_text, qr/refused \[127\.0\.0\.20\]:\d+ on .*MaxSameIpSource/,
    'the refusal names the real client');
close($_) for @held;

# 3. a sender outside the allowed networks: closed without a word
$s = $d->connect(src => '127.0.0.5', port => $pp);
print $s "PROXY TCP4 192.0.2.1 127.0.0.1 1234 25\r\n" if $s;
is(SmtpTest::reply($s), undef, 'PROXY header from 127.0.0.5 (not allowed): closed');
like($d->log_text, qr/refused \[127\.0\.0\.5\]:\d+ on .*reason=proxy-not-allowed/,
    'logged as proxy-not-allowed');

# 4. malformed headers from an allowed sender: closed, the daemon lives on
my @bad = (
	[ 'no header', "EHLO x\r\n" ],
	[ 'v1 bad address', "PROXY TCP4 1.2.3 127.0.0.1 1 2\r\n" ],
	[ 'v1 too long', 'PROXY TCP4 ' . ('1' x 120) . "\r\n" ],
	[ 'v1 port out of range', "PROXY TCP4 1.2.3.4 127.0.0.1 70000 25\r\n" ],
	[ 'v2 wrong version', "\r\n\r\n\0\r\nQUIT\n\x31\x11\0\x0c" . "\0" x 12 ],
	[ 'v2 TLV overrun', "\r\n\r\n\0\r\nQUIT\n\x21\x11\0\x10" .
	    "\x7f\0\0\x02\x7f\0\0\x01\x04\xd2\0\x19" . "\x04\0\x09\0" ],
	[ 'v2 short address', "\r\n\r\n\0\r\nQUIT\n\x21\x21\0\x04\0\0\0\0" ],
	[ 'silence (timeout)', '' ],
);
for my $b (@bad) {
	my $c = $d->connect(src => '127.0.0.1', port => $pp);
	print $c $b->[1];
	is(SmtpTest::reply($c, 15), undef, "$b->[0]: closed without a reply");
	close($c);
}
like($d->log_text, qr/reason=proxy-header/, 'malformed headers are logged');

# 5. v2 LOCAL (a health check) and v1 UNKNOWN: the proxy's address stands
for my $h ([ 'v2 LOCAL', "\r\n\r\n\0\r\nQUIT\n\x20\x00\0\0" ],
    [ 'v1 UNKNOWN', "PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n" ]) {
	my $c = $d->connect(src => '127.0.0.1', port => $pp);
	print $c $h->[1];
	like(SmtpTest::reply($c) // '', qr/^220 /, "$h->[0]: 220");
	like(SmtpTest::cmd($c, 'QUIT'), qr/^221/, "$h->[0]: QUIT");
	close($c);
}

# 6. the plain listener of the default group is untouched
$s = $d->connect(src => '127.0.0.30');
like(SmtpTest::reply($s) // '', qr/^220 /, 'plain listener: 220 without a header');
close($s);
# 7. per-listener metrics: by outcome, and promtool takes them
my ($mt, $rc) = $d->ctl('metrics');
is($rc, 0, 'smtpserverctl metrics');
my %m;
$m{"$1 $2"} = $3 while $mt =~ /^smtpserver_listener_connections_total\{listener="\[127\.0\.0\.1\]:(\d+)",outcome="(\w+)"\} (\d+)$/mg;
cmp_ok($m{"$pp admitted"} // 0, '>=', 3 + $N + 1 + 2,
    'proxy listener: admitted sessions counted');
is($m{"$pp refused"}, 1, 'proxy listener: the same-IP refusal');
is($m{"$pp proxy_refused"}, 1, 'proxy listener: the sender not allowed');
is($m{"$pp proxy_bad_header"}, scalar(@bad), 'proxy listener: bad headers');
is($m{"$d->{port} admitted"}, 1, 'plain listener: its one session');
my $nmsg = $probe6 ? 5 : 3;
like($mt, qr/^smtpserver_listener_messages_total\{listener="\[127\.0\.0\.1\]:$pp"\} $nmsg$/m,
    'messages by listener');
SKIP: {
	my $promtool = '/usr/bin/promtool';
	skip('no promtool', 1) unless -x $promtool;
	open(my $p, '|-', "$promtool check metrics >$d->{dir}/pt 2>&1") or die;
	print $p $mt;
	close($p);
	is($?, 0, 'promtool check metrics') or diag(`cat $d->{dir}/pt`);
}
ok($d->alive, 'the daemon is still running');
is($d->stop, 0, 'daemon stops cleanly');
done_testing();
