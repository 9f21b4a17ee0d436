#!/usr/bin/perl
# The milter client against a scripted milter (t/lib/FakeMilter.pm): the
# macros and the CRLF body it is shown, every action (accept, reject,
# tempfail, replycode, discard, quarantine) at RCPT, MAIL and end of
# data, every change (headers, recipients, body) in the spool file, a
# milter that answers garbage, a packet over 64 KB or an unsafe header
# gets the default action, a stopped milter gets milter-default-action
# (tempfail, accept, reject), and a milter that never answers or floods
# stalls only its own session.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use SmtpTest qw(wait_until);
use FakeMilter;
use IO::Socket::SSL;
use MIME::Base64;
use TlsCerts;

my $d = SmtpTest->new(conf => []);
my $fm = FakeMilter->new(path => "$d->{dir}/fake.sock");
$d->write_conf('PARAM BindAddress [127.0.0.1]', 'PARAM min-idle-workers 2',
    'PARAM max-idle-workers 4', 'PARAM milter fake ' . $fm->spec,
    'PARAM milter-command-timeout 20', 'PARAM milter-eom-timeout 4');
$d->start(idle => 2);

sub session {
	my $s = $d->connect or die "connect: $!";
	SmtpTest::reply($s);
	SmtpTest::cmd($s, 'EHLO client.example');
	return $s;
}

sub files {
	my ($sub) = @_;
	opendir(my $dh, "$d->{po}/$sub") or return ();
	return sort grep { !/^\./ } readdir($dh);
}

sub slurp {
	open(my $fh, '<', $_[0]) or return '';
	local $/;
	return <$fh>;
}

# one message; its final reply and the new spool file's text (or undef)
sub send_msg {
	my (%o) = @_;
	my %before = map { $_ => 1 } files('router');
	my $s = session();
	my $r = SmtpTest::message($s, %o);
	SmtpTest::cmd($s, 'QUIT');
	close($s);
	my @new = grep { !$before{$_} } files('router');
	return ($r, @new ? slurp("$d->{po}/router/$new[0]") : undef);
}

