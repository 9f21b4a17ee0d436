#!/usr/bin/perl
# The compiler checks every reply's arguments against its format: a small
# file calling reply() with an R_ macro of server/replies.h compiles with
# the project's warnings as errors when the arguments fit the format, and
# fails to compile when one has the wrong type, is missing or is extra.
# Same for reply_cont() and the worker's reply_line().  $CC as make passes
# it (make check CC=clang), else gcc, as the GNUmakefile.
use strict; use warnings;
use FindBin;
use File::Temp qw(tempdir);
use POSIX ();
use Test::More;

my $src = "$FindBin::Bin/..";
my $cc = $ENV{CC} || 'gcc';
my @flags = ('-std=c11', '-Wall', '-Wextra', '-Werror', '-fsyntax-only',
    '-D_DEFAULT_SOURCE', '-D_GNU_SOURCE', '-DSMTPSERVER_VERSION="0"',
    map { "-I$src/$_" } qw(shared spool policy server));
my $dir = tempdir('smtpd-replies-XXXXXX', TMPDIR => 1, CLEANUP => 1);
alarm(300); # a compiler that hangs fails the test instead of hanging it

# Compile one function body; the exit status and what the compiler said.
sub compile {
	my ($name, $body) = @_;
	my $c = "$dir/$name.c";
	open(my $fh, '>', $c) or die "$c: $!";
	print $fh "#include \"smtp.h\"\n#include \"replies.h\"\n\n",
	    "void f(struct smtp *s, char *out, size_t n);\n\n",
	    "void\nf(struct smtp *s, char *out, size_t n)\n{\n",
	    "\t(void)s;\n\t(void)out;\n\t(void)n;\n$body}\n";
	close($fh);
	my $err = "$dir/$name.err";
	my $pid = fork() // die "fork: $!";
	if ($pid == 0) {
		open(STDOUT, '>', '/dev/null');
		open(STDERR, '>', $err);
		exec($cc, @flags, $c) or POSIX::_exit(127);
	}
	waitpid($pid, 0);
	my $st = $?;
	open(my $e, '<', $err) or die "$err: $!";
	local $/;
	return ($st, scalar(<$e>) // '');
}

my ($st, $msg) = compile('good', <<'EOF');
	reply(s, R_NEED_HELO, s->iplit);
	reply_cont(s, R_HELO_OK, s->myhost, "client.example");
	reply(s, R_MAIL_TOO_BIG, s->maxsize);
	reply(s, R_NOOP_OK);
	(void)reply_line(out, n, 1, 1, R_BUSY_TOTAL, 3, 2);
EOF
is($st, 0, "right argument types compile with $cc -Werror") or diag($msg);

my @bad = (
	[ 'long-for-s', 'reply(s, R_NEED_HELO, 42L);', 'a long for a %s' ],
	[ 'int-for-ld', 'reply(s, R_MAIL_TOO_BIG, 1);', 'an int for a %ld' ],
	[ 'missing', 'reply(s, R_QUIT_OK);', 'an argument missing' ],
	[ 'extra', 'reply(s, R_NOOP_OK, s->myhost);', 'an extra argument' ],
	[ 'cont', 'reply_cont(s, R_HELO_OK, s->myhost, 7);',
	    'reply_cont: an int for a %s' ],
	[ 'line', '(void)reply_line(out, n, 1, 1, R_BUSY_TOTAL, 3, "2");',
	    'reply_line: a string for a %d' ],
);
for my $b (@bad) {
	my ($name, $call, $what) = @$b;
	($st, $msg) = compile($name, "\t$call\n");
	isnt($st, 0, "$what does not compile: $call");
	like($msg, qr/-W(?:error=)?format|Wformat/, '... because of the format check')
	    or diag($msg);
}
done_testing();
