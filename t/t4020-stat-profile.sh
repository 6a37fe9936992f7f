#!/bin/sh
# t4020: mb-stat reports the same numbers from a profile (mb-pack) as from the plain event stream.
test_description='mb-stat on profiles'
. "$(dirname "$0")/test-lib.sh"

# Everything but the stream header and the summary mb-pack adds.
strip() {
	"$MB_PYTHON" -c "import json,sys; d = json.load(open(sys.argv[1])); d.pop(\"stream\"); d[\"anomalies\"][\"upstream\"].pop(\"mb-pack\", None); print(json.dumps(d, indent=1, sort_keys=True))" "$1"
}

test_expect_success 'generated stream and its profile: identical reports' '
	"$MB_PYTHON" "$MB_SRC/t/lib/stat-gen.py" gen.txt expect.json 9 &&
	mb-cat -p gen.txt >gen.bin &&
	mb-pack gen.bin >gen.prof &&
	mb-stat --json gen.bin >a.json &&
	mb-stat --json gen.prof >b.json &&
	strip a.json >a.txt && strip b.json >b.txt && test_cmp a.txt b.txt &&
	grep -q "\"mb-pack\":{\"events\":" b.json &&
	strip b.json >b2.json && "$MB_PYTHON" "$MB_SRC/t/lib/stat-check.py" b2.json expect.json
'

test_expect_success 'mb-gen stream through mb-pack on stdin: identical reports' '
	mb-gen -n 100000 -K 5000 -c 30 --seed 8 >g.bin &&
	mb-pack <g.bin >g.prof &&
	mb-stat --json <g.bin >c.json && mb-stat --json <g.prof >d.json &&
	strip c.json >c.txt && strip d.json >d.txt && test_cmp c.txt d.txt
'

test_done
