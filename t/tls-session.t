#!/usr/bin/perl
# TLS: STARTTLS (RFC 3207) and implicit TLS (-t) under -n on a real TCP
# socket, with swaks, openssl s_client and IO::Socket::SSL; certificates
# made here with the openssl command line.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Socket::SSL;
use SmtpPipe;
use TlsCerts;

my $po = postoffice();
my ($crt, $key) = make_cert($po, 'server', 'localhost');
my $tlsconf = policy_db($po) . <<"EOF";
* 999 ve
PARAM use-tls
PARAM tls-cert-file $crt
PARAM tls-key-file $key
PARAM rcvd-tls-mode
EOF
my $conf = write_conf($po, $tlsconf);
chomp(my $host = `hostname`);

sub take_spool {
	my @f = spool_files($po);
	unlink glob("$po/router/*");
	return @f;
}

sub swaks {
	my ($port, @args) = @_;
	my $out = `timeout 30 swaks --server 127.0.0.1:$port --from a\@b.example --to c\@d.example --helo client.example @args 2>&1`;
	return ($out, $? >> 8);
}

# 1. swaks --tls: STARTTLS, a second EHLO, the message with its cipher
my ($port, $pid) = inetd_listen(conf => $conf, po => $po);
my ($out, $rc) = swaks($port, '--tls');
waitpid($pid, 0);
is($rc, 0, 'swaks --tls exit 0');
like($out, qr/^<-  250-STARTTLS\r?$/m, 'STARTTLS offered before TLS');
like($out, qr/^<-  220 2\.0\.0 Ready to start TLS/m, '220 Ready to start TLS');
like($out, qr/^=== TLS started with cipher TLSv1\.[23]/m, 'TLS 1.2+ negotiated');
unlike($out, qr/^<~  250-STARTTLS/m, 'STARTTLS not offered inside TLS');
like($out, qr/^<~  250 2\.0\.0 Message accepted/m, 'message accepted inside TLS');
my @f = take_spool();
is(scalar @f, 1, 'one spool file');
like($f[0] // '', qr/^rcvdfrom .* TLS-CIPHER: "TLS_\w+ keybits \d+\/\d+ version TLSv1\.3"/m,
    'rcvd-tls-mode: cipher in rcvdfrom');
