/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sigma0 as the kpager of last resort (docs/kpager-protocol.md): every
 * task nobody gives another kpager has its kernel page faults answered
 * here, from conventional memory sigma0 sets aside in 1 MB chunks.  A
 * page the kernel gives back (when a task dies) is found again by asking
 * KmemControl, and lent anew.
 */
#include <stdio.h>
#include <l4/ipc.h>
#include <l4/message.h>
#include <lent/kmem.h>
#include "mem.h"
#include "kpager.h"

#define CHUNK_LOG2	20
#define CHUNK_PAGES	(1u << (CHUNK_LOG2 - 12))
#define MAX_CHUNKS	64
#define OWNER_KMEM	0xfffffffeu	/* sigma0's table: lent to the kernel */

static L4_Word_t chunk_base[MAX_CHUNKS];
static L4_Word_t lent_bits[MAX_CHUNKS][CHUNK_PAGES / 32];
static unsigned chunks;
static unsigned long pages_lent;

static int find_clear(L4_Word_t *page)
{
	for (unsigned c = 0; c < chunks; c++)
		for (unsigned w = 0; w < CHUNK_PAGES / 32; w++)
			if (lent_bits[c][w] != ~0UL)
				for (unsigned b = 0; b < 32; b++)
					if (!(lent_bits[c][w] & (1UL << b))) {
						lent_bits[c][w] |= 1UL << b;
						*page = chunk_base[c] + ((w * 32 + b) << 12);
						return 0;
					}
	return -1;
}

/* Pages the kernel gave back are ours to lend again. */
static void reclaim(void)
{
	for (unsigned c = 0; c < chunks; c++)
		for (unsigned i = 0; i < CHUNK_PAGES; i++) {
			L4_Word_t *w = &lent_bits[c][i / 32], bit = 1UL << (i % 32);
			if ((*w & bit) && !lent_kmem_control(0, LENT_KMEM_LENT,
							     chunk_base[c] + (i << 12))) {
				*w &= ~bit;
				pages_lent--;
			}
		}
}

static int stats_say_privileged(void)
{
	L4_Word_t w;

	L4_StoreMR(LENT_KMEM_STATS_WORDS, &w);
	return w == 1;
}

static int take_page(L4_Word_t *page)
{
	if (find_clear(page) == 0)
		return 0;
	reclaim();
	if (find_clear(page) == 0)
		return 0;
	if (chunks == MAX_CHUNKS || mem_claim_any(CHUNK_LOG2, OWNER_KMEM, &chunk_base[chunks]) < 0)
		return -1;
	chunks++;
	return find_clear(page);
}

/*
 * What sigma0 lends to unprivileged tasks is bounded, so that none of
 * them, nor all of them together, can take the memory the root task
 * needs: together at most an eighth of conventional memory, each at
 * most three quarters of that (the limits the kernel's own pool had).
 */
static int within_limits(L4_Word_t task)
{
	L4_Word_t budget = mem_conventional_pages() / 8, total;

	total = lent_kmem_control(task, LENT_KMEM_STATS, 0);
	if (stats_say_privileged())
		return 1;
	if (total >= budget / 4 * 3)
		return 0;
	if (pages_lent >= budget)
		reclaim();
	return pages_lent < budget;
}

int kpager_serve(L4_ThreadId_t from, L4_MsgTag_t tag)
{
	L4_Msg_t msg;
	L4_Word_t page, task;

	/* Only a thread really waiting for our answer gets a page: anything
	 * else would hand kernel-bound memory to a user task. */
	if (L4_UntypedWords(tag) != 3 || L4_TypedWords(tag) != 0 ||
	    !lent_kmem_control(from.raw, LENT_KMEM_PENDING, 0))
		return 0;
	L4_StoreMR(3, &task);
	L4_MsgClear(&msg);
	if (!within_limits(task) || take_page(&page) < 0) {
		L4_MsgLoad(&msg);            /* no map item: refused */
		return 1;
	}
	pages_lent++;
	L4_MsgAppendMapItem(&msg, L4_MapItem(L4_FpageAddRights(L4_FpageLog2(page, 12),
							       L4_FullyAccessible), page));
	L4_MsgLoad(&msg);
	return 1;
}

unsigned long kpager_pages_lent(void)
{
	return pages_lent;
}
