#!/usr/bin/perl
# The command line and the configuration check (-K), the transcript log
# (-l), and the standalone Received: mode.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use SmtpPipe;

my $po = postoffice();

sub run_cmd {
	my @cmd = @_;
	my $pid = open(my $fh, '-|') // die;
	if ($pid == 0) {
		open STDERR, '>&', \*STDOUT;
		exec { $cmd[0] } @cmd or die;
	}
	local $/;
	my $out = <$fh> // '';
	close $fh;
	return ($out, $? >> 8);
}

my ($out, $rc) = run_cmd($BIN, '-V');
is($rc, 0, '-V exits 0');
like($out, qr/^smtpserver \d+\.\d+\.\d+$/m, '-V prints the version');

($out, $rc) = run_cmd($BIN, '-Q');
is($rc, 1, 'bad option exits 1');
like($out, qr/^usage: /m, 'bad option prints usage');
($out, $rc) = run_cmd($BIN, '-i', 'extra');
is($rc, 1, 'extra argument exits 1');
($out, $rc) = run_cmd($BIN, '-i', '-T', '1.2.3.4', '-Z', '/dev/null');
is($rc, 1, '-T without brackets is a usage error');
like($out, qr/address literal/, 'and says why');

# -K: configuration check
my $good = write_conf($po, policy_db($po)
    . "PARAM maxsize 1000\nPARAM NoSuchThing 1\n* 999 ve\n");
($out, $rc) = run_cmd($BIN, '-K', '-C', $good, '-Z', '/dev/null');
is($rc, 0, '-K on a good config exits 0');
like($out, qr/smtpserver\.conf:\d+: .*NoSuchThing/, 'unknown PARAM is a warning with file:line');
like($out, qr/configuration OK/, 'and the config is OK');
($out, $rc) = run_cmd($BIN, '-K', '-d', '1', '-C', $good, '-Z', '/dev/null');
like($out, qr/^maxsize\s*=?\s*1000$/mi, '-K -d 1 dumps the effective values');
my $bad = write_conf(postoffice(), "PARAM maxsize 1000\nPARAM maxsize lots\n");
($out, $rc) = run_cmd($BIN, '-K', '-C', $bad, '-Z', '/dev/null');
is($rc, 1, '-K on a bad config exits 1');
like($out, qr/smtpserver\.conf:2: /, 'error names file:line');

unlike($out, qr/not implemented/, 'a clean config names nothing not implemented');

# -K: what is parsed but not implemented is listed, and the exit is 2;
# what is left at its default or turned off is not
my $po2 = postoffice();
my $unb = write_conf($po2, policy_db($po2)
    . "PARAM contentfilter-maxpar 2\nPARAM no-DEBUGcmd\n"
    . "PARAM outlook-tls-bug\nPARAM newgroup other\n"
    . "PARAM smtp-auth-sasl\n* 999 veDR\n");
($out, $rc) = run_cmd($BIN, '-K', '-C', $unb, '-Z', '/dev/null');
is($rc, 2, '-K with keywords that are not implemented exits 2');
like($out, qr/^smtpserver: warning: \S+smtpserver\.conf: PARAM outlook-tls-bug: parsed but not implemented/m,
    'names outlook-tls-bug with the file');
like($out, qr/PARAM smtp-auth-sasl: parsed but not implemented/,
    'and smtp-auth-sasl, set in a group');
like($out, qr/HELO-pattern style flag D \(line \d+\): parsed but not implemented/,
    'and the HELO-pattern flag D');
unlike($out, qr/contentfilter-maxpar|DEBUGcmd/,
    'not a keyword at its default or turned off');
like($out, qr/configuration usable, but 3 keywords are not implemented/,
    'and counts them');
($out, $rc) = run_cmd($BIN, '-K', '-8', '-s', 'veD',
    '-C', $good, '-Z', '/dev/null');
is($rc, 2, '-K with options that are not implemented exits 2');
like($out, qr/option -8: parsed but not implemented/, 'names -8');
unlike($out, qr/option -R/, '-R (the router) is built');
like($out, qr/option -s style flag D: parsed but not implemented/,
    'and the style flag D of -s');

my $nodb = write_conf(postoffice(), "* 999 ve\n");
($out, $rc) = run_cmd($BIN, '-K', '-C', $nodb, '-Z', '/dev/null');
is($rc, 1, '-K without a policy database exits 1');
like($out, qr/no policy database configured/, 'and says why');
my $missing = write_conf(postoffice(),
    "PARAM policydb gdbm /nonexistent/smtp-policy\n* 999 ve\n");
($out, $rc) = run_cmd($BIN, '-K', '-C', $missing, '-Z', '/dev/null');
is($rc, 1, '-K with an unopenable policy database exits 1');

# $-expansion from the ZENV file given with -Z
my $zenv = "$po/zmailer.conf";
open my $z, '>', $zenv or die;
print $z "BANNER=from-zenv\n";
close $z;
my $cz = write_conf(postoffice(), "PARAM hdr220 %H \$BANNER raw\nPARAM contact-pointer-message \$BANNER\n* 999 ve\n");
($out) = run_cmd('sh', '-c', "printf 'QUIT\\r\\n' | $BIN -i -C $cz -P $po -Z $zenv");
like($out, qr/^220 \S+ \$BANNER raw\r$/m, 'hdr220 is raw text, not expanded');

# transcript log (-l file)
my $log = "$po/transcript.log";
my $conf = write_conf(postoffice(), "* 999 ve\n");
run_i(conf => $conf, po => $po, input => "EHLO a.example\r\nQUIT\r\n",
    args => ['-l', $log]);
open my $lf, '<', $log or die "no transcript: $!";
my $t = do { local $/; <$lf> };
like($t, qr/^\S{7}\d{4}r\tEHLO a\.example$/m, 'client line logged with r');
like($t, qr/^\S{7}\d{4}w\t221 /m, 'server line logged with w');

# standalone mode: Received: prepended to the body
my $rc_conf = write_conf(postoffice(), "PARAM received-header\n* 999 ve\n");
run_i(conf => $rc_conf, po => $po, input => "EHLO client.example\r\n"
    . "MAIL FROM:<a\@b.example>\r\nRCPT TO:<c\@d.example>\r\nDATA\r\n"
    . "Subject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n");
my @f = spool_files($po);
like($f[0] // '', qr/\nenv-end\nReceived: from client\.example .*\n\tby \S+ with ESMTP id S[\w=-]+\n\tfor <c\@d\.example>; .*\nSubject: x\n/,
    'Received: header in standalone mode');
unlink glob("$po/router/*");

# min-availspace larger than the disk: 452 at MAIL
my $full = write_conf(postoffice(), "PARAM min-availspace 2000000000\n* 999 ve\n");
$out = run_i(conf => $full, po => $po, input => "EHLO a.example\r\n"
    . "MAIL FROM:<a\@b.example>\r\nQUIT\r\n");
like($out, qr/^452 4\.3\.1 Try again later, insufficient storage/m,
    'min-availspace refuses MAIL with 452');

done_testing();
