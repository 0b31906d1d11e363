/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Hostile uses of taking lent memory back (docs/attack-surface.md,
 * docs/kernel-memory.md "Taking lent memory back"):
 *  - the kpager grants the frame it lent as a task's page directory to
 *    that very task, which then takes it back itself: the directory of the
 *    space that is running is exported in the middle of its own Unmap;
 *  - a task whose page directory its kpager took back, its page tables
 *    still lent and no longer linked anywhere, is deleted: every page must
 *    come back to the kpager.
 * Each asserts what the kernel did (the frame vacant and no longer lent,
 * the kernel page faults asked, the pages back) and that a sentinel task
 * under another kpager still works.  In a KMEM=pool kernel nothing is
 * lent: the tests check that the task works and say no more.
 */
#include "t_kpreempt.h"
#include "t_kplog.h"
#include "t_attack.h"
#include "t_pool.h"
#include <lent/kmem.h>

#define AK_POOL		24
#define AK_WINDOW	0x54000000UL    /* a 4 MB region the task never used */
#define AK_DATA		0x00400000UL    /* free, in the region of the task's code */

static volatile struct t_kplog ak;
static L4_ThreadId_t ak_thread;

/* A fresh logging kpager lending from its slice of the tests' block
 * (t_pool.h), none of it lent. */
static const char *ak_start(void)
{
	if (!ak.pool) {
		ak.pool = t_pool(T_POOL_AK, AK_POOL);
		ak.pages = AK_POOL;
	}
	return t_kplog_start(&ak, AK_POOL, &ak_thread);
}

/* The pool page lent now for (kind, cid), or 0. */
static L4_Word_t ak_lent_for(unsigned kind, L4_Word_t cid)
{
	return t_kplog_lent_for(&ak, kind, cid);
}

/* Pages of the pool lent now. */
static L4_Word_t ak_lent_now(void)
{
	L4_Word_t n = 0;

	for (L4_Word_t p = 0; p < AK_POOL; p++)
		n += lent_kmem_control(0, LENT_KMEM_LENT, ak.pool + p * RT_PAGE_SIZE);
	return n;
}

/* A kernel that lends nothing (KMEM=pool): the task goes, nothing to
 * take back. */
static const char *ak_nothing_lent(L4_ThreadId_t t)
{
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0), 0);
	CHECK_EQ(L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	return 0;
}

/* A sentinel task under the root's kpager: it is made, says who it is
 * (its UTCB, the KIP's stubs) and goes. */
static const char *ak_sentinel_works(void)
{
	L4_ThreadId_t s = rt_agent_create(rt_main_thread());

	CHECK(!L4_IsNilThread(s));
	CHECK(t_ag_ok(rt_agent_cmd(s, RT_AG_SELF, 0, 0)));
	CHECK_EQ(rt_mr(3), s.raw);
	rt_release(s);
	return 0;
}

/*
 * The kpager grants the task the frame it lent as the task's page
 * directory, at AK_WINDOW; the task, now where the lender was, unmaps it
 * from the kernel with an Unmap of its own page.  The directory of the
 * running space is so taken back in the middle of that space's own
 * system call: the Unmap ends as usual (MR0 the fpage with no access
 * bits), the task reads the page vacant, and its next access asks the
 * kpager for a directory again, once.
 */
