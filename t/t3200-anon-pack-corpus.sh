#!/bin/sh
# t3200: every corpus capture through mb-parse | mb-anon | mb-pack: exact round trip, and no raw key byte in any output.
test_description='mb-anon and mb-pack on the real captures of the corpus'
. "$(dirname "$0")/test-lib.sh"

LIST=$MB_SRC/t/expect/corpus/list

test_expect_success CORPUS,MBPARSE 'setup: parse every capture, hash with one secret, pack' '
	mb-anon --new-key >k &&
	i=0 &&
	while read -r path port; do
		i=$((i + 1)) &&
		mb-parse -q -P $port <"$MB_CORPUS/pcaps/$path" >raw.$i &&
		mb-anon -k k raw.$i >hashed.$i &&
		mb-pack hashed.$i >prof.$i || { echo "failed on $path" >&2; return 1; }
	done <"$LIST" &&
	echo $i >count && test $i -ge 50 &&
	cat raw.* | mb-cat -H 2>/dev/null | grep "^ev" | cut -f7 | sort -u >keys.txt &&
	test "$(wc -l <keys.txt)" -ge 100
'

test_expect_success CORPUS,MBPARSE 'each profile reads back as exactly the hashed events and summaries' '
	n=$(cat count) && total=0 &&
	for i in $(seq 1 $n); do
		mb-cat -H hashed.$i >expect &&
		mb-cat -H prof.$i | grep -v "^sum	mb-pack	" >actual &&
		test_cmp expect actual || return 1
		total=$((total + $(grep -c "^ev" expect)))
	done &&
	echo "events: $total" && test $total -ge 1000
'

test_expect_success CORPUS,MBPARSE 'hashing keeps every event field but the key' '
	n=$(cat count) &&
	for i in $(seq 1 $n); do
		mb-cat -H raw.$i | grep "^ev" | cut -f1-6,8- >a &&
		mb-cat -H hashed.$i | grep "^ev" | cut -f1-6,8- >b &&
		test_cmp a b || return 1
	done
'

test_expect_success CORPUS,MBPARSE 'privacy: no raw key (4+ bytes) of the corpus in any hashed stream or profile' '
	for f in raw.*; do mb-cat "$f" | grep -v "^ev" | mb-cat -p; done >baseline 2>/dev/null &&
	"$MB_PYTHON" "$MB_SRC/t/lib/keyleak.py" --baseline baseline keys.txt hashed.* prof.* >leak.out &&
	cat leak.out
'

test_expect_success CORPUS,MBPARSE 'the leak check sees the keys in the raw streams (it can fail)' '
	test_must_fail "$MB_PYTHON" "$MB_SRC/t/lib/keyleak.py" keys.txt raw.* >leak2.out &&
	test "$(grep -c "^LEAK" leak2.out)" -ge 100
'

# each capture numbers its servers from 0; the merge numbers them again by address, so an
# event is compared with its server's address (from the SERVER frames) in place of the number
cat >by_address.py <<'PY'
import sys
addr = {}
for line in sys.stdin:
    f = line.rstrip("\n").split("\t")
    if f[0] == "#membench":
        addr = {}  # a new input of the concatenation (below: one file at a time)
    elif f[0] == "server":
        addr[int(f[1])] = f[2]
    elif f[0] == "ev":
        sem = f[14].split(",") if len(f) > 14 and f[14] else []
        n = 0
        for item in sem:
            if item.startswith("server="):
                n = int(item[7:])
        rest = ",".join(i for i in sem if not i.startswith("server="))
        print("\t".join(f[1:2] + f[3:14] + [rest, addr.get(n, "number %d" % n)]))
PY

test_expect_success CORPUS,MBPARSE 'a merge of all corpus profiles holds all their events, each with its server' '
	mb-pack -m prof.* >all.p &&
	mb-cat all.p | "$MB_PYTHON" by_address.py | sort >a &&
	for f in hashed.*; do mb-cat $f | "$MB_PYTHON" by_address.py; done | sort >b &&
	test_cmp b a &&
	test $(wc -l <a) -ge 1000
'

test_done
