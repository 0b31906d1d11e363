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
#include <kernel/sigma0_roots_size.h>
#include <kernel/sigma0_high.h>
#include <kernel/space.h>
#include <kernel/mapdb.h>
#include <kernel/kmem.h>
#include <kernel/frame.h>
#include <kernel/kprintf.h>
#include <user/include/lent/ioports.h>
#include <arch/arch.h>

/* Roots per node page: each takes two 48-byte entries, itself and room
 * for its first sender part (kernel/mapsplit.h); the pages are found
 * through an index of two levels (kernel/space_split.c). */
#define NODES_PER_PAGE ((MS_ENTS - 1) / 2)
#define INDEXED true

static uint32_t reserve_phys, reserve_bytes;

/* The frames that can have a root built at boot: RAM user level may own
 * (the frame table's word: conventional, boot-loader and root-task
 * memory), not page 0, below SIGMA0_RAM_END (from 3 GB up, in the split
 * build, rooted at their keys: kernel/sigma0_high.h). */
static bool boot_root_frame(uint32_t pa)
{
	return pa >= PAGE_SIZE && pa < SIGMA0_RAM_END && frame_is_ram(pa);
}

/* One past the last frame the table knows that may have a root. */
static uint32_t frames_end(void)
{
	uint64_t end = (uint64_t)frame_count() << PAGE_SHIFT;

	return end > SIGMA0_RAM_END ? SIGMA0_RAM_END : (uint32_t)end;
}

/* The record of sigma0's that is the frame's root: its page below 3 GB,
 * its key from there up. */
static uint32_t root_key(uint32_t pa)
{
	return pa < USER_LIMIT ? pa : s0_high_key(pa);
}

uint32_t sigma0_roots_reserve(mem_map_t *m)
{
	uint32_t frames = 0, regions = 0, keyed = 0, last_region = ~0u;

	/* The reserve, carved from this RAM next, needs no roots; the pool
	 * and the resident reserve carved after it are counted still. */
	for (uint32_t pa = PAGE_SIZE; pa < frames_end(); pa += PAGE_SIZE) {
		if (!boot_root_frame(pa))
			continue;
		frames++;
		if (pa >> 22 != last_region) {
			regions++;
			keyed += pa >= USER_LIMIT;
			last_region = pa >> 22;
		}
	}
	uint32_t pages = sigma0_roots_pages(frames, regions, keyed, NODES_PER_PAGE, INDEXED);
	reserve_bytes = pages * PAGE_SIZE;
	reserve_phys = (uint32_t)memmap_alloc(m, reserve_bytes, PAGE_SIZE, PHYSMAP_LIMIT, MEM_KERNEL);
	if (!reserve_phys)
		panic("no memory for sigma0's root mappings (%u KB)", reserve_bytes / 1024);
	frame_mark_kernel(reserve_phys, (uint64_t)reserve_phys + reserve_bytes,
			  FRAME_OWN_SIGMA0_RESERVE);
	kprintf("sigma0 root mappings: %u KB boot reserve for %u frames in %u 4 MB regions\n",
		reserve_bytes / 1024, frames, regions);
	return reserve_bytes;
}

void sigma0_roots_build(space_t *s0)
{
	uint32_t frames = 0;

	kmem_boot_reserve_open(s0, reserve_phys, reserve_bytes);
	for (uint32_t pa = PAGE_SIZE; pa < frames_end(); pa += PAGE_SIZE) {
		if (!boot_root_frame(pa) ||
		    (pa < USER_LIMIT && !space_is_user_range(s0, pa, PAGE_SIZE)))
			continue;   /* not RAM, or under sigma0's own KIP or UTCB area */
		if (mapdb_root(s0, root_key(pa), pa, RIGHTS_ALL) != MAPDB_OK)
			panic("sigma0's boot reserve is too small (at frame %08x)", pa);
		frames++;
	}
	uint32_t used = kmem_boot_reserve_close();
	/* The reserve is used from its start; the rest joined the pool. */
	frame_mark_kernel((uint64_t)reserve_phys + used * PAGE_SIZE,
			  (uint64_t)reserve_phys + reserve_bytes, FRAME_OWN_POOL);
	kprintf("sigma0 root mappings: %u frames, %u of %u KB of the boot reserve used\n",
		frames, used * (PAGE_SIZE / 1024), reserve_bytes / 1024);
}

/*
 * A frame sigma0 may have a root for at all: not page 0, not under its
 * KIP or UTCB area, and, by the frame table, neither the kernel's nor
 * lent to it (a lent frame has no user translation anywhere).  Device
 * and firmware frames qualify: their roots are made on demand.
 */
static bool root_allowed(space_t *s0, uint32_t pa)
{
	int lendable = frame_check_lendable(pa);

	return s0->sigma0 && pa >= PAGE_SIZE && space_is_user_range(s0, pa, PAGE_SIZE) &&
	       lendable != FRAME_KERNEL_OWNED && lendable != FRAME_LENT_ALREADY;
}

/* sigma0 owns every I/O port but the kernel's own (<lent/ioports.h>); a
 * port's root (its page io_va(port), see kernel/iofpage.h) is made on
 * demand, as a device frame's, and paid for the same way. */
static bool io_root(space_t *s0, uint32_t va, bool make)
{
	if (!s0->sigma0 || lent_io_port_kernel(io_va_port(va)))
		return false;
	if (mapdb_lookup(s0, va))
		return true;
	return make && mapdb_root(s0, va, va, RIGHTS_ALL) == MAPDB_OK;
}

/* A frame from 3 GB up is RAM, rooted at boot at its key, or nothing
 * sigma0 can give (no root is made for it on demand). */
static bool high_root(space_t *s0, uint32_t key)
{
	int lendable = frame_check_lendable(s0_high_key_phys(key));

	return s0->sigma0 && lendable != FRAME_KERNEL_OWNED && lendable != FRAME_LENT_ALREADY &&
	       mapdb_lookup(s0, key);
}

bool sigma0_root_for_map(space_t *s0, uint32_t pa, const space_t *to)
{
	pa &= PAGE_MASK;
	if (io_va_is(pa))
		return io_root(s0, pa, to->privileged);
	if (s0_high_key_is(pa))
		return high_root(s0, pa);
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

bool sigma0_io_fault(space_t *s0, uint32_t first, uint32_t count)
{
	for (uint32_t p = first; p < first + count && p < IO_PORTS; p++)
		if (!io_root(s0, io_va(p), true))
			return false;
	return true;
}
