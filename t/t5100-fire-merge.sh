#!/bin/sh
# t5100: mb-fire --merge sums JSON reports exactly: two replays of one profile give twice the
# counts, every histogram bucket the sum of the two, the total the sum of the shards' and
# memcached's own command counts; the text report says "N operations" as a run's does; a merge
# of merges equals the merge of all; bad, foreign, other-version and inconsistent reports are
# refused with one line naming the file.
test_description='mb-fire --merge'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq MEMCACHED || test_skip_all 'memcached is missing (scripts/deps test)'
start_memcached || test_skip_all 'memcached did not start'

# check.py A.json B.json ... MERGED.json: MERGED holds the exact sums of the others.
cat >check.py <<'PY'
import json, sys
ins = [json.load(open(f)) for f in sys.argv[1:-1]]
m = json.load(open(sys.argv[-1]))
assert m["schema"] == "membench-fire/1", m["schema"]
assert m["reports"] == sum(r["reports"] for r in ins), m["reports"]
for k in ("ops", "requests", "input_events", "errors", "lost", "unanswered", "workers"):
    assert m[k] == sum(r[k] for r in ins), (k, m[k])
for k in ("recorded_reads", "recorded_hits", "replayed_reads", "replayed_hits"):
    assert m["hit_ratio"][k] == sum(r["hit_ratio"][k] for r in ins), k
def buckets(h):
    return {(b[0], b[1]): b[2] for b in h["buckets"]}
def check_hist(name, mh, hs):
    want = {}
    for h in hs:
        for k, v in buckets(h).items():
            want[k] = want.get(k, 0) + v
    assert buckets(mh) == want, name
    assert mh["count"] == sum(h["count"] for h in hs) == sum(want.values()), name
    assert mh["max_ns"] == max(h["max_ns"] for h in hs), name
    assert mh["min_ns"] == min([h["min_ns"] for h in hs if h["count"]] or [0]), name
check_hist("lateness", m["lateness"], [r["lateness"] for r in ins])
cmds = set(c for r in ins for c in r["commands"])
assert set(m["commands"]) == cmds, (set(m["commands"]), cmds)
for c in cmds:
    have = [r["commands"][c] for r in ins if c in r["commands"]]
    assert m["commands"][c]["ops"] == sum(h["ops"] for h in have), c
    sts = set(s for h in have for s in h["status"])
    for s in sts:
        assert m["commands"][c]["status"][s] == sum(h["status"].get(s, 0) for h in have), (c, s)
    for k in ("latency_intended", "latency_actual"):
        check_hist(c + " " + k, m["commands"][c][k], [h[k] for h in have])
assert sum(p["ops"] for p in m["series"]["points"]) == m["ops"], "series ops"
print("ok", m["ops"])
PY

test_expect_success 'setup: two replays of one profile, memcached counting' '
	mb-gen -n 4000 -r 20000 -K 300 -c 4 -m get=70,set=20,delete=10 --seed 7 >g.bin &&
	mc_stats >before &&
	mb-fire -q --max -T 1 -t 127.0.0.1:$MC_PORT --json a.json g.bin >a.txt &&
	mb-fire -q --max -T 1 -t 127.0.0.1:$MC_PORT --json b.json g.bin >b.txt &&
	mc_stats >after &&
	grep -q "^mb-fire: 4000 operations" a.txt && grep -q "^mb-fire: 4000 operations" b.txt
'

test_expect_success 'merged: exactly twice the counts, buckets summed, the text says 8000 operations' '
	mb-fire --merge a.json b.json --json m.json >m.txt &&
	grep "^mb-fire: 8000 operations (8000 requests) in [0-9.]* s: [0-9]* ops/s$" m.txt &&
	grep -x "merged: 2 reports, their starts [0-9.]* ms apart at most" m.txt &&
	"$MB_PYTHON" check.py a.json b.json m.json &&
	"$MB_PYTHON" -c "
