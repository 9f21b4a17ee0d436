#!/usr/bin/perl
# code-deps.t - the library folders depend only downward and have no
# cycle between files, read from the built objects with nm(1): a file of
# shared/ uses no symbol defined in policy/, spool/ or server/; policy/
# and spool/ use none of each other's or server/'s; and within shared/,
# policy/ and spool/ no two files use each other, directly or round a
# longer loop (as conf.c and conf_types.c, or policy.c and dnsbl.c, did).
# Not for: server/, one module that shares smtp.h on purpose.
use strict;
use warnings;
use FindBin;
use Test::More;

my $src = "$FindBin::Bin/..";
my $build = $ENV{SMTPSERVER_BUILD} // "$src/build";
my @folders = qw(shared policy spool server);
my %may = (    # folder => folders it may use besides itself
	shared => [],
	policy => ['shared'],
	spool => ['shared'],
	server => [qw(shared policy spool)],
);

# The objects of the sources that exist now (build/ may hold stale ones).
my (%folder_of, @objs);
for my $f (@folders) {
	for my $c (sort glob("$src/$f/*.c")) {
		(my $name = $c) =~ s{.*/(.*)\.c$}{$f/$1};
		push @objs, $name;
		$folder_of{$name} = $f;
	}
}

my (%def, %undef);
for my $o (@objs) {
	my $path = "$build/$o.o";
	ok(-f $path, "$o.o is built") or next;
	my @lines = `nm -P $path`;
	is($?, 0, "nm reads $o.o") or next;
	for (@lines) {
		my ($sym, $type) = split;
		next unless defined $type;
		if ($type eq 'U') {
			push @{ $undef{$o} }, $sym;
		} elsif ($type =~ /^[A-TV-Z]$/) {
			$def{$sym} = $o;
		}
	}
}

# file -> file -> symbols it uses there
my %uses;
for my $o (@objs) {
	for my $sym (@{ $undef{$o} || [] }) {
		my $d = $def{$sym};
		$uses{$o}{$d}{$sym} = 1 if defined $d && $d ne $o;
	}
}

sub syms { return join(' ', sort keys %{ $uses{ $_[0] }{ $_[1] } }) }

for my $o (grep { $folder_of{$_} ne 'server' } @objs) {
	my $f = $folder_of{$o};
	my %ok = map { $_ => 1 } $f, @{ $may{$f} };
	my @bad = grep { !$ok{ $folder_of{$_} } } sort keys %{ $uses{$o} };
	is("@bad", '', "$o uses nothing above or beside $f/")
	    or diag(map { "  $o -> $_: " . syms($o, $_) . "\n" } @bad);
}

# Cycles: the strongly connected components (Tarjan) of the library files.
my @lib = grep { $folder_of{$_} ne 'server' } @objs;
my ($n, %index, %low, @stack, %on, @cycles) = (0);
sub visit {
	my ($v) = @_;
	$index{$v} = $low{$v} = $n++;
	push @stack, $v;
	$on{$v} = 1;
	for my $w (sort keys %{ $uses{$v} || {} }) {
		next if $folder_of{$w} eq 'server';
		if (!defined $index{$w}) {
			visit($w);
			$low{$v} = $low{$w} if $low{$w} < $low{$v};
		} elsif ($on{$w} && $index{$w} < $low{$v}) {
			$low{$v} = $index{$w};
		}
	}
	return if $low{$v} != $index{$v};
	my @c;
	while (1) {
		my $w = pop @stack;
		$on{$w} = 0;
		push @c, $w;
		last if $w eq $v;
	}
	push @cycles, [ sort @c ] if @c > 1;
}
for my $o (@lib) { visit($o) unless defined $index{$o} }
is(scalar(@cycles), 0, 'no cycle between the files of shared/, policy/, spool/')
    or diag(map {
	my %in = map { $_ => 1 } @$_;
	my $c = $_;
	("cycle: @$c\n", map {
		my $a = $_;
		map { "  $a -> $_: " . syms($a, $_) . "\n" }
		    grep { $in{$_} } sort keys %{ $uses{$a} };
	} @$c);
} @cycles);

done_testing();
