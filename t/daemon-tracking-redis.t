#!/usr/bin/perl
# PARAM tracking-cluster redis://: two daemons (two nodes of a fleet, two
# ports) share one real redis-server started here on loopback.
# MaxSameIpSource 3 holds across both (connections split over the nodes,
# the 4th gets the 450 text with the fleet's count); ratelimitmsgs holds
# across both; redis stopped => both keep serving with their local counts
# and each says so once; redis back => each says so and shares again.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp qw(tempdir);
use IO::Socket::INET;
use MIME::Base64;
use POSIX ();
use SmtpTest qw(wait_until);
use SmtpPipe ();
use TestDNS;

my $server = '/usr/bin/redis-server';
-x $server or die "$server missing: install redis-server (.ci/deps)\n";
my $rdir = tempdir('smtpd-redis-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my ($rport, $rpid);
my $pw = 'pw-not-for-logs';

sub redis_ping {
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
	    PeerPort => $rport, Timeout => 2) or return 0;
	print $s "AUTH $pw\r\nPING\r\n";
	my $r = '';
	my $rin = '';
	vec($rin, fileno($s), 1) = 1;
	sysread($s, $r, 64) if select(my $rout = $rin, undef, undef, 2);
	close $s;
	return $r =~ /\+PONG/;
}

# One command to the redis-server (after AUTH): integer, string or array.
sub redis_cmd {
	my (@a) = @_;
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
	    PeerPort => $rport, Timeout => 5) or return;
	my $req = join('', map { "\$" . length($_) . "\r\n$_\r\n" } @a);
	print $s "*2\r\n\$4\r\nAUTH\r\n\$" . length($pw) . "\r\n$pw\r\n"
	    . '*' . scalar(@a) . "\r\n$req";
	my $line = sub { my $l = <$s>; $l =~ s/\r\n\z// if defined $l; $l };
	my $ok = $line->() // return;
	my $parse;
	$parse = sub {
		my $l = $line->() // return;
		return $1 if $l =~ /^[:+](.*)/;
		return undef if $l =~ /^\$-1/;
		return $line->() if $l =~ /^\$/;
		return [ map { $parse->() } 1 .. $1 ] if $l =~ /^\*(\d+)/;
		return "ERR $l";
	};
	my $r = $parse->();
	close $s;
	return $r;
}

sub redis_start {
	for my $try (1 .. 3) {
		$rport //= SmtpTest::free_port();
		$rpid = fork() // die "fork: $!";
		if ($rpid == 0) {
			open(STDOUT, '>>', "$rdir/redis.log");
			open(STDERR, '>&', \*STDOUT);
			exec($server, '--port', $rport, '--bind', '127.0.0.1',
			    '--save', '', '--appendonly', 'no', '--dir', $rdir,
			    '--daemonize', 'no', '--loglevel', 'warning',
			    '--requirepass', $pw)
			    or POSIX::_exit(127);
		}
		return 1 if wait_until(sub {
			waitpid($rpid, POSIX::WNOHANG()) == 0 && redis_ping() }, 10);
		kill('TERM', $rpid);
		waitpid($rpid, 0);
		undef $rport; # the port was taken meanwhile: another
	}
	die "redis-server did not start\n";
}

sub redis_stop {
	kill('TERM', $rpid);
	waitpid($rpid, 0);
	undef $rpid;
}
END { redis_stop() if $rpid }

redis_start();
my $dns = TestDNS::start(A => { 'mx.sender.example' => '198.51.100.200' },
    MX => { 'sender.example' => 'mx.sender.example' });
my @conf = ('PARAM BindAddress [127.0.0.1]', 'PARAM MaxSameIpSource 3',
	"PARAM tracking-cluster redis://:$pw\@127.0.0.1:$rport/0",
	'PARAM min-idle-workers 6', 'PARAM max-idle-workers 12',
	'PARAM smtp-auth', 'PARAM AUTH-LOGIN-also-without-TLS',
	'PARAM auth-fail-limit 2');
