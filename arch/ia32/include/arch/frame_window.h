/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The frame window: a few kernel virtual pages, above the direct map, in
 * which the kernel maps one physical frame each for a moment, to reach
 * RAM the direct map does not cover (arch_frame_map, arch/ia32/
 * frame_window.c).  This header holds the slot arithmetic only (which
 * page a slot is, which slot an address is in, taking and giving back a
 * slot in a bitmap), plain C, so that tests/unit/test_frame_window.c
 * checks it on the host.
 */
#ifndef ARCH_FRAME_WINDOW_H
#define ARCH_FRAME_WINDOW_H

#include <kernel/types.h>

/* The window is the first pages of the last 4 MB but one of the kernel's half
 * (one page table, shared by every space).  The direct map ends at
 * KERNEL_VIRT + PHYSMAP_LIMIT (0xF8000000), well below. */
#define FRAME_WINDOW_BASE  0xFF800000u
/* Slots: a string copy holds two (source and destination) at once; two
 * more for a reader nested in nothing today (the kernel debugger). */
#define FRAME_WINDOW_SLOTS 4u

_Static_assert(FRAME_WINDOW_SLOTS <= 32, "the slots are one word of bits");
_Static_assert((FRAME_WINDOW_BASE & 0x3FFFFFu) == 0, "the window has a page table of its own");

/* The virtual address of slot i's page. */
static inline uint32_t frame_window_va(unsigned i)
{
	return FRAME_WINDOW_BASE + i * 4096u;
}

/* The slot whose page holds va, or -1 if va is not in the window. */
static inline int frame_window_slot(uint32_t va)
{
	if (va < FRAME_WINDOW_BASE || va - FRAME_WINDOW_BASE >= FRAME_WINDOW_SLOTS * 4096u)
		return -1;
	return (int)((va - FRAME_WINDOW_BASE) >> 12);
}

/* Take the lowest free slot of *used (bit i set: slot i in use), or -1
 * when all are in use. */
static inline int frame_window_take(uint32_t *used)
{
	for (unsigned i = 0; i < FRAME_WINDOW_SLOTS; i++)
		if (!(*used & (1u << i))) {
			*used |= 1u << i;
			return (int)i;
		}
	return -1;
}

/* Give slot i back. */
static inline void frame_window_put(uint32_t *used, unsigned i)
{
	*used &= ~(1u << i);
}

/* Boot (arch_paging_init): enter the window's page table in pdir. */
void frame_window_init(uint32_t *pdir);

#endif
