#!/bin/sh
# t0003: mb-gen --key-prefix names keys as mc-crusher and memtier_benchmark do; mb-fire keeps their lengths.
test_description='mb-gen --key-prefix: P0 .. P(KEYS-1), refusals, replayed at their lengths'
. "$(dirname "$0")/test-lib.sh"

# key and key_len columns of a stream's events
keys() { mb-cat "$1" | grep '^ev	' | cut -f7,8; }

test_expect_success 'uniform: exactly the keys mbk0 .. mbk999, each with its own length' '
	mb-gen -n 50000 -K 1000 -z 0 --key-prefix mbk --seed 4 >u.bin &&
	mb-cat u.bin | head -1 | grep -q "kind=events-raw" &&
	keys u.bin | sort -u >seen &&
	seq 0 999 | awk "{ k = \"mbk\" \$1; print k \"\t\" length(k) }" | sort >want &&
	test_cmp want seen
'

test_expect_success 'Zipf: the most popular key is P0, the next P1' '
	mb-gen -n 20000 -K 1000 -z 1.2 --key-prefix x. --seed 5 >z.bin &&
	keys z.bin | cut -f1 | sort | uniq -c | sort -rn | head -2 | awk "{ print \$2 }" >top &&
	printf "x.0\nx.1\n" >want2 &&
	test_cmp want2 top
'

test_expect_success 'the same options give the same bytes' '
	mb-gen -n 50000 -K 1000 -z 0 --key-prefix mbk --seed 4 >u2.bin &&
	cmp u.bin u2.bin
'

test_expect_success 'refused: with --key-size, a space, a control character, 231 bytes (230 pass)' '
	test_expect_code 2 mb-gen -n 1 --key-prefix a --key-size 3 >o 2>e1 && test_one_line_error mb-gen e1 &&
	test_expect_code 2 mb-gen -n 1 --key-prefix "a b" >o 2>e2 && test_one_line_error mb-gen e2 &&
	grep -q "byte 1" e2 &&
	test_expect_code 2 mb-gen -n 1 --key-prefix "$(printf "a\tb")" >o 2>e3 && test_one_line_error mb-gen e3 &&
	test_expect_code 2 mb-gen -n 1 --key-prefix "$(printf "%0231d" 0)" >o 2>e4 && test_one_line_error mb-gen e4 &&
	test_must_be_empty o &&
	mb-gen -n 3 -K 100 --key-prefix "$(printf "%0230d" 0)" >long.bin &&
	test "$(keys long.bin | cut -f2 | sort -u | tail -1)" -le 232
'

test_expect_success MEMCACHED 'mb-fire stores 50 keys of the named lengths (it sends keys regenerated from their hashes)' '
	start_memcached &&
	mb-gen -n 3000 -K 50 -z 0 -m set=1 --value-size 100-100 --key-prefix mbk --seed 6 >s.bin &&
	test "$(keys s.bin | sort -u | wc -l)" = 50 &&
	mb-fire -q -t 127.0.0.1:$MC_PORT --max s.bin >/dev/null &&
	"$MB_PYTHON" - $MC_PORT >got <<-\EOF &&
	import socket, sys
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	s.sendall(b"lru_crawler metadump all\r\n")
	d = b""
	while not d.endswith(b"END\r\n"):
	    d += s.recv(65536)
	for line in d.decode().splitlines():
	    if line.startswith("key="):
	        f = dict(x.split("=", 1) for x in line.split())
	        print(len(f["key"]), f["size"])
	EOF
	sort got | uniq -c | awk "{ print \$1, \$2 }" >lens &&
	printf "10 4\n40 5\n" >want3 &&
	test_cmp want3 lens
'

test_done
