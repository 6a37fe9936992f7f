#!/bin/sh
# t7006: scripts/deps has build, runtime, ebpf, test and bench sets; scripts/demo installs build and
# runtime only (no browser, no Wireshark, no clang); make check installs the test set first.
test_description='dependency sets'
. "$(dirname "$0")/test-lib.sh"

DEPS=$MB_SRC/scripts/deps

test_expect_success 'the sets: build and runtime hold no test tool; test holds them' '
	"$DEPS" --list build runtime >br &&
	for p in make gcc libpcap-dev libzstd-dev pandoc libpcap0.8 libzstd1 memcached zstd; do
		grep -qx "$p" br || { echo "missing from build+runtime: $p"; return 1; }
	done &&
	for p in chromium tshark tcpdump clang lld llvm bpftool python3-pymemcache; do
		if grep -qx "$p" br; then echo "test tool in build+runtime: $p"; return 1; fi
	done &&
	"$DEPS" --list test >t &&
	for p in chromium tshark tcpdump clang bpftool libbpf-dev python3-pymemcache man-db groff-base; do
		grep -qx "$p" t || { echo "missing from test: $p"; return 1; }
	done &&
	"$DEPS" --list >all && "$DEPS" --list all >all2 && test_cmp all all2 &&
	test "$(sort all | uniq -d | wc -l)" = 0 &&
	for f in br t; do while read -r p; do grep -qx "$p" all || return 1; done <$f; done
'

test_expect_success 'an unknown set is a usage error' '
	test_expect_code 2 "$DEPS" --list tests >out 2>err &&
	test_one_line_error deps err && test ! -s out
'

test_expect_success 'every package of every set is one Debian knows' '
	apt-cache policy make 2>/dev/null | grep -q "Candidate: [0-9]" || { echo "# no apt lists: skipped"; return 0; }
	apt-cache policy $(cat all) 2>/dev/null | awk "/^[^ ].*:\$/ {p=\$1; sub(/:\$/, \"\", p)} /Candidate: [0-9]/ {print p}" |
		sed "s/:amd64\$//" | sort -u >known &&
	sort -u all >want && comm -23 want known >unknown &&
	{ [ ! -s unknown ] || { echo "not known to apt:"; cat unknown; }; } && test ! -s unknown
'

test_expect_success 'scripts/demo installs build and runtime; make check the test set' '
	grep -q "^scripts/deps build runtime\$" "$MB_SRC/scripts/demo" &&
	test "$(grep -c "scripts/deps" "$MB_SRC/scripts/demo")" = 2 &&
	make -n -C "$MB_SRC" check 2>/dev/null | grep -q "^scripts/deps build runtime test\$" &&
	! make -n -C "$MB_SRC" check DEPS=0 2>/dev/null | grep -q "^scripts/deps"
'

test_done
