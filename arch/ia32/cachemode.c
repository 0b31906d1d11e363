/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Cache modes of user pages for MemoryControl.  The X.2 IA-32 memory
 * attributes (Pistachio <l4/ia32/specials.h>: 1 write-back, 2 write-
 * through, 3 uncached-minus, 4 uncacheable, 5 write-combining,
 * 8 write-protected; 0 the default, write-back) are IA-32 memory types
 * selected per page by the PTE's PWT, PCD and PAT bits, which index the
 * eight entries of the PAT MSR.  Entries 0-3 hold WB, WT, UC-, UC after
 * reset and on a CPU without a PAT PWT and PCD alone mean the same
 * (Intel SDM vol. 3, 11.12.3); write-combining and write-protected need
 * entries 4 and 7 reprogrammed, which only a CPU with a PAT allows.
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/segments.h>

#define PTE_PWT 0x008u
#define PTE_PCD 0x010u
#define PTE_PAT 0x080u          /* in a 4 KB entry (bit 7) */
#define PTE_CACHE (PTE_PWT | PTE_PCD | PTE_PAT)
#define PTE_P   0x001u

#define CPUID_PAT 16            /* CPUID.1:EDX */
#define MSR_PAT 0x277u
/* WB, WT, UC-, UC as after reset; then WC, WT, UC-, WP (type codes
 * 6, 4, 7, 0, 1, 4, 7, 5; SDM vol. 3, table 11-10). */
#define PAT_VALUE 0x0507040100070406ull

static bool have_pat;

/* Program the PAT where there is one: before any user page exists. */
void arch_cache_init(void)
{
	if (!arch_cpu_has(CPUID_PAT))
		return;
	wbinvd();
	wrmsr(MSR_PAT, PAT_VALUE);
	wbinvd();
	arch_tlb_flush_all();
	have_pat = true;
}

int arch_cache_mode(uint32_t attribute, uint32_t *mode)
{
	switch (attribute) {
	case 0:                         /* default: write-back */
	case 1: *mode = 0; return 0;
	case 2: *mode = PTE_PWT; return 0;
	case 3: *mode = PTE_PCD; return 0;
	case 4: *mode = PTE_PCD | PTE_PWT; return 0;
	case 5: *mode = PTE_PAT; return have_pat ? 0 : -1;
	case 8: *mode = PTE_PAT | PTE_PCD | PTE_PWT; return have_pat ? 0 : -1;
	default: return -1;
	}
}

uint32_t arch_pte_cache(pte_t p)
{
	return p & PTE_CACHE;
}

pte_t arch_pte_with_cache(pte_t p, uint32_t mode)
{
	if (!(p & PTE_P))
		return p;
	return (p & ~PTE_CACHE) | (mode & PTE_CACHE);
}

void arch_cache_flush(void)
{
	wbinvd();
}
