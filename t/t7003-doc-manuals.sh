#!/bin/sh
# t7003: the manual pages (doc/mb-*.md through pandoc, `make man`) are real man pages: groff and
# man report no warning, no Markdown is left in the rendered text, the usual sections are there,
# no path points into the source tree; and --help, manual and code agree on every default.
# mb-test: alone (runs make in the source tree, which other tests of this kind must not race)
test_description='manual pages: rendering, sections, defaults'
. "$(dirname "$0")/test-lib.sh"

command -v pandoc >/dev/null 2>&1 || test_skip_all 'pandoc is missing (scripts/deps build)'
command -v groff >/dev/null 2>&1 && command -v man >/dev/null 2>&1 || test_skip_all 'groff or man is missing (scripts/deps test)'

MAN=$MB_BUILD/man
progs=$(cd "$MB_BUILD/bin" && ls mb-*)

test_expect_success 'make man writes one page per program' '
	make -s -C "$MB_SRC" BUILD="$MB_BUILD" man >out 2>&1 && test ! -s out &&
	for p in $progs; do test -s "$MAN/$p.1" || { echo "no page for $p"; return 1; }; done
'

test_expect_success 'groff -ww and man --warnings: no warning on any page (80 columns)' '
	for p in $progs; do
		groff -ww -man -t -Tutf8 "$MAN/$p.1" >/dev/null 2>groff.err &&
		MANWIDTH=80 man --warnings -l "$MAN/$p.1" >/dev/null 2>man.err || return 1
		if [ -s groff.err ] || [ -s man.err ]; then echo "$p:"; cat groff.err man.err; return 1; fi
	done
'

test_expect_success 'rendered: the sections, tables as tables, no Markdown, no source paths' '
	for p in $progs; do
		MANWIDTH=80 man -l "$MAN/$p.1" 2>/dev/null | col -bx >$p.txt &&
		for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES "SEE ALSO"; do
			grep -q "^$s\$" $p.txt || { echo "$p: no $s section"; return 1; }
		done &&
		if grep -nE "\`|[*][*]|^ *#|^ *[|].*[|] *\$|[]][(]|^ {7}- " $p.txt; then
			echo "$p: Markdown left in the rendered page"; return 1
		fi &&
		if grep -nE "(^|[ (])(doc|common|cmd|bpf|scripts|fuzz|mk|t)/|[a-z]\.(c|h|sh)\\b" $p.txt; then
			echo "$p: a path into the source tree"; return 1
		fi &&
		if grep -q "^OPTIONS" $p.txt && grep -q "^| option" "$MB_SRC/doc/$p.md"; then
			sed -n "/^OPTIONS/,/^[A-Z]/p" $p.txt | grep -q "^ *option  *meaning" &&
			sed -n "/^OPTIONS/,/^[A-Z]/p" $p.txt | grep -q "───" ||
			{ echo "$p: the options table is not rendered as a table"; return 1; }
		fi || return 1
	done
'

test_expect_success 'every default the help gives, the manual gives too, the same' '
	for p in $progs; do
		$p --help >help.$p &&
		perl "$MB_SRC/t/lib/doc-defaults.pl" help.$p "$MB_SRC/doc/$p.md" | sed "s/^/$p /" >defaults.$p || return 1
	done &&
	cat defaults.* >defaults &&
	test "$(wc -l <defaults)" -gt 60 &&
	awk -F "\t" "\$3 != \"-\" && \$3 != \$4" defaults >bad &&
	{ [ ! -s bad ] || { echo "help and manual disagree:"; cat bad; }; } &&
	test ! -s bad
'

test_expect_success 'every --help names its manual page as prog(1), no source path' '
	for p in $progs; do
		grep -q "Manual: $p(1)" help.$p || { echo "$p: --help does not name $p(1)"; return 1; }
		if grep -n "doc/" help.$p; then echo "$p: --help names a source path"; return 1; fi
	done
'

# The code's default is what the program does without the option: the same output as with the
# option set to the value --help gives. Programs with deterministic output on a fixed input.
test_expect_success 'setup: inputs for the code check' '
	mb-gen -n 200000 -K 100000 >ev.stream &&
	mb-pack <ev.stream >p.bin &&
	zstd -dc "$MB_SRC/scripts/demo-data/demo.pcap.zst" >demo.pcap &&
	mb-parse -q -P 22122 demo.pcap >raw.stream &&
	mb-anon --new-key >key
'

# same_output PROG "FIXED ARGS" TEXT-FILTER: for every option of PROG with a value default
# (a number, duration or word, not an environment variable) that FIXED ARGS (long options)
# does not set, compare the outputs.
same_output() {
	prog=$1 fixed=$2
	grep "^$prog " defaults | awk -F "\t" "\$2 == 1 && \$3 != \"-\" && \$3 !~ /^[\$]| /" | while IFS="	" read -r po takes hv mv; do
		opt=${po#$prog }
		case " $fixed " in *" $opt "*) continue ;; esac
		val=$(sed -n "s/^ *\(-[A-Za-z0-9], \)\{0,1\}$opt [A-Z][^ ]* .*(default:\{0,1\} \([^ ;)]*\).*/\2/p" help.$prog | head -1)
		val=${val%,}
		[ -n "$val" ] || val=$hv
		$prog $fixed >a.out 2>/dev/null && $prog $fixed $opt "$val" >b.out 2>/dev/null &&
		mb-cat -H a.out >a.txt 2>/dev/null || cp a.out a.txt
		mb-cat -H b.out >b.txt 2>/dev/null || cp b.out b.txt
		if cmp -s a.txt b.txt; then echo "ok $prog $opt $val"; else echo "DIFFERS $prog $opt $val"; fi
	done
}

test_expect_success 'without an option, each program behaves as with the default its help gives' '
	{
		same_output mb-gen "--count 3000"
		same_output mb-pack "ev.stream"
		same_output mb-stat "p.bin"
		same_output mb-parse "--quiet --ports 22122 demo.pcap"
		same_output mb-anon "--key-file key raw.stream"
		same_output mb-capture "--read demo.pcap --ports 22122"
	} >code &&
	cat code &&
	test "$(grep -c "^ok" code)" -ge 15 &&
	! grep "^DIFFERS" code
'

test_done
