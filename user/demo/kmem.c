/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Step 5: a task's kernel memory, kind by kind.  A kpager thread of the
 * root (kpager/, first come first served from 12 pages) is made the
 * kpager of two tasks.  Each kernel page fault it serves is printed
 * (kind, content identifier, the page lent), and after each step the
 * task's counts as KmemControl STATS gives them.  In a KMEM=pool kernel
 * the same steps take every page from the kernel's pool and the kpager
 * hears nothing.
 */
#include "demo.h"
#include "../../kpager/kpager.h"

#define KM_POOL		12
#define KM_UTCBS	0x20000000UL    /* a UTCB area over two 4 MB regions */
#define KM_WINDOW	0x40000000UL    /* a 4 MB region the agent never used */
#define KM_VALUE	0x6b6d656dUL

static struct kpager kp;

static const char *const kind_name[LENT_KMEM_KINDS] = {
	[LENT_KMEM_TASK] = "task record",  [LENT_KMEM_PDIR] = "page directory",
	[LENT_KMEM_PT] = "page table",     [LENT_KMEM_NT] = "node table",
	[LENT_KMEM_MAP] = "mapping nodes", [LENT_KMEM_TCB] = "TCB",
	[LENT_KMEM_UTCB] = "UTCB",
};

/* FCFS, and say so: runs on the kpager's thread while main waits. */
static L4_Word_t km_policy(struct kpager *k, L4_ThreadId_t client, L4_Word_t cid, unsigned kind)
{
	L4_Word_t page = kpager_pool_take(k, client.raw);

	printf("demo:       kernel page fault: %s, CID %08lx, task " TID_FMT " -> %s %08lx\n",
	       kind < LENT_KMEM_KINDS ? kind_name[kind] : "?", cid, TID_ARGS(client),
	       page ? "lend page" : "no memory", page);
	return page;
}

static L4_Word_t km_counts(const char *what, L4_ThreadId_t task)
{
	L4_Word_t total = lent_kmem_control(task.raw, LENT_KMEM_STATS, 0), n[LENT_KMEM_STATS_WORDS];

	L4_StoreMRs(1, LENT_KMEM_STATS_WORDS, n);
	printf("demo:     %s: task " TID_FMT " holds task %lu, pdir %lu, PT %lu, NT %lu, map %lu, "
	       "TCB %lu, UTCB %lu = %lu kernel pages; threads %lu, resident %lu bytes\n",
	       what, TID_ARGS(task), n[LENT_KMEM_TASK], n[LENT_KMEM_PDIR], n[LENT_KMEM_PT],
	       n[LENT_KMEM_NT], n[LENT_KMEM_MAP], n[LENT_KMEM_TCB], n[LENT_KMEM_UTCB], total,
	       n[LENT_KMEM_KINDS + 1], n[LENT_KMEM_KINDS]);
	return total;
}

/* One line for tools/kmem_report.py, which prints the paper's Fig. 2
 * table from them (make run does). */
static void km_report_line(const char *name, L4_ThreadId_t task)
{
	L4_Word_t n[LENT_KMEM_STATS_WORDS + 1];

	if (!lent_kmem_control(task.raw, LENT_KMEM_STATS, 0))
		return;
	L4_StoreMRs(1, LENT_KMEM_STATS_WORDS, n + 1);
	printf("kmem-task %s id=%lx threads=%lu resident=%lu task=%lu pdir=%lu pt=%lu nt=%lu "
	       "map=%lu tcb=%lu utcb=%lu tcb-bytes=%lu\n", name, task.raw,
	       n[LENT_KMEM_STAT_THREADS], n[LENT_KMEM_STAT_MAPPED], n[1 + LENT_KMEM_TASK],
	       n[1 + LENT_KMEM_PDIR], n[1 + LENT_KMEM_PT], n[1 + LENT_KMEM_NT],
	       n[1 + LENT_KMEM_MAP], n[1 + LENT_KMEM_TCB], n[1 + LENT_KMEM_UTCB],
	       n[LENT_KMEM_STAT_RESIDENT]);
}

/* A task made by hand: SpaceControl needs its page directory and a page
 * table for the KIP, a thread whose UTCB lies in a new 4 MB region one
 * more page table and its UTCB page. */
