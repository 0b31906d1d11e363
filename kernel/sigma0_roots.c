/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sigma0's root mappings (see kernel/sigma0_roots.h).
 *
 * Why at boot: handing out memory must never cost kernel memory at run
 * time.  If the roots were made on demand, every client request for a
 * fresh 4 MB of physical memory would charge sigma0 a page table, a node
 * table and a node, a privileged task's memory spent for an unprivileged
 * one; and sigma0 touching a fresh page of its own table could find the
 * pool empty, with nothing to do but fault again at the highest
 * priority.  Built once over all RAM, the roots cost a bounded, known
 * amount (two pages per 4 MB of RAM and a 32-byte node per 4 KB frame,
 * under 1 % of RAM), sigma0 never faults on RAM, and its charge never
 * changes after boot.
 */
#include <kernel/sigma0_roots.h>
#include <kernel/space.h>
#include <kernel/mapdb.h>
#include <kernel/boot.h>
#include <kernel/kmem.h>
#include <kernel/kprintf.h>
#include <arch/arch.h>

/* Mapping nodes per KMEM_MAP page: each page gives one node's room to
 * the link that chains the space's node pages (kernel/space_nodes.c). */
#define NODES_PER_PAGE (PAGE_SIZE / sizeof(mapnode_t) - 1)

static uint32_t reserve_phys, reserve_bytes;

/* RAM sigma0 hands out: conventional memory, boot-loader memory and the
 * images of the initial servers.  Device frames and firmware are not. */
static bool is_ram_type(uint32_t type)
{
	return type == MEM_FREE || type == MEM_BOOTLOADER || type == MEM_ROOTTASK;
}

/* The frames [*start, *end) of region r that can have a root: not page
 * 0, nothing at or above the kernel's half.  False if none. */
static bool root_range(const mem_region_t *r, uint32_t *start, uint32_t *end)
{
	uint64_t lo = r->start < PAGE_SIZE ? PAGE_SIZE : r->start;
	uint64_t hi = r->end > USER_LIMIT ? USER_LIMIT : r->end;

	if (!is_ram_type(r->type) || lo >= hi)
		return false;
	*start = (uint32_t)lo;
	*end = (uint32_t)hi;
	return true;
}

uint32_t sigma0_roots_reserve(mem_map_t *m)
{
	uint32_t frames = 0, regions = 0, last_region = ~0u, start, end;

	/* An upper bound: the reserve and the pool, carved from this RAM
	 * next, will need no roots. */
	for (unsigned i = 0; i < m->n; i++) {
		if (!root_range(&m->r[i], &start, &end))
			continue;
		frames += (end - start) / PAGE_SIZE;
		for (uint32_t reg = start >> 22; reg <= (end - 1) >> 22; reg++)
			if (reg != last_region) {
				regions++;
				last_region = reg;
			}
	}
	/* Per 4 MB region a page table and a node table; the nodes; and
	 * one more node page, as node pages are not shared out exactly. */
	uint32_t pages = 2 * regions + (uint32_t)((frames + NODES_PER_PAGE - 1) / NODES_PER_PAGE) + 1;
	reserve_bytes = pages * PAGE_SIZE;
	reserve_phys = (uint32_t)memmap_alloc(m, reserve_bytes, PAGE_SIZE, PHYSMAP_LIMIT, MEM_KERNEL);
	if (!reserve_phys)
		panic("no memory for sigma0's root mappings (%u KB)", reserve_bytes / 1024);
	kprintf("sigma0 root mappings: %u KB boot reserve for %u frames in %u 4 MB regions\n",
		reserve_bytes / 1024, frames, regions);
	return reserve_bytes;
}

void sigma0_roots_build(space_t *s0)
{
	uint32_t frames = 0, start, end;

	kmem_boot_reserve_open(s0, reserve_phys, reserve_bytes);
	for (unsigned i = 0; i < boot_memory.n; i++) {
		if (!root_range(&boot_memory.r[i], &start, &end))
			continue;
		for (uint32_t pa = start; pa < end; pa += PAGE_SIZE) {
			if (!space_is_user_range(s0, pa, PAGE_SIZE))
				continue;   /* under sigma0's own KIP or UTCB area */
			if (mapdb_root(s0, pa, pa, RIGHTS_ALL) != MAPDB_OK)
				panic("sigma0's boot reserve is too small (at frame %08x)", pa);
			frames++;
		}
	}
	uint32_t used = kmem_boot_reserve_close();
	kprintf("sigma0 root mappings: %u frames, %u of %u KB of the boot reserve used\n",
		frames, used * (PAGE_SIZE / 1024), reserve_bytes / 1024);
}

/* A frame sigma0 may have at all: not page 0, not the kernel's, not
 * under its KIP or UTCB area. */
static bool root_allowed(space_t *s0, uint32_t pa)
{
	return s0->sigma0 && space_is_user_range(s0, pa, PAGE_SIZE) &&
	       boot_phys_available_to_sigma0(pa);
}

bool sigma0_root_for_map(space_t *s0, uint32_t pa, const space_t *to)
{
	pa &= PAGE_MASK;
	if (!root_allowed(s0, pa))
		return false;
	if (mapdb_lookup(s0, pa))
		return true;
	if (!to->privileged)
		return false;
	return mapdb_root(s0, pa, pa, RIGHTS_ALL) == MAPDB_OK;
}

bool sigma0_root_fault(space_t *s0, uint32_t va)
{
	va &= PAGE_MASK;
	if (!root_allowed(s0, va) || mapdb_lookup(s0, va))
		return false;
	return mapdb_root(s0, va, va, RIGHTS_ALL) == MAPDB_OK;
}