like($f[0] // '', qr/^with ESMTPS$/m, 'with ESMTPS');

# 2. openssl s_client -starttls smtp: handshake, certificate, TLS >= 1.2
($port, $pid) = inetd_listen(conf => $conf, po => $po);
$out = s_client($port, "QUIT\n", '-starttls', 'smtp', '-crlf');
waitpid($pid, 0);
like($out, qr/subject=\/?CN ?= ?localhost/, 's_client saw our certificate');
like($out, qr/(?:Protocol\s*:|New,)\s*TLSv1\.[23]/, 's_client: TLS 1.2 or 1.3');
like($out, qr/^221 2\.0\.0 /m, 'QUIT answered inside TLS');

# 3. TLS 1.1 and 1.0 are refused by the server
for my $v (qw(tls1_1 tls1)) {
	($port, $pid) = inetd_listen(conf => $conf, po => $po);
	$out = s_client($port, "QUIT\n", '-starttls', 'smtp', '-crlf', "-$v",
	    '-cipher', 'DEFAULT@SECLEVEL=0');
	waitpid($pid, 0);
	unlike($out, qr/^221 /m, "-$v: no session");
	like($out, qr/alert protocol version|no protocols available/, "-$v: refused");
}
# TLS 1.2 explicitly still works
($port, $pid) = inetd_listen(conf => $conf, po => $po);
$out = s_client($port, "QUIT\n", '-starttls', 'smtp', '-crlf', '-tls1_2');
waitpid($pid, 0);
like($out, qr/^221 2\.0\.0 /m, '-tls1_2 accepted');
like($out, qr/Cipher(?: is|\s*:)\s*ECDHE-/, 'TLS 1.2: forward-secret ECDHE suite');

# 4. STARTTLS injection: commands after STARTTLS in the same write
my $s = inetd_session(conf => $conf, po => $po, pidref => \$pid);
like(smtp_read($s), qr/^220 /, 'greeting');
like(smtp_cmd($s, 'EHLO client.example'), qr/^250-STARTTLS\r$/m, 'EHLO');
syswrite($s, "STARTTLS\r\nRSET\r\n");
like(smtp_read($s), qr/^501 5\.5\.4 Extra junk following 'STARTTLS' command/,
    'pipelined STARTTLS refused');
is(smtp_cmd($s, 'QUIT'), "221 2.0.0 $host Out\r\n",
    'next reply is QUIT\'s: the injected RSET was never run');
close $s;
waitpid($pid, 0);

# 5. after the handshake: EHLO again, no STARTTLS twice
$s = inetd_session(conf => $conf, po => $po, pidref => \$pid);
like(smtp_read($s), qr/^220 /, 'greeting');
smtp_cmd($s, 'EHLO client.example');
like(smtp_cmd($s, 'MAIL FROM:<x@y.example>'), qr/^250 /, 'MAIL before TLS');
like(smtp_cmd($s, 'STARTTLS'), qr/^220 2\.0\.0 Ready to start TLS\r\n\z/, 'STARTTLS');
ok(IO::Socket::SSL->start_SSL($s, SSL_verify_mode => SSL_VERIFY_NONE,
    Timeout => 10), 'handshake') or diag($SSL_ERROR);
like(smtp_cmd($s, 'RCPT TO:<c@d.example>'), qr/^503 5\.5\.1 .*Waiting for HELO\/EHLO/,
    'transaction and EHLO forgotten after STARTTLS');
my $e = smtp_cmd($s, 'EHLO client.example');
like($e, qr/^250 HELP/m, 'EHLO inside TLS');
unlike($e, qr/STARTTLS/, 'no STARTTLS offered inside TLS');
like(smtp_cmd($s, 'STARTTLS'), qr/^554 5\.5\.1 TLS already active/, 'second STARTTLS: 554');
like(smtp_cmd($s, 'QUIT'), qr/^221 /, 'QUIT');
close $s;
waitpid($pid, 0);
take_spool();

# 6. implicit TLS with -t: swaks --tlsc
($port, $pid) = inetd_listen(conf => $conf, po => $po, args => ['-t']);
($out, $rc) = swaks($port, '--tlsc');
waitpid($pid, 0);
is($rc, 0, 'swaks --tlsc exit 0');
like($out, qr/^=== TLS started with cipher/m, 'TLS before the greeting');
like($out, qr/^<~  220 /m, 'greeting inside TLS');
unlike($out, qr/STARTTLS/, 'no STARTTLS offered on implicit TLS');
@f = take_spool();
like($f[0] // '', qr/TLS-CIPHER: "/, 'implicit TLS: cipher in the envelope');

# 7. -t with a plaintext client: no greeting in clear
$s = inetd_session(conf => $conf, po => $po, pidref => \$pid, args => ['-t']);
syswrite($s, "EHLO client.example\r\n");
unlike(smtp_read($s, 10), qr/^220 /, '-t: nothing in plaintext');
close $s;
waitpid($pid, 0);

# 8. not configured: 502; configured but the key is broken: 454
my $plain = write_conf($po, policy_db($po) . "* 999 ve\n");
$s = inetd_session(conf => $plain, po => $po, pidref => \$pid);
smtp_read($s);
unlike(smtp_cmd($s, 'EHLO client.example'), qr/STARTTLS/, 'no STARTTLS without use-tls');
like(smtp_cmd($s, 'STARTTLS'), qr/^502 5\.5\.1 /, 'STARTTLS without use-tls: 502');
smtp_cmd($s, 'QUIT');
close $s;
waitpid($pid, 0);
open my $fh, '>', "$po/broken.key" or die;
print $fh "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n";
close $fh;
my $broken = write_conf($po, $tlsconf =~ s/\Q$key\E/$po\/broken.key/r);
$s = inetd_session(conf => $broken, po => $po, pidref => \$pid);
smtp_read($s);
like(smtp_cmd($s, 'EHLO client.example'), qr/^250-STARTTLS\r$/m, 'offered when configured');
like(smtp_cmd($s, 'STARTTLS'), qr/^454 4\.7\.0 TLS not available/, 'broken key: 454');
like(smtp_cmd($s, 'QUIT'), qr/^221 /, 'session goes on in plaintext');
close $s;
waitpid($pid, 0);

# 9. client certificates: asked, verified against tls-CAfile, CN in the
# envelope (rcvd-tls-peer); required: no certificate, no session
my ($ccrt, $ckey) = make_cert($po, 'client', 'client.example');
my $ask = write_conf($po, $tlsconf . "PARAM tls-ask-cert 1\n"
    . "PARAM tls-CAfile $ccrt\nPARAM rcvd-tls-peer\n");
($port, $pid) = inetd_listen(conf => $ask, po => $po);
($out, $rc) = swaks($port, '--tls', '--tls-cert', $ccrt, '--tls-key', $ckey);
waitpid($pid, 0);
like($out, qr/^<~  250 2\.0\.0 Message accepted/m, 'with a client certificate');
@f = take_spool();
like($f[0] // '', qr/TLS-PEER-CN1: "client\.example"/, 'its CN in rcvdfrom');
($port, $pid) = inetd_listen(conf => $ask, po => $po);
($out, $rc) = swaks($port, '--tls');
waitpid($pid, 0);
like($out, qr/^<~  250 2\.0\.0 Message accepted/m, 'asked, not required: none is fine');
@f = take_spool();
unlike($f[0] // '', qr/TLS-PEER-CN1: "/, 'and no CN');
my $req = write_conf($po, $tlsconf . "PARAM tls-require-cert 1\n"
    . "PARAM tls-CAfile $ccrt\n");
($port, $pid) = inetd_listen(conf => $req, po => $po);
($out, $rc) = swaks($port, '--tls');
waitpid($pid, 0);
unlike($out, qr/Message accepted/, 'required: no certificate, no mail');
($port, $pid) = inetd_listen(conf => $req, po => $po);
($out, $rc) = swaks($port, '--tls', '--tls-cert', $ccrt, '--tls-key', $ckey);
waitpid($pid, 0);
like($out, qr/^<~  250 2\.0\.0 Message accepted/m, 'required and given');
take_spool();

# 10. one PEM file with certificate and key: either of tls-cert-file and
# tls-key-file alone names it (each defaults the other)
my $pem = "$po/combined.pem";
{
	local $/;
	open my $o, '>', $pem or die;
	for my $in ($crt, $key) {
		open my $i, '<', $in or die;
		my $text = <$i>;
		close $i;
		print $o $text;
	}
	close $o;
	chmod 0600, $pem;
}
for my $which (qw(tls-cert-file tls-key-file)) {
	my $one = write_conf($po, policy_db($po)
	    . "* 999 ve\nPARAM use-tls\nPARAM $which $pem\n");
	($port, $pid) = inetd_listen(conf => $one, po => $po);
	($out, $rc) = swaks($port, '--tls');
	waitpid($pid, 0);
	like($out, qr/^=== TLS started with cipher/m,
	    "only $which, a combined PEM: TLS works");
	like($out, qr/^<~  250 2\.0\.0 Message accepted/m,
	    "only $which: message accepted inside TLS");
	take_spool();
}

done_testing();
