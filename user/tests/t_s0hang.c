/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One unprivileged task attacks the machine through sigma0 alone (issue
 * 5, part 2), in three steps:
 *   1. it asks for a page (then a larger fpage) of its own again and
 *      again, each time into a fresh receive window, so that the kernel
 *      builds page tables, node tables and mapping nodes in the task;
 *   2. it asks for one page in every 4 MB of the physical address space,
 *      so that sigma0 would need root mappings all over it;
 *   3. it asks for every other page of conventional memory, so that
 *      sigma0's region table grows (into pages it never touched) until
 *      it is full (at 512 MB; at 16 MB the memory ends first).
 * Every refusal must be clean: the kernel stops mapping into the task
 * (step 1 ends there, with a fault at the fresh window, left to the
 * task's pager), sigma0 answers with a nil fpage.  Afterwards the root
 * task still creates threads, sigma0 still answers it, another task's IPC
 * round trip works, and once the attacker is deleted every kernel page is
 * back.  A second test lets several attackers together drain the pool:
 * the privileged reserve is still there for the root task.
 *
 * The attacker's two threads run the root image's code (rt's pager maps
 * it); they touch the whole image first, so that no fault of theirs on it
 * is left for the time their task can get no more kernel memory.
 */
#include "t_s0hang.h"

static const char *t_s0hang_unprivileged_task_cannot_stop_machine(void)
{
	L4_ThreadId_t a0, a1;
	L4_Word_t ip, sp;
	int before, after;

	t_touch_image();
	RUN(s0h_system_works());
	(void)s0h_free_pages();
	before = s0h_free_pages();
	CHECK(before > 0);
	s0h.ready[0] = s0h.ready[1] = s0h.done[0] = s0h.done[1] = s0h.step2_done = 0;

	/* The attacker: two threads in one new task, paged by rt's pager. */
	a0 = rt_task_create(s0h_attacker, 0, rt_pager());
	CHECK(!L4_IsNilThread(a0));
	a1 = rt_task_thread_prepare(a0, RT_UTCB_AREA_BASE + RT_UTCB_SIZE, s0h_attacker, 1,
				    rt_pager(), &ip, &sp);
	CHECK(!L4_IsNilThread(a1));
	CHECK(rt_pager_start_thread(a1, ip, sp));
	CHECK(s0h_wait(&s0h.ready[0]) && s0h_wait(&s0h.ready[1]));

	RUN(s0h_step1_until_refused(a0));
	/* The task took its share, not the pool. */
	CHECK(s0h_new_space_ok());

	/* Step 2: sigma0 answers every request, page or nil; the attacker
	 * gets no device memory; the root still gets what it asks for. */
	RUN(s0h_go(a1));
	CHECK(s0h_wait(&s0h.step2_done));
	printf("#   step 2: %lu requests, %lu granted, %lu refused, %lu outside RAM\n",
	       s0h.requests[1], s0h.granted[1], s0h.refused[1], s0h.device);
	CHECK_EQ(s0h.bad, 0);
	CHECK_EQ(s0h.device, 0);
	RUN(s0h_system_works());

	/* Step 3: sigma0's table fills (or the memory ends); sigma0 goes on
	 * answering everybody. */
	s0h.requests[1] = s0h.granted[1] = s0h.refused[1] = s0h.nokmem[1] = 0;
	RUN(s0h_go(a1));
	CHECK(s0h_wait(&s0h.done[1]));
	printf("#   step 3: %lu requests, %lu granted, %lu not mapped (no kernel memory), "
	       "%lu refused (from %lx on)\n", s0h.requests[1], s0h.granted[1], s0h.nokmem[1],
	       s0h.refused[1], s0h.full_at);
	CHECK_EQ(s0h.bad, 0);
	/* Given by sigma0, whether or not the attacker had the kernel memory
	 * left to map it (step 1 used it up). */
	CHECK(s0h.granted[1] + s0h.nokmem[1] > 0);
	RUN(s0h_system_works());

	/* Deleting the attacker gives every kernel page back. */
	CHECK(rt_release(a1));
	CHECK(rt_release(a0));
	after = s0h_free_pages();
	printf("#   %d pages free before, %d after\n", before, after);
	CHECK_EQ(after, before);
	return 0;
}

/*
 * Unprivileged tasks together can empty the pool down to the privileged
 * reserve (each one only its share): attackers run step 1 one after the
 * other until not even a new space can be had.  The root task then still
 * creates a thread under a number no thread used before (a TCB, and a new
 * leaf of the thread table, the kernel's own memory), and gets a page
 * from sigma0 mapped; when the attackers are gone, every page is back.
 */
#define S0H_ATTACKERS		4
#define S0H_FRESH_NO		200007		/* leaf 195 of the thread table */
#define S0H_ROOT_SPARE		0x7b000000UL	/* the root's window for this test */

/* The root gets any page from sigma0 at S0H_ROOT_SPARE, uses it, and
 * unmaps it (the page table and node table of the region stay). */
static const char *s0h_root_gets_page(void)
{
	L4_Fpage_t got = L4_Sigma0_GetPage_RcvWindow(rt_sigma0(), L4_FpageLog2(~0UL, 12),
						     L4_FpageLog2(S0H_ROOT_SPARE, 12));

	CHECK(!L4_IsNilFpage(got));
	*(volatile L4_Word_t *)S0H_ROOT_SPARE = 0xf4e5;
	CHECK_EQ(*(volatile L4_Word_t *)S0H_ROOT_SPARE, 0xf4e5);
	(void)L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(S0H_ROOT_SPARE, 12),
					      L4_FullyAccessible));
	return 0;
}

