/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel memory seen from system calls: the gather step a system call
 * takes before it acts, and KmemControl, Lent's extension call that sets
 * a task's kpager and reads its kernel-memory counts and the kernel's
 * own (docs/kpager-protocol.md).
 */
#include <kernel/syscall.h>
#include <kernel/thread.h>
#include <kernel/space.h>
#include <kernel/kpf.h>
#include <kernel/frame.h>
#include <kernel/mapdb.h>
#include <kernel/kmem_owned.h>
#include <kernel/kmem_sigma0.h>
#include <kernel/selfcheck.h>
#include <kernel/irq.h>
#include <kernel/tcb_away.h>
#include <kernel/kmem_ahead.h>
#include <kernel/ipc.h>
#include <arch/arch.h>

/* A page is missing: ask the kpager for it, unless it refused last time. */
static enum sys_gather ask(tcb_t *t, const kmem_need_t *need, tid_t named)
{
	/* The kpager lent nothing last time: the call fails, once. */
	if (kpf_take_refusal(t) || !kpf_can_raise(t, need))
		return GATHER_NO_MEMORY;
	/* The call runs again from the start once the page is lent. */
	(void)arch_trap_rewind(t);
	kpf_raise(t, need, named, CONT_KPF);
	return GATHER_FAULTED;
}

enum sys_gather sys_gather_page(tcb_t *t, space_t *s, enum kmem_kind kind, uint32_t cid,
				tid_t named)
{
	kmem_need_t need;

	if (kpf_have(s, kind, cid, &need))
		return GATHER_OK;
	return ask(t, &need, named);
}

enum sys_gather sys_gather_record(tcb_t *t, const tcb_core_t *c)
{
	kmem_need_t need = { .task = c->unhoused.task, .kpager = c->unhoused.kpager,
			     .kind = KMEM_TASK, .cid = LENT_CID_TASK };

	if (kmem_record_lent(c->unhoused.task))
		return GATHER_OK;
	return ask(t, &need, c->id);
}

/* ---- KmemControl ---- */

/* May t read task s's counts: the task itself, its kpager, or a
 * privileged task. */
static bool may_read(const tcb_t *t, const space_t *s)
{
	if (t->space == s || t->space->privileged)
		return true;
	tcb_t *kp = thread_lookup(s->kpager);
	return kp && kp->space == t->space;
}

static word_t stats(tcb_t *t, space_t *s)
{
	word_t total = 0;

	if (!may_read(t, s))
		return sys_fail(t, ERR_NO_PRIVILEGE);
	for (unsigned k = 0; k < LENT_KMEM_KINDS; k++) {
		t->utcb[1 + k] = s->kmem.pages[k];
		total += s->kmem.pages[k];
	}
	t->utcb[LENT_KMEM_STAT_RESIDENT] = s->threads * TCB_RESIDENT_BYTES;
	t->utcb[LENT_KMEM_STAT_THREADS] = s->threads;
	t->utcb[LENT_KMEM_STAT_PRIVILEGED] = s->privileged;
	t->utcb[LENT_KMEM_STAT_MAPPED] = space_mapped_pages(s);
	t->utcb[LENT_KMEM_STAT_STORE] = s->sigma0 ? kmem_sigma0_free() : 0;
	t->utcb[LENT_KMEM_STAT_AHEAD] = s->ahead;
	t->utcb[LENT_KMEM_STAT_IMPORTS_REFUSED] = s->imports_refused;
	t->utcb[LENT_KMEM_STAT_IMPORTS_TAKEN] = s->imports_taken;
	t->utcb[LENT_KMEM_STAT_LENT] = s->kmem.lent;
	return total;
}

/* A task's kpager into *field: the space's, or that of a task not made
 * yet (its first thread's resident part).  Privileged tasks only;
 * sigma0 takes its kernel memory from its own frames: no kpager. */
