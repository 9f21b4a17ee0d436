#!/usr/bin/perl
# The SMTP session through the real program (-i on a pipe): every verb's
# happy and error paths, and the spool file byte for byte.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use SmtpPipe;

my $po = postoffice();
my $conf = write_conf($po, <<'CONF');
PARAM maxsize 100000
PARAM hdr220 %H test server %V ready
PARAM help Local help line one.
* 999 ve
CONF

sub session {
	my ($input, @args) = @_;
	return scalar run_i(conf => $conf, po => $po, input => $input,
	    args => \@args);
}

sub lines { join('', map { "$_\r\n" } @_) }

# 1. a whole transaction; the spool file compared byte for byte
my $out = session(lines('EHLO client.example',
    'MAIL FROM:<sender@example.com> BODY=8BITMIME RET=HDRS ENVID=abc+2Bd',
    'RCPT TO:<rcpt@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x+2By@example.org',
    'RCPT TO:<two@example.org>',
    'DATA', 'Subject: test', '', 'Hello.', '..leading dot', '.', 'QUIT'));
like($out, qr/\A220 \S+ test server \d+\.\d+\.\d+ ready\r\n/, 'hdr220 greeting');
like($out, qr/^250-\S+ Hello client\.example\r\n/m, 'EHLO greeting line');
like($out, qr/^250-PIPELINING\r\n/m, 'PIPELINING offered');
like($out, qr/^250-CHUNKING\r\n/m, 'CHUNKING offered');
like($out, qr/^250-DSN\r\n/m, 'DSN offered');
like($out, qr/^250-SIZE 100000\r\n/m, 'SIZE shows maxsize');
unlike($out, qr/^250-(?:VRFY|EXPN)\r\n/m, 'no VRFY, EXPN in EHLO by default');
like($out, qr/^250 2\.1\.0 Sender syntax Ok\r\n/m, 'MAIL accepted');
like($out, qr/^250 2\.1\.5 Recipient address syntax Ok; rcpt=<rcpt\@example\.org>\r\n/m,
    'RCPT accepted');
like($out, qr/^354 Start mail input; end with <CRLF>\.<CRLF>\r\n/m, 'DATA go-ahead');
like($out, qr/^250 2\.0\.0 Message accepted; (S[\w=-]+)\r\n/m, 'message accepted');
like($out, qr/^221 2\.0\.0 \S+ Out\r\n\z/m, 'QUIT last');
my @files = spool_files($po);
is(scalar @files, 1, 'one file in router/');
is($files[0], <<'ENV', 'spool file byte for byte');
bodytype 8BITMIME
with ESMTP
from <sender@example.com>
envid abc+2Bd
notaryret HDRS
todsn NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x+2By@example.org INRCPT=rfc822;rcpt@example.org INFROM=rfc822;sender@example.com
to <rcpt@example.org>
todsn NOTIFY=FAILURE,DELAY ORCPT=rfc822;two@example.org INRCPT=rfc822;two@example.org INFROM=rfc822;sender@example.com
to <two@example.org>
env-end
Subject: test

Hello.
.leading dot
ENV
my @pub = glob("$po/public/*");
is(scalar @pub, 0, 'nothing left in public/');
unlink glob("$po/router/*");

# 2. sequence errors and the state machine
$out = session(lines('MAIL FROM:<a@b.example>', 'HELO x.example',
    'RCPT TO:<c@d.example>', 'DATA', 'MAIL FROM:<a@b.example>',
    'MAIL FROM:<a@b.example>', 'DATA', 'RSET', 'RCPT TO:<c@d.example>',
    'QUIT'));
my @r = split /\r\n/, $out;
like($r[1], qr/^503 5\.5\.1 Hello \[127\.0\.0\.1\], Waiting for HELO\/EHLO command$/,
    'MAIL before HELO');
like($r[2], qr/^250 \S+ Hello x\.example$/, 'HELO reply');
like($r[3], qr/^503 5\.5\.1 .*Waiting for MAIL command$/, 'RCPT before MAIL');
like($r[4], qr/^503 5\.5\.1 .*Waiting for MAIL command$/, 'DATA before MAIL');
like($r[5], qr/^250 2\.1\.0 /, 'MAIL ok');
like($r[6], qr/^503 5\.5\.1 .*Sender already specified$/, 'nested MAIL');
like($r[7], qr/^554 5\.5\.1 No valid recipients/, 'DATA without RCPT');
like($r[8], qr/^250 2\.0\.0 Reset processed/, 'RSET');
like($r[9], qr/^503 5\.5\.1 .*Waiting for MAIL command$/,
    'DATA aborted the transaction, RSET too');
like($r[10], qr/^221 /, 'QUIT');

# 3. misc verbs
$out = session(lines('NOOP', 'ONEX', 'HELP', 'VERB', 'TURN', 'TICK 42',
    'VRFY postmaster', 'EXPN list', 'ETRN example.org', 'AUTH PLAIN',
    'STARTTLS', 'HELO', 'EHLO', 'VRFY', 'EXPN', 'QUIT'));
