/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The resident frame table (see kernel/frame.h).
 *
 * Layout of the one boot allocation: the entries, one per frame from
 * frame 0 up to the top of RAM, then the hash buckets, each the index of
 * the first frame of its chain (FRAME_NIL if empty).  The buckets number
 * a power of two, about a quarter of the frames the kernel can address,
 * so that even with every such frame lent a chain is four entries long
 * on average.  A chain is singly linked through frame_t.next: removal
 * walks the chain of its own bucket, which is as short as a lookup.
 *
 * Single CPU, and the callers hold the kernel: no locking.
 */
#include <kernel/frame.h>
#include <arch/arch.h>

#define MAX_FRAMES   (1u << 20)                      /* 4 GB of 4 KB frames */
#define LIMIT_FRAMES (PHYSMAP_LIMIT >> PAGE_SHIFT)   /* frames the kernel can address */
#define MIN_BUCKETS  16u
#define FRAMES_PER_BUCKET 4u

static frame_t *frames;          /* frames[0 .. nframes) */
static uint32_t *buckets;        /* buckets[0 .. bucket_mask] */
static uint32_t nframes, bucket_mask, lent_count;
static uint32_t kernel_frames[FRAME_OWNERS];

static uint32_t frames_for(uint64_t ram_top)
{
	uint64_t top = ram_top > (uint64_t)MAX_FRAMES << PAGE_SHIFT ?
		       (uint64_t)MAX_FRAMES << PAGE_SHIFT : ram_top;

	return (uint32_t)(ALIGN_UP(top, (uint64_t)PAGE_SIZE) >> PAGE_SHIFT);
}

static uint32_t buckets_for(uint32_t count)
{
	uint32_t addressable = count < LIMIT_FRAMES ? count : LIMIT_FRAMES;
	uint32_t n = MIN_BUCKETS;

	while (n < addressable / FRAMES_PER_BUCKET)
		n <<= 1;
	return n;
}

uint32_t frame_table_bytes(uint64_t ram_top)
{
	uint32_t count = frames_for(ram_top);
	uint32_t bytes = count * (uint32_t)sizeof(frame_t) + buckets_for(count) * 4u;

	return ALIGN_UP(bytes, PAGE_SIZE);
}

/* The table's type for a frame of boot-map type `type` at index i. */
static uint8_t type_from_map(uint32_t type, uint32_t i)
{
	switch (type) {
	case MEM_FREE:
	case MEM_BOOTLOADER:
	case MEM_ROOTTASK:
		return i < LIMIT_FRAMES ? FRAME_T_USER : FRAME_T_HIGH;
	case MEM_KERNEL:
		return FRAME_T_KERNEL;
	case MEM_RESERVED:
		return FRAME_T_FIRMWARE;
	default:
		return FRAME_T_NONE;
	}
}

void frame_table_init(void *table, uint64_t ram_top, const mem_map_t *m)
{
	frames = table;
	nframes = frames_for(ram_top);
	buckets = (uint32_t *)(frames + nframes);
	bucket_mask = buckets_for(nframes) - 1;
	lent_count = 0;
	for (unsigned k = 0; k < FRAME_OWNERS; k++)
		kernel_frames[k] = 0;

	for (uint32_t i = 0; i < nframes; i++)
		frames[i] = (frame_t){ .next = FRAME_NIL, .type = FRAME_T_NONE };
	for (uint32_t b = 0; b <= bucket_mask; b++)
		buckets[b] = FRAME_NIL;

	/* The map's regions are sorted, page-aligned and disjoint. */
	for (unsigned r = 0; r < m->n; r++) {
		uint64_t first = m->r[r].start >> PAGE_SHIFT, end = m->r[r].end >> PAGE_SHIFT;

		if (end > nframes)
			end = nframes;
		for (uint64_t i = first; i < end; i++) {
			frames[i].type = type_from_map(m->r[r].type, (uint32_t)i);
			if (frames[i].type == FRAME_T_KERNEL) {
				frames[i].kind = FRAME_OWN_OTHER;
				kernel_frames[FRAME_OWN_OTHER]++;
			}
		}
	}
	/* Frame 0 stays unmapped for null pointers, and frame_find's 0
	 * means "none": never RAM, whatever the map says. */
	if (nframes > 0) {
		if (frames[0].type == FRAME_T_KERNEL)
			kernel_frames[frames[0].kind]--;
		frames[0] = (frame_t){ .next = FRAME_NIL, .type = FRAME_T_FIRMWARE };
	}
}

void frame_mark_kernel(uint64_t start, uint64_t end, enum frame_owner why)
{
	uint64_t first = start >> PAGE_SHIFT;
	uint64_t last = ALIGN_UP(end, (uint64_t)PAGE_SIZE) >> PAGE_SHIFT;

	if (why >= FRAME_OWNERS)
		return;
	if (last > nframes)
		last = nframes;
	for (uint64_t i = first; i < last; i++) {
		frame_t *f = &frames[i];

		if (f->type == FRAME_T_KERNEL)
			kernel_frames[f->kind]--;
		else if (f->type != FRAME_T_USER || i == 0)
			continue;
		f->type = FRAME_T_KERNEL;
		f->kind = (uint8_t)why;
		kernel_frames[why]++;
	}
}

