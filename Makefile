# Makefile - builds membench: common/ library, cmd/ programs, bpf/ objects, tests, fuzzers, benchmarks.
#
#   make            programs in $(BUILD)/bin (build/ by default)
#   make SAN=1      the same with ASan+UBSan, in build-san/
#   make check      everything, then the test suite with prove, then unit+stream tests under SAN=1
#   make bench      benchmarks (scripts/bench), printing ratios against peers
#   make fuzz       fuzz targets (clang libFuzzer), FUZZ_SECONDS each
#   make man        manual pages in $(BUILD)/man, from doc/mb-*.md with pandoc
#   make install    PREFIX=/usr/local DESTDIR=: programs, manual pages, bash completions, docs
#   make uninstall  removes what install installed (same PREFIX and DESTDIR)
#   make deps       installs the Debian packages of every set (scripts/deps)
#   V=1             show full commands; make -s shows nothing but errors

.DEFAULT_GOAL := all

CC      ?= cc
ifeq ($(origin CC),default)
CC      := gcc
endif
SAN     ?=
ifeq ($(SAN),1)
BUILD   ?= build-san
OPT     := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDSAN   := -fsanitize=address,undefined
else
BUILD   ?= build
OPT     := -O2
LDSAN   :=
endif
PREFIX  ?= /usr/local
DESTDIR ?=
FUZZ_SECONDS ?= 60

CFLAGS  ?= -g
override CFLAGS += -std=c11 -D_GNU_SOURCE $(OPT) -Wall -Wextra -Werror -Icommon -I$(BUILD)/gen -MMD -MP
# zlib: the compressed histograms of HdrHistogram logs (mb-fire --hdr-log, common/hdrlog.c)
LDLIBS_ALL := -lzstd -lz -lm -lpthread

# -s (the single-letter flags are MAKEFLAGS' first word, without a dash): no progress lines.
SILENT := $(findstring s,$(filter-out -%,$(firstword $(MAKEFLAGS))))
ifeq ($(V),1)
Q :=
say = @true
else ifneq ($(SILENT),)
Q := @
say = @true
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2)
endif

