#!/bin/sh
# t2122: mb-parse records the request semantics of real captures (memcached's own t/ suite):
# every meta flag letter with its number (metaget), text incr/decr deltas (incrdecr), client
# flags (flags). t/expect/events/NAME.sem lists every event as cmd, status, key and the sem
# field of mb-cat; the meta lines were checked against the request lines of the capture.
test_description='mb-parse records flags, modes and numbers of the corpus captures'
. "$(dirname "$0")/test-lib.sh"

E=$MB_SRC/t/expect
for name in metaget incrdecr flags; do
	line=$(grep "^memcached-t/$name\.pcap " "$E/corpus/list")
	port=${line##* }
	test_expect_success CORPUS,MBPARSE "$name: every event's semantics" "
		mb-parse -q -P $port \"\$MB_CORPUS/pcaps/memcached-t/$name.pcap\" >ev.bin &&
		mb-cat ev.bin | awk -F'\t' -v OFS='\t' '\$1 == \"ev\" { print \$5, \$6, \$7, (NF == 15 ? \$15 : \"-\") }' >got &&
		test_cmp \"$E/events/memcached-t_$name.sem\" got &&
		mb-cat ev.bin | mb-cat -p | cmp - ev.bin
	"
done

test_expect_success CORPUS,MBPARSE 'metaget: the semantics survive mb-anon and mb-pack' '
	mb-parse -q -P 31411 "$MB_CORPUS/pcaps/memcached-t/metaget.pcap" >m.bin &&
	mb-anon --new-key >key &&
	mb-anon -k key <m.bin >h.bin &&
	mb-pack <h.bin >m.prof &&
	mb-cat m.bin | grep "^ev" | cut -f 1-6,8- >a &&
	mb-cat m.prof | grep "^ev" | cut -f 1-6,8- >b &&
	test_cmp a b &&
	test "$(grep -c "meta=" b)" -eq 90
'

test_done
