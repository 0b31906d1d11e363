/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sigma0's kernel-memory store (kernel/kmem_sigma0.h).
 *
 * The store is a stack of frames kept in the frame table itself, so that
 * it costs no kernel memory of its own and holds no kernel pointer: the
 * n-th free frame is the one lent to sigma0 at STORE_CID(n), found with
 * frame_find() in expected O(1).  Taking a page moves the top frame from
 * its slot to the content identifier of what it will hold, as if sigma0
 * had lent it there as a kpager; putting one back moves it to the slot
 * above the top.  Slots lie above every kind's range of the window and
 * above every node page sigma0 may have, so no content identifier of
 * sigma0's can meet one.
 *
 * Single CPU, and the callers hold the kernel: no locking.
 */
#include <kernel/kmem_sigma0.h>
#include <kernel/kmem_sigma0_cid.h>
#include <kernel/kpf.h>
#include <kernel/space.h>
#include <kernel/mapdb.h>
#include <kernel/frame.h>
#include <kernel/string.h>
#include <arch/arch.h>

/* The n-th free frame's slot, above every content identifier sigma0's
 * node pages may have (kernel/kmem_sigma0_cid.h). */
#define STORE_CID(n) KMEM_SIGMA0_STORE_CID(n)
/* The frame table's kind of a free frame of the store: not a kind of
 * kernel data, for it holds none. */
#define STORE_KIND KMEM_KINDS

static uint32_t store_free;    /* free frames: slots 0 .. store_free - 1 */
static uint32_t store_given;   /* every frame sigma0 gave, free or in use */

/* Move a frame lent to task from one content identifier to another (both
 * act steps, on a frame lent now and a place nothing is lent at). */
static void relend(uint32_t pa, uint32_t task, uint32_t cid, unsigned kind)
{
	frame_unlend(pa);
	frame_lend(pa, task, cid, kind);
}

uint32_t kmem_sigma0_check(space_t *s0, uint32_t va, struct mapnode **node)
{
	return kpf_check_page(s0, va, node);
}

void kmem_sigma0_give(space_t *s0, struct mapnode *node)
{
	kpf_strip(s0, node);
	frame_lend(mapnode_phys(node), s0->id, STORE_CID(store_free), STORE_KIND);
	store_free++;
	store_given++;
}

bool kmem_sigma0_has(const space_t *s, uint32_t cid)
{
	/* A content identifier with a frame at it already is one whose
	 * range sigma0 outgrew (more than 4096 pages of mapping nodes run
	 * into the TCB range): such a page comes from the boot reserve. */
	return s && s->sigma0 && store_free && !frame_find(s->id, cid);
}

void *kmem_sigma0_take(space_t *s, enum kmem_kind kind, uint32_t cid)
{
	if (!kmem_sigma0_has(s, cid))
		return NULL;
	uint32_t pa = frame_find(s->id, STORE_CID(store_free - 1));

	store_free--;
	relend(pa, s->id, cid, kind);
	/* sigma0 may have written anything in it before it gave it. */
	memset(phys_to_virt(pa), 0, PAGE_SIZE);
	kmem_charge_add(&s->kmem, kind);
	return phys_to_virt(pa);
}

bool kmem_sigma0_put(space_t *s, enum kmem_kind kind, void *page)
{
	uint32_t pa = virt_to_phys(page), task;

	if (!s || !s->sigma0 || !frame_lent_to(pa, &task, NULL, NULL) || task != s->id)
		return false;
	relend(pa, s->id, STORE_CID(store_free), STORE_KIND);
	store_free++;
	(void)kmem_charge_drop(&s->kmem, kind);
	return true;
}

uint32_t kmem_sigma0_given(void) { return store_given; }
uint32_t kmem_sigma0_free(void) { return store_free; }
