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
#include "tests.h"
#include <lent/kmem.h>

/* Windows of step 1: one page at the top of each 4 MB region from 8 MB
 * (the image is at 6 MB) up to below the UTCB and KIP areas, then
 * fpages below it in the same regions. */
#define S0H_REGION_FIRST	2
#define S0H_REGION_END		760
#define S0H_REGION_SIZE		0x400000UL
#define S0H_TOP_PAGE		(S0H_REGION_SIZE - RT_PAGE_SIZE)
/* The single-page window of steps 2 and 3 (its 4 MB region is step 1's
 * first, so mapping there needs no new page table). */
#define S0H_WINDOW		((S0H_REGION_FIRST << 22) + S0H_TOP_PAGE - RT_PAGE_SIZE)
/* The root's own window for its "any page" requests. */
#define S0H_ROOT_WINDOW		0x7f000000UL
/* Step 3 notes where sigma0 first refused this many in a row. */
#define S0H_REFUSALS		256
/* Step 2's candidates in each 4 MB of physical memory. */
#define S0H_CANDIDATES		3
/* How long a step may take (each is bounded by refusals or the size of
 * memory; this only catches a machine that stopped).  Below the
 * harness's idle limit. */
#define S0H_STEP_US		40000000UL
/* Pool counting: thread numbers and the most spaces it may use. */
#define S0H_COUNT_NO		20000
#define S0H_COUNT_MAX		6000
#define S0H_COUNT_SPACES	16
#define S0H_ECHO_SLOT		4

/* What the attacker's threads report; they share the image with main. */
static volatile struct {
	L4_Word_t ready[2];
	L4_Word_t done[2];
	L4_Word_t step2_done;
	L4_Word_t requests[2];
	L4_Word_t granted[2];
	L4_Word_t refused[2];
	L4_Word_t bad;		/* answers other than the page or nil */
	L4_Word_t bad_word;	/* the first of them */
	L4_Word_t device;	/* pages outside RAM handed to the attacker */
	L4_Word_t window;	/* step 1: the window being tried */
	L4_Word_t big_log2;	/* step 1: size of the larger fpage */
	L4_Word_t full_at;	/* step 3: where the refusals began */
} s0h;

/* ---- requests, as a client that checks the answer ---- */

/*
 * One sigma0 request for fpage f into window.  Returns 1 if sigma0 gave
 * exactly f (any fpage of its size, for a base of all ones), 0 if it refused cleanly (an answer with a nil fpage); any
 * other outcome (IPC error, other items) counts as bad and returns 0.
 */
static int s0h_ask(L4_Fpage_t f, L4_Fpage_t window, L4_Fpage_t *got)
{
	L4_Word_t w[2] = { f.raw, 0 };
	int any = (f.raw >> 10) == (~0UL >> 10);
	L4_MsgTag_t tag;
	L4_Fpage_t fp;

	t_load((L4_Word_t)-6 << 4 & 0xffff, 2, w, 0, 0);
	L4_Accept(L4_MapGrantItems(window));
	tag = L4_Call_Timeouts(rt_sigma0(), rt_us(T_WAIT_US), rt_us(T_WAIT_US));
	L4_Accept(L4_UntypedWordsAcceptor);
	fp.raw = rt_mr(2);
	if (L4_IpcFailed(tag) || L4_TypedWords(tag) != 2 || L4_UntypedWords(tag) != 0) {
		if (!s0h.bad++)
			s0h.bad_word = L4_IpcFailed(tag) ? L4_ErrorCode() : tag.raw;
		return 0;
	}
	if (got)
		*got = fp;
	if (L4_IsNilFpage(fp))
		return 0;
	if ((!any && L4_Address(fp) != L4_Address(f)) || L4_SizeLog2(fp) != L4_SizeLog2(f)) {
		if (!s0h.bad++)
			s0h.bad_word = fp.raw;
		return 0;
	}
	return 1;
}

