/* SPDX-License-Identifier: BSD-2-Clause */
/* The KIP's system-call stubs. */
#include <arch/arch.h>
#include <arch/segments.h>
#include <arch/clock.h>
#include <kernel/kip.h>

/*
 * Each stub is "int $vector; ret" at a 16-byte slot.  The kernel knows a
 * call by where its trap returns to: stub offset + 2.  SystemClock's
 * field points elsewhere where the CPU has a TSC (kip_clock.c).
 */
void arch_kip_stubs(void *kip, uint32_t first_offset, uint32_t *offsets)
{
	uint8_t *page = kip;

	for (unsigned i = 0; i < KIP_SC_COUNT; i++) {
		uint32_t off = first_offset + 16 * i;
		uint8_t vec = (i == KIP_SC_IPC || i == KIP_SC_LIPC) ? VEC_SYSCALL_IPC
									: VEC_SYSCALL_OTHER;
		page[off] = 0xCD;          /* int imm8 */
		page[off + 1] = vec;
		page[off + 2] = 0xC3;      /* ret */
		offsets[i] = off;
	}
	/* With a TSC, SystemClock does not trap at all (kip_clock.c). */
	kip_clock_install(page, offsets);
}
