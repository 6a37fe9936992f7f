#!/bin/sh
# t8010: mb-cat --from/--to cachelib: op_count expansion, columns by name, hits from cache_hits, bad rows.
test_description='cachelib kvcache trace interop'
. "$(dirname "$0")/test-lib.sh"

CL=$MB_SHARED/corpus/traces/cachelib-kv_traces_1.csv
[ -f "$CL" ] && test_set_prereq CLTRACE

# Independent sums of the CSV by column name: "get N", "set N", "delete N", "hit N", "miss N", "lease N", "rows N".
cl_sums() {
	"$MB_PYTHON" - "$1" <<-\EOF
	import csv, sys
	cmd = {"GET": "get", "GET_LEASE": "get", "SET": "set", "SET_LEASE": "set", "DELETE": "delete"}
	s = {"get": 0, "set": 0, "delete": 0, "hit": 0, "miss": 0, "lease": 0, "rows": 0}
	for r in csv.DictReader(open(sys.argv[1])):
	    n = int(r["op_count"])
	    s["rows"] += 1
	    s[cmd[r["op"]]] += n
	    if r["op"].startswith("GET"):
	        s["hit"] += int(r["cache_hits"])
	        s["miss"] += n - int(r["cache_hits"])
	    if r["op"] == "GET_LEASE":
	        s["lease"] += n
	for k in sorted(s):
	    print(k, s[k])
	EOF
}

# The same sums from mb-cat's text form of an event stream.
ev_sums() {
	mb-cat -H "$1" | awk -F'\t' '
		$1 == "ev" { c[$5]++; if ($6 == "hit") c["hit"]++; if ($6 == "miss") c["miss"]++; if ($11 ~ /vivify/) c["lease"]++ }
		$1 == "sum" { for (i = 3; i <= NF; i++) if ($i ~ /^trace_rows=/) { sub(/trace_rows=/, "", $i); c["rows"] = $i } }
		END { split("delete get hit lease miss rows set", k, " "); for (i = 1; i <= 7; i++) print k[i], c[k[i]] + 0 }'
}


test_expect_success CLTRACE 'corpus trace: event counts per command match the op_count sums' '
	cl_sums "$CL" >expect &&
	mb-cat --from cachelib "$CL" >cl.bin 2>err &&
	test_must_be_empty err &&
	ev_sums cl.bin >got &&
	test_cmp expect got &&
	grep "^get 678$" got && grep "^set 10$" got && grep "^delete 3$" got
'

