#!/usr/bin/perl
# code-check-skips.t - the checker `make check` ends with: fake test files run
# by a real prove (its TAP kept through PERL_TEST_HARNESS_DUMP_TAP, as
# make check does) must fail the checker when they skip wholly and are not
# listed in the allowed list, and pass it when they are, with a reason.
use strict;
use warnings;
use File::Temp qw(tempdir);
use FindBin;
use Test::More;

my $checker = "$FindBin::Bin/check-skips";
my $dir = tempdir('check-skips-XXXXXX', TMPDIR => 1, CLEANUP => 1);
mkdir("$dir/$_") for qw(t t/unit bld bld/t bld/t/unit);

sub put {
	my ($path, $text, $mode) = @_;
	open(my $fh, '>', "$dir/$path") or die "$path: $!";
	print $fh $text;
	close($fh);
	chmod($mode // 0644, "$dir/$path");
}

put('t/fine.t', "print qq(1..2\\nok 1\\nok 2 # skip one only\\n);\n");
put('t/skipall.t', "print qq(1..0 # SKIP pretend the host lacks it\\n);\n");
put('t/allskips.t',
    "print qq(1..2\\nok 1 # skip nope\\nok 2 # SKIP nope\\n);\n");
# a C unit test lives in BUILD/t/unit/NAME and is listed as t/unit/NAME
put('t/unit/cunit.c', "/* the source */\n");
put('bld/t/unit/cunit', "#!/bin/sh\necho '1..0 # SKIP run elsewhere'\n",
    0755);

# Run prove on the fakes as make check does; our own spool must not leak.
delete local $ENV{PERL_TEST_HARNESS_DUMP_TAP};
my $spool = "$dir/tap";
my $out = `cd $dir && PERL_TEST_HARNESS_DUMP_TAP=$spool prove t/fine.t \\
    t/skipall.t t/allskips.t bld/t/unit/cunit 2>&1`;
is($?, 0, 'prove runs the fake tests') or diag($out);
ok(-f "$spool/t/skipall.t" && -f "$spool/bld/t/unit/cunit",
    'prove kept their TAP');

sub check {
	my ($list, @args) = @_;
	put('allowed', $list);
	my $o = `$checker -s $dir -a $dir/allowed @args 2>&1`;
	return ($? >> 8, $o);
}

my ($rc, $o) = check("# nothing is allowed\n", $spool, 'bld');
is($rc, 1, 'unlisted skips fail the check');
like($o, qr{t/skipall\.t skipped wholly \(pretend the host lacks it\)},
    'the 1..0 # SKIP file is named with its reason');
like($o, qr{t/allskips\.t skipped wholly \(all 2 tests skipped}, 'so is a '
    . 'file whose every test skipped');
like($o, qr{t/unit/cunit skipped wholly}, 'and the C unit test');
unlike($o, qr{fine\.t}, 'a file with one skip among passes is not');

my $all = "t/skipall.t  the host may lack it\nt/allskips.t  ditto\n"
    . "t/unit/cunit  run by another test\n";
($rc, $o) = check($all, $spool, 'bld');
is($rc, 0, 'listed skips pass') or diag($o);
like($o, qr{t/skipall\.t skipped .*allowed: the host may lack it},
    'an allowed skip is still reported');

($rc, $o) = check($all, $spool);
is($rc, 1, 'without the build prefix the unit test is not the listed one');

($rc, $o) = check("t/skipall.t\nt/allskips.t  ditto\nt/unit/cunit  x\n",
    $spool, 'bld');
is($rc, 1, 'an entry without a reason fails');
like($o, qr{'t/skipall\.t' has no reason}, 'and says so');

($rc, $o) = check("$all" . "t/gone.t  was renamed\n", $spool, 'bld');
is($rc, 1, 'an entry naming no test file fails');
like($o, qr{no test file 't/gone\.t'}, 'and says so');

mkdir("$dir/empty");
($rc, $o) = check($all, "$dir/empty", 'bld');
is($rc, 1, 'no TAP at all fails (prove did not spool)');
($rc, $o) = check($all, "$dir/missing", 'bld');
isnt($rc, 0, 'a missing spool directory fails');

done_testing();
