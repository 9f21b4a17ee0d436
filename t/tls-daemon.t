#!/usr/bin/perl
# TLS and AUTH under the daemon: STARTTLS on the SMTP listener, implicit
# TLS on a BindSmtpS listener, MSA mode on a BindSubmit listener, the AUTH
# helper owned by the supervisor, the failure limit across sessions (the
# scoreboard), and SIGHUP with a new certificate (the fingerprint the
# client sees changes; a broken key keeps the old one).
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use IO::Socket::SSL;
use MIME::Base64;
use POSIX ();
use SmtpTest qw(wait_until);
use SmtpPipe ();
use TlsCerts;
use PamTest;

my ($p465, $p587) = (SmtpTest::free_port(), SmtpTest::free_port());
my $d = SmtpTest->new(conf => []);
my $dir = $d->{dir};
my ($crt, $key) = make_cert($dir, 'one', 'localhost');
make_cert($dir, 'two', 'localhost');
open my $fh, '>', "$dir/authpipe" or die;
print $fh "#!/bin/sh\nread -r pw\n"
    . "[ \"\$1\" = slow ] && read -r go < $dir/fifo\n"
    . "[ \"\$1\" = alice ] && [ \"\$pw\" = s3cret ]\n";
close $fh;
chmod 0755, "$dir/authpipe";
# nobody is trusted: MSA mode applies to 127.0.0.1
$d->{policy} = [ split /\n/, SmtpPipe::policy_db($d->{po},
    'smtp-policy.relay' => "# nobody\n") ];
my @conf = ('PARAM BindAddress [127.0.0.1]',
    "PARAM BindSmtpS [127.0.0.1] $p465", "PARAM BindSubmit [127.0.0.1] $p587",
    'PARAM min-idle-workers 2', 'PARAM use-tls', 'PARAM smtp-auth',
    'PARAM no-smtp-auth-on-25', "PARAM SMTP-auth-pipe $dir/authpipe",
    'PARAM auth-fail-limit 2', 'PARAM rcvd-tls-mode', 'PARAM tls-loglevel 4');
sub conf_with { my ($c, $k) = @_;
	$d->write_conf(@conf, "PARAM tls-cert-file $dir/$c",
	    "PARAM tls-key-file $dir/$k") }
conf_with('one.crt', 'one.key');
$d->start(idle => 2);

