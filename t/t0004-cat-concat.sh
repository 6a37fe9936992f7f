#!/bin/sh
# t0004: mb-cat -b joins event streams as mb-pack -m numbers them (common/join.c): the
# connections of each input numbered 1, 2, 3 ... in order of first appearance, the servers
# by address; a single input is copied as it is.
test_description='mb-cat -b keeps the connections and servers of its inputs apart'
. "$(dirname "$0")/test-lib.sh"

hdr() { printf "#membench\tversion=2\tkind=events-raw\tprogram=test\n"; }
ev() { printf "ev\t1.%09d\t%s\ttext/tcp\tget\thit\tk%s\t2\t0\t0\t-\t0\t0\t0%s\n" "$1" "$2" "$3" "${4:+	server=$4}"; }

test_expect_success 'two inputs with the same connection numbers: numbered 1, 2, 3 ... per input' '
	{ hdr && ev 1 0 1 && ev 2 3 2 && ev 3 0 3; } | mb-cat -p >a.bin &&
	{ hdr && ev 4 0 4 && ev 5 1 5; } | mb-cat -p >b.bin &&
	mb-cat -b a.bin b.bin | mb-cat -H >got &&
	{ ev 1 1 1 && ev 2 2 2 && ev 3 1 3 && ev 4 3 4 && ev 5 4 5; } >expect &&
	test_cmp expect got
'

test_expect_success 'a single input is copied byte for byte but for the program chain' '
	mb-cat -b a.bin >a1.bin && mb-cat a1.bin | grep -v "^#membench" >x && mb-cat a.bin | grep -v "^#membench" >y &&
	test_cmp y x
'

test_expect_success 'servers numbered by address: one both inputs saw is one server' '
	{ hdr && printf "server\t0\t10.0.0.1:11211\n" && printf "server\t1\t10.0.0.2:11211\n" &&
	  ev 1 0 1 && ev 2 1 2 1; } | mb-cat -p >s1.bin &&
	{ hdr && printf "server\t0\t10.0.0.3:11211\n" && printf "server\t1\t10.0.0.1:11211\n" &&
	  ev 3 0 3 && ev 4 1 4 1 && ev 5 2 5; } | mb-cat -p >s2.bin &&
	mb-cat -b s1.bin s2.bin | mb-cat -H >got &&
	{ printf "server\t0\t10.0.0.1:11211\n" && printf "server\t1\t10.0.0.2:11211\n" &&
	  ev 1 1 1 && ev 2 2 2 1 &&
	  printf "server\t2\t10.0.0.3:11211\n" &&
	  ev 3 3 3 2 && ev 4 4 4 && ev 5 5 5 2; } >expect &&
	test_cmp expect got
'

test_expect_success 'mb-cat -b numbers events and servers as mb-pack -m does (inputs in time order one after the other)' '
	mb-anon --new-key >key &&
	mb-anon -k key s1.bin >h1.bin && mb-anon -k key s2.bin >h2.bin &&
	mb-pack -m h1.bin h2.bin | mb-cat -H >packed &&
	mb-cat -b h1.bin h2.bin | mb-cat -H >catted &&
	grep "^ev" packed >ev.packed && grep "^ev" catted >ev.catted && test_cmp ev.packed ev.catted &&
	test $(wc -l <ev.catted) = 5 &&
	grep "^server" packed >srv.packed && grep "^server" catted >srv.catted && test_cmp srv.packed srv.catted
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
