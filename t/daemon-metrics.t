#!/usr/bin/perl
# smtpserverctl metrics: Prometheus text that promtool accepts, and
# counters that move with what sessions do: a message raises the
# messages, bytes and recipients counters, a refused AUTH the AUTH
# failures, a same-address refusal its limit reason, a reload (good and
# broken) the reloads by result.  The same text over HTTP (PARAM
# metrics-listen): GET /metrics, 4xx for anything else, and a scraper
# that says nothing holds up neither other scrapes nor SMTP.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use MIME::Base64;
use IO::Select;
use IO::Socket::INET;
use Time::HiRes qw(time);
use SmtpTest qw(wait_until);
use SmtpPipe ();
use TlsCerts;
use IO::Socket::SSL;

my $promtool = '/usr/bin/promtool';

my $d = SmtpTest->new(conf => []);
my $mport = SmtpTest::free_port();
my ($crt, $key) = make_cert($d->{dir}, 'one', 'localhost');
# 127.0.0.1-3 may relay; 127.0.0.5 may not (a policy refusal at RCPT)
$d->{policy} = [ split(/\n/, SmtpPipe::policy_db($d->{po},
    'smtp-policy.relay' => join('', map { "[127.0.0.$_]/32 fulltrustnet +\n" }
	1 .. 3))) ];
open(my $fh, '>', "$d->{dir}/authpipe") or die;
print $fh "#!/bin/sh\nread -r pw\n[ \"\$1\" = alice ] && [ \"\$pw\" = s3cret ]\n";
close($fh);
chmod(0755, "$d->{dir}/authpipe");
$d->write_conf('PARAM BindAddress [127.0.0.1]', 'PARAM smtp-auth',
    'PARAM AUTH-LOGIN-also-without-TLS', 'PARAM MaxSameIpSource 1',
    "PARAM SMTP-auth-pipe $d->{dir}/authpipe",
    "PARAM metrics-listen $mport", 'PARAM use-tls',
    "PARAM tls-cert-file $crt", "PARAM tls-key-file $key");
$d->start;

# name{labels} => value
sub metrics {
	my ($out, $rc) = $d->ctl('metrics');
	return (undef, $out) unless $rc == 0;
	my %m = map { /^(smtpserver_\S+) (\d+)$/ ? ($1 => $2) : () }
	    split(/\n/, $out);
	return (\%m, $out);
}

sub promtool_ok {
	my ($text, $name) = @_;
	SKIP: {
		skip('no promtool', 1) unless -x $promtool;
		open(my $p, '|-', "$promtool check metrics >$d->{dir}/pt 2>&1")
		    or die;
		print $p $text;
		close($p);
		my $rc = $?;
		is($rc, 0, $name) or diag(`cat $d->{dir}/pt`);
	}
}

my ($m0, $text) = metrics();
ok($m0, 'smtpserverctl metrics exits 0') or diag($text);
like($text, qr/^# TYPE smtpserver_messages_accepted_total counter$/m,
    '  typed families');
promtool_ok($text, '  promtool check metrics accepts it');
is($m0->{smtpserver_messages_accepted_total}, 0, '  no message yet');
is($m0->{'smtpserver_workers{state="idle"}'} >= 1, 1, '  idle workers');

