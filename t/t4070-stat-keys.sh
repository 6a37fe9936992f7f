#!/bin/sh
# t4070: mb-stat --show-keys prints real key names only when asked, and --namespaces groups raw keys
# and mb-anon --prefix hashes the same way.
test_description='mb-stat hot keys by name and namespaces'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup: a namespaced raw stream, its hashed twin, and the expected figures' '
	"$MB_PYTHON" "$MB_SRC/t/lib/stat-ns-gen.py" ns.txt expect.json 4 &&
	mb-cat -p ns.txt >raw.bin &&
	printf "00112233445566778899aabbccddeeff\n" >secret &&
	mb-anon -k secret --prefix ":/" raw.bin >prefix.bin &&
	mb-anon -k secret raw.bin >plain.bin
'

test_expect_success '--show-keys: the top keys by name with their exact counts' '
	mb-stat --json --show-keys --top 12 raw.bin >k.json &&
	"$MB_PYTHON" - <<-\EOF
	import json
	want = json.load(open("expect.json"))["keys"]
	got = json.load(open("k.json"))["popularity"]
	assert got["names"] is True
	top = got["top"]
	assert len(top) == 12
	for t in top:
	    assert t["name"] is not None and want[t["name"]] == t["count"], t
	assert [t["count"] for t in top] == sorted(want.values(), reverse=True)[:12]
	EOF
	mb-stat --show-keys --top 12 raw.bin >k.txt &&
	"$MB_PYTHON" -c "import json; t = json.load(open(\"k.json\"))[\"popularity\"][\"top\"]; print(\"\n\".join(\"%d %s\" % (x[\"count\"], x[\"name\"]) for x in t))" >want &&
	sed -n "/^KEY POPULARITY/,/zipf/p" k.txt | awk "/%/ { print \$2, \$5 }" >got &&
	test_cmp want got &&
	mb-stat --show-keys --namespaces ":/" --top 12 --html k.html raw.bin >/dev/null &&
	sed -n "/<h2>Key popularity/,/<\/table>/p" k.html | grep -o "<code>[^<]*</code></td><td>[0-9]*" |
		sed "s|<code>\([^<]*\)</code></td><td>\(.*\)|\2 \1|" >html.got &&
	test_cmp want html.got &&
	grep -q "<h3>Namespaces (5, by first segment)</h3>" k.html && grep -q "<td><code>user</code></td>" k.html
'

test_expect_success 'without --show-keys no key byte leaves mb-stat, in any format' '
	mb-stat raw.bin >t.txt && mb-stat --json raw.bin >t.json && mb-stat --html t.html raw.bin >/dev/null &&
	mb-stat --namespaces : raw.bin >n.txt && mb-stat --live raw.bin >l.txt &&
	top=$(sed -n 1p got | cut -d" " -f2) && test -n "$top" &&
	for f in t.txt t.json t.html n.txt l.txt; do ! grep -F "$top" $f || exit 1; done &&
	! grep -E "user|session" n.txt &&
	grep -q "^  *1 #[0-9a-f]\{16\}  *[0-9]" t.txt
'

test_expect_success '--show-keys on hashed keys says so on stderr and shows hashes' '
	mb-stat --json --show-keys prefix.bin >h.json 2>h.err &&
	test_one_line_error mb-stat h.err && grep -q "^mb-stat: warning: --show-keys: .*hashed by mb-anon; only their hashes can be shown" h.err &&
	test_expect_code 1 mb-stat --show-keys prefix.bin >/dev/full 2>h.err &&
	test_one_line_error mb-stat h.err && grep -q "write error" h.err &&
	"$MB_PYTHON" -c "import json; p = json.load(open(\"h.json\"))[\"popularity\"]; assert p[\"names\"] is False and all(t[\"key\"][0] == \"@\" and \"name\" not in t for t in p[\"top\"])"
'

