/* SPDX-License-Identifier: BSD-2-Clause */
/* Thread control blocks: the thread table, creation, UTCBs, deletion. */
#include <kernel/thread.h>
#include <kernel/kpf.h>
#include <kernel/space.h>
#include <kernel/sched.h>
#include <kernel/ipc.h>
#include <kernel/kmem.h>
#include <kernel/string.h>
#include <kernel/thread_core.h>
#include <kernel/irq.h>
#include <arch/arch.h>

tcb_t *current;

/* Thread number -> resident part, two levels: 256 directory slots of 1024 entries. */
tcb_core_t **thread_dir[THREAD_DIR_ENTRIES];
/* Live entries per leaf: an empty leaf goes back to the resident
 * reserve (kernel/thread_core.c). */
static uint16_t leaf_used[THREAD_DIR_ENTRIES];

static void leaf_release(uint32_t d)
{
	if (thread_dir[d] && !leaf_used[d]) {
		thread_leaf_free(thread_dir[d]);
		thread_dir[d] = NULL;
	}
}

_Static_assert(sizeof(tcb_t) <= PAGE_SIZE, "a TCB must fit its page");
_Static_assert(LEAF_ENTRIES * sizeof(tcb_core_t *) <= PAGE_SIZE, "a leaf is a page");
_Static_assert(sizeof(((tcb_core_t *)0)->unhoused) <= sizeof(uint64_t) + 2 * sizeof(tcb_core_t *),
	       "thread_core_house clears unhoused by clearing the timeout fields");
_Static_assert(__builtin_offsetof(tcb_t, ctx) == 16, "entry.asm: a vm86 frame needs 16 bytes below ctx");

/* A thread has a local ID once its UTCB is placed (a location only kept
 * for later, kernel/sys_thread.c, names nothing yet). */
tid_t thread_local_id(const tcb_t *t)
{
	return !t->utcb && !t->utcb_away ? TID_NIL : t->utcb_location + UTCB_LOCAL_ID_OFFSET;
}

tcb_t *thread_lookup_local(space_t *s, tid_t local)
{
	for (tcb_t *t = s->thread_list; t; t = t->space_next)
		if ((t->utcb || t->utcb_away) && thread_local_id(t) == local)
			return t;
	return NULL;
}

tcb_t *thread_resolve(tcb_t *caller, tid_t id)
{
	if (tid_is_local(id))
		return thread_lookup_local(caller->space, id);
	return thread_lookup(id);
}

tid_t thread_exc_handler(const tcb_t *t)
{
	return t->utcb ? UTCB_TCR(t, TCR_EXC_HANDLER) : TID_NIL;
}

void thread_for_each(void (*fn)(tcb_t *t, void *arg), void *arg)
{
	for (uint32_t d = 0; d < THREAD_DIR_ENTRIES; d++) {
		if (!thread_dir[d])
			continue;
		for (uint32_t i = 0; i < LEAF_ENTRIES; i++)
			if (thread_dir[d][i] && thread_dir[d][i]->tcb)
				fn(thread_dir[d][i]->tcb, arg);
	}
}

tid_t thread_pager(const tcb_t *t)
{
	return t->utcb ? UTCB_TCR(t, TCR_PAGER) : t->pager;
}

/*
 * Bodies per TCB page: LENT_TCB_PER_PAGE where a kpager lends the pages
 * (each body a 1 KB slot, as in the paper), one where the pool gives
 * them (sigma0, KMEM=pool: the pool counts a page per thread).
 */
#define TCB_BODY_BYTES (PAGE_SIZE / LENT_TCB_PER_PAGE)
_Static_assert(sizeof(tcb_t) <= TCB_BODY_BYTES, "a TCB body must fit its slot");
_Static_assert(TCB_BODY_BYTES % _Alignof(tcb_t) == 0, "each slot keeps the body's alignment (fxsave: 16)");

static uint32_t bodies_per_page(const space_t *s)
{
	return kmem_kind_is_lent(s, KMEM_TCB) ? LENT_TCB_PER_PAGE : 1;
}

/* The lowest thread slot of s not in use, or -1 when all are. */
static int slot_take(space_t *s)
{
	for (uint32_t w = 0; w < TCB_SLOTS / 32; w++)
		if (s->tcb_slots[w] != ~0u) {
			uint32_t bit = (uint32_t)__builtin_ctz(~s->tcb_slots[w]);
			s->tcb_slots[w] |= 1u << bit;
			return (int)(w * 32 + bit);
		}
	return -1;
}

static void slot_give(space_t *s, uint32_t slot)
{
	s->tcb_slots[slot / 32] &= ~(1u << (slot % 32));
}

/* Is another slot of slot's TCB page in use? */
static bool page_shared(const space_t *s, uint32_t slot)
{
	uint32_t per = bodies_per_page(s), first = slot / per * per;

	for (uint32_t i = first; i < first + per; i++)
		if (s->tcb_slots[i / 32] & (1u << (i % 32)))
			return true;
	return false;
}

