/* SPDX-License-Identifier: BSD-2-Clause */
/* Kernel page faults: gathering, asking the kpager, taking its frame. */
#include <kernel/kpf.h>
#include <kernel/kmem_order.h>
#include <kernel/ipc_internal.h>
#include <kernel/sched.h>
#include <kernel/space.h>
#include <kernel/frame.h>
#include <kernel/mapdb.h>
#include <kernel/tcb_away.h>
#include <kernel/space_split_away.h>
#include <kernel/string.h>
#include <kernel/utcb_away.h>
#include <kernel/kmem_ahead.h>
#include <arch/arch.h>

/* ---- gathering ---- */

bool kpf_have(space_t *s, enum kmem_kind kind, uint32_t cid, kmem_need_t *need)
{
	/* Kinds from the pool are not gathered: their act step may find the
	 * pool empty, X.2's "no memory", as in a kernel without kpagers. */
	if (!kmem_kind_is_lent(s, kind) || kmem_has(s, kind, cid))
		return true;
	/* A frame its kpager lent ahead, bound now: no fault. */
	if (s->ahead && kmem_ahead_bind(s, kind, cid))
		return true;
	*need = (kmem_need_t){ .space = s, .kind = (uint8_t)kind, .cid = cid };
	return false;
}

/* Did the answer recorded in k lend the page at cid?  Where k is given
 * (kpf_have_for_map_answered), every page it names is lent to the task. */
static bool answered_with(const kpf_wait_t *k, uint32_t cid)
{
	if (!k)
		return false;
	for (unsigned i = 0; i < k->pages; i++)
		if (k->cid[i] == cid)
			return true;
	return false;
}

/* Lent to task, by the answer in k or earlier? */
static bool lent_to(uint32_t task, uint32_t cid, const kpf_wait_t *k)
{
	return answered_with(k, cid) || frame_find(task, cid);
}

static inline __attribute__((always_inline)) bool
have_for_map(space_t *s, uint32_t va, kmem_need_t *need, const kpf_wait_t *k)
{
	bool io = va >= USER_LIMIT;  /* a port's page: its "page table" is the bitmap */
	if (io && !io_va_is(va))
		return true;             /* nothing will be mapped there */
	bool table = io ? s->io_bitmap[io_bitmap_index(io_va_port(va))] != NULL :
			  s->pdir && arch_pde_table(s->pdir, va) != 0;
	/* The common case first: everything is there. */
	if (s->node_table[va >> 22] && space_node_room(s) && table)
		return true;
	/* The three kinds are lent together or not at all (kmem.c): where
	 * they come from the pool there is nothing to gather. */
	if (!kmem_kind_is_lent(s, KMEM_NT))
		return true;
	s->io_gathered |= io;
	/* The directory its kpager took back comes first, alone: what the
	 * table needs is known once it is there (kernel/space_vacate.c). */
	if (!io && !s->pdir && !lent_to(s->id, LENT_CID_PDIR, k) &&
	    !(s->ahead && kmem_ahead_bind(s, KMEM_PDIR, LENT_CID_PDIR))) {
		need->space = s;
		need->task = 0;
		need->kpager = TID_NIL;
		need->kind = KMEM_PDIR;
		need->cid = LENT_CID_PDIR;
		need->more = 0;
		return false;
	}
	/* Missing: neither in place nor lent already (a page lent for an
	 * earlier fault that has not been used yet). */
	uint32_t map_cid = lent_cid_nth(LENT_KMEM_MAP, s->node_page_count);
	unsigned missing = 0;
	if (!s->node_table[va >> 22] && !lent_to(s->id, lent_cid_nt(va), k))
		missing |= KMEM_ORDER_BIT(KMEM_NT);
	if (!space_node_room(s) && !lent_to(s->id, map_cid, k))
		missing |= KMEM_ORDER_BIT(KMEM_MAP);
	if (!table && !lent_to(s->id, kmem_cid_pt(va), k))
		missing |= KMEM_ORDER_BIT(KMEM_PT);
	/* Frames lent ahead are bound first, in fault order, without a
	 * fault (kernel/kmem_ahead.c); only the rest is asked for. */
	if (missing && s->ahead)
		missing = kmem_ahead_bind_for_map(s, va, missing);
	/* In fault order (kmem_order.h); a kpager that takes several pages
	 * per fault is asked for all of them at once. */
	kmem_page_t page[LENT_KPF_MAX_PAGES];
	unsigned n = kmem_order_for_map(va, s->node_page_count, missing,
					s->kpf_pages > 1 ? s->kpf_pages : 1, page);
	if (!n)
		return true;
	/* Field by field: the pages after the n-th are never read
	 * (send_fault() takes 1 + more), so they need no zeroing. */
	need->space = s;
	need->task = 0;
	need->kpager = TID_NIL;
	need->kind = page[0].kind;
	need->cid = page[0].cid;
	need->more = (uint8_t)(n - 1);
	for (unsigned i = 1; i < n; i++) {
		need->more_kind[i - 1] = page[i].kind;
		need->more_cid[i - 1] = page[i].cid;
	}
	return false;
}

