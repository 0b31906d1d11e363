/* SPDX-License-Identifier: BSD-2-Clause */
/* What Lent needs of the processor, and the words it refuses one with. */
#ifndef ARCH_CPUCHECK_H
#define ARCH_CPUCHECK_H

#include <kernel/types.h>

/* The isa-debug-exit value of a refused CPU: QEMU then ends with status
 * 2 * 2 + 1 = 5 (tools/qemu_harness.py knows it), a clean shutdown 1. */
#define CPU_REFUSED_EXIT 2

/* Room for the longest refusal (every need lacking), with its newline. */
#define CPU_REFUSAL_MAX 160

/*
 * has_cpuid: EFLAGS.ID could be toggled; edx: CPUID leaf 1's EDX (0 if
 * leaf 1 is not there).  Writes into text (size bytes, NUL-terminated)
 * the refusal "Lent needs a CPU with ...: this one lacks ...\n" and
 * returns how many needs are missing; 0 and an empty text if none is.
 */
unsigned cpu_refusal(bool has_cpuid, uint32_t edx, char *text, size_t size);

#endif
