#!/bin/sh
# t7004: bash completion (scripts/completion/membench.bash) for every program: each long option
# its --help lists, the words it names for a value, interfaces, files.
test_description='bash completion'
. "$(dirname "$0")/test-lib.sh"

command -v bash >/dev/null 2>&1 || test_skip_all 'bash is missing'
COMPLETION=$MB_SRC/scripts/completion/membench.bash

# complete WORD... : what bash would offer for the last word of the command line.
complete_words() {
	bash -c '. "$1" && shift && COMP_WORDS=("$@") && COMP_CWORD=$(($# - 1)) && _membench &&
		printf "%s\n" "${COMPREPLY[@]}" | sort' complete "$COMPLETION" "$@"
}

test_expect_success 'every program: "--" offers exactly the long options of its --help' '
	for p in "$MB_BUILD"/bin/mb-*; do
		p=$(basename "$p") &&
		$p --help | grep -oE "^ +(-[A-Za-z0-9], +)?--[a-z][a-z0-9-]*" | grep -oE -- "--[a-z][a-z0-9-]*" | sort >want.$p &&
		test "$(wc -l <want.$p)" -ge 3 &&
		complete_words $p -- >got.$p &&
		test_cmp want.$p got.$p || return 1
	done
'

test_expect_success 'a prefix narrows; short options too' '
	test "$(complete_words mb-capture --snap)" = "--snapshot-length" &&
	complete_words mb-capture -- | grep -qx -- "--list-interfaces" &&
	test "$(complete_words mb-stat --mrc-s)" = "--mrc-samples" &&
	complete_words mb-capture - | grep -qx -- "-D"
'

test_expect_success 'values: the words the help names, interfaces, files' '
	test "$(complete_words mb-cat --from "" | tr "\n" " ")" = "cachelib oracle twitter " &&
	test "$(complete_words mb-fire --proto "" | tr "\n" " ")" = "binary meta text " &&
	test "$(complete_words mb-fire -P m)" = "meta" &&
	complete_words mb-capture -i "" | grep -qx lo &&
	complete_words mb-capture --interface l | grep -qx lo &&
	: >trace.pcap && : >tracefile.bin &&
	test "$(complete_words mb-capture -r trace.p)" = "trace.pcap" &&
	test "$(complete_words mb-stat tracef)" = "tracefile.bin" &&
	test "$(complete_words mb-stat --html tracef)" = "tracefile.bin" &&
	test -z "$(complete_words mb-stat --top "")"
'

test_done