bool kpf_have_for_map(space_t *s, uint32_t va, kmem_need_t *need)
{
	return have_for_map(s, va, need, NULL);
}

bool kpf_have_for_map_answered(space_t *s, uint32_t va, kmem_need_t *need, const kpf_wait_t *k)
{
	return have_for_map(s, va, need, k);
}

/* ---- asking the kpager ---- */

tcb_t *kpf_kpager(const kmem_need_t *need)
{
	return thread_lookup(need->space ? need->space->kpager : need->kpager);
}

_Static_assert(KPF_MAX_PAGES == LENT_KPF_MAX_PAGES, "the TCB holds every page a fault names");
_Static_assert(LENT_KPF_WORDS(LENT_KPF_MAX_PAGES) < KMSG_WORDS, "a fault fits the kernel message");

static void send_fault(tcb_t *t, tcb_t *kp, const kmem_need_t *need, tid_t named,
		       unsigned cont)
{
	unsigned n = 1u + need->more;

	t->cont.kpf.state = KPF_ASKED;
	t->cont.kpf.pages = (uint8_t)n;
	t->cont.kpf.kinds[0] = need->kind;
	t->cont.kpf.cid[0] = need->cid;
	t->cont.kpf.task = need->space ? need->space->id : need->task;
	t->cont.kpf.named = named;
	t->cont.kmsg[0] = msgtag_make(LENT_LABEL_KPF, LENT_KPF_WORDS(n), 0, 0);
	t->cont.kmsg[1] = need->cid;
	t->cont.kmsg[2] = need->kind;
	t->cont.kmsg[3] = named;
	for (unsigned i = 1; i < n; i++) {
		t->cont.kpf.kinds[i] = need->more_kind[i - 1];
		t->cont.kpf.cid[i] = need->more_cid[i - 1];
		t->cont.kmsg[LENT_KPF_MR_CID(i)] = need->more_cid[i - 1];
		t->cont.kmsg[LENT_KPF_MR_KIND(i)] = need->more_kind[i - 1];
	}
	ipc_kernel_call_to(t, kp, cont);     /* kp is not t: kpager_can_answer() */
}

/*
 * The deadlock rule (docs/kernel-memory.md): a kpager blocked in a send
 * to the thread whose kernel page it must give would never receive the
 * fault.  Its send is aborted, with an error that says so, and the fault
 * goes to it.  A kpager that is the thread itself, or that waits for a
 * kernel call of its own on it, cannot answer at all.
 */
/* Could kp answer a kernel page fault of t's? */
static bool kpager_can_answer(const tcb_t *kp, const tcb_t *t)
{
	if (!kp || kp == t || xfer_linked_to(kp, t))
		return false;
	return !(kp->core->state == TS_SEND && kp->core->partner == t->core && kmsg_active(kp));
}

