#!/bin/sh
# t9900: the bad-input matrix: every program x (empty input, wrong kind of stream, random bytes,
# truncated stream, bad arguments, binary output to a terminal, closed stdout) -> the documented
# exit code, exactly one line on stderr starting with the program's name, never a signal.
# t9xxx tests also run under the sanitizer build (make check).
test_description='bad-input matrix over every program'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup: inputs of every kind' '
	mb-anon --new-key >key &&
	mb-gen -n 2000 --raw >raw.bin &&
	mb-gen -n 2000 >hashed.bin &&
	mb-pack <hashed.bin >profile.bin &&
	"$MB_PYTHON" "$MB_SRC/t/lib/randstream.py" packets 3 50 >packets.bin &&
	"$MB_PYTHON" -c "
import struct,sys
pkt=bytes(60)
sys.stdout.buffer.write(struct.pack(\"<IHHiIII\",0xa1b2c3d4,2,4,0,0,65535,1)+struct.pack(\"<IIII\",0,0,60,60)+pkt)" >one.pcap &&
	head -c 3000 /dev/urandom | tr "\000" "\001" >random.bin &&
	: >empty &&
	for f in raw hashed packets profile; do
		size=$(wc -c <$f.bin) && head -c $((size * 2 / 3)) $f.bin >$f.cut || return 1
	done
'

# check_form PROGRAM EXIT FILE: the one error form, `program: what: where`. Bad data (exit 1)
# names where it is: 'input' and, for a stream, "at byte N" or "line N"; a usage error (exit 2)
# quotes the argument when there is one and ends with the hint.
check_form() {
	case $2 in
	1) LC_ALL=C grep -aqE "^$1: [^ ].*: '[^']*'( (at byte|line) [0-9]+)?( [(].*[)])?\$" "$3" ;;
	2) LC_ALL=C grep -aqE "^$1: [^ ].* [(]try '$1 --help'[)]\$" "$3" ;;
	esac || { echo "not the form '$1: what: where':"; cat "$3"; return 1; }
}

# check_case EXPECTED-EXIT PROGRAM STDIN-FILE ARGS...: one line on stderr in the one form,
# that exit, no signal.
check_case() {
	want=$1 prog=$2 in=$3
	shift 3
	rc=0
	"$prog" "$@" <"$in" >out 2>err || rc=$?
	if [ "$rc" -gt 128 ]; then echo "$prog $* <$in: died by signal $((rc - 128))"; cat err; return 1; fi
	if [ "$rc" != "$want" ]; then echo "$prog $* <$in: exit $rc, want $want"; cat err; return 1; fi
	test_one_line_error "$prog" err && check_form "$prog" "$want" err
}

# Each program with the arguments it needs to read stdin, and an input of the wrong kind.
# name | args | wrong-kind input | truncated input | writes binary
while IFS="|" read -r prog args wrong cut bin; do
	[ -n "$prog" ] || continue
	test_expect_success "$prog: empty input -> exit 1, one line" "check_case 1 $prog empty $args"
	test_expect_success "$prog: wrong kind of input ($wrong) -> exit 1, one line" "check_case 1 $prog $wrong $args"
	test_expect_success "$prog: random bytes -> exit 1, one line" "check_case 1 $prog random.bin $args"
	[ "$cut" = - ] ||
	test_expect_success "$prog: truncated stream ($cut) -> exit 1, one line" "check_case 1 $prog $cut $args"
	test_expect_success "$prog: unknown option -> exit 2, one line" "check_case 2 $prog empty $args --no-such-option"
	if [ "$bin" = yes ]; then
		good=hashed.bin
		case $prog in mb-anon) good=raw.bin ;; mb-parse) good=one.pcap ;; mb-capture) good=one.pcap ;; esac
		test_expect_success "$prog: binary output to a terminal -> exit 1, one line" "
			test_expect_code 1 run_stdout_tty $good err $prog $args && test_one_line_error $prog err &&
			check_form $prog 1 err
		"
		test_expect_success "$prog: closed stdout -> exit 0, silent" "
			test_expect_code 0 run_stdout_closed $good err $prog $args && test ! -s err
		"
	fi
done <<EOF
mb-cat||one.pcap|hashed.cut|no
mb-parse||hashed.bin|packets.cut|yes
mb-anon|-k key|packets.bin|raw.cut|yes
mb-pack||packets.bin|hashed.cut|yes
mb-stat||packets.bin|hashed.cut|no
mb-capture|-r -|hashed.bin|-|yes
EOF

test_expect_success MEMCACHED 'mb-fire: empty, wrong kind, random, truncated input -> exit 1, one line' '
	start_memcached &&
	for in in empty packets.bin random.bin hashed.cut; do
		check_case 1 mb-fire $in -t 127.0.0.1:$MC_PORT || return 1
	done &&
	check_case 1 mb-fire empty -t 127.0.0.1:$MC_PORT random.bin &&
	grep -q ": '"'"'random.bin'"'"' at byte 0\$" err
'

test_expect_success 'mb-fire: bad arguments -> exit 2; nothing listening -> exit 1' '
	check_case 2 mb-fire hashed.bin --no-such-option &&
	check_case 2 mb-fire hashed.bin &&
	port=$(free_port) &&
	check_case 1 mb-fire hashed.bin -t 127.0.0.1:$port
'

# The where of a named input file, and of an option the input cannot serve.
test_expect_success 'every reader: a named bad file is named in the message, with the byte offset' '
	for prog in mb-cat mb-parse mb-pack mb-stat mb-anon; do
		args=
		case $prog in mb-anon) args="-k key" ;; esac
		check_case 1 $prog empty $args random.bin || return 1
		grep -q ": '"'"'random.bin'"'"' at byte 0\$" err || { cat err; return 1; }
	done &&
	check_case 1 mb-capture empty -r random.bin &&
	grep -q ": '"'"'random.bin'"'"' at byte 0\$" err &&
	check_case 1 mb-stat empty --namespaces : hashed.bin &&
	grep -q "^mb-stat: --namespaces: .*: '"'"'hashed.bin'"'"'\$" err &&
	check_case 1 mb-cat empty -p random.bin &&
	LC_ALL=C grep -aq "'"'"'random.bin'"'"' line 1\$" err
'

test_expect_success 'mb-gen: bad arguments -> exit 2' '
	check_case 2 mb-gen empty -n nope &&
	check_case 2 mb-gen empty --zipf -1
'

test_done
