/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sigma0 as the kpager of last resort (docs/kpager-protocol.md): every
 * task nobody gives another kpager has its kernel page faults answered
 * here, from conventional memory sigma0 sets aside in 128 KB chunks.  A
 * page the kernel gives back (when a task dies) is found again by asking
 * KmemControl, and lent anew.
 */
#include <stdio.h>
#include <l4/ipc.h>
#include <l4/message.h>
#include <lent/kmem.h>
#include "mem.h"
#include "kpager.h"

#define CHUNK_LOG2	17		/* 32 pages: one word of bits, one query */
#define CHUNK_PAGES	32u
#define MAX_CHUNKS	512		/* 64 MB in all */
#define BUDGET_MAX	4096		/* 16 MB, as the kernel's own pool at most */

static L4_Word_t chunk_base[MAX_CHUNKS];
static L4_Word_t lent_bits[MAX_CHUNKS];		/* lent, as far as we know */
static L4_Word_t unpriv_bits[MAX_CHUNKS];	/* of those, to unprivileged tasks */
static L4_Word_t gone_bits[MAX_CHUNKS];		/* handed to clients (kpager_give_spare) */
static unsigned chunks;
static unsigned long pages_lent, unpriv_lent;

static unsigned bits(L4_Word_t w)
{
	unsigned n = 0;

	for (; w; w &= w - 1)
		n++;
	return n;
}

static int find_clear(L4_Word_t *page, unsigned *chunk, L4_Word_t *bit)
{
	for (unsigned c = 0; c < chunks; c++)
		if ((lent_bits[c] | gone_bits[c]) != ~0UL)
			for (unsigned b = 0; b < CHUNK_PAGES; b++)
				if (!((lent_bits[c] | gone_bits[c]) & (1UL << b))) {
					*page = chunk_base[c] + (b << 12);
					*chunk = c;
					*bit = 1UL << b;
					return 0;
				}
	return -1;
}

/* Pages the kernel gave back (their tasks died) are ours to lend again:
 * asked a chunk at a time. */
static void reclaim(void)
{
	for (unsigned c = 0; c < chunks; c++) {
		L4_Word_t now;

		if (!lent_bits[c])
			continue;
		now = lent_kmem_control(0, LENT_KMEM_LENT_MASK, chunk_base[c]) & lent_bits[c];
		pages_lent -= bits(lent_bits[c] & ~now);
		unpriv_lent -= bits(unpriv_bits[c] & ~now);
		lent_bits[c] = now;
		unpriv_bits[c] &= now;
	}
}

static int take_page(L4_Word_t *page, unsigned *chunk, L4_Word_t *bit)
{
	if (find_clear(page, chunk, bit) == 0)
		return 0;
	reclaim();
	if (find_clear(page, chunk, bit) == 0)
		return 0;
	if (chunks == MAX_CHUNKS || mem_claim_any_kernel(CHUNK_LOG2, OWNER_KMEM, &chunk_base[chunks]) < 0)
		return -1;
	chunks++;
	return find_clear(page, chunk, bit);
}

/*
 * What sigma0 lends to unprivileged tasks is bounded, so that none of
 * them, nor all of them together, can take the memory the root task
 * needs: together at most an eighth of conventional memory and 16 MB,
 * each at most three quarters of that (the limits the kernel's own pool
 * had).  The root task's own kernel memory is not counted.
 */
static int within_limits(L4_Word_t task, int *privileged)
{
	L4_Word_t budget = mem_conventional_pages() / 8, total, priv;

	if (budget > BUDGET_MAX)
		budget = BUDGET_MAX;
	total = lent_kmem_control(task, LENT_KMEM_STATS, 0);
	L4_StoreMR(LENT_KMEM_STAT_PRIVILEGED, &priv);
	*privileged = priv == 1;
	if (*privileged)
		return 1;
	if (total >= budget / 4 * 3)
		return 0;
	if (unpriv_lent >= budget)
		reclaim();
	return unpriv_lent < budget;
}