like($out, qr/^250 2\.0\.0 Ok\r\n250 2\.0\.0 Ok\r\n/m, 'NOOP and ONEX');
like($out, qr/^214-2\.0\.0 Local help line one\.\r\n/m, 'HELP shows PARAM help');
like($out, qr/^214 2\.0\.0 For local information contact: postmaster\@/m,
    'HELP ends with the contact');
like($out, qr/^250 2\.0\.0 smtpserver /m, 'VERB');
like($out, qr/^502 5\.5\.1 Command not implemented\r\n/m, 'TURN');
like($out, qr/^250 2\.0\.0 TICK 42\r\n/m, 'TICK');
like($out, qr/^252 2\.5\.0 Cannot VRFY user; try RCPT to attempt delivery\r\n/m,
    'VRFY without VRFYcmd: 252, never 500 (RFC 5321 7.3)');
like($out, qr/^502 5\.5\.1 Command not implemented\r\n458 4\.3\.0 /m,
    'EXPN without EXPNcmd: 502');
unlike($out, qr/^500 /m, 'no verb above is unknown');
like($out, qr/^501 5\.5\.4 VRFY requires an argument\r\n/m, 'bare VRFY: 501');
like($out, qr/^501 5\.5\.4 EXPN requires an argument\r\n/m, 'bare EXPN: 501');
like($out, qr/^214-2\.0\.0 Commands: .* HELP VRFY VERB\r\n/m,
    'HELP lists VRFY, not EXPN');
like($out,
    qr/^458 4\.3\.0 Unable to queue messages for node example\.org\r\n/m,
    'ETRN without transport/: 458');
like($out, qr/^502 5\.5\.1 AUTH not available\r\n/m, 'AUTH not available');
like($out, qr/^502 5\.5\.1 STARTTLS not available\r\n/m,
    'STARTTLS not available');
like($out, qr/^501 5\.5\.4 HELO requires domain address\r\n/m,
    'HELO needs an argument');
like($out, qr/^501 5\.5\.4 EHLO requires domain address\r\n/m,
    'EHLO needs an argument');

# 4. VRFY/EXPN enabled
my $conf2 = write_conf(postoffice(), "PARAM VRFYcmd\nPARAM EXPNcmd\n* 999 ve\n");
$out = run_i(conf => $conf2, po => $po, input => lines('VRFY x',
    'EHLO a.example', 'VRFY x', 'EXPN x', 'QUIT'));
like($out, qr/\A220 [^\n]*\n252 2\.5\.2 /,
    'VRFY before HELO answered too (RFC 5321 4.1.4)');
like($out, qr/^250-VRFY\r\n/m, 'VRFY offered');
like($out, qr/^250-EXPN\r\n/m, 'EXPN offered');
like($out, qr/^252 2\.5\.2 Cannot VRFY user/m, 'VRFY 252');
like($out, qr/^502 5\.5\.1 Command not implemented\r\n221/m, 'EXPN 502');

# 5. MAIL and RCPT syntax and parameters
$out = session(lines('EHLO a.example', 'MAIL <a@b.example>',
    'MAIL FROM:<<a@b.example>>', 'MAIL FROM:<a@@b>',
    'MAIL FROM:<a@b.example> FOO=bar', 'MAIL FROM:<a@b.example> SIZE=x',
    'MAIL FROM:<a@b.example> SIZE=1 SIZE=2',
    'MAIL FROM:<a@b.example> SIZE=200000',
    'MAIL FROM:<a@b.example> BODY=BINARYMIME',
    'MAIL FROM:<a@b.example> ENVID=bad+ZZ',
    'MAIL FROM:<@r1.example,@r2.example:a@b.example>',
    'RCPT <c@d.example>', 'RCPT TO:<>', 'RCPT TO:<c@d.example> NOTIFY=NEVER,SUCCESS',
    'RCPT TO:<c@d.example> ORCPT=bad', 'RCPT TO:<c@d.example> XYZ=1',
    'RCPT TO:<postmaster>', 'QUIT'));
like($out, qr/^501 5\.5\.2 Hello \[127\.0\.0\.1\], where is From: in that\?\r\n/m,
    'MAIL without FROM:');
