#!/usr/bin/perl
# ETRN and TURNME (spec 11): the local request file in transport/ byte for
# byte, ZMailer's reply texts, NoETRN, the literal-domain check, transport/
# missing; and etrn-cluster against a small scheduler written here that
# speaks ZMailer's side of the mailq v2 exchange (version line, challenge,
# AUTH with md5(challenge . password), ETRN, one answer line): relayed
# answers, and the local fallback on every kind of failure.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Digest::MD5 qw(md5_hex);
use IO::Socket::INET;
use POSIX ();
use SmtpPipe;
use SmtpTest ();

my ($uid, $gid) = $> == 0 ? (getpwnam('daemon'))[2, 3] : ($>, $));

sub po_with_transport {
	my $po = postoffice();
	mkdir "$po/transport" or die;
	chown $uid, $gid, "$po/transport" if $> == 0;
	return $po;
}

sub transport_files {
	my ($po) = @_;
	opendir(my $d, "$po/transport") or return ();
	my @f = sort grep { !/^\.\.?$/ } readdir($d);
	closedir($d);
	return @f;
}

sub slurp {
	my ($f) = @_;
	open(my $fh, '<:raw', $f) or return undef;
	local $/;
	return scalar <$fh>;
}

# One -n session: the replies to each command, in order.
sub session {
	my ($po, $conf, @cmds) = @_;
	my $spid;
	my $s = inetd_session(conf => $conf, po => $po, pidref => \$spid);
	my @r = (smtp_read($s));
	push @r, smtp_cmd($s, $_) for @cmds, 'QUIT';
	close $s;
	waitpid($spid, 0);
	shift @r;
	pop @r;
	return @r;
}

# 1. local ETRN: the file and the reply
my $po = po_with_transport();
my $conf = write_conf($po, policy_db($po) . "* 999 ve\n");
my @r = session($po, $conf, 'EHLO c.example', 'ETRN example.org');
like($r[0], qr/^250-ETRN\r\n/m, 'EHLO offers ETRN');
is($r[1], "250-2.0.0 An ETRN request is initiated - lets hope the system\r\n"
    . "250-2.0.0 has resources to honour it. We call the remote,\r\n"
    . "250 2.0.0 if we have anything to send there.\r\n",
    'ZMailer\'s three-line reply');