COMMON_SRC := $(sort $(wildcard common/*.c))
COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/%.o)
LIB        := $(BUILD)/libmb.a
PROG_SRC   := $(sort $(wildcard cmd/mb-*.c))
PROGS      := $(PROG_SRC:cmd/%.c=$(BUILD)/bin/%)
UNIT_SRC   := $(sort $(wildcard t/unit/*.c))
UNITS      := $(UNIT_SRC:t/unit/%.c=$(BUILD)/t/unit/%)
FUZZ_SRC   := $(sort $(wildcard fuzz/fuzz-*.c))
MANS       := $(sort $(wildcard doc/mb-*.md))
MANPAGES   := $(MANS:doc/%.md=$(BUILD)/man/%.1)
PROG_NAMES := $(PROG_SRC:cmd/%.c=%)
VERSION    := $(shell sed -n 's/^\#define MB_VERSION "\(.*\)"/\1/p' common/prog.h)

# Per-part fragments: extra libraries (LDLIBS_mb-x), extra objects linked into one
# program (EXTRA_OBJ_mb-x, with their own rules), generated headers. One file per owner.
-include $(sort $(wildcard mk/*.mk))

.SECONDARY:
.PHONY: all check check-run check-san unit bench fuzz man install uninstall deps clean
all: $(PROGS) $(UNITS)

$(BUILD)/common/%.o: common/%.c
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/cmd/%.o: cmd/%.c
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(LIB): $(COMMON_OBJ)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

.SECONDEXPANSION:
$(BUILD)/bin/%: $(BUILD)/cmd/%.o $$(EXTRA_OBJ_$$*) $(LIB)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(LDSAN) -o $@ $< $(EXTRA_OBJ_$*) $(LIB) $(LDLIBS_$*) $(LDLIBS_ALL)

# CRC-32C's slicing-by-8 tables as constants, generated into <build>/gen by a program built for
# the build machine (pattern rules: the normal, SAN and fuzz builds each make their own).
%/scripts/gen-crc32c-table: scripts/gen-crc32c-table.c
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) -std=c11 -O2 -Wall -Wextra -Werror -o $@ $<

%/gen/crc32c_table.h: %/scripts/gen-crc32c-table
	@mkdir -p $(@D)
	$(call say,GEN,$@)
	$(Q)$< >$@.tmp && mv $@.tmp $@

$(BUILD)/common/crc32c.o: $(BUILD)/gen/crc32c_table.h

$(BUILD)/t/unit/%: t/unit/%.c $(LIB)
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS) -MF $@.d -It -o $@ $< $(LIB) $(LDLIBS_ALL) $(LDSAN)

# Tests: prove runs the unit binaries and every t/tNNNN-*.sh; then a sanitizer pass.
PROVE ?= prove
PROVE_J ?= -j2
TESTS ?= $(sort $(wildcard t/t[0-9][0-9][0-9][0-9]-*.sh))
# Tests that capture live traffic need every packet (they assert zero kernel drops), so they
# run one at a time after the parallel ones, when nothing else competes for the CPU. Such a
# test says so on a line of its own near the top: "# mb-test: live"; a test that must not
# run beside another for another reason (it runs make in the source tree) says "# mb-test: alone".
LIVE_TESTS := $(shell grep -lE "^# mb-test: (live|alone)" $(TESTS) /dev/null)
SAN_TESTS ?= $(sort $(wildcard t/t0[0-9][0-9][0-9]-*.sh) $(wildcard t/t9[0-9][0-9][0-9]-*.sh))

# check first installs the test set of Debian packages (scripts/deps; silent when all are
# there), then runs in a new make, which sees the tools just installed (the eBPF build).
# DEPS=0 skips the installation.
DEPS ?= 1
check:
ifneq ($(DEPS),0)
	$(Q)scripts/deps build runtime test
endif
	$(Q)$(MAKE) --no-print-directory check-run

check-run: all man
	$(Q)MB_BUILD=$(abspath $(BUILD)) $(PROVE) $(PROVE_J) $(UNITS) $(filter-out $(LIVE_TESTS),$(TESTS))
	$(Q)MB_BUILD=$(abspath $(BUILD)) $(PROVE) $(LIVE_TESTS)
	$(Q)$(MAKE) --no-print-directory SAN=1 check-san

# Unit and stream tests again, with ASan+UBSan (called by check with SAN=1).
check-san: all
	$(Q)MB_BUILD=$(abspath $(BUILD)) ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $(PROVE) $(PROVE_J) $(UNITS) $(SAN_TESTS)

unit: $(UNITS)
	$(Q)$(PROVE) $(UNITS)

bench: all
	$(Q)MB_BUILD=$(abspath $(BUILD)) scripts/bench

# libFuzzer targets: one per decoder, built with clang, ASan and UBSan.
FUZZ_BUILD := build-fuzz
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -Icommon -I$(FUZZ_BUILD)/gen -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
fuzz: $(FUZZ_SRC:fuzz/%.c=$(FUZZ_BUILD)/%)
	$(Q)scripts/fuzz $(FUZZ_SECONDS) $^

$(FUZZ_BUILD)/fuzz-%: fuzz/fuzz-%.c $(COMMON_SRC) $(wildcard common/*.h fuzz/*.h) $(FUZZ_BUILD)/gen/crc32c_table.h
	@mkdir -p $(@D)
	$(call say,FUZZ,$@)
	$(Q)clang $(FUZZ_CFLAGS) -o $@ $< $(COMMON_SRC) $(LDLIBS_ALL)

# Manual pages: doc/mb-*.md through pandoc (a Debian package, in scripts/deps' build set);
# scripts/man/tables.lua sizes table columns to fit an 80-column terminal.
PANDOC ?= pandoc
man: $(MANPAGES)

$(BUILD)/man/%.1: doc/%.md scripts/man/tables.lua common/prog.h Makefile
	@mkdir -p $(@D)
	$(call say,MAN,$@)
	$(Q)$(PANDOC) --standalone --from markdown+lists_without_preceding_blankline --to man \
	   --shift-heading-level-by=-1 --lua-filter scripts/man/tables.lua \
	   --metadata title=$* --metadata section=1 --metadata date= \
	   --metadata header="membench manual" --metadata footer="membench $(VERSION)" -o $@.tmp $< && mv $@.tmp $@

# Programs, manual pages, bash completions (one file serves every program: bash-completion
# loads it under each program's name), and the documents.
BINDIR  = $(DESTDIR)$(PREFIX)/bin
MAN1DIR = $(DESTDIR)$(PREFIX)/share/man/man1
COMPDIR = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
DOCDIR  = $(DESTDIR)$(PREFIX)/share/doc/membench
install: $(PROGS) $(MANPAGES)
	$(Q)install -d $(BINDIR) $(MAN1DIR) $(COMPDIR) $(DOCDIR)
	$(Q)install -m 0755 $(PROGS) $(BINDIR)/
	$(Q)install -m 0644 $(MANPAGES) $(MAN1DIR)/
	$(Q)for p in $(PROG_NAMES); do install -m 0644 scripts/completion/membench.bash $(COMPDIR)/$$p || exit 1; done
	$(Q)install -m 0644 README.md doc/*.md $(DOCDIR)/

uninstall:
	$(Q)rm -f $(addprefix $(BINDIR)/,$(PROG_NAMES)) $(addprefix $(MAN1DIR)/,$(PROG_NAMES:=.1)) \
	   $(addprefix $(COMPDIR)/,$(PROG_NAMES)) $(addprefix $(DOCDIR)/,README.md $(notdir $(wildcard doc/*.md)))
	$(Q)rmdir $(DOCDIR) 2>/dev/null || true

deps:
	$(Q)scripts/deps

clean:
	rm -rf build build-san build-fuzz

-include $(COMMON_OBJ:.o=.d) $(PROG_SRC:cmd/%.c=$(BUILD)/cmd/%.d) $(UNITS:%=%.d)
