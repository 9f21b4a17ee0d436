#!/usr/bin/perl
# The recipient table (PARAM recipientdb) through the real program, one
# -T session at a time: known, unknown (550 5.1.1), catch-all, bare local
# part, case, postmaster, a domain that is not local (not judged), a
# rebuilt table seen by the next session, and a missing or unreadable
# table (451 4.3.0, never accepted).
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use SmtpPipe;
use TestDNS;

my $dns = TestDNS::start(A => { 'mx.sender.example' => '198.51.100.200',
	'mx.foreign.example' => '198.51.100.201' },
    MX => { 'sender.example' => 'mx.sender.example',
	'foreign.example' => 'mx.foreign.example' });
my $po = postoffice();
my $table = "# valid mailboxes\n  joe\@example.org  \nAnn\@Mail.Example.ORG\n"
    . "\@catchall.example\nshared\n";
my $pol = policy_db($po, dns_port => $dns,
    'smtp-policy.relay' => "[198.51.100.0]/24 fulltrustnet +\n",
    'localnames' => "example.org\nmail.example.org\ncatchall.example\n",
    'recipients' => $table);
my $conf = write_conf($po,
    $pol . "PARAM recipientdb gdbm $po/db/recipients\n* 999 ve\n");

sub rcpt {
	my ($ip, $to) = @_;
	my $out = run_i(conf => $conf, po => $po, args => ['-T', "[$ip]"],
	    input => "EHLO client.example\r\nMAIL FROM:<a\@sender.example>\r\n"
		. "RCPT TO:<$to>\r\nQUIT\r\n");
	my ($r) = $out =~ /^(\d{3} .*)\r\n221 /m;
	return $r // $out;
}

my @known = ('joe@example.org', 'JOE@Example.ORG', 'ann@mail.example.org',
    'anyone@catchall.example', 'shared@example.org',
    'shared@mail.example.org', 'postmaster@example.org',
    'PostMaster@mail.example.org', '"joe"@example.org');
for my $to (@known) {
	like(rcpt('192.0.2.1', $to), qr/^250 2\.1\.5 /, "known: <$to>");
}
for my $to ('bob@example.org', 'ann@example.org', 'joe@mail.example.org',
    '"joe@example.org"@mail.example.org') {
	is(rcpt('192.0.2.1', $to),
	    "550 5.1.1 <$to>: Recipient address rejected: User unknown",
	    "unknown: <$to>");
}
like(rcpt('198.51.100.7', 'bob@example.org'), qr/^550 5\.1\.1 /,
    'a trusted client gets the same answer for a local domain');
like(rcpt('198.51.100.7', 'bob@foreign.example'), qr/^250 2\.1\.5 /,
    'a domain that is not local is not judged by the table');

# rebuilt: the next session sees the new table (no reload of anything)
open my $fh, '>', "$po/db/recipients" or die $!;
print $fh "bob\@example.org\n";
close $fh;
system('build/policy-builder', '-d', "$po/db") == 0 or die 'policy-builder';
like(rcpt('192.0.2.1', 'bob@example.org'), qr/^250 2\.1\.5 /,
    'rebuilt table: new mailbox known');
like(rcpt('192.0.2.1', 'joe@example.org'), qr/^550 5\.1\.1 /,
    'rebuilt table: removed mailbox unknown');

# unreadable (not a GDBM file), then missing: 451, never 250
rename "$po/db/recipients.gdbm", "$po/db/recipients.good" or die $!;
open $fh, '>', "$po/db/recipients.gdbm" or die $!;
print $fh "this is not a database\n" x 100;
close $fh;
is(rcpt('192.0.2.1', 'bob@example.org'),
    '451 4.3.0 <bob@example.org>: Recipient address rejected: recipient '
    . 'table unavailable, try again later', 'unreadable table: 451 4.3.0');
unlink "$po/db/recipients.gdbm";
like(rcpt('192.0.2.1', 'bob@example.org'), qr/^451 4\.3\.0 /,
    'missing table: 451 4.3.0');
like(rcpt('192.0.2.1', 'postmaster@example.org'), qr/^250 2\.1\.5 /,
    'missing table: postmaster still accepted');
like(rcpt('198.51.100.7', 'bob@foreign.example'), qr/^250 2\.1\.5 /,
    'missing table: a domain that is not local is not affected');

done_testing();
