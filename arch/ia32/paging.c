/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IA-32 two-level paging.  The kernel half (0xC0000000 up) is the same in
 * every address space: 4 MB pages mapping physical memory, built once at
 * boot in boot_pdir and copied into each new page directory.  User memory
 * uses 4 KB pages only, so that each page has one mapping node.
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/frame_window.h>
#include <kernel/mapdb.h>

#define PDE_P   0x001u
#define PDE_W   0x002u
#define PDE_U   0x004u
#define PDE_A   0x020u
#define PDE_D   0x040u
#define PDE_PS  0x080u

__attribute__((aligned(4096))) uint32_t boot_pdir[1024];

void arch_paging_init(uint64_t ram_top)
{
	uint32_t top = ram_top > PHYSMAP_LIMIT ? PHYSMAP_LIMIT : (uint32_t)ram_top;

	for (uint32_t pa = 0; pa < top; pa += 0x400000)
		boot_pdir[(KERNEL_VIRT + pa) >> 22] = pa | PDE_P | PDE_W | PDE_PS;
	/* The identity map was only needed to switch paging on. */
	boot_pdir[0] = 0;
	boot_pdir[1] = 0;
	frame_window_init(boot_pdir);
	arch_tlb_flush_all();
}

void arch_pdir_init(uint32_t *pdir)
{
	for (unsigned i = 0; i < KERNEL_VIRT >> 22; i++)
		pdir[i] = 0;
	for (unsigned i = KERNEL_VIRT >> 22; i < 1024; i++)
		pdir[i] = boot_pdir[i];
}

pte_t *arch_pte_slot(uint32_t *pdir, uint32_t va)
{
	uint32_t pde = pdir[va >> 22];

	if (!(pde & PDE_P) || (pde & PDE_PS))
		return NULL;
	return (pte_t *)phys_to_virt(pde & PAGE_MASK) + ((va >> 12) & 1023);
}

/* User page tables are writable and user-accessible at the directory
 * level; the page table entries decide. */
void arch_pde_set(uint32_t *pdir, uint32_t va, uint32_t pt_phys)
{
	pdir[va >> 22] = pt_phys ? (pt_phys | PDE_P | PDE_W | PDE_U) : 0;
}

uint32_t arch_pde_table(uint32_t *pdir, uint32_t va)
{
	uint32_t pde = pdir[va >> 22];

	return (pde & PDE_P) && !(pde & PDE_PS) ? (pde & PAGE_MASK) : 0;
}

/* IA-32 cannot withhold execute: any of R or X makes the page present. */
pte_t arch_pte_make(uint32_t phys, uint32_t rights)
{
	if (!(rights & RIGHTS_ALL))
		return 0;
	return (phys & PAGE_MASK) | PDE_P | PDE_U | ((rights & RIGHT_W) ? PDE_W : 0);
}


uint32_t arch_pte_rights(pte_t p)
{
	if (!(p & PDE_P))
		return 0;
	return RIGHT_R | RIGHT_X | ((p & PDE_W) ? RIGHT_W : 0);
}

uint32_t arch_pte_access(pte_t p)
{
	return ((p & PDE_A) ? (RIGHT_R | RIGHT_X) : 0) | ((p & PDE_D) ? RIGHT_W : 0);
}

void arch_tlb_flush(uint32_t va) { invlpg(va); }
void arch_tlb_flush_all(void) { load_cr3(read_cr3()); }
