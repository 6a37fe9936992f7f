#!/bin/sh
# t8030: mb-cat --from/--to plumbing: several inputs, stdin, terminal refusal, closed stdout.
test_description='trace conversion plumbing'
. "$(dirname "$0")/test-lib.sh"


test_expect_success 'setup' '
	printf "0,0123456789abcdef,38,0,1,get,0\n1,00000000000000ff,12,120,1,set,3600\n" >a.csv &&
	printf "2,0123456789abcdef,38,0,3,delete,0\n" >b.csv &&
	mb-gen -n 200000 -K 5000 --seed 5 >gen.bin
'

test_expect_success 'several inputs (and - for stdin) become one stream with one header' '
	mb-cat --from twitter a.csv - <b.csv >ab.bin &&
	mb-cat ab.bin >ab.txt &&
	grep -c "^#membench" ab.txt >n && echo 1 >expect && test_cmp expect n &&
	grep "source=a.csv" ab.txt &&
	grep "^sum" ab.txt | cut -f3-4 >got && printf "trace_rows=3\tevents=3\n" >expect && test_cmp expect got &&
	mb-cat --to twitter ab.bin >ab.csv && cat a.csv b.csv >expect && test_cmp expect ab.csv
'

test_expect_success 'several streams export into one trace' '
	mb-cat --from twitter a.csv >a.bin && mb-cat --from twitter b.csv >b.bin &&
	mb-cat --to twitter a.bin b.bin >ab2.csv && test_cmp expect ab2.csv
'

test_expect_success 'binary output to a terminal is refused; twitter CSV is not binary' '
	test_expect_code 1 run_stdout_tty a.csv err mb-cat --from twitter &&
	test_one_line_error mb-cat err &&
	test_expect_code 1 run_stdout_tty a.bin err mb-cat --to oracle &&
	test_one_line_error mb-cat err &&
	run_stdout_tty a.bin err mb-cat --to twitter && test_must_be_empty err
'

test_expect_success 'a closed stdout ends quietly with status 0' '
	mb-cat --to twitter gen.bin >gen.csv && mb-cat --to oracle gen.bin >gen.og &&
	run_stdout_closed gen.csv err mb-cat --from twitter && test_must_be_empty err &&
	run_stdout_closed gen.og err mb-cat --from oracle && test_must_be_empty err &&
	run_stdout_closed gen.bin err mb-cat --to twitter && test_must_be_empty err &&
	run_stdout_closed gen.bin err mb-cat --to oracle && test_must_be_empty err
'

test_expect_success 'a missing input file: one line, exit 1' '
	test_expect_code 1 mb-cat --from twitter nosuch.csv >out 2>err &&
	test_one_line_error mb-cat err && grep -q "nosuch.csv" err
'

test_done
