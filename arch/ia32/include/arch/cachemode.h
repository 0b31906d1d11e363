/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The X.2 IA-32 memory attributes as page-table bits (pure, host-tested;
 * arch/ia32/cachemode.c has the hardware side).  An attribute names a
 * memory type (Pistachio <l4/ia32/specials.h>); the PTE's PAT, PCD and
 * PWT bits index the PAT MSR, programmed as CACHE_PAT_VALUE where there
 * is a PAT: 0 WB, 1 WT, 2 UC-, 3 UC (as after reset), 4 WC, 5 WT, 6 UC-,
 * 7 WP (Intel SDM vol. 3, 11.12).
 */
#ifndef ARCH_CACHEMODE_H
#define ARCH_CACHEMODE_H

#include <kernel/types.h>

#define PTE_PWT 0x008u
#define PTE_PCD 0x010u
#define PTE_PAT 0x080u          /* in a 4 KB entry (bit 7) */
#define PTE_CACHE (PTE_PWT | PTE_PCD | PTE_PAT)
#define CACHE_PAT_VALUE 0x0507040100070406ull

/* The PTE bits of attribute in *mode, or -1 where it names no memory
 * type, or one only a PAT gives (write-combining, write-protected) and
 * pat is false.  Without a PAT, PWT and PCD alone give the first four. */
static inline int cachemode_bits(uint32_t attribute, bool pat, uint32_t *mode)
{
	switch (attribute) {
	case 0:                         /* default: write-back */
	case 1: *mode = 0; return 0;
	case 2: *mode = PTE_PWT; return 0;
	case 3: *mode = PTE_PCD; return 0;
	case 4: *mode = PTE_PCD | PTE_PWT; return 0;
	case 5: *mode = PTE_PAT; return pat ? 0 : -1;
	case 8: *mode = PTE_PAT | PTE_PCD | PTE_PWT; return pat ? 0 : -1;
	default: return -1;
	}
}

/* A mode as a memory-type number of three bits (the split mapping
 * database keeps it in a record, kernel/mapsplit.h's MS_ATTR_TYPE):
 * PWT bit 0, PCD bit 1, PAT bit 2; 0 is the default. */
static inline uint32_t cachemode_type(uint32_t mode)
{
	return (mode & (PTE_PWT | PTE_PCD)) >> 3 | (mode & PTE_PAT) >> 5;
}

static inline uint32_t cachemode_of_type(uint32_t type)
{
	return (type & 3u) << 3 | (type & 4u) << 5;
}

/* Is type one cachemode_bits() gives (what MemoryControl can set)? */
static inline bool cachemode_type_ok(uint32_t type, bool pat)
{
	return type < 4 || (pat && (type == 4 || type == 7));
}

#endif
