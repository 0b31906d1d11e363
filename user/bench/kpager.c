/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The benchmarks' own kpager (docs/kpager-protocol.md): one thread of the
 * root task that lends pages of a pool of its own first come, first
 * served, and refuses once the pool is spent.  It counts the kernel page
 * faults it answers by kind, so that a benchmark can say which kernel
 * memory its operation asked for.  It is deliberately as small as a
 * kpager can be: the figures then show what the kernel page fault costs,
 * not what a policy costs.
 *
 * In a KMEM=pool kernel no kernel page fault is ever sent, and the
 * thread just waits.
 */
#include "bench.h"

#define KP_POOL_PAGES	128
#define KP_BLOCK_PAGES	16		/* asked of sigma0 at a time */

static L4_ThreadId_t kp_tid;
static L4_Word_t kp_page[KP_POOL_PAGES];	/* pages of the root's */
static volatile L4_Word_t kp_next;		/* pages lent so far */
static volatile L4_Word_t kp_faults[LENT_KMEM_KINDS];

static void kp_loop(L4_Word_t arg)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;
	L4_Msg_t msg;

	(void)arg;
	for (;;) {
		tag = L4_Wait(&from);
		while (L4_IpcSucceeded(tag) && L4_Label(tag) == LENT_LABEL_KPF &&
		       L4_UntypedWords(tag) == 3 && L4_TypedWords(tag) == 0) {
			L4_Word_t kind = rt_mr(2);

			if (kind < LENT_KMEM_KINDS)
				kp_faults[kind]++;
			L4_MsgClear(&msg);
			if (kp_next < KP_POOL_PAGES) {
				L4_Word_t page = kp_page[kp_next++];
				L4_Fpage_t fp = L4_FpageAddRights(L4_FpageLog2(page, 12),
								  L4_FullyAccessible);

				L4_MsgAppendMapItem(&msg, L4_MapItem(fp, page));
			}
			L4_MsgLoad(&msg);
			/* Answer and wait for the next fault in one call, as a
			 * pager does. */
			tag = L4_ReplyWait(from, &from);
		}
	}
}

/* Start the kpager thread (once; it survives rt_cleanup()).  Its pool
 * is mapped in the root and touched first, so that lending a page costs
 * the kpager no page fault of its own.  It comes from sigma0 in blocks of
 * 64 KB: a KMEM=lent kernel today fails sigma0's map of a block of
 * 256 KB or more to the root (the root's receive is aborted). */
L4_ThreadId_t bench_kpager(void)
{
	if (!L4_IsNilThread(kp_tid))
		return kp_tid;
	for (L4_Word_t i = 0; i < KP_POOL_PAGES; i++) {
		if (i % KP_BLOCK_PAGES == 0) {
			L4_Word_t block = rt_get_pages(KP_BLOCK_PAGES);

			if (!block) {
				rt_set_last_error(L4_ErrNoMem);
				return L4_nilthread;
			}
			kp_page[i] = block;
		} else {
			kp_page[i] = kp_page[i - 1] + RT_PAGE_SIZE;
		}
		((volatile L4_Word_t *)kp_page[i])[0] = 0;
	}
	kp_tid = rt_thread_create(kp_loop, 0);
	if (!L4_IsNilThread(kp_tid))
		rt_persist(kp_tid);
	return kp_tid;
}

/* The faults of each kind answered so far. */
void bench_kpager_faults(L4_Word_t out[LENT_KMEM_KINDS])
{
	for (unsigned k = 0; k < LENT_KMEM_KINDS; k++)
		out[k] = kp_faults[k];
}

/*
 * A new task whose kpager is the benchmarks' kpager from the start and
 * whose pager is the caller, with its first thread started at fn(arg).
 * The same steps as rt_task_create, with SET_KPAGER right after the
 * space exists, so that every page the task's kernel memory needs from a
 * kpager (SpaceControl's, ThreadControl's, its faults') comes from ours.
 */
L4_ThreadId_t bench_task_create(rt_entry_t fn, L4_Word_t arg)
{
	L4_ThreadId_t tid = rt_tid_alloc(), kp = bench_kpager();
	L4_Word_t control;
	void *stack;

	if (L4_IsNilThread(tid) || L4_IsNilThread(kp))
		return L4_nilthread;
	stack = rt_stack_alloc();
	rt_tid_attach(tid, stack, 0);
	if (!stack) {
		rt_set_last_error(L4_ErrNoMem);
		goto fail;
	}
	if (L4_ThreadControl(tid, tid, L4_Myself(), L4_nilthread, (void *)~0UL) != 1)
		goto fail_err;
	if (lent_kmem_control(tid.raw, LENT_KMEM_SET_KPAGER, kp.raw) != 1)
		goto fail_err;
	if (L4_SpaceControl(tid, 0, L4_FpageLog2(RT_KIP_AREA_BASE, RT_KIP_AREA_LOG2),
			    L4_FpageLog2(RT_UTCB_AREA_BASE, RT_UTCB_AREA_LOG2),
			    L4_nilthread, &control) != 1)
		goto fail_err;
	if (L4_ThreadControl(tid, tid, L4_nilthread, L4_Myself(),
			     (void *)RT_UTCB_AREA_BASE) != 1)
		goto fail_err;
	(void)L4_Set_Priority(tid, RT_PRIORITY);
	if (!rt_start_message(tid, (L4_Word_t)fn, rt_stack_frame(stack, arg)))
		goto fail;
	return tid;

fail_err:
	rt_set_last_error(L4_ErrorCode());
fail:
	rt_release(tid);
	return L4_nilthread;
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