my @f = transport_files($po);
is(scalar @f, 1, 'one file in transport/, no temp file left');
like($f[0] // '', qr/^\d+-etrn$/, 'named <inode>-etrn');
my ($ino) = ($f[0] // '') =~ /^(\d+)/;
is((stat("$po/transport/$f[0]"))[1], $ino, 'the number is its inode');
is(slurp("$po/transport/$f[0]"), "T example.org [127.0.0.1]\n",
    'content byte for byte: T <domain> <[ip]>');
unlink "$po/transport/$_" for @f;

# TURNME is the same command; trailing blanks are not part of the domain
@r = session($po, $conf, 'TURNME  sub.example.org  ');
like($r[0], qr/^250 2\.0\.0 if we have anything to send there\.\r\n/m,
    'TURNME accepted');
@f = transport_files($po);
is(slurp("$po/transport/$f[0]"), "T sub.example.org [127.0.0.1]\n",
    'TURNME file, blanks trimmed');
unlink "$po/transport/$_" for @f;

# 2. refusals
@r = session($po, $conf, 'ETRN', 'ETRN @example.org', 'ETRN #queue',
    'ETRN [192.0.2.1]', 'ETRN exa mple.org', 'ETRN a/../../etc');
is($r[0], "501 5.5.4 ETRN needs target domain name parameter.\r\n",
    'no argument: 501');
is($r[1], "458 4.7.1 Sorry, only literal target domains accepted\r\n",
    '@domain: 458');
is($r[2], "458 4.7.1 Sorry, only literal target domains accepted\r\n",
    '#queue: 458');
like($r[3], qr/^458 4\.7\.1 /, 'address literal: 458');
is($r[4], "501 5.5.4 Invalid target domain name\r\n", 'blank inside: 501');
is($r[5], "501 5.5.4 Invalid target domain name\r\n", 'slash: 501');
is(scalar(transport_files($po)), 0, 'no file for a refused ETRN');

# 3. no-multiline-replies: ZMailer's one-line text
my $conf1 = write_conf($po, policy_db($po) . "PARAM no-multiline-replies\n"
    . "* 999 ve\n");
@r = session($po, $conf1, 'ETRN example.org');
is($r[0], "250 2.0.0 An ETRN request is submitted - something may get "
    . "sent.\r\n", 'short reply without multi-line replies');
unlink "$po/transport/$_" for transport_files($po);

# 4. NoETRN: an unknown command, not offered
my $conf2 = write_conf($po, policy_db($po) . "PARAM NoETRN\n* 999 ve\n");
@r = session($po, $conf2, 'EHLO c.example', 'ETRN example.org');
unlike($r[0], qr/ETRN/, 'NoETRN: EHLO does not offer ETRN');
like($r[1], qr/^500 5\.5\.1 /, 'NoETRN: ETRN is unknown');
is(scalar(transport_files($po)), 0, 'NoETRN: no file');

# 5. transport/ missing: 458, never 250
my $po2 = postoffice();
my $conf3 = write_conf($po2, policy_db($po2) . "* 999 ve\n");
@r = session($po2, $conf3, 'ETRN example.org');
is($r[0], "458 4.3.0 Unable to queue messages for node example.org\r\n",
    'transport/ missing: 458');

# 6. etrn-cluster against the test scheduler
my $challenge = '1700000000.4242';

# A scheduler for n connections; mode: ok, badauth, badversion, silent.
# What it was sent goes into $log.  Returns (pid, port).
sub scheduler {
	my ($mode, $n, $log, $pass) = @_;
	my $l = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
	    Listen => 5, ReuseAddr => 1) or die "listen: $!";
	my $pid = fork // die;
	if ($pid == 0) {
		alarm 30;
		open(my $lf, '>>', $log) or POSIX::_exit(1);
		$lf->autoflush(1);
		for (1 .. $n) {
			my $c = $l->accept or POSIX::_exit(1);
			$c->autoflush(1);
			if ($mode eq 'silent') {
				my $x = <$c>;	# until the client gives up
				close $c;
				next;
			}
			print $c $mode eq 'badversion' ? "version zmailer 1.0\n"
			    : "version zmailer 2.0\n";
			print $c "$challenge\n";
			my $auth = <$c> // '';
			print $lf $auth;
			my $want = "AUTH mq2user " . md5_hex($challenge . $pass)
			    . "\n";
			if ($auth ne $want) {
				print $c "- authentication failed\n";
				close $c;
				next;
			}
			print $c "+ ok\n";
			my $etrn = <$c> // '';
			print $lf $etrn;
			chomp(my $dom = (split(' ', $etrn))[1] // '');
			print $c "ETRN for $dom scheduled\n";
			close $c;
		}
		POSIX::_exit(0);
	}
	my $port = $l->sockport;
	close $l;
	return ($pid, $port);
}

sub cluster_conf {
	my ($po, @nodes) = @_;
	return write_conf($po, policy_db($po)
	    . "PARAM etrn-cluster-timeout 2\n"
	    . join('', map { "PARAM etrn-cluster $_\n" } @nodes)
	    . "* 999 ve\n");
}

my $log = "$po/.sched.log";
my ($spid, $port) = scheduler('ok', 2, $log, 'secret');
my $cconf = cluster_conf($po, "127.0.0.1/$port mq2user secret",
    "localhost/$port mq2user secret");
@r = session($po, $cconf, 'ETRN example.org');
waitpid($spid, 0);
is($r[0], "250-2.0.0 Attempting ETRN on cluster node: 127.0.0.1/$port\r\n"
    . "250-2.0.0 ETRN for example.org scheduled\r\n"
    . "250-2.0.0 Attempting ETRN on cluster node: localhost/$port\r\n"
    . "250-2.0.0 ETRN for example.org scheduled\r\n"
    . "250 2.0.0 ETRN-cluster operation(s) complete\r\n",
    'two nodes: answers relayed, cluster reply');
my $sent = slurp($log) // '';
my $md5 = md5_hex($challenge . 'secret');
like($sent, qr/\AAUTH mq2user $md5\nETRN example\.org \[127\.0\.0\.1\]\@\S+\n/,
    'AUTH with md5(challenge . password), ETRN <dom> [ip]@<host>');
is(scalar(transport_files($po)), 0, 'every node took it: no local file');
unlink $log;

# wrong password: the node refuses, the request is made locally
($spid, $port) = scheduler('ok', 1, $log, 'secret');
$cconf = cluster_conf($po, "127.0.0.1/$port mq2user wrong");
@r = session($po, $cconf, 'ETRN example.org');
waitpid($spid, 0);
like($r[0], qr/^250-2\.0\.0 MQ2-AUTH failure occurred\r\n/m,
    'AUTH refused: said');
like($r[0], qr/250 2\.0\.0 if we have anything to send there\.\r\n\z/,
    'AUTH refused: local fallback reply');
@f = transport_files($po);
is(scalar @f, 1, 'AUTH refused: local file written');
is(slurp("$po/transport/$f[0]"), "T example.org [127.0.0.1]\n",
    'fallback file byte for byte');
unlink "$po/transport/$_" for @f;
unlink $log;

# wrong version, a silent node (timeout), nobody listening: local fallback
for my $case (['badversion', 'version'], ['silent', 'timeout']) {
	($spid, $port) = scheduler($case->[0], 1, $log, 'secret');
	$cconf = cluster_conf($po, "127.0.0.1/$port mq2user secret");
	@r = session($po, $cconf, 'ETRN example.org');
	kill 'TERM', $spid;
	waitpid($spid, 0);
	like($r[0], qr/\A250-2\.0\.0 Attempting ETRN on cluster node: /,
	    "$case->[1]: tried the node");
	unlike($r[0], qr/ETRN-cluster operation/, "$case->[1]: no cluster ok");
	like($r[0], qr/^250 2\.0\.0 if we have anything to send there\./m,
	    "$case->[1]: local fallback");
	is(scalar(transport_files($po)), 1, "$case->[1]: local file");
	unlink "$po/transport/$_" for transport_files($po);
}
my $closed = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
    Listen => 1) or die;
my $dead = $closed->sockport;
close $closed;
$cconf = cluster_conf($po, "127.0.0.1/$dead mq2user secret");
@r = session($po, $cconf, 'ETRN example.org');
like($r[0], qr/^250-2\.0\.0 Unable to connect\(\) to scheduler\r\n/m,
    'nobody listening: said');
is(scalar(transport_files($po)), 1, 'nobody listening: local file');
unlink "$po/transport/$_" for transport_files($po);

# cluster failed and transport/ missing: one consistent 458 reply
$cconf = cluster_conf($po2, "127.0.0.1/$dead mq2user secret");
@r = session($po2, $cconf, 'ETRN example.org');
like($r[0], qr/\A(?:458-4\.3\.0 [^\r]*\r\n)+458 4\.3\.0 Unable to queue/,
    'fallback failed: every line carries the final code');

# 7. the daemon: a worker (not root) writes the request too
{
	my $d = SmtpTest->new(conf => ['PARAM BindAddress [127.0.0.1]']);
	mkdir "$d->{po}/transport" or die;
	chown $uid, $gid, "$d->{po}/transport" if $> == 0;
	$d->start;
	my $s = $d->connect or die "connect: $!";
	SmtpTest::reply($s);
	my $r = SmtpTest::cmd($s, 'ETRN daemon.example') // '';
	SmtpTest::cmd($s, 'QUIT');
	close $s;
	like($r, qr/^250 2\.0\.0 if we have anything to send there\./m,
	    'daemon: ETRN accepted');
	my @df = transport_files($d->{po});
	is(slurp("$d->{po}/transport/" . ($df[0] // 'none')),
	    "T daemon.example [127.0.0.1]\n", 'daemon: the request file');
	$d->stop;
}
done_testing();