# One HTTP exchange: send $req raw, read to EOF (10 s at most).
sub http {
	my ($req) = @_;
	my $c = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
	    PeerPort => $mport, Proto => 'tcp', Timeout => 5) or return ();
	print $c $req;
	my ($sel, $end, $all) = (IO::Select->new($c), time + 10, '');
	while (time < $end && $sel->can_read($end - time)) {
		my $n = sysread($c, my $chunk, 65536);
		last unless $n;
		$all .= $chunk;
	}
	close($c);
	my ($head, $body) = split(/\r\n\r\n/, $all, 2);
	my ($code) = ($head // '') =~ m{^HTTP/1\.[01] (\d{3}) };
	return ($code // 0, $head // '', $body // '');
}

my ($hc, $hh, $hb) = http("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
is($hc, 200, 'GET /metrics over HTTP: 200');
like($hh, qr{^Content-Type: text/plain; version=0\.0\.4}mi,
    '  Prometheus content type');
my @fam = sort grep { /^# TYPE/ } split(/\n/, $hb);
is_deeply(\@fam, [ sort grep { /^# TYPE/ } split(/\n/, $text) ],
    '  the families smtpserverctl metrics prints');
promtool_ok($hb, '  promtool check metrics accepts the HTTP body');
is((http("GET /other HTTP/1.0\r\n\r\n"))[0], 404, 'another path: 404');
is((http("POST /metrics HTTP/1.1\r\n\r\n"))[0], 405, 'POST: 405');
is((http("hello\r\n\r\n"))[0], 400, 'garbage: 400');
is((http("GET /metrics HTTP/1.1\r\nX: " . ('a' x 2021)))[0], 431,
    'an endless header: 431');
my $mute = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
    PeerPort => $mport, Proto => 'tcp', Timeout => 5);
ok($mute, 'a scraper that says nothing');
is((http("GET /metrics HTTP/1.0\r\n\r\n"))[0], 200,
    '  another scrape is served meanwhile');
my $q = $d->connect(src => '127.0.0.3');
like(SmtpTest::reply($q) // '', qr/^220 /, '  and an SMTP session too');
like(SmtpTest::cmd($q, 'QUIT') // '', qr/^221 /, '  to its QUIT');
close($q);
ok(IO::Select->new($mute)->can_read(20) && !sysread($mute, my $x, 10),
    '  the mute one is closed by the daemon in the end');
close($mute);

my $s = $d->connect(src => '127.0.0.2');
SmtpTest::reply($s);
SmtpTest::cmd($s, 'EHLO m.example');
my $body = "Subject: m\r\n\r\n" . ("y" x 500) . "\r\n";
like(SmtpTest::message($s, body => $body), qr/^250/, 'a message');
like(SmtpTest::cmd($s, 'AUTH PLAIN ' . encode_base64("\0alice\0wrong", '')),
    qr/^535 /, 'a refused AUTH');
my $r = $d->connect(src => '127.0.0.2');
like(SmtpTest::reply($r) // '', qr/^450[ -]/, 'a same-address refusal');
close($r);
like(SmtpTest::cmd($s, 'AUTH PLAIN ' . encode_base64("\0alice\0s3cret", '')),
    qr/^235 /, 'a successful AUTH');
SmtpTest::cmd($s, 'QUIT');
close($s);

my $p = $d->connect(src => '127.0.0.5');
SmtpTest::reply($p);
SmtpTest::cmd($p, 'EHLO p.example');
like(SmtpTest::cmd($p, 'MAIL FROM:<>') // '', qr/^250 /, '  (MAIL FROM:<> accepted)');
like(SmtpTest::cmd($p, 'RCPT TO:<user@[192.0.2.1]>') // '', qr/^5\d\d /,
    'a policy refusal at RCPT');
SmtpTest::cmd($p, 'QUIT');
close($p);

my $t = $d->connect(src => '127.0.0.3');
SmtpTest::reply($t);
SmtpTest::cmd($t, 'EHLO t.example');
like(SmtpTest::cmd($t, 'STARTTLS') // '', qr/^220 /, 'STARTTLS');
ok(IO::Socket::SSL->start_SSL($t, SSL_verify_mode => SSL_VERIFY_NONE,
    Timeout => 10), '  a TLS session') or diag($IO::Socket::SSL::SSL_ERROR);
(my $tver = $t->get_sslversion // "none") =~ s/_/./g;
print $t "QUIT\r\n";
close($t);

my $tf = $d->connect(src => '127.0.0.6');
SmtpTest::reply($tf);
SmtpTest::cmd($tf, 'EHLO tf.example');
like(SmtpTest::cmd($tf, 'STARTTLS') // '', qr/^220 /, 'STARTTLS again');
print $tf "this is no TLS ClientHello\r\n";
is(SmtpTest::reply($tf), undef, '  a failed handshake: closed');
close($tf);

my $m1;
ok(wait_until(sub {
	($m1) = metrics();
	$m1 && $m1->{smtpserver_sessions} == 0 }), 'sessions back to 0');
is($m1->{smtpserver_messages_accepted_total}, 1, 'messages counter moved');
ok($m1->{smtpserver_message_bytes_total} >= length($body) - 10,
    'bytes counter moved');
is($m1->{smtpserver_recipients_accepted_total}, 1, 'recipients counter');
is($m1->{smtpserver_auth_failures_total}, 1, 'AUTH failures counter');
is($m1->{'smtpserver_rejects_total{code="535"}'}, 1, '  and code 535');
is($m1->{'smtpserver_connections_refused_total{reason="limit_sameip_450"}'},
    1, 'refusal by reason: same-address limit');
is($m1->{smtpserver_sessions_admitted_total}, 5, 'sessions admitted');
is($m1->{smtpserver_tls_failures_total}, 1, 'TLS handshake failures');
is($m1->{"smtpserver_listener_connections_total{listener=\"[127.0.0.1]:$d->{port}\",outcome=\"admitted\"}"},
    5, 'connections by listener: admitted');
is($m1->{"smtpserver_listener_connections_total{listener=\"[127.0.0.1]:$d->{port}\",outcome=\"refused\"}"},
    1, '  and refused');
is($m1->{"smtpserver_listener_messages_total{listener=\"[127.0.0.1]:$d->{port}\"}"},
    1, 'messages by listener');
is($m1->{"smtpserver_tls_sessions_total{version=\"$tver\"}"}, 1,
    "TLS sessions by version: $tver");
is($m1->{'smtpserver_auth_total{result="ok"}'}, 1, 'AUTH results: ok');
is($m1->{'smtpserver_auth_total{result="failed"}'}, 1, '  and failed');
is($m1->{'smtpserver_policy_refusals_total{stage="rcpt"}'}, 1,
    'policy refusals by stage: rcpt');
is($m1->{'smtpserver_policy_refusals_total{stage="mail"}'}, 0, '  not mail');
is($m1->{smtpserver_dnsbl_refusals_total}, 0, '  none by a DNSBL');
is($m1->{smtpserver_spool_commit_seconds_count}, 1,
    'the commit latency histogram counts the message');
is($m1->{'smtpserver_spool_commit_seconds_bucket{le="+Inf"}'}, 1,
    '  in its +Inf bucket');

kill('HUP', $d->{pid});
ok(wait_until(sub { my ($m) = metrics();
	$m && $m->{'smtpserver_reloads_total{result="ok"}'} == 1 }),
    'a reload counted ok');
$d->write_raw_conf("PARAM maxsize bogus\n");
my ($o, $rc) = $d->ctl('reload');
isnt($rc, 0, 'a broken reload');
my ($m2, $t2) = metrics();
is($m2->{'smtpserver_reloads_total{result="failed"}'}, 1,
    '  counted as failed');
is($m2->{smtpserver_generation}, 2, '  generation 2 still');
promtool_ok($t2, 'promtool accepts the exposition after traffic');
my ($o3, $rc3) = $d->ctl('stop');
is($d->wait_exit(20), 0, 'stopped');
done_testing();
