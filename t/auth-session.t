#!/usr/bin/perl
# SMTP AUTH (RFC 4954, 4616) under -n on a real TCP socket: PLAIN and
# LOGIN with swaks and by hand, through SMTP-auth-pipe and through PAM
# (pam_wrapper + pam_matrix, no real users); the TLS requirement, the
# failure limit, submission (MSA) mode, AUTH= on MAIL, secrets kept out
# of the transcript.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Socket::SSL;
use MIME::Base64;
use SmtpPipe;
use TlsCerts;
use PamTest;
use TestDNS;

my $po = postoffice();
my ($crt, $key) = make_cert($po, 'server', 'localhost');
my $pipe = "$po/authpipe";
open my $fh, '>', $pipe or die;
print $fh <<'EOS';
#!/bin/sh
# test checker: alice / s3cret only
read -r pw
[ "$1" = alice ] && [ "$pw" = s3cret ] && exit 0
exit 1
EOS
close $fh;
chmod 0755, $pipe;

my $base = policy_db($po) . <<"EOS";
* 999 ve
PARAM use-tls
PARAM tls-cert-file $crt
PARAM tls-key-file $key
PARAM smtp-auth
PARAM rcvd-auth-user
PARAM rcvd-tls-mode
EOS
my $pipeconf = write_conf($po, "$base" . "PARAM SMTP-auth-pipe $pipe\n");
rename $pipeconf, "$po/pipe.conf";
$pipeconf = "$po/pipe.conf";

sub take_spool {
	my @f = spool_files($po);
	unlink glob("$po/router/*");
	return @f;
}

sub swaks {
	my ($conf, @args) = @_;
	my ($port, $pid) = inetd_listen(conf => $conf, po => $po,
	    args => ['-l', "$po/transcript"]);
	my $out = `timeout 30 swaks --server 127.0.0.1:$port --from a\@b.example --to c\@d.example --helo client.example @args 2>&1`;
	my $rc = $? >> 8;
	waitpid($pid, 0);
	return ($out, $rc);
}

# A session inside STARTTLS, after the second EHLO.
sub tls_session {
	my ($conf, @extra) = @_;
	my $pid;
	my $s = inetd_session(conf => $conf, po => $po, pidref => \$pid,
	    args => [@extra]);
	smtp_read($s);
	smtp_cmd($s, 'EHLO client.example');
	smtp_cmd($s, 'STARTTLS');
	IO::Socket::SSL->start_SSL($s, SSL_verify_mode => SSL_VERIFY_NONE,
	    Timeout => 10) or die "TLS: $SSL_ERROR";
	my $e = smtp_cmd($s, 'EHLO client.example');
	return ($s, $pid, $e);
}

sub plain { return encode_base64("\0$_[0]\0$_[1]", '') }

