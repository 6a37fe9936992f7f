#!/bin/sh
# t0002: random streams of every kind and frame type survive mb-cat | mb-cat -p byte for byte.
test_description='random streams round-trip through the text form'
. "$(dirname "$0")/test-lib.sh"

for kind in packets events-raw events-hashed; do
	for seed in 1 2 3; do
		test_expect_success "$kind seed $seed round-trips exactly" "
			'$MB_PYTHON' '$MB_SRC/t/lib/randstream.py' $kind $seed 400 >in.bin &&
			mb-cat in.bin >t.txt &&
			mb-cat -p t.txt >out.bin &&
			cmp in.bin out.bin
		"
	done
done

test_expect_success 'binary copy (mb-cat -b) of a stream is byte-identical but for the program chain' '
	"$MB_PYTHON" "$MB_SRC/t/lib/randstream.py" events-raw 7 300 >in.bin &&
	mb-cat -b in.bin >copy.bin &&
	mb-cat -H in.bin >a.txt && mb-cat -H copy.bin >b.txt && test_cmp a.txt b.txt &&
	mb-cat copy.bin | head -1 | grep -q "program=[^	]*mb-cat"
'

# cat joins the bytes; mb-cat -b joins recordings, numbering each one's connections apart
# from the other's (t0004 has the exact rule)
test_expect_success 'concatenated streams of one kind read as one; mb-cat -b keeps their connections apart' '
	"$MB_PYTHON" "$MB_SRC/t/lib/randstream.py" events-hashed 8 50 >a.bin &&
	"$MB_PYTHON" "$MB_SRC/t/lib/randstream.py" events-hashed 9 50 >b.bin &&
	cat a.bin b.bin | mb-cat -H >ab.txt &&
	{ mb-cat -H a.bin; mb-cat -H b.bin; } >expect.txt &&
	test_cmp expect.txt ab.txt &&
	mb-cat -b a.bin b.bin | mb-cat -H >ab2.txt &&
	cut -f3 --complement expect.txt >expect.nc && cut -f3 --complement ab2.txt >ab2.nc && test_cmp expect.nc ab2.nc &&
	mb-cat -H a.bin >a.txt && na=$(wc -l <a.txt) &&
	head -n $na ab2.txt | awk -F"\t" "\$1 == \"ev\" { print \$3 }" | sort -u >conns.a &&
	tail -n +$((na + 1)) ab2.txt | awk -F"\t" "\$1 == \"ev\" { print \$3 }" | sort -u >conns.b &&
	awk -F"\t" "\$1 == \"ev\" { print \$3 }" a.txt | sort -u | wc -l >n.a && wc -l <conns.a >n.a2 && test_cmp n.a n.a2 &&
	test -s conns.b && comm -12 conns.a conns.b >both && test_must_be_empty both
'

test_expect_success 'concatenating different kinds is refused with the offset' '
	"$MB_PYTHON" "$MB_SRC/t/lib/randstream.py" events-raw 1 5 >r.bin &&
	cat a.bin r.bin >mixed.bin &&
	test_expect_code 1 mb-cat mixed.bin >/dev/null 2>err &&
	test_one_line_error mb-cat err &&
	grep -q "changes kind from events-hashed to events-raw.*at byte $(wc -c <a.bin)" err
'

test_done
