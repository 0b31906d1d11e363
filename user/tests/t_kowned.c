/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel-owned memory (KmemControl OWNED, kernel/kmem_owned.c,
 * docs/kernel-memory.md "What is kernel-owned"): the categories add up,
 * the figures follow what tasks do, and a thousand cycles of creating
 * and deleting threads, tasks and mappings leave every figure exactly
 * where it was.  A deletion that forgot a page would leave the pool's
 * use by tasks (or the frames lent, in the lent build) one page higher
 * per cycle.  Each cycle runs to completion before the next: nothing
 * here depends on the machine's speed.
 */
#include "tests.h"
#include "t_sync.h"
#include <lent/kmem.h>

#define KO_CYCLES	1000
#define KO_WARMUP	2        /* cycles before the baseline: rt's stacks and
				  * UTCB slots are then faulted in */
#define KO_WINDOW	0x58000000UL     /* a 4 MB region the agent never used */
#define KO_VALUE	0x6b6f776eUL
#define KO_SENTINEL	0x5e5e5e00UL
#define KO_REPORT	0x6b6f

/* KmemControl OWNED: EAX and MR1..MR9. */
struct ko {
	L4_Word_t total;
	L4_Word_t w[LENT_KMEM_OWNED_WORDS + 1];   /* w[i] = MRi */
};

static const char *ko_read(struct ko *o)
{
	o->total = lent_kmem_control(0, LENT_KMEM_OWNED, 0);
	CHECK(o->total != 0);
	for (int i = 1; i <= LENT_KMEM_OWNED_WORDS; i++)
		o->w[i] = rt_mr(i);
	o->w[0] = 0;
	return 0;
}

/* Pages of memory a task's kernel data uses, pool or lent. */
static L4_Word_t ko_in_use(const struct ko *o)
{
	return o->w[LENT_KMEM_OWN_POOL_TASKS] + o->w[LENT_KMEM_OWN_BOOT_TASKS] +
	       o->w[LENT_KMEM_OWN_LENT];
}

static int ko_in_use_word(int i)
{
	return i == LENT_KMEM_OWN_POOL_TASKS || i == LENT_KMEM_OWN_BOOT_TASKS ||
	       i == LENT_KMEM_OWN_LENT;
}

/* Every figure is the same as in base, but that tasks' kernel data uses
 * exactly grew pages more (the root's own, where its counts grew). */
static const char *ko_same_but(const struct ko *base, const char *what, L4_Word_t grew)
{
	struct ko now;

	RUN(ko_read(&now));
	if (now.total != base->total)
		printf("#   after %s: total %lu pages, was %lu\n", what, now.total, base->total);
	CHECK_EQ(now.total, base->total);
	for (int i = 1; i <= LENT_KMEM_OWNED_WORDS; i++) {
		if (now.w[i] != base->w[i] && (!grew || !ko_in_use_word(i)))
			printf("#   after %s: MR%d is %lu, was %lu\n", what, i, now.w[i], base->w[i]);
		if (ko_in_use_word(i))
			CHECK(now.w[i] >= base->w[i]);
		else
			CHECK_EQ(now.w[i], base->w[i]);
	}
	CHECK_EQ(ko_in_use(&now), ko_in_use(base) + grew);
	return 0;
}

/* Every figure is the same as in base. */
static const char *ko_same(const struct ko *base, const char *what)
{
	return ko_same_but(base, what, 0);
}

static L4_Word_t ko_task_pages(L4_ThreadId_t t)
{
	return lent_kmem_control(t.raw, LENT_KMEM_STATS, 0);
}

/* The fixed categories add up to the total and have the sizes the
 * memory map implies; the use of the pool fits in the pool. */
