/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Hostile tests of the preemption points (kernel/preempt.h), part two:
 * an Unmap and a task deletion, each stopped in the middle and poked
 * from outside, caught as t_pattack_xfer.c says (which has the string
 * transfers; t_pattack_map.c has the map operations).
 */
#include "t_preempt.h"
#include "t_sync.h"

#define PA_LABEL_MAP	0x7102
#define PA_LABEL_GO	0x7103

/* ---- Unmap stopped in the middle ---- */

/*
 * A task holds main's page in 32 of the 4 MB regions of a 1 GB fpage and
 * unmaps that fpage 64 times in one Unmap (as in t_preempt.c).  A second
 * thread of the task, above it in priority, catches the Unmap half done
 * (MR1 answered, MR62 not) and then either
 *  - halts the unmapper: its MRs stay as they are while it is halted,
 *    and let go, it finishes with every MR answered; or
 *  - sends it elsewhere with a new IP, where it makes a fresh
 *    Unmap of 64 small fpages through the same KIP stub: that call must
 *    not go on with the old one's progress, so every one of its 64 MRs
 *    is answered (rights replaced by access bits: none, never touched).
 */
#define UM_FRESH_BASE	0x80000000UL
enum { UM_TID = 8, UM_LOADED, UM_DONE, UM_BAD, UM_CAUGHT, UM_HELD, UM_FRESH, UM_FRESH_BAD,
       UM_SEEN, UM_MODE };

static void um_fresh(void)
{
	L4_Word_t bad = 0;
	int i;

	for (i = 0; i < PT_UM_FPAGES; i++) {
		L4_Fpage_t fp = L4_FpageLog2(UM_FRESH_BASE + (L4_Word_t)i * RT_PAGE_SIZE, 12);

		L4_Set_Rights(&fp, L4_FullyAccessible);
		L4_LoadMR(i, fp.raw);
	}
	L4_Unmap(PT_UM_FPAGES - 1);
	for (i = 0; i < PT_UM_FPAGES; i++)
		if (rt_mr(i) & L4_FullyAccessible)
			bad |= 1UL << (i / 2);
	t_shared[UM_FRESH_BAD] = bad;
	t_shared[UM_FRESH] = 1;
	for (;;)
		L4_Sleep(L4_Never);
}

static void um_unmapper(L4_Word_t arg)
{
	L4_Word_t bad = 0;
	int i;

	(void)arg;
	pt_take_maps_until(PA_LABEL_GO);
	for (i = 0; i < PT_UM_FPAGES; i++)
		L4_LoadMR(i, pt_um_input());
	t_shared[UM_LOADED] = 1;
	L4_Unmap(PT_UM_FPAGES - 1);
	for (i = 0; i < PT_UM_FPAGES; i++)
		if (rt_mr(i) != (pt_um_input() & ~(L4_Word_t)L4_FullyAccessible))
			bad = rt_mr(i) | 1;
	t_shared[UM_BAD] = bad;
	t_shared[UM_DONE] = 1;
	for (;;)
		L4_Sleep(L4_Never);
}

static void um_observer(L4_Word_t arg)
{
	volatile L4_Word_t *mr = (volatile L4_Word_t *)(RT_UTCB_AREA_BASE + RT_UTCB_MR0_OFFSET);
	L4_ThreadId_t u = { .raw = t_shared[UM_TID] };
	L4_Word_t snap[PT_UM_FPAGES], k, start = rt_now_us();
	int i, held = 1;

	(void)arg;
	while (!t_shared[UM_DONE] && rt_now_us() - start < PT_LIMIT_US) {
		rt_sleep_us(PT_LOOK_US);
		if (!t_shared[UM_LOADED])
			continue;
		if (pt_um_halfway(mr))
			break;
	}
	if (t_shared[UM_DONE] || !t_shared[UM_LOADED]) {
		t_shared[UM_SEEN] = 1;
		return;
	}
	t_shared[UM_CAUGHT] = 1;
	if (t_shared[UM_MODE] == 0) {
		pt_exregs(u, PT_EX_SET_HALT | PT_EX_HALT_FLAG, 0, 0);
		for (i = 0; i < PT_UM_FPAGES; i++)
			snap[i] = mr[i];
		for (k = 0; k < 5; k++)
			rt_sleep_us(PT_LOOK_US);
		for (i = 0; i < PT_UM_FPAGES; i++)
			if (mr[i] != snap[i])
				held = 0;
		t_shared[UM_HELD] = held && !t_shared[UM_DONE];
		pt_exregs(u, PT_EX_SET_HALT, 0, 0);
	} else {
		pt_exregs(u, PT_EX_IP, 0, (L4_Word_t)um_fresh);
	}
	t_shared[UM_SEEN] = 1;
}

