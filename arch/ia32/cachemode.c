/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Cache modes of user pages for MemoryControl: the PAT programmed at
 * boot where the CPU has one, and the mode bits of page-table entries
 * (which attribute gives which bits: arch/cachemode.h).
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/segments.h>
#include <arch/cachemode.h>

#define PTE_P   0x001u
#define CPUID_PAT 16            /* CPUID.1:EDX */
#define MSR_PAT 0x277u

static bool have_pat;

/* Program the PAT where there is one: before any user page exists. */
void arch_cache_init(void)
{
	if (!arch_cpu_has(CPUID_PAT))
		return;
	wbinvd();
	wrmsr(MSR_PAT, CACHE_PAT_VALUE);
	wbinvd();
	arch_tlb_flush_all();
	have_pat = true;
}

int arch_cache_mode(uint32_t attribute, uint32_t *mode)
{
	return cachemode_bits(attribute, have_pat, mode);
}

uint32_t arch_cache_type(uint32_t mode)
{
	return cachemode_type(mode);
}

uint32_t arch_cache_type_mode(uint32_t type)
{
	return cachemode_of_type(type);
}

bool arch_cache_type_ok(uint32_t type)
{
	return cachemode_type_ok(type, have_pat);
}

_Static_assert(PTE_CACHE == ARCH_PTE_CACHE_BITS, "arch.h's inline cache-mode helpers use the same bits");

void arch_cache_flush(void)
{
	wbinvd();
}