/* The thread table's leaf for thread number no, made if need be. */
static tcb_core_t **leaf_for(uint32_t no)
{
	tcb_core_t ***leafp = &thread_dir[no / LEAF_ENTRIES];

	if (!*leafp)
		*leafp = thread_leaf_alloc();
	return *leafp;
}

static void enter(tcb_core_t *c, tcb_core_t **leaf)
{
	uint32_t no = tid_number(c->id);

	c->state = TS_INACTIVE;
	c->prio = DEFAULT_PRIO;
	leaf[no % LEAF_ENTRIES] = c;
	leaf_used[no / LEAF_ENTRIES]++;
}

tcb_core_t *thread_core_create(tid_t id, space_t *s)
{
	uint32_t no = tid_number(id);
	tcb_core_t **leaf = leaf_for(no);

	if (!leaf)
		return NULL;
	tcb_core_t *c = thread_core_alloc(s->privileged, s->threads);
	int slot = c ? slot_take(s) : -1;
	if (slot < 0) {
		if (c)
			thread_core_free(c);
		leaf_release(no / LEAF_ENTRIES);
		return NULL;
	}
	c->id = id;
	c->space = s;
	c->slot = (uint16_t)slot;
	s->threads++;
	enter(c, leaf);
	return c;
}

tcb_core_t *thread_core_create_unhoused(tid_t id, uint32_t task, tid_t kpager,
					uint8_t kpf_pages)
{
	uint32_t no = tid_number(id);
	tcb_core_t **leaf = leaf_for(no);

	if (!leaf)
		return NULL;
	/* As for the first thread of any new space: unprivileged, none yet. */
	tcb_core_t *c = thread_core_alloc(false, 0);
	if (!c) {
		leaf_release(no / LEAF_ENTRIES);
		return NULL;
	}
	c->id = id;
	c->unhoused.task = task;
	c->unhoused.kpager = kpager;
	c->unhoused.kpf_pages = kpf_pages;
	enter(c, leaf);
	return c;
}

void thread_core_house(tcb_core_t *c, space_t *s)
{
	/* The first slot of a space that has none in use yet. */
	int slot = slot_take(s);

	/* The timeout fields share their storage with unhoused, and cover
	 * it: clearing them leaves no timeout and nothing of unhoused. */
	c->wakeup_us = 0;
	c->tq_next = c->tq_prev = NULL;
	c->space = s;
	c->slot = (uint16_t)slot;
	s->threads++;
}

uint32_t thread_body_cid(const tcb_core_t *c)
{
	return (uint32_t)lent_cid_nth(LENT_KMEM_TCB, c->slot / bodies_per_page(c->space));
}

tcb_t *thread_body_create(tcb_core_t *c, tid_t scheduler)
{
	space_t *s = c->space;
	uint8_t *page = kmem_get(s, KMEM_TCB, thread_body_cid(c));

	if (!page)
		return NULL;
	tcb_t *t = (tcb_t *)(page + c->slot % bodies_per_page(s) * TCB_BODY_BYTES);
	memset(t, 0, TCB_BODY_BYTES);   /* an earlier body may have left it */
	t->core = c;
	t->space = s;
	t->scheduler = scheduler;
	t->utcb_location = ~0u;
	t->timeslice_us = DEFAULT_TIMESLICE_US;
	t->ts_left_us = t->timeslice_us;
	t->tq_left_us = TQ_NEVER;    /* no delay, no sensitive priority: zeroed */
	arch_context_init(&t->ctx);
	t->space_next = s->thread_list;
	s->thread_list = t;
	c->tcb = t;
	return t;
}

/* Out of the thread table, and back to the resident reserve. */
static void core_release(tcb_core_t *c)
{
	uint32_t no = tid_number(c->id), d = no / LEAF_ENTRIES;

	sched_settle();    /* a hand-off noted on its ring links (sched.h) */
	thread_dir[d][no % LEAF_ENTRIES] = NULL;
	leaf_used[d]--;
	leaf_release(d);
	thread_core_free(c);
}

void thread_core_destroy(tcb_core_t *c)
{
	space_t *s = c->space;
	tcb_t *body = c->tcb;

	if (!s) {
		/* A task that was never made: its record, if lent, goes back. */
		kmem_return_record(c->unhoused.task);
		core_release(c);
		return;
	}
	slot_give(s, c->slot);
	/* The TCB page goes back with its last body; one lent for a body
	 * that was never made goes back too.  Nothing of the thread is left
	 * in a page that stays. */
	if (body) {
		memset(body, 0, TCB_BODY_BYTES);
		if (!page_shared(s, c->slot))
			kmem_put(s, KMEM_TCB, (void *)((uintptr_t)body & PAGE_MASK));
	} else if (!page_shared(s, c->slot)) {
		kmem_return_lent(s, KMEM_TCB, thread_body_cid(c));
	}
	s->threads--;
	core_release(c);
}

