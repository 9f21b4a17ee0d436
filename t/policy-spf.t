#!/usr/bin/perl
# policy-spf.t - SPF with libspf2 (the spf-* PARAMs) through the real
# program in -i -T sessions, against the DNS test server: pass, fail,
# softfail, neutral, none, permerror and temperror (a SERVFAIL zone, and
# a DNS server that is down) with spf-threshold, the HELO identity for
# the null sender, spf-stage rcpt, and the Received-SPF: header in the
# spool file.  Nothing but 127.0.0.1 is contacted.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use SmtpPipe;

unless (eval { require Net::DNS::Nameserver; 1 }) {
	plan skip_all => 'Net::DNS::Nameserver missing (libnet-dns-perl)';
}
require TestDNS;

my $dns = TestDNS::start(
    TXT => {
	'spf-pass.test'    => 'v=spf1 ip4:192.0.2.10 -all',
	'spf-fail.test'    => 'v=spf1 -all',
	'spf-soft.test'    => 'v=spf1 ~all',
	'spf-neutral.test' => 'v=spf1 ?all',
	'spf-perm.test'    => 'v=spf1 ip4:192.0.2.10 bogus:x -all',
	'spf-mx.test'      => 'v=spf1 mx -all',
	'spf-helo.test'    => 'v=spf1 a -all',
    },
    A => {
	(map { ("spf-$_.test" => '192.0.2.250') } qw(pass fail soft neutral perm)),
	'spf-none.test' => '192.0.2.99',
	'mx.spf-mx.test' => '192.0.2.10',
	'spf-helo.test' => '192.0.2.10',
    },
    MX => { 'spf-mx.test' => 'mx.spf-mx.test' });

my @bad_rc; # sessions that did not end well (a sanitizer's report)
my $po = postoffice();
my $pol = policy_db($po, dns_port => $dns);

sub conf_with {
	my (@params) = @_;
	return write_conf($po, $pol . join('', map { "PARAM $_\n" } @params)
	    . "* 999 ve\n");
}

