# mk/ebpf.mk - mb-capture's eBPF backend: bpf/capture.bpf.c -> BPF object -> skeleton -> bpf/ebpf.o.
#
# Kernel types come from the UAPI headers of linux-libc-dev (the program reads only the
# stable __sk_buff context and copies packet headers with bpf_skb_load_bytes), so the
# build does not depend on the build machine's kernel BTF. It needs clang, bpftool (for
# the skeleton) and the libbpf headers; without one of them, or with EBPF=0, mb-capture
# links bpf/ebpf-none.c instead, whose --ebpf says why. Either way the build prints one
# EBPF line saying which capture it built, and `mb-capture --version` names it.
BPF_CLANG  ?= clang
BPFTOOL    ?= bpftool
BPF_ARCH_INC := /usr/include/$(shell gcc -print-multiarch 2>/dev/null || $(BPF_CLANG) -print-multiarch 2>/dev/null)
EBPF_MISSING := $(strip \
	$(if $(shell command -v $(BPF_CLANG) 2>/dev/null),,$(BPF_CLANG)) \
	$(if $(shell command -v $(BPFTOOL) 2>/dev/null),,$(BPFTOOL)) \
	$(if $(wildcard /usr/include/bpf/libbpf.h),,libbpf-dev) \
	$(if $(wildcard /usr/include/linux/bpf.h),,linux-libc-dev))
ifeq ($(origin EBPF),undefined)
EBPF := $(if $(EBPF_MISSING),0,1)
EBPF_WHY := missing: $(EBPF_MISSING)
else
EBPF_WHY := EBPF=$(EBPF) given
endif
# The BPF object is built with its own flags (never the host CFLAGS: -fsanitize and friends do not apply).
# Included before the Makefile's first rule: keep "all" the default goal.
.DEFAULT_GOAL := all
BPF_CFLAGS := -target bpf -O2 -g -Wall -Werror -Wno-unused-function -I$(BPF_ARCH_INC)

$(BUILD)/cmd/mb-capture.o: override CFLAGS += -Ibpf

ifeq ($(EBPF),1)
EXTRA_OBJ_mb-capture += $(BUILD)/bpf/ebpf.o
LDLIBS_mb-capture += -lbpf -lelf -lz

$(BUILD)/bpf/capture.bpf.o: bpf/capture.bpf.c bpf/capture.h
	@mkdir -p $(@D)
	$(call say,BPF,$<)
	$(Q)$(BPF_CLANG) $(BPF_CFLAGS) -Ibpf -c -o $@ $<

$(BUILD)/gen/capture.skel.h: $(BUILD)/bpf/capture.bpf.o
	@mkdir -p $(@D)
	$(call say,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name capture > $@.tmp && mv $@.tmp $@

$(BUILD)/bpf/ebpf.o: bpf/ebpf.c bpf/ebpf.h bpf/capture.h $(BUILD)/gen/capture.skel.h
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS) -Ibpf -c -o $@ $<
	$(call say,EBPF,'mb-capture: eBPF capture built (kernel types from the UAPI headers)')
else
EXTRA_OBJ_mb-capture += $(BUILD)/bpf/ebpf-none.o

$(BUILD)/bpf/ebpf-none.o: bpf/ebpf-none.c bpf/ebpf.h
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS) -Ibpf -c -o $@ $<
	@echo '  EBPF   mb-capture: eBPF capture NOT built ($(EBPF_WHY)); only libpcap capture' >&2
endif

-include $(BUILD)/bpf/ebpf.d $(BUILD)/bpf/ebpf-none.d