my $msg = "Subject: hello\r\nX-Remove: me\r\nFrom: a\@example.org\r\n\r\nline one\r\n..dot\r\n";
my ($r, $f) = send_msg(to => 'plain@example.net', body => $msg);
like($r, qr/^250 /, 'continue everywhere: accepted');
like($f // '', qr/\nSubject: hello\nX-Remove: me\n/, 'spooled as it came');
my $log = $fm->log_text;
like($log, qr/macro C \{client_addr\}=127\.0\.0\.1$/m, '{client_addr}');
like($log, qr/macro C j=\S+$/m, '{j}');
like($log, qr/macro C \{daemon_name\}=\S+$/m, '{daemon_name}');
like($log, qr/macro M i=\S+$/m, '{i} at MAIL');
like($log, qr/macro M \{mail_addr\}=sender\@example\.org$/m, '{mail_addr}');
like($log, qr/macro R \{rcpt_addr\}=plain\@example\.net$/m, '{rcpt_addr}');
like($log, qr/^\d+ cmd H client\.example$/m, 'HELO name');
like($log, qr/^\d+ mail <sender\@example\.org>$/m, 'MAIL address');
like($log, qr/^\d+ header Subject=hello$/m, 'header, leading blank gone');
like($log, qr/^\d+ body line one\\x0d\\x0a\.dot\\x0d\\x0a$/m,
    'body in CRLF, dot-unstuffed');

my $s = session();
like(SmtpTest::message($s, to => 'plain@example.net'), qr/^250 /,
    'two messages in a session: first');
like(SmtpTest::message($s, to => 'edit@example.net', body => $msg),
    qr/^250 /, '... second, with changes');
SmtpTest::cmd($s, 'RSET');
like(SmtpTest::message($s, to => 'reject@example.net'), qr/^550 /,
    '... third, after RSET, refused');
SmtpTest::cmd($s, 'QUIT');
close($s);
unlike($fm->log_text, qr/^\d+ abort$/m, 'no ABORT after a finished message');

$s = session();
like(SmtpTest::cmd($s, 'MAIL FROM:<mailreject@example.org>'),
    qr/^550 5\.7\.1 /, 'reject at MAIL');
like(SmtpTest::cmd($s, 'MAIL FROM:<a@example.org>'), qr/^250 /, 'next MAIL');
like(SmtpTest::cmd($s, 'RCPT TO:<rcptreject@example.net>'),
    qr/^550 5\.7\.1 Command rejected/, 'reject at RCPT');
like(SmtpTest::cmd($s, 'RCPT TO:<rcpttempfail@example.net>'),
    qr/^451 4\.7\.1 /, 'tempfail at RCPT');
like(SmtpTest::cmd($s, 'RCPT TO:<rcptreply@example.net>'),
    qr/^553 5\.7\.2 Not you/, 'replycode at RCPT');
like(SmtpTest::cmd($s, 'RCPT TO:<fine@example.net>'), qr/^250 /,
    'another RCPT accepted');
SmtpTest::cmd($s, 'QUIT');
close($s);
like($fm->log_text, qr/^\d+ abort$/m,
    'ABORT for a transaction that ended before its data');

($r, $f) = send_msg(to => 'reject@example.net');
like($r, qr/^550 5\.7\.1 /, 'reject at end of data');
is($f, undef, '... nothing spooled');
($r, $f) = send_msg(to => 'tempfail@example.net');
like($r, qr/^451 4\.7\.1 /, 'tempfail at end of data');
is($f, undef, '... nothing spooled');
($r, $f) = send_msg(to => 'replycode@example.net');
like($r, qr/^554 5\.7\.1 Go away/, 'replycode at end of data');
($r, $f) = send_msg(to => 'discard@example.net');
like($r, qr/^250 2\.0\.0 .*discarded/, 'discard: 250');
is($f, undef, '... and not stored');
($r, $f) = send_msg(to => 'accept@example.net');
like($r, qr/^250 /, 'accept');
like($f // '', qr/\nhello\n/, '... stored');
my @fz = files('freezer');
($r, $f) = send_msg(to => 'quarantine@example.net');
like($r, qr/^250 /, 'quarantine: 250');
is($f, undef, '... not in router/');
my @fz2 = files('freezer');
is(scalar(@fz2), @fz + 1, '... but in the freezer');
like($d->log_text, qr/milter fake: quarantine: test quarantine$/m,
    '... with the reason logged');

# changes: two recipients, edit@ is removed and added@ comes in
$s = session();
SmtpTest::cmd($s, 'MAIL FROM:<a@example.org>');
SmtpTest::cmd($s, 'RCPT TO:<edit@example.net>');
SmtpTest::cmd($s, 'RCPT TO:<keep@example.net>');
SmtpTest::cmd($s, 'DATA');
my %before = map { $_ => 1 } files('router');
print $s $msg;
like(SmtpTest::cmd($s, '.'), qr/^250 /, 'edits: accepted');
SmtpTest::cmd($s, 'QUIT');
close($s);
my @new = grep { !$before{$_} } files('router');
$f = @new ? slurp("$d->{po}/router/$new[0]") : '';
my ($env, $text) = split(/^env-end\n/m, $f, 2);
$text //= '';
like($env // '', qr/^to <added\@example\.net>$/m, 'recipient added');
like($env // '', qr/^to <keep\@example\.net>$/m, 'recipient kept');
unlike($env // '', qr/^to <?edit\@example\.net/m, 'recipient removed');
like($text, qr/\AX-First: top\n/, 'header inserted at the top');
like($text, qr/^Subject: changed subject$/m, 'header changed');
unlike($text, qr/X-Remove/, 'header deleted');
like($text, qr/^X-Milter: added\nX-Folded: one\n\ttwo\n\nline one\n\.dot\n\z/m,
    'headers added at the end (fold kept), body untouched');

($r, $f) = send_msg(to => 'body@example.net', body => $msg);
like($r, qr/^250 /, 'body replaced: accepted');
like($f // '', qr/\nFrom: a\@example\.org\n\nnew body\nsecond line\n\z/,
    'the new body, LF line ends, headers kept');

($r, $f) = send_msg(to => 'large@example.net', body => $msg);
like($r, qr/^250 /, 'packets of 64 KB: accepted');
like($f // '', qr/^X-Large: z{65525}\n\ny{65533}\n\z/m,
    '... a 64 KB header and body chunk spooled');

for my $bad (qw(inject garbage big)) {
	($r, $f) = send_msg(to => "$bad\@example.net");
	like($r, qr/^451 4\.7\.1 /, "$bad: default action tempfail");
	is($f, undef, "$bad: nothing spooled");
}

# one session waits on a milter that never answers (or floods): others go on
for my $slow (qw(hang flood)) {
	my $a = session();
	SmtpTest::cmd($a, 'MAIL FROM:<a@example.org>');
	SmtpTest::cmd($a, "RCPT TO:<$slow\@example.net>");
	SmtpTest::cmd($a, 'DATA');
	print $a "Subject: x\r\n\r\nx\r\n.\r\n";
	($r) = send_msg(to => 'plain@example.net');
	like($r, qr/^250 /, "$slow: another session is served meanwhile");
	like(SmtpTest::reply($a) // '', qr/^451 4\.7\.1 /,
	    "$slow: its own session gets the default action");
	close($a);
}

# -K: a malformed PARAM milter is an error with file:line; good ones dump
for my $bad ('PARAM milter onlyname', 'PARAM milter x tcp:host:1',
    'PARAM milter x inet:hostonly', 'PARAM milter x unix:relative') {
	open(my $fh, '>', "$d->{dir}/k.conf") or die;
	print $fh "PARAM maxsize 1000\n$bad\n";
	close($fh);
	my $out = `@{[SmtpTest::binary()]} -K -C $d->{dir}/k.conf -Z /dev/null 2>&1`;
	isnt($? >> 8, 0, "-K refuses '$bad'");
	like($out, qr/k\.conf:2: /, "... with file:line");
}
open(my $kfh, '>', "$d->{dir}/k.conf") or die;
print $kfh "PARAM milter a unix:/run/a.sock\nPARAM milter b inet:127.0.0.1:11332\n"
    . "PARAM milter c inet:8891\@localhost\nPARAM milter-default-action accept\n";
close($kfh);
my $kout = `@{[SmtpTest::binary()]} -K -d 1 -C $d->{dir}/k.conf -Z /dev/null 2>&1`;
unlike($kout, qr/k\.conf:\d+: /,
    '-K takes unix:, inet:host:port and inet:port\@host');
like($kout, qr/^milter\s*=?\s*a unix:\/run\/a\.sock\n.*b inet:127\.0\.0\.1:11332\n.*c inet:8891\@localhost$/m,
    '... and dumps them in order');

# TLS and AUTH macros: a daemon with STARTTLS and an SMTP-auth-pipe
{
	my $t = SmtpTest->new(conf => []);
	my $dir = $t->{dir};
	make_cert($dir, 'one', 'localhost');
	open(my $ap, '>', "$dir/authpipe") or die;
	print $ap "#!/bin/sh\nread -r pw\n"
	    . "[ \"\$1\" = alice ] && [ \"\$pw\" = s3cret ]\n";
	close($ap);
	chmod(0755, "$dir/authpipe");
	$t->write_conf('PARAM BindAddress [127.0.0.1]', 'PARAM use-tls',
	    'PARAM smtp-auth', "PARAM SMTP-auth-pipe $dir/authpipe",
	    "PARAM tls-cert-file $dir/one.crt",
	    "PARAM tls-key-file $dir/one.key",
	    'PARAM milter fake ' . $fm->spec);
	$t->start;
	my $c = $t->connect or die "connect: $!";
	SmtpTest::reply($c);
	SmtpTest::cmd($c, 'EHLO client.example');
	like(SmtpTest::cmd($c, 'STARTTLS') // '', qr/^220 /, 'STARTTLS');
	ok(IO::Socket::SSL->start_SSL($c, SSL_verify_mode => SSL_VERIFY_NONE,
	    Timeout => 10), 'TLS up');
	SmtpTest::cmd($c, 'EHLO tls.example');
	like(SmtpTest::cmd($c, 'AUTH PLAIN '
	    . encode_base64("\0alice\0s3cret", '')) // '', qr/^235 /, 'AUTH');
	like(SmtpTest::cmd($c, 'MAIL FROM:<tlsauth@example.org>') // '',
	    qr/^250 /, 'MAIL');
	SmtpTest::cmd($c, 'QUIT');
	close($c);
	my ($pid) = $fm->log_text =~ /^(\d+) mail <tlsauth\@example\.org>$/m;
	my $l = join('', grep { /^$pid / } split(/^/, $fm->log_text));
	like($l, qr/^\d+ macro H \{tls_version\}=TLSv1\.[23]$/m,
	    '{tls_version} at HELO');
	like($l, qr/^\d+ macro M \{cipher\}=\S+$/m, '{cipher} at MAIL');
	like($l, qr/^\d+ macro M \{auth_type\}=PLAIN$/m, '{auth_type}');
	like($l, qr/^\d+ macro M \{auth_authen\}=alice$/m, '{auth_authen}');
	$t->stop;
}

# a stopped milter: the default action, for each setting
$fm->stop;
for my $case (['', qr/^451 4\.7\.1 /], ['accept', qr/^250 /],
    ['reject', qr/^550 5\.7\.1 /]) {
	my ($act, $want) = @$case;
	my $e = SmtpTest->new(conf => []);
	$e->write_conf('PARAM BindAddress [127.0.0.1]',
	    'PARAM milter fake ' . $fm->spec,
	    $act ? "PARAM milter-default-action $act" : ());
	$e->start;
	$s = $e->connect or die;
	SmtpTest::reply($s);
	SmtpTest::cmd($s, 'EHLO client.example');
	my $m = SmtpTest::cmd($s, 'MAIL FROM:<a@example.org>');
	like($m, $want, 'stopped milter, default action ' . ($act || 'tempfail'));
	SmtpTest::cmd($s, 'QUIT');
	close($s);
	like($e->log_text, qr/milter fake: cannot connect/, '... logged');
	$e->stop;
}

done_testing();
