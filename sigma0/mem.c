/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sigma0's page-ownership table.  Invariant: regions[0..count) are sorted,
 * do not overlap and together cover every page frame 0 .. PFN_LAST; two
 * neighbours never have both the same kind and the same owner (they are
 * merged).  Changing the owner of a range splits at most two regions, so
 * an operation first makes sure two slots are free and then cannot fail.
 */
#include <stdio.h>
#include <string.h>
#include <lent/kmem.h>
#include "mem.h"

#define PAGE_SHIFT	12
#define PFN_LAST	0xfffffu		/* last 4 KB frame below 4 GB */
/* The first frame the kernel will not take as kernel memory. */
#define KERNEL_PFN_LIMIT (LENT_KMEM_FRAME_LIMIT >> PAGE_SHIFT)
/* The first frame above every space's user part (3 GB). */
#define USER_PFN_LIMIT	(0xC0000000UL >> PAGE_SHIFT)
#define MAX_REGIONS	8192	/* 128 KB; interleaved clients fragment it */
/* The last slots of the table are the root task's: a client that
 * fragments the table cannot stop sigma0 from serving the root task. */
#define ROOT_SLOTS	256

typedef struct region {
	L4_Word_t first, last;			/* page frame numbers, inclusive */
	L4_Word_t owner;			/* OWNER_FREE, OWNER_ALL or a thread ID */
	mem_kind_t kind;
} region_t;

static region_t regions[MAX_REGIONS];
static unsigned count;
static L4_Word_t id_kernel, id_sigma0, id_sigma1, id_root;

