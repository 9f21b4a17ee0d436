#!/usr/bin/perl
# inetd mode (-n) on a real TCP socket with real clients: Net::SMTP,
# pipelined commands in one write, the pre-EHLO pipelining guard, and
# the network envelope lines (external, rcvdfrom); swaks over -i.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Net::SMTP;
use SmtpPipe;
use POSIX ();

my $po = postoffice();
my $conf = write_conf($po, policy_db($po) . "* 999 ve\n");

sub take_spool {
	my @f = spool_files($po);
	unlink glob("$po/router/*");
	return @f;
}

# 1. Net::SMTP end to end over TCP
my ($port, $pid) = inetd_listen(conf => $conf, po => $po);
my $smtp = Net::SMTP->new('127.0.0.1', Port => $port, Hello => 'client.example',
    Timeout => 10);
ok($smtp, 'Net::SMTP connected and greeted');
ok($smtp->mail('sender@example.com'), 'MAIL');
ok($smtp->to('rcpt@example.org'), 'RCPT');
ok($smtp->data(), 'DATA');
$smtp->datasend("Subject: via Net::SMTP\n\n.dot line\nbody\n");
ok($smtp->dataend(), 'message accepted');
like($smtp->message, qr/Message accepted; S[\w=-]+/, 'reply names the spool id');
ok($smtp->quit, 'QUIT');
waitpid($pid, 0);
SKIP: {
	skip 'not root', 1 unless $> == 0;
	my @files = glob("$po/router/*");
	is((stat $files[0])[4], scalar getpwnam('daemon'),
	    '-n as root: the session ran as daemon (spool file owner)');
}
my @f = take_spool();
is(scalar @f, 1, 'one spool file');
like($f[0], qr/\Aexternal\nrcvdfrom \S+ \(\[127\.0\.0\.1\]:\d+ "EHLO client\.example" rhost-flags-[A-Z]+-[A-Z]+-OK-[A-Z]+\)\n/,
    'network session: external and rcvdfrom lines');
like($f[0], qr/\nwith ESMTP\nfrom <sender\@example\.com>\n/, 'with and from');
like($f[0], qr/\nenv-end\nSubject: via Net::SMTP\n\n\.dot line\nbody\n\z/,
    'body unstuffed, LF line ends');

# 2. PIPELINING: MAIL, RCPT, RCPT, DATA in one write after EHLO
my $s = inetd_session(conf => $conf, po => $po, pidref => \$pid);
like(smtp_read($s), qr/^220 /, 'greeting');
like(smtp_cmd($s, 'EHLO client.example'), qr/^250-PIPELINING\r$/m, 'EHLO');
syswrite($s, "MAIL FROM:<a\@b.example>\r\nRCPT TO:<c\@d.example>\r\n"
    . "RCPT TO:<bad\@\@d>\r\nDATA\r\n");
like(smtp_read($s), qr/^250 2\.1\.0 /, 'MAIL reply');
like(smtp_read($s), qr/^250 2\.1\.5 /, 'RCPT reply');
like(smtp_read($s), qr/^501 5\.1\.3 Path data/m, 'bad RCPT reply');
like(smtp_read($s), qr/^354 /, 'DATA reply flushed with the group');
syswrite($s, "pipelined\r\n.\r\nQUIT\r\n");
like(smtp_read($s), qr/^250 2\.0\.0 Message accepted/, 'message accepted');
like(smtp_read($s), qr/^221 /, 'QUIT');
close $s;
waitpid($pid, 0);
is(scalar(take_spool()), 1, 'pipelined message spooled');

# 2b. replies to pipelined MAIL/RCPT come before the server waits for
# the rest of a BDAT chunk (RFC 2920)
$s = inetd_session(conf => $conf, po => $po, pidref => \$pid);
smtp_read($s);
smtp_cmd($s, 'EHLO client.example');
syswrite($s, "MAIL FROM:<a\@b.example>\r\nRCPT TO:<c\@d.example>\r\n"
    . "BDAT 20 LAST\r\n0123456789");
like(smtp_read($s, 5), qr/^250 2\.1\.0 /, 'MAIL reply while BDAT bytes are missing');
like(smtp_read($s, 5), qr/^250 2\.1\.5 /, 'RCPT reply too');
syswrite($s, "0123456789QUIT\r\n");
like(smtp_read($s), qr/^250 2\.0\.0 .*Roger/, 'chunk completed');
like(smtp_read($s), qr/^221 /, 'QUIT');
close $s;
waitpid($pid, 0);
is(scalar(take_spool()), 1, 'BDAT message spooled');

