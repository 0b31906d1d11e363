# SPDX-License-Identifier: BSD-2-Clause
# Lent: one plain Makefile for the kernel, the user side, the ISOs and the tests.

# Where kernel memory comes from (docs/kernel-memory.md): KMEM=lent (the
# default), page tables, node tables and mapping nodes lent by each
# task's kpager through kernel page faults; KMEM=pool, an in-kernel pool
# for every kind, as the paper's comparison kernel did, built in its own
# directory.
KMEM     ?= lent
ifeq ($(KMEM),pool)
B        := build-pool
else
B        := build
endif
# Plain `make` builds everything `all` names (the kernel, sigma0 and the
# root tasks with their kpagers), not the first rule below.
.DEFAULT_GOAL := all
# make V=1 shows the full commands.
V ?= 0
ifeq ($(V),0)
Q := @
else
Q :=
endif
CC       := gcc
NASM     := nasm
LD       := ld
PYTHON   := python3

# Pentium floor: nothing newer than i586 is emitted, no FPU/SSE in the kernel.
ARCHFLAGS := -m32 -march=i586 -mtune=generic
COMMON_CFLAGS := $(ARCHFLAGS) -ffreestanding -fno-pie -fno-pic -fno-stack-protector \
	-fno-builtin -fno-asynchronous-unwind-tables -nostdinc -O2 -g -std=gnu11 \
	-Wall -Wextra -Werror=implicit-function-declaration -MMD -MP
KCFLAGS  := $(COMMON_CFLAGS) -mno-mmx -mno-sse -mno-80387 -mgeneral-regs-only \
	-I. -Iarch/ia32/include -DLENT_KERNEL $(if $(filter pool,$(KMEM)),-DLENT_KMEM_POOL)
UCFLAGS  := $(COMMON_CFLAGS) -Iuser/include -Iuser/lib
NASMFLAGS := -f elf32 -g -F dwarf
LDFLAGS_K := -m elf_i386 -nostdlib -T arch/ia32/kernel.ld
LDFLAGS_U := -m elf_i386 -nostdlib -T user/lib/user.ld

