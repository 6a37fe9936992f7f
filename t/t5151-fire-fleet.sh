#!/bin/sh
# t5151-fire-fleet: scripts/mb-fleet runs 3 mb-fire shards over ssh (GNU parallel) on 3 load hosts with one --start-at, and merges their reports.
# mb-test: live (network namespaces with sshd and memcached, a timed common start: runs alone, after the parallel tests)
# Four network namespaces on a bridge of their own (10.232.X.0/24): the server host (the
# bridge, two memcached, and the launcher, as an operator's machine) and 3 load hosts, each
# with an sshd of its own (throwaway keys in the trash directory). The whole workload replays
# from one load host against memcached A; mb-fleet replays it in 3 shards (--shard-keys)
# against memcached B. B's counters must equal A's, the merged report's counts and histogram
# counts must be the sums of the shards', and every shard must report a start skew under 5 ms.
test_description='scripts/mb-fleet: 3 shards over ssh from one start instant, one merged report'
. "$(dirname "$0")/test-lib.sh"

P=mbfl$(($$ % 100000))
NET=10.232.$(($$ % 250))
COUNTERS='^(cmd_get|cmd_set|cmd_touch|get_hits|get_misses|delete_hits|delete_misses|touch_hits|touch_misses) '

test_have_prereq ROOT,MEMCACHED || test_skip_all 'needs root and memcached'
for c in parallel rsync ssh ssh-keygen /usr/sbin/sshd; do
	command -v $c >/dev/null 2>&1 || test_skip_all "no $c (scripts/deps test installs it)"
done
if ! netns_lan $P $NET 4 2>netsetup.err; then
	test_skip_all "no network namespaces or bridge here: $(head -1 netsetup.err)"
fi
[ -d /root/.parallel ] && had_parallel_home=1 || had_parallel_home=0

