#!/usr/bin/perl
# whoson (-w, spec 11 and 6): a small whoson server made here, over TCP and
# UDP, answers "+user", "-not found" or "*error"; the answer (or
# -unregistered- / -unavailable-) goes into the envelope's rcvdfrom (with
# rcvd-whoson) and comment lines where ZMailer writes it, and
# "trust-whoson +" in the policy lets a known user relay (trustrecipients).
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Socket::INET;
use POSIX ();
use SmtpPipe;
use SmtpTest ();

my $po = postoffice();
my $log = "$po/.whoson.log";

# A whoson server for n queries; answer: the line it sends back.
sub whosond {
	my ($proto, $answer, $n) = @_;
	my $l = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
	    Proto => $proto, $proto eq 'tcp' ? (Listen => 5) : (),
	    ReuseAddr => 1) or die "whosond: $!";
	my $pid = fork // die;
	if ($pid == 0) {
		alarm 30;
		open(my $lf, '>>', $log) or POSIX::_exit(1);
		$lf->autoflush(1);
		for (1 .. $n) {
			if ($proto eq 'udp') {
				my $peer = $l->recv(my $q, 1024) // POSIX::_exit(1);
				print $lf $q;
				$l->send("$answer\r\n\r\n", 0, $peer);
				next;
			}
			my $c = $l->accept or POSIX::_exit(1);
			my $q = '';
			while (defined(my $line = <$c>)) {
				$q .= $line;
				last if $line eq "\r\n";
			}
			print $lf $q;
			print $c "$answer\r\n\r\n";
			close $c;
		}
		POSIX::_exit(0);
	}
	my $port = $l->sockport;
	close $l;
	return ($pid, $port);
}

sub conf {
	my (%o) = @_;
	my $relay = $o{trust} ? "[127.0.0.0]/8 trust-whoson +\n" : '';
	return write_conf($po, policy_db($po, 'smtp-policy.relay' => $relay)
	    . "PARAM whoson-server 127.0.0.1\n"
	    . "PARAM whoson-port $o{port}\n"
	    . "PARAM whoson-protocol $o{proto}\n"
	    . "PARAM whoson-timeout 3\n"
	    . ($o{rcvd} ? "PARAM rcvd-whoson\n" : '')
	    . "* 999 ve\n");
}

# One -n session: RCPT replies (remote, postmaster) and the envelope.
sub session {
	my (%o) = @_;
	my $spid;
	my $s = inetd_session(conf => conf(%o), po => $po, pidref => \$spid,
	    args => $o{args} // ['-w']);
	smtp_read($s);
	smtp_cmd($s, 'EHLO c.example');
	smtp_cmd($s, 'MAIL FROM:<>');
	my $remote = smtp_cmd($s, 'RCPT TO:<someone@remote.example>');
	my $pm = smtp_cmd($s, 'RCPT TO:<postmaster>');
	smtp_cmd($s, 'DATA');
	my $r = smtp_cmd($s, "x\r\n.");
	smtp_cmd($s, 'QUIT');
	close $s;
	waitpid($spid, 0);
	my @f = spool_files($po);
	unlink glob("$po/router/*");
	return ($remote, $r, $f[0] // '');
}

my $flags = qr/rhost-flags-\S+\)/;

for my $proto (qw(tcp udp)) {
	unlink $log;
	my ($wpid, $port) = whosond($proto, '+alice', 1);
	my ($remote, $r, $env) = session(proto => $proto, port => $port,
	    trust => 1, rcvd => 1);
	waitpid($wpid, 0);
	open(my $lf, '<', $log);
	my $q = do { local $/; <$lf> } // '';
	is($q, "QUERY 127.0.0.1\r\n\r\n", "$proto: the query");
	like($remote, qr/^250 /, "$proto: trust-whoson + and a user: may relay");
	like($r, qr/^250 2\.0\.0 /, "$proto: message accepted");
	like($env, qr/^rcvdfrom \S+ \(\[127\.0\.0\.1\]:\d+ "EHLO c\.example" whoson: "alice" $flags$/m,
	    "$proto: whoson in rcvdfrom right after the HELO line");
	like($env, qr/^comment \S+ \[127\.0\.0\.1\]:\d+ "EHLO c\.example" whoson: "alice" smtp-auth: /m,
	    "$proto: and in the comment line");
}

# not registered: -unregistered-, no trust
my ($wpid, $port) = whosond('udp', '-Not Logged in', 1);
my ($remote, $r, $env) = session(proto => 'udp', port => $port, trust => 1,
    rcvd => 1);
waitpid($wpid, 0);
like($remote, qr/^[45]\d\d /, 'unregistered: relaying refused');
like($env, qr/ whoson: "-unregistered-" /, 'unregistered: -unregistered-');

# an error answer and nobody listening: -unavailable-
($wpid, $port) = whosond('tcp', '*bad request', 1);
($remote, $r, $env) = session(proto => 'tcp', port => $port, trust => 1,
    rcvd => 1);
waitpid($wpid, 0);
like($env, qr/ whoson: "-unavailable-" /, 'error answer: -unavailable-');
like($remote, qr/^[45]\d\d /, 'error answer: no trust');
my $closed = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
    Listen => 1) or die;
my $dead = $closed->sockport;
close $closed;
($remote, $r, $env) = session(proto => 'tcp', port => $dead, trust => 1,
    rcvd => 1);
like($env, qr/ whoson: "-unavailable-" /, 'nobody listening: -unavailable-');
like($r, qr/^250 2\.0\.0 /, 'nobody listening: mail still accepted');

# a user, but no trust-whoson in the policy: no relaying
($wpid, $port) = whosond('udp', '+alice', 1);
($remote, $r, $env) = session(proto => 'udp', port => $port, trust => 0,
    rcvd => 0);
waitpid($wpid, 0);
like($remote, qr/^[45]\d\d /, 'no trust-whoson: relaying refused');
unlike($env, qr/^rcvdfrom .*whoson/m, 'no rcvd-whoson: not in rcvdfrom');
like($env, qr/^comment .* whoson: "alice" /m,
    'no rcvd-whoson: still in the comment line (as ZMailer)');

# without -w nobody is asked and nothing is written
($remote, $r, $env) = session(proto => 'udp', port => $dead, trust => 1,
    rcvd => 1, args => []);
unlike($env, qr/whoson/, 'without -w: no whoson anywhere');
like($remote, qr/^[45]\d\d /, 'without -w: no trust');

# the daemon: its workers ask too
{
	my ($wpid, $port) = whosond('udp', '+bob', 1);
	my $d = SmtpTest->new(args => ['-w'], conf => [
	    'PARAM BindAddress [127.0.0.1]', 'PARAM whoson-server 127.0.0.1',
	    "PARAM whoson-port $port", 'PARAM rcvd-whoson' ]);
	$d->start;
	my $s = $d->connect or die "connect: $!";
	SmtpTest::reply($s);
	SmtpTest::cmd($s, 'EHLO c.example');
	my $r = SmtpTest::message($s, from => '', to => 'postmaster') // '';
	SmtpTest::cmd($s, 'QUIT');
	close $s;
	waitpid($wpid, 0);
	like($r, qr/^250 /, 'daemon: message accepted');
	my @f = $d->spooled;
	open(my $fh, '<', "$d->{po}/router/" . ($f[0] // 'none'));
	my $env = $fh ? do { local $/; <$fh> } : '';
	like($env, qr/^rcvdfrom .* whoson: "bob" rhost-flags/m,
	    'daemon: whoson in rcvdfrom');
	$d->stop;
}
done_testing();
