/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hostile kpager (issue 7): the preempting kpager (preempt.c) that
 * edits every external form before it lends it back, and now and then
 * answers a fault with a page the kernel must refuse.  Its edits are
 * seeded, so a run repeats:
 *   - random words at random places;
 *   - words shaped like what a kernel page could hold and a kpager must
 *     never get the kernel to use: kernel addresses, frame numbers with
 *     page-table bits, all ones;
 *   - a sentinel of another task's (one of another kpager's clients),
 *     as if the page could lead the kernel to it.
 * A page of thread bodies (a 1 KB form in each slot, magic "LCBX":
 * docs/tcb-external-form.md) gets, in one form chosen at random, one
 * edit that knows the layout: privileged EFLAGS bits, a kernel selector,
 * a kernel address in EIP or ESP, another serial (a replay), a bit
 * flipped in the sealed block or the seal, a safe point out of range;
 * or a register user code could have loaded; or the random words above.
 * What the kernel does with such a page is the import's business: for
 * the kinds it gives back vacant, it uses nothing of it; a body it must
 * refuse fails the answer (IPC error 4, LENT_KPF_BAD_CONTENT), which is
 * counted, and the next time the body is asked for the kept form goes
 * out again, edited anew.  A UTCB page is its client's own words, which
 * the client would see changed; there it forges only the words the
 * kernel keeps in each UTCB (the self-pointer, MyGlobalId, ProcessorNo),
 * which the import must write again.  Node pages and node tables
 * (taken back localised) get, once
 * hostile_set_nodes has named other tasks' pages to aim at, one
 * structure-aware edit each (hostile_nodes.c): forged partners, rights,
 * generations and epochs, replays, entries moved and made live, forged
 * flags, flipped bytes.  A page the kernel refuses comes back empty: its
 * client's mappings in it fault again to their pager; the answer
 * succeeds, so such refusals are counted from the kernel's own count
 * (hostile_imports), as every refusal and import is.  The test that
 * runs it (t_kpreempt_work.c) checks that the kernel stays whole and
 * that another kpager's client, sharing mappings with this one's, sees
 * none of its mappings appear, widen, or (those not from this kpager's
 * client) go.
 */
#include "kpager.h"

static L4_Word_t next_random(struct kpager_hostile *h)
{
	h->seed = h->seed * 1103515245u + 12345u;
	return h->seed;
}

/* One word a hostile kpager might write. */
static L4_Word_t hostile_word(struct kpager_hostile *h)
{
	L4_Word_t r = next_random(h), v = next_random(h);

	switch ((r >> 8) % 6) {
	case 0: return v;                                    /* anything */
	case 1: return 0xC0000000UL | (v & 0x3FFFF000UL);    /* a kernel address */
	case 2: return (v & 0x3FFFF000UL) | 0x7;             /* a frame, present, user, writable */
	case 3: return h->sentinel;                          /* another task's data */
	case 4: return ~0UL;
	default: return 0;
	}
}

static void edit(struct kpager_hostile *h, L4_Word_t page)
{
	volatile L4_Word_t *w = (volatile L4_Word_t *)page;

	for (L4_Word_t i = 0; i < h->per_page; i++) {
		L4_Word_t at = (next_random(h) >> 4) % (RT_PAGE_SIZE / sizeof(L4_Word_t));
		w[at] = hostile_word(h);
		h->edits++;
	}
}

/* The words the kernel keeps in each 512-byte UTCB of a UTCB page that
 * a thread uses (its first word, the self-pointer, is set): the
 * self-pointer, MyGlobalId and ProcessorNo (MR0 - 60 and MR0 - 56,
 * where MR0 is 256 bytes in). */
