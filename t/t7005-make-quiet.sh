#!/bin/sh
# t7005: make -s prints nothing but errors (a build from scratch, eBPF parts included); without
# -s the progress lines are there.
# mb-test: alone (runs make in the source tree, which other tests of this kind must not race)
test_description='make -s is quiet'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq NOSAN || test_skip_all 'builds the normal build'

test_expect_success 'make -s: a build from scratch prints nothing' '
	make -s -j2 -C "$MB_SRC" BUILD="$TRASH/b" "$TRASH/b/bin/mb-capture" "$TRASH/b/bin/mb-cat" >out 2>&1 &&
	test -x b/bin/mb-capture && test -x b/bin/mb-cat &&
	test_cmp /dev/null out
'

test_expect_success 'without -s: one progress line per step' '
	rm b/cmd/mb-cat.o b/bin/mb-cat &&
	make -C "$MB_SRC" --no-print-directory BUILD="$TRASH/b" "$TRASH/b/bin/mb-cat" >out 2>&1 &&
	grep -q "^  CC     cmd/mb-cat.c" out && grep -q "^  LINK   " out &&
	rm b/cmd/mb-cat.o b/bin/mb-cat &&
	make -s -C "$MB_SRC" BUILD="$TRASH/b" "$TRASH/b/bin/mb-cat" >out 2>&1 &&
	test_cmp /dev/null out
'

test_done
