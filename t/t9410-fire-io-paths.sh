#!/bin/sh
# t9410: mb-fire's two I/O paths, io_uring batches and a system call each, replay exactly: every
# request reaches memcached (its own counters), small values and values of 100-300 KB (sends
# and receives in parts), closed loop and timed. t9xxx tests also run under the sanitizer build
# (make check), and this one is where ASan and UBSan see the io_uring path: valgrind (t9400)
# cannot follow the kernel's writes into its receive buffers.
test_description='mb-fire: io_uring batches and a call each, exact under the sanitizers'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup: a small-value and a large-value stream' '
	mb-gen -n 3000 -K 300 -c 8 -m get=10,set=1 --seed 7 >small.bin &&
	mb-gen -n 200 -K 20 -c 4 -m get=1,set=1 --value-size 100000-300000 --seed 8 >large.bin
'

# replay_exact FILE OPS ARGS...: mb-fire replays FILE with ARGS against a fresh memcached; it
# reports OPS operations and no error, and memcached counted OPS gets and sets
replay_exact() {
	file=$1 ops=$2
	shift 2
	start_memcached -I 1m &&
	mb-fire -q -t 127.0.0.1:$MC_PORT "$@" "$file" >report &&
	grep "^mb-fire: $ops operations" report &&
	grep "^errors: 0 " report &&
	n=$(mc_stats $MC_PORT | awk "/^cmd_get |^cmd_set / { n += \$2 } END { print n }") &&
	test "$n" = "$ops" || { cat report; echo "memcached counted $n gets and sets, want $ops"; return 1; }
	stop_pid $MC_PID
}

for io in "" --no-uring; do
	test_expect_success MEMCACHED "small values ${io:-(io_uring)}: --max -T 2, --max -T 1 --depth 8, -s 20 -T 2" '
		replay_exact small.bin 3000 --max -T 2 '$io' &&
		replay_exact small.bin 3000 --max -T 1 --depth 8 '$io' &&
		replay_exact small.bin 3000 -s 20 -T 2 '$io'
	'
	test_expect_success MEMCACHED "values of 100-300 KB ${io:-(io_uring)}: sent and read in parts, --max and -s 20" '
		replay_exact large.bin 200 --max -T 2 '$io' &&
		replay_exact large.bin 200 --max -T 1 --depth 4 '$io' &&
		replay_exact large.bin 200 -s 20 -T 1 '$io'
	'
done

test_done
