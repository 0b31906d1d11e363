/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Long kernel operations are preemptible (kernel/preempt.h): a thread of
 * higher priority whose sleep ends runs while a long string IPC, a long
 * Unmap or the deletion of a large task is still under way, not after it.
 *
 * "It ran before the call returned" cannot be seen from user level by
 * timestamps or flags alone: a kernel that ran the whole operation with
 * interrupts off takes the waiting timer interrupt on the way back to
 * user mode, so the woken thread runs before the caller executes one more
 * instruction.  So each test has the woken thread look at state that only
 * exists in the middle of the operation, which a kernel that never stops
 * can never show to anyone:
 *   string IPC   the receive buffer half written: its first word from the
 *                string item being copied, its last from the one before;
 *   Unmap        the caller's MRs half answered: the result of the second
 *                fpage already there, the input of the 63rd still there;
 *   deletion     the task's thread gone while a mapping that the task
 *                passed on, and that goes with the task, is still there.
 * The loads are sized so that even a fast host needs many timer ticks for
 * them; the woken thread looks at every tick, and one look in the middle
 * is enough.  A kernel that does not stop passes none of them, however
 * fast or slow the host.
 */
#include "tests.h"

#define PR_LOW_PRIO	(RT_PRIORITY - 50)	/* the thread running the load */
#define PR_LOOK_US	100			/* a sleep that ends at the next tick */
#define PR_LIMIT_US	50000000UL		/* generous: the machine is loaded */
#define PR_LABEL_MAP	0x7001
#define PR_LABEL_GO	0x7002
#define PR_LABEL_FWD	0x7003
#define PR_LABEL_STR	0x7004
#define PR_MAGIC	0x9e37a5c1UL

/* Megabytes of conventional memory the KIP describes. */
static L4_Word_t pr_ram_mb(void)
{
	void *kip = rt_kip();
	L4_Word_t i, top = 0;

	for (i = 0; i < L4_NumMemoryDescriptors(kip); i++) {
		L4_MemoryDesc_t *d = L4_MemoryDesc(kip, i);

		if (!L4_IsMemoryDescVirtual(d) &&
		    L4_MemoryDescType(d) == L4_ConventionalMemoryType &&
		    L4_MemoryDescHigh(d) > top)
			top = L4_MemoryDescHigh(d);
	}
	return (top >> 20) + 1;
}

/*
 * Free pages of the kernel-memory pool: inactive threads (a page each)
 * in one new space until "out of memory", then deleted again.  Only for
 * small pools; 0 if the count fails.
 */
#define PR_COUNT_NO	3000
#define PR_COUNT_MAX	2000

static L4_Word_t pr_free_pages(void)
{
	L4_ThreadId_t first = L4_GlobalId(PR_COUNT_NO, 1), me = L4_Myself();
	L4_Word_t ec = 0, n, i;

	if (L4_ThreadControl(first, first, me, L4_nilthread, (void *)~0UL) != 1)
		return 0;
	for (n = 1; n < PR_COUNT_MAX; n++)
		if (L4_ThreadControl(L4_GlobalId(PR_COUNT_NO + n, 1), first, me, L4_nilthread,
				     (void *)~0UL) != 1) {
			ec = L4_ErrorCode();
			break;
		}
	for (i = n; i-- > 0;)
		(void)L4_ThreadControl(L4_GlobalId(PR_COUNT_NO + i, 1), L4_nilthread,
				       L4_nilthread, L4_nilthread, (void *)~0UL);
	return ec == L4_ErrNoMem ? n : 0;
}

/* A thread of the root's space below our priority, running fn(arg). */
static L4_ThreadId_t pr_low_thread(rt_entry_t fn, L4_Word_t arg)
{
	L4_Word_t sp;
	L4_ThreadId_t t = rt_thread_prepare(arg, &sp);

	if (L4_IsNilThread(t))
		return t;
	if (L4_Set_Priority(t, PR_LOW_PRIO) == L4_SCHEDRESULT_ERROR)
		return L4_nilthread;
	L4_Start_SpIp(t, sp, (L4_Word_t)fn);
	return t;
}

static L4_MapItem_t pr_map_item(L4_Word_t base, L4_Word_t rights, L4_Word_t snd_base)
{
	L4_Fpage_t fp = L4_FpageLog2(base, 12);

	L4_Set_Rights(&fp, rights);
	return L4_MapItem(fp, snd_base);
}