static word_t set_kpager(tcb_t *t, bool sigma0, tid_t *field, tid_t kpager)
{
	if (!t->space->privileged)
		return sys_fail(t, ERR_NO_PRIVILEGE);
	if (sigma0)
		return sys_fail(t, ERR_INVALID_SPACE);
	if (!thread_lookup(kpager))
		return sys_fail(t, ERR_INVALID_THREAD);
	*field = kpager;
	return 1;
}

/* How many pages one kernel page fault of a task may name, into *field
 * as set_kpager: what its kpager says it takes (docs/kpager-protocol.md). */
static word_t set_kpf_pages(tcb_t *t, bool sigma0, uint8_t *field, word_t pages)
{
	if (!t->space->privileged)
		return sys_fail(t, ERR_NO_PRIVILEGE);
	if (sigma0)
		return sys_fail(t, ERR_INVALID_SPACE);
	if (pages < 1 || pages > LENT_KPF_MAX_PAGES)
		return sys_fail(t, ERR_INVALID_PARAM);
	*field = (uint8_t)pages;
	return 1;
}

/* How long s's threads wait for a kpager (space.kpf_wait): never, or a
 * period; a point in time would end every later wait at once. */
static word_t set_kpf_wait(tcb_t *t, space_t *s, word_t arg)
{
	timeout_t to = (timeout_t)arg;

	if (t->space != s && !t->space->privileged)
		return sys_fail(t, ERR_NO_PRIVILEGE);
	if (arg > 0xFFFFu || timeout_is_point(to))
		return sys_fail(t, ERR_INVALID_PARAM);
	s->kpf_wait = to;
	return 1;
}

/* Is the frame mapped at va in s lent to the kernel? */
static bool lent_at(space_t *s, uint32_t va)
{
	mapnode_t *n = mapdb_lookup(s, va);

	return n && frame_is_lent(mapnode_phys(n));
}

/* The thread a KmemControl names: by local ID, by global ID even while
 * ThreadControl still gathers its body (its kpager is asked for that
 * page and may want to know the task's counts), or the caller. */
static tcb_core_t *named_thread(tcb_t *t, tid_t task)
{
	if (tid_is_nil(task))
		return t->core;
	if (tid_is_local(task)) {
		tcb_t *l = thread_lookup_local(t->space, task);
		return l ? l->core : NULL;
	}
	return thread_core_lookup(task);
}

/*
 * The kernel-owned memory by category.  These are global figures: the
 * use of the pool moves with what every task does, so a task that could
 * read them would learn about tasks it has no dealings with.  Only a
 * privileged task may.  The call names no task and takes no argument;
 * both must be zero, so that they stay free for later use.
 */
static word_t owned(tcb_t *t, tid_t task, word_t arg)
{
	kmem_owned_t o;

	if (!t->space->privileged)
		return sys_fail(t, ERR_NO_PRIVILEGE);
	if (!tid_is_nil(task) || arg != 0)
		return sys_fail(t, ERR_INVALID_PARAM);
	kmem_owned(&o);
	t->utcb[LENT_KMEM_OWN_IMAGE] = o.image;
	t->utcb[LENT_KMEM_OWN_FRAME_TABLE] = o.frame_table;
	t->utcb[LENT_KMEM_OWN_SIGMA0_RESERVE] = o.sigma0_reserve;
	t->utcb[LENT_KMEM_OWN_POOL] = o.pool;
	t->utcb[LENT_KMEM_OWN_RESIDENT] = o.resident;
	t->utcb[LENT_KMEM_OWN_POOL_KERNEL] = o.pool_kernel;
	t->utcb[LENT_KMEM_OWN_POOL_TASKS] = o.pool_tasks;
	t->utcb[LENT_KMEM_OWN_RESIDENT_PARTS] = o.resident_parts;
	t->utcb[LENT_KMEM_OWN_LENT] = o.lent;
	t->utcb[LENT_KMEM_OWN_LEAVES] = o.leaves;
	t->utcb[LENT_KMEM_OWN_BOOT_TASKS] = o.boot_tasks;
	t->utcb[LENT_KMEM_OWN_SIGMA0_STORE] = o.sigma0_store;
	t->utcb[LENT_KMEM_OWN_SIGMA0_STORE_USED] = o.sigma0_store_used;
	return o.total;
}