bool kpf_can_raise(const tcb_t *t, const kmem_need_t *need)
{
	return kpager_can_answer(kpf_kpager(need), t);
}

bool kpf_raise(tcb_t *t, const kmem_need_t *need, tid_t named, unsigned cont)
{
	tcb_t *kp = kpf_kpager(need);

	if (!kpager_can_answer(kp, t))
		return false;
	if (kp->core->state == TS_SEND && kp->core->partner == t->core) {
		fail_ipc_at(kp, IPC_ERR_ABORTED, false, LENT_KPF_DEADLOCK);
	}
	send_fault(t, kp, need, named, cont);
	return true;
}

void kpf_in_transfer(tcb_t *snd, tcb_t *rcv, const xfer_fault_t *f)
{
	kmem_need_t need = f->need;

	if (kpf_kpager(&need) != snd) {
		/* A receiver that is itself the sender of a stopped transfer
		 * (it waits for its pager's answer to a fault in it) keeps
		 * that link. */
		if (kmsg_active(rcv) && xfer_linked(rcv) && !xfer_linked_to(rcv, snd)) {
			xfer_kmem_unlinked(snd, rcv, &need);
			return;
		}
		/* The usual case: the sender waits while the receiver's
		 * kpager lends the page, as for a receive buffer's page. */
		xfer_fault(snd, rcv, f);
		return;
	}
	/* The paper's deadlock: the kpager itself is sending the map item
	 * that needs the page.  Its send fails; the receiver's fault goes
	 * to it, and the receiver then waits for the send again.  A link
	 * and a rewound trap left by an earlier stop of this transfer go
	 * with the send, and so does its kept progress. */
	if (xfer_linked(snd))
		xfer_unlink(snd);
	if (snd->cont.xfer.rewound)
		arch_ipc_trap_skip(&snd->ctx);
	xfer_forget_retry(snd);
	fail_ipc_at(snd, IPC_ERR_ABORTED, false, LENT_KPF_DEADLOCK);
	kpf_receiver_asks(rcv, &need);
}

void kpf_receiver_asks(tcb_t *rcv, const kmem_need_t *need)
{
	uint8_t kind = rcv->cont.kind;

	if (kind == CONT_PF_RECV) {
		/* rcv takes its pager's answer for a receive buffer's page,
		 * and that answer needs the page: the receive to take up
		 * afterwards stays, and the answer is received again first. */
		rcv->cont.recv.again = rcv->cont.ipc_from;
	} else {
		rcv->cont.recv.from = rcv->cont.ipc_from;
		rcv->cont.recv.timeouts = rcv->cont.ipc_timeouts;
		rcv->cont.recv.kind = kind;
		rcv->cont.recv.again = TID_NIL;
	}
	timeout_cancel(rcv);
	/* A page of the map's sender's task is asked for the sender. */
	tid_t named = need->space && need->space != rcv->space ? need->sender : rcv->core->id;
	if (!kpf_raise(rcv, need, named, CONT_PF_RECV)) {
		/* No kpager to ask: the receive fails for want of memory. */
		rcv->cont.kind = kind;
		fail_ipc(rcv, IPC_ERR_OVERFLOW, true);
	}
}

void kpf_answered(tcb_t *rcv)
{
	rcv->cont.kpf.state = rcv->cont.kpf.state == KPF_LENT ? KPF_IDLE :
			      kcont_refusal_note(rcv->cont.kind);
}

void kpf_call_returns(tcb_t *t)
{
	if (!kpf_waiting(t) && t->cont.resume.op == RESUME_NONE)
		(void)kpf_take_refusal(t);
}

