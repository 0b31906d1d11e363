/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * I/O ports of a space (X.2 IA-32 I/O fpages).  Port p is the page at
 * io_va(p) to the mapping database (kernel/iofpage.h), so map, grant and
 * unmap of ports, and their recursive revocation, are those of memory:
 * mapping nodes and node tables charged to the space that holds the
 * ports.  Where memory has a page table, ports have the space's I/O
 * permission bitmap: two pages (32,768 ports each), taken as the
 * space's kernel memory when its first port in that half is mapped, and
 * shown to the CPU through the TSS's window (arch/ia32/iobitmap.c).  A
 * space without ports has no bitmap and costs nothing.
 */
#include <kernel/space.h>
#include <kernel/kpf.h>
#include <kernel/kmem_order.h>
#include <kernel/preempt.h>
#include <kernel/sigma0_roots.h>
#include <kernel/string.h>
#include <arch/arch.h>

#define PORT_COST  256u    /* about what mapping one port costs */
#define UNMAP_COST 96u
#define SKIP_COST  8u      /* 1,024 ports without a node table passed over */
#define STOPPED_MIDWAY 0x80000000u   /* the port at `done` is half done */

/* The bitmap page holding port's bit; with alloc, made (all denied) if
 * missing.  NULL: none, or no kernel memory for it. */
static uint8_t *bitmap_page(space_t *s, uint32_t port, bool alloc)
{
	uint32_t k = io_bitmap_index(port);

	if (s->io_bitmap[k] || !alloc)
		return s->io_bitmap[k];
	uint8_t *page = kmem_get(s, KMEM_PT, kmem_cid_pt(io_va(port)));
	if (!page)
		return NULL;
	memset(page, 0xFF, PAGE_SIZE);
	s->io_bitmap[k] = page;
	s->io_bitmap_phys[k] = virt_to_phys(page);
	s->io_tag = (uint32_t)(uintptr_t)s;
	arch_io_bitmap_update(s->pdir_phys, s->io_bitmap_phys, s->io_tag);
	return page;
}

int space_io_set(space_t *s, uint32_t va, uint32_t rights)
{
	uint32_t port = io_va_port(va);
	uint8_t *page = bitmap_page(s, port, true);

	if (!page)
		return -1;
	if (rights)
		iobm_allow(page, port);
	return 0;
}

/* The CPU reads the bitmap at each I/O instruction: a bit set now
 * denies the port from the next one on, with no TLB to flush. */
void space_io_deny(space_t *s, uint32_t va)
{
	uint8_t *page = bitmap_page(s, io_va_port(va), false);

	if (page)
		iobm_deny(page, io_va_port(va));
}

bool space_io_allowed(const space_t *s, uint32_t first, uint32_t count)
{
	for (uint32_t p = first; p < first + count; p++)
		if (p >= IO_PORTS || !iobm_allowed(s->io_bitmap[io_bitmap_index(p)], p))
			return false;
	return true;
}

void space_io_free(space_t *s)
{
	for (uint32_t k = 0; k < IO_BITMAP_PAGES; k++) {
		if (!s->io_bitmap[k])
			continue;
		arch_io_bitmap_drop(s->io_bitmap_phys[k]);
		kmem_put(s, KMEM_PT, s->io_bitmap[k]);
		s->io_bitmap[k] = NULL;
		s->io_bitmap_phys[k] = 0;
	}
	s->io_tag = 0;
}

/* The kpager takes bitmap page k back (kernel/kpreempt.c): every port
 * of its half is denied until a fault puts its bit back from the port's
 * mapping node (space_refill()).  The window must not go on showing the
 * frame, which the kpager may now write. */
void space_io_vacate(space_t *s, uint32_t k, uint32_t pa)
{
	if (s->io_bitmap_phys[k] != pa)
		return;
	arch_io_bitmap_drop(pa);
	s->tables_taken = true;
	s->io_bitmap[k] = NULL;
	s->io_bitmap_phys[k] = 0;
	if (!s->io_bitmap[0] && !s->io_bitmap[1])
		s->io_tag = 0;
	arch_io_bitmap_update(s->pdir_phys, s->io_bitmap_phys, s->io_tag);
}

/* One port; from sigma0 only where it has (or may now make) its root. */
static int map_port(space_t *from, space_t *to, uint32_t port, bool grant)
{
	uint32_t va = io_va(port);

	if (from->sigma0 && !sigma0_root_for_map(from, va, to))
		return MAPDB_OK;
	return mapdb_map_part(from, va, to, va, RIGHTS_ALL, grant, true);
}

/*
 * Ports map onto themselves: the send fpage's ports (within the window,
 * where that is an I/O fpage), each with all rights, as X.2 gives ports
 * no rights of their own.  Stops at preemption points and at a page of
 * to's kernel memory that is missing, as space_map_fpage() does.
 */
bool space_map_iofpage(space_t *from, fpage_t snd, space_t *to, fpage_t window,
		       bool grant, uint32_t *done, kmem_need_t *need)
{
	uint32_t first, count;

	need->space = NULL;
	if (!iofpage_span(snd, window, &first, &count))
		return true;
	while ((*done & ~STOPPED_MIDWAY) < count) {
		uint32_t i = *done & ~STOPPED_MIDWAY, port = first + i, va = io_va(port);
		if (!from->sigma0 && !from->node_table[va >> 22]) {
			*done = ((port | 1023u) + 1u) - first;
			if (preempt_due(SKIP_COST))
				return false;
			continue;
		}
		if ((from->sigma0 || mapdb_lookup(from, va)) &&
		    (!space_have_for_send(from, need) || !kpf_have_for_map(to, va, need)))
			return false;
		int r = map_port(from, to, port, grant);
		if (r == MAPDB_STOPPED || r == MAPDB_NOMEM) {
			*done = i | (r == MAPDB_STOPPED ? STOPPED_MIDWAY : SPACE_MAP_NOMEM);
			return false;
		}
		*done = i + 1;
		if (preempt_due(PORT_COST))
			return false;
	}
	return true;
}

/* Revoke the ports of fp from everything derived from s's, and with
 * flush_self from s too.  Ports have no rights: whatever rights fp
 * names, a port is taken whole (as Pistachio does), and there are no
 * access bits to report. */
bool space_unmap_iofpage(space_t *s, fpage_t fp, bool flush_self, uint32_t *done)
{
	uint32_t first, count, access = 0;

	if (!iofpage_span(fp, 0, &first, &count))
		return true;
	while ((*done & ~STOPPED_MIDWAY) < count) {
		uint32_t i = *done & ~STOPPED_MIDWAY, va = io_va(first + i);
		if (!s->node_table[va >> 22]) {
			*done = (((first + i) | 1023u) + 1u) - first;
			if (preempt_due(SKIP_COST))
				return false;
			continue;
		}
		bool midway = (*done & STOPPED_MIDWAY) != 0;
		if (mapdb_unmap_part(s, va, RIGHTS_ALL, flush_self, &access, true, midway) ==
		    MAPDB_STOPPED) {
			*done = i | STOPPED_MIDWAY;
			return false;
		}
		*done = i + 1;
		if (preempt_due(UNMAP_COST))
			return false;
	}
	return true;
}
