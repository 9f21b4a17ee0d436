#!/usr/bin/perl
# SIGTERM with sessions in flight: no new connections, the session in
# flight finishes within the grace period, the pid file goes.  With a
# short grace, an idle session is told 421 and the daemon exits; inside TLS
# when the session has TLS.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use IO::Socket::SSL;
use SmtpTest qw(wait_until);
use TlsCerts;

my $d = SmtpTest->new(conf => ['PARAM BindAddress [127.0.0.1]',
	'PARAM shutdown-grace 20']);
$d->{args} = ['-l', "$d->{dir}/transcript"];
$d->start;
my $pidfile = "$d->{po}/.pid.smtpserver";
ok(-s $pidfile, 'pid file written');
my $s = $d->connect;
like(SmtpTest::reply($s), qr/^220 /, 'session open');
like(SmtpTest::cmd($s, 'EHLO c.example'), qr/^250/, 'EHLO');
kill('TERM', $d->{pid});
ok(wait_until(sub { !$d->connect }), 'new connections are refused');
ok($d->alive, 'the daemon waits for the session in flight');
like(SmtpTest::message($s), qr/^250/, 'which still delivers a message');
like(SmtpTest::cmd($s, 'QUIT'), qr/^221/, 'and quits');
is($d->wait_exit(10), 0, 'then the daemon exits 0');
ok(!-e $pidfile, 'pid file removed');
ok(!-e $d->{ctl}, 'control socket removed');
is(scalar($d->spooled), 1, 'the message is in router/');
open(my $tr, '<', "$d->{dir}/transcript") or die;
my $transcript = do { local $/; <$tr> };
like($transcript, qr/EHLO c\.example/, '-l file: the unprivileged worker wrote the transcript');

# Grace over: the session is told 421 and closed.
my $e = SmtpTest->new(conf => ['PARAM BindAddress [127.0.0.1]',
	'PARAM shutdown-grace 1']);
$e->start;
$s = $e->connect;
like(SmtpTest::reply($s), qr/^220 /, 'second daemon: session open');
kill('TERM', $e->{pid});
like(SmtpTest::reply($s, 15) // '', qr/^421 4\.3\.2 /,
    'after the grace period: 421 4.3.2');
is(SmtpTest::reply($s, 5), undef, 'and the connection is closed');
is($e->wait_exit(15), 0, 'the daemon exits 0');
like($e->log_text, qr/killed server/, 'and says so in the log');

# The same in a STARTTLS session: the 421 comes inside TLS (written in
# plaintext it would end the client's TLS session with an error instead).
my $t = SmtpTest->new(conf => []);
my ($crt, $key) = make_cert($t->{dir}, 'stop', 'localhost');
$t->write_conf('PARAM BindAddress [127.0.0.1]', 'PARAM shutdown-grace 1',
    'PARAM use-tls', "PARAM tls-cert-file $crt", "PARAM tls-key-file $key");
$t->start;
$s = $t->connect;
like(SmtpTest::reply($s), qr/^220 /, 'TLS daemon: session open');
SmtpTest::cmd($s, 'EHLO c.example');
like(SmtpTest::cmd($s, 'STARTTLS'), qr/^220 /, 'STARTTLS');
ok(IO::Socket::SSL->start_SSL($s, SSL_verify_mode => SSL_VERIFY_NONE,
    Timeout => 10), 'TLS is up');
like(SmtpTest::cmd($s, 'EHLO c.example'), qr/^250/, 'EHLO inside TLS');
kill('TERM', $t->{pid});
like(SmtpTest::reply($s, 15) // "(none; TLS error: $SSL_ERROR)",
    qr/^421 4\.3\.2 /, 'after the grace period: 421 4.3.2 inside TLS');
is(SmtpTest::reply($s, 5), undef, 'and the connection is closed');
is($t->wait_exit(15), 0, 'the daemon exits 0');
done_testing();
