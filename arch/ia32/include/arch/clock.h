/* SPDX-License-Identifier: BSD-2-Clause */
/* The clock's numbers that the KIP's SystemClock stub needs (arch/ia32 only). */
#ifndef ARCH_CLOCK_H
#define ARCH_CLOCK_H

#include <kernel/types.h>

/* If the clock runs on the TSC: its value at clock 0 and the scale,
 * microseconds = ((tsc - base) * mult) >> shift (shift 32 .. 62), and
 * true.  False when the clock is PIT channel 2 (no TSC). */
bool timer_tsc_scale(uint64_t *base, uint32_t *mult, uint32_t *shift);

/* Put the SystemClock stub that reads the TSC in user mode into the KIP
 * page and point offsets[KIP_SC_SYSTEM_CLOCK] at it; without a TSC leave
 * the trapping stub (kip_clock.c). */
void kip_clock_install(uint8_t *kip, uint32_t *offsets);

#endif
