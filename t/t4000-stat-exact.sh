#!/bin/sh
# t4000: mb-stat's counts and percentiles equal what a generator with known parameters put in.
test_description='mb-stat exact figures'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'generated stream: counts exact, percentiles within resolution, Zipf within 0.05' '
	"$MB_PYTHON" "$MB_SRC/t/lib/stat-gen.py" gen.txt expect.json 7 &&
	mb-cat -p gen.txt >gen.bin &&
	mb-stat --json gen.bin >got.json &&
	"$MB_PYTHON" "$MB_SRC/t/lib/stat-check.py" got.json expect.json
'

test_expect_success 'the checker fails on a wrong figure' '
	"$MB_PYTHON" -c "import json; e = json.load(open(\"expect.json\")); e[\"top\"][0][1] += 1; e[\"events\"] += 1; json.dump(e, open(\"wrong.json\", \"w\"))" &&
	test_expect_code 1 "$MB_PYTHON" "$MB_SRC/t/lib/stat-check.py" got.json wrong.json >out &&
	grep -q "^events: got" out && grep -q "^top: got" out
'

test_expect_success 'text report: sections and the same figures' '
	mb-stat gen.bin >report.txt &&
	for s in OVERVIEW "COMMAND MIX" "KEY, VALUE AND TTL SIZES" "ARRIVAL PROCESS" "TIME SERIES AND WORKING SET" \
		"KEY POPULARITY" "CACHE BEHAVIOUR" "SERVER LATENCY" ANOMALIES; do grep -q "^$s" report.txt || exit 1; done &&
	n=$("$MB_PYTHON" -c "import json; print(json.load(open(\"expect.json\"))[\"events\"])") &&
	grep -q "^  events  *$n\$" report.txt &&
	grep -q "^  distinct keys  *3000 (exact)" report.txt &&
	grep -q "^    desyncs  *3\$" report.txt && grep -q "^    evictions  *2\$" report.txt &&
	grep -q "^    unparsed_bytes  *17\$" report.txt
'

test_expect_success 'mb-gen streams: fitted Zipf exponent within 0.05 of -z' '
	for z in 0.7 1.0 1.3; do
		mb-gen -n 200000 -K 5000 -z $z --seed 11 | mb-stat --json --no-mrc >z.json &&
		"$MB_PYTHON" -c "import json,sys; s = json.load(open(\"z.json\"))[\"popularity\"][\"zipf\"][\"s\"]; print($z, s); sys.exit(abs(s - $z) > 0.05)" || exit 1
	done
'

test_expect_success 'raw keys and hashed keys give the same counts' '
	mb-gen -n 20000 -K 2000 --seed 3 --raw >raw.bin &&
	mb-gen -n 20000 -K 2000 --seed 3 >hashed.bin &&
	mb-stat --json raw.bin >raw.json && mb-stat --json hashed.bin >hashed.json &&
	"$MB_PYTHON" - <<-\EOF
	import json
	a, b = json.load(open("raw.json")), json.load(open("hashed.json"))
	for k in ("events", "distinct_keys", "connections", "key_bytes", "answered"):
	    assert a["overview"][k] == b["overview"][k], k
	assert [t["count"] for t in a["popularity"]["top"]] == [t["count"] for t in b["popularity"]["top"]]
	assert a["popularity"]["top"][0]["key"].startswith("#") and b["popularity"]["top"][0]["key"].startswith("@")
	assert a["cache"]["mrc"]["rate"] == 1 and a["cache"]["mrc"] == b["cache"]["mrc"]
	EOF
'

test_expect_success '--top and --window shape the report' '
	mb-stat --json --top 3 --window 500ms gen.bin >w.json &&
	"$MB_PYTHON" - <<-\EOF
	import json
	g, e = json.load(open("w.json")), json.load(open("expect.json"))
	assert len(g["popularity"]["top"]) == 3
	assert g["series"]["window_s"] == 0.5
	assert sum(w["ops"] for w in g["series"]["windows"]) == e["events"]
	assert len(g["series"]["windows"]) in (2 * len(e["per_second"]) - 1, 2 * len(e["per_second"]))
	assert g["series"]["windows"][-1]["total_keys"] == 3000
	assert sum(w["new_keys"] for w in g["series"]["windows"]) == 3000
	EOF
'

test_expect_success 'a key table bound switches to estimates and says so' '
	mb-gen -n 50000 -K 20000 -z 0.5 --seed 5 >k.bin &&
	mb-stat --json --max-keys 1000 --no-mrc k.bin >b.json &&
	mb-stat --json --no-mrc k.bin >all.json &&
	"$MB_PYTHON" - <<-\EOF
	import json
	g = json.load(open("b.json"))
	o = g["overview"]
	assert o["distinct_keys_exact"] is False and g["popularity"]["exact"] is False
	exact = json.load(open("all.json"))["overview"]
	assert exact["distinct_keys_exact"] is True
	assert abs(o["distinct_keys"] - exact["distinct_keys"]) < 0.03 * exact["distinct_keys"], (o, exact)
	assert len(g["popularity"]["top"]) == 10
	EOF
'

test_done
