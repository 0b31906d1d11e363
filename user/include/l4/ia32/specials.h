/* SPDX-License-Identifier: BSD-2-Clause */
/* IA-32 helpers used by the generic headers: bit scans, small spaces,
 * cache hints and MemoryControl attributes. */
#ifndef L4_IA32_SPECIALS_H
#define L4_IA32_SPECIALS_H

/* Index of the most significant set bit; w must not be 0. */
L4_INLINE int __L4_Msb(L4_Word_t w)
{
	int bit;

	__asm__("bsrl %1, %0" : "=r"(bit) : "rm"(w) : "cc");
	return bit;
}

/* Index of the least significant set bit; w must not be 0. */
L4_INLINE int __L4_Lsb(L4_Word_t w)
{
	int bit;

	__asm__("bsfl %1, %0" : "=r"(bit) : "rm"(w) : "cc");
	return bit;
}

/* SpaceControl's control word: 0 selects a large space, otherwise a small
 * space of `size` MB at `location` MB (both powers of two, encoded in 8 bits). */
#define L4_LargeSpace	0

L4_INLINE L4_Word_t L4_SmallSpace(L4_Word_t location, L4_Word_t size)
{
	/* The 4 MB-unit size marks itself by its lowest set bit; the 2 MB-unit
	 * location, aligned to that size, fills the bits above it. */
	L4_Word_t units = size / 4;
	L4_Word_t where = (location / 2) & ~(units - 1);

	return (where | units) & 0xff;
}

/* Cache allocation hints carried in bits 1..2 of a string item. */
#define L4_AllocateNewCacheLines	((L4_CacheAllocationHint_t) { .raw = 1 })
#define L4_DoNotAllocateNewCacheLines	((L4_CacheAllocationHint_t) { .raw = 2 })
#define L4_AllocateOnlyNewL1CacheLines	((L4_CacheAllocationHint_t) { .raw = 3 })

/* Memory attributes for MemoryControl on IA-32. */
#define L4_WriteBackMemory		1
#define L4_WriteThroughMemory		2
#define L4_UncacheableMemory		4
#define L4_WriteCombiningMemory		5
#define L4_WriteProtectedMemory		8

#endif