static const char *t_attack_kpre_own_directory_in_own_unmap(void)
{
	L4_ThreadId_t t;
	L4_Word_t data, res[5], sec, a[2];

	RUN(ak_start());
	RUN(t_kpre_task(&t, ak_thread, &data));
	L4_Word_t page = ak_lent_for(LENT_KMEM_PDIR, LENT_CID_PDIR);
	if (!page)
		return ak_nothing_lent(t);
	L4_Fpage_t fp = L4_FpageAddRights(L4_FpageLog2(page, 12), L4_FullyAccessible);
	RUN(t_ag_accept(t, AK_WINDOW, 12));
	RUN(t_ag_give(t, L4_GrantItem(fp, 0).raw[0], L4_GrantItem(fp, 0).raw[1], res, &sec));
	CHECK_EQ(sec, 0);
	L4_Word_t n = ak.n, pdirs = t_kplog_count(t, LENT_KMEM_PDIR);
	CHECK_EQ(pdirs, 1);
	a[0] = 0;
	a[1] = L4_FpageAddRights(L4_FpageLog2(AK_WINDOW, 12), L4_FullyAccessible).raw;
	CHECK(t_ag_ok(rt_agent_cmd(t, RT_AG_UNMAP, 2, a)));
	CHECK_EQ(rt_mr(1), L4_FpageLog2(AK_WINDOW, 12).raw);
	/* Given back: its very next access asked for a directory, and only
	 * that (the tables still lent went back in their slots). */
	CHECK_EQ(ak.n, n + 1);
	RUN(t_kplog_fault_was(&ak, n % T_KPLOG_LOG, t, LENT_KMEM_PDIR, LENT_CID_PDIR));
	CHECK(ak.page[n % T_KPLOG_LOG] != page);
	CHECK_EQ(t_kplog_count(t, LENT_KMEM_PDIR), 1);
	/* The task holds the page itself now, vacant. */
	CHECK(t_ag_ok(rt_agent_cmd(t, RT_AG_READ, 1, (L4_Word_t[]){ AK_WINDOW + 0x300 * 4 })));
	CHECK_EQ(rt_mr(1), 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, page), 0);
	RUN(t_kpre_works(t, data));
	RUN(ak_sentinel_works());
	CHECK_EQ(L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(ak_lent_now(), 0);
	/* The page went with the task: the root's next touch has it back
	 * from sigma0, its pager, for the pool of the next test. */
	CHECK_EQ(((volatile L4_Word_t *)page)[0], 0);
	return 0;
}

/*
 * The kpager takes back the page directory of a task whose thread waits
 * for a command, and the task is deleted before it runs again: its page
 * tables, still lent but linked in no directory, its UTCB page and its
 * TCB page all come back to the kpager, and nothing else is asked.
 */
static const char *t_attack_kpre_task_deleted_without_directory(void)
{
	L4_ThreadId_t t;
	L4_Word_t data;

	RUN(ak_start());
	RUN(t_kpre_task(&t, ak_thread, &data));
	L4_Word_t page = ak_lent_for(LENT_KMEM_PDIR, LENT_CID_PDIR);
	if (!page)
		return ak_nothing_lent(t);
	L4_Word_t lent = ak_lent_now(), n = ak.n;
	CHECK(t_kplog_count(t, LENT_KMEM_PT) >= 2);
	CHECK(t_kplog_count(t, LENT_KMEM_UTCB) >= 1);
	(void)L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(page, 12), L4_FullyAccessible));
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, page), 0);
	CHECK_EQ(ak_lent_now(), lent - 1);
	for (unsigned i = 0; i < RT_PAGE_SIZE / sizeof(L4_Word_t); i++)
		CHECK_EQ(((volatile L4_Word_t *)page)[i], 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0), 0);
	CHECK_EQ(L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(ak.n, n);
	CHECK_EQ(ak_lent_now(), 0);
	/* Every page it had came back vacant: the kernel left nothing in them. */
	for (L4_Word_t i = 0; i < ak.n && i < T_KPLOG_LOG; i++)
		for (unsigned w = 0; ak.page[i] && w < RT_PAGE_SIZE / sizeof(L4_Word_t); w++)
			CHECK_EQ(((const volatile L4_Word_t *)ak.page[i])[w], 0);
	return ak_sentinel_works();
}

/*
 * A page mapped to a task is revoked while the task's page directory is
 * taken back, its page tables still lent but linked in no directory.  The
 * revocation must reach those tables too: when the directory is lent
 * again and the tables go back in their slots, the task's read of the
 * page faults to its pager.  It must not find the old translation (the
 * frame is its pager's again, and may be anybody's by then).
 */