static const char *t_kowned_categories_add_up(void)
{
	struct ko o;
	void *kip = rt_kip();
	L4_Word_t top = 0, any = 0;

	RUN(ko_read(&o));
	CHECK_EQ(o.total, o.w[LENT_KMEM_OWN_IMAGE] + o.w[LENT_KMEM_OWN_FRAME_TABLE] +
		 o.w[LENT_KMEM_OWN_SIGMA0_RESERVE] + o.w[LENT_KMEM_OWN_POOL] +
		 o.w[LENT_KMEM_OWN_RESIDENT]);
	CHECK(o.w[LENT_KMEM_OWN_IMAGE] >= 1);
	CHECK(o.w[LENT_KMEM_OWN_SIGMA0_RESERVE] >= 1);
	/* KMEM=pool: the pool is an eighth of RAM, 1 MB at least.  The lent
	 * build: the boot reserve in its place, 25 pages (boot's and
	 * sigma0's floor, kernel/init.c) and what sigma0's roots left of
	 * their reserve, far less. */
	if (lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0)) {
		CHECK(o.w[LENT_KMEM_OWN_POOL] >= 25);
		CHECK(o.w[LENT_KMEM_OWN_POOL] < 256);
	} else {
		CHECK(o.w[LENT_KMEM_OWN_POOL] >= 256);
		CHECK_EQ(o.w[LENT_KMEM_OWN_BOOT_TASKS], 0);
	}
	/* The KIP, and the thread table's first leaf, at least. */
	CHECK(o.w[LENT_KMEM_OWN_POOL_KERNEL] >= 1);
	CHECK(o.w[LENT_KMEM_OWN_LEAVES] >= 1);
	CHECK(o.w[LENT_KMEM_OWN_POOL_KERNEL] + o.w[LENT_KMEM_OWN_POOL_TASKS] +
	      o.w[LENT_KMEM_OWN_BOOT_TASKS] <= o.w[LENT_KMEM_OWN_POOL]);
	/* sigma0's and the root's threads at least. */
	CHECK(o.w[LENT_KMEM_OWN_RESIDENT_PARTS] >= 2);
	/* The frame table: 16 bytes a frame up to the top of conventional
	 * memory the KIP describes at least, and at most 17 up to the top
	 * of any memory it describes below the firmware's at 4 GB (RAM the
	 * kernel took for itself is described as reserved). */
	for (L4_Word_t i = 0; i < L4_NumMemoryDescriptors(kip); i++) {
		L4_MemoryDesc_t *d = L4_MemoryDesc(kip, i);
		L4_Word_t high = L4_MemoryDescHigh(d), type = L4_MemoryDescType(d);

		if (L4_IsMemoryDescVirtual(d) || high >= 0xF0000000UL)
			continue;
		if (type == L4_ConventionalMemoryType && high > top)
			top = high;
		if ((type == L4_ConventionalMemoryType || type == L4_ReservedMemoryType ||
		     type == L4_BootLoaderSpecificMemoryType) && high > any)
			any = high;
	}
	CHECK(top != 0 && any >= top);
	CHECK(o.w[LENT_KMEM_OWN_FRAME_TABLE] * RT_PAGE_SIZE >= (top / RT_PAGE_SIZE) * 16);
	CHECK(o.w[LENT_KMEM_OWN_FRAME_TABLE] * RT_PAGE_SIZE <= (any / RT_PAGE_SIZE + 1) * 17 +
	      RT_PAGE_SIZE);
	/* Between tests only sigma0 and the root are left, and sigma0 has
	 * nothing lent: every frame lent is one of the root's pages of the
	 * kinds its kpager lends (some of those came from the pool while the
	 * root was set up at boot; in a KMEM=pool kernel none is lent). */
	L4_Word_t kinds = lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0), lent = 0;
	CHECK(lent_kmem_control(0, LENT_KMEM_STATS, 0) != 0);
	for (unsigned k = 0; k < LENT_KMEM_KINDS; k++)
		if (kinds & (1UL << k))
			lent += rt_mr(1 + k);
	CHECK(o.w[LENT_KMEM_OWN_LENT] <= lent);
	if (!kinds)
		CHECK_EQ(o.w[LENT_KMEM_OWN_LENT], 0);
	return 0;
}

/* A live thread and a live task show in the figures, by exactly what
 * their task's counts say; the kernel-owned total does not move. */