tcb_t *thread_create(tid_t id, space_t *s, tid_t scheduler)
{
	tcb_core_t *c = thread_core_create(id, s);
	tcb_t *t = c ? thread_body_create(c, scheduler) : NULL;

	if (c && !t)
		thread_core_destroy(c);
	return t;
}

void thread_set_version(tcb_t *t, tid_t id)
{
	irq_handler_gone(t->core->id);
	t->core->id = id;
	if (t->utcb)
		UTCB_TCR(t, TCR_MY_GLOBAL_ID) = id;
}

/* Place the UTCB: its page is kernel memory of the space, mapped there. */
int thread_set_utcb(tcb_t *t, uint32_t location)
{
	uint8_t *page = space_utcb_page(t->space, location);

	if (!page)
		return -1;
	uint8_t *base = page + (location & ~PAGE_MASK);
	if (t->utcb)          /* an inactive thread moves its UTCB */
		memset((uint8_t *)t->utcb - 256, 0, UTCB_SIZE);
	memset(base, 0, UTCB_SIZE);
	t->utcb_location = location;
	arch_thread_set_utcb(t, location);
	t->utcb = (word_t *)(base + 256);
	t->utcb[UTCB_SELF_OFFSET / 4] = location + 256;
	UTCB_TCR(t, TCR_MY_GLOBAL_ID) = t->core->id;
	UTCB_TCR(t, TCR_PAGER) = t->pager;
	return 0;
}

/* An activated thread waits for its pager's start message (X.2). */
void thread_activate(tcb_t *t)
{
	t->activated = true;
	t->space->active_threads++;
	t->cont.kind = CONT_STARTUP;
	t->cont.ipc_from = t->pager;
	t->cont.ipc_timeouts = 0;            /* never */
	t->core->state = TS_RECV;
	ipc_receive_phase(t);
}

void thread_destroy(tcb_t *t)
{
	space_t *s = t->space;
	tcb_core_t *c = t->core;

	ipc_cancel(t, true, true);
	irq_handler_gone(c->id);
	ipc_detach_senders(t);
	ipc_detach_receivers(t);
	sched_dequeue(t);
	sched_donation_end(NULL);       /* a donation to t dies with it */
	timeout_cancel(t);
	ipc_work_remove(t);
	if (t->activated)
		s->active_threads--;
	for (tcb_t **pp = &s->thread_list; *pp; pp = &(*pp)->space_next)
		if (*pp == t) {
			*pp = t->space_next;
			break;
		}
	if (t->utcb)
		memset((uint8_t *)t->utcb - 256, 0, UTCB_SIZE);
	if (current == t)
		current = NULL;
	arch_thread_exit(t);
	thread_core_destroy(c);
}

/* ---- moving a body to another task (kernel/thread_migrate.c) ---- */

int thread_slot_free(const space_t *s)
{
	for (uint32_t w = 0; w < TCB_SLOTS / 32; w++)
		if (s->tcb_slots[w] != ~0u)
			return (int)(w * 32 + (uint32_t)__builtin_ctz(~s->tcb_slots[w]));
	return -1;
}

uint32_t thread_slot_cid(const space_t *s, uint32_t slot)
{
	return (uint32_t)lent_cid_nth(LENT_KMEM_TCB, slot / bodies_per_page(s));
}

/*
 * t's body moves to the lowest free slot of `to`, in `page`, the TCB
 * page kmem_get() gave for it: a copy (the body holds no kernel pointer
 * but its links to its task, put right here), then the old slot is
 * cleared and its page goes back with its last body, as at deletion.
 * The FPU state goes into the body first, and the FPU forgets it.
 */
tcb_t *thread_body_move(tcb_t *t, space_t *to, void *page)
{
	tcb_core_t *c = t->core;
	space_t *from = t->space;
	uint32_t old_slot = c->slot;
	int slot = slot_take(to);
	tcb_t *n = (tcb_t *)((uint8_t *)page + (uint32_t)slot % bodies_per_page(to) * TCB_BODY_BYTES);

	for (tcb_t **pp = &from->thread_list; *pp; pp = &(*pp)->space_next)
		if (*pp == t) {
			*pp = t->space_next;
			break;
		}
	arch_thread_away(t);
	arch_thread_exit(t);
	memcpy(n, t, TCB_BODY_BYTES);
	n->space = to;
	n->space_next = to->thread_list;
	to->thread_list = n;
	c->tcb = n;
	c->space = to;
	c->slot = (uint16_t)slot;
	from->threads--;
	to->threads++;
	if (n->activated) {
		from->active_threads--;
		to->active_threads++;
	}
	if (sched_donee == t)
		sched_donee = n;
	if (current == t)
		current = n;           /* the caller moves itself */
	memset(t, 0, TCB_BODY_BYTES);
	slot_give(from, old_slot);
	if (!page_shared(from, old_slot))
		kmem_put(from, KMEM_TCB, (void *)((uintptr_t)t & PAGE_MASK));
	return n;
}
