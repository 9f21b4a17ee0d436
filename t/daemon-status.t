#!/usr/bin/perl
# smtpserverctl status --json against a known load, field by field; the
# table form; access rules of the control socket.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use SmtpTest qw(wait_until);

my $d = SmtpTest->new(conf => [
	'PARAM BindAddress [127.0.0.1]',
	'PARAM MaxSameIpSource 1',
	'PARAM min-idle-workers 2',
	'PARAM max-idle-workers 4',
]);
my $t0 = time;
$d->start(idle => 2);

# The load: one session held open from .2, one from .3 that sends two
# messages, abandons a transaction with two recipients and sends one
# unknown command, one refused (450) from .2.
my $held = $d->connect(src => '127.0.0.2');
like(SmtpTest::reply($held), qr/^220 /, 'held session');
my $w = $d->connect(src => '127.0.0.3');
SmtpTest::reply($w);
SmtpTest::cmd($w, 'EHLO w.example');
my $body = "Subject: s\r\n\r\n" . ("x" x 1000) . "\r\n";
like(SmtpTest::message($w, body => $body), qr/^250/, 'message 1') for 1 .. 2;
# Two recipients that got 250 in a transaction that was then abandoned:
# they are not counted as recipients (no message was accepted).
like(SmtpTest::cmd($w, 'MAIL FROM:<s@example.org>'), qr/^250/, 'MAIL');
like(SmtpTest::cmd($w, "RCPT TO:<r$_\@example.net>"), qr/^250/, 'RCPT')
    for 1 .. 2;
like(SmtpTest::cmd($w, 'RSET'), qr/^250/, 'RSET');
like(SmtpTest::cmd($w, 'XYZZY'), qr/^5/, 'unknown command: 5xx');
like(SmtpTest::cmd($w, 'QUIT'), qr/^221/, 'QUIT');
close($w);
my $r = $d->connect(src => '127.0.0.2');
like(SmtpTest::reply($r), qr/^450/, 'same IP refused');
close($r);
ok(wait_until(sub { $d->status->{connections}{now} == 1 }), 'settled');

my ($out, $rc) = $d->ctl('status', '--json');
is($rc, 0, 'smtpserverctl status --json exits 0');
my $j = eval { decode_json($out) };
ok($j, 'its output is JSON') or diag($out);
is($j->{ok}, JSON::PP::true, 'ok');
is($j->{protocol}, 1, 'protocol');
like($j->{version}, qr/^\d+\.\d+/, 'version');
is($j->{pid}, $d->{pid}, 'pid');
ok($j->{uptime} >= 0 && $j->{uptime} <= time - $t0 + 1, 'uptime');
is($j->{config}{generation}, 1, 'config generation');
like($j->{config}{path}, qr/smtpserver\.conf$/, 'config path');
ok(abs($j->{config}{loaded} - $t0) <= 2, 'config loaded time');
is($j->{stopping}, JSON::PP::false, 'not stopping');
is($j->{workers}{busy}, 1, 'workers busy');
ok($j->{workers}{idle} >= 2 && $j->{workers}{idle} <= 4, 'workers idle');
is($j->{workers}{total}, $j->{workers}{busy} + $j->{workers}{idle} +
    $j->{workers}{starting} + $j->{workers}{exiting}, 'workers total');
is($j->{connections}{now}, 1, 'connections now');
is($j->{connections}{total}, 2, 'connections total (admitted)');
is($j->{connections}{refused}{sameip_450}, 1, 'refused: same IP 450');
is($j->{connections}{refused}{$_}, 0, "refused: $_")
    for qw(total_450 total_close sameip_close load);
is_deeply($j->{top}, [ { ip => '127.0.0.2', count => 1 } ], 'top list');
is(scalar(@{ $j->{sessions} }), 1, 'one session listed');
is($j->{sessions}[0]{peer}, '127.0.0.2', 'its peer');
is($j->{messages}{accepted}, 2, 'messages accepted');
ok($j->{messages}{bytes} >= 2 * length($body) - 10, 'bytes accepted');
is($j->{messages}{recipients}, 2, 'recipients of accepted messages only');
ok($j->{rejects}{'5xx'} >= 1, 'rejects 5xx');
is($j->{rejects}{'4xx'}, 1, "rejects 4xx: the worker's admission 450");

($out, $rc) = $d->ctl('status');
is($rc, 0, 'table form exits 0');
like($out, qr/^workers\.busy\s+1$/m, 'table: workers.busy');
like($out, qr/^connections\.now\s+1$/m, 'table: connections.now');
like($out, qr/^top\[0\]\.ip\s+127\.0\.0\.2$/m, 'table: top list');
is($d->control('bogus')->{ok}, JSON::PP::false, 'unknown request refused');

SKIP: {
	skip 'not root', 2 unless $> == 0;
	my $pid = fork() // die;
	if ($pid == 0) {	# another user may not talk to the socket
		POSIX::setuid(scalar getpwnam('nobody'));
		exit(defined($d->control("status")) ? 1 : 0);
	}
	waitpid($pid, 0);
	is($? >> 8, 0, 'another user cannot use the socket');
	is((stat($d->{ctl}))[2] & 07777, 0600, 'socket mode 0600');
}
close($held);
my ($o2, $rc2) = $d->ctl('stop');
is($rc2, 0, 'smtpserverctl stop');
is($d->wait_exit(10), 0, 'the daemon stopped');
done_testing();