static const char *t_kowned_figures_follow_tasks(void)
{
	struct ko base, now;
	L4_Word_t root0, ip, sp;

	t_touch_image();
	RUN(ko_read(&base));
	root0 = ko_task_pages(L4_Myself());
	L4_ThreadId_t t = rt_thread_create(t_receive_from_main, 0);
	CHECK(!L4_IsNilThread(t));
	RUN(ko_read(&now));
	CHECK_EQ(now.total, base.total);
	CHECK_EQ(now.w[LENT_KMEM_OWN_RESIDENT_PARTS], base.w[LENT_KMEM_OWN_RESIDENT_PARTS] + 1);
	/* Whatever the thread cost the root (a TCB page, or none if TCBs
	 * share pages), the pool and the frames lent show exactly that. */
	CHECK_EQ(ko_in_use(&now) - ko_in_use(&base), ko_task_pages(L4_Myself()) - root0);
	rt_release(t);
	RUN(ko_same(&base, "a thread"));

	L4_ThreadId_t task = rt_task_prepare(t_sleeper, 0, rt_main_thread(), &ip, &sp);
	CHECK(!L4_IsNilThread(task));
	RUN(ko_read(&now));
	CHECK_EQ(now.total, base.total);
	CHECK_EQ(now.w[LENT_KMEM_OWN_RESIDENT_PARTS], base.w[LENT_KMEM_OWN_RESIDENT_PARTS] + 1);
	/* Its record, page directory, TCB, UTCB page and page tables. */
	CHECK(ko_task_pages(task) >= 4);
	CHECK_EQ(ko_in_use(&now) - ko_in_use(&base), ko_task_pages(task));
	rt_release(task);
	RUN(ko_same(&base, "a task"));
	return 0;
}

/* The lent build takes no page of the kernel's for a task after boot:
 * the boot reserve serves only the KIP, and sigma0 and the root task as
 * boot made them, so no page of it is charged to any other task, and a
 * new task with a thread, its UTCB and its first mapping moves no
 * figure of it; every page the task has is lent. */
static const char *t_kowned_lent_build_takes_no_pool_page(void)
{
	struct ko base, now;
	L4_Word_t ip, sp;

	if (!lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0))
		return 0;
	t_touch_image();
	RUN(ko_read(&base));
	CHECK_EQ(base.w[LENT_KMEM_OWN_POOL_TASKS], 0);
	L4_ThreadId_t task = rt_task_prepare(t_sleeper, 0, rt_main_thread(), &ip, &sp);
	CHECK(!L4_IsNilThread(task));
	RUN(ko_read(&now));
	CHECK_EQ(now.w[LENT_KMEM_OWN_POOL_TASKS], 0);
	CHECK_EQ(now.w[LENT_KMEM_OWN_BOOT_TASKS], base.w[LENT_KMEM_OWN_BOOT_TASKS]);
	CHECK_EQ(now.w[LENT_KMEM_OWN_POOL_KERNEL], base.w[LENT_KMEM_OWN_POOL_KERNEL]);
	CHECK(ko_task_pages(task) >= 4);
	CHECK_EQ(rt_mr(1 + LENT_KMEM_TASK), 1);
	CHECK_EQ(now.w[LENT_KMEM_OWN_LENT] - base.w[LENT_KMEM_OWN_LENT], ko_task_pages(task));
	rt_release(task);
	RUN(ko_same(&base, "a task"));
	return 0;
}

/* Leaves of the thread table come from the resident reserve, which has
 * a bounded number of them: threads in the root's space, each the first
 * of its own leaf, are made until all are made or ThreadControl says
 * "no memory" (8), never anything else.  Deleting them gives every leaf
 * back, and threads can be made again. */
#define KO_LEAF_FIRST	64UL     /* leaves no other test uses */
#define KO_LEAF_LAST	255UL

