#!/usr/bin/perl
# doc-defaults.pl HELP MANUAL.md: the default of every long option, as the --help text and as
# the manual's OPTIONS section give it. One line per option that either names:
#   option <TAB> takes-a-value (0/1) <TAB> help default <TAB> manual default   ("-" = none given)
# A default is the text after "default" up to ; ) or the end of the sentence, normalized:
# backticks and thousands separators dropped, "default and maximum X" read as X; when it starts
# with a digit or $, only its first word counts ("16384, 16..16M" -> "16384").
use strict;
use warnings;

my ($helpf, $manf) = @ARGV;

sub dflt {
	my $t = shift;
	$t =~ s/`//g;
	$t =~ s/(\d),(\d\d\d)/$1$2/g while $t =~ /\d,\d\d\d/;
	return undef unless $t =~ /\b[Dd]efault(?: and maximum)?:?\s+(.*)/;
	my $v = $1;
	$v =~ s/\s*(?:[;)]|\.\s|\.$).*//;
	$v =~ s/\s+/ /g;
	$v = (split / /, $v)[0] if $v =~ /^[\d\$]/;
	$v =~ s/[.,:]$//;
	return lc $v;
}

my (%help, %arg, %text, $cur);
open my $h, '<', $helpf or die "$helpf: $!";
while (<$h>) {
	if (/^\s+(?:-\w,\s+)?(--[a-z][\w-]*)(\S*)( [A-Z]\S*)?(.*)/) {
		$cur = $1;
		$arg{$cur} = defined $3 ? 1 : 0;
		$text{$cur} = $4;
	} elsif (/^\s{6,}\S/ && $cur) {
		$text{$cur} .= " $_";
	} else {
		$cur = undef;
	}
}
$help{$_} = dflt($text{$_}) for keys %text;

my (%man, @items);
open my $m, '<', $manf or die "$manf: $!";
my $in = 0;
while (<$m>) {
	chomp;
	if (/^## /) { $in = /^## OPTIONS/; next }
	next unless $in;
	if (/^\|/) {
		next if /^\|[-| :]+$/;
		my @c = split /\s*\|\s*/;
		push @items, [ $c[1], join ' ', @c[ 2 .. $#c ] ];
	} elsif (/^- (.*)/) {
		my $l = $1;
		push @items, $l =~ /^((?:`[^`]*`[, \/]*)+)(.*)/ ? [ $1, $2 ] : [ $l, $l ];
	} elsif (/^\s+\S/ && @items) {
		$items[-1][1] .= " $_";
	}
}
for my $it (@items) {
	my $d = dflt($it->[1]);
	$man{$_} = $d for $it->[0] =~ /(--[a-z][\w-]*)/g;
}
for my $o (sort keys %text) {
	next if $o eq '--help' || $o eq '--version';
	printf "%s\t%d\t%s\t%s\n", $o, $arg{$o}, $help{$o} // '-', exists $man{$o} ? $man{$o} // '-' : 'absent';
}