/* Map page read-only into task t at n addresses from base, step apart,
 * 31 map items to a message; t receives them from main. */
static const char *pr_map_many(L4_ThreadId_t t, L4_Word_t page, L4_Word_t base,
			       L4_Word_t step, L4_Word_t n)
{
	L4_Word_t i = 0, w[62];

	while (i < n) {
		int k;

		for (k = 0; k < 31 && i < n; k++, i++) {
			L4_MapItem_t m = pr_map_item(page, L4_Readable, base + i * step);

			w[2 * k] = m.raw[0];
			w[2 * k + 1] = m.raw[1];
		}
		t_load(PR_LABEL_MAP, 0, 0, 2 * k, w);
		CHECK(L4_IpcSucceeded(L4_Send_Timeout(t, rt_us(T_WAIT_US))));
	}
	return 0;
}

/* A task body: take main's map messages (anywhere) until "go". */
static void pr_take_maps_until_go(void)
{
	L4_MsgTag_t tag;

	L4_Accept(L4_MapGrantItems(L4_CompleteAddressSpace));
	do
		tag = L4_Receive(rt_main_thread());
	while (L4_IpcFailed(tag) || L4_Label(tag) != PR_LABEL_GO);
}

/* ---- string IPC ---- */

/*
 * One message is 31 string items chained into one string, received into
 * one compound buffer of 31 substrings that all lie on the same buffer
 * rcv: item i comes from src[i & 1], so while item i is copied rcv begins
 * with src[i & 1]'s words and ends with src[(i - 1) & 1]'s.  The sender
 * sends the message str.msgs times, more than 64 MB in all.
 */
#define STR_ITEMS	31
#define STR_WORD(i)	(0x5a5a0000UL | ((i) & 1))
#define STR_TOTAL	(64UL << 20)
enum { STR_SENT, STR_SND_EC, STR_RECEIVED, STR_RCV_BAD, STR_US };

static struct {
	L4_Word_t src[2], rcv, len, msgs;
} str;

static void str_receiver(L4_Word_t arg)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;
	L4_Word_t k;
	int i;

	(void)arg;
	for (k = 0; k < str.msgs; k++) {
		L4_LoadBR(0, L4_StringItemsAcceptor.raw);
		L4_LoadBR(1, (str.len << 10) | ((STR_ITEMS - 1) << 4));
		for (i = 0; i < STR_ITEMS; i++)
			L4_LoadBR(2 + i, str.rcv);
		tag = L4_Wait(&from);
		if (L4_IpcFailed(tag) || L4_Label(tag) != PR_LABEL_STR)
			t_shared[STR_RCV_BAD] = L4_IpcFailed(tag) ? 0x100 | L4_ErrorCode() : tag.raw;
		else
			t_shared[STR_RECEIVED]++;
	}
}

static void str_sender(L4_Word_t to_raw)
{
	L4_ThreadId_t to = { .raw = to_raw };
	L4_Word_t k, t0 = rt_now_us();
	L4_MsgTag_t tag;
	int i;

	for (k = 0; k < str.msgs; k++) {
		for (i = 0; i < STR_ITEMS; i++) {
			L4_LoadMR(1 + 2 * i, (str.len << 10) | (i + 1 < STR_ITEMS ? 1UL << 9 : 0));
			L4_LoadMR(2 + 2 * i, str.src[i & 1]);
		}
		tag = L4_Niltag;
		tag.X.label = PR_LABEL_STR;
		tag.X.t = 2 * STR_ITEMS;
		L4_LoadMR(0, tag.raw);
		tag = L4_Send_Timeout(to, rt_us(PR_LIMIT_US));
		if (L4_IpcFailed(tag)) {
			t_shared[STR_SND_EC] = 0x100 | L4_ErrorCode();
			break;
		}
	}
	t_shared[STR_US] = rt_now_us() - t0;
	t_shared[STR_SENT] = 1;
}

/* Three buffers of 16 pages, or smaller ones if memory is short (a
 * larger block obtained on the way serves as a smaller one). */
static int str_buffers(void)
{
	L4_Word_t log2;

	for (log2 = 4; log2 >= 2; log2--) {
		L4_Word_t n = 1UL << log2;

		if (!str.src[0])
			str.src[0] = rt_get_pages(n);
		if (!str.src[1])
			str.src[1] = rt_get_pages(n);
		if (!str.rcv)
			str.rcv = rt_get_pages(n);
		if (str.src[0] && str.src[1] && str.rcv) {
			str.len = n * RT_PAGE_SIZE;
			return 1;
		}
	}
	return 0;
}

