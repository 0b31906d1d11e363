/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SystemClock without a kernel entry.  Where the kernel's clock runs on
 * the TSC (timer.c), the KIP's SystemClock field points at a stub that
 * reads the TSC in user mode and scales it with the kernel's own numbers
 * (kip_clock_stub.asm), so the two clocks are one: a value the stub returns is
 * the value arch_time_us() would have returned at that instant, and
 * timeouts (kernel microseconds) and the clock agree exactly.
 *
 * KIP words (offsets from the KIP base), written once at boot:
 *   0xA00 .. 0xA2F  the stub's code (its SystemClock field says 0xA00)
 *   0xA30, 0xA34    the TSC value at clock 0, low and high word
 *   0xA38           the multiplier: microseconds per TSC tick, as a
 *                   fraction of 2^shift
 *   0xA3C           shift - 32 (0 .. 30)
 * Without a TSC the trapping stub at 0x880 stays in use.
 */
#include <arch/arch.h>
#include <arch/clock.h>
#include <kernel/kip.h>
#include <kernel/string.h>

#define CLOCK_STUB_OFFSET 0xA00u
#define CLOCK_STUB_MAX    0x40u

extern const uint8_t kip_clock_stub[], kip_clock_stub_end[];
extern const uint32_t kip_clock_data_offset;

struct kip_clock_data {
	uint32_t base_lo, base_hi;
	uint32_t mult;
	uint32_t shift_minus_32;
};

void kip_clock_install(uint8_t *kip, uint32_t *offsets)
{
	uint32_t len = (uint32_t)(kip_clock_stub_end - kip_clock_stub);
	struct kip_clock_data d;
	uint64_t base;
	uint32_t mult, shift;

	if (!timer_tsc_scale(&base, &mult, &shift) || len > CLOCK_STUB_MAX ||
	    kip_clock_data_offset + sizeof(d) != len)
		return;
	d = (struct kip_clock_data){ (uint32_t)base, (uint32_t)(base >> 32), mult, shift - 32 };
	memcpy(kip + CLOCK_STUB_OFFSET, kip_clock_stub, len);
	memcpy(kip + CLOCK_STUB_OFFSET + kip_clock_data_offset, &d, sizeof(d));
	offsets[KIP_SC_SYSTEM_CLOCK] = CLOCK_STUB_OFFSET;
}
