/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a record keeps of its translation besides frame and
 * rights (kernel/mapsplit.h, MS_ATTR_*; docs/mapdb-split.md "Access bits
 * and memory type").
 *
 * Access bits.  A translation that goes without an Unmap reading it (its
 * page table taken back by its kpager, here; its node page or node table
 * taken back, in ms_unresolve) leaves its referenced and written bits in
 * its record, and the next Unmap that reaches the record reports and
 * resets them with the translation's own (X.2 "Unmap").  Where the record
 * itself goes away, they go up to the record above that stays
 * (kernel/mapsplit_io.c, rec_cut).
 *
 * Memory type.  MemoryControl (X.2 section 5) gives a record its type as
 * well as the translation; a mapping derived from it takes it
 * (ms_map_found), and every translation the kernel enters for the record
 * has it (ms_pte_set), so it survives the translation going.
 */
#include <kernel/space_split_bits.h>
#include <kernel/space_split_int.h>
#include <arch/arch.h>

void space_split_keep_bits(space_t *s, uint32_t pde)
{
	uint32_t pt = s->pdir ? arch_pde_table(s->pdir, pde << 22) : 0;

	/* Nothing mapped in the slot: only the KIP or UTCB pages. */
	if (!pt || s->sigma0 || pde >= SPACE_NODE_PDES || !s->node_table[pde])
		return;
	const pte_t *pte = phys_to_virt(pt);
	for (uint32_t j = 0; j < 1024; j++) {
		uint32_t access = arch_pte_present(pte[j]) ? arch_pte_access(pte[j]) : 0;
		ms_need_t need;
		ms_ent_t *r;

		/* A translation has a resolved record, whose node table and
		 * node page are present (I1): the lookup finds it. */
		if (access && (r = ms_lookup(&s->ms, pde << 22 | j << PAGE_SHIFT, &need)) != NULL)
			ms_bits_keep(r, access);
	}
}

uint32_t space_split_mode_of(const mapnode_t *n)
{
	return arch_cache_type_mode(ms_type(&n->rec));
}

void space_split_type_set(space_t *s, uint32_t va, uint64_t pages, uint32_t mode)
{
	uint64_t a = va, end = (uint64_t)va + (pages << PAGE_SHIFT);
	uint8_t type = (uint8_t)arch_cache_type(mode);

	if (end > USER_LIMIT)
		end = USER_LIMIT;
	while (a < end) {
		uint32_t slot = (uint32_t)(a >> 22);
		const uint32_t *t = slot < SPACE_NODE_PDES ? s->node_table[slot] : NULL;
		ms_need_t need;
		ms_ent_t *r;

		if (!t) {
			a = ((uint64_t)slot + 1) << 22;
			continue;
		}
		if (t[(a >> PAGE_SHIFT) & (MS_NT_ENTS - 1)] &&
		    (r = ms_lookup(&s->ms, (uint32_t)a, &need)) != NULL)
			r->attr = (uint8_t)((r->attr & ~MS_ATTR_TYPE) | type);
		a += PAGE_SIZE;
	}
}