/*
 * KmemControl about the first thread of a task not made yet: its record
 * is being gathered (kernel/thread.h, unhoused), and its kpager may ask
 * for the task's counts before lending it.  Nothing is charged to the
 * task but its record, once lent; its kpager and pages per fault are
 * kept in the thread's resident part until the task is made.
 */
static word_t unhoused_control(tcb_t *t, tcb_core_t *c, word_t op, word_t arg)
{
	tcb_t *kp = thread_lookup(c->unhoused.kpager);
	bool readable = t->space->privileged || (kp && kp->space == t->space);

	switch (op) {
	case LENT_KMEM_STATS:
		if (!readable)
			return sys_fail(t, ERR_NO_PRIVILEGE);
		for (unsigned k = 0; k < LENT_KMEM_STATS_WORDS; k++)
			t->utcb[1 + k] = 0;
		t->utcb[1 + LENT_KMEM_TASK] = kmem_record_lent(c->unhoused.task) != NULL;
		t->utcb[LENT_KMEM_STAT_RESIDENT] = TCB_RESIDENT_BYTES;
		t->utcb[LENT_KMEM_STAT_THREADS] = 1;
		return t->utcb[1 + LENT_KMEM_TASK];
	case LENT_KMEM_GET_KPAGER:
		return readable ? c->unhoused.kpager : sys_fail(t, ERR_NO_PRIVILEGE);
	case LENT_KMEM_TASK_ID:
		return readable ? c->unhoused.task : sys_fail(t, ERR_NO_PRIVILEGE);
	case LENT_KMEM_SET_KPAGER:
		return set_kpager(t, false, &c->unhoused.kpager, arg);
	case LENT_KMEM_SET_KPF_PAGES:
		return set_kpf_pages(t, false, &c->unhoused.kpf_pages, arg);
	case LENT_KMEM_LENT_KINDS:
		/* Only the lent build makes tasks this way: every kind. */
		return (1u << LENT_KMEM_KINDS) - 1;
	default:
		return sys_fail(t, ERR_INVALID_PARAM);
	}
}

/* Every kernel structure checked (kernel/selfcheck_walk.c), then every
 * thread's kernel state (kernel/selfcheck.c), whose walk follows the
 * pointers the first has found sound.  Walks of everything, with no
 * preemption point: privileged tasks only. */
static word_t self_check(tcb_t *t, tid_t task, word_t arg)
{
	tid_t first;
	uint32_t rule, where = 0, owner = 0;

	if (!t->space->privileged)
		return sys_fail(t, ERR_NO_PRIVILEGE);
	if (!tid_is_nil(task) || arg != 0)
		return sys_fail(t, ERR_INVALID_PARAM);
	uint32_t bad = selfcheck_structures(&first, &rule, &where, &owner);
	if (!bad)
		bad = selfcheck_threads(&first, &rule);
	t->utcb[1] = first;
	t->utcb[2] = rule;
	t->utcb[3] = where;
	t->utcb[4] = owner;
	return bad;
}

/*
 * sigma0 gives the page at arg (its idempotent mapping: a physical
 * address) to its own kernel-memory store (kernel/kmem_sigma0.c).  The
 * page is validated exactly as a kpager's answer is; a refused one fails
 * with ErrorCode 5 and the refusal (enum lent_kpf_refusal) in MR1, and
 * nothing changes.  EAX: the free pages of the store after the gift.
 */
static word_t sigma0_give(tcb_t *t, tid_t task, word_t arg)
{
	mapnode_t *node;

	if (!t->space->sigma0)
		return sys_fail(t, ERR_NO_PRIVILEGE);
	if (!tid_is_nil(task))
		return sys_fail(t, ERR_INVALID_PARAM);
	uint32_t why = kmem_sigma0_check(t->space, arg & PAGE_MASK, &node);
	if (why) {
		t->utcb[1] = why;
		return sys_fail(t, ERR_INVALID_PARAM);
	}
	kmem_sigma0_give(t->space, node);
	return kmem_sigma0_free();
}

