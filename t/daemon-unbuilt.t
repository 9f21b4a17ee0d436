#!/usr/bin/perl
# Keywords that are parsed but not implemented: the daemon logs one
# warning for each at start, and again after a SIGHUP reload for the
# new configuration; a keyword left at its default is not named.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use SmtpTest qw(wait_until);

my @base = ('PARAM BindAddress [127.0.0.1]', 'PARAM contentfilter-maxpar 2');
my $d = SmtpTest->new(conf => [@base, 'PARAM DEBUGcmd', 'PARAM DEBUGcmd',
	'* 999 veD']);
$d->start;
my $re = qr/PARAM DEBUGcmd: parsed but not implemented/;
my @at_start = ($d->log_text =~ /$re/g);
is(scalar(@at_start), 1, 'start: one warning for DEBUGcmd (given twice)');
like($d->log_text, qr/HELO-pattern style flag D \(line \d+\): parsed but not implemented/,
    'and one for the HELO-pattern flag D');
unlike($d->log_text, qr/contentfilter-maxpar/,
    'none for a keyword at its default');

$d->write_conf(@base, 'PARAM newgroup other', 'PARAM outlook-tls-bug');
kill('HUP', $d->{pid});
ok(wait_until(sub {
	$d->log_text =~ /PARAM outlook-tls-bug: parsed but not implemented/ }),
    'SIGHUP: the reloaded configuration is warned about');
my @after = ($d->log_text =~ /$re/g);
is(scalar(@after), 1, 'DEBUGcmd, gone from the file, is not named again');
is($d->status->{config}{generation}, 2, 'the reload took effect');
my $s = $d->connect;
like(SmtpTest::reply($s), qr/^220 /, 'and the daemon serves');
close($s);
is($d->stop, 0, 'stops cleanly');
done_testing();