test_expect_success CLTRACE 'columns are found by name: a reordered file gives the same events' '
	"$MB_PYTHON" -c "
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
order = list(reversed(range(len(rows[0]))))
w = csv.writer(open(\"rev.csv\", \"w\"), lineterminator=\"\n\")
for r in rows:
    w.writerow([r[i] for i in order])
" "$CL" &&
	head -1 rev.csv >h && echo "sub_usecase,usecase,ttl,cache_hits,size,op_count,op,key_size,key,op_time" >expect && test_cmp expect h &&
	mb-cat --from cachelib rev.csv | mb-cat -H >rev.txt &&
	mb-cat -H cl.bin >cl.txt &&
	test_cmp cl.txt rev.txt
'

test_expect_success CLTRACE 'the mapping of one row: hits first, then misses with no response bytes' '
	grep -n "^604038474,912811256e97ab39" "$CL" | head -1 &&
	mb-cat -H cl.bin | grep "@912811256e97ab39" >rows &&
	printf "ev\t604038474.000000000\t2777918327\ttext/tcp\tget\thit\t@912811256e97ab39\t80\t0\t0\twant_value\t0\t248\t0\n" >expect &&
	printf "ev\t604038474.000000000\t2777918327\ttext/tcp\tget\tmiss\t@912811256e97ab39\t80\t0\t0\twant_value\t0\t0\t0\n" >>expect &&
	test_cmp expect rows &&
	mb-cat -H cl.bin | grep "@828769c1e1ce3a29" | grep "	set	" >set &&
	printf "ev\t604038473.000000000\t2777918327\ttext/tcp\tset\tnone\t@828769c1e1ce3a29\t67\t65\t7200\t-\t0\t0\t0\n" >expect &&
	test_cmp expect set
'

test_expect_success 'a minimal header (op_time, key, op) takes defaults; string keys are hashed' '
	printf "op,key,op_time\nGET,user:1,100\nSET_LEASE,user:1,101\n" >min.csv &&
	test_expect_code 1 mb-cat --from cachelib --key-file /dev/null min.csv >/dev/null 2>err &&
	test_one_line_error mb-cat err && grep -q "bad key file" err &&
	echo 000102030405060708090a0b0c0d0e0f >secret &&
	mb-cat --from cachelib --key-file secret min.csv | mb-cat -H | grep "^ev" | cut -f1-6,8-14 >got &&
	printf "ev\t100.000000000\t0\ttext/tcp\tget\tnone\t6\t0\t0\twant_value\t0\t0\t0\n" >expect &&
	printf "ev\t101.000000000\t0\ttext/tcp\tset\tnone\t6\t0\t0\t-\t0\t0\t0\n" >>expect &&
	test_cmp expect got
'

test_expect_success CLTRACE 'cachelib -> events -> cachelib -> events keeps every event' '
	mb-cat --to cachelib cl.bin >out.csv &&
	head -1 out.csv >h && head -1 "$CL" >expect && test_cmp expect h &&
	test $(($(wc -l <out.csv) - 1)) = 691 &&
	mb-cat --from cachelib out.csv | mb-cat -H | grep "^ev" >again.txt &&
	grep "^ev" cl.txt >expect && test_cmp expect again.txt
'

bad_row_test() {
	# $1 title, $2 the bad line (4th line: 3rd row), $3 expected message tail
	test_expect_success "bad row: $1" "
		{ printf '%s\n' op_time,key,key_size,op,op_count,size,cache_hits,ttl,usecase,sub_usecase &&
		  printf '%s\n' 1,0123456789abcdef,10,GET,2,5,1,0,7,8 1,0123456789abcdef,10,SET,1,5,0,60,7,8 '$2' &&
		  printf '%s\n' 2,0123456789abcdef,10,DELETE,1,0,0,0,7,8; } >bad.csv &&
		test_expect_code 1 mb-cat --from cachelib bad.csv >bad.bin 2>err &&
		test_one_line_error mb-cat err &&
		echo \"mb-cat: $3: 'bad.csv' line 4\" >expect && test_cmp expect err &&
		mb-cat -H bad.bin | grep -c '^ev' >n && echo 3 >expect && test_cmp expect n
	"
}
bad_row_test 'unknown op' '2,0123456789abcdef,10,PUT,1,5,0,0,7,8' "bad field op: 'PUT'"
bad_row_test 'op_count not a number' '2,0123456789abcdef,10,GET,two,5,0,0,7,8' "bad field op_count: 'two'"
bad_row_test 'op_count too large' '2,0123456789abcdef,10,GET,1000001,5,0,0,7,8' "bad field op_count: '1000001'"
bad_row_test 'more hits than requests' '2,0123456789abcdef,10,GET,2,5,3,0,7,8' "bad field cache_hits: '3'"
bad_row_test 'missing field' '2,0123456789abcdef,10,GET,2,5,0,0,7' 'row has 9 fields, the header has 10'
bad_row_test 'usecase over 32 bits' '2,0123456789abcdef,10,GET,2,5,0,0,4294967296,8' "bad field usecase: '4294967296'"
bad_row_test 'empty op_time' ',0123456789abcdef,10,GET,2,5,0,0,7,8' "bad field op_time: ''"

test_expect_success '--skip-bad skips and counts bad rows' '
	{ head -3 bad.csv && echo "x,y" && echo "3,k,1,GET,1,1,1,0,1,1,extra" && tail -1 bad.csv; } >skip.csv &&
	mb-cat --from cachelib --skip-bad skip.csv >s.bin 2>err &&
	echo "mb-cat: skipped 2 bad rows" >expect && test_cmp expect err &&
	mb-cat -H s.bin | grep "^sum" | cut -f3-5 >got &&
	printf "trace_rows=5\tevents=4\tbad_rows=2\n" >expect && test_cmp expect got
'

test_expect_success 'a header without a needed column is an error even with --skip-bad' '
	printf "time,key,op\n1,k,GET\n" >nohdr.csv &&
	test_expect_code 1 mb-cat --from cachelib --skip-bad nohdr.csv >out 2>err &&
	test_one_line_error mb-cat err &&
	grep -q "^mb-cat: header lacks column op_time .*: '"'"'nohdr.csv'"'"' line 1$" err &&
	printf "op_time,key,op,op\n1,k,GET,GET\n" >dup.csv &&
	test_expect_code 1 mb-cat --from cachelib dup.csv >out 2>err &&
	echo "mb-cat: header names column op twice: '"'"'dup.csv'"'"' line 1" >expect && test_cmp expect err
'

test_done
