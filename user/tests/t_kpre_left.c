/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What was left of node pages and node tables taken back (issue 7;
 * kernel/space_split_away.c, docs/mapdb-split.md "How the kernel uses
 * it"), each seen failing before its fix:
 *   - the kernel counts the forms it refused and took in for a task
 *     (KmemControl STATS MR14, MR15), node pages among them, so that a
 *     kpager counts refusals by the kernel's word (before: a node page
 *     refused was taken as an empty one and counted nowhere);
 *   - a kpager may take back any number of a task's node tables (before:
 *     a ninth was kept by the kernel, its lender's Unmap got no frame);
 *   - a port whose node page went and came back is resolved on its I/O
 *     fault, as a page is on its page fault (before: the fault went to
 *     the task's pager);
 *   - a grant of part of a larger fpage asks for the sender's node pages
 *     away in the rest, whose records go (before: they stayed, and came
 *     back with their page).
 * Tasks A and B are t_kpre_map.c's (mk_begin): A's kpager keeps the
 * forms it takes back and gives them back when asked.
 */
#include "t_kpre_map.h"
#include "t_pool.h"
#include "t_sync.h"
#include <l4/arch.h>
#include <lent/kmem.h>
#include "../../kpager/kpager.h"

/* A's imports refused and taken in, by the kernel's word. */
static void kl_imports(L4_ThreadId_t a, L4_Word_t *refused, L4_Word_t *taken)
{
	(void)lent_kmem_control(a.raw, LENT_KMEM_STATS, 0);
	*refused = rt_mr(LENT_KMEM_STAT_IMPORTS_REFUSED);
	*taken = rt_mr(LENT_KMEM_STAT_IMPORTS_TAKEN);
}

/* A node page given back with a frame where the kernel keeps one (bytes
 * 32-35 of A's record of MK_AW) is refused and counted once as refused;
 * given back as it left, it is counted as taken in. */
static const char *t_kpre_left_imports_counted(void)
{
	L4_ThreadId_t a, b;
	L4_Word_t bdata, page = 0, r0, t0, r1, t1, r2, t2, count;
	int skip;

	RUN(mk_begin(&a, &b, &bdata, &page, &skip));
	if (skip)
		return 0;
	kl_imports(a, &r0, &t0);
	RUN(mk_edit_record(a, 8, page));
	RUN(mk_faults_then_reads(a, MK_AW, page));
	kl_imports(a, &r1, &t1);
	CHECK_EQ(r1, r0 + 1);
	CHECK(t1 >= t0);
	RUN(mk_take_pages(a, &count));
	RUN(t_ag_reads(a, MK_AW, MK_MARK));
	kl_imports(a, &r2, &t2);
	CHECK_EQ(r2, r1);
	CHECK(t2 >= t1 + 1);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0), 0);
	return mk_end(a, b);
}

/* More node tables of A away at once than the eight the kernel once
 * noted: each Unmap gives its frame back holding the table's external
 * form (a reference to A's record), and A reads each page again after
 * one kernel page fault, none to its pager. */
#define KL_TABLES	10
#define KL_AT		0x70000000UL    /* A's pages, one per 4 MB slot */
#define KL_MK_POOL	40              /* t_kpre_map.c's pool (T_POOL_MK) */

/* The page of the mk pool lent to A at cid, or 0. */
static L4_Word_t kl_lent_at(L4_ThreadId_t a, L4_Word_t cid)
{
	L4_Word_t pool = t_pool(T_POOL_MK, KL_MK_POOL);

	for (L4_Word_t i = 0; pool && i < KL_MK_POOL; i++) {
		L4_Word_t p = pool + i * RT_PAGE_SIZE;
		if (lent_kmem_control(a.raw, LENT_KMEM_WHERE, p) == 1 && rt_mr(1) == cid)
			return p;
	}
	return 0;
}

static const char *t_kpre_left_tables_away_unbounded(void)
{
	L4_ThreadId_t a, b;
	L4_Word_t bdata, page = 0, res[5], sec;
	int skip;

	RUN(mk_begin(&a, &b, &bdata, &page, &skip));
	if (skip)
		return 0;
	for (L4_Word_t i = 0; i < KL_TABLES; i++) {
		L4_Word_t va = KL_AT + (i << 22);
		RUN(t_ag_accept(a, va, 12));
		RUN(t_ag_give_map(a, t_map_item(page, 12, L4_FullyAccessible, 0), res, &sec));
		CHECK_EQ(sec, 0);
		RUN(t_ag_reads(a, va, MK_MARK));
	}
	for (L4_Word_t i = 0; i < KL_TABLES; i++) {
		L4_Word_t cid = lent_cid_nt(KL_AT + (i << 22)), at = kl_lent_at(a, cid);
		CHECK(at != 0);
		/* Not lent any more (checked there), and ours to read. */
		RUN(mk_take_back(cid));
		CHECK(((const volatile L4_Word_t *)at)[0] != 0);
	}
	for (L4_Word_t i = 0; i < KL_TABLES; i++)
		RUN(t_ag_reads(a, KL_AT + (i << 22), MK_MARK));
	/* And an Unmap at the root still reaches every one. */
	(void)L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(page, 12), L4_FullyAccessible));
	for (L4_Word_t i = 0; i < KL_TABLES; i++)
		RUN(mk_faults_then_reads(a, KL_AT + (i << 22), page));
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0), 0);
	return mk_end(a, b);
}