# jv FILE EXPR: a value of a JSON report (EXPR indexes the parsed object j)
jv() { "$MB_PYTHON" -c 'import json, sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

test_expect_success 'the hosts: sshd on the 3 load hosts, two memcached on the server host' '
	ssh_test_keys "$TRASH/ssh" &&
	for k in 1 2 3; do
		sshd_in_netns $P$k $NET.$((k + 1)) "$TRASH/ssh" || return 1
	done &&
	for port in 11211 11212; do
		ip netns exec ${P}0 memcached -u root -l $NET.1 -p $port -U 0 -t 2 -m 64 >mc.$port.log 2>&1 &
	done &&
	wait_for "mc_stats 11211 $NET.1 ${P}0 >/dev/null 2>&1 && mc_stats 11212 $NET.1 ${P}0 >/dev/null 2>&1" 50 &&
	ip netns exec ${P}0 ssh -F "$TRASH/ssh/ssh_config" $NET.3 "ip -4 -o addr show" >who &&
	grep -q " inet $NET.3/24 " who
'

test_expect_success 'a workload of 12 connections in 5 key groups, 3 s long' '
	mb-gen -n 9000 -c 12 -K 1500 -m get=70,set=25,delete=5 -r 3000 --raw --seed 11 | mb-cat |
		awk -F "	" "BEGIN { OFS = \"	\" } \$1 == \"ev\" { \$7 = \"g\" (\$3 % 5) \$7; \$8 = \$8 + 2 } { print }" |
		mb-cat -p >w.bin
'

test_expect_success 'the whole replay from one load host, against memcached A' '
	ip netns exec ${P}1 mb-fire -q -t $NET.1:11212 --json whole.json w.bin >whole.txt &&
	grep "^mb-fire: 9000 operations" whole.txt &&
	mc_stats 11212 $NET.1 ${P}0 | grep -E "$COUNTERS" | sort >whole.stats
'

# an ssh that says something on stderr every time, as a login shell with a noisy profile does
test_expect_success 'mb-fleet: 3 shards over ssh, against memcached B; its counters equal A'"'"'s' '
	printf "#!/bin/sh\necho \"a login banner on stderr\" >&2\nexec ssh \"\$@\"\n" >noisy-ssh && chmod +x noisy-ssh &&
	ip netns exec ${P}0 env PARALLEL_HOME="$TRASH/parallel" "$MB_SRC/scripts/mb-fleet" \
		-H $NET.2,$NET.3,$NET.4 -t $NET.1:11211 --ssh "$TRASH/noisy-ssh -F $TRASH/ssh/ssh_config" \
		--mb-fire "$MB_BIN/mb-fire" --remote-dir "$TRASH/remote" -o out w.bin -- --shard-keys >fleet.txt 2>fleet.err &&
	cat fleet.err fleet.txt &&
	mc_stats 11211 $NET.1 ${P}0 | grep -E "$COUNTERS" | sort >fleet.stats &&
	test_cmp whole.stats fleet.stats &&
	for k in 0 1 2; do
		test "$(jv out/shard-$k.json "j[\"shard\"][\"index\"]")" = $k &&
		test "$(jv out/shard-$k.json "j[\"shard\"][\"cross_shard_orders\"]")" = 0 || return 1
	done &&
	test ! -e "$TRASH/remote"
'

test_expect_success 'the merged report: counts and histogram counts are the sums of the shards'"'"'' '
	"$MB_PYTHON" - out/merged.json out/shard-0.json out/shard-1.json out/shard-2.json <<-\PY
	import json, sys
	m = json.load(open(sys.argv[1]))
	shards = [json.load(open(f)) for f in sys.argv[2:]]
	def hcount(h):
	    return sum(b[-1] for b in h["buckets"])
	ok = m["ops"] == sum(s["ops"] for s in shards) == 9000
	ok &= m["requests"] == sum(s["requests"] for s in shards)
	for c, mc in m["commands"].items():
	    want = sum(s["commands"][c]["ops"] for s in shards if c in s["commands"])
	    got_h = hcount(mc["latency_intended"])
	    want_h = sum(hcount(s["commands"][c]["latency_intended"]) for s in shards if c in s["commands"])
	    print("# %s: ops %d = %d, histogram %d = %d" % (c, mc["ops"], want, got_h, want_h))
	    ok &= mc["ops"] == want and got_h == want_h and mc["latency_intended"]["count"] == want_h
	sys.exit(not ok)
	PY
'

test_expect_success 'every shard started within 5 ms of the common instant' '
	at=$(jv out/shard-0.json "\"%.3f\" % j[\"start_at_unix_s\"]") &&
	grep "starting at $at (unix s)" fleet.err &&
	for k in 0 1 2; do
		test "$(jv out/shard-$k.json "\"%.3f\" % j[\"start_at_unix_s\"]")" = "$at" &&
		s=$(jv out/shard-$k.json "j[\"start_skew_ms\"]") &&
		echo "# shard $k: start skew $s ms" &&
		"$MB_PYTHON" -c "import sys; sys.exit(not 0 <= $s < 5)" || return 1
	done
'

test_expect_success 'a host that cannot be reached: exit 1 before anything starts' '
	test_expect_code 1 ip netns exec ${P}0 env PARALLEL_HOME="$TRASH/parallel" "$MB_SRC/scripts/mb-fleet" \
		-H $NET.2,$NET.9 -t $NET.1:11211 --ssh "ssh -F $TRASH/ssh/ssh_config -o ConnectTimeout=1" \
		--mb-fire "$MB_BIN/mb-fire" --remote-dir "$TRASH/remote2" -o out2 w.bin 2>bad.err &&
	grep "^mb-fleet: a load host cannot be reached or has no working mb-fire" bad.err &&
	test ! -e out2/shard-0.json &&
	test_expect_code 2 "$MB_SRC/scripts/mb-fleet" -t x:1 w.bin 2>usage.err &&
	grep "^mb-fleet: no load hosts: give -H HOST" usage.err
'

test_expect_success 'nothing left behind in the home directory' '
	test $had_parallel_home = 1 || test ! -e /root/.parallel
'

test_done
