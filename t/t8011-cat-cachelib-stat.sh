#!/bin/sh
# t8011: a CacheLib trace through mb-cat --from, mb-pack and mb-stat gives the command counts of the CSV summed by hand.
test_description='cachelib trace -> profile -> mb-stat'
. "$(dirname "$0")/test-lib.sh"

CL=$MB_SHARED/corpus/traces/cachelib-kv_traces_1.csv
[ -f "$CL" ] && test_set_prereq CLTRACE

test_expect_success CLTRACE 'mb-cat --from cachelib | mb-pack | mb-stat: counts per command, hits and misses' '
	mb-cat --from cachelib <"$CL" | mb-pack >cl.prof &&
	mb-stat --json <cl.prof >stat.json &&
	"$MB_PYTHON" - "$CL" stat.json >got <<-\EOF &&
	import csv, json, sys
	cmd = {"GET": "get", "GET_LEASE": "get", "SET": "set", "SET_LEASE": "set", "DELETE": "delete"}
	want = {}
	for r in csv.DictReader(open(sys.argv[1])):
	    c = cmd[r["op"]]
	    w = want.setdefault(c, [0, 0, 0])
	    w[0] += int(r["op_count"])
	    if c == "get":
	        w[1] += int(r["cache_hits"])
	        w[2] += int(r["op_count"]) - int(r["cache_hits"])
	st = json.load(open(sys.argv[2]))
	got = {c["cmd"]: [c["count"], c["hits"], c["misses"]] for c in st["commands"] if c["count"]}
	print("want", sorted(want.items()))
	print("got ", sorted(got.items()))
	print("events", st["overview"]["events"], sum(w[0] for w in want.values()))
	EOF
	sed -n 1p got | cut -c6- >a && sed -n 2p got | cut -c6- >b && test_cmp a b &&
	grep -q "^want .*(.get., \[678, " got &&
	echo "events 691 691" >expect && sed -n 3p got >e && test_cmp expect e
'

test_expect_success CLTRACE 'the text report shows the same command counts' '
	mb-stat <cl.prof >report.txt &&
	sed -n "/^COMMAND MIX/,/^\$/p" report.txt | grep -E "^  (get|set|delete) +[0-9]+ " | awk "{print \$1, \$2}" >got &&
	printf "get 678\nset 10\ndelete 3\n" >expect && test_cmp expect got
'

test_done