static const char *t_kowned_leaves_bounded(void)
{
	struct ko base, now;
	L4_Word_t made = 0, refused = 0;

	RUN(ko_read(&base));
	for (L4_Word_t leaf = KO_LEAF_FIRST; leaf <= KO_LEAF_LAST; leaf++) {
		L4_ThreadId_t t = L4_GlobalId(leaf * 1024, 1);
		if (L4_ThreadControl(t, L4_Myself(), L4_Myself(), L4_nilthread, (void *)-1) == 1) {
			made++;
			continue;
		}
		CHECK_EQ(L4_ErrorCode(), L4_ErrNoMem);
		refused++;
	}
	RUN(ko_read(&now));
	printf("#   %lu leaves made, %lu refused\n", made, refused);
	CHECK_EQ(now.w[LENT_KMEM_OWN_LEAVES], base.w[LENT_KMEM_OWN_LEAVES] + made);
	CHECK(made >= 8);
	CHECK_EQ(now.total, base.total);
	for (L4_Word_t leaf = KO_LEAF_FIRST; leaf <= KO_LEAF_LAST; leaf++) {
		L4_ThreadId_t t = L4_GlobalId(leaf * 1024, 1);
		L4_Word_t r = L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
		if (!r)
			CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
	}
	RUN(ko_same(&base, "leaves"));
	L4_ThreadId_t t = L4_GlobalId(KO_LEAF_LAST * 1024, 1);
	CHECK_EQ(L4_ThreadControl(t, L4_Myself(), L4_Myself(), L4_nilthread, (void *)-1), 1);
	CHECK_EQ(L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	return 0;
}

/* Threads in the root's space, made (and run) and deleted. */
static const char *ko_thread_cycle(L4_Word_t i)
{
	L4_ThreadId_t t = rt_thread_create(t_flagger, 0);

	(void)i;
	CHECK(!L4_IsNilThread(t));
	t_until(&t_shared[0], 1);
	t_shared[0] = 0;
	CHECK(rt_release(t));
	return 0;
}

/* Threads in an agent's space, made with a UTCB of their own, deleted. */
static L4_ThreadId_t ko_agent;

static const char *ko_task_thread_cycle(L4_Word_t i)
{
	L4_Word_t ip, sp, utcb = RT_UTCB_AREA_BASE + (1 + i % 3) * RT_UTCB_SIZE;
	L4_ThreadId_t t = rt_task_thread_prepare(ko_agent, utcb, t_sleeper, 0, rt_main_thread(),
						 &ip, &sp);

	CHECK(!L4_IsNilThread(t));
	CHECK(rt_release(t));
	return 0;
}

/* Whole tasks: a space with an active thread waiting for its start. */
static const char *ko_task_cycle(L4_Word_t i)
{
	L4_Word_t ip, sp;
	L4_ThreadId_t t = rt_task_prepare(t_sleeper, i, rt_main_thread(), &ip, &sp);

	CHECK(!L4_IsNilThread(t));
	CHECK(ko_task_pages(t) >= 4);
	CHECK(rt_release(t));
	return 0;
}

/* Main maps page to the agent, which waits to receive it (its acceptor
 * set already); main's own send, so no thread is made for it. */
static const char *ko_give_map(L4_ThreadId_t ag, L4_Word_t page)
{
	L4_MapItem_t m = t_map_item(page, 12, L4_FullyAccessible, 0);

	CHECK(rt_agent_post(ag, RT_AG_RECV, 0, 0));
	t_load(0x6b, 0, 0, 2, m.raw);
	CHECK(L4_IpcSucceeded(L4_Send(ag)));
	CHECK(t_ag_ok(rt_agent_result(ag, 0)));
	CHECK(L4_IpcSucceeded((L4_MsgTag_t) { .raw = rt_mr(1) }));
	return 0;
}

/* A page of the root's mapped into the agent, then unmapped. */
static L4_Word_t ko_page;

static const char *ko_map_cycle(L4_Word_t i)
{
	((volatile L4_Word_t *)ko_page)[0] = KO_VALUE + i;
	RUN(ko_give_map(ko_agent, ko_page));
	if (i % 100 == 0)
		RUN(t_ag_reads(ko_agent, KO_WINDOW, KO_VALUE + i));
	(void)L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(ko_page, 12), L4_FullyAccessible));
	return 0;
}

/* Warm up, take the baseline, run the cycles, compare every figure; the
 * agent's own counts too when there is one. */