like($out, qr/^501 5\.1\.7 there are too many <'s/m, 'MAIL <<');
like($out, qr/^501-5\.1\.7 +\^\r\n501 5\.1\.7 Path data: /m, 'caret line and path error');
like($out, qr/^555 5\.5\.4 Unknown MAIL FROM:<> parameter: FOO\r\n/m,
    'unknown MAIL parameter');
like($out, qr/^501 5\.5\.4 SIZE-param data error\r\n/m, 'bad SIZE');
like($out, qr/^501 5\.5\.4 .*double defined/m, 'duplicate parameter');
like($out, qr/^552 5\.3\.4 This message is larger, than our maximum acceptable incoming message size of  100000  chars\.\r\n/m,
    'SIZE over maxsize');
like($out, qr/^501 5\.5\.4 BODY-param data error\r\n/m, 'BINARYMIME refused');
like($out, qr/^501 5\.5\.4 ENVID-param data error\r\n/m, 'bad ENVID');
like($out, qr/^250 2\.1\.0 Sender syntax Ok, source route ignored\r\n/m,
    'source route stripped');
like($out, qr/^501 5\.5\.2 where is To: in this\?/m, 'RCPT without TO:');
like($out, qr/^501 5\.1\.3 Null address valid only as source/m, 'RCPT <>');
like($out, qr/^501 5\.5\.4 NOTIFY-param data error\r\n/m, 'NEVER is exclusive');
like($out, qr/^501 5\.5\.4 ORCPT-param data error!\r\n/m, 'bad ORCPT');
like($out, qr/^555 5\.5\.4 Unknown RCPT TO:<> parameter: XYZ\r\n/m,
    'unknown RCPT parameter');
like($out, qr/^250 2\.1\.5 Recipient address syntax Ok; rcpt=<postmaster>\r\n/m,
    'bare postmaster');

# 6. enhanced status codes off, no-multiline-replies
my $conf3 = write_conf(postoffice(),
    "PARAM NoENHANCEDSTATUSCODES\nPARAM no-multiline-replies\nPARAM NoPIPELINING\nPARAM NoCHUNKING\nPARAM NoDSN\nPARAM No8BITMIME\n* 999 ve\n");
$out = run_i(conf => $conf3, po => $po, input => lines('EHLO a.example',
    'MAIL FROM:<a@@b>', 'MAIL FROM:<a@b.example> RET=FULL',
    'MAIL FROM:<a@b.example> BODY=8BITMIME', 'BDAT 0 LAST', 'QUIT'));
unlike($out, qr/ENHANCEDSTATUSCODES|PIPELINING|CHUNKING|DSN|8BITMIME/,
    'disabled keywords not offered');
like($out, qr/^501 Path data: /m, 'no enhanced code, no caret line');
like($out, qr/^555 Unknown MAIL FROM:<> parameter: RET\r\n/m,
    'RET unknown with NoDSN');
like($out, qr/^555 Unknown MAIL FROM:<> parameter: BODY\r\n/m,
    'BODY unknown with No8BITMIME');
like($out, qr/^500 Unknown command 'BDAT 0 LAST'\r\n/m,
    'BDAT unknown with NoCHUNKING');

# 7. NoEHLO
my $conf4 = write_conf(postoffice(), "PARAM NoEHLO\n* 999 ve\n");
$out = run_i(conf => $conf4, po => $po, input => lines('EHLO a.example',
    'HELO a.example', 'QUIT'));
like($out, qr/^500 5\.5\.1 Unknown command 'EHLO a\.example'\r\n250 /m,
    'EHLO unknown with NoEHLO, HELO works');

# 8. HELO pattern rejection (also with the "*" placeholder)
my $conf5 = write_conf(postoffice(),
    "bad.example 999 !NO EMAIL FROM YOU\nworse.example 999 * !go away\n* 999 ve\n");
$out = run_i(conf => $conf5, po => $po, input => lines('HELO bad.example',
    'HELO worse.example', 'HELO good.example', 'QUIT'));
like($out, qr/^501 5\.7\.1 Sorry \[127\.0\.0\.1\], NO EMAIL FROM YOU\r\n/m,
    'HELO pattern with !');
like($out, qr/^501 5\.7\.1 Sorry \[127\.0\.0\.1\], go away\r\n/m,
    '"* !msg" rejects too');
like($out, qr/^250 \S+ Hello good\.example\r\n/m, 'other names accepted');

# 9. LMTP mode: LHLO, per-recipient DATA replies
my $conf6 = write_conf(postoffice(), "PARAM lmtp-mode\n* 999 ve\n");
my $po6 = postoffice();
$out = run_i(conf => $conf6, po => $po6, input => lines('HELO a.example',
    'LHLO a.example', 'MAIL FROM:<a@b.example>', 'RCPT TO:<x@y.example>',
    'RCPT TO:<z@y.example>', 'DATA', 'x', '.', 'QUIT'));
like($out, qr/^500 5\.5\.1 Unknown command 'HELO a\.example'/m,
    'HELO unknown in LMTP mode');
like($out, qr/^250 2\.0\.0 <x\@y\.example> Message accepted; S[\w=-]+\r\n250 2\.0\.0 <z\@y\.example> Message accepted; S[\w=-]+\r\n/m,
    'a reply per recipient');
like((spool_files($po6))[0], qr/^with LMTP$/m, 'with LMTP');

# 10. allowsourceroute keeps the route
my $conf7 = write_conf(postoffice(), "PARAM allowsourceroute\n* 999 ve\n");
$out = run_i(conf => $conf7, po => $po, input => lines('HELO a.example',
    'MAIL FROM:<@r1.example,@r2.example:a@b.example>', 'QUIT'));
like($out, qr/^250 2\.1\.0 Sender syntax Ok\r\n/m,
    'allowsourceroute: route kept, no "ignored" note');

# 11. HELO required by the usual "*" pattern, optional with -s sloppy
$out = session(lines('MAIL FROM:<a@b.example>', 'QUIT'), '-s', 'sloppy');
like($out, qr/^250 2\.1\.0 /m, '-s sloppy: HELO optional');

done_testing();
