#!/usr/bin/perl
# policy-builder.t - run the real policy-builder on a copy of conf/db and
# read the GDBM database back key by key with Perl's GDBM_File, checking
# every key and value byte against ZMailer's format (policy-builder(8)); then the
# command line: -f, source errors as file:line with the old database kept,
# usage errors.
use strict;
use warnings;
use File::Temp qw(tempdir);
use File::Copy qw(copy);
use Socket qw(AF_INET6 inet_pton);
use Test::More;

my $build = $ENV{SMTPSERVER_BUILD} || 'build';
my $pb = "$build/policy-builder";
plan skip_all => "$pb not built" unless -x $pb;
plan skip_all => 'GDBM_File missing' unless eval { require GDBM_File; 1 };

my $dir = tempdir('policy-builder-XXXXXX', TMPDIR => 1, CLEANUP => 1);
for my $f (qw(smtp-policy.src localnames smtp-policy.relay smtp-policy.mx
    smtp-policy.spam)) {
	copy("conf/db/$f", "$dir/$f") or die "conf/db/$f: $!";
}

sub run {
	my (@args) = @_;
	my $pid = open(my $fh, '-|');
	die "fork: $!" unless defined $pid;
	if ($pid == 0) {
		open(STDERR, '>&', \*STDOUT);
		exec($pb, @args) or exit 127;
	}
	local $/;
	my $out = <$fh> // '';
	close $fh;
	return ($? >> 8, $out);
}

my ($rc, $out) = run('-d', $dir);
is($rc, 0, 'policy-builder -d builds conf/db') or diag $out;
ok(-f "$dir/smtp-policy.gdbm", 'smtp-policy.gdbm written');
ok(!-e "$dir/smtp-policy-new.gdbm", 'no -new file left');

# ZMailer's encoding, independently of the C code.
sub kstr { my ($t, $s) = @_; pack('CC', length($s) + 3, $t) . $s . "\0" }
sub kdom { kstr(4, $_[0]) }
sub ktag { kstr(3, $_[0]) }
sub kuser { kstr(5, $_[0]) }
sub kip4 { my ($a, $w) = @_; pack('CCC4C', 7, 1, split(/\./, $a), $w) }
sub kip6 { pack('CC', 19, 2) . inet_pton(AF_INET6, $_[0]) . pack('C', $_[1]) }
# ours, not ZMailer's: the prefix widths of the address keys, a bit each
# (IPv4 0..32 in 5 bytes, then IPv6 0..128 in 17)
sub widths {
	my ($v4, $v6) = @_;
	my $bits = "\0" x 22;
	vec($bits, $_, 1) = 1 for @$v4;
	vec($bits, 40 + $_, 1) = 1 for @$v6;
	return $bits;
}
my %code = ('=' => 1, rejectnet => 2, rejectsource => 4, relaycustomer => 6,
    relaycustnet => 7, relaytarget => 8, acceptifmx => 9,
    senderokwithdns => 11, message => 15, localdomain => 16);
sub val {
	my $v = '';
	while (@_) {
		my ($a, $s) = splice(@_, 0, 2);
		$v .= pack('CC', length($s) + 3, $code{$a}) . $s . "\0";
	}
	return $v;
}

my @bulk = (message => 'Your address is not a welcome source of email',
    rejectsource => '+',
    message => 'Your IP address is not a welcome source of email',
    rejectnet => '+', message => 'This is not an accepted relay target',
    relaytarget => '-');
my @private = (message => 'We do not accept connections from your network',
    rejectnet => '+',
    message => 'We do not accept email from this source address',
    rejectsource => '+', relaycustomer => '-', relaytarget => '-');
my @default = (relaycustomer => '-', acceptifmx => '-',
    senderokwithdns => '-');
