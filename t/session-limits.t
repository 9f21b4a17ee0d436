#!/usr/bin/perl
# Input limits through the real program: illegal characters, long lines,
# unknown-command limit, recipient limits, timeouts.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use SmtpPipe;
use Socket;
use IO::Select;
use POSIX ();

my $po = postoffice();
my $conf = write_conf($po, <<'CONF');
PARAM max-unknown-commands 3
PARAM RcptLimitCount 100
PARAM max-error-recipients 2
* 999 ve
CONF

sub lines { join('', map { "$_\r\n" } @_) }
sub run { scalar run_i(conf => $conf, po => $po, input => $_[0],
    args => $_[1] // []) }

# 1. NUL, control and 8-bit input get 500 and the session goes on
my $out = run(lines('EHLO a.example', "NOOP \0x", "NOOP \x01",
    "MAIL FROM:<a\@b.example>", 'QUIT'));
like($out, qr/^500 5\.5\.2 Illegal input characters: NUL on SMTP input\r\n/m,
    'NUL refused');
like($out, qr/^500 5\.5\.2 Illegal input characters: Control chars on SMTP input\r\n/m,
    'control char refused');
like($out, qr/^250 2\.1\.0 .*\r\n221 /m, 'session goes on');
my $conf8 = write_conf(postoffice(), "PARAM NoSMTPUTF8\n* 999 ve\n");
$out = run_i(conf => $conf8, po => $po,
    input => lines('EHLO a.example', "NOOP caf\xc3\xa9", 'QUIT'));
like($out, qr/^500 5\.5\.2 Illegal input characters: 8-bit char on SMTP input\r\n/m,
    '8-bit refused without SMTPUTF8');

# 1b. replies stay 7-bit: an 8-bit HELO argument is not echoed raw
$out = run(lines("HELO caf\xc3\xa9.example", 'QUIT'));
like($out, qr/^250 \S+ Hello caf\?\?\.example\r\n/m, '8-bit HELO echoed as ?');

# 2. SMTPUTF8: UTF-8 addresses need the MAIL parameter
$out = run(lines('EHLO a.example', "MAIL FROM:<j\xc3\xb6rg\@b.example>",
    "MAIL FROM:<j\xc3\xb6rg\@b.example> SMTPUTF8",
    "RCPT TO:<m\xc3\xbcller\@d.example>", 'QUIT'));
like($out, qr/^553 5\.6\.7 Non-ASCII address needs the SMTPUTF8 parameter\r\n/m,
    'UTF-8 sender without SMTPUTF8');
like($out, qr/^250 2\.1\.0 .*\r\n250 2\.1\.5 /m, 'with SMTPUTF8 accepted');

# 3. a 10,000-byte command line: 500, drained, session in step
$out = run("EHLO a.example\r\nMAIL FROM:<" . ("a" x 10000) . "\@b.example>\r\n"
    . lines('NOOP', 'QUIT'));
like($out, qr/^500 5\.5\.2 Line too long \(limit \d+ octets\)\r\n250 2\.0\.0 Ok\r\n221 /m,
    'long line refused, next command read normally');

# 4. unknown-command limit: the 3rd closes with 421
$out = run(lines('FOO', 'BAR', 'BAZ', 'NOOP'));
my @unk = $out =~ /^500 5\.5\.1 Unknown command/mg;
is(scalar @unk, 2, 'two 500 replies');
like($out, qr/^421 4\.7\.0 \S+ Hi \[127\.0\.0\.1\], One too many unknown command 'BAZ'\r\n\z/m,
    'third unknown command: 421 and close');

# 5. 1,000 RCPTs against RcptLimitCount 100
my @rc = map { "RCPT TO:<r$_\@d.example>" } 1 .. 1000;
$out = run(lines('EHLO a.example', 'MAIL FROM:<a@b.example>', @rc, 'DATA',
    'x', '.', 'QUIT'));
my @ok = $out =~ /^250 2\.1\.5 /mg;
my @full = $out =~ /^452 4\.5\.3 Too many recipients in one go!\r\n/mg;
is(scalar @ok, 100, '100 recipients accepted');
is(scalar @full, 900, '900 refused with 452');
my @f = spool_files($po);
my @to = ($f[0] // '') =~ /^to </mg;
is(scalar @to, 100, 'spool has exactly the accepted recipients');
unlink glob("$po/router/*");

# 5b. refused RCPTs count too, at twice RcptLimitCount
@rc = map { "RCPT TO:<r$_\@\@bad>" } 1 .. 250;
$out = run(lines('EHLO a.example', 'MAIL FROM:<a@b.example>', @rc, 'QUIT'));
my @bad = $out =~ /^501 5\.1\.3 Path data/mg;
@full = $out =~ /^452 4\.5\.3 /mg;
is(scalar @bad, 200, 'the first 200 bad recipients answered 501');
is(scalar @full, 50, 'then 452 for every further RCPT');
# ... and RSET does not start the count afresh for the session
@rc = map { "RCPT TO:<r$_\@\@bad>" } 1 .. 250;
$out = run(lines('EHLO a.example', 'MAIL FROM:<a@b.example>', @rc, 'RSET',
    'MAIL FROM:<a@b.example>', @rc, 'QUIT'));
my @n501 = $out =~ /^501 5\.1\.3 /mg;
is(scalar @n501, 350, '200 + 150 answered before the session cap');
like($out, qr/^421 4\.7\.0 \S+ Too many refused recipients, closing connection\r\n\z/m,
    'more than 4 x RcptLimitCount refused RCPTs in a session: 421 and close');

# 6. null sender: max-error-recipients
$out = run(lines('EHLO a.example', 'MAIL FROM:<>', 'RCPT TO:<a@d.example>',
    'RCPT TO:<b@d.example>', 'RCPT TO:<c@d.example>', 'QUIT'));
like($out, qr/^250 2\.1\.5 .*\r\n250 2\.1\.5 .*\r\n550 5\.7\.1 SPAM trap -- too many recipients for an empty source address!\r\n/m,
    'third recipient of a bounce refused');

# 7. -s strict: blanks and junk refused
$out = run(lines('EHLO a.example', 'MAIL FROM: <a@b.example>',
    'MAIL FROM:<user>', 'MAIL FROM:<a@b.example>', 'RCPT TO:<c@d.example>',
    'DATA junk', 'RSET junk', 'QUIT'), ['-s', 'strict']);
like($out, qr/^501-5\.1\.7 +\^\r\n501 5\.1\.7 Path data: /m, 'strict: blank before <');
like($out, qr/^501 5\.1\.7 Path data: missing \@domain\r\n/m,
    'strict: domain required');
like($out, qr/^501 5\.5\.4 Extra junk after 'DATA' verb\r\n/m, 'strict: DATA junk');
like($out, qr/^501 5\.5\.4 Extra junk after 'RSET' verb; RSET processed anyway\r\n/m,
    'strict: RSET junk');

# 8. tarpit before a 5xx (noted in the transcript; timing is not tested)
my $tp = write_conf(postoffice(), "PARAM tarpit 1 1 2\nPARAM NoETRN\n* 999 ve\n");
my $tlog = "$po/tarpit.log";
$out = run_i(conf => $tp, po => $po, input => lines('ETRN x.example', 'QUIT'),
    args => ['-l', $tlog]);
like($out, qr/^500 5\.5\.1 Unknown command 'ETRN x\.example'\r\n221 /m,
    'NoETRN: ETRN unknown, and the 5xx still comes after the tarpit');
my $tl = do { local (@ARGV, $/) = $tlog; <> } // '';
like($tl, qr/#\ttarpit 1 s$/m, 'tarpit delay noted in the transcript');

# 9. command timeout: 421 over a real socket
my $ct = write_conf(postoffice(), policy_db($po)
    . "PARAM timeout-command 1\n* 999 ve\n");
my $s = inetd_session(conf => $ct, po => $po, args => ['-d', '1'],
    stderr => "$po/ctimeout.err");
like(smtp_read($s), qr/^220 /, 'greeting');
like(smtp_read($s, 10), qr/^421 4\.4\.2 \S+ Timeout waiting for client input/,
    'idle client gets 421 on timeout');
is(smtp_read($s, 5), '', 'then the connection closes');
my $ce = do { local (@ARGV, $/) = "$po/ctimeout.err"; <> } // '';
like($ce, qr/: timeout \(command\) from .* event=timeout client=127\.0\.0\.1 port=\d+ stage=command$/m,
    'the timeout is logged');

# 10. timeout in DATA and the session deadline
my $dt = write_conf(postoffice(), policy_db($po)
    . "PARAM timeout-data 1\nPARAM session-deadline 3\n* 999 ve\n");
$s = inetd_session(conf => $dt, po => $po);
smtp_read($s);
smtp_cmd($s, 'EHLO a.example');
smtp_cmd($s, 'MAIL FROM:<a@b.example>');
smtp_cmd($s, 'RCPT TO:<c@d.example>');
like(smtp_cmd($s, 'DATA'), qr/^354 /, 'DATA');
syswrite($s, "partial line\r\n");
like(smtp_read($s, 10), qr/^421 4\.4\.2 /, 'idle inside DATA: 421 after timeout-data');
is(smtp_read($s, 5), '', 'closed');
is(scalar(spool_files($po)), 0, 'the partial message is not spooled');
is(scalar(glob("$po/public/*")), undef, 'and its temp file is gone');
$s = inetd_session(conf => $dt, po => $po);
smtp_read($s);
my $r = '';
for (1 .. 20) {	# a busy client: NOOPs keep coming, the deadline ends it
	$r = smtp_cmd($s, 'NOOP');
	last if $r !~ /^250 /;
	select(undef, undef, undef, 0.25);
}
like($r, qr/^421 4\.4\.2 /, 'session-deadline ends even a busy session');

# 11. a client that sends commands and reads no reply: once the socket's
# buffers are full the server waits for it at most timeout-command, then
# drops it (it used to block in write(2) until killed)
my $wt = write_conf(postoffice(), policy_db($po)
    . "PARAM timeout-command 1\nPARAM max-junk-commands 100000\n* 999 ve\n");
my $wlog = "$po/wtimeout.log";
my ($wport, $wpid) = inetd_listen(conf => $wt, po => $po, sndbuf => 4096,
    args => ['-l', $wlog, '-d', '1'], stderr => "$po/wtimeout.err");
socket(my $ws, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
setsockopt($ws, SOL_SOCKET, SO_RCVBUF, 2048) or die "SO_RCVBUF: $!";
connect($ws, pack_sockaddr_in($wport, inet_aton('127.0.0.1')))
    or die "connect: $!";
my $greet = '';
sysread($ws, $greet, 512)
    if IO::Select->new($ws)->can_read(10);
like($greet, qr/^220 /, 'greeting read');
syswrite($ws, "EHLO a.example\r\n");
my $ehlo = '';
while ($ehlo !~ /^250 /m && IO::Select->new($ws)->can_read(10)) {
	sysread($ws, $ehlo, 4096, length $ehlo) or last;
}
like($ehlo, qr/^250 /m, 'EHLO answered');
# 3,000 HELPs: 18 KB in (the server's receive buffer takes it), about
# 1.8 MB of replies out, which no buffer holds
ok(defined syswrite($ws, "HELP\r\n" x 3000),
    'commands sent, no reply read');
my $gone = 0;
for (1 .. 100) {	# 20 s at most; timeout(1) would end it at 30 s
	last if ($gone = waitpid($wpid, POSIX::WNOHANG()) == $wpid);
	select(undef, undef, undef, 0.2);
}
ok($gone, 'the server dropped the client that takes no replies');
ok($gone && ($? & 127) == 0 && $? >> 8 != 124,
    'by itself, not killed by timeout(1)');
my $wl = do { local (@ARGV, $/) = $wlog; <> } // '';
like($wl, qr/Timeout sending replies/, 'the transcript says why');
my $we = do { local (@ARGV, $/) = "$po/wtimeout.err"; <> } // '';
like($we, qr/: timeout \(reply\) from .* event=timeout client=127\.0\.0\.1 port=\d+ stage=reply$/m,
    'and the log line for programs');
kill 'KILL', $wpid unless $gone;
close $ws;

done_testing();