static const char *t_preempt_string_ipc_observed(void)
{
	volatile L4_Word_t *rcv;
	L4_Word_t i, k, words, looks = 0, halfway = 0, start;
	L4_ThreadId_t r, s;

	CHECK(str_buffers());
	words = str.len / sizeof(L4_Word_t);
	str.msgs = STR_TOTAL / (STR_ITEMS * str.len) + 1;
	for (k = 0; k < 2; k++)
		for (i = 0; i < words; i++)
			((volatile L4_Word_t *)str.src[k])[i] = STR_WORD(k);
	/* Before and after each message rcv holds src[0]'s words only. */
	rcv = (volatile L4_Word_t *)str.rcv;
	for (i = 0; i < words; i++)
		rcv[i] = STR_WORD(0);
	r = rt_thread_create(str_receiver, 0);
	CHECK(!L4_IsNilThread(r));
	s = pr_low_thread(str_sender, r.raw);
	CHECK(!L4_IsNilThread(s));
	start = rt_now_us();
	while (!t_shared[STR_SENT] && rt_now_us() - start < PR_LIMIT_US) {
		rt_sleep_us(PR_LOOK_US);
		looks++;
		/* Written front to back: a first word unlike the last one is a
		 * substring copied in part. */
		if (rcv[0] != rcv[words - 1])
			halfway++;
	}
	CHECK_EQ(t_shared[STR_SENT], 1);
	printf("#   %lu x %lu KB sent %lu times in %lu ms; %lu of %lu looks saw a copy halfway\n",
	       (L4_Word_t)STR_ITEMS, str.len >> 10, str.msgs, t_shared[STR_US] / 1000,
	       halfway, looks);
	CHECK_EQ(t_shared[STR_SND_EC], 0);
	CHECK(t_wait_for(&t_shared[STR_RECEIVED], str.msgs, T_WAIT_US));
	CHECK_EQ(t_shared[STR_RCV_BAD], 0);
	/* The last substring, from src[0], covered all of the one before. */
	for (i = 0; i < words; i += 97)
		CHECK_EQ(rcv[i], STR_WORD(0));
	CHECK_EQ(rcv[words - 1], STR_WORD(0));
	CHECK(halfway > 0);
	return 0;
}

/* ---- Unmap ---- */

/*
 * A task has main's page in each of many 4 MB regions of a 1 GB fpage it
 * never touches, and unmaps that fpage 64 times in one Unmap (MR0..MR63,
 * all rights): every pass walks each populated region page by page.  A
 * second thread of the task, above it in priority, looks at the MRs: an
 * fpage's MR gets its result (rights replaced by the access bits, none
 * here) when that fpage is done.
 */
#define UM_BASE		0x40000000UL
#define UM_LOG2		30
#define UM_FPAGES	64
#define UM_REGIONS	32
enum { UM_LOADED = 8, UM_DONE, UM_BAD, UM_US, UM_LOOKS, UM_HALFWAY, UM_FIRST, UM_SEEN };

static L4_Word_t um_input(void)
{
	L4_Fpage_t fp = L4_FpageLog2(UM_BASE, UM_LOG2);

	L4_Set_Rights(&fp, L4_FullyAccessible);
	return fp.raw;
}

static void um_unmapper(L4_Word_t arg)
{
	L4_Word_t t0, bad = 0;
	int i;

	(void)arg;
	pr_take_maps_until_go();
	for (i = 0; i < UM_FPAGES; i++)
		L4_LoadMR(i, um_input());
	t0 = rt_now_us();
	t_shared[UM_LOADED] = 1;
	L4_Unmap(UM_FPAGES - 1);
	t_shared[UM_US] = rt_now_us() - t0;
	for (i = 0; i < UM_FPAGES; i++)
		if (rt_mr(i) != (um_input() & ~(L4_Word_t)L4_FullyAccessible))
			bad = rt_mr(i) | 1;	/* never 0 */
	t_shared[UM_BAD] = bad;
	t_shared[UM_DONE] = 1;
	for (;;)
		L4_Sleep(L4_Never);
}

