#!/usr/bin/perl
# `make install`: the tree it writes under DESTDIR (every path, its mode,
# and as root its owner: the spool directories the workers write belong
# to TRUSTEDUSER), directories that exist keep their modes, a second
# install overwrites no configuration file an administrator changed, and
# an install into a prefix of its own gives a unit, a ZENV and a sample
# configuration that point at that prefix and work together.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp qw(tempdir);
use SmtpTest ();

my $src = SmtpTest::srcdir();
my $root = $> == 0;
my $tmp = tempdir('smtpd-install-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod(0755, $tmp);

# make install VAR=value...; (exit status, output).  SANITIZE=1 when the
# suite runs on build-san/, so that nothing is built for this test alone.
sub make_install {
	my (@vars) = @_;
	local %ENV = %ENV;
	delete @ENV{qw(MAKEFLAGS MAKELEVEL MFLAGS)};
	push(@vars, 'SANITIZE=1') if SmtpTest::build() =~ m{/build-san/?$};
	my $out = `timeout 300 make -s -C '$src' install @vars 2>&1`;
	return ($? >> 8, $out);
}

# "path mode owner:group" of everything under dir, sorted; owners only
# when root installed (a user's DESTDIR install cannot chown).
sub tree {
	my ($dir) = @_;
	my $fmt = $root ? '%P %m %u:%g\n' : '%P %m\n';
	my @l = sort split(/\n/, `find '$dir' -mindepth 1 -printf '$fmt'`);
	return \@l;
}

# find's %m: the mode in octal, without a leading 0
my ($d, $u) = ('755 root:root', $root ? 'daemon:daemon' : '');
my %want = (
	'usr' => $d, 'usr/local' => $d, 'usr/local/sbin' => '2775 root:root',
	'usr/local/sbin/smtpserver' => $d,
	'usr/local/sbin/smtpserverctl' => $d,
	'usr/local/sbin/policy-builder' => $d,
	'usr/local/share' => $d, 'usr/local/share/man' => $d,
	(map { ("usr/local/share/doc$_" => $d) } ('', '/smtpserver',
	    '/smtpserver/examples', '/smtpserver/examples/fail2ban',
	    '/smtpserver/examples/fail2ban/filter.d',
	    '/smtpserver/examples/fail2ban/jail.d')),
	(map { ("usr/local/share/doc/smtpserver/examples/fail2ban/$_" =>
	    '644 root:root') } qw(filter.d/smtpserver.conf
	    jail.d/smtpserver.conf)),
	'usr/local/share/man/man5' => $d,
	'usr/local/share/man/man5/smtpserver.conf.5' => '644 root:root',
	'usr/local/share/man/man7' => $d,
	'usr/local/share/man/man7/smtpserver-tuning.7' => '644 root:root',
	'usr/local/share/man/man8' => $d,
	'usr/local/share/man/man8/smtpserver.8' => '644 root:root',
	'usr/local/share/man/man8/smtpserverctl.8' => '644 root:root',
	'usr/local/share/man/man8/policy-builder.8' => '644 root:root',
	'usr/local/lib' => $d, 'usr/local/lib/systemd' => $d,
	'usr/local/lib/systemd/system' => $d,
	'usr/local/lib/systemd/system/smtpserver.service' => '644 root:root',
	'etc' => $d, 'etc/zmailer.conf' => '644 root:root',
	'etc/zmailer' => $d, 'etc/zmailer/smtpserver.conf' => '644 root:root',
	'etc/zmailer/db' => $d,
	(map { ("etc/zmailer/db/$_" => '644 root:root') }
	    qw(smtp-policy.src localnames smtp-policy.relay smtp-policy.mx
	    smtp-policy.spam)),
	'etc/pam.d' => $d, 'etc/pam.d/smtpauth-login' => '644 root:root',
	'var' => $d, 'var/spool' => $d, 'var/spool/postoffice' => $d,
	'var/spool/postoffice/public' => "750 $u",
	'var/spool/postoffice/router' => "750 $u",
	'var/spool/postoffice/freezer' => "750 $u",
);
my $dest = "$tmp/dest";
my @want = sort map {
	my ($mode, $own) = split(/ /, $want{$_});
	$root ? "$_ $mode $own" : "$_ $mode";
} keys %want;

# an existing sbindir with the setgid group-writable mode of Debian's
# /usr/local/sbin: an install must not chmod it
mkdir($_, 0755) for ($dest, "$dest/usr", "$dest/usr/local");
mkdir("$dest/usr/local/sbin");
chmod(02775, "$dest/usr/local/sbin");
my ($rc, $out) = make_install("DESTDIR=$dest");
is($rc, 0, 'make install DESTDIR=... succeeds') or diag($out);
is_deeply(tree($dest), \@want, 'the installed tree, modes' .
    ($root ? ' and owners' : '')) or diag(join("\n", @{ tree($dest) }));
like($out, qr{install: \Q$dest\E/etc/zmailer/smtpserver\.conf\n},
    '  it says which configuration files it wrote');

# an administrator edits the configuration, then installs again
my $conf = "$dest/etc/zmailer/smtpserver.conf";
open(my $fh, '>>', $conf) or die "$conf: $!";
print $fh "PARAM hdr220 %H edited by the administrator\n";
close($fh);
unlink("$dest/etc/zmailer/db/localnames");
symlink('/nonexistent', "$dest/etc/zmailer/db/localnames");
($rc, $out) = make_install("DESTDIR=$dest");
is($rc, 0, 'a second make install succeeds') or diag($out);
my @want2 = sort((grep { !m{^etc/zmailer/db/localnames } } @want),
    'etc/zmailer/db/localnames 777' . ($root ? ' root:root' : ''));
is_deeply(tree($dest), \@want2,
    '  the same tree, the symbolic link left as it was');
open($fh, '<', $conf) or die "$conf: $!";
like(do { local $/; <$fh> }, qr/edited by the administrator/,
    '  the changed smtpserver.conf is kept');
like($out, qr{install: kept \Q$conf\E\n}, '  and it says so');

# An install into a prefix of its own, with nothing staged: the unit
# starts the installed binary with the installed ZENV, which names the
# installed configuration, policy sources and spool; -K accepts it once
# policy-builder has compiled the installed sources.
my $p = "$tmp/prefix";
mkdir($p);
my @dirs = ("PREFIX=$p", "sysconfdir=$p/etc", "localstatedir=$p/var");
($rc, $out) = make_install(@dirs, $root ? 'TRUSTEDUSER=nobody' : ());
is($rc, 0, 'make install into a prefix') or diag($out);
open($fh, '<', "$p/lib/systemd/system/smtpserver.service") or die;
my ($exec) = grep { /^ExecStart=/ } <$fh>;
is($exec, "ExecStart=$p/sbin/smtpserver -F -Z $p/etc/zmailer.conf\n",
    '  the unit runs the installed binary with the installed ZENV');
open($fh, '<', "$p/etc/zmailer.conf") or die;
my %z = map { /^(\w+)=(.*)$/ ? ($1 => $2) : () } <$fh>;
is_deeply([ @z{qw(MAILSHARE MAILVAR POSTOFFICE)} ],
    [ "$p/etc/zmailer", "$p/etc/zmailer", "$p/var/spool/postoffice" ],
    '  the ZENV names the installed configuration and spool');
is($z{TRUSTEDUSER}, $root ? 'nobody' : 'daemon', '  and TRUSTEDUSER');
SKIP: {
	skip('owners: not root', 1) unless $root;
	is((getpwuid((stat("$p/var/spool/postoffice/router"))[4]))[0],
	    'nobody', '  who owns the spool directories');
}
$out = `'$p/sbin/policy-builder' -d '$p/etc/zmailer/db' 2>&1`;
is($?, 0, 'the installed policy-builder compiles the installed sources')
    or diag($out);
$out = `'$p/sbin/smtpserver' -K -Z '$p/etc/zmailer.conf' 2>&1`;
is($? >> 8, 0, 'smtpserver -K accepts the installed configuration')
    or diag($out);
like($out, qr{\Q$p\E/etc/zmailer/smtpserver\.conf}, '  found through the ZENV');
done_testing();
