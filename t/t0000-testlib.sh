#!/bin/sh
# t0000: the test library itself: cleanups run after a test, servers stop at the end of the file.
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
test_expect_success MEMCACHED 'a server started in a test body is stopped by test_done' '
	start_memcached && echo $MC_PID >"$MB_BUILD/trash/t0000-memcached.pid" && kill -0 $MC_PID
'
test_done