static void edit_utcb(struct kpager_hostile *h, L4_Word_t page)
{
	static const unsigned kept[] = { 0, (256 - 60) / 4, (256 - 56) / 4 };
	volatile L4_Word_t *w = (volatile L4_Word_t *)page;

	for (L4_Word_t i = 0; i < h->per_page; i++) {
		L4_Word_t r = next_random(h);
		L4_Word_t utcb = (r >> 4) % (RT_PAGE_SIZE / 512) * (512 / sizeof(L4_Word_t));
		if (!w[utcb])
			continue;
		w[utcb + kept[(r >> 16) % 3]] = hostile_word(h);
		h->edits++;
	}
}

/* The form of a thread body, where the edits aim (byte offsets). */
#define FORM_BYTES	1024u
#define FORM_MAGIC	0x5842434CUL    /* "LCBX" */
#define FORM_SERIAL	12
#define FORM_GPR	16              /* eax ecx edx ebx esp ebp esi edi */
#define FORM_ESP	(FORM_GPR + 16)
#define FORM_EIP	48
#define FORM_EFLAGS	52
#define FORM_SEG	56              /* cs ss ds es fs gs, 16 bits each */
#define FORM_POINT	592             /* the continuation's safe point, a byte */
#define FORM_SEALED	720             /* 80 bytes, then the 8-byte seal */
#define FORM_SEALED_END	808

static void put32(L4_Word_t page, unsigned at, L4_Word_t v)
{
	*(volatile L4_Word_t *)(page + at) = v;
}

static L4_Word_t get32(L4_Word_t page, unsigned at)
{
	return *(volatile L4_Word_t *)(page + at);
}

/* One edit into one of the page's forms; 0 if it holds none. */
static int edit_tcb(struct kpager_hostile *h, L4_Word_t page)
{
	unsigned forms[RT_PAGE_SIZE / FORM_BYTES], n = 0;

	for (unsigned s = 0; s < RT_PAGE_SIZE / FORM_BYTES; s++)
		if (get32(page, s * FORM_BYTES) == FORM_MAGIC)
			forms[n++] = s * FORM_BYTES;
	if (!n)
		return 0;
	L4_Word_t f = page + forms[(next_random(h) >> 8) % n], v = next_random(h) >> 4;
	/* In turn, so that a short run meets every kind of edit. */
	unsigned what = (unsigned)(h->tcb_turn++ % HOSTILE_TCB_EDITS);

	h->tcb_edits[what]++;
	switch (what) {
	case 0: put32(f, FORM_EFLAGS, get32(f, FORM_EFLAGS) | 0x3000); break;  /* IOPL 3 */
	case 1: put32(f, FORM_EFLAGS, get32(f, FORM_EFLAGS) | 0x20000); break; /* VM */
	case 2: put32(f, FORM_EFLAGS, get32(f, FORM_EFLAGS) | 0x4000); break;  /* NT */
	case 3: put32(f, FORM_SEG + 4 * (v % 3), 0x00100008); break;  /* kernel CS, SS */
	case 4: put32(f, FORM_EIP, 0xC0000000UL | (v & 0x3FFFFFFC)); break;
	case 5: put32(f, FORM_ESP, 0xC0000000UL | (v & 0x3FFFFFFC)); break;
	case 6: put32(f, FORM_SERIAL, get32(f, FORM_SERIAL) + 1 + v % 3); break;
	case 7: {                                   /* a bit of the sealed block or seal */
		unsigned at = FORM_SEALED + v % (FORM_SEALED_END - FORM_SEALED);
		*(volatile unsigned char *)(f + at) ^= (unsigned char)(1u << (v >> 12) % 8);
		break;
	}
	case 8: *(volatile unsigned char *)(f + FORM_POINT) = (unsigned char)(0x40 | v); break;
	case 9: edit(h, page); return 1;            /* random words, anywhere */
	default:                                    /* a register it could load */
		put32(f, FORM_GPR + 4 * (v % 4), v & 0x0FFFFFF0);
		break;
	}
	h->edits++;
	return 1;
}

/* A refusal of the body lent for (task, cid) since the policy last ran:
 * the frame was sound (the kernel refused its content), so it is free
 * again, and the form stays kept, to go out at the next ask. */
