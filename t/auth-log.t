#!/usr/bin/perl
# No credential reaches a log: a client that sends its AUTH responses
# without waiting for the reply (pipelining, or carelessness) after an
# AUTH that is refused (454, 503, 504, 538), cut short (501) or fails
# (535) must not find them in the -l transcript or the event log (here
# its stderr copy under -d), and neither after an accepted AUTH.  The
# lines that cannot be responses are logged as always.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use MIME::Base64;
use SmtpPipe;

my $po = postoffice();
my $pipe = "$po/authpipe";
open my $fh, '>', $pipe or die;
print $fh "#!/bin/sh\nread -r pw\n[ \"\$1\" = alice ] && [ \"\$pw\" = s3cret ]\n";
close $fh;
chmod 0755, $pipe;
my $base = policy_db($po) . "* 999 ve\nPARAM smtp-auth\n"
    . "PARAM SMTP-auth-pipe $pipe\n";
my %conf = (
	clear => "PARAM AUTH-LOGIN-also-without-TLS\nPARAM auth-fail-limit 1\n",
	tls => '',
	noehlo => "PARAM AUTH-LOGIN-also-without-TLS\nPARAM NoEHLO\n",
);
for my $k (keys %conf) {
	my $p = write_conf($po, $base . $conf{$k});
	rename $p, "$po/$k.conf" or die;
	$conf{$k} = "$po/$k.conf";
}
my $log = "$po/transcript";
my $err = "$po/stderr";
my @secrets;	# every password and response line sent
my @users;	# user names: the event log names them (user=...), no more

sub b64 { return encode_base64($_[0], '') }
# LOGIN user and password lines (base64) that we will look for
sub login {
	my ($tag, $user, $pass) = @_;
	$user //= "u$tag"; $pass //= "p${tag}pw";
	push @secrets, $pass, b64($user), b64($pass);
	push @users, $user;
	return (b64($user), b64($pass));
}
sub plain {
	my ($tag, $user, $pass) = @_;
	$user //= "u$tag"; $pass //= "p${tag}pw";
	my $m = b64("\0$user\0$pass");
	push @secrets, $pass, $m;
	push @users, $user;
	return $m;
}

# A -n session with the transcript and stderr (-d 1: events) kept.
sub session {
	my ($conf) = @_;
	local $ENV{TEST_VERBOSE} = 1;
	open my $save, '>&', \*STDERR or die;
	open STDERR, '>>', $err or die;
	my $pid;
	my $s = inetd_session(conf => $conf, po => $po, pidref => \$pid,
	    args => ['-l', $log, '-d', '1']);
	open STDERR, '>&', $save or die;
	smtp_read($s);
	return ($s, $pid);
}
sub done {
	my ($s, $pid) = @_;
	smtp_cmd($s, 'QUIT');
	close $s;
	waitpid($pid, 0);
}
# Send lines in one write, then read one reply per line.
sub burst {
	my ($s, @lines) = @_;
	syswrite($s, join('', map { "$_\r\n" } @lines));
	return join('', map { smtp_read($s) } @lines);
}
sub codes { return join(' ', map { /^(\d{3}) /mg } @_) }

# 503: before EHLO (one line at a time: pipelining before EHLO ends the
# session before anything is read)
my ($s, $pid) = session($conf{clear});
my @l = login('503');
is(codes(map { smtp_cmd($s, $_) } 'AUTH LOGIN', @l), '503 500 500',
    'AUTH before EHLO: 503, then the responses as unknown commands');
done($s, $pid);

# 504: unknown mechanisms, without and with an initial response
($s, $pid) = session($conf{clear});
smtp_cmd($s, 'EHLO client.example');
is(codes(burst($s, 'AUTH CRAM-MD5', (login('504'))[1])), '504 500',
    'AUTH CRAM-MD5: 504, then its response');
is(codes(burst($s, 'AUTH XOAUTH2 ' . (login('504ir'))[0], (login('504b'))[1])),
    '504 500', 'AUTH XOAUTH2 with an initial response: 504, then one more');
like(smtp_cmd($s, 'MAIL FROM:<a@b.example>'), qr/^250 /,
    'a command after the responses works');
done($s, $pid);

# 538: no TLS
($s, $pid) = session($conf{tls});
smtp_cmd($s, 'EHLO client.example');
is(codes(burst($s, 'AUTH LOGIN', login('538'))), '538 500 500',
    'AUTH LOGIN in plaintext: 538');
is(codes(burst($s, 'AUTH PLAIN', plain('538p'))), '538 500',
    'AUTH PLAIN in plaintext: 538');
done($s, $pid);

# 535, then 454 (auth-fail-limit 1); a LOGIN cut short by a bad user line
($s, $pid) = session($conf{clear});
smtp_cmd($s, 'EHLO client.example');
is(codes(burst($s, 'AUTH LOGIN', login('535'))), '334 334 535',
    'AUTH LOGIN, wrong password: 535');
is(codes(burst($s, 'AUTH LOGIN', login('454'))), '454 500 500',
    'over the limit: 454');
is(codes(burst($s, 'AUTH PLAIN', plain('454p'))), '454 500',
    'AUTH PLAIN over the limit: 454');
done($s, $pid);
($s, $pid) = session($conf{clear});
smtp_cmd($s, 'EHLO client.example');
is(codes(burst($s, 'AUTH LOGIN', '!!!!', (login('501'))[1])), '334 501 500',
    'a bad user line: 501, then the password as a command');
is(codes(burst($s, 'AUTH PLAIN ' . b64("bob\0alice\0p535zpw"))), '535',
    'PLAIN for someone else: 535');
push @secrets, 'p535zpw';
done($s, $pid);

# accepted, and AUTH again (503) with responses
($s, $pid) = session($conf{clear});
smtp_cmd($s, 'EHLO client.example');
is(codes(burst($s, 'AUTH LOGIN', login('235', 'alice', 's3cret'))),
    '334 334 235', 'AUTH LOGIN accepted: 235');
is(codes(burst($s, 'AUTH LOGIN', login('235b'))), '503 500 500',
    'a second AUTH: 503');
done($s, $pid);

# NoEHLO: AUTH is an unknown command, its initial response is hidden too
($s, $pid) = session($conf{noehlo});
smtp_cmd($s, 'HELO client.example');
is(codes(map { smtp_cmd($s, $_) } 'AUTH PLAIN ' . plain('noehlo')), '500',
    'AUTH PLAIN without EHLO support: 500');
@l = login('noehlo2');
is(codes(map { smtp_cmd($s, $_) } "AUTH LOGIN $l[0]", $l[1]), '500 500',
    'AUTH LOGIN with the user: 500, then the password');
done($s, $pid);

open $fh, '<', $log or die "$log: $!";
my $t = do { local $/; <$fh> };
close $fh;
open $fh, '<', $err or die "$err: $!";
my $e = do { local $/; <$fh> };
close $fh;
my @leak = grep { index($t, $_) >= 0 } @secrets, @users;
is("@leak", '', 'no credential in the transcript');
@leak = grep { index($e, $_) >= 0 } @secrets;
is("@leak", '', 'no credential in the event log');
like($t, qr/possible AUTH response, not logged/, 'the transcript says so');
like($t, qr/\tAUTH CRAM-MD5\n/, 'the AUTH lines are there');
like($t, qr/\tMAIL FROM:<a\@b\.example>\n/, 'and the commands after them');
like($e, qr/unknown command .*possible AUTH response/,
    'the event log names the unknown command without it');
done_testing();
