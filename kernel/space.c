/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Address spaces: making one, and the checks on its KIP and UTCB areas.
 * The rest of a space lives by concept: page-table entries in
 * space_pte.c, the mapping database's records and node tables in
 * space_split*.c, user-memory
 * access in space_user.c, KIP and UTCB pages in space_utcb.c, map and
 * unmap in space_map.c, teardown in space_reap.c, sigma0's roots in
 * sigma0_roots.c.
 */
#include <kernel/space.h>
#include <kernel/space_vacate.h>
#include <kernel/frame.h>
#include <arch/arch.h>

static uint32_t next_space_id;
/* sigma0 and the root task: their records are the kernel's, so the
 * frame table cannot lead to them. */
static space_t *boot_spaces[2];

void space_register_boot(space_t *s)
{
	for (unsigned i = 0; i < 2; i++)
		if (!boot_spaces[i]) {
			boot_spaces[i] = s;
			return;
		}
}

space_t *space_of_task(uint32_t id)
{
	for (unsigned i = 0; i < 2; i++)
		if (boot_spaces[i] && boot_spaces[i]->id == id)
			return boot_spaces[i];
	if (!kmem_record_is_lent())
		return NULL;
	/* A record is built (space_create_in) once its task is made: until
	 * then the page holds no id. */
	space_t *s = kmem_record_lent(id);
	return s && s->id == id ? s : NULL;
}

space_t *space_create(void)
{
	space_t *s = kmem_alloc(NULL, KMEM_TASK);

	if (!s)
		return NULL;
	/* The record is charged to the task itself, once. */
	kmem_adopt(s, KMEM_TASK);
	s->id = space_id_take();
	/* A page directory its kpager lends comes with the first use of one
	 * (SpaceControl, which maps the KIP, gathers it): the space needs
	 * none before, for no thread of it can run and nothing can be
	 * mapped into it until SpaceControl has set its areas.  One from the
	 * pool is taken now, as in a kernel without kpagers. */
	if (!kmem_kind_is_lent(s, KMEM_PDIR) && !space_take_pdir(s)) {
		kmem_free_record(s);
		return NULL;
	}
	space_split_register(s);
	return s;
}

uint32_t space_id_take(void)
{
	return ++next_space_id;
}

space_t *space_create_in(void *record, uint32_t id)
{
	space_t *s = record;

	/* Lent zeroed; counted now that the task it was lent for exists. */
	s->id = id;
	kmem_lent(s, KMEM_TASK);
	return s;
}

bool space_take_pdir(space_t *s)
{
	if (s->pdir)
		return true;
	uint32_t *pdir = kmem_get(s, KMEM_PDIR, LENT_CID_PDIR);
	if (!pdir)
		return false;
	/* The kernel half now: a lent frame held nothing of it. */
	arch_pdir_init(pdir);
	s->pdir = pdir;
	s->pdir_phys = virt_to_phys(pdir);
	/* A directory its kpager took back and lent again: the page tables
	 * it still lends go back in. */
	space_relink_tables(s);
	return true;
}

bool space_areas_set(space_t *s)
{
	return !fpage_is_nil(s->kip_area) && !fpage_is_nil(s->utcb_area);
}

static bool ranges_overlap(uint32_t a, uint64_t alen, uint32_t b, uint64_t blen)
{
	return (uint64_t)a < (uint64_t)b + blen && (uint64_t)b < (uint64_t)a + alen;
}

bool space_in_utcb_area(const space_t *s, uint32_t addr, uint32_t size)
{
	if (fpage_is_nil(s->utcb_area))
		return false;
	uint32_t base = fpage_base(s->utcb_area);
	uint64_t len = fpage_size(s->utcb_area);
	return addr >= base && (uint64_t)addr + size <= (uint64_t)base + len;
}

bool space_is_user_range(space_t *s, uint32_t addr, uint32_t size)
{
	if ((uint64_t)addr + size > USER_LIMIT)
		return false;
	if (!fpage_is_nil(s->kip_area) &&
	    ranges_overlap(addr, size, fpage_base(s->kip_area), fpage_size(s->kip_area)))
		return false;
	if (!fpage_is_nil(s->utcb_area) &&
	    ranges_overlap(addr, size, fpage_base(s->utcb_area), fpage_size(s->utcb_area)))
		return false;
	return true;
}
