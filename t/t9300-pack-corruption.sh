#!/bin/sh
# t9300: damaged profiles (100 truncations, 100 byte flips) never crash a reader: the readable prefix with a warning, or one error line with the offset.
test_description='mb-pack profiles: truncation and corruption are reported, never crash (also run under ASan)'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup: a profile of 60 small blocks and 200 damaged copies' '
	mb-gen -n 3000 -K 400 --seed 5 -m get=80,set=20 --ttl 30 >in.bin &&
	"$MB_PYTHON" "$MB_SRC/t/lib/randstream.py" events-hashed 3 40 >extra.bin &&
	mb-pack -b 50 -m in.bin extra.bin >p.bin &&
	mb-cat -H p.bin >full.txt &&
	"$MB_PYTHON" "$MB_SRC/t/lib/corrupt.py" p.bin 9300 100 bad >cases &&
	test "$(wc -l <cases)" = 200
'

# Check one damaged copy: exit 0 with a cut-short warning and a prefix of the events,
# or exit 1 with one error line naming the file and a byte offset; nothing else.
check() {
	name=$1
	mb-cat -H "bad/$name" >out.txt 2>err.txt
	rc=$?
	case $rc in
	0)
		if test -s err.txt; then
			test_one_line_error mb-cat err.txt && grep -q "warning: profile cut short.*at byte [0-9]*$" err.txt || return 1
		fi ;;
	1)
		test_one_line_error mb-cat err.txt && grep -q "'bad/$name' at byte [0-9]*$" err.txt || return 1 ;;
	*)
		echo "$name: exit $rc" >&2; cat err.txt >&2; return 1 ;;
	esac
	# What was printed is a prefix of the undamaged profile's text.
	n=$(wc -l <out.txt)
	head -n "$n" full.txt | cmp -s - out.txt || { echo "$name: output is not a prefix" >&2; return 1; }
}

test_expect_success '100 truncated profiles: prefix + warning, or one error line with the offset' '
	for c in $(grep "^cut" cases | cut -d" " -f1); do check $c || return 1; done
'

test_expect_success '100 profiles with one flipped byte: prefix + error with offset' '
	for c in $(grep "^flip" cases | cut -d" " -f1); do check $c || { echo "failed: $c"; return 1; }; done
'

test_expect_success 'a flipped byte is always detected (never silently different events)' '
	for c in $(grep "^flip" cases | cut -d" " -f1); do
		mb-cat -H bad/$c >/dev/null 2>&1 && { echo "$c read without error" >&2; return 1; }
	done; true
'

test_expect_success 'a flip inside a block names that block'"'"'s offset' '
	size=$(wc -c <p.bin) &&
	"$MB_PYTHON" -c "
import sys
d = bytearray(open(\"p.bin\", \"rb\").read())
at = d.find(b\"MBBK\", len(d) // 2)
d[at + 40] ^= 0xff
open(\"one.bin\", \"wb\").write(bytes(d))
print(at)" >at &&
	test_expect_code 1 mb-cat -H one.bin >/dev/null 2>err &&
	grep -q "block checksum mismatch.*at byte $(cat at)$" err
'

test_done
