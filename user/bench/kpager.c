/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The benchmarks' kpager: the FCFS kpager of kpager/ (fcfs.c over the
 * library's loop, docs/writing-a-kpager.md), on a thread of the root task,
 * lending pages of the root's own.  Its counters say which kernel memory
 * an operation asked for.  The benchmarks measure the kpager every task
 * would get, not a private shortcut.
 *
 * In a KMEM=pool kernel no kernel page fault is ever sent, and the
 * thread just waits.
 */
#include "bench.h"
#include "../../kpager/kpager.h"

#define KP_POOL_PAGES	128
#define KP_BLOCK_PAGES	16		/* asked of sigma0 at a time */

static struct kpager_fcfs kp_fcfs;
static L4_ThreadId_t kp_tid;

/* A block of the pool: mapped in the root, and touched so that it is. */
static L4_Word_t kp_block(void)
{
	L4_Word_t block = rt_get_pages(KP_BLOCK_PAGES);

	for (L4_Word_t i = 0; block && i < KP_BLOCK_PAGES; i++)
		((volatile L4_Word_t *)(block + i * RT_PAGE_SIZE))[0] = 0;
	return block;
}

/* Start the kpager thread (once; it survives rt_cleanup()).  Its pool
 * comes from sigma0 in blocks of 64 KB: a KMEM=lent kernel today fails
 * sigma0's map of a block of 256 KB or more to the root (the root's
 * receive is aborted). */
L4_ThreadId_t bench_kpager(void)
{
	L4_Word_t block;

	if (!L4_IsNilThread(kp_tid))
		return kp_tid;
	for (L4_Word_t i = 0; i < KP_POOL_PAGES / KP_BLOCK_PAGES; i++) {
		block = kp_block();
		if (!block) {
			rt_set_last_error(L4_ErrNoMem);
			return L4_nilthread;
		}
		if (i == 0) {
			kp_tid = fcfs_start(&kp_fcfs, block, KP_BLOCK_PAGES);
			if (L4_IsNilThread(kp_tid))
				return kp_tid;
			rt_persist(kp_tid);
		} else if (kpager_pool_add(&kp_fcfs.kp.pool, block, KP_BLOCK_PAGES) < 0) {
			rt_set_last_error(L4_ErrNoMem);
			return L4_nilthread;
		}
	}
	return kp_tid;
}

/* Lend n frames ahead to each task it serves (0: never). */
void bench_kpager_ahead(L4_Word_t n)
{
	fcfs_set_ahead(&kp_fcfs, n);
}

/* The pages of each kind lent so far, and the faults that asked. */
void bench_kpager_faults(L4_Word_t out[LENT_KMEM_KINDS + 1])
{
	for (unsigned k = 0; k < LENT_KMEM_KINDS; k++)
		out[k] = kp_fcfs.kp.kinds[k];
	out[LENT_KMEM_KINDS] = kp_fcfs.kp.faults;
}

/*
 * A new task whose kpager is the benchmarks' kpager, asked for up to
 * `pages` pages per kernel page fault, and whose pager is the caller,
 * with its first thread started at fn(arg): rt's usual steps
 * (rt_task_prepare), then SET_KPAGER before the first thread runs, so
 * that every page its running asks for comes from ours.
 */
L4_ThreadId_t bench_task_create(rt_entry_t fn, L4_Word_t arg, L4_Word_t pages)
{
	L4_ThreadId_t tid, kp = bench_kpager();
	L4_Word_t ip, sp;

	if (L4_IsNilThread(kp))
		return L4_nilthread;
	tid = rt_task_prepare(fn, arg, L4_Myself(), &ip, &sp);
	if (L4_IsNilThread(tid))
		return tid;
	if (lent_kmem_control(tid.raw, LENT_KMEM_SET_KPAGER, kp.raw) != 1 ||
	    lent_kmem_control(tid.raw, LENT_KMEM_SET_KPF_PAGES, pages) != 1) {
		rt_set_last_error(L4_ErrorCode());
		rt_release(tid);
		return L4_nilthread;
	}
	if (!rt_start_message(tid, ip, sp)) {
		rt_release(tid);
		return L4_nilthread;
	}
	return tid;
}

const char *bench_kind_name(unsigned kind)
{
	static const char *const names[LENT_KMEM_KINDS] = {
		[LENT_KMEM_TASK] = "task", [LENT_KMEM_PDIR] = "pdir", [LENT_KMEM_PT] = "pt",
		[LENT_KMEM_NT] = "nt", [LENT_KMEM_MAP] = "map", [LENT_KMEM_TCB] = "tcb",
		[LENT_KMEM_UTCB] = "utcb",
	};

	return kind < LENT_KMEM_KINDS ? names[kind] : "?";
}