# 1. the pipe checker with swaks: PLAIN and LOGIN, good and bad
for my $mech (qw(PLAIN LOGIN)) {
	my ($out) = swaks($pipeconf, '--tls', '--auth', $mech,
	    '--auth-user', 'alice', '--auth-password', 's3cret');
	like($out, qr/^<~  235 2\.7\.0 Authentication successful/m, "pipe $mech: 235");
	like($out, qr/^<~  250 2\.0\.0 Message accepted/m, "pipe $mech: accepted");
	my @f = take_spool();
	like($f[0] // '', qr/^with ESMTPSA$/m, "pipe $mech: with ESMTPSA");
	like($f[0] // '', qr/^rcvdfrom .*smtp-auth: "alice"/m, "pipe $mech: rcvd-auth-user");
	($out) = swaks($pipeconf, '--tls', '--auth', $mech,
	    '--auth-user', 'alice', '--auth-password', 'wrong');
	like($out, qr/^<~\* 535 5\.7\.8 Authentication credentials invalid/m,
	    "pipe $mech: bad password 535");
	is(scalar(take_spool()), 0, "pipe $mech: nothing spooled");
}
open $fh, '<', "$po/transcript" or die;
my $t = do { local $/; <$fh> };
close $fh;
unlike($t, qr/s3cret|wrong/, 'no password in the transcript');
unlike($t, qr/\Q${\ plain('alice', 's3cret')}\E|\Q${\ encode_base64('s3cret', '')}\E/,
    'no base64 password in the transcript');
like($t, qr/AUTH PLAIN/, 'the AUTH command itself is there');

# 2. PAM through pam_wrapper and pam_matrix
SKIP: {
	my $pamenv = PamTest::setup($po);
	skip 'libpam-wrapper not installed', 6 unless $pamenv;
	local @ENV{ keys %$pamenv } = values %$pamenv;
	my $pamconf = write_conf($po, $base);
	for my $mech (qw(PLAIN LOGIN)) {
		my ($out) = swaks($pamconf, '--tls', '--auth', $mech,
		    '--auth-user', 'bob', '--auth-password', 'pam-pw');
		like($out, qr/^<~  235 2\.7\.0 /m, "PAM $mech: 235");
		my @f = take_spool();
		like($f[0] // '', qr/smtp-auth: "bob"/, "PAM $mech: user in the envelope");
		($out) = swaks($pamconf, '--tls', '--auth', $mech,
		    '--auth-user', 'bob', '--auth-password', 'nope');
		like($out, qr/^<~\* 535 5\.7\.8 /m, "PAM $mech: bad password 535");
	}
}

# 3. no AUTH without TLS, unless AUTH-LOGIN-also-without-TLS
my $s = inetd_session(conf => $pipeconf, po => $po, pidref => \my $pid);
smtp_read($s);
unlike(smtp_cmd($s, 'EHLO client.example'), qr/AUTH/, 'AUTH not offered in plaintext');
like(smtp_cmd($s, 'AUTH PLAIN ' . plain('alice', 's3cret')),
    qr/^538 5\.7\.11 Encryption required/, 'AUTH in plaintext: 538');
smtp_cmd($s, 'QUIT');
close $s;
waitpid($pid, 0);
my $clear = write_conf($po, $base . "PARAM SMTP-auth-pipe $pipe\n"
    . "PARAM AUTH-LOGIN-also-without-TLS\n");
my ($out) = swaks($clear, '--auth', 'LOGIN', '--auth-user', 'alice',
    '--auth-password', 's3cret');
like($out, qr/^<-  235 2\.7\.0 /m, 'AUTH-LOGIN-also-without-TLS: plaintext AUTH works');
my @f = take_spool();
like($f[0] // '', qr/^with ESMTPA$/m, 'with ESMTPA');

# 4. the dialogue by hand: initial response, "=", "*", sequence errors
my $e;
($s, $pid, $e) = tls_session($pipeconf);
like($e, qr/^250-AUTH PLAIN LOGIN\r$/m, 'AUTH offered inside TLS');
like(smtp_cmd($s, 'AUTH CRAM-MD5'), qr/^504 5\.5\.4 /, 'unknown mechanism 504');
like(smtp_cmd($s, 'AUTH PLAIN ='), qr/^501 5\.5\.2 /, 'empty initial response: 501');
like(smtp_cmd($s, 'AUTH PLAIN !!!!'), qr/^501 5\.5\.2 /, 'bad base64: 501');
like(smtp_cmd($s, 'AUTH LOGIN'), qr/^334 VXNlcm5hbWU6\r\n\z/, 'LOGIN asks Username:');
like(smtp_cmd($s, '*'), qr/^501 5\.7\.0 AUTH command cancelled/, '"*" cancels: 501 5.7.0');
like(smtp_cmd($s, 'AUTH PLAIN'), qr/^334 \r\n\z/, 'PLAIN without initial response: empty 334');
like(smtp_cmd($s, plain('alice', 's3cret')), qr/^235 2\.7\.0 /, 'PLAIN after 334: 235');
like(smtp_cmd($s, 'AUTH PLAIN ' . plain('alice', 's3cret')),
    qr/^503 5\.5\.1 .*already authenticated/, 'second AUTH: 503');
like(smtp_cmd($s, 'MAIL FROM:<a@b.example> AUTH=<>'), qr/^250 /, 'MAIL AUTH=<>');
like(smtp_cmd($s, 'RSET'), qr/^250 /, 'RSET');
like(smtp_cmd($s, 'MAIL FROM:<a@b.example> AUTH=alice+2Bx@b.example'), qr/^250 /,
    'MAIL AUTH=xtext');
like(smtp_cmd($s, 'RSET'), qr/^250 /, 'RSET');
like(smtp_cmd($s, 'MAIL FROM:<a@b.example> AUTH=bad+zz'), qr/^501 5\.5\.4 AUTH-param/,
    'MAIL AUTH= bad xtext: 501');
smtp_cmd($s, 'QUIT');
close $s;
waitpid($pid, 0);

($s, $pid, $e) = tls_session($pipeconf);
like(smtp_cmd($s, 'MAIL FROM:<a@b.example>'), qr/^250 /, 'MAIL');
like(smtp_cmd($s, 'AUTH PLAIN ' . plain('alice', 's3cret')),
    qr/^503 5\.5\.1 .*during MAIL transaction/, 'AUTH in a transaction: 503');
smtp_cmd($s, 'QUIT');
close $s;
waitpid($pid, 0);

$s = inetd_session(conf => $clear, po => $po, pidref => \$pid);
smtp_read($s);
like(smtp_cmd($s, 'AUTH PLAIN ' . plain('alice', 's3cret')),
    qr/^503 5\.5\.1 .*EHLO first/, 'AUTH before EHLO: 503');
smtp_cmd($s, 'QUIT');
close $s;
waitpid($pid, 0);

# 5. the failure limit: after 2 failures even the right password gets 454;
# attempts that did not fail (cancelled, not base64) are given back
my $lim = write_conf($po, $base . "PARAM SMTP-auth-pipe $pipe\n"
    . "PARAM auth-fail-limit 2\n");
($s, $pid, $e) = tls_session($lim);
for my $i (1 .. 3) {
	like(smtp_cmd($s, 'AUTH LOGIN'), qr/^334 /, "attempt $i: 334");
	like(smtp_cmd($s, '*'), qr/^501 5\.7\.0 /, "attempt $i cancelled");
	like(smtp_cmd($s, 'AUTH PLAIN !!!!'), qr/^501 5\.5\.2 /,
	    "attempt $i not base64");
}
for my $i (1 .. 2) {
	like(smtp_cmd($s, 'AUTH PLAIN ' . plain('alice', "bad$i")),
	    qr/^535 5\.7\.8 /, "failure $i: 535");
}
like(smtp_cmd($s, 'AUTH PLAIN ' . plain('alice', 's3cret')),
    qr/^454 4\.7\.0 .*too many authentication failures/, 'over the limit: 454');
smtp_cmd($s, 'QUIT');
close $s;
waitpid($pid, 0);

# 6. no-smtp-auth-on-25 on the SMTP listener
my $no25 = write_conf($po, $base . "PARAM SMTP-auth-pipe $pipe\n"
    . "PARAM no-smtp-auth-on-25\n");
($s, $pid, $e) = tls_session($no25);
unlike($e, qr/AUTH/, 'no-smtp-auth-on-25: not offered');
like(smtp_cmd($s, 'AUTH PLAIN ' . plain('alice', 's3cret')),
    qr/^503 5\.5\.1 .*not supported on this port/, 'no-smtp-auth-on-25: 503');
smtp_cmd($s, 'QUIT');
close $s;
waitpid($pid, 0);

# 7. submission (MSA) mode: AUTH before MAIL, for a client the policy
# does not trust (a fulltrustnet client is exempt)
my $dns = TestDNS::start(
    A => { 'mx.b.example' => '198.51.100.200',
	'mx.foreign.example' => '198.51.100.201' },
    MX => { 'b.example' => 'mx.b.example',
	'foreign.example' => 'mx.foreign.example' });
my $po2 = postoffice();
my $stranger = policy_db($po2, dns_port => $dns,
    'smtp-policy.relay' => "# nobody\n");
my $msa = write_conf($po2, "PARAM msa-mode\n" . $stranger
    . ($base =~ s/\A.*?(?=\* 999)//sr) . "PARAM SMTP-auth-pipe $pipe\n");
($s, $pid, $e) = tls_session($msa);
like(smtp_cmd($s, 'MAIL FROM:<a@b.example>'),
    qr/^530 5\.7\.0 Authentication required/, 'MSA: MAIL before AUTH: 530');
like(smtp_cmd($s, 'AUTH PLAIN ' . plain('alice', 's3cret')), qr/^235 /, 'MSA: AUTH');
like(smtp_cmd($s, 'MAIL FROM:<a@b.example>'), qr/^250 /, 'MSA: MAIL after AUTH');
like(smtp_cmd($s, 'RCPT TO:<c@foreign.example>'), qr/^250 /,
    'authenticated client relays');
smtp_cmd($s, 'QUIT');
close $s;
waitpid($pid, 0);
$s = inetd_session(conf => $msa, po => $po, pidref => \$pid);
smtp_read($s);
unlike(smtp_cmd($s, 'EHLO client.example'), qr/AUTH/, 'MSA: AUTH offered only under TLS');
like(smtp_cmd($s, 'MAIL FROM:<a@b.example>'), qr/^530 5\.7\.0 /, 'MSA plaintext: 530');
smtp_cmd($s, 'QUIT');
close $s;
waitpid($pid, 0);
my $notmsa = write_conf($po2, $stranger . ($base =~ s/\A.*?(?=\* 999)//sr)
    . "PARAM SMTP-auth-pipe $pipe\n");
($s, $pid, $e) = tls_session($notmsa);
like(smtp_cmd($s, 'MAIL FROM:<a@b.example>'), qr/^250 /, 'no MSA: MAIL without AUTH');
like(smtp_cmd($s, 'RCPT TO:<c@foreign.example>'), qr/^5\d\d /,
    'unauthenticated stranger does not relay');
smtp_cmd($s, 'QUIT');
close $s;
waitpid($pid, 0);
my $fulltrust = write_conf($po2, "PARAM msa-mode\n" . $base
    . "PARAM SMTP-auth-pipe $pipe\n");
($s, $pid, $e) = tls_session($fulltrust);
like(smtp_cmd($s, 'MAIL FROM:<a@b.example>'), qr/^250 /,
    'MSA: a fulltrustnet client needs no AUTH');
smtp_cmd($s, 'QUIT');
close $s;
waitpid($pid, 0);

# 8. STARTTLS forgets AUTH (the AUTH-LOGIN-also-without-TLS case)
my $both = write_conf($po, $base . "PARAM SMTP-auth-pipe $pipe\n"
    . "PARAM AUTH-LOGIN-also-without-TLS\n");
$s = inetd_session(conf => $both, po => $po, pidref => \$pid);
smtp_read($s);
smtp_cmd($s, 'EHLO client.example');
like(smtp_cmd($s, 'AUTH PLAIN ' . plain('alice', 's3cret')), qr/^235 /, 'AUTH in plaintext');
like(smtp_cmd($s, 'STARTTLS'), qr/^220 /, 'STARTTLS');
IO::Socket::SSL->start_SSL($s, SSL_verify_mode => SSL_VERIFY_NONE, Timeout => 10)
    or die $SSL_ERROR;
like(smtp_cmd($s, 'EHLO client.example'), qr/^250-AUTH PLAIN LOGIN\r$/m,
    'AUTH offered again after STARTTLS: the old AUTH is forgotten');
like(smtp_cmd($s, 'AUTH PLAIN ' . plain('alice', 's3cret')), qr/^235 /, 'AUTH again');
smtp_cmd($s, 'QUIT');
close $s;
waitpid($pid, 0);

# 9. the pipe program runs as TRUSTEDUSER (daemon), never as root; a user
# name like an option or a password with a line break never reaches it
my $seen = "$po/checker.log";
my $rec = "$po/recpipe";
open $fh, '>', $rec or die;
print $fh <<"EOS";
#!/bin/sh
read -r pw
echo "uid=\$(id -u) groups=\$(id -G) user=\$1" >>$seen
[ "\$1" = alice ] && [ "\$pw" = s3cret ] && exit 0
exit 1
EOS
close $fh;
chmod 0755, $rec;
sub checker_log {
	open my $l, '<', $seen or return '';
	local $/;
	my $t = <$l> // '';
	close $l;
	truncate $seen, 0;
	return $t;
}
open $fh, '>', $seen or die;
close $fh;
chmod 0666, $seen;
my $recconf = write_conf($po, $base . "PARAM SMTP-auth-pipe $rec\n");
($s, $pid, $e) = tls_session($recconf);
like(smtp_cmd($s, 'AUTH PLAIN ' . plain('alice', 's3cret')), qr/^235 /,
    'recording checker: 235');
my $ran = checker_log();
SKIP: {
	skip 'not root: the helper has no one to become', 2 unless $> == 0;
	my ($duid, $dgid) = (getpwnam('daemon'))[2, 3];
	like($ran, qr/^uid=$duid groups=$dgid user=alice$/m,
	    'the pipe program runs as daemon, with only its group');
	unlike($ran, qr/^uid=0 /m, 'the pipe program does not run as root');
}
smtp_cmd($s, 'QUIT');
close $s;
waitpid($pid, 0);
($s, $pid, $e) = tls_session($recconf);
like(smtp_cmd($s, 'AUTH PLAIN ' . plain('-x', 's3cret')),
    qr/^535 5\.7\.8 /, 'PLAIN user "-x": 535');
like(smtp_cmd($s, 'AUTH PLAIN ' . plain('alice', "s3cret\nextra")),
    qr/^535 5\.7\.8 /, 'PLAIN password with LF: 535');
like(smtp_cmd($s, 'AUTH PLAIN ' . plain('alice', "s3cret\rextra")),
    qr/^535 5\.7\.8 /, 'PLAIN password with CR: 535');
like(smtp_cmd($s, 'AUTH LOGIN ' . encode_base64('alice', '')),
    qr/^334 /, 'LOGIN user alice');
like(smtp_cmd($s, encode_base64("s3cret\r\nx", '')), qr/^535 5\.7\.8 /,
    'LOGIN password with CRLF: 535');
is(checker_log(), '', 'the checker never ran for them');
smtp_cmd($s, 'QUIT');
close $s;
waitpid($pid, 0);

# 10. PLAIN with an authzid for someone else: no proxy authorisation
($s, $pid, $e) = tls_session($recconf);
like(smtp_cmd($s, 'AUTH PLAIN ' . encode_base64("bob\0alice\0s3cret", '')),
    qr/^535 5\.7\.8 /, 'PLAIN authzid bob for alice: 535 5.7.8');
like(smtp_cmd($s, 'AUTH PLAIN ' . encode_base64("alice\0alice\0s3cret", '')),
    qr/^235 /, 'PLAIN authzid = authcid: 235');
smtp_cmd($s, 'QUIT');
close $s;
waitpid($pid, 0);

# 11. submission wants TLS before AUTH, AUTH-LOGIN-also-without-TLS or not
# (RFC 8314, 6409); 465 (implicit TLS, here -t) is submission too when
# AUTH is configured (smtp-auth or a pipe), else plain implicit-TLS SMTP;
# fulltrustnet stays exempt from AUTH
my $tail = $base =~ s/\A.*?(?=\* 999)//sr;
$msa = write_conf($po2, "PARAM msa-mode\n" . $stranger . $tail
    . "PARAM SMTP-auth-pipe $pipe\nPARAM AUTH-LOGIN-also-without-TLS\n");
$s = inetd_session(conf => $msa, po => $po, pidref => \$pid);
smtp_read($s);
unlike(smtp_cmd($s, 'EHLO client.example'), qr/AUTH/,
    'MSA + AUTH-LOGIN-also-without-TLS: AUTH not offered in plaintext');
like(smtp_cmd($s, 'AUTH PLAIN ' . plain('alice', 's3cret')),
    qr/^538 5\.7\.11 /, 'MSA + AUTH-LOGIN-also-without-TLS: plaintext AUTH 538');
smtp_cmd($s, 'QUIT');
close $s;
waitpid($pid, 0);
sub smtps_session {
	my ($conf) = @_;
	my $pid;
	my $s = inetd_session(conf => $conf, po => $po, pidref => \$pid,
	    args => ['-t']);
	IO::Socket::SSL->start_SSL($s, SSL_verify_mode => SSL_VERIFY_NONE,
	    Timeout => 10) or die "TLS: $SSL_ERROR";
	smtp_read($s);
	return ($s, $pid, smtp_cmd($s, 'EHLO client.example'));
}
my $noauth = $tail =~ s/^PARAM smtp-auth\n//mr;
my $smtps = write_conf($po2, $stranger . $noauth
    . "PARAM SMTP-auth-pipe $pipe\n");
($s, $pid, $e) = smtps_session($smtps);
like($e, qr/^250-AUTH PLAIN LOGIN\r$/m, '465: AUTH offered without smtp-auth');
like(smtp_cmd($s, 'MAIL FROM:<a@b.example>'),
    qr/^530 5\.7\.0 Authentication required/, '465: MAIL before AUTH: 530');
like(smtp_cmd($s, 'AUTH PLAIN ' . plain('alice', 's3cret')), qr/^235 /,
    '465: AUTH');
like(smtp_cmd($s, 'MAIL FROM:<a@b.example>'), qr/^250 /, '465: MAIL after AUTH');
smtp_cmd($s, 'QUIT');
close $s;
waitpid($pid, 0);
my $plain465 = write_conf($po2, $stranger . $noauth);
($s, $pid, $e) = smtps_session($plain465);
unlike($e, qr/AUTH/, '465 without smtp-auth or a pipe: no AUTH offered');
unlike(smtp_cmd($s, 'MAIL FROM:<a@b.example>'), qr/^530 /,
    '465 without AUTH configured: implicit-TLS SMTP, MAIL not 530');
smtp_cmd($s, 'QUIT');
close $s;
waitpid($pid, 0);
$smtps = write_conf($po2, $base =~ s/^PARAM smtp-auth\n//mr
    . "PARAM SMTP-auth-pipe $pipe\n");
($s, $pid, $e) = smtps_session($smtps);
like(smtp_cmd($s, 'MAIL FROM:<a@b.example>'), qr/^250 /,
    '465: a fulltrustnet client needs no AUTH');
smtp_cmd($s, 'QUIT');
close $s;
waitpid($pid, 0);

done_testing();