static int content_refused(struct kpager_hostile *h, L4_Word_t task, L4_Word_t cid)
{
	struct kpager *kp = &h->pre.kp;

	if (kp->refusals == h->refusals_seen)
		return 0;
	h->refusals_seen = kp->refusals;
	if (kp->last_refusal != LENT_KPF_BAD_CONTENT)
		return 0;
	for (unsigned i = 0; i < PREEMPT_RECORDS; i++) {
		struct preempt_rec *r = &h->pre.rec[i];
		if (r->state == PREEMPT_LENT && r->task == task && r->cid == cid) {
			kpager_pool_set(&kp->pool, r->page, KPAGER_FREE);
			r->state = PREEMPT_KEPT;
		}
	}
	h->refused++;
	return 1;
}

/* An address in the kpager's space with no page: the kernel refuses it
 * (LENT_KPF_NOT_MAPPED) and the library asks the policy again. */
#define HOSTILE_NO_PAGE	0xB7F00000UL

static L4_Word_t hostile_policy(struct kpager *kp, L4_ThreadId_t client, L4_Word_t cid,
				unsigned kind)
{
	struct kpager_hostile *h = (struct kpager_hostile *)kp->data;
	L4_Word_t restored = h->pre.restored;

	/* Asked again after the kernel refused a body it lent: "no memory"
	 * this time, and the client's call fails (error 8). */
	if (kind == LENT_KMEM_TCB &&
	    content_refused(h, lent_kmem_control(client.raw, LENT_KMEM_TASK_ID, 0), cid))
		return 0;
	if (++h->turn % 5 == 0) {
		h->bad_answers++;
		return HOSTILE_NO_PAGE;
	}
	L4_Word_t page = preempt_lend(kp, client, cid, kind);
	if (!page || h->pre.restored == restored)
		return page;
	if (kind == LENT_KMEM_MAP || kind == LENT_KMEM_NT) {
		/* One in two: the other half comes back as it left, so that
		 * the edges an edited page holds are often live ones. */
		if (h->nodes && hostile_random(h) % 2)
			hostile_edit_nodes(h, page, lent_kmem_control(client.raw, LENT_KMEM_TASK_ID, 0),
					   cid, kind);
	} else {
		if (kind == LENT_KMEM_UTCB)
			edit_utcb(h, page);
		else if (!edit_tcb(h, page))
			edit(h, page);
		h->lent_back++;
	}
	return page;
}

/* A node page or table the kernel refuses is taken as an empty one: the
 * answer succeeds, and only the kernel knows.  So refusals are counted
 * from what the kernel says it did, once each, for bodies as for nodes. */
void hostile_imports(struct kpager_hostile *h, L4_ThreadId_t client)
{
	(void)lent_kmem_control(client.raw, LENT_KMEM_STATS, 0);
	h->imports_refused += rt_mr(LENT_KMEM_STAT_IMPORTS_REFUSED);
	h->imports_taken += rt_mr(LENT_KMEM_STAT_IMPORTS_TAKEN);
}

L4_ThreadId_t hostile_start(struct kpager_hostile *h, L4_Word_t base, L4_Word_t pages,
			    L4_Word_t store, L4_Word_t seed, L4_Word_t per_page,
			    L4_Word_t sentinel)
{
	h->seed = seed;
	h->per_page = per_page;
	h->sentinel = sentinel;
	h->turn = h->edits = h->bad_answers = h->lent_back = h->refused = 0;
	h->refusals_seen = h->tcb_turn = 0;
	h->imports_refused = h->imports_taken = 0;
	h->nodes = 0;
	for (unsigned i = 0; i < HOSTILE_TCB_EDITS; i++)
		h->tcb_edits[i] = 0;
	/* preempt_start starts the thread: the policy is swapped before it
	 * can receive a fault (no task names it as kpager yet). */
	L4_ThreadId_t t = preempt_start(&h->pre, base, pages, store, seed);
	h->pre.kp.policy = hostile_policy;
	return t;
}
