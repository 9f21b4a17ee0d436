# ProcStat.pm - what `make bench` reads from /proc about a server: its
# process tree, CPU time, context switches, the memory of the processes
# serving given client connections, and a syscall count taken by strace.
# Not for: starting servers (BenchOurs.pm, BenchPostfix.pm) or printing.
package ProcStat;
use strict;
use warnings;
use POSIX ();
use Time::HiRes qw(time sleep);

my $TCK = POSIX::sysconf(POSIX::_SC_CLK_TCK()) || 100;

sub slurp {
	my ($path) = @_;
	open(my $fh, '<', $path) or return undef;
	local $/;
	return scalar <$fh>;
}

# The fields of /proc/PID/stat after the command name: [0] state, [1]
# ppid, [11] utime, [12] stime, [13] cutime, [14] cstime (in ticks).
sub stat_fields {
	my ($pid) = @_;
	my $s = slurp("/proc/$pid/stat") // return undef;
	$s =~ s/^.*\)\s+//s or return undef;
	return [ split(' ', $s) ];
}

# root and every process below it
sub tree {
	my ($root) = @_;
	my %kids;
	opendir(my $d, '/proc') or return ($root);
	for my $pid (grep { /^\d+$/ } readdir($d)) {
		my $f = stat_fields($pid) or next;
		push(@{ $kids{ $f->[1] } }, $pid);
	}
	my @all = ($root);
	for (my $i = 0; $i < @all && $i < 100000; $i++) {
		push(@all, @{ $kids{ $all[$i] } // [] });
	}
	return @all;
}

# Seconds of CPU the tree has used: its live processes' own time and what
# they collected from children that exited (and were reaped).
sub cpu_seconds {
	my ($root) = @_;
	my $t = 0;
	for my $pid (tree($root)) {
		my $f = stat_fields($pid) or next;
		$t += $f->[11] + $f->[12] + $f->[13] + $f->[14];
	}
	return $t / $TCK;
}

# Voluntary plus involuntary context switches of every thread in the tree
# (a process that exited takes its own with it).
sub ctxsw {
	my ($root) = @_;
	my $n = 0;
	for my $pid (tree($root)) {
		opendir(my $d, "/proc/$pid/task") or next;
		for my $tid (grep { /^\d+$/ } readdir($d)) {
			my $s = slurp("/proc/$pid/task/$tid/status") // next;
			$n += $1 while $s =~ /^\w+_ctxt_switches:\s+(\d+)/mg;
		}
	}
	return $n;
}

sub sample {
	my ($root) = @_;
	return { cpu => cpu_seconds($root), ctxsw => ctxsw($root) };
}

# A sample taken once the tree has stopped using CPU (sessions finishing
# after the client is gone), at most 2 s later.
sub settled_sample {
	my ($root) = @_;
	my $last = cpu_seconds($root);
	my $end = time + 2;
	while (time < $end) {
		sleep(0.1);
		my $now = cpu_seconds($root);
		last if $now == $last;
		$last = $now;
	}
	return sample($root);
}

# Rss and Pss (kB) of one process, from smaps_rollup
sub mem_kb {
	my ($pid) = @_;
	my $s = slurp("/proc/$pid/smaps_rollup") // return undef;
	my ($rss) = $s =~ /^Rss:\s+(\d+)/m;
	my ($pss) = $s =~ /^Pss:\s+(\d+)/m;
	return defined $pss ? { rss => $rss, pss => $pss } : undef;
}

# Socket inodes of the server side of the connections from the client
# ports given to server port (IPv4 loopback).
sub session_inodes {
	my ($port, @clients) = @_;
	my %want = map { $_ => 1 } @clients;
	my %ino;
	open(my $fh, '<', '/proc/net/tcp') or return ();
	while (my $l = <$fh>) {
		my @f = split(' ', $l);
		next unless @f > 9 && $f[1] =~ /:([0-9A-F]{4})$/;
		next unless hex($1) == $port;
		next unless $f[2] =~ /:([0-9A-F]{4})$/ && $want{ hex($1) };
		$ino{ $f[9] } = 1 if $f[9];
	}
	return keys %ino;
}

# The processes of the tree that hold one of the socket inodes
sub holders {
	my ($root, @inodes) = @_;
	my %want = map { $_ => 1 } @inodes;
	my %pids;
	for my $pid (tree($root)) {
		opendir(my $d, "/proc/$pid/fd") or next;
		for my $fd (grep { /^\d+$/ } readdir($d)) {
			my $l = readlink("/proc/$pid/fd/$fd") // next;
			$pids{$pid} = 1 if $l =~ /^socket:\[(\d+)\]$/ && $want{$1};
		}
	}
	return sort { $a <=> $b } keys %pids;
}

# Average Rss and Pss (kB) of the processes that serve the connections
# from the client ports to server port, and how many there were.
sub session_mem {
	my ($root, $port, @clients) = @_;
	my @pids = holders($root, session_inodes($port, @clients));
	my ($rss, $pss, $n) = (0, 0, 0);
	for my $pid (@pids) {
		my $m = mem_kb($pid) or next;
		($rss, $pss, $n) = ($rss + $m->{rss}, $pss + $m->{pss}, $n + 1);
	}
	return { n => $n, rss => $n ? $rss / $n : 0, pss => $n ? $pss / $n : 0 };
}

sub traced {
	my ($pid) = @_;
	my $s = slurp("/proc/$pid/status") // return 1;	# gone
	return $s =~ /^TracerPid:\s+[1-9]/m;
}

# strace -c -f attached to every process of the tree (and so to those it
# forks later); returns a handle for strace_stop once all are attached.
sub strace_start {
	my ($root, $out) = @_;
	my @pids = tree($root);
	my $pid = fork() // die "fork: $!";
	if ($pid == 0) {
		open(STDOUT, '>', '/dev/null');
		open(STDERR, '>', '/dev/null');
		exec('strace', '-c', '-f', '-q', '-o', $out,
		    map { ('-p', $_) } @pids) or POSIX::_exit(127);
	}
	my $end = time + 20;
	until (time > $end || waitpid($pid, POSIX::WNOHANG()) == $pid) {
		last unless grep { !traced($_) } @pids;
		sleep(0.05);
	}
	return { pid => $pid, out => $out };
}

# Detach strace; its count: { total => calls, calls => { name => n } }
sub strace_stop {
	my ($h) = @_;
	kill('INT', $h->{pid});
	my $end = time + 20;
	sleep(0.05) until waitpid($h->{pid}, POSIX::WNOHANG()) != 0
	    || time > $end;
	kill('KILL', $h->{pid}) if time > $end;
	my $text = slurp($h->{out}) // '';
	my %calls;
	for my $l (split(/\n/, $text)) {
		$calls{$2} = $1 if $l =~
		    /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$/;
	}
	my $total = delete($calls{total});
	return undef unless defined $total;
	return { total => $total, calls => \%calls };
}

1;
