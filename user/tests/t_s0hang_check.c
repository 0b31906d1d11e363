/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What main checks while and after the sigma0 attackers run
 * (t_s0hang.c): free pool pages, whether a new space or an unprivileged
 * task can still be had, that the root task, sigma0 and another task
 * still work; and the steps main takes to drive an attacker.
 */
#include "t_s0hang.h"
#include "t_sync.h"

/* ---- what main checks ---- */

static int s0h_count_pool_pages(void);

/*
 * Free pool pages.  Where TCBs come from the pool (KMEM=pool), they are
 * counted with inactive threads (a page each) in new spaces, one after
 * the other, until not even a new space can be had: a task may not take
 * the whole pool, so one space would count only its share.  Where a
 * kpager lends TCBs, threads no longer measure the pool, and the kernel
 * says what is free (KmemControl OWNED, privileged).  -1 if the count
 * fails for another reason or is too large.
 */
int s0h_free_pages(void)
{
	if (lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0) & (1UL << LENT_KMEM_TCB)) {
		if (lent_kmem_control(0, LENT_KMEM_OWNED, 0) == 0)
			return -1;
		return (int)(rt_mr(LENT_KMEM_OWN_POOL) - rt_mr(LENT_KMEM_OWN_POOL_KERNEL) -
			     rt_mr(LENT_KMEM_OWN_POOL_TASKS) - rt_mr(LENT_KMEM_OWN_BOOT_TASKS));
	}
	return s0h_count_pool_pages();
}

static int s0h_count_pool_pages(void)
{
	L4_ThreadId_t me = L4_Myself();
	L4_Word_t no = S0H_COUNT_NO, ec = 0, i;
	int spaces = 0, total = 0;

	while (spaces < S0H_COUNT_SPACES && no < S0H_COUNT_NO + S0H_COUNT_MAX) {
		L4_ThreadId_t f = L4_GlobalId(no, 1);

		if (L4_ThreadControl(f, f, me, L4_nilthread, (void *)~0UL) != 1) {
			ec = L4_ErrorCode();
			break;
		}
		spaces++;
		total++;
		for (no++; no < S0H_COUNT_NO + S0H_COUNT_MAX; no++, total++)
			if (L4_ThreadControl(L4_GlobalId(no, 1), f, me, L4_nilthread,
					     (void *)~0UL) != 1) {
				ec = L4_ErrorCode();
				break;
			}
		if (ec != L4_ErrNoMem)
			break;
		ec = 0;
		/* A sign of life on a slow host: the harness takes a long
		 * silence for a hang. */
		printf("#   counting: %d so far\n", total);
	}
	for (i = no; i-- > S0H_COUNT_NO;)
		(void)L4_ThreadControl(L4_GlobalId(i, 1), L4_nilthread, L4_nilthread,
				       L4_nilthread, (void *)~0UL);
	return ec == L4_ErrNoMem ? total : -1;
}

/* Can a new space still be had? */
int s0h_new_space_ok(void)
{
	L4_ThreadId_t t = rt_tid_alloc();
	int ok;

	if (L4_IsNilThread(t))
		return 0;
	ok = L4_ThreadControl(t, t, L4_Myself(), L4_nilthread, (void *)~0UL) == 1;
	rt_release(t);
	return ok;
}

/*
 * Can unprivileged tasks still get kernel memory?  From the pool: can a
 * new space be had.  In a KMEM=lent kernel, where their page tables come
 * from sigma0 as their kpager within its limits: can a new task with a
 * UTCB and a KIP (a page table for each) be had.
 */
int s0h_unprivileged_kmem_ok(void)
{
	L4_ThreadId_t a;

	if (!lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0))
		return s0h_new_space_ok();
	a = rt_agent_create(rt_pager());
	if (L4_IsNilThread(a))
		return 0;
	rt_release(a);
	return 1;
}

/* The root task creates a thread, sigma0 answers it (a page it has, and
 * any free page), and a new task answers an IPC round trip. */
const char *s0h_system_works(void)
{
	static volatile L4_Word_t mine;
	L4_Word_t page = (L4_Word_t)&mine & ~(RT_PAGE_SIZE - 1), w = 0x5a5a;
	L4_ThreadId_t t, echo;
	L4_Fpage_t got;
	L4_MsgTag_t tag;

	mine = 1;
	t = rt_thread_create(t_sleeper, 0);
	if (L4_IsNilThread(t))
		printf("#   root thread: error %lu\n", rt_last_error());
	CHECK(!L4_IsNilThread(t));
	CHECK(rt_release(t));
	got = L4_Sigma0_GetPage_RcvWindow(rt_sigma0(), L4_FpageLog2(page, 12),
					  L4_FpageLog2(page, 12));
	CHECK_EQ(L4_Address(got), page);
	CHECK_EQ(L4_SizeLog2(got), 12);
	got = L4_Sigma0_GetPage_RcvWindow(rt_sigma0(), L4_FpageLog2(~0UL, 12),
					  L4_FpageLog2(S0H_ROOT_WINDOW, 12));
	CHECK(!L4_IsNilFpage(got));
	*(volatile L4_Word_t *)S0H_ROOT_WINDOW = 0x600d;
	CHECK_EQ(*(volatile L4_Word_t *)S0H_ROOT_WINDOW, 0x600d);
	echo = rt_task_create(t_echo, S0H_ECHO_SLOT, rt_pager());
	if (L4_IsNilThread(echo))
		printf("#   second task: error %lu\n", rt_last_error());
	CHECK(!L4_IsNilThread(echo));
	rt_msg(0x321, 1, &w);
	tag = L4_Call(echo);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), 0x321 ^ 0xff);
	CHECK_EQ(rt_mr(1), ~w);
	CHECK(rt_release(echo));
	return 0;
}

int s0h_wait(volatile L4_Word_t *flag)
{
	t_until(flag, 1);
	return 1;
}

const char *s0h_go(L4_ThreadId_t t)
{
	L4_MsgTag_t tag;

	rt_msg(0x5047, 0, 0);
	tag = L4_Send(t);
	CHECK(L4_IpcSucceeded(tag));
	return 0;
}

/* Let thread 0 of an attacker run step 1 (its thread is ready).  It ends
 * with the kernel refusing to fill a window: the thread faults there, and
 * rt's pager leaves the fault alone. */
const char *s0h_step1_until_refused(L4_ThreadId_t a0)
{
	L4_Word_t seen = rt_pager_unhandled;

	s0h.requests[0] = s0h.refused[0] = s0h.big_log2 = s0h.done[0] = 0;
	RUN(s0h_go(a0));
	while (rt_pager_unhandled == seen && !s0h.done[0])
		rt_sleep_us(2000);
	printf("#   step 1: %lu windows filled (then %lu-bit fpages), %lu refused\n",
	       s0h.requests[0], s0h.big_log2, s0h.refused[0]);
	if (s0h.bad)
		printf("#   %lu bad answers, the first %lx\n", s0h.bad, s0h.bad_word);
	CHECK_EQ(s0h.bad, 0);
	CHECK_EQ(s0h.refused[0], 0);
	CHECK(!s0h.done[0]);
	CHECK(rt_pager_unhandled != seen);
	CHECK(rt_pager_last_unhandled >= s0h.window &&
	      rt_pager_last_unhandled < s0h.window + S0H_REGION_SIZE);
	return 0;
}