sub session {
	my ($conf, $from, %o) = @_;
	my @cmds = ('EHLO ' . ($o{helo} // 'client.example'),
	    "MAIL FROM:<$from>", 'RCPT TO:<user@localhost>');
	push @cmds, 'DATA', 'Subject: spf', '', 'body', '.' if $o{data};
	my $in = join('', map { "$_\r\n" } @cmds, 'QUIT');
	my ($out, $rc) = run_i(conf => $conf, po => $po,
	    args => ['-T', '[' . ($o{ip} // '192.0.2.10') . ']'], input => $in);
	push @bad_rc, "$from: $rc" if $rc != 0;
	return $out;
}

# the reply to command n (0 = greeting) of a session's output
sub nth {
	my ($out, $n) = @_;
	my @r = $out =~ /^(\d{3} [^\r\n]*)\r?\n/mg;
	return $r[$n] // '';
}

sub spooled {
	my @f = spool_files($po);
	unlink(glob("$po/router/*"));
	return $f[0] // '';
}

# 1. threshold fail: only fail is refused, at MAIL
my $c = conf_with('spf-threshold fail', 'spf-received');
my $out = session($c, 'a@spf-pass.test', data => 1);
like(nth($out, 2), qr/^250 /, 'pass: MAIL accepted');
like($out, qr/^250 2\.0\.0 Message accepted/m, 'pass: message accepted');
my $f = spooled();
like($f, qr/^Received-SPF: pass \(.*\) client-ip=192\.0\.2\.10; envelope-from=.?a\@spf-pass\.test.?; helo=client\.example;/m,
    'pass: Received-SPF: header in the spool file');
like($f, qr/^Received-SPF: [^\n]*\n(?:\t[^\n]*\n)*Subject: spf\n/m,
    'the header comes before the message headers');

$out = session($c, 'a@spf-fail.test');
like(nth($out, 2), qr/^550 5\.7\.23 SPF fail: \[192\.0\.2\.10\] is not allowed to send mail for spf-fail\.test/,
    'fail: 550 5.7.23 at MAIL');
like(nth($out, 3), qr/^5\d\d /, 'fail: RCPT refused after it');

$out = session($c, 'a@spf-soft.test', data => 1);
like(nth($out, 2), qr/^250 /, 'softfail under threshold fail: accepted');
like(spooled(), qr/^Received-SPF: softfail /m, 'softfail: header says so');

$out = session($c, 'a@spf-neutral.test', data => 1);
like(nth($out, 2), qr/^250 /, 'neutral under threshold fail: accepted');
like(spooled(), qr/^Received-SPF: neutral /m, 'neutral: header says so');

$out = session($c, 'a@spf-none.test', data => 1);
like(nth($out, 2), qr/^250 /, 'none: accepted');
like(spooled(), qr/^Received-SPF: none /m, 'none: header says so');

$out = session($c, 'a@spf-mx.test', data => 1);
like(nth($out, 2), qr/^250 /, 'mx mechanism: pass');
like(spooled(), qr/^Received-SPF: pass /m, 'mx mechanism: header pass');

$out = session($c, 'a@spf-perm.test', data => 1);
like(nth($out, 2), qr/^250 /, 'permerror under threshold fail: accepted');
like(spooled(), qr/^Received-SPF: permerror /m, 'permerror: header says so');


# 2. threshold softfail and neutral and none
$c = conf_with('spf-threshold softfail');
like(nth(session($c, 'a@spf-soft.test'), 2), qr/^550 5\.7\.23 SPF softfail/,
    'threshold softfail: softfail refused');
like(nth(session($c, 'a@spf-neutral.test'), 2), qr/^250 /,
    'threshold softfail: neutral accepted');
$c = conf_with('spf-threshold neutral');
like(nth(session($c, 'a@spf-neutral.test'), 2), qr/^550 5\.7\.23 SPF neutral/,
    'threshold neutral: neutral refused');
like(nth(session($c, 'a@spf-none.test'), 2), qr/^550 5\.7\.23 SPF none/,
    'threshold neutral: none refused');
like(nth(session($c, 'a@spf-perm.test'), 2), qr/^550 5\.7\.24 SPF permerror/,
    'threshold neutral: permerror refused with 5.7.24');
like(nth(session($c, 'a@spf-pass.test'), 2), qr/^250 /,
    'threshold neutral: pass accepted');
$c = conf_with('spf-threshold pass');
like(nth(session($c, 'a@spf-pass.test', ip => '192.0.2.11'), 2),
    qr/^550 5\.7\.23 SPF fail/, 'threshold pass: a fail from another address');

# 3. the HELO identity for the null sender
$c = conf_with('spf-threshold fail', 'spf-received');
$out = session($c, '', helo => 'spf-helo.test', data => 1);
like(nth($out, 2), qr/^250 /, 'null sender, HELO passes: accepted');
like(spooled(), qr/^Received-SPF: pass .*helo=spf-helo\.test/m,
    'null sender: HELO identity checked');
like(nth(session($c, '', helo => 'spf-fail.test'), 2),
    qr/^550 5\.7\.23 SPF fail.*spf-fail\.test/, 'null sender, HELO fails: 550');

# 4. spf-stage rcpt: MAIL is accepted, every RCPT refused
$c = conf_with('spf-threshold fail', 'spf-stage rcpt');
$out = session($c, 'a@spf-fail.test');
like(nth($out, 2), qr/^250 /, 'stage rcpt: MAIL accepted');
like(nth($out, 3), qr/^550 5\.7\.23 SPF fail/, 'stage rcpt: RCPT refused');

# 5. no threshold: never refused, only the header
$c = conf_with('spf-received');
$out = session($c, 'a@spf-fail.test', data => 1);
like($out, qr/^250 2\.0\.0 Message accepted/m, 'no threshold: fail accepted');
like(spooled(), qr/^Received-SPF: fail /m, 'no threshold: header says fail');

# 6. temperror: the sender's zone answers SERVFAIL, or the DNS server is
# down: 4xx, never accepted (the client is trusted by the policy, which
# would otherwise refuse first on the DNS error)
my $trusted = policy_db($po, dns_port => $dns,
    'smtp-policy.relay' => "[192.0.2.10]/32 fulltrustnet +\n");
$c = write_conf($po, $trusted . "PARAM spf-threshold fail\nPARAM spf-received\n"
    . "* 999 ve\n");
$out = session($c, 'a@x.fail.test');
like(nth($out, 2), qr/^451 4\.4\.3 SPF temperror/, 'temperror (SERVFAIL): 451 4.4.3');
$out = session($c, 'a@spf-pass.test', data => 1);
like(spooled(), qr/^Received-SPF: pass /m, 'a trusted client is checked too');
my $down = policy_db($po, dns_port => 9,
    'smtp-policy.relay' => "[192.0.2.10]/32 fulltrustnet +\n");
my $dc = write_conf($po, $down . "PARAM spf-threshold fail\n* 999 ve\n");
$out = session($dc, 'a@spf-pass.test');
like(nth($out, 2), qr/^451 4\.4\.3 SPF temperror/, 'DNS down: 451 4.4.3');

is(join(", ", @bad_rc), "", "every session ended with status 0");
done_testing();