my %want = (
	kdom('.') => val('=' => '_default_dot'),
	kip4('0.0.0.0', 0) => val('=' => '_default_ipaddr'),
	ktag('_default_dot') => val(@default, '=' => '_rbl1'),
	ktag('_default_ipaddr') => val(@default, '=' => '_rbl0'),
	ktag('_full_rights') => val(rejectnet => '-', relaycustnet => '+',
	    relaytarget => '+', '=' => '_rbl1'),
	ktag('_localnames') => val(rejectnet => '-', relaycustnet => '-',
	    localdomain => '+', relaytarget => '+', '=' => '_rbl1'),
	ktag('_relaytarget') => val(relaytarget => '+', '=' => '_rbl1'),
	ktag('_bulk_mail') => val(@bulk),
	ktag('_private_address') => val(@private),
	kdom('localhost') => val('=' => '_localnames'),
	kdom('example.org') => val('=' => '_localnames'),
	kdom('mail.example.org') => val('=' => '_localnames'),
	kip4('127.0.0.0', 8) => val('=' => '_full_rights'),
	kip6('::1', 128) => val('=' => '_full_rights'),
	kdom('example.com') => val('=' => '_relaytarget'),
	kdom('.example.com') => val('=' => '_relaytarget'),
	kuser('postmaster@example.net') => val(relaytarget => '+',
	    '=' => '_relaytarget'),
	kdom('spammer.example') => val('=' => '_bulk_mail'),
	kip4('198.51.100.0', 24) => val(rejectnet => '+'),
	kstr(6, 'ipwidths') => widths([ 0, 8, 24 ], [128]),
);

my %db;
tie(%db, 'GDBM_File', "$dir/smtp-policy.gdbm", &GDBM_File::GDBM_READER,
    0644) or die "tie: $!";
my %got = %db;
untie %db;
sub show { join ' ', map { sprintf '%02x', ord } split //, $_[0] }
for my $k (sort keys %want) {
	ok(exists $got{$k}, 'key ' . show($k)) or next;
	is(show($got{$k}), show($want{$k}), '  value of ' . show($k));
}
is(scalar(keys %got), scalar(keys %want), 'no other keys')
    or diag join "\n", map { show($_) } grep { !exists $want{$_} } keys %got;

# -f names the output.
($rc, $out) = run('-d', $dir, '-f', 'other');
is($rc, 0, '-f other');
ok(-f "$dir/other.gdbm", 'other.gdbm written');

is($out, '', 'the shipped sources draw no warning');

# Attributes that are parsed but not implemented: a warning with file:line,
# once each, none for the value "-"; the database is still built.
my $wdir = tempdir('policy-builder-XXXXXX', TMPDIR => 1, CLEANUP => 1);
open(my $wf, '>', "$wdir/smtp-policy.src") or die;
print $wf "a.example relaycustomer - spf + trust-whoson +\n",
    "b.example spf + maxoutsize 1000 filtering +\n";
close $wf;
($rc, $out) = run('-d', $wdir);
is($rc, 0, 'attributes not implemented: still built, exit 0');
like($out, qr{/smtp-policy\.src:1: warning: attribute 'spf' is parsed but not implemented},
    'spf named with file:line');
unlike($out, qr{'trust-whoson'}, 'trust-whoson is built: no warning');
like($out, qr{:2: warning: attribute 'maxoutsize' is parsed but not implemented},
    'maxoutsize too');
like($out, qr{:2: warning: attribute 'filtering' is parsed but not implemented},
    'filtering too');
is(scalar(() = $out =~ /'spf'/g), 1, 'each attribute once');
unlike($out, qr/relaycustomer/, 'not an attribute set to "-"');

# A source error: file:line on stderr, exit 1, old database untouched.
my $before = -s "$dir/smtp-policy.gdbm";
open(my $fh, '>>', "$dir/smtp-policy.mx") or die;
print $fh "good.example\nbad.example bogus-attribute +\n";
close $fh;
my $n = do { open(my $f, '<', "$dir/smtp-policy.mx") or die; my @l = <$f>;
    scalar @l };
($rc, $out) = run('-d', $dir);
is($rc, 1, 'source error: exit 1');
like($out, qr{/smtp-policy\.mx:$n: unknown attribute 'bogus-attribute'},
    'error names file:line');
is(-s "$dir/smtp-policy.gdbm", $before, 'old database kept');
ok(!-e "$dir/smtp-policy-new.gdbm", 'no -new file left');

($rc, $out) = run('-x');
is($rc, 64, 'bad option: usage, exit 64');
($rc, $out) = run('-d', "$dir/nonexistent");
is($rc, 1, 'missing directory: exit 1');

done_testing();
