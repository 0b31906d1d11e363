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
#include "t_preempt.h"
#include "t_sync.h"

#define PR_LABEL_MAP	0x7001
#define PR_LABEL_GO	0x7002
#define PR_LABEL_FWD	0x7003
#define PR_LABEL_STR	0x7004
#define PR_MAGIC	0x9e37a5c1UL

/* ---- string IPC ---- */

/*
 * The string load of t_preempt.h, with buffers of 16 pages (or smaller
 * ones if memory is short).  The sender sends the message str_msgs
 * times, more than 64 MB in all.
 */
#define STR_WORD	0x5a5a0000UL
#define STR_TOTAL	(64UL << 20)
enum { STR_SENT, STR_SND_EC, STR_RECEIVED, STR_RCV_BAD, STR_US };

static struct pt_str str;
static L4_Word_t str_msgs;

static void str_receiver(L4_Word_t arg)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;
	L4_Word_t k;

	(void)arg;
	for (k = 0; k < str_msgs; k++) {
		pt_str_load_buffers(&str);
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

	for (k = 0; k < str_msgs; k++) {
		pt_str_load_message(&str, PR_LABEL_STR);
		tag = L4_Send_Timeout(to, rt_us(PT_LIMIT_US));
		if (L4_IpcFailed(tag)) {
			t_shared[STR_SND_EC] = 0x100 | L4_ErrorCode();
			break;
		}
	}
	t_shared[STR_US] = rt_now_us() - t0;
	t_shared[STR_SENT] = 1;
}

static const char *t_preempt_string_ipc_observed(void)
{
	volatile L4_Word_t *rcv;
	L4_Word_t i, words, looks = 0, halfway = 0, start;
	L4_ThreadId_t r, s;

	CHECK(pt_str_buffers(&str, 4, 2));
	words = str.len / sizeof(L4_Word_t);
	str_msgs = STR_TOTAL / (PT_STR_ITEMS * str.len) + 1;
	/* Before and after each message rcv holds src[0]'s words only. */
	pt_str_fill(&str, STR_WORD);
	rcv = (volatile L4_Word_t *)str.rcv;
	r = rt_thread_create(str_receiver, 0);
	CHECK(!L4_IsNilThread(r));
	s = pt_low_thread(str_sender, r.raw);
	CHECK(!L4_IsNilThread(s));
	start = rt_now_us();
	while (!t_shared[STR_SENT] && rt_now_us() - start < PT_LIMIT_US) {
		rt_sleep_us(PT_LOOK_US);
		looks++;
		if (pt_str_halfway(&str))
			halfway++;
	}
	CHECK_EQ(t_shared[STR_SENT], 1);
	printf("#   %lu x %lu KB sent %lu times in %lu ms; %lu of %lu looks saw a copy halfway\n",
	       (L4_Word_t)PT_STR_ITEMS, str.len >> 10, str_msgs, t_shared[STR_US] / 1000,
	       halfway, looks);
	CHECK_EQ(t_shared[STR_SND_EC], 0);
	t_until_at_least(&t_shared[STR_RECEIVED], str_msgs);
	CHECK_EQ(t_shared[STR_RECEIVED], str_msgs);
	CHECK_EQ(t_shared[STR_RCV_BAD], 0);
	/* The last substring, from src[0], covered all of the one before. */
	for (i = 0; i < words; i += 97)
		CHECK_EQ(rcv[i], STR_WORD);
	CHECK_EQ(rcv[words - 1], STR_WORD);
	CHECK(halfway > 0);
	return 0;
}

/* ---- Unmap ---- */

/*
 * The Unmap load of t_preempt.h: every pass walks each populated region
 * page by page.  A second thread of the task, above it in priority,
 * looks at the MRs (the access bits in the results are none here).
 */
enum { UM_LOADED = 8, UM_DONE, UM_BAD, UM_US, UM_LOOKS, UM_HALFWAY, UM_FIRST, UM_SEEN };

static void um_unmapper(L4_Word_t arg)
{
	L4_Word_t t0, bad = 0;
	int i;

	(void)arg;
	pt_take_maps_until(PR_LABEL_GO);
	for (i = 0; i < PT_UM_FPAGES; i++)
		L4_LoadMR(i, pt_um_input());
	t0 = rt_now_us();
	t_shared[UM_LOADED] = 1;
	L4_Unmap(PT_UM_FPAGES - 1);
	t_shared[UM_US] = rt_now_us() - t0;
	for (i = 0; i < PT_UM_FPAGES; i++)
		if (rt_mr(i) != (pt_um_input() & ~(L4_Word_t)L4_FullyAccessible))
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
		rt_sleep_us(PT_LOOK_US);
		if (!t_shared[UM_LOADED])
			continue;
		if (!looks++)
			t_shared[UM_FIRST] = mr[1];
		if (pt_um_halfway(mr))
			halfway++;
	}
	t_shared[UM_LOOKS] = looks;
	t_shared[UM_HALFWAY] = halfway;
	t_shared[UM_SEEN] = 1;
}