static int s0h_ask_page(L4_Word_t phys, L4_Word_t who)
{
	int ok = s0h_ask(L4_FpageLog2(phys, 12), L4_FpageLog2(S0H_WINDOW, 12), 0);

	s0h.requests[who]++;
	if (ok)
		s0h.granted[who]++;
	else
		s0h.refused[who]++;
	return ok;
}

/* Does the KIP call the page RAM (conventional or boot-loader memory)?
 * Later descriptors override earlier ones, as in sigma0. */
static int s0h_is_ram(L4_Word_t pa)
{
	L4_MemoryDesc_t *md;
	L4_Word_t n, type = 0;

	for (n = 0; (md = L4_MemoryDesc(rt_kip(), n)) != 0; n++)
		if (!L4_IsMemoryDescVirtual(md) && pa >= L4_MemoryDescLow(md) &&
		    pa <= L4_MemoryDescHigh(md))
			type = L4_MemoryDescType(md) & 0xf;
	return type == L4_ConventionalMemoryType || type == L4_BootLoaderSpecificMemoryType;
}

/* ---- the attacker ---- */

/* Map f into the window at w, then touch the window's first and last
 * page: a window the kernel did not fill faults to rt's pager, which
 * leaves the thread blocked there (the kernel's refusal). */
static void s0h_flood(L4_Fpage_t f, L4_Word_t w)
{
	L4_Word_t size = L4_Size(f);

	s0h.window = w;
	if (!s0h_ask(f, L4_FpageLog2(w, L4_SizeLog2(f)), 0)) {
		s0h.refused[0]++;
		return;
	}
	s0h.requests[0]++;
	(void)*(volatile L4_Word_t *)w;
	(void)*(volatile L4_Word_t *)(w + size - RT_PAGE_SIZE);
}

/* Step 1: a page of our own into the top page of every region, then a
 * larger fpage of our own into the rest of each region, until the
 * kernel refuses (and the thread stays blocked at that window). */
static void s0h_step1(void)
{
	L4_Fpage_t page, big = L4_Nilpage;
	L4_Word_t r, off, log2;

	if (!s0h_ask(L4_FpageLog2(~0UL, 12), L4_FpageLog2(S0H_WINDOW, 12), &page) ||
	    L4_IsNilFpage(page))
		return;
	page = L4_FpageLog2(L4_Address(page), 12);
	for (r = S0H_REGION_FIRST; r < S0H_REGION_END; r++)
		s0h_flood(page, (r << 22) + S0H_TOP_PAGE);
	for (log2 = 20; log2 >= 12 && L4_IsNilFpage(big); log2 -= 4)
		if (!s0h_ask(L4_FpageLog2(~0UL, log2), L4_FpageLog2(S0H_REGION_FIRST << 22, log2),
			     &big))
			big = L4_Nilpage;
	if (L4_IsNilFpage(big))
		return;
	big = L4_FpageLog2(L4_Address(big), L4_SizeLog2(big));
	s0h.big_log2 = L4_SizeLog2(big);
	for (r = S0H_REGION_FIRST; r < S0H_REGION_END; r++)
		for (off = 0; off + L4_Size(big) <= S0H_TOP_PAGE; off += L4_Size(big))
			s0h_flood(big, (r << 22) + off);
}

/* Step 2: one page in every 4 MB of physical memory (a few candidates
 * in each, since some pages are the kernel's or the root's). */
static void s0h_step2(void)
{
	static const L4_Word_t cand[S0H_CANDIDATES] = { S0H_TOP_PAGE, 0x200000, 0x1000 };
	L4_Word_t r;
	int c;

	for (r = 0; r < 1024; r++)
		for (c = 0; c < S0H_CANDIDATES; c++) {
			L4_Word_t pa = (r << 22) + cand[c];

			if (s0h_ask_page(pa, 1)) {
				if (!s0h_is_ram(pa))
					s0h.device++;
				break;
			}
		}
}