static int km_task(L4_ThreadId_t t, L4_ThreadId_t u)
{
	L4_Word_t old, root_kpager = lent_kmem_control(L4_Myself().raw, LENT_KMEM_GET_KPAGER, 0);
	int made;

	/* A new task inherits its creator's kpager, and its record is the
	 * first page it needs.  So that the record's fault reaches the
	 * demo's kpager too, main's task has that kpager while it makes the
	 * task, and only then (nothing else of main's may need a page). */
	printf("demo:     ThreadControl: a new task, its record and its first thread's TCB page\n");
	if (!root_kpager ||
	    lent_kmem_control(L4_Myself().raw, LENT_KMEM_SET_KPAGER, kp.thread.raw) != 1)
		return 0;
	made = L4_ThreadControl(t, t, L4_Myself(), L4_nilthread, (void *)-1) == 1;
	if (lent_kmem_control(L4_Myself().raw, LENT_KMEM_SET_KPAGER, root_kpager) != 1 || !made)
		return 0;
	km_counts("ThreadControl made a task", t);
	printf("demo:     SpaceControl: the space's page directory, a page table for the KIP\n");
	if (L4_SpaceControl(t, 0, L4_FpageLog2(RT_KIP_AREA_BASE, 12), L4_FpageLog2(KM_UTCBS, 23),
			    L4_nilthread, &old) != 1)
		return 0;
	km_counts("after SpaceControl", t);
	printf("demo:     ThreadControl: a second thread, its UTCB at %08lx "
	       "(a page table, the UTCB page)\n", KM_UTCBS);
	if (L4_ThreadControl(u, t, L4_Myself(), L4_nilthread, (void *)KM_UTCBS) != 1)
		return 0;
	km_counts("after ThreadControl", t);
	return 1;
}

/* An agent touches a page in a region it never used: its node table,
 * mapping nodes if it has no free one, and page table are lent before
 * the page fault reaches main, its pager. */
static int km_fault(L4_ThreadId_t ag, L4_Word_t value_page)
{
	L4_Word_t addr = KM_WINDOW;
	L4_ThreadId_t from;
	L4_MsgTag_t tag;
	L4_MapItem_t item = L4_MapItem(L4_FpageAddRights(L4_FpageLog2(value_page, 12),
							 L4_FullyAccessible), addr);

	km_counts("an agent task", ag);
	printf("demo:     the agent reads %08lx\n", addr);
	if (!rt_agent_post(ag, RT_AG_READ, 1, &addr))
		return 0;
	tag = rt_agent_result(ag, &from);
	if (!rt_is_pagefault(tag) || from.raw != ag.raw || rt_mr(1) != addr)
		return 0;
	printf("demo:     page fault at %08lx reaches main -> map a page of main's\n", addr);
	L4_LoadMR(0, (L4_MsgTag_t){ .X.t = 2 }.raw);
	L4_LoadMRs(1, 2, item.raw);
	if (L4_IpcFailed(L4_Send_Timeout(ag, rt_us(1000000))))
		return 0;
	tag = rt_agent_result(ag, 0);
	if (L4_Label(tag) != RT_AG_RESULT || rt_mr(1) != KM_VALUE)
		return 0;
	printf("demo:     the agent read %08lx\n", KM_VALUE);
	km_counts("after the page fault", ag);
	return 1;
}

int demo_kmem(void)
{
	L4_Word_t lent = lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0);
	L4_Word_t pool = rt_get_pages(KM_POOL), value_page = rt_get_pages(1);
	L4_ThreadId_t t = rt_tid_alloc(), u = rt_tid_alloc(), ag;
	int ok;

	if (!pool || !value_page)
		return 0;
	((volatile L4_Word_t *)value_page)[0] = KM_VALUE;
	if (!lent) {
		printf("demo:     this kernel (KMEM=pool) lends every kind from its own pool:\n"
		       "demo:     no kernel page fault is sent, the kpager below hears nothing\n");
	} else {
		const char *sep = "";

		printf("demo:     this kernel (KMEM=lent) asks the task's kpager for every page of");
		for (unsigned k = 0; k < LENT_KMEM_KINDS; k++)
			if (lent & (1UL << k)) {
				printf("%s %s", sep, kind_name[k]);
				sep = ",";
			}
		printf("\n");
	}
	kpager_init(&kp, km_policy, 0);
	if (kpager_pool_add(&kp.pool, pool, KM_POOL) < 0 || L4_IsNilThread(kpager_start(&kp)))
		return 0;
	printf("demo:     kpager " TID_FMT ": first come, first served, from %u pages at %08lx\n",
	       TID_ARGS(kp.thread), KM_POOL, pool);
	ok = km_task(t, u);
	ag = rt_agent_create(L4_Myself());
	ok = ok && !L4_IsNilThread(ag) &&
	     lent_kmem_control(ag.raw, LENT_KMEM_SET_KPAGER, kp.thread.raw) == 1 &&
	     km_fault(ag, value_page);
	/* The tasks as the paper's Fig. 2 shows them. */
	km_report_line("sigma0", rt_sigma0());
	km_report_line("root", L4_Myself());
	km_report_line("demo-task", t);
	if (!L4_IsNilThread(ag))
		km_report_line("demo-agent", ag);
	(void)L4_ThreadControl(u, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
	(void)L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
	if (!L4_IsNilThread(ag))
		rt_release(ag);
	/* No fault is in flight now: main may look for the pages itself. */
	L4_Word_t back = kpager_reclaim(&kp);
	printf("demo:     the kpager served %lu faults; both tasks deleted, %lu pages came back\n",
	       kp.served, back);
	if (lent)
		return ok && kp.served >= 4 && back == kp.served && kp.no_memory == 0;
	return ok && kp.faults == 0;
}