test_expect_success 'names are escaped as mb-cat escapes keys, and cut at 250 bytes' '
	"$MB_PYTHON" - <<-\EOF &&
	with open("esc.txt", "w") as f:
	    f.write("#membench\tversion=1\tkind=events-raw\n")
	    for i in range(3):
	        f.write("ev\t1700000000.%d\t1\ttext/tcp\tget\tmiss\ta\\x20b\\x0a\\xff\t5\t0\t0\t-\t0\t0\t0\n" % i)
	    for i in range(2):
	        f.write("ev\t1700000001.%d\t1\tbinary/tcp\tget\tmiss\t%s\t300\t0\t0\t-\t0\t0\t0\n" % (i, "y" * 300))
	EOF
	mb-cat -p esc.txt >esc.bin &&
	mb-stat --show-keys esc.bin >esc.out &&
	grep -F "a\x20b\x0a\xff" esc.out | grep -q "^ *1  *3 " &&
	grep -q "^ *2  *2 .*  $(printf "%0250d" 0 | tr 0 y)\.\.\.\$" esc.out &&
	mb-cat esc.bin | grep -F -q "a\x20b\x0a\xff"
'

test_expect_success CORPUS '--show-keys on a real capture: the keys and counts mb-cat sees' '
	mb-parse -P 31412 "$MB_CORPUS/pcaps/memcached-t/getset.first380.pcap" >gs.bin &&
	mb-cat gs.bin | awk -F"\t" "\$1 == \"ev\" && \$7 != \"-\" { n[\$7]++ } END { for (k in n) print n[k], k }" | sort -k1,1nr -k2 | head -3 >want &&
	test "$(head -1 want)" = "10 foo" &&
	mb-stat --show-keys --top 3 gs.bin | sed -n "/^KEY POPULARITY/,/zipf/p" | awk "/%/ { print \$2, \$5 }" | sort -k1,1nr -k2 >got &&
	test_cmp want got
'

# The namespaces of a report as sorted "requests keys hits misses bytes" rows (names left out).
ns_rows() {
	"$MB_PYTHON" -c "import json,sys; n = json.load(open(sys.argv[1]))[\"namespaces\"]
for t in sorted((x[\"requests\"], x[\"keys\"], x[\"hits\"], x[\"misses\"], x[\"bytes\"], x[\"error\"]) for x in n[\"top\"]): print(*t)" "$1"
}

test_expect_success '--namespaces on raw keys: the exact figures of every first segment' '
	mb-stat --json --namespaces ":/" --show-keys raw.bin >nr.json &&
	"$MB_PYTHON" - <<-\EOF
	import json
	want = json.load(open("expect.json"))["namespaces"]
	n = json.load(open("nr.json"))["namespaces"]
	assert n["by"] == "first-segment" and n["count"] == len(want) == 5, n
	for t in n["top"]:
	    w = want[t["namespace"]]
	    assert (t["requests"], t["keys"], t["hits"], t["misses"], t["bytes"], t["error"]) == \
	        (w["requests"], w["keys"], w["hits"], w["misses"], w["bytes"], 0), (t, w)
	assert [t["namespace"] for t in n["top"]] == sorted(want, key=lambda k: -want[k]["requests"])
	EOF
'

test_expect_success '--namespaces on mb-anon --prefix hashes: the same groups, named by tag' '
	mb-stat --json --namespaces "/:" prefix.bin >nh.json &&
	ns_rows nr.json >want && ns_rows nh.json >got && test_cmp want got &&
	"$MB_PYTHON" -c "import json; n = json.load(open(\"nh.json\"))[\"namespaces\"]; assert n[\"by\"] == \"anon-prefix-tag\"; assert all(len(t[\"namespace\"]) == 5 and t[\"namespace\"][0] == \"@\" for t in n[\"top\"])" &&
	mb-stat --namespaces ":/" prefix.bin >nh.txt &&
	grep -q "^NAMESPACES (5, by mb-anon --prefix tag of the first segment)" nh.txt
'

test_expect_success '--namespaces refuses streams it cannot group, and bad delimiters' '
	test_expect_code 1 mb-stat --namespaces : plain.bin >/dev/null 2>e1 &&
	test_one_line_error mb-stat e1 && grep -q "hashed without mb-anon --prefix" e1 &&
	test_expect_code 1 mb-stat --show-keys --namespaces : plain.bin >/dev/null 2>e1 &&
	test_one_line_error mb-stat e1 && grep -q "hashed without mb-anon --prefix" e1 &&
	test_expect_code 1 mb-stat --namespaces : prefix.bin >/dev/null 2>e2 &&
	test_one_line_error mb-stat e2 && grep -q "hashed with mb-anon --prefix .:/., not .:." e2 &&
	test_expect_code 2 mb-stat --namespaces "a b" raw.bin 2>e3 && grep -q "^mb-stat: --namespaces: " e3 &&
	test_expect_code 2 mb-stat --namespaces "" raw.bin 2>/dev/null
'

test_done