static const char *um_attack(L4_Word_t mode)
{
	L4_Word_t page = t_page();

	CHECK(page);
	t_shared[UM_MODE] = mode;
	RUN(pt_um_start(um_unmapper, um_observer, page, PA_LABEL_MAP, PA_LABEL_GO,
			&t_shared[UM_TID]));
	CHECK(t_wait_for(&t_shared[UM_SEEN], 1, PT_LIMIT_US));
	CHECK_EQ(t_shared[UM_CAUGHT], 1);
	if (mode == 0) {
		CHECK_EQ(t_shared[UM_HELD], 1);
		CHECK(t_wait_for(&t_shared[UM_DONE], 1, PT_LIMIT_US));
		CHECK_EQ(t_shared[UM_BAD], 0);
	} else {
		CHECK(t_wait_for(&t_shared[UM_FRESH], 1, PT_LIMIT_US));
		CHECK_EQ(t_shared[UM_FRESH_BAD], 0);
		CHECK_EQ(t_shared[UM_DONE], 0);
	}
	return 0;
}

static const char *t_pattack_unmap_halted_midway_holds_then_finishes(void)
{
	return um_attack(0);
}

static const char *t_pattack_unmap_moved_midway_fresh_call_starts_over(void)
{
	return um_attack(1);
}

/* ---- the deleter of a large task is deleted itself ---- */

/*
 * A low-priority root thread D deletes a task V that holds main's page
 * at many addresses and once more at PT_DL_TOP, which V mapped on to an
 * agent (the deletion load of t_preempt.h).  Main catches the deletion
 * under way (V's thread gone, D not back yet) and deletes D.  The idle
 * loop must finish V: the agent's copy goes, and every kernel page comes
 * back (where the pool is small enough to count).
 */
#define DL_LABEL_FWD	0x7104
enum { DL_DONE = 20, DL_FWD };

static void dl_victim(L4_Word_t arg)
{
	L4_ThreadId_t agent;
	L4_MapItem_t m = t_map_item(PT_DL_TOP, 12, L4_Readable, PT_DL_WIN);
	L4_MsgTag_t tag;

	(void)arg;
	L4_Accept(L4_MapGrantItems(L4_CompleteAddressSpace));
	for (;;) {
		tag = L4_Receive(rt_main_thread());
		if (L4_IpcFailed(tag) || L4_Label(tag) != DL_LABEL_FWD)
			continue;
		agent.raw = rt_mr(1);
		t_load(PA_LABEL_MAP, 0, 0, 2, m.raw);
		tag = L4_Send(agent);
		t_shared[DL_FWD] = L4_IpcFailed(tag) ? 0x100 | L4_ErrorCode() : 1;
	}
}

static void dl_deleter(L4_Word_t victim)
{
	L4_ThreadId_t v = { .raw = victim };

	(void)L4_ThreadControl(v, L4_nilthread, L4_nilthread, L4_nilthread, (void *)~0UL);
	t_shared[DL_DONE] = 1;
}

/* One try; *caught says whether main caught the deleter midway (if the
 * deletion ended between two looks, the try proves nothing: the caller
 * tries again). */
