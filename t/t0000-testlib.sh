#!/bin/sh
# t0000: the test library itself: cleanups run after a test, a server stops with the test that
# started it (or at the end of the file when started outside a test).
test_description='test-lib self test'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'test_when_finished runs after the test body (subshell)' '
	test_when_finished "touch cleaned" && test ! -f cleaned
'
test_expect_success 'and it did run' 'test -f cleaned'
test_expect_success 'test_must_fail refuses a death by signal' '
	! test_must_fail sh -c "kill -SEGV \$\$" 2>/dev/null &&
	test_must_fail sh -c "exit 1"
'
test_expect_success 'test_expect_code checks the exact code' '
	test_expect_code 3 sh -c "exit 3" && ! test_expect_code 2 sh -c "exit 3" 2>/dev/null
'
test_expect_success 'test_must_be_empty passes an empty file and shows a full one' '
	: >empty && test_must_be_empty empty &&
	echo left-over >full && ! test_must_be_empty full 2>err && grep -x left-over err
'
if test_have_prereq MEMCACHED; then
	start_memcached && echo $MC_PID >outer.pid
fi
test_expect_success MEMCACHED 'servers started in a test body run while it runs' '
	start_memcached && echo $MC_PID >inner.pid && p1=$MC_PORT &&
	start_memcached && echo $MC_PID >>inner.pid && test $MC_PORT != $p1 &&
	for pid in $(cat inner.pid); do kill -0 $pid || return 1; done
'
test_expect_success MEMCACHED 'and are stopped when it ends; one started outside runs until test_done' '
	test $(wc -l <inner.pid) = 2 &&
	for pid in $(cat inner.pid); do ! kill -0 $pid 2>/dev/null || return 1; done &&
	kill -0 $(cat outer.pid)
'
test_expect_success 'every test script has a number of its own' '
	ls "$MB_SRC"/t | sed -n "s/^\(t[0-9][0-9][0-9][0-9]\)-.*\.sh\$/\1/p" | sort | uniq -d >dup &&
	test_must_be_empty dup
'
test_done
