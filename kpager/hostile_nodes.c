/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hostile kpager's edits of node pages and node tables (issue 7; the
 * kernel takes them back localised: docs/mapdb-split.md,
 * "External forms", and docs/kernel-memory.md, "Mapping nodes and node
 * tables").  A node page is 85 entries of 48 bytes, entry 0 its header;
 * a node table 1024 local references (page n, entry k: n << 7 | k).
 * Each form lent back gets one edit, the kinds in turn so that a short
 * run meets them all, each aimed where a kpager could do harm if the
 * kernel believed it:
 *   - a record's parent or a part's child made another task (one whose
 *     ids the test gave: another kpager's client), or another page of
 *     it, or both (a forged part naming the other task's window);
 *   - rights widened;
 *   - an edge's generation made stale;
 *   - a part's epoch made its owner's current one (the replayed-part
 *     attack of docs/mapdb-split.md, "Replayed parts"), or stale;
 *   - the whole page replayed: an older form of the same content kept
 *     from an earlier round;
 *   - the form of another content identifier's page (its header's index
 *     made this one's, half the time);
 *   - an entry moved to another index; a free entry made live (a copy of
 *     a live one at another address, or a part naming the other task);
 *   - flags forged; a byte flipped; random words;
 *   - in a table: a reference to another entry, to a page past the last,
 *     two swapped, one cleared, a random word, another table's form.
 * What the kernel does with it is the import's business (validate, then
 * convert): a page it refuses it takes as an empty one; a page it takes
 * yields at most what both parties of each edge made.
 */
#include "kpager.h"

#define ENT_WORDS	12u                     /* 48-byte entries */
#define ENTS		85u
#define NT_WORDS	1024u
#define W_KIND		0                       /* kind, rights, flags, zero */
#define W_VA		1
#define W_TASK		2
#define W_PVA		3
#define W_GEN		4                       /* 64 bits */
#define W_EGEN		6                       /* 64 bits */
#define HDR_INDEX	2

enum {  /* node-page edits, then node-table edits (node_edits[]) */
	NE_TASK, NE_PVA, NE_PARTNER, NE_RIGHTS, NE_GEN, NE_EPOCH, NE_REPLAY, NE_OTHER_CID,
	NE_MOVE, NE_FREE_LIVE, NE_FLAGS, NE_FLIP, NE_WORDS,
	NT_REF, NT_PAST, NT_SWAP, NT_CLEAR, NT_WORD,
	NE_COUNT
};
_Static_assert(NE_COUNT == HOSTILE_NODE_EDITS, "node edit kinds and their counts");
_Static_assert(NE_FLAGS == HOSTILE_NODE_FLAGS, "the kind the kernel always refuses");

L4_Word_t hostile_random(struct kpager_hostile *h)
{
	h->seed = h->seed * 1103515245u + 12345u;
	return h->seed >> 4;
}

void hostile_set_nodes(struct kpager_hostile *h, L4_Word_t stash, unsigned n,
		       const L4_Word_t *task, const L4_Word_t *va)
{
	h->nodes = 1;
	h->stash = stash;
	h->stash_cid = h->stash_task = 0;
	h->node_turn = h->node_lent = 0;
	for (unsigned i = 0; i < HOSTILE_NODE_EDITS; i++)
		h->node_edits[i] = 0;
	for (unsigned i = 0; i < HOSTILE_FOREIGN; i++) {
		h->foreign_task[i] = i < n ? task[i] : 0;
		h->foreign_va[i] = i < n ? va[i] : 0;
	}
}

static volatile L4_Word_t *words(L4_Word_t page)
{
	return (volatile L4_Word_t *)page;
}

static void copy(L4_Word_t to, L4_Word_t from)
{
	for (unsigned i = 0; i < RT_PAGE_SIZE / sizeof(L4_Word_t); i++)
		words(to)[i] = words(from)[i];
}

/* A word shaped like what a kpager must never get the kernel to use; not
 * the other subsystem's sentinel, which an accepted field would carry
 * out again (the scan would count the kpager's own word as a leak). */
static L4_Word_t node_word(struct kpager_hostile *h)
{
	L4_Word_t v = hostile_random(h);

	switch (hostile_random(h) % 5) {
	case 0: return v;
	case 1: return 0xC0000000UL | (v & 0x3FFFF000UL);   /* a kernel address */
	case 2: return (v & 0x3FFFF000UL) | 0x7;            /* a frame with PTE bits */
	case 3: return ~0UL;
	default: return 0;
	}
}

/* An entry of the page of the given kind (0: free), at random; 0 if none. */
static unsigned pick(struct kpager_hostile *h, L4_Word_t page, int live)
{
	unsigned start = 1 + (unsigned)(hostile_random(h) % (ENTS - 1));

	for (unsigned i = 0; i < ENTS - 1; i++) {
		unsigned k = 1 + (start - 1 + i) % (ENTS - 1);
		L4_Word_t kind = words(page)[k * ENT_WORDS + W_KIND] & 0xff;
		if (live ? kind != 0 : kind == 0)
			return k;
	}
	return 0;
}

/* Another task's id and one of its pages, from the test's list. */
static unsigned foreign(struct kpager_hostile *h)
{
	unsigned n = 0;

	while (n < HOSTILE_FOREIGN && h->foreign_task[n])
		n++;
	return n ? (unsigned)(hostile_random(h) % n) : HOSTILE_FOREIGN;
}

/* A kept form of another content identifier of the same kind and task. */
static L4_Word_t other_form(struct kpager_hostile *h, L4_Word_t task, L4_Word_t cid,
			    unsigned kind)
{
	for (unsigned i = 0; i < PREEMPT_RECORDS; i++) {
		const struct preempt_rec *r = &h->pre.rec[i];
		if (r->state == PREEMPT_KEPT && r->task == task && r->kind == kind && r->cid != cid)
			return h->pre.store + i * RT_PAGE_SIZE;
	}
	return 0;
}

/* A part's owner record in the same page (same own address), or 0. */
static unsigned owner_of(L4_Word_t page, unsigned k)
{
	for (unsigned j = 1; j < ENTS; j++)
		if ((words(page)[j * ENT_WORDS + W_KIND] & 0xff) == 1 &&
		    words(page)[j * ENT_WORDS + W_VA] == words(page)[k * ENT_WORDS + W_VA])
			return j;
	return 0;
}

/* One edit of a node page; returns the kind made. */
static unsigned edit_page(struct kpager_hostile *h, L4_Word_t page, L4_Word_t task,
			  L4_Word_t cid, unsigned what)
{
	volatile L4_Word_t *w = words(page);
	unsigned k = pick(h, page, 1), f = foreign(h);
	volatile L4_Word_t *e = w + k * ENT_WORDS;
	L4_Word_t v = hostile_random(h);

	/* Field edits need a live entry; without one, random words. */
	if (!k && what < NE_REPLAY)
		what = NE_WORDS;
	if (f == HOSTILE_FOREIGN && what <= NE_PARTNER)
		what = NE_RIGHTS;
	switch (what) {
	case NE_TASK:
		e[W_TASK] = h->foreign_task[f];
		break;
	case NE_PVA:
		e[W_PVA] = h->foreign_va[f];
		break;
	case NE_PARTNER:                /* a forged edge to the other task's page */
		e[W_TASK] = h->foreign_task[f];
		e[W_PVA] = h->foreign_va[f];
		e[W_KIND] |= 0x700;     /* with every right */
		break;
	case NE_RIGHTS:
		e[W_KIND] |= 0x700;
		break;
	case NE_GEN:                    /* an older generation */
		if (e[W_GEN] > 1 + v % 4)
			e[W_GEN] -= 1 + v % 4;
		else
			e[W_GEN + 1] = 0;
		break;
	case NE_EPOCH: {
		/* A part made to carry its owner's epoch now (forging what a
		 * revocation made stale), else an older epoch. */
		unsigned o = (e[W_KIND] & 0xff) == 2 ? owner_of(page, k) : 0;
		if (o) {
			e[W_EGEN] = w[o * ENT_WORDS + W_EGEN];
			e[W_EGEN + 1] = w[o * ENT_WORDS + W_EGEN + 1];
		} else if (e[W_EGEN] > 1) {
			e[W_EGEN]--;
		}
		break;
	}
	case NE_REPLAY:                 /* an older form of this very page */
		if (h->stash_cid == cid && h->stash_task == task)
			copy(page, h->stash);
		else
			w[W_KIND] ^= 1u << (v % 32);   /* no older one yet: the magic */
		break;
	case NE_OTHER_CID: {
		L4_Word_t o = other_form(h, task, cid, LENT_KMEM_MAP);
		L4_Word_t index = w[HDR_INDEX];
		if (o) {
			copy(page, o);
			if (v & 1)
				w[HDR_INDEX] = index;
		} else {
			w[HDR_INDEX] = index + 1;
		}
		break;
	}
	case NE_MOVE: {                 /* swapped with another entry, free or live */
		unsigned j = 1 + (unsigned)(v % (ENTS - 1));
		for (unsigned i = 0; k && i < ENT_WORDS; i++) {
			L4_Word_t t = w[k * ENT_WORDS + i];
			w[k * ENT_WORDS + i] = w[j * ENT_WORDS + i];
			w[j * ENT_WORDS + i] = t;
		}
		break;
	}
	case NE_FREE_LIVE: {
		unsigned j = pick(h, page, 0);
		if (!j || !k)
			break;
		for (unsigned i = 0; i < ENT_WORDS; i++)
			w[j * ENT_WORDS + i] = e[i];
		if (v & 1) {                    /* the same at another address */
			w[j * ENT_WORDS + W_VA] += RT_PAGE_SIZE * (1 + (v >> 1) % 16);
		} else if (f < HOSTILE_FOREIGN) {       /* a part to the other task */
			w[j * ENT_WORDS + W_KIND] = 0x702;
			w[j * ENT_WORDS + W_TASK] = h->foreign_task[f];
			w[j * ENT_WORDS + W_PVA] = h->foreign_va[f];
		}
		break;
	}
	case NE_FLAGS:
		e[W_KIND] |= (1u << (v % 8)) << 16;
		break;
	case NE_FLIP:
		*((volatile unsigned char *)page + v % RT_PAGE_SIZE) ^= (unsigned char)(1u << (v >> 12) % 8);
		break;
	default:
		for (unsigned i = 0; i < 1 + v % 4; i++)
			w[hostile_random(h) % (RT_PAGE_SIZE / sizeof(L4_Word_t))] = node_word(h);
		what = NE_WORDS;
		break;
	}
	return what;
}

/* One edit of a node table; returns the kind made. */
static unsigned edit_table(struct kpager_hostile *h, L4_Word_t page, L4_Word_t task,
			   L4_Word_t cid, unsigned what)
{
	volatile L4_Word_t *w = words(page);
	L4_Word_t v = hostile_random(h);
	unsigned at = (unsigned)(v % NT_WORDS);

	/* Aim at a reference where there is one. */
	for (unsigned i = 0; i < NT_WORDS && !w[at]; i++)
		at = (at + 1) % NT_WORDS;
	switch (what) {
	case NT_REF:                    /* another entry of that page */
		w[at] = (w[at] & ~0x7FUL) | (1 + (w[at] + 1 + (v >> 10) % 8) % (ENTS - 1));
		break;
	case NT_PAST:                   /* a page past the last made */
		w[at] = (w[at] & 0x7F ? w[at] & 0x7F : 1) | ((w[at] >> 7) + 1 + (v >> 10) % 4) << 7;
		break;
	case NT_SWAP: {
		unsigned j = (unsigned)((v >> 10) % NT_WORDS);
		L4_Word_t t = w[at];
		w[at] = w[j];
		w[j] = t;
		break;
	}
	case NT_CLEAR:
		w[at] = 0;
		break;
	default: {
		L4_Word_t o = other_form(h, task, cid, LENT_KMEM_NT);
		if (o && (v & 1))
			copy(page, o);          /* another slot's table */
		else
			w[at] = node_word(h);
		what = NT_WORD;
		break;
	}
	}
	return what;
}

void hostile_edit_nodes(struct kpager_hostile *h, L4_Word_t page, L4_Word_t task,
			L4_Word_t cid, unsigned kind)
{
	unsigned what;

	if (kind == LENT_KMEM_MAP) {
		what = (unsigned)(h->node_turn++ % NT_REF);
		/* Keep the form as it is now, now and then, to replay later. */
		if (h->stash && what != NE_REPLAY &&
		    (h->stash_cid == 0 || hostile_random(h) % 4 == 0)) {
			copy(h->stash, page);
			h->stash_task = task;
			h->stash_cid = cid;
		}
		what = edit_page(h, page, task, cid, what);
	} else {
		what = edit_table(h, page, task, cid,
				  NT_REF + (unsigned)(h->node_turn++ % (NE_COUNT - NT_REF)));
	}
	h->node_edits[what]++;
	h->node_lent++;
	h->edits++;
}
