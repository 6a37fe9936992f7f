#!/bin/sh
# t4050: mb-stat on every corpus capture parsed by mb-parse: exit 0, the events and counters mb-parse reported.
test_description='mb-stat on real captures'
. "$(dirname "$0")/test-lib.sh"

test_expect_success CORPUS 'every capture: events match mb-parse, every upstream counter is reported' '
	n=0 &&
	for f in "$MB_CORPUS"/pcaps/*/*.pcap; do
		mb-parse -P 11211,31411-31431 "$f" >ev.bin 2>/dev/null || { echo "mb-parse failed on $f"; exit 1; }
		mb-stat --json ev.bin >s.json || { echo "mb-stat failed on $f"; exit 1; }
		mb-stat ev.bin >s.txt || { echo "mb-stat text failed on $f"; exit 1; }
		"$MB_PYTHON" - "$f" <<-\EOF || exit 1
		import json, sys
		d = json.load(open("s.json"))
		up = d["anomalies"]["upstream"]["mb-parse"]
		assert d["overview"]["events"] == up["events"], (sys.argv[1], d["overview"]["events"], up)
		text = open("s.txt").read()
		for name, val in up.items():
		    assert "    %-24s %d\n" % (name, val) in text, (sys.argv[1], name)
		EOF
		n=$((n + 1))
	done &&
	echo "# $n captures" && test $n -ge 20
'

test_done
