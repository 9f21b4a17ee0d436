#!/usr/bin/perl
# kill -9 of a worker in the middle of DATA: its IP count is released, a
# replacement starts, another session is untouched, no half-written file
# reaches router/, and its temp file does not stay in public/: by default
# the file has no name there at all (O_TMPFILE); with a contentfilter,
# which opens it by name, it is public/<host>:<pid> and the supervisor
# removes it.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use SmtpTest qw(wait_until);

for my $named (0, 1) {
my $tag = $named ? 'named temp' : 'unnamed temp';
my $d = SmtpTest->new(conf => [
	'PARAM BindAddress [127.0.0.1]',
	# never run: the worker is killed before the end of the data
	($named ? ('PARAM contentfilter /nonexistent/filter',
	    'PARAM contentfilter-fail-open') : ()),
	'PARAM MaxSameIpSource 1',
	'PARAM min-idle-workers 3',
	'PARAM max-idle-workers 6',
]);
$d->start(idle => 3);

my $a = $d->connect(src => '127.0.0.2');
my $b = $d->connect(src => '127.0.0.3');
like(SmtpTest::reply($a), qr/^220 /, 'victim session open');
like(SmtpTest::reply($b), qr/^220 /, 'bystander session open');
like(SmtpTest::cmd($_, 'EHLO client.example'), qr/^250/, 'EHLO') for $a, $b;
like(SmtpTest::cmd($a, 'MAIL FROM:<a@example.org>'), qr/^250/, 'MAIL');
like(SmtpTest::cmd($a, 'RCPT TO:<b@example.net>'), qr/^250/, 'RCPT');
like(SmtpTest::cmd($a, 'DATA'), qr/^354/, 'DATA');
print $a "Subject: half\r\n\r\nthe first half of a body\r\n";

my $st = $d->status;
my ($victim) = grep { $_->{peer} eq '127.0.0.2' } @{ $st->{sessions} };
ok($victim && $victim->{pid} > 1, 'status names the worker serving it');
my ($top) = grep { $_->{ip} eq '127.0.0.2' } @{ $st->{top} };
is($top->{count}, 1, 'its IP is counted');
my $before = $st->{workers}{total};
my @temps = public($d);
my $vpid = $victim->{pid};
if ($named) {
	is(scalar(@temps), 1,
	    "$tag: the message being received has a temp file in public/");
	like($temps[0] // '', qr/^[^:\/]{1,19}:\Q$vpid\E[a-z]?$/,
	    "$tag: named <host>:<pid of the worker>");
} else {
	is(scalar(@temps), 0, "$tag: the message has no name in public/");
	ok(scalar(grep { readlink($_) =~ m{/public/#\d+ \(deleted\)$} }
	    glob("/proc/$vpid/fd/*")),
	    "$tag: the worker holds it open (O_TMPFILE)");
}
# A file of another program (or another pid) in the shared public/ stays.
my $other = "$d->{po}/public/otherprog:1";
open(my $of, '>', $other) or die;
close($of);
kill('KILL', $victim->{pid});

is(SmtpTest::reply($a), undef, 'the victim sees its connection drop');
ok(wait_until(sub {
	my $s = $d->status;
	!grep { $_->{ip} eq '127.0.0.2' } @{ $s->{top} };
}), 'its IP count is released');
ok(wait_until(sub { $d->status->{workers}{idle} >= 3 }),
    'a replacement keeps the idle pool');
my $a2 = $d->connect(src => '127.0.0.2');
like(SmtpTest::reply($a2), qr/^220 /,
    'the IP (MaxSameIpSource 1) is admitted again');
close($a2);

like(SmtpTest::message($b), qr/^250/, 'the bystander delivers a message');
like(SmtpTest::cmd($b, 'QUIT'), qr/^221/, 'and quits');
my @files = $d->spooled;
is(scalar(@files), 1, "router/ holds only the bystander's message");
like($d->log_text, qr/worker $victim->{pid} killed by signal 9/,
    'the death is logged');
ok(wait_until(sub { $d->status->{connections}{now} == 0 }),
    'nothing left counted');
ok(wait_until(sub { !grep { $_ ne 'otherprog:1' } public($d) }),
    "the killed worker's temp file is removed from public/")
    or diag(join(' ', public($d)));
ok(-e $other, 'a file that is not ours stays in public/');
unlink($other);
# The supervisor itself killed: no orphan worker goes on serving.
my @workers = children($d->{pid});
ok(@workers >= 3, 'the workers are children of the supervisor');
kill('KILL', $d->{pid});
ok(wait_until(sub { !grep { alive($_) } @workers }, 10),
    'workers exit when the supervisor is killed');
}
done_testing();

sub public {
	my ($d) = @_;
	opendir(my $dh, "$d->{po}/public") or return ();
	return grep { !/^\./ } readdir($dh);
}

sub children {
	my ($ppid) = @_;
	my @c;
	for my $stat (glob('/proc/[0-9]*/stat')) {
		open(my $fh, '<', $stat) or next;
		my $l = <$fh> // next;
		push(@c, $1) if $l =~ /^(\d+) \(.*\) \S (\d+) / && $2 == $ppid;
	}
	return @c;
}

sub alive {	# a zombie (not reaped by a container's init) counts as gone
	open(my $fh, '<', "/proc/$_[0]/stat") or return 0;
	my $l = <$fh> // return 0;
	return $l !~ /^\d+ \(.*\) [ZX] /;
}
