#!/bin/sh
# t9100: a write error is an error. Every program's output on a full device (/dev/full), a
# full filesystem (a small tmpfs), a hung-up terminal (EIO) and a descriptor opened read-only
# (EBADF): exit 1 and one line "prog: write error: <cause>: '<output>'...", never exit 0 with
# a cut file. Only a closed pipe (EPIPE) ends quietly (t9900). Also runs under the sanitizer build.
test_description='write errors: ENOSPC, EIO, EBADF on every program'
. "$(dirname "$0")/test-lib.sh"

C=$MB_CORPUS/pcaps/memcached-t
[ -f "$C/binary.first900.pcap" ] && test_set_prereq BIGPCAP
if test_have_prereq ROOT && mkdir -p probe && mount -t tmpfs -o size=64k tmpfs probe 2>/dev/null; then
	umount probe
	test_set_prereq TMPFS
fi

test_expect_success 'setup: inputs for every program' '
	mb-anon --new-key >key &&
	mb-gen -n 20000 >hashed.bin &&
	mb-gen -n 20000 --raw >raw.bin &&
	mb-cat hashed.bin >hashed.txt &&
	mb-cat --to twitter hashed.bin >trace.csv
'

# write_case TARGET EXPECTED-CAUSE PROG ARGS...: PROG's stdout on TARGET (full, tmpfs,
# hungup, rdonly) -> exit 1, exactly one line naming the cause and the output.
write_case() {
	target=$1 cause=$2 prog=$3
	shift 3
	rc=0
	case $target in
	full) "$prog" "$@" >/dev/full 2>err || rc=$? ;;
	tmpfs) "$prog" "$@" >small/out 2>err || rc=$?; rm -f small/out ;;
	hungup) run_stdout_hungup /dev/null err "$prog" "$@" || rc=$? ;;
	rdonly) "$prog" "$@" 1<key 2>err || rc=$? ;;
	esac
	if [ "$rc" != 1 ]; then echo "$prog $* >$target: exit $rc, want 1"; cat err; return 1; fi
	test_one_line_error "$prog" err &&
	grep -q "^$prog: write error: $cause: 'stdout'" err || { echo "not the write error expected:"; cat err; return 1; }
}

# Each program writing something larger than the tmpfs room (16 KiB); prereq; on a terminal.
while IFS="|" read -r prereq prog args tty; do
	[ -n "$prog" ] || continue
	test_expect_success $prereq "$prog $args: /dev/full -> exit 1, one line" "
		write_case full 'No space left on device' $prog $args
	"
	test_expect_success TMPFS,$prereq "$prog $args: a full filesystem -> exit 1, one line with the byte offset" "
		mount_small_tmpfs small 16 &&
		write_case tmpfs 'No space left on device' $prog $args && grep -q \"'stdout' at byte [1-9]\" err
	"
	test_expect_success $prereq "$prog $args: stdout opened read-only -> exit 1, one line" "
		write_case rdonly 'Bad file descriptor' $prog $args
	"
	[ "$tty" = tty ] &&
	test_expect_success $prereq "$prog $args: a hung-up terminal (EIO) -> exit 1, one line" "
		write_case hungup 'Input/output error' $prog $args
	"
done <<EOF
|mb-gen|-n 20000|
|mb-gen|-n 20000 --raw|
|mb-anon|-k key raw.bin|
|mb-pack|hashed.bin|
|mb-pack|-m hashed.bin hashed.bin|
|mb-cat|hashed.bin|tty
|mb-cat|-b raw.bin|
|mb-cat|-p hashed.txt|
|mb-cat|--from twitter --key-file key trace.csv|
|mb-cat|--to twitter hashed.bin|tty
|mb-cat|--to cachelib hashed.bin|tty
|mb-cat|--to oracle hashed.bin|
|mb-stat|-k 1000 hashed.bin|tty
|mb-stat|--json -k 1000 hashed.bin|tty
|mb-stat|--html - hashed.bin|tty
BIGPCAP|mb-parse|-P 31420 $C/binary.first900.pcap|
BIGPCAP|mb-capture|-P 31420 -r $C/binary.first900.pcap|
EOF

test_expect_success BIGPCAP 'mb-capture -w on a full device and a full filesystem: exit 1, one line naming the file' '
	test_expect_code 1 mb-capture -P 31420 -r $C/binary.first900.pcap -w /dev/full >/dev/null 2>err &&
	test_one_line_error mb-capture err &&
	grep -q "^mb-capture: write error: No space left on device: ./dev/full.$" err &&
	if test_have_prereq TMPFS; then
		mount_small_tmpfs small 16 &&
		test_expect_code 1 mb-capture -P 31420 -r $C/binary.first900.pcap -w small/x.pcap >/dev/null 2>err &&
		test_one_line_error mb-capture err &&
		grep -q "^mb-capture: write error: No space left on device: .small/x.pcap.$" err
	fi
'

test_expect_success TMPFS 'mb-stat --html FILE on a full filesystem: exit 1, one line naming the file' '
	mount_small_tmpfs small 16 &&
	test_expect_code 1 mb-stat --html small/r.html hashed.bin >/dev/null 2>err &&
	test_one_line_error mb-stat err &&
	grep -q "^mb-stat: write error: No space left on device: .small/r.html. at byte [0-9]*$" err
'

test_expect_success 'mb-anon --new-key on a full device: exit 1, one line' '
	test_expect_code 1 mb-anon --new-key >/dev/full 2>err &&
	test_one_line_error mb-anon err && grep -q "write error: No space left on device" err
'

test_expect_success '--help and --version on a full device: exit 1, one line, for every program' '
	for p in mb-gen mb-parse mb-anon mb-pack mb-cat mb-stat mb-capture mb-fire; do
		test_expect_code 1 $p --help >/dev/full 2>err && test_one_line_error $p err &&
		grep -q "^$p: write error: No space left on device: .stdout.$" err &&
		test_expect_code 1 $p --version >/dev/full 2>err && test_one_line_error $p err || return 1
	done
'

test_expect_success 'the part written before a full filesystem is a valid prefix: every frame in it is whole' '
	if test_have_prereq TMPFS; then
		mount_small_tmpfs small 64 &&
		test_expect_code 1 mb-gen -n 20000 --raw >small/out 2>err &&
		size=$(wc -c <small/out) && test "$size" -gt 0 &&
		test_expect_code 1 mb-cat small/out >text 2>err &&
		grep -q "^mb-cat: truncated frame .*: .small/out. at byte" err &&
		test "$(grep -c "^ev" text)" -gt 100 && rm small/out
	fi
'

test_done
