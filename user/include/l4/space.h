/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Address spaces: the forms of Unmap.  The fpages go in MR0.. and come
 * back with the access bits (referenced, written, executed) the kernel
 * collected.  Control bit 6 (f) flushes the pages from the caller's own
 * space as well; the low 6 bits give the index of the last fpage.
 */
#ifndef L4_SPACE_H
#define L4_SPACE_H

#include <l4/types.h>
#include <l4/ia32/syscalls.h>

#define __L4_UNMAP_FLUSH	0x40

L4_INLINE L4_Fpage_t L4_UnmapFpage(L4_Fpage_t f)
{
	L4_LoadMR(0, f.raw);
	L4_Unmap(0);
	L4_StoreMR(0, &f.raw);
	return f;
}

L4_INLINE void L4_UnmapFpages(L4_Word_t n, L4_Fpage_t *fpages)
{
	L4_LoadMRs(0, n, (L4_Word_t *)fpages);
	L4_Unmap(n - 1);
	L4_StoreMRs(0, n, (L4_Word_t *)fpages);
}

L4_INLINE L4_Fpage_t L4_Flush(L4_Fpage_t f)
{
	L4_LoadMR(0, f.raw);
	L4_Unmap(__L4_UNMAP_FLUSH);
	L4_StoreMR(0, &f.raw);
	return f;
}

L4_INLINE void L4_FlushFpages(L4_Word_t n, L4_Fpage_t *fpages)
{
	L4_LoadMRs(0, n, (L4_Word_t *)fpages);
	L4_Unmap(__L4_UNMAP_FLUSH + n - 1);
	L4_StoreMRs(0, n, (L4_Word_t *)fpages);
}

/* Unmapping with no rights removed only reads the access bits. */
L4_INLINE L4_Fpage_t L4_GetStatus(L4_Fpage_t f)
{
	L4_LoadMR(0, f.raw & ~0xfUL);
	L4_Unmap(0);
	L4_StoreMR(0, &f.raw);
	return f;
}

L4_INLINE L4_Bool_t L4_WasWritten(L4_Fpage_t f) { return (f.raw & L4_Writable) != 0; }
L4_INLINE L4_Bool_t L4_WasReferenced(L4_Fpage_t f) { return (f.raw & L4_Readable) != 0; }
L4_INLINE L4_Bool_t L4_WaseXecuted(L4_Fpage_t f) { return (f.raw & L4_eXecutable) != 0; }

#endif
