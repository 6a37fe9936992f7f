#!/bin/sh
# t7002: make install (PREFIX, DESTDIR) installs every program, its man page and its bash
# completion, and the docs; make uninstall removes exactly that.
# mb-test: alone (runs make in the source tree, which other tests of this kind must not race)
test_description='make install, make uninstall'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq NOSAN || test_skip_all 'installs the normal build'
command -v pandoc >/dev/null 2>&1 || test_skip_all 'pandoc is missing (scripts/deps build)'

test_expect_success 'make install DESTDIR=... PREFIX=/opt/mb' '
	make -s -C "$MB_SRC" install BUILD="$MB_BUILD" DESTDIR="$TRASH/root" PREFIX=/opt/mb >out 2>&1 &&
	test ! -s out &&
	for p in "$MB_BUILD"/bin/mb-*; do
		n=$(basename "$p") &&
		test -x root/opt/mb/bin/$n &&
		cmp "$p" root/opt/mb/bin/$n &&
		test -s root/opt/mb/share/man/man1/$n.1 &&
		cmp "$MB_SRC/scripts/completion/membench.bash" root/opt/mb/share/bash-completion/completions/$n || return 1
	done &&
	test -s root/opt/mb/share/doc/membench/stream.md &&
	test -s root/opt/mb/share/doc/membench/README.md
'

test_expect_success 'the installed programs run and the man pages render' '
	root/opt/mb/bin/mb-cat --version | grep -q "^mb-cat (membench)" &&
	MANPAGER=cat man -l root/opt/mb/share/man/man1/mb-cat.1 >page 2>/dev/null &&
	grep -q "^SYNOPSIS" page && grep -q "EXIT STATUS" page && grep -q "^SEE ALSO" page
'

test_expect_success 'the installed completion completes the installed program' '
	PATH="$TRASH/root/opt/mb/bin:$PATH" bash -c "
		. root/opt/mb/share/bash-completion/completions/mb-capture &&
		COMP_WORDS=(mb-capture --snap) COMP_CWORD=1 && _membench &&
		echo \"\${COMPREPLY[*]}\"" >reply &&
	test "$(cat reply)" = "--snapshot-length"
'

test_expect_success 'make uninstall removes every installed file and nothing else' '
	mkdir -p root/opt/mb/bin && echo keep >root/opt/mb/bin/other-tool &&
	make -s -C "$MB_SRC" uninstall BUILD="$MB_BUILD" DESTDIR="$TRASH/root" PREFIX=/opt/mb >out 2>&1 &&
	test ! -s out &&
	find root -type f >left &&
	echo root/opt/mb/bin/other-tool >want &&
	test_cmp want left
'

test_done
