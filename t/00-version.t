#!/usr/bin/perl
# The program runs and -V prints its version.
use strict; use warnings;
use Test::More;
my $bin = "$ENV{SMTPSERVER_BUILD}/smtpserver";
my $out = `$bin -V`;
is($? >> 8, 0, '-V exits 0');
like($out, qr/^smtpserver \d+\.\d+/, '-V prints the version');
done_testing();