/* Step 3: every other page of conventional memory, upwards, to its end
 * (at 512 MB the table fills long before).  Records where sigma0 first
 * refused S0H_REFUSALS times in a row. */
static void s0h_step3(void)
{
	L4_MemoryDesc_t *md;
	L4_Word_t n, row = 0;

	for (n = 0; (md = L4_MemoryDesc(rt_kip(), n)) != 0; n++) {
		L4_Word_t pa, lo = L4_MemoryDescLow(md), hi = L4_MemoryDescHigh(md);

		if (L4_IsMemoryDescVirtual(md) ||
		    (L4_MemoryDescType(md) & 0xf) != L4_ConventionalMemoryType)
			continue;
		for (pa = (lo + 0x1fff) & ~0x1fffUL; pa < hi && pa >= lo; pa += 0x2000) {
			if (s0h_ask_page(pa, 1))
				row = 0;
			else if (++row == S0H_REFUSALS && !s0h.full_at)
				s0h.full_at = pa;
		}
	}
}

/* Body of both threads: touch the image, say so, wait for main's word,
 * then run step 1 (thread 0) or steps 2 and 3 (thread 1). */
static void s0h_attacker(L4_Word_t who)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	t_touch_image();
	s0h.ready[who] = 1;
	L4_Accept(L4_UntypedWordsAcceptor);
	do
		tag = L4_Wait_Timeout(L4_Never, &from);
	while (L4_IpcFailed(tag) || !L4_IsThreadEqual(from, rt_main_thread()));
	if (who == 0) {
		s0h_step1();
	} else {
		s0h_step2();
		s0h.step2_done = 1;	/* main checks, then sends the word for step 3 */
		do
			tag = L4_Wait_Timeout(L4_Never, &from);
		while (L4_IpcFailed(tag) || !L4_IsThreadEqual(from, rt_main_thread()));
		s0h_step3();
	}
	s0h.done[who] = 1;
	for (;;)
		L4_Sleep(L4_Never);
}

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
static int s0h_free_pages(void)
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
static int s0h_new_space_ok(void)
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
static int s0h_unprivileged_kmem_ok(void)
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
static const char *s0h_system_works(void)
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
	tag = L4_Call_Timeouts(echo, rt_us(T_WAIT_US), rt_us(T_WAIT_US));
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), 0x321 ^ 0xff);
	CHECK_EQ(rt_mr(1), ~w);
	CHECK(rt_release(echo));
	return 0;
}

static int s0h_wait(volatile L4_Word_t *flag)
{
	return t_wait_for(flag, 1, S0H_STEP_US);
}

static const char *s0h_go(L4_ThreadId_t t)
{
	L4_MsgTag_t tag;

	rt_msg(0x5047, 0, 0);
	tag = L4_Send_Timeout(t, rt_us(T_WAIT_US));
	CHECK(L4_IpcSucceeded(tag));
	return 0;
}

/* Let thread 0 of an attacker run step 1 (its thread is ready).  It ends
 * with the kernel refusing to fill a window: the thread faults there, and
 * rt's pager leaves the fault alone. */
static const char *s0h_step1_until_refused(L4_ThreadId_t a0)
{
	L4_Word_t seen = rt_pager_unhandled, start;

	s0h.requests[0] = s0h.refused[0] = s0h.big_log2 = s0h.done[0] = 0;
	RUN(s0h_go(a0));
	start = rt_now_us();
	while (rt_pager_unhandled == seen && !s0h.done[0] && rt_now_us() - start < S0H_STEP_US)
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
	s0h.requests[1] = s0h.granted[1] = s0h.refused[1] = 0;
	RUN(s0h_go(a1));
	CHECK(s0h_wait(&s0h.done[1]));
	printf("#   step 3: %lu requests, %lu granted, %lu refused (from %lx on)\n",
	       s0h.requests[1], s0h.granted[1], s0h.refused[1], s0h.full_at);
	CHECK_EQ(s0h.bad, 0);
	CHECK(s0h.granted[1] > 0);
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
