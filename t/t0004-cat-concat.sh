#!/bin/sh
# t0004: mb-cat -b joins event streams without mixing them: each later input's connections
# are numbered after the earlier ones', its servers are mapped by address, the first input
# passes byte for byte.
test_description='mb-cat -b keeps the connections and servers of its inputs apart'
. "$(dirname "$0")/test-lib.sh"

hdr() { printf "#membench\tversion=2\tkind=events-raw\tprogram=test\n"; }
ev() { printf "ev\t1.%09d\t%s\ttext/tcp\tget\thit\tk%s\t2\t0\t0\t-\t0\t0\t0%s\n" "$1" "$2" "$3" "${4:+	server=$4}"; }

test_expect_success 'two inputs with the same connection numbers: the second input numbered after the first' '
	{ hdr && ev 1 0 1 && ev 2 3 2 && ev 3 0 3; } | mb-cat -p >a.bin &&
	{ hdr && ev 4 0 4 && ev 5 1 5; } | mb-cat -p >b.bin &&
	mb-cat -b a.bin b.bin | mb-cat -H >got &&
	{ ev 1 0 1 && ev 2 3 2 && ev 3 0 3 && ev 4 4 4 && ev 5 5 5; } >expect &&
	test_cmp expect got
'

test_expect_success 'past the highest number, the lowest free ones' '
	{ hdr && ev 1 4294967295 1 && ev 2 1 2; } | mb-cat -p >top.bin &&
	{ hdr && ev 3 5 3 && ev 4 9 4 && ev 5 5 5; } | mb-cat -p >low.bin &&
	mb-cat -b top.bin low.bin | mb-cat -H >got &&
	{ ev 1 4294967295 1 && ev 2 1 2 && ev 3 0 3 && ev 4 2 4 && ev 5 0 5; } >expect &&
	test_cmp expect got
'

test_expect_success 'the first input alone, or first, is copied byte for byte' '
	mb-cat -b a.bin >a1.bin && mb-cat -b a.bin b.bin >ab.bin &&
	test $(wc -c <ab.bin) -gt $(wc -c <a1.bin) &&
	head -c $(wc -c <a1.bin) ab.bin | cmp - a1.bin
'

test_expect_success 'servers mapped by address: a known address keeps its number, a new one takes the next' '
	{ hdr && printf "server\t0\t10.0.0.1:11211\n" && printf "server\t1\t10.0.0.2:11211\n" &&
	  ev 1 0 1 && ev 2 1 2 1; } | mb-cat -p >s1.bin &&
	{ hdr && printf "server\t0\t10.0.0.3:11211\n" && printf "server\t1\t10.0.0.1:11211\n" &&
	  ev 3 0 3 && ev 4 1 4 1 && ev 5 2 5; } | mb-cat -p >s2.bin &&
	mb-cat -b s1.bin s2.bin | mb-cat -H >got &&
	{ printf "server\t0\t10.0.0.1:11211\n" && printf "server\t1\t10.0.0.2:11211\n" &&
	  ev 1 0 1 && ev 2 1 2 1 &&
	  printf "server\t2\t10.0.0.3:11211\n" &&
	  ev 3 2 3 2 && ev 4 3 4 && ev 5 4 5 2; } >expect &&
	test_cmp expect got
'

test_expect_success 'the same capture twice: its servers once, twice the connections, counted apart by mb-stat' '
	mb-cat -b s1.bin s1.bin >twice.bin &&
	test $(mb-cat -H twice.bin | grep -c "^server") = 2 &&
	mb-cat -H twice.bin | awk -F"\t" "\$1 == \"ev\" { print \$3 }" | sort -u | wc -l >n &&
	echo 4 >expect && test_cmp expect n &&
	mb-stat --json twice.bin >st.json &&
	"$MB_PYTHON" -c "import json,sys; sys.exit(json.load(open(\"st.json\"))[\"overview\"][\"connections\"] != 4)"
'

test_expect_success 'a later input cut short: exit 1, one line naming it' '
	head -c 40 b.bin >cut.bin &&
	test_expect_code 1 mb-cat -b a.bin cut.bin >out 2>err && test_one_line_error mb-cat err &&
	grep -q "cut.bin" err
'

test_done