static const char *dl_try(L4_Word_t page, int *caught_out)
{
	L4_Word_t n = PT_DL_MANY, addr = PT_DL_WIN, before, after, sp, old;
	L4_Word_t start, state, reads = 0;
	L4_ThreadId_t v, ag, d;
	L4_MsgTag_t tag;
	int caught = 0;

	t_shared[DL_DONE] = t_shared[DL_FWD] = 0;
	*(volatile L4_Word_t *)page = 0x5eed1234UL;
	(void)pt_free_pages();
	before = pt_free_pages();
	if (before)
		n = pt_dl_mappings(before);
	v = rt_task_create(dl_victim, 0, rt_pager());
	CHECK(!L4_IsNilThread(v));
	RUN(pt_map_many(v, PA_LABEL_MAP, page, PT_DL_TOP, RT_PAGE_SIZE, 1));
	ag = rt_agent_create(L4_Myself());
	CHECK(!L4_IsNilThread(ag));
	RUN(t_ag_accept(ag, PT_DL_WIN, 12));
	CHECK(rt_agent_post(ag, RT_AG_RECV, 0, 0));
	rt_msg(DL_LABEL_FWD, 1, &ag.raw);
	CHECK(L4_IpcSucceeded(L4_Send(v)));
	tag = rt_agent_result(ag, 0);
	CHECK(t_ag_ok(tag));
	t_until(&t_shared[DL_FWD], 1);
	RUN(t_ag_reads(ag, PT_DL_WIN, 0x5eed1234UL));
	d = rt_thread_prepare(v.raw, &sp);
	CHECK(!L4_IsNilThread(d));
	CHECK(L4_Set_Priority(d, PT_LOW_PRIO) != L4_SCHEDRESULT_ERROR);
	RUN(pt_map_many(v, PA_LABEL_MAP, page, PT_DL_BASE, RT_PAGE_SIZE, n));

	rt_sleep_us(PT_LOOK_US);
	L4_Start_SpIp(d, sp, (L4_Word_t)dl_deleter);
	start = rt_now_us();
	while (!t_shared[DL_DONE] && rt_now_us() - start < PT_LIMIT_US) {
		rt_sleep_us(PT_LOOK_US);
		state = L4_Schedule(v, ~0UL, ~0UL, ~0UL, ~0UL, &old);
		if (state != L4_SCHEDRESULT_ERROR && state != L4_SCHEDRESULT_DEAD)
			continue;
		/* V's thread is gone and D has not come back: delete D. */
		if (t_shared[DL_DONE])
			break;
		CHECK_EQ(L4_ThreadControl(d, L4_nilthread, L4_nilthread, L4_nilthread,
					  (void *)~0UL), 1);
		caught = 1;
		break;
	}
	*caught_out = caught;
	if (!caught) {
		printf("#   the deletion ended between two looks: once more\n");
		CHECK(t_wait_for(&t_shared[DL_DONE], 1, PT_LIMIT_US));
		rt_release(ag);
		rt_release(d);
		rt_release(v);
		rt_agent_reset();
		return 0;
	}
	/* The idle loop finishes V: the agent's copy goes with it. */
	start = rt_now_us();
	for (;;) {
		rt_sleep_us(1000);
		tag = rt_agent_cmd(ag, RT_AG_READ, 1, &addr);
		if (rt_is_pagefault(tag))
			break;
		CHECK(t_ag_ok(tag));
		CHECK_EQ(rt_mr(1), 0x5eed1234UL);
		reads++;
		CHECK(rt_now_us() - start < PT_LIMIT_US);
	}
	CHECK_EQ(t_shared[DL_DONE], 0);
	printf("#   %lu mappings; the agent read its copy %lu more times after the deleter died\n",
	       n + 1, reads);
	rt_release(ag);
	rt_release(d);
	rt_release(v);
	rt_agent_reset();
	if (before) {
		after = pt_free_pages();
		CHECK_EQ(after, before);
	}
	return 0;
}

#define DL_TRIES 3

static const char *t_pattack_deleter_deleted_midway(void)
{
	L4_Word_t page = t_page();
	int caught = 0, i;

	CHECK(page);
	for (i = 0; i < DL_TRIES && !caught; i++)
		RUN(dl_try(page, &caught));
	CHECK(caught);
	return 0;
}

const struct test preempt_attack_space_tests[] = {
	TEST(pattack_unmap_halted_midway_holds_then_finishes),
	TEST(pattack_unmap_moved_midway_fresh_call_starts_over),
	TEST(pattack_deleter_deleted_midway),
	{ 0 },
};