bool kpf_take_refusal(tcb_t *t)
{
	uint8_t s = t->cont.kpf.state;

	if (s == KPF_REFUSED_FAULT)
		t->cont.kpf.state = KPF_IDLE;   /* not this operation's: dropped */
	if (s != KPF_REFUSED)
		return false;
	t->cont.kpf.state = KPF_IDLE;
	return true;
}

bool kpf_take_fault_refusal(tcb_t *t)
{
	uint8_t s = t->cont.kpf.state;

	if (s != KPF_REFUSED && s != KPF_REFUSED_FAULT)
		return false;
	t->cont.kpf.state = KPF_IDLE;
	return true;
}

/* ---- taking the kpager's frame ---- */

/* The same walks over the split database: kernel/space_split_lend.c. */
bool space_split_held_alone(space_t *s, const mapnode_t *n);
bool space_split_tree_at_most(space_t *s, mapnode_t *n, unsigned max);
#define held_alone(s, n) space_split_held_alone(s, n)
#define tree_at_most(s, n, max) space_split_tree_at_most(s, n, max)

uint32_t kpf_check_page(space_t *s, uint32_t va, mapnode_t **node)
{
	mapnode_t *n = mapdb_lookup(s, va & PAGE_MASK);

	if (!n || (mapnode_rights(n) & (RIGHT_R | RIGHT_W)) != (RIGHT_R | RIGHT_W))
		return LENT_KPF_NOT_MAPPED;
	if (!held_alone(s, n))
		return LENT_KPF_SHARED;
	/* What lending it strips, in one step: held alone, the tree is
	 * sigma0's root and what lies under n, which user level can make as
	 * large as it likes by mapping the page on. */
	if (!tree_at_most(s, n, LENT_KPF_MAX_MAPPINGS))
		return LENT_KPF_MAPPED_WIDELY;
	_Static_assert(LENT_KMEM_FRAME_LIMIT == PHYSMAP_LIMIT,
		       "kpagers learn the direct map's end from lent/kmem.h");
	switch (frame_check_lendable(mapnode_phys(n))) {
	case FRAME_OK: break;
	case FRAME_NOT_ADDRESSABLE: return LENT_KPF_NOT_ADDRESSABLE;
	case FRAME_KERNEL_OWNED: return LENT_KPF_KERNEL_OWNED;
	case FRAME_LENT_ALREADY: return LENT_KPF_LENT_ALREADY;
	default: return LENT_KPF_NOT_RAM;
	}
	*node = n;
	return 0;
}

/* Validate one item of an answer: the page of the kpager's it names, or
 * a refusal.  Its frame must pass kpf_check_page, and no earlier item of
 * the answer may name it too. */
static uint32_t check_item(tcb_t *kpager, const word_t *item, mapnode_t *const *earlier,
			   unsigned i, mapnode_t **node)
{
	fpage_t fp = (fpage_t)item[1];
	mapnode_t *n;

	if (!item_is_map(item[0]) && !item_is_grant(item[0]))
		return LENT_KPF_ITEMS;
	uint32_t log2 = fpage_size_log2(fp);
	if (fpage_is_nil(fp) || log2 < PAGE_SHIFT)
		return LENT_KPF_NOT_MAPPED;
	/* snd_base's offset within the fpage, in 32 bits: an fpage of 2^32
	 * bytes takes all of it. */
	uint32_t mask = log2 >= 32 ? ~0u : (1u << log2) - 1;
	uint32_t va = fpage_base(fp) + (item_snd_base(item[0]) & mask & PAGE_MASK);
	uint32_t why = kpf_check_page(kpager->space, va, &n);
	if (why)
		return why;
	for (unsigned j = 0; j < i; j++)
		if (mapnode_phys(earlier[j]) == mapnode_phys(n))
			return LENT_KPF_LENT_ALREADY;    /* as it will be by then */
	*node = n;
	return 0;
}

uint32_t kpf_accept(tcb_t *kpager, tcb_t *rcv, const word_t *items, unsigned words)
{
	return kpf_accept_wait(kpager, &rcv->cont.kpf, items, words);
}