/* Give back a page taken for an answer that is not sent. */
static void untake(unsigned chunk, L4_Word_t bit, int privileged)
{
	lent_bits[chunk] &= ~bit;
	pages_lent--;
	if (!privileged) {
		unpriv_bits[chunk] &= ~bit;
		unpriv_lent--;
	}
}

int kpager_serve(L4_MsgTag_t tag)
{
	L4_Msg_t msg;
	L4_Word_t page[LENT_KPF_MAX_PAGES], bit[LENT_KPF_MAX_PAGES], task;
	unsigned chunk[LENT_KPF_MAX_PAGES], n = LENT_KPF_PAGES(L4_UntypedWords(tag)), i;
	int privileged;

	/* Only a thread really waiting for our answer gets a page: anything
	 * else would hand kernel-bound memory to a user task.  A fault names
	 * one page or, for a task allowed several per fault, up to
	 * LENT_KPF_MAX_PAGES; the answer lends all of them or none. */
	if (!n || L4_TypedWords(tag) != 0)
		return 0;
	L4_StoreMR(3, &task);
	L4_MsgClear(&msg);
	/* Labelled as an answer, the kernel delivers it only to a thread
	 * that waits for one: a forged fault's sender gets nothing, and the
	 * pages, never lent, come back with the next reclaim(). */
	L4_Set_MsgLabel(&msg, LENT_LABEL_KPF);
	if (!within_limits(task, &privileged)) {
		L4_MsgLoad(&msg);            /* no map item: refused */
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (take_page(&page[i], &chunk[i], &bit[i]) < 0)
			break;
		lent_bits[chunk[i]] |= bit[i];
		pages_lent++;
		if (!privileged) {
			unpriv_bits[chunk[i]] |= bit[i];
			unpriv_lent++;
		}
	}
	if (i < n) {
		while (i--)
			untake(chunk[i], bit[i], privileged);
		L4_MsgLoad(&msg);
		return 1;
	}
	for (i = 0; i < n; i++)
		L4_MsgAppendMapItem(&msg, L4_MapItem(L4_FpageAddRights(L4_FpageLog2(page[i], 12),
								       L4_FullyAccessible), page[i]));
	L4_MsgLoad(&msg);
	return 1;
}

unsigned long kpager_pages_lent(void)
{
	return pages_lent;
}

/*
 * RAM is gone and a client asks for a page: the pages set aside to lend
 * and not lent now go back to free memory (for good: sigma0 lends from
 * its other pages, or sets fresh ones aside when there are any), all but
 * what sigma0 may still lend: what the unprivileged tasks may still
 * borrow within their budget, and KEEP_PAGES more for the privileged
 * ones (the root task's kernel memory).  The pages set aside at the peak
 * of an earlier load would otherwise stay idle while clients get
 * nothing; with the split mapping database, whose boot reserve for
 * sigma0's roots is larger (two entries a frame, docs/mapdb-split.md),
 * the last tests at 8 MB found no free page without it.
 */
#define KEEP_PAGES	8

unsigned kpager_release_spare(void)
{
	L4_Word_t budget = mem_conventional_pages() / 8, spare = 0, keep;
	unsigned released = 0;

	if (budget > BUDGET_MAX)
		budget = BUDGET_MAX;
	reclaim();
	for (unsigned c = 0; c < chunks; c++)
		spare += CHUNK_PAGES - bits(lent_bits[c] | gone_bits[c]);
	keep = KEEP_PAGES + (unpriv_lent < budget ? budget - unpriv_lent : 0);
	for (unsigned c = chunks; spare > keep && c-- > 0;)
		for (unsigned b = CHUNK_PAGES; spare > keep && b-- > 0;) {
			L4_Word_t bit = 1UL << b;

			if ((lent_bits[c] | gone_bits[c]) & bit ||
			    mem_release_unlent(chunk_base[c] + (b << 12)) < 0)
				continue;
			gone_bits[c] |= bit;
			spare--;
			released++;
		}
	return released;
}
