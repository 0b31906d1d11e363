/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for arch/ia32/multiboot.c and kernel/memregion.c.
 * Input: a header (flags selector, mem_lower, mem_upper, mmap length), the
 * Multiboot memory map itself, then memmap_add / memmap_alloc operations.
 * After each step the map must be sorted, non-overlapping, page aligned
 * and merged; every add and alloc is also compared with a model that
 * recomputes the map from memregion.h's contract.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arch/multiboot.h>

#define REQUIRE(c, ...) do { if (!(c)) { fprintf(stderr, "fuzz_multiboot: step %u: ", step); \
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); dump(&map); abort(); } } while (0)

#define TOP_PAGE (~(uint64_t)0 & ~(uint64_t)(PAGE_SIZE - 1))
#define MAXPTS   (2 * ARRAY_SIZE(((mem_map_t *)0)->r) + 2)
#define OP_SIZE  25           /* kind, then three 64-bit values */

static mem_map_t map;
static unsigned step;

static void dump(const mem_map_t *m)
{
	for (unsigned i = 0; i < m->n && i < ARRAY_SIZE(m->r); i++)
		fprintf(stderr, "  [%#llx, %#llx) type %u\n", (unsigned long long)m->r[i].start,
			(unsigned long long)m->r[i].end, m->r[i].type);
}

static uint64_t rd(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* Sorted, non-overlapping, page aligned, typed, and merged. */
static void check_map(const mem_map_t *m)
{
	REQUIRE(m->n <= ARRAY_SIZE(m->r), "%u regions", m->n);
	for (unsigned i = 0; i < m->n; i++) {
		const mem_region_t *r = &m->r[i];

		REQUIRE(r->start < r->end, "region %u is empty or inverted", i);
		REQUIRE(!(r->start & (PAGE_SIZE - 1)) && !(r->end & (PAGE_SIZE - 1)),
			"region %u not page aligned", i);
		REQUIRE(r->type >= MEM_FREE && r->type <= MEM_RESERVED, "region %u type %u",
			i, r->type);
		if (i + 1 < m->n) {
			REQUIRE(r->end <= m->r[i + 1].start, "regions %u and %u overlap or are "
				"out of order", i, i + 1);
			REQUIRE(r->end < m->r[i + 1].start || r->type != m->r[i + 1].type,
				"regions %u and %u touch with one type: not merged", i, i + 1);
		}
	}
}

static uint32_t type_at(const mem_map_t *m, uint64_t x)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->r[i].start <= x && x < m->r[i].end)
			return m->r[i].type;
	return 0;
}

static int cmp64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The map old becomes once [s, e) is recorded as type, the higher type
 * winning where they overlap, adjacent pieces of one type merged.
 * Returns the number of regions (which may exceed what fits; those past
 * the table are not written).
 */
static unsigned model_add(const mem_map_t *old, uint64_t s, uint64_t e, uint32_t type,
			  mem_map_t *out)
{
	uint64_t pts[MAXPTS];
	unsigned k = 0, n = 0;

	for (unsigned i = 0; i < old->n; i++) {
		pts[k++] = old->r[i].start;
		pts[k++] = old->r[i].end;
	}
	pts[k++] = s;
	pts[k++] = e;
	qsort(pts, k, sizeof(pts[0]), cmp64);
	for (unsigned i = 0; i + 1 < k; i++) {
		uint64_t a = pts[i], b = pts[i + 1];
		uint32_t t = type_at(old, a);

		if (a == b)
			continue;
		if (a >= s && a < e && type > t)
			t = type;
		if (!t)
			continue;
		if (n && n <= ARRAY_SIZE(out->r) && out->r[n - 1].end == a &&
		    out->r[n - 1].type == t) {
			out->r[n - 1].end = b;
			continue;
		}
		if (n < ARRAY_SIZE(out->r))
			out->r[n] = (mem_region_t){ a, b, t };
		n++;
	}
	out->n = n;
	return n;
}

static void require_same(const mem_map_t *a, const mem_map_t *b, const char *what)
{
	REQUIRE(a->n == b->n, "%s: %u regions, model %u", what, a->n, b->n);
	for (unsigned i = 0; i < a->n; i++)
		REQUIRE(a->r[i].start == b->r[i].start && a->r[i].end == b->r[i].end &&
			a->r[i].type == b->r[i].type, "%s: region %u is [%#llx, %#llx) type %u, "
			"model [%#llx, %#llx) type %u", what, i,
			(unsigned long long)a->r[i].start, (unsigned long long)a->r[i].end,
			a->r[i].type, (unsigned long long)b->r[i].start,
			(unsigned long long)b->r[i].end, b->r[i].type);
}