my @d;
for my $i (0, 1) {
	my $d = SmtpTest->new(conf => []);
	$d->{policy} = [ split /\n/, SmtpPipe::policy_db($d->{po},
	    dns_port => $dns,
	    'smtp-policy.relay' => "[127.0.0.5]/32 ratelimitmsgs 2\n"
		. "[127.0.0.1]/32 fulltrustnet +\n") ];
	# an AUTH checker that refuses everybody
	open(my $fh, '>', "$d->{dir}/authpipe") or die;
	print $fh "#!/bin/sh\nread -r pw\nexit 1\n";
	close($fh);
	chmod(0755, "$d->{dir}/authpipe");
	$d->write_conf(@conf, "PARAM SMTP-auth-pipe $d->{dir}/authpipe");
	$d->start(idle => 6);
	push(@d, $d);
}
for my $i (0, 1) {
	ok(wait_until(sub { $d[$i]->log_text =~ /tracking-cluster redis:\/\/:\*\*\*\@127\.0\.0\.1:$rport\/0: counts shared as node/ }, 20),
	    "node $i: says it shares its counts");
}

sub hold {
	my ($d, $src) = @_;
	my $s = $d->connect(src => $src) or die "connect: $!";
	return ($s, SmtpTest::reply($s) // '');
}

# MaxSameIpSource 3 across the fleet: 2 on node 0, 1 on node 1
my @held;
for my $k ([0, 1], [1, 2], [0, 3]) {
	my ($s, $r) = hold($d[$k->[0]], '127.0.0.2');
	like($r, qr/^220 /, "connection $k->[1] from 127.0.0.2 on node $k->[0]: 220");
	push(@held, $s);
}
my ($s, $r) = hold($d[1], '127.0.0.2');
like($r, qr/^450 4\.7\.1 Too many simultaneous connections from same IP address \(4 max 3\)\r\n\z/m,
    'connection 4 on node 1 (1 of its own): 450, counted across the fleet');
push(@held, $s);
($s, $r) = hold($d[0], '127.0.0.3');
like($r, qr/^220 /, 'another address is served');
close $s;
like($d[1]->log_text, qr/refused \[127\.0\.0\.2\].*over MaxSameIpSource, count 4/,
    'the refusal is logged with the fleet count');
my @conn = grep { /^smtpserver:conn:/ } @{ redis_cmd('KEYS', 'smtpserver:*') // [] };
is(scalar(@conn), 2, 'one connection-count hash per node');
is(scalar(grep { my $t = redis_cmd('TTL', $_) // -1; $t > 0 && $t <= 60 } @conn), 2,
    'each expires within 60 s unless its node keeps beating (a crashed node\'s counts go)');
my $sum = 0;
$sum += redis_cmd('HGET', $_, '127.0.0.2') // 0 for @conn;
# the refused one is counted while the worker lingers (at most 2 s)
ok($sum == 3 || $sum == 4, "the nodes count 127.0.0.2's connections between them ($sum)");
close($_) for @held;
@held = ();
ok(wait_until(sub { $d[0]->status->{connections}{now} == 0
    && $d[1]->status->{connections}{now} == 0 }, 10), 'connections gone');
for my $k ([1, 1], [1, 2], [0, 3]) {
	my ($s, $r) = hold($d[$k->[0]], '127.0.0.2');
	like($r, qr/^220 /, "again: connection $k->[1] on node $k->[0]: 220 (the counts went down)");
	push(@held, $s);
}
close($_) for @held;
@held = ();

# ratelimitmsgs 2 across the fleet
sub mail_from {
	my ($d, $src) = @_;
	my $s = $d->connect(src => $src) or die "connect: $!";
	SmtpTest::reply($s);
	SmtpTest::cmd($s, 'EHLO c.example');
	my $r = SmtpTest::cmd($s, 'MAIL FROM:<a@sender.example>');
	SmtpTest::cmd($s, 'QUIT');
	close $s;
	return $r // '';
}
like(mail_from($d[0], '127.0.0.5'), qr/^250 /, 'ratelimitmsgs 2: first MAIL on node 0');
like(mail_from($d[1], '127.0.0.5'), qr/^250 /, 'second MAIL on node 1');
like(mail_from($d[0], '127.0.0.5'),
    qr/^451 4\.7\.1 .*You are sending too much mail/,
    'third MAIL on node 0: 451, the two nodes counted together');
like(mail_from($d[1], '127.0.0.5'), qr/^451 /, 'and on node 1 as well');

# every key the daemons made expires: nodes, counts, rate slots
my $keys = redis_cmd('KEYS', 'smtpserver:*') // [];
ok(scalar(grep { /^smtpserver:rate:4:7f000005:\d+$/ } @$keys) >= 1,
    'a rate slot key for 127.0.0.5') or diag("@$keys");
ok(scalar(grep { $_ eq 'smtpserver:nodes' } @$keys) == 1, 'the node set');
my @forever = grep { (redis_cmd('TTL', $_) // -1) <= 0 } @$keys;
is("@forever", '', 'every key has a time to live');

# AUTH failures: auth-fail-limit 2 across the fleet
sub auth_fail {
	my ($d, $src) = @_;
	my $s = $d->connect(src => $src) or die "connect: $!";
	SmtpTest::reply($s);
	SmtpTest::cmd($s, 'EHLO c.example');
	my $r = SmtpTest::cmd($s, 'AUTH PLAIN ' . encode_base64("\0bob\0wrong", ''));
	SmtpTest::cmd($s, 'QUIT');
	close $s;
	return $r // '';
}
like(auth_fail($d[0], '127.0.0.7'), qr/^535 /, 'AUTH failure 1 on node 0: 535');
like(auth_fail($d[1], '127.0.0.7'), qr/^535 /, 'AUTH failure 2 on node 1: 535');
like(auth_fail($d[0], '127.0.0.7'), qr/^454 /,
    'a third attempt on node 0: 454, auth-fail-limit 2 counted across the fleet');
like(auth_fail($d[1], '127.0.0.8'), qr/^535 /, 'another address is still checked');

# redis stopped: both nodes keep serving, with their own counts
redis_stop();
ok(!redis_ping(), 'redis-server stopped');
for my $k ([0, 1], [1, 2], [0, 3], [1, 4]) {
	my ($s, $r) = hold($d[$k->[0]], '127.0.0.4');
	like($r, qr/^220 /, "redis down: connection $k->[1] from 127.0.0.4 on node $k->[0]: 220 (local counts)");
	push(@held, $s);
}
my $ok = 1;
for my $i (5 .. 6) {
	my ($s, $r) = hold($d[0], '127.0.0.4');
	$ok &&= $i == 5 ? $r =~ /^220 / : $r =~ /^450 .*\(4 max 3\)/m;
	push(@held, $s);
}
ok($ok, 'node 0 still holds MaxSameIpSource with its own count');
like(mail_from($d[1], '127.0.0.6'), qr/^250 /, 'redis down: mail is accepted');
for my $i (0, 1) {
	ok(wait_until(sub { $d[$i]->log_text =~ /tracking-cluster .* unreachable .*counting locally/ }, 20),
	    "node $i: logs that it counts locally");
}
close($_) for @held;
@held = ();
like(mail_from($d[1], '127.0.0.6'), qr/^250 /, 'and mail is still accepted');
for my $i (0, 1) {
	my @l = $d[$i]->log_text =~ /(unreachable)/g;
	is(scalar(@l), 1, "node $i: one log line for the outage");
}
unlike($d[0]->log_text . $d[1]->log_text, qr/\Q$pw\E/,
    'the password is never logged');

# redis back: shared again
redis_start();
for my $i (0, 1) {
	ok(wait_until(sub { $d[$i]->log_text =~ /reachable again/ }, 40),
	    "node $i: says the counts are shared again");
}
ok(wait_until(sub { @{ redis_cmd('ZRANGE', 'smtpserver:nodes', 0, -1) // [] } == 2 }, 20),
    'both nodes are back in the node set');
# a reload without the PARAM: node 1 leaves the fleet, counts alone
$d[1]->write_conf(grep { !/tracking-cluster/ } @conf,
    "PARAM SMTP-auth-pipe $d[1]{dir}/authpipe");
my $ctl = $d[1]->control('reload');
ok($ctl && $ctl->{ok}, 'node 1 reloads without tracking-cluster');
my $nodes;
ok(wait_until(sub { $nodes = redis_cmd('ZRANGE', 'smtpserver:nodes', 0, -1) // [];
    @$nodes == 1 && $nodes->[0] =~ /:$d[0]{pid}$/ }, 20),
    'and leaves the node set') or diag("@$nodes");
is($d[0]->stop, 0, 'node 0 stops cleanly');
$nodes = redis_cmd('ZRANGE', 'smtpserver:nodes', 0, -1) // [];
is("@$nodes", '', 'a node that stops leaves the node set at once');
is($d[1]->stop, 0, 'node 1 stops cleanly');
done_testing();