/* The unmapper's MRs: its UTCB is the first of the task's UTCB area. */
static void um_observer(L4_Word_t arg)
{
	volatile L4_Word_t *mr = (volatile L4_Word_t *)(RT_UTCB_AREA_BASE + RT_UTCB_MR0_OFFSET);
	L4_Word_t looks = 0, halfway = 0;

	(void)arg;
	while (!t_shared[UM_DONE]) {
		rt_sleep_us(PR_LOOK_US);
		if (!t_shared[UM_LOADED])
			continue;
		if (!looks++)
			t_shared[UM_FIRST] = mr[1];
		if ((mr[1] & 7) != 7 && (mr[UM_FPAGES - 2] & 7) == 7)
			halfway++;
	}
	t_shared[UM_LOOKS] = looks;
	t_shared[UM_HALFWAY] = halfway;
	t_shared[UM_SEEN] = 1;
}

static const char *t_preempt_unmap_observed(void)
{
	L4_Word_t page = t_page(), regions = UM_REGIONS, ip, sp;
	L4_ThreadId_t u, o;
	L4_MsgTag_t tag;

	CHECK(page);
	*(volatile L4_Word_t *)page = PR_MAGIC;
	u = rt_task_create(um_unmapper, 0, rt_pager());
	CHECK(!L4_IsNilThread(u));
	o = rt_task_thread_prepare(u, RT_UTCB_AREA_BASE + RT_UTCB_SIZE, um_observer, 0,
				   rt_pager(), &ip, &sp);
	CHECK(!L4_IsNilThread(o));
	CHECK(rt_pager_start_thread(o, ip, sp));
	CHECK(L4_Set_Priority(u, PR_LOW_PRIO) != L4_SCHEDRESULT_ERROR);
	RUN(pr_map_many(u, page, UM_BASE, 1UL << 22, regions));
	tag = t_tag(PR_LABEL_GO, 0, 0);
	L4_LoadMR(0, tag.raw);
	CHECK(L4_IpcSucceeded(L4_Send_Timeout(u, rt_us(T_WAIT_US))));
	CHECK(t_wait_for(&t_shared[UM_SEEN], 1, PR_LIMIT_US));
	printf("#   Unmap of %d x 1 GB over %lu regions: %lu ms; %lu of %lu looks saw it halfway\n",
	       UM_FPAGES, regions, t_shared[UM_US] / 1000, t_shared[UM_HALFWAY],
	       t_shared[UM_LOOKS]);
	/* The observer read the right MRs: the input, or the result. */
	CHECK(t_shared[UM_FIRST] == um_input() ||
	      t_shared[UM_FIRST] == (um_input() & ~(L4_Word_t)L4_FullyAccessible));
	CHECK_EQ(t_shared[UM_BAD], 0);
	CHECK(t_shared[UM_HALFWAY] > 0);
	return 0;
}

/* ---- task deletion ---- */

/*
 * The victim task holds main's page at many addresses, and once more at
 * the top (DL_TOP), which it maps on to an agent.  Deleting the victim
 * unmaps its pages from the bottom up, the one at DL_TOP and the agent's
 * copy of it last.  A low-priority root thread deletes the victim; main
 * looks at every tick: once the victim's thread is gone, the agent reads
 * its copy.  While the deletion is under way it reads main's word.
 */
#define DL_BASE		0x10000000UL
#define DL_TOP		0xB0000000UL
#define DL_WIN		0x20000000UL	/* the agent's copy */
#define DL_MANY		60000
#define DL_PER_PAGE	100		/* 1024 mappings: 8 pages of nodes, 2 tables */
#define DL_SPARE	56		/* pool pages left: the privileged reserve and more */
enum { DL_DONE = 16, DL_RESULT, DL_EC, DL_US, DL_FWD };

static void dl_victim(L4_Word_t arg)
{
	L4_ThreadId_t agent;
	L4_MapItem_t m = pr_map_item(DL_TOP, L4_Readable, DL_WIN);
	L4_MsgTag_t tag;

	(void)arg;
	L4_Accept(L4_MapGrantItems(L4_CompleteAddressSpace));
	for (;;) {
		tag = L4_Receive(rt_main_thread());
		if (L4_IpcFailed(tag) || L4_Label(tag) != PR_LABEL_FWD)
			continue;
		agent.raw = rt_mr(1);
		t_load(PR_LABEL_MAP, 0, 0, 2, m.raw);
		tag = L4_Send_Timeout(agent, rt_us(T_WAIT_US));
		t_shared[DL_FWD] = L4_IpcFailed(tag) ? 0x100 | L4_ErrorCode() : 1;
	}
}