static void do_add(uint64_t start, uint64_t end, uint32_t type)
{
	mem_map_t before = map, want;
	uint64_t s, e;
	int rc = memmap_add(&map, start, end, type);

	if (type < MEM_FREE || type > MEM_RESERVED) {
		REQUIRE(rc == -1, "memmap_add of type %u returned %d", type, rc);
		require_same(&map, &before, "bad type");
		return;
	}
	/* memregion.h: free memory shrinks inward, the rest widens outward. */
	if (type == MEM_FREE) {
		if (start > TOP_PAGE) {
			s = e = 0;
		} else {
			s = ALIGN_UP(start, (uint64_t)PAGE_SIZE);
			e = ALIGN_DOWN(end, (uint64_t)PAGE_SIZE);
		}
	} else {
		s = ALIGN_DOWN(start, (uint64_t)PAGE_SIZE);
		e = end > TOP_PAGE ? TOP_PAGE : ALIGN_UP(end, (uint64_t)PAGE_SIZE);
	}
	if (s >= e) {
		REQUIRE(rc == 0, "empty add returned %d", rc);
		require_same(&map, &before, "empty add");
		return;
	}
	if (model_add(&before, s, e, type, &want) > ARRAY_SIZE(want.r)) {
		REQUIRE(rc == -1, "add needing %u regions returned %d", want.n, rc);
		require_same(&map, &before, "full table");
		return;
	}
	REQUIRE(rc == 0, "memmap_add [%#llx, %#llx) type %u returned %d",
		(unsigned long long)start, (unsigned long long)end, type, rc);
	require_same(&map, &want, "add");
}

static void do_alloc(uint64_t size, uint64_t align, uint64_t limit, uint32_t type)
{
	mem_map_t before = map, want;
	uint64_t a = align < PAGE_SIZE ? PAGE_SIZE : align, best = 0;
	uint64_t got = memmap_alloc(&map, size, align, limit, type);
	bool valid = size && !(size & (PAGE_SIZE - 1)) && type != MEM_FREE &&
		     !(a & (a - 1)) && type <= MEM_RESERVED && type >= MEM_FREE;

	/* The highest aligned base below limit inside one free region. */
	for (unsigned i = 0; valid && i < before.n; i++) {
		const mem_region_t *r = &before.r[i];
		uint64_t top = r->end < limit ? r->end : limit, base;

		if (r->type != MEM_FREE || top < size)
			continue;
		base = ALIGN_DOWN(top - size, a);
		if (base >= r->start && base != 0 && base > best)
			best = base;
	}
	if (best && model_add(&before, best, best + size, type, &want) > ARRAY_SIZE(want.r))
		best = 0;                   /* the table is full */
	REQUIRE(got == best, "memmap_alloc(size %#llx align %#llx limit %#llx type %u) "
		"returned %#llx, model %#llx", (unsigned long long)size,
		(unsigned long long)align, (unsigned long long)limit, type,
		(unsigned long long)got, (unsigned long long)best);
	if (got) {
		REQUIRE(type_at(&before, got) == MEM_FREE &&
			type_at(&before, got + size - 1) == MEM_FREE, "allocated non-free memory");
		require_same(&map, &want, "alloc");
	} else {
		require_same(&map, &before, "failed alloc");
	}
}

static void check_totals(const mem_map_t *m)
{
	uint64_t total = 0, top = 0;

	for (unsigned i = 0; i < m->n; i++)
		if (m->r[i].type == MEM_FREE) {
			total += m->r[i].end - m->r[i].start;
			top = m->r[i].end;
		}
	REQUIRE(memmap_total(m, MEM_FREE) == total, "memmap_total");
	REQUIRE(memmap_top(m) == top, "memmap_top");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	multiboot_info_t mbi;
	uint8_t *mmap;
	size_t len, pos;
	int used;

	step = 0;
	memmap_init(&map);
	if (size < 11)
		return 0;
	memset(&mbi, 0, sizeof(mbi));
	mbi.flags = (data[0] & 1 ? MBI_FLAG_MMAP : 0) | (data[0] & 2 ? MBI_FLAG_MEM : 0);
	mbi.mem_lower = (uint32_t)rd(data + 1, 4);
	mbi.mem_upper = (uint32_t)rd(data + 5, 4);
	len = (size_t)rd(data + 9, 2);
	if (len > size - 11)
		len = size - 11;
	mbi.mmap_length = (uint32_t)len;
	/* An exactly sized copy: ASan catches any read past the map. */
	mmap = malloc(len ? len : 1);
	if (!mmap)
		return 0;
	memcpy(mmap, data + 11, len);
	used = multiboot_parse_mmap(&mbi, data[0] & 4 ? NULL : mmap, &map);
	free(mmap);
	REQUIRE(used == -1 || (used > 0 && (size_t)used <= len / 24 + 2),
		"multiboot_parse_mmap returned %d for a %zu-byte map", used, len);
	REQUIRE(used != -1 || map.n == 0, "no entry used, yet %u regions", map.n);
	check_map(&map);

	for (pos = 11 + len; pos + OP_SIZE <= size; pos += OP_SIZE) {
		const uint8_t *op = data + pos;
		uint64_t a = rd(op + 1, 8), b = rd(op + 9, 8), c = rd(op + 17, 8);
		uint32_t type = (op[0] >> 2) % 7;    /* 0 and 6 are invalid */

		step++;
		switch (op[0] & 3) {
		case 0:       /* anywhere */
			do_add(a, b, type);
			break;
		case 1:       /* low memory, where regions collide */
			do_add(a & 0xFFFFFF, (a & 0xFFFFFF) + (b & 0xFFFFFF), type);
			break;
		case 2:       /* raw arguments */
			do_alloc(a, b, c, type);
			break;
		default:      /* plausible ones */
			do_alloc((a & 0x3FF) << PAGE_SHIFT, (uint64_t)1 << (b & 31),
				 c & 0x1FFFFFFFF, type);
			break;
		}
		check_map(&map);
		check_totals(&map);
	}
	return 0;
}