/* Which path IPCs took: a test tells so that a run with ipcfast=off
 * took the general path only.  A global figure: privileged tasks only. */
static word_t ipc_fast(tcb_t *t, tid_t task, word_t arg)
{
	if (!t->space->privileged)
		return sys_fail(t, ERR_NO_PRIVILEGE);
	if (!tid_is_nil(task) || arg != 0)
		return sys_fail(t, ERR_INVALID_PARAM);
	t->utcb[1] = !ipc_fast_off;
	return ipc_fast_taken;
}

word_t sys_kmem_control(tcb_t *t, tid_t task, word_t op, word_t arg)
{
	/* The operations about no task: before the task is looked up. */
	if (op == LENT_KMEM_OWNED)
		return owned(t, task, arg);
	if (op == LENT_KMEM_SELF_CHECK)
		return self_check(t, task, arg);
	if (op == LENT_KMEM_SIGMA0_GIVE)
		return sigma0_give(t, task, arg);
	if (op == LENT_KMEM_IPC_FAST)
		return ipc_fast(t, task, arg);
	tcb_core_t *named_core = named_thread(t, task);

	if (!named_core)
		return sys_fail(t, ERR_INVALID_THREAD);
	tcb_t *named = named_core->tcb;   /* NULL: no body yet */
	space_t *s = named_core->space;   /* NULL: the task is not made yet */
	switch (op) {
	case LENT_KMEM_LENT:
		/* A kpager learns so which of its pages came back. */
		return lent_at(t->space, arg & PAGE_MASK);
	case LENT_KMEM_LENT_MASK: {
		word_t mask = 0, base = arg & ~(32u * PAGE_SIZE - 1);
		for (unsigned i = 0; i < 32; i++)
			if (lent_at(t->space, base + i * PAGE_SIZE))
				mask |= 1u << i;
		return mask;
	}
	case LENT_KMEM_PENDING: {
		tcb_t *kp = named ? thread_lookup(named->cont.ipc_from) : NULL;
		return kp && kmsg_active(named) && kpf_waiting(named) && kp->space == t->space;
	}
	}
	if (!s)
		return unhoused_control(t, named_core, op, arg);
	switch (op) {
	case LENT_KMEM_STATS:
		return stats(t, s);
	case LENT_KMEM_GET_KPAGER:
		return may_read(t, s) ? s->kpager : sys_fail(t, ERR_NO_PRIVILEGE);
	case LENT_KMEM_TASK_ID:
		return may_read(t, s) ? s->id : sys_fail(t, ERR_NO_PRIVILEGE);
	case LENT_KMEM_SET_KPAGER: {
		/* Threads away that must run ask the new kpager at once. */
		word_t r = set_kpager(t, s->sigma0, &s->kpager, arg);
		if (r)
			tcb_away_kpager_set(s);
		return r;
	}
	case LENT_KMEM_LENT_KINDS: {
		word_t mask = 0;
		for (unsigned k = 0; k < LENT_KMEM_KINDS; k++)
			if (kmem_kind_is_lent(s, (enum kmem_kind)k))
				mask |= 1u << k;
		return mask;
	}
	case LENT_KMEM_SET_KPF_PAGES:
		return set_kpf_pages(t, s->sigma0, &s->kpf_pages, arg);
	case LENT_KMEM_SET_CHILD_KPAGER:
		/* Nil: back to its own (the tasks it makes inherit that). */
		if (tid_is_nil(arg) && t->space->privileged) {
			s->child_kpager = TID_NIL;
			return 1;
		}
		return set_kpager(t, false, &s->child_kpager, arg);
	case LENT_KMEM_SET_KPF_WAIT:
		return set_kpf_wait(t, s, arg);
	case LENT_KMEM_LEND_AHEAD:
		return kmem_ahead_lend(t, s, arg);
	case LENT_KMEM_WHERE:
		return may_read(t, s) ? kmem_ahead_where(t, s, arg) : sys_fail(t, ERR_NO_PRIVILEGE);
	default:
		return sys_fail(t, ERR_INVALID_PARAM);
	}
}
