/* SPDX-License-Identifier: BSD-2-Clause */
/* The I/O permission bitmap's window (arch/iobitmap.h). */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/iobitmap.h>
#include <kernel/string.h>

#define PTE_P 0x001u
#define PTE_W 0x002u
#define PDE_P 0x001u
#define PDE_W 0x002u

extern uint32_t boot_pdir[];

__attribute__((aligned(4096))) static uint32_t window_pt[1024];
__attribute__((aligned(4096))) static uint8_t ones[4096];   /* every port denied */

uint32_t io_window_phys[2];
uint32_t io_window_tag;

static uint32_t bitmap_pte(uint32_t phys)
{
	return (phys ? phys : virt_to_phys(ones)) | PTE_P;   /* read only */
}

void io_window_init(uint32_t tss_phys)
{
	memset(ones, 0xFF, sizeof(ones));
	window_pt[0] = tss_phys | PTE_P | PTE_W;
	window_pt[1] = bitmap_pte(0);
	window_pt[2] = bitmap_pte(0);
	window_pt[3] = bitmap_pte(0);    /* the byte past the last port */
	boot_pdir[IO_WINDOW >> 22] = virt_to_phys(window_pt) | PDE_P | PDE_W;
	arch_tlb_flush_all();
}

void io_window_map(const uint32_t bm[2], uint32_t tag, bool flush)
{
	io_window_tag = tag;
	for (unsigned k = 0; k < 2; k++) {
		if (io_window_phys[k] == bm[k])
			continue;
		io_window_phys[k] = bm[k];
		window_pt[1 + k] = bitmap_pte(bm[k]);
		if (flush)
			arch_tlb_flush(IO_WINDOW + IO_BITMAP_OFFSET + (k << 12));
	}
}

void arch_io_bitmap_update(uint32_t pdir_phys, const uint32_t bm[2], uint32_t tag)
{
	/* The empty directory is no space's own: the window stays (such a
	 * space runs no user instruction until its own is back). */
	if (pdir_phys && pdir_phys == arch_pdir_loaded() && pdir_phys != arch_pdir_empty())
		io_window_map(bm, tag, true);
}

void arch_io_bitmap_drop(uint32_t phys)
{
	uint32_t bm[2] = { io_window_phys[0], io_window_phys[1] };

	if (bm[0] != phys && bm[1] != phys)
		return;
	/* That space is going: the window shows nobody's. */
	bm[0] = bm[1] = 0;
	io_window_map(bm, 0, true);
}
