#!/usr/bin/perl
# Relay safety and policy verdicts through the real program: -T sessions
# as a stranger and as a relay customer, connect rejection, and a TCP
# session from 127.0.0.2 that is not trusted.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Socket::INET;
use SmtpPipe;
use TestDNS;

# The DNS the default policy (ZMailer's MX rule) asks: senders exist,
# foreign.example has its MX elsewhere.
my $dns = TestDNS::start(
    A => { 'mx.sender.example' => '198.51.100.200',
	'mx.ours.example' => '198.51.100.50',
	'mx.foreign.example' => '198.51.100.201',
	'named.sender.example' => '192.0.2.10',
	'liar.sender.example' => '192.0.2.99' },
    PTR => { '10.2.0.192.in-addr.arpa' => 'named.sender.example',
	'11.2.0.192.in-addr.arpa' => 'liar.sender.example',
	'12.2.0.192.in-addr.arpa' => 'bad!name.sender.example' },
    MX => { 'sender.example' => 'mx.sender.example',
	'mxed.example' => 'mx.ours.example',
	'foreign.example' => 'mx.foreign.example',
	'example.org' => 'mx.foreign.example' });
my $po = postoffice();
my $pol = policy_db($po, dns_port => $dns,
    'smtp-policy.relay' => "[127.0.0.1]/32 fulltrustnet +\n"
	. "[198.51.100.0]/24 fulltrustnet +\n[203.0.113.0]/24\n",
    'smtp-policy.spam' => "[192.0.2.99]\nspammer.example\n",
    'localnames' => "example.org\n");
my $conf = write_conf($po, $pol . "* 999 ve\n");

sub lines { join('', map { "$_\r\n" } @_) }

sub as_client {
	my ($ip, @cmds) = @_;
	return scalar run_i(conf => $conf, po => $po, args => ['-T', "[$ip]"],
	    input => lines('EHLO client.example', @cmds, 'QUIT'));
}

my @foreign = ('<user@foreign.example>', '<user%foreign.example@example.org>',
    '<foreign.example!user@example.org>', '<@example.org:user@foreign.example>',
    '<"user@foreign.example"@example.org>', '<user@[192.0.2.1]>',
    '<USER@FOREIGN.EXAMPLE>', '<user@foreign.example.>',
    '<user%foreign.example%example.org@example.org>');