static const char *ko_cycles(const char *(*cycle)(L4_Word_t), const char *what)
{
	struct ko base;
	L4_Word_t agent0 = 0;

	for (L4_Word_t i = 0; i < KO_WARMUP; i++)
		RUN(cycle(i));
	RUN(ko_read(&base));
	if (!L4_IsNilThread(ko_agent))
		agent0 = ko_task_pages(ko_agent);
	for (L4_Word_t i = KO_WARMUP; i < KO_WARMUP + KO_CYCLES; i++) {
		const char *r = cycle(i);
		if (r) {
			printf("#   %s: cycle %lu\n", what, i);
			return r;
		}
	}
	RUN(ko_same(&base, what));
	if (!L4_IsNilThread(ko_agent))
		CHECK_EQ(ko_task_pages(ko_agent), agent0);
	return 0;
}

static const char *t_kowned_constant_over_thread_cycles(void)
{
	ko_agent = L4_nilthread;
	t_touch_image();
	RUN(ko_cycles(ko_thread_cycle, "root threads"));
	ko_agent = rt_agent_create(rt_main_thread());
	CHECK(!L4_IsNilThread(ko_agent));
	RUN(ko_cycles(ko_task_thread_cycle, "threads of a task"));
	rt_release(ko_agent);
	ko_agent = L4_nilthread;
	return 0;
}

static const char *t_kowned_constant_over_task_cycles(void)
{
	ko_agent = L4_nilthread;
	t_touch_image();
	return ko_cycles(ko_task_cycle, "tasks");
}

static const char *t_kowned_constant_over_mapping_cycles(void)
{
	ko_page = t_page();
	CHECK(ko_page != 0);
	((volatile L4_Word_t *)ko_page)[0] = KO_VALUE;
	ko_agent = rt_agent_create(rt_main_thread());
	CHECK(!L4_IsNilThread(ko_agent));
	RUN(t_ag_accept(ko_agent, KO_WINDOW, 12));
	const char *r = ko_cycles(ko_map_cycle, "mappings");
	/* The last unmap took the page away. */
	if (!r)
		r = t_ag_faults(ko_agent, KO_WINDOW, 0);
	rt_release(ko_agent);
	ko_agent = L4_nilthread;
	return r;
}

/* A task's death gives back every page its counts had: with mappings in
 * three 4 MB regions and a second thread, the pool's use by tasks plus
 * the frames lent drop by exactly its total.  The root's own counts may
 * move with it (the root maps the agent's pages; how many of the root's
 * parts that takes depends on what the root mapped before, so on the
 * image's layout): the pool shows exactly both. */
static const char *t_kowned_death_gives_back_the_task_total(void)
{
	struct ko base, live, after;
	L4_Word_t page = t_page(), ip, sp;
	L4_ThreadId_t ag;

	CHECK(page != 0);
	L4_Word_t root0 = ko_task_pages(L4_Myself());
	RUN(ko_read(&base));
	ag = rt_agent_create(rt_main_thread());
	CHECK(!L4_IsNilThread(ag));
	for (L4_Word_t r = 0; r < 3; r++) {
		RUN(t_ag_accept(ag, KO_WINDOW + r * 0x400000UL, 12));
		RUN(ko_give_map(ag, page));
	}
	L4_ThreadId_t t2 = rt_task_thread_prepare(ag, RT_UTCB_AREA_BASE + RT_UTCB_SIZE, t_sleeper,
						  0, rt_main_thread(), &ip, &sp);
	CHECK(!L4_IsNilThread(t2));
	RUN(ko_read(&live));
	L4_Word_t total = ko_task_pages(ag), root_live = ko_task_pages(L4_Myself());
	/* Three node tables and page tables more than the agent alone. */
	CHECK(total >= 10);
	CHECK_EQ(ko_in_use(&live) - ko_in_use(&base), total + root_live - root0);
	rt_release(t2);
	rt_release(ag);
	RUN(ko_read(&after));
	CHECK_EQ(ko_in_use(&live) - ko_in_use(&after),
		 total + root_live - ko_task_pages(L4_Myself()));
	/* The thread table's leaf and the rest are as before, but for the
	 * root's own pages where its counts grew meanwhile (a page, at 8 MB
	 * after the whole suite): not the task's. */
	return ko_same_but(&base, "the task's death", ko_task_pages(L4_Myself()) - root0);
}

