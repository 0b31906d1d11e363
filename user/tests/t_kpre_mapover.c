/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A map onto a mapping whose record's node page its kpager took back
 * (issue 7; kernel/space_split_away.c).  The receiver's
 * kernel memory for the map is gathered before it acts: its node table
 * and room, and, since this test, the node page holding the record the
 * map replaces or widens (space_split_have_dest).  Before, the map found
 * that page away and failed for want of memory: the sender and the
 * receiver saw IPC error 4 (found by the hostile kpager's workload,
 * t_kpreempt_work.c, when its pager mapped a page again).  The tree
 * database (the default build) takes no node page back: there the same
 * calls must succeed too, with nothing away.
 */
#include "t_kpreempt.h"
#include "t_pool.h"
#include "../../kpager/kpager.h"
#include <lent/kmem.h>

#define MO_POOL		32
#define MO_WINDOW	0x4a000000UL
#define MO_MARK		0x6d6f7631UL
#define MO_FILL_AT	0x4a400000UL
#define MO_FILL_LOG2	18              /* 64 pages of main's, none lent */
#define MO_FILL_PAGES	64
_Static_assert(T_POOL_MO + MO_POOL <= T_POOL_MO_STORE &&
	       T_POOL_MO_STORE + PREEMPT_RECORDS <= T_POOL_MO_PAGE &&
	       T_POOL_MO_FILL >= T_POOL_MO + MO_POOL && T_POOL_MO_FILL + MO_FILL_PAGES <= T_POOL_PAGES,
	       "t_pool.h's slices for this file overlap");

static struct kpager_preempt mo;

/* A (the preempting kpager's) gets page at MO_WINDOW with rights from
 * main, every page of its kernel memory taken back (in the split build,
 * the node page with A's record there among them) once it waits for the
 * map, so that nothing it runs brings that page back first.  The IPC's
 * errors in *ec (receiver) and *sec (sender). */
static const char *mo_give_at(L4_ThreadId_t a, L4_Word_t page, int log2, L4_Word_t rights,
			      L4_Word_t at, L4_Word_t *ec, L4_Word_t *sec, L4_Word_t *taken)
{
	L4_MapItem_t m = L4_MapItem(L4_FpageAddRights(L4_FpageLog2(page, log2), rights), 0);
	L4_Word_t items[2] = { m.raw[0], m.raw[1] };
	L4_MsgTag_t tag;

	RUN(t_ag_accept(a, at, log2));
	CHECK(rt_agent_post(a, RT_AG_RECV, 0, 0));
	*taken = preempt_take_back(&mo, 1);
	CHECK(!L4_IsNilThread(t_send_async(a, t_tag(0x6f, 0, 2), items, 0)));
	tag = rt_agent_result(a, 0);
	CHECK(t_ag_ok(tag));
	*ec = rt_mr(2);
	t_send_async_wait(&tag, sec);
	return 0;
}

static const char *mo_give(L4_ThreadId_t a, L4_Word_t page, L4_Word_t rights, L4_Word_t *ec,
			   L4_Word_t *sec, L4_Word_t *taken)
{
	return mo_give_at(a, page, 12, rights, MO_WINDOW, ec, sec, taken);
}

/* Windows first to last of 64 pages each, at MO_FILL_AT, each given 64
 * pages of main's (read-only, none lent): 64 records in A each. */
static const char *mo_fill(L4_ThreadId_t a, L4_Word_t first, L4_Word_t last)
{
	L4_Word_t fill = t_pool(T_POOL_MO_FILL, MO_FILL_PAGES), ec, sec, taken;

	CHECK(fill && !(fill & (MO_FILL_PAGES * RT_PAGE_SIZE - 1)));
	for (L4_Word_t i = first; i < last; i++) {
		RUN(mo_give_at(a, fill, MO_FILL_LOG2, L4_Readable,
			       MO_FILL_AT + i * MO_FILL_PAGES * RT_PAGE_SIZE, &ec, &sec, &taken));
		CHECK_EQ(ec, 0);
		CHECK_EQ(sec, 0);
	}
	return 0;
}

/* Map over it: the same page again, wider, with A's node pages away. */
static const char *t_kpre_mapover_record_away(void)
{
	L4_Word_t pool = t_pool(T_POOL_MO, MO_POOL), store = t_pool(T_POOL_MO_STORE, PREEMPT_RECORDS);
	L4_Word_t page = t_pool(T_POOL_MO_PAGE, 1), data, ec, sec, taken, w[2] = { MO_WINDOW, 1 };
	L4_ThreadId_t a, kp;

	CHECK(pool && store && page);
	RUN(t_pool_unlent(pool, MO_POOL));
	*(volatile L4_Word_t *)page = MO_MARK;
	kp = preempt_start(&mo, pool, MO_POOL, store, 0x3a1u);
	CHECK(!L4_IsNilThread(kp));
	RUN(t_kpre_task(&a, kp, &data));
	/* A's record at MO_WINDOW in a node page of its own: not the first
	 * (A's records of the pages it runs on, which its receive brings
	 * back), nor the last (the one with free entries, which a map
	 * gathers for its room).  Entries come from the lowest page with
	 * room. */
	RUN(mo_fill(a, 0, 2));
	RUN(mo_give(a, page, L4_Readable, &ec, &sec, &taken));
	CHECK_EQ(ec, 0);
	CHECK_EQ(sec, 0);
	RUN(t_ag_reads(a, MO_WINDOW, MO_MARK));
	RUN(mo_fill(a, 2, 4));
	/* The same page again, wider: the record widened. */
	RUN(mo_give(a, page, L4_FullyAccessible, &ec, &sec, &taken));
	if (lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0) >> LENT_KMEM_PT & 1)
		CHECK(taken >= 1);
	CHECK_EQ(ec, 0);
	CHECK_EQ(sec, 0);
	CHECK(t_ag_ok(rt_agent_cmd(a, RT_AG_WRITE, 2, w)));
	CHECK_EQ(((volatile L4_Word_t *)page)[0], 1);
	((volatile L4_Word_t *)page)[0] = MO_MARK;
	RUN(t_ag_reads(a, MO_WINDOW, MO_MARK));
	/* Another page of main's: the record replaced. */
	RUN(mo_give(a, data & ~(RT_PAGE_SIZE - 1), L4_Readable, &ec, &sec, &taken));
	CHECK_EQ(ec, 0);
	CHECK_EQ(sec, 0);
	RUN(t_ag_reads(a, MO_WINDOW + (data & (RT_PAGE_SIZE - 1)), T_KPRE_DATA));
	CHECK_EQ(L4_ThreadControl(a, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(L4_ThreadControl(kp, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0), 0);
	return 0;
}

const struct test kpre_mapover_tests[] = {
	TEST(kpre_mapover_record_away),
	{ 0 }
};