# ---- kernel --------------------------------------------------------------
# The mapping database is the split, localised one (kernel/mapsplit*.c,
# served through kernel/space_split*.c; docs/mapdb-split.md).
KERNEL_C   := $(wildcard kernel/*.c arch/ia32/*.c)
KERNEL_ASM := $(wildcard arch/ia32/*.asm)
KERNEL_OBJ := $(KERNEL_C:%.c=$(B)/%.o) $(KERNEL_ASM:%.asm=$(B)/%.o)

$(B)/kernel/%.o: kernel/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@
# ipc_fast_entry() never returns: the registers its callers would keep
# are none, so it need not save them (kernel/ipc_fast.c calls out only).
$(B)/kernel/ipc_fast.o: KCFLAGS += -fcall-used-ebx -fcall-used-esi -fcall-used-edi
$(B)/arch/%.o: arch/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@
$(B)/arch/%.o: arch/%.asm
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	$(Q)$(NASM) $(NASMFLAGS) $< -o $@

$(B)/kernel.elf: $(KERNEL_OBJ) arch/ia32/kernel.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(LDFLAGS_K) -o $@ $(KERNEL_OBJ)

# ---- user side: library, sigma0, kpagers, root tasks ----------------------
LIBL4_C   := $(wildcard user/lib/*.c)
LIBL4_ASM := $(wildcard user/lib/*.asm)
LIBL4_OBJ := $(LIBL4_C:%.c=$(B)/%.o) $(LIBL4_ASM:%.asm=$(B)/%.o)

$(B)/user/%.o: user/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(UCFLAGS) -c $< -o $@
$(B)/user/%.o: user/%.asm
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	$(Q)$(NASM) $(NASMFLAGS) $< -o $@
# The test root task is the largest image and lives in the same memory as
# the kernel's pool at 8 MB: built for size, it leaves sigma0 the margin
# that margin_root_task_can_still_get_pages asks for.
$(B)/user/tests/%.o: UCFLAGS += -Os
# Code built for SSE2, run only where CPUID reports it (user/tests/t_sse.c);
# user stacks are not kept 16-byte aligned, so gcc realigns where it must.
$(B)/user/tests/t_sse2.o: UCFLAGS += -msse2 -mfpmath=sse -mincoming-stack-boundary=2
# An agent (user/rt/rt_agent.c) takes commands while main, often its
# pager, may be busy sending to it: the code it runs is touched before the
# first command, and it must read no read-only data that could lie on a
# page it has not touched yet, such as a switch's jump table.
$(B)/user/rt/rt_agent.o: UCFLAGS += -fno-jump-tables
$(B)/sigma0/%.o: sigma0/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(UCFLAGS) -c $< -o $@
$(B)/kpager/%.o: kpager/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(UCFLAGS) -c $< -o $@

$(B)/libl4.a: $(LIBL4_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

# Each user program is linked at its own physical base: sigma0 and the root
# tasks run on idempotent (virtual == physical) memory handed out by sigma0.
SIGMA0_BASE := 0x00400000
ROOT_BASE   := 0x00600000

define user_program
$(B)/$(1).elf: $(2) $(B)/libl4.a user/lib/user.ld
	@echo "  LD      $$@"
	$(Q)$(LD) $(LDFLAGS_U) -Ttext-segment=$(3) -o $$@ $(2) $(B)/libl4.a
endef

SIGMA0_OBJ := $(patsubst %.c,$(B)/%.o,$(wildcard sigma0/*.c))
# user/rt: the root-task runtime (creating tasks, a pager loop) that the
# demo, the test suite and the benchmarks share.
RT_OBJ     := $(patsubst %.c,$(B)/%.o,$(wildcard user/rt/*.c))
# kpager/: the kpager library and the FCFS and quota kpagers over it,
# threads of the root task (docs/writing-a-kpager.md).
KPAGER_OBJ := $(patsubst %.c,$(B)/%.o,$(wildcard kpager/*.c))
DEMO_OBJ   := $(patsubst %.c,$(B)/%.o,$(wildcard user/demo/*.c)) $(RT_OBJ) $(KPAGER_OBJ)
TESTS_OBJ  := $(patsubst %.c,$(B)/%.o,$(wildcard user/tests/*.c)) $(RT_OBJ) $(KPAGER_OBJ)
BENCH_OBJ  := $(patsubst %.c,$(B)/%.o,$(wildcard user/bench/*.c)) $(RT_OBJ) $(KPAGER_OBJ)
# The root task the kernel-debugger session drives (tools/kdb_session.py).
KDB_OBJ    := $(patsubst %.c,$(B)/%.o,$(wildcard user/kdb/*.c)) $(RT_OBJ)

$(eval $(call user_program,sigma0,$(SIGMA0_OBJ),$(SIGMA0_BASE)))
$(eval $(call user_program,root-demo,$(DEMO_OBJ),$(ROOT_BASE)))
$(eval $(call user_program,root-tests,$(TESTS_OBJ),$(ROOT_BASE)))
$(eval $(call user_program,root-bench,$(BENCH_OBJ),$(ROOT_BASE)))
$(eval $(call user_program,root-kdb,$(KDB_OBJ),$(ROOT_BASE)))

PROGRAMS := $(B)/kernel.elf $(B)/sigma0.elf $(B)/root-demo.elf $(B)/root-tests.elf $(B)/root-bench.elf \
	$(B)/root-kdb.elf

# ---- top-level targets ----------------------------------------------------
.PHONY: all iso run test test-unit test-qemu test-matrix bench gdb deps clean fuzz fuzz-short
all: $(PROGRAMS) $(MAPSPLIT_C:%.c=$(B)/%.o)

# mkiso.sh takes the programs of this build's directory (build-pool/ too).
MKISO := LENT_BUILD_DIR=$(CURDIR)/$(B) tools/mkiso.sh
$(B)/lent.iso: $(PROGRAMS) tools/mkiso.sh
	$(MKISO) demo $@
$(B)/lent-tests.iso: $(PROGRAMS) tools/mkiso.sh
	$(MKISO) tests $@
$(B)/lent-bench.iso: $(PROGRAMS) tools/mkiso.sh
	$(MKISO) bench $@
# The test suite with every preemption point taken (kernel/preempt.h).
$(B)/lent-tests-preempt.iso: $(PROGRAMS) tools/mkiso.sh
	LENT_KERNEL_ARGS=preempt=always $(MKISO) tests $@
# The test suite with the IPC fast path off (kernel/ipc_fast.c): every
# IPC takes the general path, with the same results.
$(B)/lent-tests-ipcslow.iso: $(PROGRAMS) tools/mkiso.sh
	LENT_KERNEL_ARGS=ipcfast=off $(MKISO) tests $@

# The kernel-debugger session's root task, with the debugger on.
$(B)/lent-kdb.iso: $(PROGRAMS) tools/mkiso.sh
	LENT_KERNEL_ARGS=kdb=on $(MKISO) kdb $@

iso: $(B)/lent.iso $(B)/lent-tests.iso $(B)/lent-tests-preempt.iso $(B)/lent-tests-ipcslow.iso

deps:
	@tools/deps.sh

# make run KMEM=pool boots the pool build's demo (build-pool/lent.iso);
# make run KDB=on (or off) boots it with the kernel option kdb=on.
RUN_ISO := $(if $(KDB),$(B)/lent-demo-kdb-$(KDB).iso,$(B)/lent.iso)
$(B)/lent-demo-kdb-%.iso: $(PROGRAMS) tools/mkiso.sh
	LENT_KERNEL_ARGS=kdb=$* $(MKISO) demo $@
run: deps
	$(MAKE) $(RUN_ISO)
	@mkdir -p $(B)/logs
	LENT_RUN_LOG=$(B)/logs/run.log tools/run-qemu.sh $(RUN_ISO)
	@$(PYTHON) tools/kmem_report.py $(B)/logs/run.log

# Host unit tests (Check), plain and under ASan/UBSan, then the QEMU suite.
# Every test, and the suite on the other kernel-memory build too.
OTHER_KMEM := $(if $(filter pool,$(KMEM)),lent,pool)
OTHER_B    := $(if $(filter pool,$(KMEM)),build,build-pool)
test: deps
	$(PYTHON) tools/testall.py --build --iso $(B)/lent-tests.iso \
		--also-iso $(OTHER_B)/lent-tests.iso --also-kmem $(OTHER_KMEM)

# The test ISO on every CPU model x memory size x boot medium, two QEMU
# runs at a time (tools/test_matrix.py; about 15 minutes); not in test.
test-matrix: deps
	$(MAKE) all $(B)/lent-tests.iso
	$(PYTHON) tools/test_matrix.py

test-unit:
	$(MAKE) -C tests/unit

# libFuzzer targets (clang), each run for FUZZ_SECONDS (default 30); not in test.
fuzz:
	$(MAKE) -C tests/fuzz

# Each libFuzzer target for a fixed number of runs (tests/fuzz/Makefile,
# FUZZ_RUNS): make test runs it after the unit tests.
fuzz-short:
	$(MAKE) -C tests/fuzz short

# Both kernels' benchmark ISOs, each from its own build directory (mkiso.sh
# takes its files from LENT_BUILD_DIR), then one table of both.
bench: deps
	$(MAKE) KMEM=pool build-pool/lent-bench.iso
	$(MAKE) KMEM=lent build/lent-bench.iso
	$(PYTHON) tools/bench.py build-pool/lent-bench.iso build/lent-bench.iso

gdb: deps
	$(MAKE) $(B)/lent.iso
	tools/gdb.sh $(B)/lent.iso $(B)/kernel.elf

clean:
	rm -rf $(B)
	if [ -f tests/unit/Makefile ]; then $(MAKE) -C tests/unit clean; fi
	rm -rf tests/fuzz/build

-include $(shell find $(B) -name '*.d' 2>/dev/null)