import json
a, m = json.load(open(\"a.json\")), json.load(open(\"m.json\"))
for c in a[\"commands\"]:
    assert m[\"commands\"][c][\"ops\"] == 2 * a[\"commands\"][c][\"ops\"], c
assert m[\"ops\"] == 8000
"
'

test_expect_success 'merged counts equal memcached'"'"'s own (stats before and after both runs)' '
	"$MB_PYTHON" -c "
import json
m = json.load(open(\"m.json\"))[\"commands\"]
b = dict(l.split() for l in open(\"before\"))
a = dict(l.split() for l in open(\"after\"))
d = lambda k: int(a[k]) - int(b[k])
assert m[\"get\"][\"ops\"] == d(\"cmd_get\"), (m[\"get\"][\"ops\"], d(\"cmd_get\"))
assert m[\"set\"][\"ops\"] == d(\"cmd_set\"), (m[\"set\"][\"ops\"], d(\"cmd_set\"))
assert m[\"delete\"][\"ops\"] == d(\"delete_hits\") + d(\"delete_misses\")
assert m[\"get\"][\"status\"][\"hit\"] == d(\"get_hits\")
"
'

test_expect_success 'the text table of the merge has the summed per-command counts' '
	for c in get set delete; do
		na=$(awk -v c=$c "\$1 == c { print \$2 }" a.txt) &&
		nb=$(awk -v c=$c "\$1 == c { print \$2 }" b.txt) &&
		nm=$(awk -v c=$c "\$1 == c { print \$2 }" m.txt) &&
		test "$nm" = $((na + nb)) || return 1
	done
'

test_expect_success 'a merge of merges equals the merge of all; one report merges to itself' '
	mb-fire -q --max -T 1 -t 127.0.0.1:$MC_PORT --json c.json g.bin >/dev/null &&
	mb-fire --merge m.json c.json --json mc.json >/dev/null &&
	mb-fire --merge a.json b.json c.json --json abc.json >/dev/null &&
	"$MB_PYTHON" check.py a.json b.json c.json mc.json &&
	"$MB_PYTHON" check.py a.json b.json c.json abc.json &&
	mb-fire --merge a.json --json a1.json >a1.txt &&
	"$MB_PYTHON" check.py a.json a1.json &&
	! grep "^merged:" a1.txt &&
	sed -n 1p a.txt | cut -d" " -f1-5 >want &&
	sed -n 1p a1.txt | cut -d" " -f1-5 >got &&
	test_cmp want got
'

test_expect_success '--json -: the merged JSON on stdout, the text report on stderr' '
	mb-fire --merge a.json b.json --json - >out.json 2>out.txt &&
	"$MB_PYTHON" check.py a.json b.json out.json &&
	grep -q "^mb-fire: 8000 operations" out.txt
'

test_expect_success 'a reader gone before the report (EPIPE): quiet exit 0, text, JSON, HTML and --compare' '
	run_stdout_closed /dev/null err mb-fire --merge a.json b.json && test_must_be_empty err &&
	for o in "--json -" "--html -"; do
		run_stdout_closed /dev/null err mb-fire --merge a.json b.json $o &&
		grep -q "^mb-fire: 8000 operations" err && ! grep "write error" err || return 1
	done &&
	run_stdout_closed /dev/null err mb-fire --compare a.json b.json && test_must_be_empty err
'

test_expect_success 'long runs: a latency sum past 10^15 ns merges' '
	"$MB_PYTHON" -c "
import json
r = json.load(open(\"a.json\"))
r[\"commands\"][\"get\"][\"latency_intended\"][\"sum_ns\"] = 3e16
json.dump(r, open(\"long.json\", \"w\"))
" &&
	mb-fire --merge long.json --json long2.json >/dev/null &&
	"$MB_PYTHON" -c "
import json
h = json.load(open(\"long2.json\"))[\"commands\"][\"get\"][\"latency_intended\"]
assert h[\"sum_ns\"] == 3e16 and h[\"mean_ns\"] == round(3e16 / h[\"count\"]), h[\"mean_ns\"]
"
'

test_expect_success '--html of a merge: the page has the summed per-command counts' '
	mb-fire --merge a.json b.json --html m.html >/dev/null &&
	head -c 15 m.html | grep -q "<!DOCTYPE html>" &&
	sed -n "/<h2>Latency per command/,/<\/table>/p" m.html | grep -o "<tr><td>[a-z]*</td><td>[0-9]*" |
		sed "s/<[^>]*>/ /g; s/  */ /g; s/^ //" | sort >got.cmds &&
	"$MB_PYTHON" -c "
import json
c = json.load(open(\"m.json\"))[\"commands\"]
for k in sorted(c): print(k, c[k][\"ops\"])" >want.cmds &&
	test_cmp want.cmds got.cmds
'

test_expect_success 'reports that lost requests: the merged report, then exit 1 as a replay would' '
	"$MB_PYTHON" -c "
import json
r = json.load(open(\"a.json\"))
r[\"lost\"] = 5
json.dump(r, open(\"lost.json\", \"w\"))
" &&
	test_expect_code 1 mb-fire --merge lost.json b.json >out 2>err &&
	grep "^mb-fire: 8000 operations" out &&
	grep -x "mb-fire: 5 requests were not sent or not answered (see the report)" err
'

test_expect_success 'bad reports: one line naming the file, exit 1; no report: exit 2' '
	printf "not json" >bad.json &&
	test_expect_code 1 mb-fire --merge a.json bad.json >out 2>err &&
	test $(wc -l <err) = 1 &&
	grep -x "mb-fire: not JSON: expected a value: '"'"'bad.json'"'"' at byte 0" err &&
	echo "{\"program\": \"mb-stat\"}" >other.json &&
	test_expect_code 1 mb-fire --merge a.json other.json >out 2>err &&
	test $(wc -l <err) = 1 && grep "not an mb-fire JSON report.*'"'"'other.json'"'"'" err &&
	sed "s|membench-fire/1|membench-fire/2|" a.json >v2.json &&
	test_expect_code 1 mb-fire --merge a.json v2.json >out 2>err &&
	test $(wc -l <err) = 1 &&
	grep -x "mb-fire: report of schema '"'"'membench-fire/2'"'"', this mb-fire reads membench-fire/1: '"'"'v2.json'"'"'" err &&
	sed "s|\"mode\": \"max\"|\"mode\": \"rate\"|" b.json >rate.json &&
	test_expect_code 1 mb-fire --merge a.json rate.json >out 2>err &&
	test $(wc -l <err) = 1 && grep "mode rate.*mode max.*'"'"'rate.json'"'"'" err &&
	"$MB_PYTHON" -c "
import json
r = json.load(open(\"a.json\"))
r[\"commands\"][\"get\"][\"latency_intended\"][\"buckets\"][0][2] += 1
json.dump(r, open(\"tampered.json\", \"w\"))
r = json.load(open(\"a.json\"))
r[\"commands\"][\"get\"][\"ops\"] += 1
json.dump(r, open(\"sum.json\", \"w\"))
r = json.load(open(\"a.json\"))
b = r[\"commands\"][\"set\"][\"latency_actual\"][\"buckets\"][-1]; b[0] += 1
json.dump(r, open(\"bucket.json\", \"w\"))
" &&
	test_expect_code 1 mb-fire --merge tampered.json >out 2>err &&
	grep -x "mb-fire: bad report: get latency_intended buckets do not add up to its count: '"'"'tampered.json'"'"'" err &&
	test_expect_code 1 mb-fire --merge sum.json >out 2>err &&
	grep -x "mb-fire: bad report: get statuses do not add up to its ops: '"'"'sum.json'"'"'" err &&
	test_expect_code 1 mb-fire --merge bucket.json >out 2>err &&
	grep -x "mb-fire: bad report: set latency_actual has a bucket that is not \[lowest, highest, count\] of its histogram: '"'"'bucket.json'"'"'" err &&
	test_expect_code 1 mb-fire --merge missing.json >out 2>err &&
	grep -x "mb-fire: cannot open report: No such file or directory: '"'"'missing.json'"'"'" err &&
	test_expect_code 2 mb-fire --merge 2>err &&
	grep -x "mb-fire: --merge wants JSON reports (try '"'"'mb-fire --help'"'"')" err
'

test_done