/*
 * A task holding COM1's scratch port, every node page of it taken back
 * and given back as it left by the preempting kpager (kpager/preempt.c):
 * its next inb finds its port's record unresolved, and the kernel
 * resolves it (asking for the node page first) with no I/O fault to its
 * pager.  Before, the I/O fault went to the pager, which had mapped
 * nothing away.
 */
#define KL_POOL		32              /* t_kpre_mapover.c's slices (T_POOL_MO*) */
#define KL_SCRATCH	0x3ffUL         /* COM1's scratch register */
#define KL_NEXT		0x12
#define KL_GOT		24              /* t_shared: what the child read */
_Static_assert(T_POOL_MO + KL_POOL <= T_POOL_MO_STORE, "t_pool.h's slices overlap");

static struct kpager_preempt kl_pre;

/* Reads the scratch register and calls main, twice. */
static void kl_child(L4_Word_t arg)
{
	(void)arg;
	for (unsigned i = 0; i < 2; i++) {
		t_shared[KL_GOT + i] = t_io_inb(KL_SCRATCH);
		L4_Set_MsgTag(L4_MsgTagAddLabel((L4_MsgTag_t){ .raw = 0 }, KL_NEXT + i));
		(void)L4_Call(L4_Pager());
	}
	for (;;)
		L4_Sleep(L4_Never);
}

