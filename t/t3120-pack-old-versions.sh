#!/bin/sh
# t3120: profiles written by earlier mb-packs (format versions 2 and 3) are read, not refused; a version this program does not know is refused by number.
test_description='mb-pack: old profile versions read back exactly, convert to version 4; unknown versions refused'
. "$(dirname "$0")/test-lib.sh"

# t/expect/profile: NAME.p as an earlier mb-pack wrote it, NAME.ev what that version's mb-cat -H printed
# (but SERVER frames as the `server` lines mb-cat has printed since, in place of `frame` lines).
#   gen-v2.p     version 2: 30 mb-gen events (Zipf keys, 3 connections)
#   corpus-v3.p  version 3: two profiles concatenated, memcached's getset test (83 events,
#                blocks of 16) and its metaget test (101 events with request semantics,
#                blocks of 16, dictionary reset every other block); request times going back
OLD=$MB_SRC/t/expect/profile

for v in gen-v2 corpus-v3; do
	test_expect_success "$v: every event, summary and frame as its own version read it" "
		mb-cat -H '$OLD/$v.p' >actual 2>err && test_cmp '$OLD/$v.ev' actual && test_must_be_empty err
	"
	test_expect_success "$v: mb-cat -b | mb-pack makes a version 4 profile of the same events" "
		mb-cat -b '$OLD/$v.p' | mb-pack >new.p &&
		od -An -tu2 -j8 -N2 new.p | tr -d ' ' >v && echo 4 >want && test_cmp want v &&
		grep -v '^sum	mb-pack	' '$OLD/$v.ev' >expect &&
		mb-cat -H new.p | grep -v '^sum	mb-pack	' >actual && test_cmp expect actual
	"
done

test_expect_success 'old and new versions concatenated read as one stream' '
	mb-cat -b "$OLD/gen-v2.p" | mb-pack >new.p &&
	cat "$OLD/corpus-v3.p" new.p "$OLD/gen-v2.p" | mb-cat -H >actual &&
	{ cat "$OLD/corpus-v3.ev"; mb-cat -H new.p; cat "$OLD/gen-v2.ev"; } >expect && test_cmp expect actual
'

# A profile with its version field set to V and the header checksum made right again.
set_version() {
	"$MB_PYTHON" - "$1" "$2" "$3" <<-\PY
	import struct, sys
	b = bytearray(open(sys.argv[1], "rb").read())
	meta = struct.unpack_from("<I", b, 16)[0]
	struct.pack_into("<H", b, 8, int(sys.argv[2]))
	def crc32c(data):
	    c = 0xFFFFFFFF
	    for x in data:
	        c ^= x
	        for _ in range(8):
	            c = (c >> 1) ^ (0x82F63B78 & -(c & 1))
	    return c ^ 0xFFFFFFFF
	struct.pack_into("<I", b, 20 + meta, crc32c(b[:20 + meta]))
	open(sys.argv[3], "wb").write(b)
	PY
}

for v in 1 5 65535; do
	test_expect_success "version $v is refused with one line naming the versions read, nothing output" "
		set_version new.p $v bad.p &&
		test_expect_code 1 mb-cat bad.p >out 2>err && test_must_be_empty out && test_one_line_error mb-cat err &&
		grep -q \"profile format version $v is not supported (this program reads versions 2-4): 'bad.p' at byte 8\" err
	"
done

test_expect_success 'set_version makes the header checksum right (version 4 set on a version 4 profile: the same bytes)' '
	set_version new.p 4 same.p && cmp new.p same.p
'

test_done
