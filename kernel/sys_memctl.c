/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * MemoryControl (X.2, privileged): MR0 .. MRk hold fpages of the caller's
 * space; the low two bits of each (where an fpage has its rights) pick
 * one of the four attribute words, and every page of the caller's own
 * that is mapped in the fpage gets that memory attribute.  On IA-32 an
 * attribute is a cache mode (arch_cache_mode(); Pistachio's
 * glue/v4-x86/x32/memcontrol.cc does the same on the caller's mappings).
 * Mappings derived later from such a page take its mode (space_split_mapdb.c);
 * mappings derived earlier, and pages mapped into the fpage afterwards,
 * keep the default.
 */
#include <kernel/syscall.h>
#include <kernel/space.h>
#include <kernel/mapdb.h>
#include <kernel/iofpage.h>
#include <kernel/space_split_bits.h>
#include <arch/arch.h>

#define MEMCTL_MAX_K 63          /* MR0 .. MR63 */

/* Pages an fpage names that MemoryControl can act on: none for nil,
 * I/O and malformed fpages (their attribute is checked, but they change
 * nothing, as such fpages do in Unmap). */
static bool memctl_range(fpage_t f, uint32_t *base, uint64_t *pages)
{
	if (fpage_is_nil(f) || iofpage_is(f) || !fpage_is_valid(f))
		return false;
	*base = fpage_base(f);
	*pages = fpage_size(f) >> PAGE_SHIFT;
	return true;
}

word_t sys_memory_control(tcb_t *t, word_t control, word_t mr0, const word_t attr[4])
{
	uint32_t mode[4];
	bool usable[4];

	if (!t->space->privileged)
		return sys_fail(t, ERR_NO_PRIVILEGE);
	if (control > MEMCTL_MAX_K)
		return sys_fail(t, ERR_INVALID_PARAM);
	for (unsigned a = 0; a < 4; a++)
		usable[a] = arch_cache_mode(attr[a], &mode[a]) == 0;
	/* Check every non-nil fpage's attribute before changing anything. */
	for (word_t i = 0; i <= control; i++) {
		fpage_t f = i == 0 ? mr0 : t->utcb[i];

		if (!fpage_is_nil(f) && !usable[f & 3])
			return sys_fail(t, ERR_INVALID_PARAM);
	}
	for (word_t i = 0; i <= control; i++) {
		fpage_t f = i == 0 ? mr0 : t->utcb[i];
		uint32_t base;
		uint64_t pages;

		if (!memctl_range(f, &base, &pages))
			continue;
		/* The mappings keep it (the split database's records), so
		 * that a translation put back has it too. */
		space_split_type_set(t->space, base, pages, mode[f & 3]);
		space_pte_cache_set(t->space, base, pages, mode[f & 3]);
	}
	/* Lines cached under the old mode must not outlive it (Intel SDM
	 * vol. 3, 11.12.4). */
	arch_cache_flush();
	return 1;
}