# 3. pipelined input before EHLO completed: refused and closed
$s = inetd_session(conf => $conf, po => $po, pidref => \$pid);
like(smtp_read($s), qr/^220 /, 'greeting');
syswrite($s, "EHLO client.example\r\nMAIL FROM:<a\@b.example>\r\n");
like(smtp_read($s), qr/^550 5\.7\.1 Hello \[127\.0\.0\.1\], you are sending pipelined input, but didn't greet properly with EHLO/,
    'pre-EHLO pipelining refused');
is(smtp_read($s, 5), '', 'and the connection is closed');
close $s;
waitpid($pid, 0);

# 4. -n refuses descriptors without an IP peer (a UNIX socket from a
# wrapper, a pipe): such a session would be a trusted local one
{
	use Socket qw(AF_UNIX SOCK_STREAM PF_UNSPEC);
	socketpair(my $a, my $b, AF_UNIX, SOCK_STREAM, PF_UNSPEC) or die;
	my $pid = fork // die;
	if ($pid == 0) {
		close $a;
		open STDIN, '<&', $b or POSIX::_exit(1);
		open STDOUT, '>&', $b or POSIX::_exit(1);
		open STDERR, '>', '/dev/null';
		exec { 'timeout' } 'timeout', '30', $SmtpPipe::BIN, '-n', '-C', $conf,
		    '-P', $po, '-Z', '/dev/null' or POSIX::_exit(1);
	}
	close $b;
	syswrite($a, "EHLO x.example\r\nMAIL FROM:<s\@evil.example>\r\n"
	    . "RCPT TO:<v\@foreign.example>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n");
	is(smtp_read($a, 10), '', '-n on a UNIX socket: not a word');
	waitpid($pid, 0);
	is($? >> 8, 2, '-n on a UNIX socket: exit 2');
	is(scalar(take_spool()), 0, 'nothing spooled');
	my ($o, $rc) = run_cmd_pipe();
	is($rc, 2, '-n on a pipe: exit 2');
}

sub run_cmd_pipe {
	my $out = `printf 'QUIT\r\n' | $SmtpPipe::BIN -n -C $conf -P $po -Z /dev/null 2>&1`;
	return ($out, $? >> 8);
}

# 5. -l with -S: the transcript file is named after the client (remote)
# or after us (local), in -n mode as in the daemon
{
	my $lconf = write_conf($po, policy_db($po)
	    . "PARAM hostname mx.sfx.example\n* 999 ve\n");
	for my $case (['remote', '127.0.0.1'], ['local', 'mx.sfx.example']) {
		my ($sfx, $name) = @$case;
		my $pid;
		my $s = inetd_session(conf => $lconf, po => $po,
		    args => ['-l', "$po/sess.log", '-S', $sfx],
		    pidref => \$pid);
		smtp_read($s);
		smtp_cmd($s, 'QUIT');
		close $s;
		waitpid($pid, 0);
		ok(-s "$po/sess.log.$name",
		    "-n -S $sfx: transcript in sess.log.$name");
		unlink glob("$po/sess.log*");
	}
}

# 5b. -n logs one disconnect summary for its connection (-d 1 copies the
# syslog events to stderr), with the session's tag
{
	my $pid;
	my $err = "$po/n-stderr.txt";
	my $s = inetd_session(conf => $conf, po => $po, args => ['-d', '1'],
	    stderr => $err, pidref => \$pid);
	smtp_read($s);
	smtp_cmd($s, 'EHLO c.example');
	smtp_cmd($s, 'NOOP');
	smtp_cmd($s, 'QUIT');
	close $s;
	waitpid($pid, 0);
	my $log = do { local (@ARGV, $/) = $err; <> } // '';
	my @sum = $log =~ /^.*\b(?:disconnect|connection) from .*$/mg;
	is(scalar(@sum), 1, '-n: one summary line for the connection')
	    or diag($log);
	like($sum[0] // '', qr/: \S{7}: disconnect from \S+\[127\.0\.0\.1\] EHLO=1 NOOP=1 QUIT=1 commands=3 messages=0 rejects=0 secs=\d+ event=disconnect client=127\.0\.0\.1 port=\d+ tls=none$/,
	    '-n summary: tag, client, per-verb counts');
	unlink $err;
}

# 6. swaks over -i (swaks --pipe)
SKIP: {
	skip 'swaks not installed', 3 unless -x '/usr/bin/swaks';
	my $cmd = "timeout 30 $SmtpPipe::BIN -i -C $conf -P $po -Z /dev/null";
	my $out = `swaks --pipe '$cmd' --from a\@b.example --to c\@d.example --helo swaks.example --body 'hello from swaks' 2>&1`;
	is($? >> 8, 0, 'swaks exit 0');
	like($out, qr/<-  250 2\.0\.0 Message accepted/, 'swaks saw 250');
	my @sf = take_spool();
	like($sf[0] // '', qr/\nhello from swaks\n/, 'swaks body spooled');
}

done_testing();
