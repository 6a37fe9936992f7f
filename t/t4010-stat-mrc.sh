#!/bin/sh
# t4010: mb-stat's LRU miss-ratio curves against an exact LRU simulation written in python.
test_description='mb-stat miss-ratio curve'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'small trace: every point within 0.02 of a simulated LRU cache (objects and bytes)' '
	"$MB_PYTHON" "$MB_SRC/t/lib/stat-lru.py" gen small.txt 4000 600 1 &&
	mb-cat -p small.txt | mb-stat --json >small.json &&
	"$MB_PYTHON" "$MB_SRC/t/lib/stat-lru.py" check small.txt small.json 0.02 sim >out &&
	cat out && grep -q "sampling rate 1$" out &&
	"$MB_PYTHON" -c "import json,sys; m = json.load(open(\"small.json\"))[\"cache\"][\"mrc\"]; sys.exit(len(m[\"objects\"]) < 20 or len(m[\"bytes\"]) < 20)"
'

test_expect_success 'unsampled curves are exact (stack distances agree to 1e-9)' '
	"$MB_PYTHON" "$MB_SRC/t/lib/stat-lru.py" check small.txt small.json 0.000000001 stack
'

test_expect_success 'the check fails when the curve is wrong' '
	"$MB_PYTHON" -c "import json; d = json.load(open(\"small.json\")); p = d[\"cache\"][\"mrc\"][\"objects\"]; p[len(p) // 2][1] += 0.05; json.dump(d, open(\"bad.json\", \"w\"))" &&
	test_must_fail "$MB_PYTHON" "$MB_SRC/t/lib/stat-lru.py" check small.txt bad.json 0.02 sim
'

test_expect_success 'fixed-size SHARDS: 20000 keys in 4000 samples, within 0.05 everywhere' '
	"$MB_PYTHON" "$MB_SRC/t/lib/stat-lru.py" gen big.txt 200000 20000 2 &&
	mb-cat -p big.txt | mb-stat --json --mrc-samples 4000 >big.json &&
	"$MB_PYTHON" "$MB_SRC/t/lib/stat-lru.py" check big.txt big.json 0.05 stack >out &&
	cat out &&
	"$MB_PYTHON" -c "import json,sys; r = json.load(open(\"big.json\"))[\"cache\"][\"mrc\"][\"rate\"]; print(r); sys.exit(not 0.05 < r < 0.5)"
'

test_expect_success '--no-mrc leaves the curve out, --mrc-rate is stated' '
	mb-cat -p small.txt | mb-stat --json --no-mrc >n.json &&
	"$MB_PYTHON" -c "import json,sys; sys.exit(json.load(open(\"n.json\"))[\"cache\"][\"mrc\"] is not None)" &&
	mb-cat -p small.txt | mb-stat --no-mrc | grep -q "not computed (--no-mrc)" &&
	mb-cat -p small.txt | mb-stat --mrc-rate 0.5 | grep -q "SHARDS sampling rate 0.5,"
'

test_done
