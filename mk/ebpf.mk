# mk/ebpf.mk - mb-capture's eBPF backend: bpf/capture.bpf.c -> BPF object -> skeleton -> bpf/ebpf.o.
#
# vmlinux.h is generated from the build machine's kernel BTF with bpftool. Without
# BTF (or bpftool, clang, libbpf headers) mb-capture links bpf/ebpf-none.c instead,
# whose --ebpf says why and points to the libpcap mode. EBPF=0 forces that build.
EBPF_BTF   ?= /sys/kernel/btf/vmlinux
BPF_CLANG  ?= clang
BPFTOOL    ?= bpftool
EBPF       ?= $(shell test -r $(EBPF_BTF) && command -v $(BPFTOOL) >/dev/null 2>&1 && \
		command -v $(BPF_CLANG) >/dev/null 2>&1 && test -r /usr/include/bpf/libbpf.h && echo 1 || echo 0)
# The BPF object is built with its own flags (never the host CFLAGS: -fsanitize and friends do not apply).
# Included before the Makefile's first rule: keep "all" the default goal.
.DEFAULT_GOAL := all
BPF_CFLAGS := -target bpf -O2 -g -Wall -Werror -Wno-unused-function

$(BUILD)/cmd/mb-capture.o: override CFLAGS += -Ibpf

ifeq ($(EBPF),1)
EXTRA_OBJ_mb-capture += $(BUILD)/bpf/ebpf.o
LDLIBS_mb-capture += -lbpf -lelf -lz

$(BUILD)/gen/vmlinux.h:
	@mkdir -p $(@D)
	$(call say,BTF,$@)
	$(Q)$(BPFTOOL) btf dump file $(EBPF_BTF) format c > $@.tmp && mv $@.tmp $@

$(BUILD)/bpf/capture.bpf.o: bpf/capture.bpf.c bpf/capture.h $(BUILD)/gen/vmlinux.h
	@mkdir -p $(@D)
	$(call say,BPF,$<)
	$(Q)$(BPF_CLANG) $(BPF_CFLAGS) -I$(BUILD)/gen -Ibpf -c -o $@ $<

$(BUILD)/gen/capture.skel.h: $(BUILD)/bpf/capture.bpf.o
	$(call say,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name capture > $@.tmp && mv $@.tmp $@

$(BUILD)/bpf/ebpf.o: bpf/ebpf.c bpf/ebpf.h bpf/capture.h $(BUILD)/gen/capture.skel.h
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS) -Ibpf -c -o $@ $<
else
EXTRA_OBJ_mb-capture += $(BUILD)/bpf/ebpf-none.o

$(BUILD)/bpf/ebpf-none.o: bpf/ebpf-none.c bpf/ebpf.h
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS) -Ibpf -c -o $@ $<
endif

-include $(BUILD)/bpf/ebpf.d $(BUILD)/bpf/ebpf-none.d
