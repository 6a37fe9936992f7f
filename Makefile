# Makefile - builds membench: common/ library, cmd/ programs, bpf/ objects, tests, fuzzers, benchmarks.
#
#   make            programs in $(BUILD)/bin (build/ by default)
#   make SAN=1      the same with ASan+UBSan, in build-san/
#   make check      everything, then the test suite with prove, then unit+stream tests under SAN=1
#   make bench      benchmarks (scripts/bench), printing ratios against peers
#   make fuzz       fuzz targets (clang libFuzzer), FUZZ_SECONDS each
#   make install    PREFIX=/usr/local DESTDIR=
#   V=1             show full commands

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
LDLIBS_ALL := -lzstd -lm -lpthread

ifeq ($(V),1)
Q :=
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

# Per-part fragments: extra libraries (LDLIBS_mb-x), extra objects linked into one
# program (EXTRA_OBJ_mb-x, with their own rules), generated headers. One file per owner.
-include $(sort $(wildcard mk/*.mk))

.SECONDARY:
.PHONY: all check check-san unit bench fuzz install clean
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

$(BUILD)/t/unit/%: t/unit/%.c $(LIB)
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS) -MF $@.d -It -o $@ $< $(LIB) $(LDLIBS_ALL) $(LDSAN)

# Tests: prove runs the unit binaries and every t/tNNNN-*.sh; then a sanitizer pass.
PROVE ?= prove
PROVE_J ?= -j2
TESTS ?= $(sort $(wildcard t/t[0-9][0-9][0-9][0-9]-*.sh))
# Tests that capture live traffic need every packet (they assert zero kernel drops), so they
# run one at a time after the parallel ones, when nothing else competes for the CPU.
LIVE_TESTS := $(filter $(addprefix t/,$(addsuffix -%,t1030 t2150 t2151 t5020 t5030 t5040 t6000 t6001 t6002 t7001)),$(TESTS))
SAN_TESTS ?= $(sort $(wildcard t/t0[0-9][0-9][0-9]-*.sh) $(wildcard t/t9[0-9][0-9][0-9]-*.sh))

check: all
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
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -Icommon -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
fuzz: $(FUZZ_SRC:fuzz/%.c=$(FUZZ_BUILD)/%)
	$(Q)scripts/fuzz $(FUZZ_SECONDS) $^

$(FUZZ_BUILD)/fuzz-%: fuzz/fuzz-%.c $(COMMON_SRC) $(wildcard common/*.h fuzz/*.h)
	@mkdir -p $(@D)
	$(call say,FUZZ,$@)
	$(Q)clang $(FUZZ_CFLAGS) -o $@ $< $(COMMON_SRC) $(LDLIBS_ALL)

# Programs, man pages made from doc/mb-*.md, and the format documents.
install: $(PROGS)
	$(Q)install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/doc/membench
	$(Q)install -m 0755 $(PROGS) $(DESTDIR)$(PREFIX)/bin/
	$(Q)for m in $(MANS); do scripts/md2man $$m >$(DESTDIR)$(PREFIX)/share/man/man1/$$(basename $$m .md).1 || exit 1; done
	$(Q)install -m 0644 README.md doc/*.md $(DESTDIR)$(PREFIX)/share/doc/membench/

clean:
	rm -rf build build-san build-fuzz

-include $(COMMON_OBJ:.o=.d) $(PROG_SRC:cmd/%.c=$(BUILD)/cmd/%.d) $(UNITS:%=%.d)