static const char *t_attack_kpre_revoked_while_directory_taken(void)
{
	L4_ThreadId_t t;
	L4_Word_t data, value = t_page();

	CHECK(value != 0);
	RUN(ak_start());
	RUN(t_kpre_task(&t, ak_thread, &data));
	RUN(t_attack_map_marked(t, value, AK_WINDOW, T_KPRE_DATA + 2));
	L4_Word_t page = ak_lent_for(LENT_KMEM_PDIR, LENT_CID_PDIR);
	if (!page) {
		RUN(t_ag_reads(t, AK_WINDOW, T_KPRE_DATA + 2));
		return ak_nothing_lent(t);
	}
	L4_Word_t n = ak.n;
	(void)L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(page, 12), L4_FullyAccessible));
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, page), 0);
	/* The pager takes its page back from the task (and keeps it). */
	(void)L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(value, 12), L4_FullyAccessible));
	/* The task's next access asks for a directory; its read of the
	 * revoked page then faults to its pager. */
	RUN(t_ag_faults(t, AK_WINDOW, 0));
	CHECK_EQ(ak.n, n + 1);
	RUN(t_kplog_fault_was(&ak, n % T_KPLOG_LOG, t, LENT_KMEM_PDIR, LENT_CID_PDIR));
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0), 0);
	CHECK_EQ(L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(ak_lent_now(), 0);
	return ak_sentinel_works();
}

/* The pool page the kpager lends next, or 0. */
static L4_Word_t ak_next_lent(void)
{
	return t_pool_next_unlent(ak.pool, ak.next, AK_POOL);
}

/*
 * The same through lending: the kpager maps task T the page it lends
 * next, T's directory is taken back, and the page is then lent as the
 * node table of another task U.  Lending takes every translation of the
 * frame, the one in T's unlinked page table too: once T's directory is
 * back, its read faults to its pager instead of showing U's kernel data.
 */
static const char *t_attack_kpre_lent_while_directory_taken(void)
{
	L4_ThreadId_t t, u;
	L4_Word_t data, udata, res[5], sec, value = t_page();

	CHECK(value != 0);
	((volatile L4_Word_t *)value)[0] = T_KPRE_DATA + 3;
	RUN(ak_start());
	RUN(t_kpre_task(&t, ak_thread, &data));
	RUN(t_kpre_task(&u, ak_thread, &udata));
	L4_Word_t page = ak_lent_for(LENT_KMEM_PDIR, LENT_CID_PDIR);
	L4_Word_t p = ak_next_lent();
	CHECK(p != 0);
	/* In the region of T's code: T has its kernel memory already. */
	RUN(t_attack_map_marked(t, p, AK_DATA, T_KPRE_DATA + 4));
	if (page) {
		(void)L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(page, 12), L4_FullyAccessible));
		CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, page), 0);
	}
	/* U's map into a fresh region: its node table is p. */
	L4_Word_t n = ak.n;
	RUN(t_ag_accept(u, AK_WINDOW, 12));
	RUN(t_ag_give_map(u, t_map_item(value, 12, L4_Readable, 0), res, &sec));
	CHECK_EQ(sec, 0);
	RUN(t_ag_reads(u, AK_WINDOW, T_KPRE_DATA + 3));
	if (!page) {
		RUN(t_ag_reads(t, AK_DATA, T_KPRE_DATA + 4));
		CHECK_EQ(L4_ThreadControl(u, L4_nilthread, L4_nilthread, L4_nilthread,
					  (void *)-1), 1);
		return ak_nothing_lent(t);
	}
	RUN(t_kplog_fault_was(&ak, n % T_KPLOG_LOG, u, LENT_KMEM_NT, lent_cid_nt(AK_WINDOW)));
	CHECK_EQ(ak.page[n % T_KPLOG_LOG], p);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, p), 1);
	/* T's directory comes back; the lent frame does not come with it. */
	RUN(t_ag_faults(t, AK_DATA, 0));
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0), 0);
	CHECK_EQ(L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(L4_ThreadControl(u, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(ak_lent_now(), 0);
	return ak_sentinel_works();
}

const struct test attack_kpre_tests[] = {
	TEST(attack_kpre_revoked_while_directory_taken),
	TEST(attack_kpre_lent_while_directory_taken),
	TEST(attack_kpre_own_directory_in_own_unmap),
	TEST(attack_kpre_task_deleted_without_directory),
	{ 0 }
};