/* Index of the region holding frame pfn (binary search). */
static unsigned region_find(L4_Word_t pfn)
{
	unsigned lo = 0, hi = count - 1;

	while (lo < hi) {
		unsigned mid = (lo + hi + 1) / 2;

		if (regions[mid].first <= pfn)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* Make pfn the first frame of a region; needs one free slot. */
static void region_split(L4_Word_t pfn)
{
	unsigned i = region_find(pfn);

	if (regions[i].first == pfn)
		return;
	memmove(&regions[i + 2], &regions[i + 1], (count - i - 1) * sizeof(region_t));
	regions[i + 1] = regions[i];
	regions[i + 1].first = pfn;
	regions[i].last = pfn - 1;
	count++;
}

static int region_same(const region_t *a, const region_t *b)
{
	return a->kind == b->kind && a->owner == b->owner;
}

/* Merge equal neighbours throughout the table. */
static void region_merge(void)
{
	unsigned i, out = 0;

	for (i = 1; i < count; i++) {
		if (region_same(&regions[out], &regions[i]))
			regions[out].last = regions[i].last;
		else
			regions[++out] = regions[i];
	}
	count = out + 1;
}

/* Set frames first..last to kind/owner.  keep_kind leaves each region's
 * kind alone and changes only owners.  Returns -1, changing nothing, if
 * the splits at the two ends need more slots than are free. */
static int region_set(L4_Word_t first, L4_Word_t last, mem_kind_t kind, L4_Word_t owner,
		      int keep_kind)
{
	unsigned i, need = 0;

	if (regions[region_find(first)].first != first)
		need++;
	if (last < PFN_LAST && regions[region_find(last + 1)].first != last + 1)
		need++;
	if (count + need > MAX_REGIONS)
		return -1;
	region_split(first);
	if (last < PFN_LAST)
		region_split(last + 1);
	for (i = region_find(first); i < count && regions[i].first <= last; i++) {
		if (!keep_kind)
			regions[i].kind = kind;
		regions[i].owner = owner;
	}
	region_merge();
	return 0;
}

/*
 * May client have a page of region r, asked for in this way?  Device
 * memory goes to the root task only (which hands devices to drivers):
 * the kernel builds sigma0's mappings of RAM at boot, but those of device
 * frames on demand, and it spends kernel memory on them only for a
 * privileged receiver.
 */
static int region_allows(const region_t *r, L4_Word_t client, mem_how_t how)
{
	if (r->kind == KIND_NONE || r->kind == KIND_RESERVED)
		return r->owner == client;
	if (r->owner == client || r->owner == OWNER_ALL)
		return 1;
	if (r->owner != OWNER_FREE)
		return 0;
	switch (r->kind) {
	case KIND_CONV:
		return 1;
	case KIND_BOOT:
		return how != HOW_ANY;
	case KIND_DEVICE:
		return how == HOW_FIXED && client == id_root;
	default:
		return 0;
	}
}

/* Kind of a KIP memory descriptor type (subtypes ignored). */
static mem_kind_t kind_of_type(L4_Word_t type)
{
	switch (type & 0xf) {
	case L4_ConventionalMemoryType:		return KIND_CONV;
	case L4_ReservedMemoryType:		return KIND_RESERVED;
	case L4_DedicatedMemoryType:		return KIND_DEVICE;
	case L4_SharedMemoryType:		return KIND_SHARED;
	case L4_BootLoaderSpecificMemoryType:	return KIND_BOOT;
	case L4_ArchitectureSpecificMemoryType:	return KIND_DEVICE;
	default:				return KIND_NONE;
	}
}

/* Give the image [low, high) of a bootstrap server to its owner; a high
 * end that is not page-aligned is taken as the image's last byte.
 * Skipped when the KIP leaves the fields 0. */
static void mem_assign_image(L4_Word_t low, L4_Word_t high, L4_Word_t owner)
{
	L4_Word_t first = low >> PAGE_SHIFT;
	L4_Word_t last = (high & 0xfff) ? high >> PAGE_SHIFT : (high >> PAGE_SHIFT) - 1;

	if (high <= low || last < first)
		return;
	if (region_set(first, last, KIND_NONE, owner, 1) < 0)
		printf("sigma0: too many memory regions, image at %lx ignored\n", low);
}

void mem_init(L4_KernelInterfacePage_t *kip, L4_Word_t kernel, L4_Word_t sigma0,
	      L4_Word_t sigma1, L4_Word_t root)
{
	L4_MemoryDesc_t *md;
	L4_Word_t n;

	id_kernel = kernel;
	id_sigma0 = sigma0;
	id_sigma1 = sigma1;
	id_root = root;

	/* Touch every page of the table now: whatever mapping it costs is
	 * paid at boot, never while serving a client.  (The kernel maps
	 * sigma0's image at boot anyway; this keeps sigma0 safe on a kernel
	 * that would not.) */
	for (L4_Word_t i = 0; i < MAX_REGIONS; i += 4096 / sizeof(region_t))
		((volatile region_t *)regions)[i].kind = KIND_NONE;
	((volatile region_t *)regions)[MAX_REGIONS - 1].kind = KIND_NONE;

	/* Memory no descriptor mentions is device memory. */
	regions[0] = (region_t){ 0, PFN_LAST, OWNER_FREE, KIND_DEVICE };
	count = 1;

	/* Later descriptors override earlier ones.  Conventional memory is
	 * rounded inwards to whole pages, everything else outwards. */
	for (n = 0; (md = L4_MemoryDesc(kip, n)) != 0; n++) {
		L4_Word_t low = L4_MemoryDescLow(md), high = L4_MemoryDescHigh(md);
		mem_kind_t kind = kind_of_type(L4_MemoryDescType(md));
		L4_Word_t first = low >> PAGE_SHIFT, last = high >> PAGE_SHIFT;
		L4_Word_t owner = OWNER_FREE;

		if (L4_IsMemoryDescVirtual(md) || high < low)
			continue;
		if (kind == KIND_CONV) {
			if (low & 0xfff)
				first++;
			if ((high & 0xfff) != 0xfff) {
				if (last == 0)
					continue;
				last--;
			}
			if (first > last)
				continue;
		}
		if (kind == KIND_SHARED)
			owner = OWNER_ALL;
		else if (kind == KIND_RESERVED)
			owner = kernel;
		if (region_set(first, last, kind, owner, 0) < 0)
			printf("sigma0: too many memory regions, descriptor %lu ignored\n", n);
	}

	/* The images of the kernel debugger and the bootstrap servers. */
	mem_assign_image(kip->KdebugLow, kip->KdebugHigh, kernel);
	mem_assign_image(kip->Sigma0.low, kip->Sigma0.high, sigma0);
	mem_assign_image(kip->Sigma1.low, kip->Sigma1.high, sigma1);
	mem_assign_image(kip->RootServer.low, kip->RootServer.high, root);

	/* Keep physical page 0 unmapped so that null pointers fault. */
	region_set(0, 0, KIND_NONE, OWNER_FREE, 0);
}

int mem_held_by(L4_Word_t base, unsigned log2, L4_Word_t client)
{
	L4_Word_t first, last;

	if (log2 < PAGE_SHIFT || log2 > 31)
		return 0;
	first = (base & ~((1UL << log2) - 1)) >> PAGE_SHIFT;
	last = first + (1UL << (log2 - PAGE_SHIFT)) - 1;
	if (last > PFN_LAST)
		return 0;
	for (unsigned i = region_find(first); i < count && regions[i].first <= last; i++)
		if (regions[i].owner == client || regions[i].owner == OWNER_ALL)
			return 1;
	return 0;
}

int mem_claim(L4_Word_t base, unsigned log2, L4_Word_t client, mem_how_t how)
{
	L4_Word_t first, last;
	const region_t *r;
	unsigned i, need = 0;

	if (log2 < PAGE_SHIFT || log2 > 31 || client == OWNER_FREE || client == OWNER_ALL)
		return -1;
	first = (base & ~((1UL << log2) - 1)) >> PAGE_SHIFT;
	last = first + (1UL << (log2 - PAGE_SHIFT)) - 1;
	if (last > PFN_LAST)
		return -1;

	/* Check every region the fpage touches before changing any. */
	for (i = region_find(first); i < count && regions[i].first <= last; i++)
		if (!region_allows(&regions[i], client, how))
			return -1;

	/* Only free regions change hands, and only those at the two ends
	 * can need splitting: make sure those splits fit. */
	r = &regions[region_find(first)];
	if (r->owner == OWNER_FREE && r->first != first)
		need++;
	r = &regions[region_find(last)];
	if (r->owner == OWNER_FREE && r->last != last)
		need++;
	if (count + need > MAX_REGIONS - (client == id_root ? 0 : ROOT_SLOTS))
		return -1;

	/* Take the free parts; shared and already owned parts stay as they
	 * are.  Only the two ends can split, so this cannot run out. */
	for (L4_Word_t pfn = first; pfn <= last;) {
		const region_t *piece = &regions[region_find(pfn)];
		L4_Word_t end = piece->last < last ? piece->last : last;

		if (piece->owner == OWNER_FREE)
			region_set(pfn, end, piece->kind, client, 1);
		if (end == PFN_LAST)
			break;
		pfn = end + 1;
	}
	return 0;
}

/* The highest free conventional block of 2^log2 bytes, size-aligned,
 * lying in frames lo..hi: claimed for client, its base in *base. */
static int claim_highest(unsigned log2, L4_Word_t client, L4_Word_t lo, L4_Word_t hi,
			 L4_Word_t *base)
{
	L4_Word_t pages = 1UL << (log2 - PAGE_SHIFT);

	for (unsigned i = count; i-- > 0;) {
		const region_t *r = &regions[i];
		L4_Word_t first, last, top, start;

		if (r->kind != KIND_CONV || r->owner != OWNER_FREE || r->first > hi || r->last < lo)
			continue;
		first = r->first > lo ? r->first : lo;
		last = r->last < hi ? r->last : hi;
		top = (last + 1) & ~(pages - 1);	/* one past the block */
		if (top < pages)
			continue;
		start = top - pages;
		if (start < first)
			continue;
		if (mem_claim(start << PAGE_SHIFT, log2, client, HOW_ANY) < 0)
			return -1;
		*base = start << PAGE_SHIFT;
		return 0;
	}
	return -1;
}

/* Memory the kernel can take as kernel memory (below its direct map's
 * end) goes first, then the RAM above: a kpager asks for its pages like
 * any client (X.2 has no way to say "below"), and gets pages it can lend
 * for as long as there are any.  Never worse than a machine whose RAM
 * ends at that limit.  RAM from 3 GB up goes last: a client that takes
 * what it gets at virtual == physical (a receive window of the whole
 * space) can use no page there; one that asks with a window can. */
int mem_claim_any(unsigned log2, L4_Word_t client, L4_Word_t *base)
{
	if (log2 < PAGE_SHIFT || log2 > 31)
		return -1;
	if (mem_claim_any_kernel(log2, client, base) == 0)
		return 0;
	if (claim_highest(log2, client, KERNEL_PFN_LIMIT, USER_PFN_LIMIT - 1, base) == 0)
		return 0;
	if (claim_highest(log2, client, USER_PFN_LIMIT, PFN_LAST, base) == 0)
		return 0;
	return claim_highest(log2, client, 0, PFN_LAST, base);   /* one across a limit */
}

int mem_claim_any_kernel(unsigned log2, L4_Word_t client, L4_Word_t *base)
{
	if (log2 < PAGE_SHIFT || log2 > 31)
		return -1;
	return claim_highest(log2, client, 0, KERNEL_PFN_LIMIT - 1, base);
}

int mem_is_set_aside(L4_Word_t base, unsigned log2)
{
	L4_Word_t first, last;

	if (log2 < PAGE_SHIFT || log2 > 31)
		return 0;
	first = (base & ~((1UL << log2) - 1)) >> PAGE_SHIFT;
	last = first + (1UL << (log2 - PAGE_SHIFT)) - 1;
	for (unsigned i = region_find(first); i < count && regions[i].first <= last; i++)
		if (regions[i].owner == OWNER_KMEM)
			return 1;
	return 0;
}

/* The page at pa, set aside to lend (OWNER_KMEM) and not lent now
 * (kpager.c knows), back to free memory. */
int mem_release_unlent(L4_Word_t pa)
{
	L4_Word_t pfn = pa >> PAGE_SHIFT;
	const region_t *r = &regions[region_find(pfn)];

	if (r->owner != OWNER_KMEM || r->kind != KIND_CONV || count + 2 > MAX_REGIONS - ROOT_SLOTS)
		return -1;
	return region_set(pfn, pfn, r->kind, OWNER_FREE, 1);
}

L4_Word_t mem_pages_off_ram(L4_Word_t base, unsigned log2)
{
	L4_Word_t first, last, pages = 0;

	if (log2 < PAGE_SHIFT || log2 > 31)
		return 0;
	first = (base & ~((1UL << log2) - 1)) >> PAGE_SHIFT;
	last = first + (1UL << (log2 - PAGE_SHIFT)) - 1;
	for (unsigned i = region_find(first); i < count && regions[i].first <= last; i++) {
		const region_t *r = &regions[i];
		L4_Word_t lo = r->first > first ? r->first : first;
		L4_Word_t hi = r->last < last ? r->last : last;

		if (r->kind != KIND_CONV && r->kind != KIND_BOOT)
			pages += hi - lo + 1;
	}
	return pages;
}

int mem_is_sigma0s(L4_Word_t pa)
{
	const region_t *r = &regions[region_find(pa >> PAGE_SHIFT)];

	if (r->kind != KIND_CONV && r->kind != KIND_BOOT)
		return 0;
	return r->owner == OWNER_FREE || r->owner == id_sigma0 || r->owner == OWNER_KMEM;
}

static const char *const kind_names[KIND_COUNT] = {
	[KIND_NONE] = "unusable", [KIND_CONV] = "conventional", [KIND_BOOT] = "boot loader",
	[KIND_DEVICE] = "device", [KIND_SHARED] = "shared", [KIND_RESERVED] = "reserved",
};

static const char *owner_name(L4_Word_t owner)
{
	if (owner == OWNER_FREE)
		return "free";
	if (owner == OWNER_ALL)
		return "everybody";
	if (owner == id_kernel)
		return "kernel";
	if (owner == OWNER_KMEM)
		return "to lend";
	if (owner == OWNER_KSTORE)
		return "sigma0's kernel memory";
	if (owner == id_sigma0)
		return "sigma0";
	if (owner == id_sigma1)
		return "sigma1";
	if (owner == id_root)
		return "root task";
	return "client";
}

L4_Word_t mem_conventional_pages(void)
{
	L4_Word_t pages = 0;

	for (unsigned i = 0; i < count; i++)
		if (regions[i].kind == KIND_CONV)
			pages += regions[i].last - regions[i].first + 1;
	return pages;
}

void mem_report(int all)
{
	L4_Word_t kb[KIND_COUNT] = { 0 }, free_kb = 0, root_kb = 0;
	unsigned i;

	for (i = 0; i < count; i++) {
		const region_t *r = &regions[i];
		L4_Word_t size_kb = (r->last - r->first + 1) * 4;

		if (r->kind != KIND_DEVICE)
			kb[r->kind] += size_kb;
		if (r->kind == KIND_CONV && r->owner == OWNER_FREE)
			free_kb += size_kb;
		if (r->owner == id_root)
			root_kb += size_kb;
		if (all)
			printf("sigma0:   %08lx-%08lx %-12s %s (%lx)\n", r->first << PAGE_SHIFT,
			       (r->last << PAGE_SHIFT) | 0xfff, kind_names[r->kind],
			       owner_name(r->owner), r->owner);
	}
	printf("sigma0: %lu KB conventional (%lu KB free), %lu KB boot loader, "
	       "%lu KB reserved, root task %lu KB, %u regions\n",
	       kb[KIND_CONV], free_kb, kb[KIND_BOOT], kb[KIND_RESERVED], root_kb, count);
}
