#!/usr/bin/perl
# The recipient table under the running daemon: known and unknown
# recipients of a local domain, a table rebuilt by policy-builder while a
# session is open (its next RCPT sees the new table: no reload), many
# rebuilds during RCPTs from another session (never a torn read: every
# answer is 250 or 550, none 451), then the table removed (451 4.3.0).
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use SmtpTest;

my $d = SmtpTest->new(conf => []);
my $db = "$d->{po}/db";
sub table {
	my ($text) = @_;
	open my $fh, '>', "$db/recipients" or die "$db/recipients: $!";
	print $fh $text;
	close $fh;
	system(SmtpTest::build() . '/policy-builder', '-d', $db) == 0
	    or die 'policy-builder failed';
}
table("joe\@example.org\n");
$d->write_conf("PARAM recipientdb gdbm $db/recipients",
    'PARAM BindAddress [127.0.0.1]', 'PARAM min-idle-workers 2',
    'PARAM max-idle-workers 4');
$d->start(idle => 2);

sub session {
	my $s = $d->connect or die "connect: $!";
	SmtpTest::reply($s);
	SmtpTest::cmd($s, 'EHLO c.example');
	SmtpTest::cmd($s, 'MAIL FROM:<a@example.org>');
	return $s;
}
sub rcpt { SmtpTest::cmd($_[0], "RCPT TO:<$_[1]>") // '' }

my $s = session();
like(rcpt($s, 'joe@example.org'), qr/^250 2\.1\.5 /, 'known recipient');
like(rcpt($s, 'Joe@EXAMPLE.org'), qr/^250 2\.1\.5 /, 'known, other case');
like(rcpt($s, 'bob@example.org'),
    qr/^550 5\.1\.1 <bob\@example\.org>: Recipient address rejected: User unknown\r?$/,
    'unknown recipient: 550 5.1.1');
table("joe\@example.org\nbob\@example.org\n");
like(rcpt($s, 'bob@example.org'), qr/^250 2\.1\.5 /,
    'rebuilt while the session is open: the next RCPT sees bob');

# rebuilds during RCPTs from another session: old or new, never torn
my $t = session();
my %seen;
for my $i (1 .. 30) {
	table($i % 2 ? "joe\@example.org\n" : "bob\@example.org\n");
	for my $who ('joe', 'bob') {
		my $r = rcpt($t, "$who\@example.org");
		$seen{substr($r, 0, 3)}++;
		SmtpTest::cmd($t, 'RSET') if $i % 10 == 0;
		SmtpTest::cmd($t, 'MAIL FROM:<a@example.org>') if $i % 10 == 0;
	}
}
is(join(',', sort keys %seen), '250,550',
    'during rebuilds every RCPT got 250 or 550') or diag(explain(\%seen));

unlink "$db/recipients.gdbm" or die $!;
like(rcpt($s, 'bob@example.org'), qr/^451 4\.3\.0 /,
    'table removed: 451 4.3.0, not accepted');
like(rcpt($s, 'postmaster@example.org'), qr/^250 2\.1\.5 /,
    'postmaster still accepted');
SmtpTest::cmd($_, 'QUIT') for $s, $t;
$d->stop;
like($d->log_text, qr/recipient table unavailable: recipientdb \S+recipients\.gdbm: /,
    'the missing table is logged');
like($d->log_text, qr/reject: RCPT from \S+: 550 5\.1\.1 Recipient address rejected: User unknown; from=<a\@example\.org> to=<bob\@example\.org>/,
    'the 550 has its reject line');
done_testing();