uint32_t kpf_accept_wait(tcb_t *kpager, kpf_wait_t *k, const word_t *items, unsigned words)
{
	mapnode_t *node[KPF_MAX_PAGES];
	unsigned n = k->pages;

	/* No item: "no memory" (kpf_answered notes it). */
	if (k->state == KPF_LENT || words == 0)
		return 0;
	/* Validate every item before taking any: one page of the kpager's
	 * own per page asked for, in order, writable, and lendable. */
	if (words != 2 * n)
		return LENT_KPF_REFUSAL(LENT_KPF_ITEMS, words / 2);
	for (unsigned i = 0; i < n; i++) {
		uint32_t why = check_item(kpager, items + 2 * i, node, i, &node[i]);
		if (why)
			return LENT_KPF_REFUSAL(why, i);
	}
	/* The task must still be the one the fault was for.  The named
	 * thread may be one ThreadControl is making, with no body yet: its
	 * resident part names the task, by the space or, while the task's
	 * record is gathered and there is no space yet, by the task's id. */
	tcb_core_t *named = thread_core_lookup(k->named);
	if (!named)
		return 0;
	space_t *s = named->space;
	uint32_t task = s ? s->id : named->unhoused.task;
	if (task != k->task || (!s && (n != 1 || k->kinds[0] != KMEM_TASK)))
		return 0;
	/* A page of thread bodies away holds their external forms: each is
	 * validated before anything changes (kernel/tcb_away.c). */
	for (unsigned i = 0; s && i < n; i++) {
		if (k->kinds[i] != KMEM_TCB || frame_find(task, k->cid[i]))
			continue;
		uint32_t why = tcb_away_check(s, k->cid[i], mapnode_phys(node[i]));
		if (why) {
			tcb_away_refused(s, k->cid[i], mapnode_phys(node[i]));
			space_import_count(s, true);
			return why | LENT_KPF_REFUSAL(0, i);
		}
	}
	/* So is a node page or node table taken back
	 * (kernel/space_split_away.c); one that fails is taken as an empty
	 * one of its index (its task's mappings in it are gone). */
	uint8_t import[KPF_MAX_PAGES] = { 0 };
	for (unsigned i = 0; s && i < n; i++)
		if (space_split_is_import(s, k->kinds[i], k->cid[i]) && !frame_find(task, k->cid[i]))
			import[i] = space_split_import_check(s, k->kinds[i], k->cid[i],
							     mapnode_phys(node[i])) ? 2 : 1;
	/* Act: nothing below can fail.  A page lent at its CID meanwhile (by
	 * the answer to another thread's fault) keeps that frame, and counts
	 * as got: the operation has its page, and no refusal is noted. */
	k->state = KPF_LENT;
	for (unsigned i = 0; i < n; i++) {
		if (frame_find(task, k->cid[i]))
			continue;
		bool bodies = s && k->kinds[i] == KMEM_TCB && tcb_away_in_page(s, k->cid[i]);
		uint32_t phys = mapnode_phys(node[i]);
		kpf_strip(kpager->space, node[i]);
		frame_lend(phys, task, k->cid[i], k->kinds[i]);
		if (bodies) {
			tcb_away_import(s, k->cid[i], phys);
			space_import_count(s, false);
		} else if (import[i]) {
			space_split_import(s, k->kinds[i], k->cid[i], phys, import[i] == 2);
		} else if (k->kinds[i] == KMEM_UTCB && utcb_import(s, KMEM_UTCB, k->cid[i], phys)) {
			space_import_count(s, false);
		} else {
			memset(phys_to_virt(phys), 0, PAGE_SIZE);
		}
		/* A record is counted when its space is built in it. */
		if (s)
			kmem_lent(s, (enum kmem_kind)k->kinds[i]);
	}
	return 0;
}
