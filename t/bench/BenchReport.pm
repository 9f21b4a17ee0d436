# BenchReport.pm - the figures of `make bench` as a person reads them:
# medians and ranges over the repetitions, ratios, and tables with aligned
# columns.  Not for: measuring (ProcStat.pm) or running loads (t/bench/run).
package BenchReport;
use strict;
use warnings;

sub median {
	my @v = sort { $a <=> $b } @_;
	return undef unless @v;
	my $m = int(@v / 2);
	return @v % 2 ? $v[$m] : ($v[ $m - 1 ] + $v[$m]) / 2;
}

sub min_max {
	my @v = sort { $a <=> $b } @_;
	return ($v[0], $v[-1]);
}

# "median (min-max)" of the values, each printed with fmt
sub spread {
	my ($fmt, @v) = @_;
	return '-' unless @v;
	my ($lo, $hi) = min_max(@v);
	my $m = sprintf($fmt, median(@v));
	return $m if @v == 1;
	return sprintf("%s (%s-%s)", $m, sprintf($fmt, $lo), sprintf($fmt, $hi));
}

# a/b printed with two decimals, or "-" when either is missing or b is 0
sub ratio {
	my ($a, $b) = @_;
	return '-' unless defined $a && defined $b && $b != 0;
	return sprintf('%.2f', $a / $b);
}

# A table: header row, a rule, then the rows; columns padded to the widest
# cell, the first left-aligned and the others right-aligned.
sub table {
	my ($head, @rows) = @_;
	my @w;
	for my $r ($head, @rows) {
		for my $i (0 .. $#$r) {
			my $l = length($r->[$i]);
			$w[$i] = $l if !defined $w[$i] || $l > $w[$i];
		}
	}
	my $line = sub {
		my ($r) = @_;
		my @c = map {
			$_ == 0 ? sprintf('%-*s', $w[$_], $r->[$_])
			    : sprintf('%*s', $w[$_], $r->[$_])
		} 0 .. $#w;
		return '| ' . join(' | ', @c) . " |\n";
	};
	my $rule = '|' . join('|', map { '-' x ($_ + 2) } @w) . "|\n";
	return $line->($head) . $rule . join('', map { $line->($_) } @rows);
}

1;
