#!/bin/sh
# t4060-stat-summaries.sh - mb-stat keeps and prints the summaries of many upstream programs; what it cannot keep it says.
test_description='mb-stat: summaries of 20 and of 1030 programs, a program with 200 counters'
. "$(dirname "$0")/test-lib.sh"

# stream N_PROGRAMS N_COUNTERS: mb-gen events, then N summary frames "progNNNN" with counters c0..c(K-1) (K < 100).
stream() {
	mb-gen -n 50 --seed 3 | mb-cat >gen.txt &&
	{
		cat gen.txt &&
		awk -v n="$1" -v k="$2" "BEGIN {
			for (i = 1; i <= n; i++) {
				line = sprintf(\"sum\tprog%04d\", i)
				for (j = 0; j < k; j++) line = line sprintf(\"\tc%d=%d\", j, i * 1000 + j)
				print line
			}
		}"
	} | mb-cat -p
}

test_expect_success '20 programs: every summary kept, printed in text, JSON and HTML, no warning' '
	stream 20 2 >s20.bin &&
	mb-stat s20.bin >report 2>err &&
	test ! -s err &&
	test "$(grep -c "^  upstream prog" report)" = 20 &&
	grep -A2 "^  upstream prog0017:" report | tr -s " " >got &&
	printf "%s\n" " upstream prog0017:" " c0 17000" " c1 17001" >expect &&
	test_cmp expect got &&
	mb-stat --json s20.bin >j 2>err &&
	test ! -s err &&
	"$MB_PYTHON" -c "
import json, sys
d = json.load(open(\"j\"))
def find(o):
    if isinstance(o, dict):
        if \"prog0020\" in o:
            return o
        for v in o.values():
            r = find(v)
            if r is not None:
                return r
    return None
u = find(d)
n = sum(1 for k in u if k.startswith(\"prog\"))
assert n == 20 and u[\"prog0020\"] == {\"c0\": 20000, \"c1\": 20001}, (n, u.get(\"prog0020\"))
" &&
	mb-stat --html r.html s20.bin >/dev/null 2>err &&
	test ! -s err &&
	test "$(grep -c "prog00[0-9][0-9] c1<" r.html)" = 20
'

test_expect_success 'the same program twice: counters added' '
	{ cat gen.txt; printf "sum\tprogX\ta=1\nsum\tprogX\ta=2\tb=5\n"; } | mb-cat -p >twice.bin &&
	mb-stat twice.bin >report 2>err &&
	test ! -s err &&
	grep -A2 "^  upstream progX:" report | tr -s " " >got &&
	printf "%s\n" " upstream progX:" " a 3" " b 5" >expect &&
	test_cmp expect got
'

test_expect_success '1030 programs: 1024 kept, one warning line naming the first dropped, exit 0' '
	stream 1030 1 >s1030.bin &&
	mb-stat s1030.bin >report 2>err &&
	echo "mb-stat: warning: summaries of more than 1024 programs: '"'"'prog1024'"'"' and later ones are not reported" >expect &&
	test_cmp expect err &&
	test "$(grep -c "^  upstream " report)" = 1024 &&
	grep -q "^  upstream prog1023:" report &&
	! grep -q "^  upstream prog1024:" report
'

test_expect_success 'a program with 200 counters (two frames of 100): 128 kept, one warning line' '
	{
		cat gen.txt &&
		awk "BEGIN { for (h = 0; h < 2; h++) { l = \"sum\tprog0001\"; for (j = 0; j < 100; j++) l = l sprintf(\"\tc%d=%d\", h * 100 + j, j); print l } }"
	} | mb-cat -p >c200.bin &&
	mb-stat c200.bin >report 2>err &&
	echo "mb-stat: warning: summary of '"'"'prog0001'"'"': more than 128 counters, '"'"'c128'"'"' and later ones are not reported" >expect &&
	test_cmp expect err &&
	test "$(grep -A200 "^  upstream prog0001:" report | grep -c "^    c")" = 128
'

test_done
