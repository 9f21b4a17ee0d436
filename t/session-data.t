#!/usr/bin/perl
# DATA and BDAT through the real program: dot-stuffing round trip,
# SMTP smuggling variants, bare LF, size limits, chunking.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use SmtpPipe;

my $po = postoffice();
my $conf = write_conf($po, "PARAM maxsize 5000\n* 999 ve\n");

sub lines { join('', map { "$_\r\n" } @_) }
my $head = lines('EHLO a.example', 'MAIL FROM:<a@b.example>',
    'RCPT TO:<c@d.example>');
my $env = "with ESMTP\nfrom <a\@b.example>\ntodsn NOTIFY=FAILURE,DELAY "
    . "ORCPT=rfc822;c\@d.example INRCPT=rfc822;c\@d.example "
    . "INFROM=rfc822;a\@b.example\nto <c\@d.example>\nenv-end\n";

sub body_of {
	my @f = spool_files($po);
	unlink glob("$po/router/*");
	return undef unless @f == 1;
	my $f = $f[0];
	$f =~ s/\A.*?env-end\n//s or return "NO ENV-END: $f";
	return $f;
}

sub run { scalar run_i(conf => $conf, po => $po, input => $_[0],
    args => $_[1] // []) }

# 1. dot-stuffing round trip, byte for byte
my @body = ('.', '..', '...x', '. ', 'a.', '.a', '', 'end');
my $stuffed = join('', map { (/^\./ ? ".$_" : $_) . "\r\n" } @body);
my $out = run($head . "DATA\r\n" . $stuffed . ".\r\nQUIT\r\n");
like($out, qr/^250 2\.0\.0 Message accepted/m, 'stuffed message accepted');
is(body_of(), join('', map { "$_\n" } @body), 'unstuffed body byte for byte');

# 2. smuggling: none of these end DATA; only the final CRLF.CRLF does
for my $v (["\n.\n", 'LF.LF'], ["\n.\r\n", 'LF.CRLF'],
    ["\r.\r\n", 'CR.CRLF'], ["\r\n.\n", 'CRLF.LF'], ["\r.\r", 'CR.CR']) {
	my ($seq, $name) = @$v;
	$out = run($head . "DATA\r\nline1" . $seq
	    . "MAIL FROM:<smuggled\@evil.example>\r\n.\r\nQUIT\r\n");
	my @ok = $out =~ /^250 2\.0\.0 Message accepted/mg;
	is(scalar @ok, 1, "$name: exactly one message");
	my @mail = $out =~ /^250 2\.1\.0/mg;
	is(scalar @mail, 1, "$name: smuggled MAIL not executed");
	my $b = body_of();
	like($b // '', qr/smuggled\@evil\.example/, "$name: smuggled text is body");
}

# 3. bare LF is a line end by default, refused in strict mode
$out = run($head . "DATA\r\nbare\nlf\r\n.\r\nQUIT\r\n");
like($out, qr/^250 2\.0\.0 Message accepted/m, 'bare LF accepted by default');
is(body_of(), "bare\nlf\n", 'bare LF stored as a line end');
$out = run($head . "DATA\r\nbare\nlf\r\n.\r\nQUIT\r\n", ['-s', 'strict']);
like($out, qr/^550 5\.6\.0 Message contains a bare <LF>/m,
    'bare LF in DATA refused with -s strict');
is(body_of(), undef, 'nothing spooled');
my $conf_lf = write_conf(postoffice(), "PARAM bare-lf reject\n* 999 ve\n");
$out = run_i(conf => $conf_lf, po => $po,
    input => "EHLO a.example\nQUIT\r\n");
like($out, qr/^500 5\.5\.2 Line not terminated with CRLF\r\n221 /m,
    'bare LF command refused with bare-lf reject');

# 4. a bare CR is never a line end, and is kept
$out = run($head . "DATA\r\nx\ry\r\n.\r\nQUIT\r\n");
is(body_of(), "x\ry\n", 'bare CR kept inside the line');

# 5. maxsize enforced while receiving: 552 after the dot, nothing stored
my $big = ("x" x 99 . "\r\n") x 60;
$out = run($head . "DATA\r\n$big.\r\nMAIL FROM:<a\@b.example>\r\nQUIT\r\n");
like($out, qr/^552 5\.3\.4 Size of this message exceeds the fixed maximum size of  5000  chars/m,
    'over maxsize: 552');
like($out, qr/^250 2\.1\.0 /m, 'session still in step after 552');
is(body_of(), undef, 'oversized message not spooled');
is(scalar(glob("$po/public/*")), undef, 'no temp file left');

# 6. -M overrides maxsize
$out = run($head . "DATA\r\n" . ("y" x 50) . "\r\n.\r\nQUIT\r\n", ['-M', '20']);
like($out, qr/fixed maximum size of  20  chars/, '-M sets the limit');

# 7. BDAT chunks (CRLF becomes LF; lone CR kept; no dot processing)
my $c1 = "Subject: chunk\r\n\r\n.first\r";
my $c2 = "\nsecond\rthird\r\n";
$out = run($head . "BDAT " . length($c1) . "\r\n$c1"
    . "BDAT " . length($c2) . " LAST\r\n$c2" . "QUIT\r\n");
like($out, qr/^250 2\.0\.0 Received \d+ bytes\r\n/m, 'first chunk');
like($out, qr/^250 2\.0\.0 S[\w=-]+ Roger, got \d+ bytes in the last chunk/m,
    'last chunk commits');
is(body_of(), "Subject: chunk\n\n.first\nsecond\rthird\n",
    'BDAT body: CRLF split across chunks joined, lone CR kept');

# 8. BDAT errors: bytes always consumed, session stays in step
$out = run(lines('EHLO a.example') . "BDAT 5\r\nHELO!" . "BDAT x\r\n"
    . lines('MAIL FROM:<a@b.example>', 'RCPT TO:<c@d.example>')
    . "BDAT 3\r\nabc" . "DATA\r\n" . "BDAT 0 LAST\r\n" . "QUIT\r\n");
like($out, qr/^503 5\.5\.1 .*Waiting for MAIL command\r\n/m,
    'BDAT without MAIL refused');
unlike($out, qr/Hello !/, 'its bytes were not read as a command');
like($out, qr/^501 5\.5\.4 Syntax error in BDAT parameters\r\n/m, 'BDAT x');
like($out, qr/^503 5\.5\.1 .*Must not intermix BDAT and DATA/m,
    'DATA inside BDAT');
like($out, qr/^221 /m, 'still in step at QUIT');

# 8a. a BDAT chunk past maxsize is refused at once and ends the
# transaction; a huge announced size is read, never stored
my $c3 = "z" x 6000;
$out = run($head . "BDAT " . length($c3) . "\r\n$c3" . "BDAT 3 LAST\r\nabc"
    . lines('MAIL FROM:<a@b.example>', 'RCPT TO:<c@d.example>')
    . "BDAT 99999\r\n" . ("w" x 99999)
    . lines('MAIL FROM:<a@b.example>', 'RCPT TO:<c@d.example>')
    . "BDAT 2 LAST\r\nok" . "QUIT\r\n");
my @bd = $out =~ /^(\d{3}[ -]\d\.\d\.\d)/mg;
is("@bd", '250 2.1.0 250 2.1.5 552 5.3.4 503 5.5.1 250 2.1.0 250 2.1.5 '
    . '552 5.3.4 250 2.1.0 250 2.1.5 250 2.0.0 221 2.0.0',
    'BDAT over maxsize: 552 at the chunk, transaction over, MAIL again');
like($out, qr/^250 2\.0\.0 S[\w=-]+ Roger, got 2 bytes/m,
    'the next message goes through');
is(body_of(), "ok", 'only it was spooled');
is(scalar(glob("$po/public/*")), undef, 'no temp file left');

# 8b. a person typing at a terminal (-i on a tty) ends DATA with "." LF
SKIP: {
	skip 'script(1) not available', 2 unless -x '/usr/bin/script';
	my $in = "$po/typed";
	open my $t, '>', $in or die;
	print $t "HELO x.example\nMAIL FROM:<a\@b.example>\nRCPT TO:<c\@d.example>\n"
	    . "DATA\ntyped\n.\nQUIT\n";
	close $t;
	my $o = `timeout 20 script -qec '$SmtpPipe::BIN -i -Z /dev/null -C $conf -P $po' /dev/null < $in`;
	like($o, qr/^250 2\.0\.0 Message accepted/m, 'tty: "." LF ends the message');
	is(body_of(), "typed\n", 'tty: body stored');
}

# 9. pipelined MAIL/RCPT/DATA arrive in one write over -i too
$out = run(lines('EHLO a.example') . lines('MAIL FROM:<a@b.example>',
    'RCPT TO:<c@d.example>', 'RCPT TO:<bad@@x>', 'DATA', 'hi', '.',
    'QUIT'));
my @codes = $out =~ /^(\d{3}) /mg;
is("@codes", '220 250 250 250 501 354 250 221', 'pipelined replies in order');

done_testing();