static const char *t_preempt_unmap_observed(void)
{
	L4_Word_t page = t_page(), regions = PT_UM_REGIONS;

	CHECK(page);
	*(volatile L4_Word_t *)page = PR_MAGIC;
	RUN(pt_um_start(um_unmapper, um_observer, page, PR_LABEL_MAP, PR_LABEL_GO, 0));
	CHECK(t_wait_for(&t_shared[UM_SEEN], 1, PT_LIMIT_US));
	printf("#   Unmap of %d x 1 GB over %lu regions: %lu ms; %lu of %lu looks saw it halfway\n",
	       PT_UM_FPAGES, regions, t_shared[UM_US] / 1000, t_shared[UM_HALFWAY],
	       t_shared[UM_LOOKS]);
	/* The observer read the right MRs: the input, or the result. */
	CHECK(t_shared[UM_FIRST] == pt_um_input() ||
	      t_shared[UM_FIRST] == (pt_um_input() & ~(L4_Word_t)L4_FullyAccessible));
	CHECK_EQ(t_shared[UM_BAD], 0);
	CHECK(t_shared[UM_HALFWAY] > 0);
	return 0;
}

/* ---- task deletion ---- */

/*
 * The deletion load of t_preempt.h.  A low-priority root thread deletes
 * the victim; main looks at every tick: once the victim's thread is
 * gone, the agent reads its copy.  While the deletion is under way it
 * reads main's word.
 */
enum { DL_DONE = 16, DL_RESULT, DL_EC, DL_US, DL_FWD };

static void dl_victim(L4_Word_t arg)
{
	L4_ThreadId_t agent;
	L4_MapItem_t m = t_map_item(PT_DL_TOP, 12, L4_Readable, PT_DL_WIN);
	L4_MsgTag_t tag;

	(void)arg;
	L4_Accept(L4_MapGrantItems(L4_CompleteAddressSpace));
	for (;;) {
		tag = L4_Receive(rt_main_thread());
		if (L4_IpcFailed(tag) || L4_Label(tag) != PR_LABEL_FWD)
			continue;
		agent.raw = rt_mr(1);
		t_load(PR_LABEL_MAP, 0, 0, 2, m.raw);
		tag = L4_Send(agent);
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
	L4_Word_t page = t_page(), n = PT_DL_MANY, addr = PT_DL_WIN, free;
	L4_Word_t looks = 0, old, start, sp, state;
	L4_ThreadId_t v, ag, d;
	L4_MsgTag_t tag;
	int halfway = 0;

	CHECK(page);
	*(volatile L4_Word_t *)page = PR_MAGIC;
	/* A small pool: as many mappings as it holds, less a margin. */
	if (t_ram_mb() <= 64 && (free = pt_free_pages()) != 0)
		n = pt_dl_mappings(free);
	v = rt_task_create(dl_victim, 0, rt_pager());
	CHECK(!L4_IsNilThread(v));
	RUN(pt_map_many(v, PR_LABEL_MAP, page, PT_DL_TOP, RT_PAGE_SIZE, 1));
	ag = rt_agent_create(L4_Myself());
	CHECK(!L4_IsNilThread(ag));
	RUN(t_ag_accept(ag, PT_DL_WIN, 12));
	CHECK(rt_agent_post(ag, RT_AG_RECV, 0, 0));
	rt_msg(PR_LABEL_FWD, 1, &ag.raw);
	CHECK(L4_IpcSucceeded(L4_Send(v)));
	tag = rt_agent_result(ag, 0);
	CHECK(t_ag_ok(tag));
	CHECK(L4_IpcSucceeded((L4_MsgTag_t) { .raw = rt_mr(1) }));
	t_until(&t_shared[DL_FWD], 1);
	RUN(t_ag_reads(ag, PT_DL_WIN, PR_MAGIC));
	d = rt_thread_prepare(v.raw, &sp);
	CHECK(!L4_IsNilThread(d));
	CHECK(L4_Set_Priority(d, PT_LOW_PRIO) != L4_SCHEDRESULT_ERROR);
	RUN(pt_map_many(v, PR_LABEL_MAP, page, PT_DL_BASE, RT_PAGE_SIZE, n));

	rt_sleep_us(PT_LOOK_US);	/* from a tick on: the deleter has a whole one */
	L4_Start_SpIp(d, sp, (L4_Word_t)dl_deleter);
	start = rt_now_us();
	while (!t_shared[DL_DONE] && rt_now_us() - start < PT_LIMIT_US) {
		rt_sleep_us(PT_LOOK_US);
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
	CHECK(t_wait_for(&t_shared[DL_DONE], 1, PT_LIMIT_US));
	printf("#   deleting a task with %lu mappings: %lu ms; looked %lu times, %s\n", n + 1,
	       t_shared[DL_US] / 1000, looks, halfway ? "once halfway" : "never halfway");
	CHECK_EQ(t_shared[DL_RESULT], 1);
	CHECK(halfway);
	/* And the agent's copy went with the victim. */
	RUN(t_ag_faults(ag, PT_DL_WIN, 0));
	return 0;
}

const struct test preempt_tests[] = {
	TEST(preempt_string_ipc_observed),
	TEST(preempt_unmap_observed),
	TEST(preempt_delete_task_observed),
	{ 0 },
};