static void dl_deleter(L4_Word_t victim)
{
	L4_ThreadId_t v = { .raw = victim };
	L4_Word_t t0 = rt_now_us();

	t_shared[DL_RESULT] = L4_ThreadControl(v, L4_nilthread, L4_nilthread, L4_nilthread,
					       (void *)~0UL);
	t_shared[DL_EC] = L4_ErrorCode();
	t_shared[DL_US] = rt_now_us() - t0;
	t_shared[DL_DONE] = 1;
}

static const char *t_preempt_delete_task_observed(void)
{
	L4_Word_t page = t_page(), n = DL_MANY, addr = DL_WIN, free;
	L4_Word_t looks = 0, old, start, sp, state;
	L4_ThreadId_t v, ag, d;
	L4_MsgTag_t tag;
	int halfway = 0;

	CHECK(page);
	*(volatile L4_Word_t *)page = PR_MAGIC;
	/* A small pool: as many mappings as it holds, less a margin. */
	if (pr_ram_mb() <= 64 && (free = pr_free_pages()) != 0)
		n = free > DL_SPARE + DL_MANY / DL_PER_PAGE ? DL_MANY :
		    free > DL_SPARE + 40 ? (free - DL_SPARE) * DL_PER_PAGE : 40 * DL_PER_PAGE;
	v = rt_task_create(dl_victim, 0, rt_pager());
	CHECK(!L4_IsNilThread(v));
	RUN(pr_map_many(v, page, DL_TOP, RT_PAGE_SIZE, 1));
	ag = rt_agent_create(L4_Myself());
	CHECK(!L4_IsNilThread(ag));
	RUN(t_ag_accept(ag, DL_WIN, 12));
	CHECK(rt_agent_post(ag, RT_AG_RECV, 0, 0));
	rt_msg(PR_LABEL_FWD, 1, &ag.raw);
	CHECK(L4_IpcSucceeded(L4_Send_Timeout(v, rt_us(T_WAIT_US))));
	tag = rt_agent_result(ag, 0);
	CHECK(t_ag_ok(tag));
	CHECK(L4_IpcSucceeded((L4_MsgTag_t) { .raw = rt_mr(1) }));
	CHECK(t_wait_for(&t_shared[DL_FWD], 1, T_WAIT_US));
	RUN(t_ag_reads(ag, DL_WIN, PR_MAGIC));
	d = rt_thread_prepare(v.raw, &sp);
	CHECK(!L4_IsNilThread(d));
	CHECK(L4_Set_Priority(d, PR_LOW_PRIO) != L4_SCHEDRESULT_ERROR);
	RUN(pr_map_many(v, page, DL_BASE, RT_PAGE_SIZE, n));

	rt_sleep_us(PR_LOOK_US);	/* from a tick on: the deleter has a whole one */
	L4_Start_SpIp(d, sp, (L4_Word_t)dl_deleter);
	start = rt_now_us();
	while (!t_shared[DL_DONE] && rt_now_us() - start < PR_LIMIT_US) {
		rt_sleep_us(PR_LOOK_US);
		looks++;
		state = L4_Schedule(v, ~0UL, ~0UL, ~0UL, ~0UL, &old);
		if (state != L4_SCHEDRESULT_ERROR && state != L4_SCHEDRESULT_DEAD)
			continue;	/* the deletion has not begun */
		/* The victim's thread is gone: is what it passed on still there? */
		tag = rt_agent_cmd(ag, RT_AG_READ, 1, &addr);
		halfway = t_ag_ok(tag) && rt_mr(1) == PR_MAGIC;
		if (!halfway)
			CHECK(rt_is_pagefault(tag));	/* it went with the task */
		break;
	}
	CHECK(t_wait_for(&t_shared[DL_DONE], 1, PR_LIMIT_US));
	printf("#   deleting a task with %lu mappings: %lu ms; looked %lu times, %s\n", n + 1,
	       t_shared[DL_US] / 1000, looks, halfway ? "once halfway" : "never halfway");
	CHECK_EQ(t_shared[DL_RESULT], 1);
	CHECK(halfway);
	/* And the agent's copy went with the victim. */
	RUN(t_ag_faults(ag, DL_WIN, 0));
	return 0;
}

const struct test preempt_tests[] = {
	TEST(preempt_string_ipc_observed),
	TEST(preempt_unmap_observed),
	TEST(preempt_delete_task_observed),
	{ 0 },
};
