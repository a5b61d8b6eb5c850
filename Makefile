# SPDX-License-Identifier: GPL-2.0
#
# kcloud: one `make` builds the modules (with BTF), the BPF objects and their
# skeletons, the kcloud tool and the selftests against the installed kernel.
# The modules' own build is in Kbuild and kmod/*/Kbuild.
#
#   make                 build everything
#   make deps            install the Debian packages (root)
#   make check           deps, build, lint, boot a VM, run every selftest
#   make lint            checkpatch --strict, sparse (C=2) and W=1: no warning
#   make demo            the main demo (in a VM)
#   make vm CMD='...'    boot the VM with the built modules and run CMD in it
#   make check-fast      make check without the slow (nested guest) tests
#   make check-debug     the suite on a debug (KASAN, lockdep, kmemleak) kernel
#
# KVER= (kernel release) and KDIR= (its build tree) override the default: the
# newest /lib/modules/<ver>/build that has a /boot/vmlinuz-<ver>.

SHELL := /bin/bash
.DEFAULT_GOAL := all

# Only look the kernel up once, and only when a target needs it.
KVER ?= $(shell scripts/kver.sh 2>/dev/null)
KDIR ?= /lib/modules/$(KVER)/build
B := $(CURDIR)/build
KT := $(B)/kernel-$(KVER)
V ?= 0

MODULES := kmod/vpc/kcloud_vpc.ko kmod/blockstore/kcloud_bs.ko kmod/meter/kcloud_meter.ko

CC := gcc
CLANG ?= clang
BPFTOOL ?= bpftool
UAPI := -I$(CURDIR)/kmod/include/uapi
CFLAGS ?= -O2 -g
USER_CFLAGS := $(CFLAGS) -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-format-truncation \
	-D_GNU_SOURCE $(UAPI) -I$(B)/bpf -I$(B) -I$(CURDIR)/tools/kcloud
NL_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null)
NL_LIBS := $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null)

.PHONY: all deps need-deps kernel-tools modules bpf tools selftests guest check lint \
	demo bench vm clean help check-debug check-fast

all: modules bpf tools selftests guest

help:
	@sed -n '3,17p' Makefile | sed 's/^# \{0,1\}//'

deps:
	@scripts/deps.sh

# The README's commands start here: install what is missing, once.
need-deps:
	@scripts/deps.sh
	@test -n "$(KVER)" || { echo "no kernel found: run make deps" >&2; exit 1; }

kernel-tools: need-deps
	@scripts/kernel-tools.sh $(KVER) $(KT) $(KDIR)

# ---- modules -------------------------------------------------------------

# MODS=vpc (or blockstore, meter) builds one module only.
MODS ?=
MOD_DIR := $(if $(MODS),$(CURDIR)/kmod/$(MODS),$(CURDIR))
MOD_KOS := $(if $(MODS),$(filter kmod/$(MODS)/%,$(MODULES)),$(MODULES))

modules: kernel-tools
	$(MAKE) -C $(KDIR) M=$(MOD_DIR) W=1 modules
	@scripts/module-btf.sh $(KT) $(KDIR) $(MOD_KOS)

# ---- BPF -----------------------------------------------------------------

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(B)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_SKELS := $(patsubst bpf/%.bpf.c,$(B)/bpf/%.skel.h,$(BPF_SRCS))

bpf: $(BPF_SKELS)

$(B)/bpf/vmlinux.h: | kernel-tools
	@mkdir -p $(@D)
	$(BPFTOOL) btf dump file $(KT)/vmlinux format c > $@.tmp && mv $@.tmp $@

$(B)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) $(B)/bpf/vmlinux.h
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
		-I$(B)/bpf -I$(CURDIR)/bpf $(UAPI) -c $< -o $@

$(B)/bpf/%.skel.h: $(B)/bpf/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

# ---- the kcloud tool -----------------------------------------------------

TOOL_SRCS := $(wildcard tools/kcloud/*.c)
TOOL_HDRS := $(wildcard tools/kcloud/*.h) $(wildcard kmod/include/uapi/linux/*.h)

tools: $(B)/kcloud

$(B)/kcloud_features.h: scripts/gen-features.sh $(wildcard kmod/include/uapi/linux/*.h)
	@mkdir -p $(@D)
	scripts/gen-features.sh kmod/include/uapi > $@.tmp && mv $@.tmp $@

$(B)/kcloud: $(TOOL_SRCS) $(TOOL_HDRS) $(BPF_SKELS) $(B)/kcloud_features.h | need-deps
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(NL_CFLAGS) -o $@.tmp $(TOOL_SRCS) $(NL_LIBS) -lbpf -lelf -lz
	mv -f $@.tmp $@

# ---- selftests -----------------------------------------------------------

KSFT := $(KT)/src/tools/testing/selftests
ST_SRCS := $(wildcard selftests/*/*.c)
ST_BINS := $(patsubst selftests/%.c,$(B)/selftests/%,$(ST_SRCS))
ST_HDRS := $(wildcard selftests/lib/*.h) $(wildcard kmod/include/uapi/linux/*.h)

selftests: $(ST_BINS)

$(B)/selftests/%: selftests/%.c $(ST_HDRS) | kernel-tools
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(NL_CFLAGS) -I$(KSFT) -I$(CURDIR)/selftests/lib -o $@ $< \
		$(wildcard selftests/lib/*.c) $(NL_LIBS) -lpthread

# ---- the default guest image of instances ----------------------------------

guest: kernel-tools
	@scripts/guest-image.sh $(KVER) $(B)/guest $(KT)/vmlinux

# ---- running ---------------------------------------------------------------

check: need-deps
	@selftests/check.sh

lint: kernel-tools
	@scripts/lint.sh $(KDIR) $(KT)

vm: all
	@selftests/vm/run-vm.sh -- $(CMD)

demo: all
	@scripts/demo.sh $(DEMO_ARGS)

bench: all
	@scripts/bench.sh $(BENCH)

check-fast: need-deps
	@KCLOUD_SLOW=0 selftests/check.sh

check-debug: need-deps
	@scripts/check-debug.sh

# 100 randomized fault cycles (FAULTS_CYCLES) from FAULTS_SEED, in one VM.
faults-long: all
	@scripts/faults-long.sh "$(FAULTS_CYCLES)" "$(FAULTS_SEED)"

# The fuzzers for FUZZ_MINUTES (60) from FUZZ_SEED, in one VM.
fuzz-long: all
	@scripts/fuzz-long.sh "$(FUZZ_MINUTES)" "$(FUZZ_SEED)"

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean >/dev/null 2>&1
	rm -rf $(B)
