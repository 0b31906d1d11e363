/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Physical memory map (see kernel/memregion.h).  Used at boot only, on one
 * CPU: memmap_add builds the new list in a static scratch map and copies
 * it back, so that a full table leaves the old map untouched.
 */
#include <kernel/memregion.h>

#define MEM_TOP_PAGE (~(uint64_t)0 & ~(uint64_t)(PAGE_SIZE - 1))

static mem_map_t scratch;

void memmap_init(mem_map_t *m)
{
	m->n = 0;
}

/* Append [start, end) of type to out, merging with the previous region
 * when they touch and agree.  Counts past the capacity without writing. */
static void emit(mem_map_t *out, unsigned *count, uint64_t start, uint64_t end,
		 uint32_t type)
{
	mem_region_t *last;

	if (start >= end)
		return;
	if (*count > 0 && *count <= ARRAY_SIZE(out->r)) {
		last = &out->r[*count - 1];
		if (last->end == start && last->type == type) {
			last->end = end;
			return;
		}
	}
	if (*count < ARRAY_SIZE(out->r)) {
		out->r[*count].start = start;
		out->r[*count].end = end;
		out->r[*count].type = type;
	}
	(*count)++;
}

int memmap_add(mem_map_t *m, uint64_t start, uint64_t end, uint32_t type)
{
	uint64_t pos;
	unsigned i, count = 0;

	if (type < MEM_FREE || type > MEM_RESERVED || m->n > ARRAY_SIZE(m->r))
		return -1;
	if (type == MEM_FREE) {
		if (start > MEM_TOP_PAGE)
			return 0;
		start = ALIGN_UP(start, (uint64_t)PAGE_SIZE);
		end = ALIGN_DOWN(end, (uint64_t)PAGE_SIZE);
	} else {
		start = ALIGN_DOWN(start, (uint64_t)PAGE_SIZE);
		end = end > MEM_TOP_PAGE ? MEM_TOP_PAGE : ALIGN_UP(end, (uint64_t)PAGE_SIZE);
	}
	if (start >= end)
		return 0;

	/*
	 * One sweep over the sorted regions.  pos is the first address of
	 * [start, end) whose fate is still open; the part of the new range
	 * from pos on is emitted as soon as something ends it.
	 */
	pos = start;
	for (i = 0; i < m->n; i++) {
		const mem_region_t *r = &m->r[i];

		if (r->end <= start) {
			emit(&scratch, &count, r->start, r->end, r->type);
		} else if (r->start >= end) {
			if (pos < end) {
				emit(&scratch, &count, pos, end, type);
				pos = end;
			}
			emit(&scratch, &count, r->start, r->end, r->type);
		} else if (r->type > type) {
			/* r outranks the new range: the new range yields */
			if (pos < r->start)
				emit(&scratch, &count, pos, r->start, type);
			emit(&scratch, &count, r->start, r->end, r->type);
			if (r->end > pos)
				pos = r->end;
		} else {
			/* the new range takes over the overlap */
			if (r->start < start)
				emit(&scratch, &count, r->start, start, r->type);
			if (r->end > end) {
				if (pos < end)
					emit(&scratch, &count, pos, end, type);
				pos = end;
				emit(&scratch, &count, end, r->end, r->type);
			}
		}
	}
	if (pos < end)
		emit(&scratch, &count, pos, end, type);

	if (count > ARRAY_SIZE(m->r))
		return -1;
	for (i = 0; i < count; i++)
		m->r[i] = scratch.r[i];
	m->n = count;
	return 0;
}

uint64_t memmap_alloc(mem_map_t *m, uint64_t size, uint64_t align,
		      uint64_t limit, uint32_t type)
{
	unsigned i;

	if (size == 0 || (size & (PAGE_SIZE - 1)) != 0 || type == MEM_FREE)
		return 0;
	if (align < PAGE_SIZE)
		align = PAGE_SIZE;
	if ((align & (align - 1)) != 0)
		return 0;
	for (i = m->n; i-- > 0;) {
		const mem_region_t *r = &m->r[i];
		uint64_t top, base;

		if (r->type != MEM_FREE)
			continue;
		top = r->end < limit ? r->end : limit;
		if (top < size || top - size < r->start)
			continue;
		base = ALIGN_DOWN(top - size, align);
		if (base < r->start || base == 0)
			continue;
		if (memmap_add(m, base, base + size, type) != 0)
			return 0;
		return base;
	}
	return 0;
}

int memmap_reserve_from(mem_map_t *m, uint64_t limit)
{
	unsigned i = 0;

	/* Each add may split or merge regions: look again from the start
	 * (at most 64 regions, and each pass turns one into reserved). */
	while (i < m->n) {
		const mem_region_t *r = &m->r[i];

		if (r->end <= limit || r->type == MEM_KERNEL || r->type == MEM_RESERVED) {
			i++;
			continue;
		}
		if (memmap_add(m, r->start > limit ? r->start : limit, r->end, MEM_RESERVED) < 0)
			return -1;
		i = 0;
	}
	return 0;
}

uint64_t memmap_total(const mem_map_t *m, uint32_t type)
{
	uint64_t total = 0;
	unsigned i;

	for (i = 0; i < m->n; i++)
		if (m->r[i].type == type)
			total += m->r[i].end - m->r[i].start;
	return total;
}

uint64_t memmap_top(const mem_map_t *m)
{
	unsigned i;

	for (i = m->n; i-- > 0;)
		if (m->r[i].type == MEM_FREE)
			return m->r[i].end;
	return 0;
}
