#!/usr/bin/perl
# -a: RFC 1413 ident of the client, through a real -n session and a fake
# identd on 127.0.0.1:113 started by the test (root only); the answer goes
# into the envelope (identinfo, and "ident:" in rcvdfrom with rcvd-ident)
# and hostile answers are cleaned; no answer gives IDENT-CALL-FAULT.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Socket::INET;
use POSIX ();
use SmtpPipe;

plan skip_all => 'needs root to listen on port 113' if $> != 0;
my $identd = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 113,
    Listen => 5, ReuseAddr => 1)
    or plan skip_all => "port 113 busy: $!";

my $po = postoffice();
my $conf = write_conf($po, policy_db($po) . "PARAM rcvd-ident\n* 999 ve\n");

# serve one ident query with the given answer (undef: close silently)
sub identd_once {
	my ($answer) = @_;
	my $pid = fork // die;
	if ($pid == 0) {
		alarm 15;	# never outlive a session that did not ask
		my $c = $identd->accept or POSIX::_exit(1);
		my $q = <$c>;
		if (defined $answer && defined $q) {
			$q =~ s/\r?\n//;
			print $c "$q : USERID : UNIX : $answer\r\n";
		}
		close $c;
		POSIX::_exit(0);
	}
	return $pid;
}

sub session_ident {
	my ($answer) = @_;
	my $ipid = identd_once($answer);
	my $spid;
	my $s = inetd_session(conf => $conf, po => $po, pidref => \$spid,
	    args => ['-a']);
	my $greet = smtp_read($s);
	smtp_cmd($s, 'EHLO c.example');
	smtp_cmd($s, 'MAIL FROM:<a@b.example>');
	smtp_cmd($s, 'RCPT TO:<c@d.example>');
	smtp_cmd($s, 'DATA');
	my $r = smtp_cmd($s, "x\r\n.");
	smtp_cmd($s, 'QUIT');
	close $s;
	waitpid($spid, 0);
	waitpid($ipid, 0);
	my @f = spool_files($po);
	unlink glob("$po/router/*");
	return ($greet, $r, $f[0] // '');
}

my ($greet, $r, $env) = session_ident('alice');
like($greet, qr/^220 .* \+IDENT /, 'greeting shows +IDENT with -a');
like($r, qr/^250 2\.0\.0 /, 'message accepted');
like($env, qr/^identinfo alice$/m, 'identinfo line');
like($env, qr/^rcvdfrom .* ident: "alice" /m, 'ident in rcvdfrom (rcvd-ident)');

($greet, $r, $env) = session_ident("ev\"il\\x\x01y");
like($env, qr/^identinfo ev_il_x_y$/m, 'hostile answer cleaned');

($greet, $r, $env) = session_ident(undef);
like($env, qr/^identinfo IDENT-CALL-FAULT$/m, 'no answer: IDENT-CALL-FAULT');

# an identd that accepts and never answers: the 5 s bound holds
{
	my $ipid = fork // die;
	if ($ipid == 0) {
		alarm 20;
		my $c = $identd->accept or POSIX::_exit(1);
		sleep 20;	# the silent peer under test, not synchronisation
		POSIX::_exit(0);
	}
	my $spid;
	my $t0 = time;
	my $s = inetd_session(conf => $conf, po => $po, pidref => \$spid,
	    args => ['-a']);
	like(smtp_read($s, 15), qr/^220 /, 'silent identd: greeted anyway');
	ok(time - $t0 <= 10, 'within the ident bound (5 s, and some slack)');
	smtp_cmd($s, 'QUIT');
	close $s;
	waitpid($spid, 0);
	kill 'KILL', $ipid;
	waitpid($ipid, 0);
}
done_testing();
