#!/bin/sh
# t7002: make install (PREFIX, DESTDIR) installs every program, a man page per manual, and the docs.
test_description='make install'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq NOSAN || test_skip_all 'installs the normal build'

test_expect_success 'make install DESTDIR=... PREFIX=/opt/mb' '
	make -s -C "$MB_SRC" install BUILD="$MB_BUILD" DESTDIR="$TRASH/root" PREFIX=/opt/mb >out 2>&1 &&
	for p in "$MB_BUILD"/bin/mb-*; do
		n=$(basename "$p") &&
		test -x root/opt/mb/bin/$n &&
		cmp "$p" root/opt/mb/bin/$n &&
		test -s root/opt/mb/share/man/man1/$n.1 || return 1
	done &&
	test -s root/opt/mb/share/doc/membench/stream.md &&
	test -s root/opt/mb/share/doc/membench/README.md
'

test_expect_success 'the installed programs run and the man pages render' '
	root/opt/mb/bin/mb-cat --version | grep -q "^mb-cat (membench)" &&
	MANPAGER=cat man -l root/opt/mb/share/man/man1/mb-cat.1 >page 2>/dev/null &&
	grep -q "^SYNOPSIS" page && grep -q "EXIT STATUS" page
'

test_done
