/* SPDX-License-Identifier: BSD-2-Clause */
/* Thread control blocks: the thread table, creation, UTCBs, deletion. */
#include <kernel/thread.h>
#include <kernel/kpf.h>
#include <kernel/space.h>
#include <kernel/sched.h>
#include <kernel/ipc.h>
#include <kernel/kmem.h>
#include <kernel/string.h>
#include <arch/arch.h>

tcb_t *current;

/* Thread number -> TCB, two levels: 256 directory slots of 1024 entries. */
tcb_t **thread_dir[THREAD_DIR_ENTRIES];
/* Live entries per leaf: an empty leaf goes back to the pool. */
static uint16_t leaf_used[THREAD_DIR_ENTRIES];

static void leaf_release(uint32_t d)
{
	if (thread_dir[d] && !leaf_used[d]) {
		kmem_free(NULL, KMEM_KERNEL, thread_dir[d]);
		thread_dir[d] = NULL;
	}
}

_Static_assert(sizeof(tcb_t) <= PAGE_SIZE, "a TCB must fit its page");
_Static_assert(__builtin_offsetof(tcb_t, ctx) == 16, "entry.asm: a vm86 frame needs 16 bytes below ctx");

tid_t thread_local_id(const tcb_t *t)
{
	return t->utcb_location == ~0u ? TID_NIL : t->utcb_location + 256;
}

tcb_t *thread_lookup_local(space_t *s, tid_t local)
{
	for (tcb_t *t = s->thread_list; t; t = t->space_next)
		if (t->utcb_location != ~0u && thread_local_id(t) == local)
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
			if (thread_dir[d][i])
				fn(thread_dir[d][i], arg);
	}
}

tid_t thread_pager(const tcb_t *t)
{
	return t->utcb ? UTCB_TCR(t, TCR_PAGER) : t->pager;
}

tcb_t *thread_create(tid_t id, space_t *s, tid_t scheduler)
{
	uint32_t no = tid_number(id);
	tcb_t ***leafp = &thread_dir[no / LEAF_ENTRIES];

	if (!*leafp) {
		*leafp = kmem_alloc(NULL, KMEM_KERNEL);
		if (!*leafp)
			return NULL;
	}
	tcb_t *t = kmem_alloc(s, KMEM_TCB);
	if (!t) {
		leaf_release(no / LEAF_ENTRIES);
		return NULL;
	}
	t->id = id;
	t->space = s;
	t->state = TS_INACTIVE;
	t->scheduler = scheduler;
	t->utcb_location = ~0u;
	t->kpf_kind = KPF_NONE;
	t->prio = DEFAULT_PRIO;
	t->timeslice_us = DEFAULT_TIMESLICE_US;
	t->ts_left_us = t->timeslice_us;
	arch_context_init(&t->ctx);
	t->space_next = s->thread_list;
	s->thread_list = t;
	s->threads++;
	(*leafp)[no % LEAF_ENTRIES] = t;
	leaf_used[no / LEAF_ENTRIES]++;
	return t;
}

void thread_set_version(tcb_t *t, tid_t id)
{
	t->id = id;
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
	UTCB_TCR(t, TCR_MY_GLOBAL_ID) = t->id;
	UTCB_TCR(t, TCR_PAGER) = t->pager;
	return 0;
}

/* An activated thread waits for its pager's start message (X.2). */
void thread_activate(tcb_t *t)
{
	t->activated = true;
	t->space->active_threads++;
	t->cont = CONT_STARTUP;
	t->kmsg_active = true;
	t->ipc_from = t->pager;
	t->ipc_timeouts = 0;            /* never */
	t->state = TS_RECV;
	ipc_receive_phase(t);
}

void thread_destroy(tcb_t *t)
{
	space_t *s = t->space;

	ipc_cancel(t, true, true);
	ipc_detach_senders(t);
	ipc_detach_receivers(t);
	sched_dequeue(t);
	timeout_cancel(t);
	ipc_work_remove(t);
	if (t->activated)
		s->active_threads--;
	for (tcb_t **pp = &s->thread_list; *pp; pp = &(*pp)->space_next)
		if (*pp == t) {
			*pp = t->space_next;
			break;
		}
	s->threads--;
	uint32_t d = tid_number(t->id) / LEAF_ENTRIES;
	thread_dir[d][tid_number(t->id) % LEAF_ENTRIES] = NULL;
	leaf_used[d]--;
	leaf_release(d);
	if (t->utcb)
		memset((uint8_t *)t->utcb - 256, 0, UTCB_SIZE);
	if (current == t)
		current = NULL;
	arch_thread_exit(t);
	kmem_free(s, KMEM_TCB, t);
}