sub plain { return encode_base64("\0$_[0]\0$_[1]", '') }
sub fp { my $h = lc($_[0]); $h =~ s/://g; return $h }

# An implicit-TLS session on 465: (socket, the certificate's sha256).
sub smtps {
	my ($src) = @_;
	my $s = IO::Socket::SSL->new(PeerAddr => '127.0.0.1', PeerPort => $p465,
	    ($src ? (LocalAddr => $src) : ()),
	    SSL_verify_mode => SSL_VERIFY_NONE, Timeout => 10) or return;
	my $f = $s->get_fingerprint('sha256');
	$f =~ s/^sha256\$//;
	return ($s, lc $f);
}

# A STARTTLS session on port, after the second EHLO: (socket, EHLO reply).
sub starttls {
	my ($port) = @_;
	my $s = $d->connect(port => $port) or return;
	SmtpTest::reply($s);
	SmtpTest::cmd($s, 'EHLO client.example');
	SmtpTest::cmd($s, 'STARTTLS') =~ /^220 / or return;
	IO::Socket::SSL->start_SSL($s, SSL_verify_mode => SSL_VERIFY_NONE,
	    Timeout => 10) or return;
	return ($s, SmtpTest::cmd($s, 'EHLO client.example'));
}

# 1. port 25 listener: STARTTLS, no AUTH there
my ($s, $e) = starttls($d->{port});
ok($s, 'STARTTLS on the SMTP listener');
unlike($e // '', qr/AUTH/, 'no-smtp-auth-on-25: no AUTH offered');
like(SmtpTest::cmd($s, 'AUTH PLAIN ' . plain('alice', 's3cret')) // '',
    qr/^503 5\.5\.1 /, 'AUTH on port 25: 503');
SmtpTest::cmd($s, 'QUIT');
close $s;

# 2. 465: TLS first, AUTH, relay; the certificate is one.crt
my $f1;
($s, $f1) = smtps();
ok($s, 'implicit TLS on the BindSmtpS listener');
is($f1, fp(cert_fingerprint("$dir/one.crt")), 'client sees one.crt');
like(SmtpTest::reply($s) // '', qr/^220 /, 'greeting inside TLS');
like(SmtpTest::cmd($s, 'EHLO client.example') // '', qr/^250-AUTH PLAIN LOGIN\r$/m,
    'AUTH offered on 465');
like(SmtpTest::cmd($s, 'MAIL FROM:<>') // '', qr/^530 5\.7\.0 Authentication required/,
    '465 is submission: MAIL before AUTH: 530');
like(SmtpTest::cmd($s, 'AUTH PLAIN ' . plain('alice', 's3cret')) // '',
    qr/^235 2\.7\.0 /, 'AUTH through the supervisor\'s helper');
like(SmtpTest::message($s, from => '', to => 'c@foreign.example') // '',
    qr/^250 2\.0\.0 /, 'authenticated client relays');
SmtpTest::cmd($s, 'QUIT');
close $s;
my @sp = $d->spooled;
is(scalar @sp, 1, 'one message spooled');
open $fh, '<', "$d->{po}/router/$sp[0]" or die;
my $env = do { local $/; <$fh> };
close $fh;
like($env, qr/^with ESMTPSA$/m, 'with ESMTPSA');
like($env, qr/TLS-CIPHER: "/, 'cipher in the envelope');

# 3. 587: MSA mode; the failure limit counts across sessions
($s, $e) = starttls($p587);
ok($s, 'STARTTLS on the submission listener');
like(SmtpTest::cmd($s, 'MAIL FROM:<>') // '', qr/^530 5\.7\.0 Authentication required/,
    'submission: MAIL before AUTH: 530');
like(SmtpTest::cmd($s, 'AUTH PLAIN ' . plain('alice', 'bad1')) // '',
    qr/^535 5\.7\.8 /, 'failure 1');
SmtpTest::cmd($s, 'QUIT');
close $s;
($s, $e) = starttls($p587);
like(SmtpTest::cmd($s, 'AUTH PLAIN ' . plain('alice', 'bad2')) // '',
    qr/^535 5\.7\.8 /, 'failure 2, in another session');
SmtpTest::cmd($s, 'QUIT');
close $s;
($s, $e) = starttls($p587);
like(SmtpTest::cmd($s, 'AUTH PLAIN ' . plain('alice', 's3cret')) // '',
    qr/^454 4\.7\.0 /, 'third session: over the limit, 454');
SmtpTest::cmd($s, 'QUIT');
close $s;

# 3b. a slow check does not hold up the others: "slow" waits on a FIFO
# the test opens only after alice got her answer
POSIX::mkfifo("$dir/fifo", 0666) or die "mkfifo: $!";
my ($sa) = smtps('127.0.0.21');
my ($sb) = smtps('127.0.0.22');
SmtpTest::reply($_) for $sa, $sb;
SmtpTest::cmd($_, 'EHLO client.example') for $sa, $sb;
print $sa "AUTH PLAIN " . plain('slow', 'x') . "\r\n";
like(SmtpTest::cmd($sb, 'AUTH PLAIN ' . plain('alice', 's3cret')) // '',
    qr/^235 /, 'AUTH answered while another check is still running');
open my $go, '>', "$dir/fifo" or die;
print $go "go\n";
close $go;
like(SmtpTest::reply($sa) // '', qr/^535 /, 'and the slow one then gets its verdict');
close $_ for $sa, $sb;

sub reload_to {
	my ($gen) = @_;
	kill('HUP', $d->{pid});
	return wait_until(sub { my $st = $d->status;
		$st && $st->{config}{generation} == $gen &&
		    $st->{workers}{old_generation} == 0 &&
		    $st->{workers}{idle} >= 1 });
}
conf_with('two.crt', 'two.key');
ok(reload_to(2), 'SIGHUP: generation 2');
my ($s2, $f2) = smtps();
is($f2, fp(cert_fingerprint("$dir/two.crt")), 'new sessions see two.crt');
isnt($f2, $f1, 'the fingerprint changed');
close $s2 if $s2;
open $fh, '>', "$dir/broken.key" or die;
print $fh "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n";
close $fh;
conf_with('one.crt', 'broken.key');
ok(reload_to(3), 'SIGHUP with a broken key: generation 3');
my ($s3, $f3) = smtps();
is($f3, $f2, 'the old certificate stays');
close $s3 if $s3;
like($d->log_text, qr/keeping the old certificate/, 'and the reason is logged');
my $pw = join('|', 's3cret', 'bad1', 'bad2', plain('alice', 's3cret'));
like($d->log_text, qr/TLS from .* keybits /, 'tls-loglevel 4 logs the sessions');
like($d->log_text, qr/ event=tls client=127\.0\.0\.1 port=\d+ proto=TLSv1\.[23] cipher=\S+$/m,
    'with the event fields: protocol and cipher');
like($d->log_text, qr/AUTH PLAIN from .* user=alice failed/, 'failures logged with the user');
unlike($d->log_text, qr/$pw/, 'but no password, at tls-loglevel 4');

is($d->stop, 0, 'clean stop');

# 5. PAM (pam_wrapper + pam_matrix) through the daemon's helper: a mail
# client logs in with a PAM user on 465
SKIP: {
	my $pamenv = PamTest::setup($dir);
	skip 'libpam-wrapper not installed', 3 unless $pamenv;
	local @ENV{ keys %$pamenv } = values %$pamenv;
	@conf = grep { !/SMTP-auth-pipe/ } @conf;
	conf_with('one.crt', 'one.key');
	$d->start(idle => 2);
	my $out = `timeout 30 swaks --server 127.0.0.1:$p465 --tlsc --auth LOGIN --auth-user bob --auth-password pam-pw --from '<>' --to c\@foreign.example --helo client.example 2>&1`;
	like($out, qr/^<~  235 2\.7\.0 /m, 'PAM user logs in with swaks --tlsc');
	like($out, qr/^<~  250 2\.0\.0 Message accepted/m, 'and relays');
	is($d->stop, 0, 'clean stop');
}
done_testing();