static const char *t_kpre_left_port_resolved_on_io_fault(void)
{
	L4_Word_t pool = t_pool(T_POOL_MO, KL_POOL), store = t_pool(T_POOL_MO_STORE, PREEMPT_RECORDS);
	L4_ThreadId_t c, kp, from;
	L4_MsgTag_t tag;

	if (!kpre_lends()) {
		printf("#   skipped: this kernel lends no kernel memory (KMEM=pool)\n");
		return 0;
	}
	CHECK(pool && store);
	RUN(t_pool_unlent(pool, KL_POOL));
	CHECK(L4_Sigma0_GetPage(L4_nilthread, L4_IoFpageLog2(0x3f8, 3)).raw ==
	      (L4_IoFpageLog2(0x3f8, 3).raw | 7));
	L4_Word_t value = t_io_inb(KL_SCRATCH);
	kp = preempt_start(&kl_pre, pool, KL_POOL, store, 0x10f7u);
	CHECK(!L4_IsNilThread(kp));
	RUN(t_kpre_start(&c, kp, kl_child));
	/* Its first inb: an I/O fault; main maps it the scratch port. */
	tag = rt_serve(c, RT_NEVER_US, &from);
	CHECK(L4_IpcSucceeded(tag) && L4_Label(tag) == 0xff86);
	CHECK(t_kpre_reply_map(c, L4_IoFpageLog2(KL_SCRATCH, 0), 0));
	tag = rt_serve(c, RT_NEVER_US, &from);
	CHECK(L4_IpcSucceeded(tag) && L4_Label(tag) == KL_NEXT);
	CHECK_EQ(t_shared[KL_GOT], value);
	/* Its node pages away (the port's record among them), then back
	 * as they left when its kernel asks. */
	L4_Word_t taken = 0, restored = kl_pre.restored;
	for (L4_Word_t n = 0; n < 4; n++)
		taken += preempt_take_back_cid(&kl_pre, 1, lent_cid_nth(LENT_KMEM_MAP, n));
	CHECK(taken >= 1);
	L4_LoadMR(0, 0);
	CHECK(L4_IpcSucceeded(L4_Reply(c)));
	/* Its second inb: no I/O fault reaches main, its call does. */
	tag = rt_serve(c, RT_NEVER_US, &from);
	CHECK(L4_IpcSucceeded(tag));
	if (L4_Label(tag) != KL_NEXT + 1)
		printf("#   label %lx from the child, not its call\n", L4_Label(tag));
	CHECK_EQ(L4_Label(tag), KL_NEXT + 1);
	CHECK_EQ(t_shared[KL_GOT + 1], value);
	CHECK(kl_pre.restored >= restored + 1);
	CHECK_EQ(L4_ThreadControl(c, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(L4_ThreadControl(kp, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0), 0);
	return 0;
}

/*
 * A grant of part of a larger fpage gives up the rest too (X.2): the
 * rest's records in node pages its kpager took back are asked for
 * first, in the sender's name, and go.  A holds the root's page at
 * MK_AW and again at MK_AW + 4 KB, that second record in a node page of
 * its own apart (128 records of read-only pages made between them), which
 * its kpager takes back; A grants the 8 KB fpage to B's 4 KB window.
 * B reads the page; A's access to MK_AW + 4 KB then faults to its pager.
 * Before, the record stayed in the page away and came back with it: A
 * read the page again with no fault.
 */
#define KL_FILL_AT	0x61000000UL    /* in A's window: 3 x 64 pages */
#define KL_FILL_LOG2	18
#define KL_ENT_WORDS	12              /* a node page's 48-byte entries */

static const char *kl_fill(L4_ThreadId_t a, L4_Word_t i)
{
	L4_Word_t fill = t_pool(T_POOL_MK_FILL, 1 << (KL_FILL_LOG2 - 12)), res[5], sec;

	CHECK(fill && !(fill & ((1UL << KL_FILL_LOG2) - 1)));
	RUN(t_ag_accept(a, KL_FILL_AT + (i << KL_FILL_LOG2), KL_FILL_LOG2));
	RUN(t_ag_give_map(a, t_map_item(fill, KL_FILL_LOG2, L4_Readable, 0), res, &sec));
	CHECK_EQ(sec, 0);
	return 0;
}

/* The first record in node page form w (0: none), and whether it holds
 * a record of va. */
static L4_Word_t kl_form(const volatile L4_Word_t *w, L4_Word_t va, int *has)
{
	L4_Word_t first = 0;

	*has = 0;
	for (L4_Word_t k = 1; k < 85; k++) {
		if ((w[k * KL_ENT_WORDS] & 0xff) != 1)
			continue;
		if (!first)
			first = w[k * KL_ENT_WORDS + 1];
		*has |= w[k * KL_ENT_WORDS + 1] == va;
	}
	return first;
}

static const char *t_kpre_left_grant_rest_asks(void)
{
	L4_ThreadId_t a, b;
	L4_Word_t bdata, page = 0, res[5], sec, q = MK_AW + RT_PAGE_SIZE, away = 0;
	int skip;

	RUN(mk_begin(&a, &b, &bdata, &page, &skip));
	if (skip)
		return 0;
	RUN(kl_fill(a, 0));
	RUN(kl_fill(a, 1));
	RUN(t_ag_accept(a, q, 12));
	RUN(t_ag_give_map(a, t_map_item(page, 12, L4_FullyAccessible, 0), res, &sec));
	CHECK_EQ(sec, 0);
	RUN(t_ag_reads(a, q, MK_MARK));
	RUN(kl_fill(a, 2));
	/* The node page holding A's record of q and not of MK_AW: taken
	 * back; the others tried are brought back by A's read of a page
	 * whose record they hold. */
	for (L4_Word_t n = 0; !away && n < 8; n++) {
		L4_Word_t cid = lent_cid_nth(LENT_KMEM_MAP, n), at = kl_lent_at(a, cid), va;
		int has_q, has_x;
		if (!at)
			continue;
		RUN(mk_take_back(cid));
		va = kl_form((const volatile L4_Word_t *)at, q, &has_q);
		(void)kl_form((const volatile L4_Word_t *)at, MK_AW, &has_x);
		if (has_q && !has_x) {
			away = cid;
			break;
		}
		CHECK(va != 0);
		CHECK(t_ag_ok(rt_agent_cmd(a, RT_AG_READ, 1, &va)));
	}
	CHECK(away != 0);
	/* A grants MK_AW's 8 KB to B's 4 KB window. */
	L4_GrantItem_t g = L4_GrantItem(L4_FpageAddRights(L4_FpageLog2(MK_AW, 13), L4_FullyAccessible), 0);
	L4_Word_t w[4] = { b.raw, t_tag(0x6d, 0, 2).raw, g.raw[0], g.raw[1] };
	RUN(t_ag_accept(b, MK_BW, 12));
	CHECK(rt_agent_post(b, RT_AG_RECV, 0, 0));
	CHECK(rt_agent_post(a, RT_AG_SEND, 4, w));
	CHECK(t_ag_ok(rt_agent_result(a, 0)));
	CHECK_EQ(rt_mr(2), 0);
	CHECK(t_ag_ok(rt_agent_result(b, 0)));
	CHECK(L4_IpcSucceeded((L4_MsgTag_t) { .raw = rt_mr(1) }));
	RUN(t_ag_reads(b, MK_BW, MK_MARK));
	/* The rest went: A's access faults to its pager. */
	RUN(mk_faults_then_reads(a, q, page));
	RUN(mk_faults_then_reads(a, MK_AW, page));
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0), 0);
	return mk_end(a, b);
}

const struct test kpre_left_tests[] = {
	TEST(kpre_left_imports_counted),
	TEST(kpre_left_tables_away_unbounded),
	TEST(kpre_left_port_resolved_on_io_fault),
	TEST(kpre_left_grant_rest_asks),
	{ 0 }
};
