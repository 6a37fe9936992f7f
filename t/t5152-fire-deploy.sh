#!/bin/sh
# t5152-fire-deploy: deploy/'s Kubernetes manifests validate offline; the Indexed Job's own command replays 3 shards.
# scripts/k8s-validate checks every document against the API schemas of the npm package
# kubernetes-models (no cluster, no network) and must reject broken copies. The schemas do not
# reject unknown fields, so the fields the shards depend on are asserted here. Then the pod
# command of the Job runs here once per completion index, with the volumes as directories:
# memcached's counters must add up to the whole input.
test_description='deploy/: the Kubernetes Indexed Job of mb-fire shards'
. "$(dirname "$0")/test-lib.sh"

V=$MB_SRC/scripts/k8s-validate
D=$MB_SRC/deploy
: "${MB_NODE_PREFIX:=/usr/local/lib/membench-node}"
command -v node >/dev/null 2>&1 || test_skip_all 'no node (scripts/deps test installs it)'
[ -d "$MB_NODE_PREFIX/node_modules/kubernetes-models" ] ||
	test_skip_all "no kubernetes-models under $MB_NODE_PREFIX (scripts/deps test installs it)"
"$MB_PYTHON" -c 'import yaml' 2>/dev/null || test_skip_all 'no python3-yaml'

# y FILE EXPR: a value of the first YAML document of FILE (EXPR indexes the parsed d)
y() { "$MB_PYTHON" -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

test_expect_success 'every manifest of deploy/ validates' '
	"$V" "$D"/*.yaml >out &&
	cat out &&
	test $(grep -c ": ok\$" out) = 4 &&
	grep -q "^$D/mb-fire-job.yaml: document 1: Job mb-fire-shards: ok\$" out
'

test_expect_success 'broken copies are rejected, each with its error' '
	sed "s/completionMode: Indexed/completionMode: Index/" "$D/mb-fire-job.yaml" >b1.yaml &&
	test_expect_code 1 "$V" b1.yaml 2>e1 &&
	grep -q "data/spec/completionMode must be equal to one of the allowed values" e1 &&
	sed "s/completions: 3/completions: three/" "$D/mb-fire-job.yaml" >b2.yaml &&
	test_expect_code 1 "$V" b2.yaml 2>e2 &&
	grep -q "data/spec/completions must be integer" e2 &&
	"$MB_PYTHON" -c "import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); del d[\"spec\"][\"template\"][\"spec\"][\"containers\"]; yaml.safe_dump(d, open(\"b3.yaml\", \"w\"))" "$D/mb-fire-job.yaml" &&
	test_expect_code 1 "$V" b3.yaml 2>e3 &&
	grep -q "data/spec/template/spec must have required property containers" e3 &&
	printf "apiVersion: batch/v1\nkind: Jobb\nmetadata: {name: x}\n" >b4.yaml &&
	test_expect_code 1 "$V" b4.yaml 2>e4 &&
	grep -q "unknown kind Jobb in batch/v1" e4 &&
	test_expect_code 2 "$V" 2>e5
'

test_expect_success 'the Job is Indexed, one pod per shard, its shard from the completion index' '
	J=$D/mb-fire-job.yaml &&
	test "$(y $J "d[\"spec\"][\"completionMode\"]")" = Indexed &&
	n=$(y $J "d[\"spec\"][\"completions\"]") &&
	test "$(y $J "d[\"spec\"][\"parallelism\"]")" = "$n" &&
	test "$(y $J "[e[\"value\"] for e in d[\"spec\"][\"template\"][\"spec\"][\"containers\"][0][\"env\"] if e[\"name\"] == \"SHARDS\"][0]")" = "$n" &&
	y $J "d[\"spec\"][\"template\"][\"spec\"][\"containers\"][0][\"args\"][0]" >cmd &&
	grep -q -- "--shard \"\$JOB_COMPLETION_INDEX/\$SHARDS\"" cmd &&
	grep -q -- "--start-at \"\$START_AT\"" cmd &&
	y $D/mb-fire-merge.yaml "d[\"spec\"][\"template\"][\"spec\"][\"containers\"][0][\"args\"][0]" | grep -q -- "mb-fire --merge /reports/shard-\*.json"
'

test_expect_success MEMCACHED 'the pod command, run here for indexes 0, 1 and 2: the shards add up to the input' '
	mkdir -p profile reports &&
	mb-gen -n 6000 -c 9 -K 500 -m get=80,set=20 --seed 5 >profile/profile.bin &&
	start_memcached &&
	y "$D/mb-fire-job.yaml" "d[\"spec\"][\"template\"][\"spec\"][\"containers\"][0][\"args\"][0]" |
		sed "s|/profile/|$TRASH/profile/|g; s|/reports/|$TRASH/reports/|g" >pod.sh &&
	at=$("$MB_PYTHON" -c "import time; print(\"%.3f\" % (time.time() + 2))") &&
	for k in 0 1 2; do
		JOB_COMPLETION_INDEX=$k SHARDS=3 START_AT=$at TARGET=127.0.0.1:$MC_PORT MB_FIRE_OPTS=--max sh pod.sh & eval p$k=\$!
	done &&
	wait $p0 && wait $p1 && wait $p2 &&
	cat reports/shard-0.txt &&
	total=0 &&
	for k in 0 1 2; do
		grep "^start: at $at" reports/shard-$k.txt &&
		total=$((total + $(grep "^mb-fire: " reports/shard-$k.txt | cut -d" " -f2))) || return 1
	done &&
	test $total = 6000 &&
	mc_stats $MC_PORT >stats &&
	test $(( $(awk "\$1 == \"cmd_get\" {print \$2}" stats) + $(awk "\$1 == \"cmd_set\" {print \$2}" stats) )) = 6000
'

test_done