/* The entry of the frame holding pa, or NULL beyond the table. */
static frame_t *entry(uint32_t pa)
{
	uint32_t i = pa >> PAGE_SHIFT;

	return i < nframes ? &frames[i] : NULL;
}

bool frame_is_ram(uint32_t pa)
{
	const frame_t *f = entry(pa);

	return f && (f->type == FRAME_T_USER || f->type == FRAME_T_HIGH ||
		     f->type == FRAME_T_LENT);
}

int frame_check_lendable(uint32_t pa)
{
	const frame_t *f = entry(pa);

	if (!f)
		return FRAME_NOT_RAM;
	switch (f->type) {
	case FRAME_T_USER:
		return FRAME_OK;
	case FRAME_T_HIGH:
		return FRAME_NOT_ADDRESSABLE;
	case FRAME_T_KERNEL:
		return FRAME_KERNEL_OWNED;
	case FRAME_T_LENT:
		return FRAME_LENT_ALREADY;
	default:
		return FRAME_NOT_RAM;
	}
}

bool frame_is_lent(uint32_t pa)
{
	const frame_t *f = entry(pa);

	return f && f->type == FRAME_T_LENT;
}

bool frame_lent_to(uint32_t pa, uint32_t *task, uint32_t *cid, unsigned *kind)
{
	const frame_t *f = entry(pa);

	if (!f || f->type != FRAME_T_LENT)
		return false;
	if (task)
		*task = f->task;
	if (cid)
		*cid = f->cid;
	if (kind)
		*kind = f->kind;
	return true;
}

uint32_t frame_bucket(uint32_t task, uint32_t cid)
{
	/* Content identifiers of one task differ in their high bits (one
	 * range per kind, page-aligned), task ids in their low bits: mix
	 * both through a multiplicative finaliser before masking. */
	uint32_t h = cid ^ (task * 0x9E3779B1u);

	h ^= h >> 16;
	h *= 0x85EBCA6Bu;
	h ^= h >> 13;
	h *= 0xC2B2AE35u;
	h ^= h >> 16;
	return h & bucket_mask;
}

uint32_t frame_find(uint32_t task, uint32_t cid)
{
	if (!buckets)
		return 0;
	for (uint32_t i = buckets[frame_bucket(task, cid)]; i != FRAME_NIL; i = frames[i].next)
		if (frames[i].task == task && frames[i].cid == cid)
			return i << PAGE_SHIFT;
	return 0;
}

void frame_lend(uint32_t pa, uint32_t task, uint32_t cid, unsigned kind)
{
	uint32_t i = pa >> PAGE_SHIFT, b;

	/* The caller validated; a frame that is not lendable stays as it is
	 * rather than corrupt a chain. */
	if (frame_check_lendable(pa) != FRAME_OK)
		return;
	b = frame_bucket(task, cid);
	frames[i] = (frame_t){ .task = task, .cid = cid, .next = buckets[b],
			       .type = FRAME_T_LENT, .kind = (uint8_t)kind };
	buckets[b] = i;
	lent_count++;
}

void frame_unlend(uint32_t pa)
{
	uint32_t i = pa >> PAGE_SHIFT;
	uint32_t *link;

	if (!frame_is_lent(pa))
		return;
	/* A lent frame is on the chain of its own (task, cid). */
	link = &buckets[frame_bucket(frames[i].task, frames[i].cid)];
	while (*link != i)
		link = &frames[*link].next;
	*link = frames[i].next;
	frames[i] = (frame_t){ .next = FRAME_NIL, .type = FRAME_T_USER };
	lent_count--;
}

uint32_t frame_lent_count(void) { return lent_count; }
uint32_t frame_count(void) { return nframes; }
uint32_t frame_bucket_count(void) { return buckets ? bucket_mask + 1 : 0; }

uint32_t frame_kernel_bytes(unsigned why)
{
	uint32_t n = 0;

	if (why < FRAME_OWNERS)
		return kernel_frames[why] * PAGE_SIZE;
	for (unsigned k = 0; k < FRAME_OWNERS; k++)
		n += kernel_frames[k];
	return n * PAGE_SIZE;
}

const char *frame_owner_name(unsigned why)
{
	static const char *const names[FRAME_OWNERS] = {
		[FRAME_OWN_OTHER] = "other", [FRAME_OWN_IMAGE] = "image",
		[FRAME_OWN_TABLE] = "frame-table", [FRAME_OWN_SIGMA0_RESERVE] = "sigma0-reserve",
		[FRAME_OWN_POOL] = "pool", [FRAME_OWN_RESIDENT] = "resident-threads",
	};
	return why < FRAME_OWNERS ? names[why] : "?";
}

void frame_table_view(frame_view_t *v)
{
	v->frames = frames;
	v->nframes = nframes;
	v->buckets = buckets;
	v->nbuckets = buckets ? bucket_mask + 1 : 0;
	v->lent_count = lent_count;
	for (unsigned k = 0; k < FRAME_OWNERS; k++)
		v->kernel_frames[k] = kernel_frames[k];
}