/* From an unprivileged task: no figures, and its message registers stay
 * as they were.  It reports the results, the error codes and how many of
 * MR1..MR9 still hold what it put there. */
static L4_Word_t ko_untouched(void)
{
	L4_Word_t n = 0;

	for (int i = 1; i <= LENT_KMEM_OWNED_WORDS; i++)
		n += rt_mr(i) == KO_SENTINEL + i;
	return n;
}

static void ko_unpriv_body(L4_Word_t arg)
{
	L4_ThreadId_t root = { .raw = arg };
	L4_Word_t w[6];

	for (int i = 1; i <= LENT_KMEM_OWNED_WORDS; i++)
		L4_LoadMR(i, KO_SENTINEL + i);
	w[0] = lent_kmem_control(0, LENT_KMEM_OWNED, 0);
	w[1] = L4_ErrorCode();
	w[2] = ko_untouched();
	w[3] = lent_kmem_control(L4_MyGlobalId().raw, LENT_KMEM_OWNED, 7);
	w[4] = L4_ErrorCode();
	w[5] = ko_untouched();
	rt_msg(KO_REPORT, 6, w);
	(void)L4_Send(root);
	for (;;)
		L4_Sleep(L4_Never);
}

/* OWNED names no task and takes no argument: anything else is an
 * invalid parameter (5), and only a privileged task may read it (1). */
static const char *t_kowned_control_garbage(void)
{
	const L4_Word_t tasks[] = { L4_Myself().raw, L4_MyLocalId().raw, L4_anythread.raw,
				    t_nonexistent().raw, rt_sigma0().raw };
	const L4_Word_t args[] = { 1, RT_PAGE_SIZE, 0xffffffffUL };
	struct ko base;
	L4_MsgTag_t tag;

	RUN(ko_read(&base));
	for (unsigned i = 0; i < sizeof(tasks) / sizeof(tasks[0]); i++) {
		for (int k = 1; k <= LENT_KMEM_OWNED_WORDS; k++)
			L4_LoadMR(k, KO_SENTINEL + k);
		CHECK_EQ(lent_kmem_control(tasks[i], LENT_KMEM_OWNED, 0), 0);
		CHECK_EQ(L4_ErrorCode(), 5);
		CHECK_EQ(ko_untouched(), LENT_KMEM_OWNED_WORDS);
	}
	for (unsigned i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		CHECK_EQ(lent_kmem_control(0, LENT_KMEM_OWNED, args[i]), 0);
		CHECK_EQ(L4_ErrorCode(), 5);
	}
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_OWNED + 1, 0), 0);
	CHECK_EQ(L4_ErrorCode(), 5);
	RUN(ko_same(&base, "garbage"));

	L4_ThreadId_t t = rt_task_create(ko_unpriv_body, L4_Myself().raw, rt_pager());
	CHECK(!L4_IsNilThread(t));
	tag = L4_Receive(t);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), KO_REPORT);
	CHECK_EQ(L4_UntypedWords(tag), 6);
	CHECK_EQ(rt_mr(1), 0);
	CHECK_EQ(rt_mr(2), 1);                       /* no privilege */
	CHECK_EQ(rt_mr(3), LENT_KMEM_OWNED_WORDS);   /* nothing written */
	CHECK_EQ(rt_mr(4), 0);
	CHECK_EQ(rt_mr(5), 1);                       /* privilege is checked first */
	CHECK_EQ(rt_mr(6), LENT_KMEM_OWNED_WORDS);
	rt_release(t);
	return 0;
}

const struct test kowned_tests[] = {
	TEST(kowned_categories_add_up),
	TEST(kowned_figures_follow_tasks),
	TEST(kowned_lent_build_takes_no_pool_page),
	TEST(kowned_leaves_bounded),
	TEST(kowned_constant_over_thread_cycles),
	TEST(kowned_constant_over_task_cycles),
	TEST(kowned_constant_over_mapping_cycles),
	TEST(kowned_death_gives_back_the_task_total),
	TEST(kowned_control_garbage),
	{ 0 }
};
