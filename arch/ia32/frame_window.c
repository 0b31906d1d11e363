/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reaching a physical frame from the kernel: through the direct map when
 * the frame lies in it (below PHYSMAP_LIMIT), otherwise through a slot
 * of the frame window, a 4 KB mapping made for the moment and removed
 * (with invlpg) when the caller is done.  The window's page table is in
 * the kernel image and its directory entry in boot_pdir, so every space
 * has the same window: a mapping made in one space is the same in all,
 * and one invlpg in the current space removes it (one CPU; the kernel
 * runs with interrupts off, so nothing else takes a slot meanwhile).
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/frame_window.h>
#include <arch/iobitmap.h>
#include <kernel/kprintf.h>

#define PTE_P 0x001u
#define PTE_W 0x002u

/* Each window has a page table of its own, whose entries it fills from 0. */
_Static_assert(FRAME_WINDOW_BASE >> 22 != IO_WINDOW >> 22, "the frame and I/O windows share no page table");

__attribute__((aligned(4096))) static uint32_t window_pt[1024];
static uint32_t slots_used;

/* Boot, before any space is made: the window's page table goes into the
 * kernel half that every page directory copies. */
void frame_window_init(uint32_t *pdir)
{
	pdir[FRAME_WINDOW_BASE >> 22] = virt_to_phys(window_pt) | PTE_P | PTE_W;
}

/* arch_frame_map of a frame above the direct map. */
void *arch_frame_map_high(uint32_t pa)
{
	int i = frame_window_take(&slots_used);
	if (i < 0)
		panic("frame window: more than %u frames held at once", FRAME_WINDOW_SLOTS);
	uint32_t va = frame_window_va((unsigned)i);
	window_pt[(va >> 12) & 1023] = (pa & PAGE_MASK) | PTE_P | PTE_W;
	invlpg(va);
	return (uint8_t *)va + (pa & ~PAGE_MASK);
}

/* arch_frame_unmap of a pointer above the direct map. */
void arch_frame_unmap_high(const void *p)
{
	int i = frame_window_slot((uint32_t)(uintptr_t)p);

	if (i < 0)
		return;   /* not a slot: nothing was made */
	uint32_t va = frame_window_va((unsigned)i);
	window_pt[(va >> 12) & 1023] = 0;
	invlpg(va);
	frame_window_put(&slots_used, (unsigned)i);
}