# 1. a stranger: every relay trick refused, our own domain accepted
for my $rcpt (@foreign) {
	my $out = as_client('192.0.2.1', 'MAIL FROM:<a@sender.example>',
	    "RCPT TO:$rcpt");
	my ($r) = $out =~ /^(\d{3}[ -].*)\r\n221 /m;
	like($r // '', qr/^5\d\d /, "stranger: RCPT TO:$rcpt refused")
	    or diag($out);
}
my $out = as_client('192.0.2.1', 'MAIL FROM:<a@sender.example>',
    'RCPT TO:<user@example.org>', 'RCPT TO:<User@EXAMPLE.ORG>',
    'RCPT TO:<postmaster>', 'DATA', 'Subject: ok', '', 'x', '.');
my @ok = $out =~ /^250 2\.1\.5 /mg;
is(scalar @ok, 3, 'stranger: local domain (any case) and postmaster accepted');
like($out, qr/^250 2\.0\.0 Message accepted/m, 'and the message is spooled');
my @f = spool_files($po);
like($f[0] // '', qr/\Aexternal\nrcvdfrom \[192\.0\.2\.1\] \(\[192\.0\.2\.1\]:0 /,
    '-T address in the envelope');
unlink glob("$po/router/*");

# 2. a trusted network (smtp-policy.relay) may relay
$out = as_client('198.51.100.7', 'MAIL FROM:<a@example.org>',
    'RCPT TO:<user@foreign.example>');
like($out, qr/^250 2\.1\.5 /m, 'trusted network: foreign recipient accepted');

# 2b. a relay customer (relaycustnet, smtp-policy.relay without extra
# attributes) relays to a domain that exists in the DNS
$out = as_client('203.0.113.9', 'MAIL FROM:<a@sender.example>',
    'RCPT TO:<user@foreign.example>', 'RCPT TO:<user@nxdomain.example>');
like($out, qr/^250 2\.1\.5 .*foreign\.example.*\r\n5\d\d /m,
    'relay customer: existing foreign domain accepted, a non-existent one not');

# 3. refused recipients are noted in the envelope, accepted ones are not
$out = as_client('192.0.2.1', 'MAIL FROM:<a@sender.example>',
    'RCPT TO:<user@foreign.example>', 'RCPT TO:<user@example.org>', 'DATA',
    'x', '.');
@f = spool_files($po);
like($f[0] // '', qr/^comment policytest\(\) rejected rcptaddr: <?user\@foreign\.example>?$/m,
    'refused recipient as a comment');
my @to = ($f[0] // '') =~ /^to (.*)$/mg;
is("@to", '<user@example.org>', 'only the accepted recipient is a "to"');
unlink glob("$po/router/*");

# 4. a listed client: 554 at connect, then only QUIT
$out = as_client('192.0.2.99', 'MAIL FROM:<a@b.example>');
like($out, qr/\A554-5\.7\.1 Ask HELP for our contact information\.\r\n554 5\.7\.1 /,
    'rejectnet client: 554 greeting with the contact pointer');
like($out, qr/^503 5\.5\.1 \[192\.0\.2\.99\]; you were refused at connect, only QUIT is accepted\r\n/m,
    'commands get 503');
like($out, qr/^221 /m, 'QUIT answered');

# 5. a spam sender domain refused at MAIL; RCPT then says why
$out = as_client('192.0.2.1', 'MAIL FROM:<x@spammer.example>',
    'RCPT TO:<user@example.org>', 'DATA');
like($out, qr/^5\d\d 5\.7\.1 .*<x\@spammer\.example>/m, 'spam sender refused');
like($out, qr/^550 5\.7\.1 Hello \[192\.0\.2\.1\], access denied by the policy analysis functions by earlier rejection\r\n/m,
    'RCPT after a refused MAIL');
like($out, qr/^554 5\.5\.1 No valid sender/m, 'DATA after a refused MAIL');

# 6. -d 1 traces each decision with its key
# (the trace goes to stderr)
my $err = "$po/trace.txt";
system("printf 'EHLO c.example\\r\\nMAIL FROM:<a\@b.example>\\r\\nRCPT TO:<u\@foreign.example>\\r\\nQUIT\\r\\n' | "
    . "$SmtpPipe::BIN -i -d 1 -T '[192.0.2.1]' -C $conf -P $po -Z /dev/null >/dev/null 2>$err");
my $trace = do { local (@ARGV, $/) = $err; <> } // '';
like($trace, qr/^policy: verdict -?\d+: .*key/m, 'trace names the deciding key');

# 7. without a policy database a network session is refused at startup
my $nopol = write_conf(postoffice(), "* 999 ve\n");
my ($o2, $rc) = run_i(conf => $nopol, po => $po, args => ['-T', '[192.0.2.1]'],
    input => "QUIT\r\n");
is($rc, 2, 'no policy database: -T session refused (exit 2)');
is($o2, '', 'nothing said on the wire');

# 8. tcp-wrappers: daemon name smtp-receiver, files named by PARAMs
my $allow = "$po/hosts.allow";
my $deny = "$po/hosts.deny";
open my $fa, '>', $allow or die;
print $fa "smtp-receiver: 192.0.2.1\n";
close $fa;
open my $fd, '>', $deny or die;
print $fd "smtp-receiver: ALL\n";
close $fd;
my $wconf = write_conf(postoffice(), $pol . "PARAM use-tcp-wrapper\n"
    . "PARAM tcp-wrapper-allow $allow\nPARAM tcp-wrapper-deny $deny\n* 999 ve\n");
$out = run_i(conf => $wconf, po => $po, args => ['-T', '[192.0.2.1]'],
    input => lines('QUIT'));
like($out, qr/\A220 /, 'tcp-wrapper: allowed client greeted');
$out = run_i(conf => $wconf, po => $po, args => ['-T', '[192.0.2.7]'],
    input => lines('EHLO c.example', 'QUIT'));
like($out, qr/\A421 4\.7\.0 \S+ smtpserver \S+ WILL NOT TALK TO YOU at .*\r\n\z/,
    'tcp-wrapper: denied client gets 421 and nothing else');

# 9. ZENV SELFADDRESSES: a domain whose MX is one of our addresses
my $zf = "$po/zmailer.conf";
open my $zh, '>', $zf or die;
print $zh "SELFADDRESSES=192.0.2.250,198.51.100.50\n";
close $zh;
$out = as_client('192.0.2.1', 'MAIL FROM:<a@sender.example>',
    'RCPT TO:<u@mxed.example>');
like($out, qr/^550 5\.7\.1 .*MX rule/m, 'MX elsewhere: refused (MX rule)');
$out = run_i(conf => $conf, po => $po, args => ['-T', '[192.0.2.1]', '-Z', $zf],
    input => lines('EHLO c.example', 'MAIL FROM:<a@sender.example>',
	'RCPT TO:<u@mxed.example>', 'QUIT'));
like($out, qr/^250 2\.1\.5 /m, 'MX on a SELFADDRESSES address: accepted');

# 10. a frozen recipient: accepted into the freezer, and it does not let
# later recipients skip the relay check
{
	my $fpo = postoffice();
	my $fpol = policy_db($fpo, dns_port => $dns,
	    'smtp-policy.mx' => "frz.example freeze +\n",
	    'localnames' => "example.org\n");
	my $fconf = write_conf($fpo, $fpol . "* 999 ve\n");
	my $o = run_i(conf => $fconf, po => $fpo, args => ['-T', '[192.0.2.1]'],
	    input => lines('EHLO c.example', 'MAIL FROM:<a@sender.example>',
		'RCPT TO:<u@frz.example>', 'RCPT TO:<victim@foreign.example>',
		'DATA', 'x', '.', 'QUIT'));
	like($o, qr/^250 2\.1\.5 .*\r\n550 5\.7\.1 /m,
	    'freeze + recipient accepted, the foreign one after it refused');
	like($o, qr/^250 2\.0\.0 /m, 'message accepted');
	my @fz = glob("$fpo/freezer/*");
	is(scalar @fz, 1, 'into the freezer');
	is(scalar(spool_files($fpo)), 0, 'not into router/');
}

# 11. allowsourceroute keeps the route, so its first hop is judged too
{
	my $rconf = write_conf(postoffice(), $pol . "PARAM allowsourceroute\n* 999 ve\n");
	my $o = run_i(conf => $rconf, po => $po, args => ['-T', '[192.0.2.1]'],
	    input => lines('EHLO c.example', 'MAIL FROM:<a@sender.example>',
		'RCPT TO:<@foreign.example:user@example.org>',
		'RCPT TO:<@example.org:user@example.org>', 'QUIT'));
	like($o, qr/^550 5\.7\.1 .*\r\n250 2\.1\.5 /m,
	    'route via a foreign first hop refused; via our own accepted');
}

# 12. the client's reverse name, from the same nameserver as the policy's
# DNS checks: forward-confirmed, not confirmed, not a host name
for my $c (['192.0.2.10', 'named.sender.example', 'OK-OK'],
    ['192.0.2.11', 'liar.sender.example', 'OK-FAIL'],
    ['192.0.2.12', '[192.0.2.12]', 'FAIL-FAIL']) {
	my ($ip, $name, $flags) = @$c;
	my $o = as_client($ip, 'MAIL FROM:<a@sender.example>',
	    'RCPT TO:<user@example.org>', 'DATA', 'x', '.');
	like($o, qr/^250 2\.0\.0 /m, "$ip: message accepted");
	my @sf = spool_files($po);
	like($sf[0] // '', qr/^rcvdfrom \Q$name\E \(\[\Q$ip\E\]:0 .* rhost-flags-$flags-/m,
	    "$ip: rcvdfrom $name, rhost-flags-$flags");
	unlink glob("$po/router/*");
}

# 13. over TCP from 127.0.0.2 (not trusted): relaying refused
my ($port, $pid) = inetd_listen(conf => $conf, po => $po);
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
    LocalAddr => '127.0.0.2', Timeout => 10) or die "connect: $!";
like(smtp_read($s), qr/^220 /, 'TCP from 127.0.0.2: greeting');
like(smtp_cmd($s, 'EHLO c.example'), qr/^250 /m, 'EHLO');
like(smtp_cmd($s, 'MAIL FROM:<a@sender.example>'), qr/^250 /, 'MAIL');
for my $rcpt (@foreign) {
	like(smtp_cmd($s, "RCPT TO:$rcpt"), qr/^5\d\d /m,
	    "TCP from 127.0.0.2: RCPT TO:$rcpt refused");
}
like(smtp_cmd($s, 'RCPT TO:<u@example.org>'), qr/^250 /, 'local domain accepted');
like(smtp_cmd($s, 'QUIT'), qr/^221 /, 'QUIT');
close $s;
waitpid($pid, 0);

done_testing();