static const char *t_s0hang_reserve_outlasts_unprivileged_tasks(void)
{
	L4_ThreadId_t a[S0H_ATTACKERS], fresh = L4_GlobalId(S0H_FRESH_NO, 1);
	int before, after, k, n = 0;

	t_touch_image();
	RUN(s0h_system_works());
	RUN(s0h_root_gets_page());
	(void)s0h_free_pages();
	before = s0h_free_pages();
	CHECK(before > 0);
	for (k = 0; k < S0H_ATTACKERS && s0h_unprivileged_kmem_ok(); k++, n++) {
		s0h.ready[0] = 0;
		a[k] = rt_task_create(s0h_attacker, 0, rt_pager());
		if (L4_IsNilThread(a[k])) {
			CHECK_EQ(rt_last_error(), L4_ErrNoMem);
			break;
		}
		CHECK(s0h_wait(&s0h.ready[0]));
		RUN(s0h_step1_until_refused(a[k]));
	}
	printf("#   %d attackers\n", n);
	CHECK(!s0h_unprivileged_kmem_ok());

	/* The privileged reserve is still there for the root task. */
	CHECK_EQ(L4_ThreadControl(fresh, L4_Myself(), L4_Myself(), L4_nilthread,
				  (void *)~0UL), 1);
	CHECK_EQ(L4_ThreadControl(fresh, L4_nilthread, L4_nilthread, L4_nilthread,
				  (void *)~0UL), 1);
	RUN(s0h_root_gets_page());
	/* No single attacker could take it all. */
	CHECK(n >= 2);

	for (k = n; k-- > 0;)
		CHECK(rt_release(a[k]));
	after = s0h_free_pages();
	printf("#   %d pages free before, %d after\n", before, after);
	CHECK_EQ(after, before);
	RUN(s0h_system_works());
	return 0;
}

/* Run last, and in this order: the first leaves sigma0's pages to dead
 * tasks, the second leaves sigma0's region table full for every client
 * but the root task. */
const struct test s0hang_tests[] = {
	TEST(s0hang_reserve_outlasts_unprivileged_tasks),
	TEST(s0hang_unprivileged_task_cannot_stop_machine),
	{ 0 },
};
