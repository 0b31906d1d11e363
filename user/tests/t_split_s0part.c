/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A client asks sigma0 again for a page it holds (docs/mapdb-split.md,
 * "Accounting"; docs/kernel-memory.md, "sigma0's own kernel memory").
 * Each mapping of a frame sigma0 hands out is a sender part in sigma0's
 * kernel memory: the first comes with the root, every further one from
 * sigma0's store, which sigma0 tops up before it answers a request for a
 * page its client may hold already.  So:
 *   - every request is answered with the page, and every window holds
 *     it, however often it is asked for;
 *   - the boot reserve (the privileged tasks' floor) and the pool's
 *     count for tasks do not move; sigma0's store gives at most a page
 *     per 84 mappings (a page of parts), and none when the same number
 *     is asked for again after the first were unmapped: what sigma0 pays
 *     follows what its clients hold at once, never how often they ask;
 *   - an unprivileged task doing the same leaves the root task able to
 *     get pages from sigma0 (not the client's) and make threads, and
 *     when it is deleted the floor and the pool are where they were.
 */
#include "tests.h"
#include "t_sync.h"
#include <lent/kmem.h>

#define SP_AGAIN	90		/* windows: more than a page of parts, and
					 * little of an 8 MB machine's margin (the
					 * root's windows keep their tables) */
#define SP_PARTS	84		/* sender parts in a node page */
#define SP_ROOT_BASE	0x6c000000UL	/* a 4 MB region no other test uses */
#define SP_CLIENT_BASE	0x6c000000UL	/* the same, in the client's space */
#define SP_MAGIC	0x5350a47UL

/* KmemControl OWNED: MR i in w[i]. */
static const char *sp_owned(L4_Word_t w[LENT_KMEM_OWNED_WORDS + 1])
{
	w[0] = lent_kmem_control(0, LENT_KMEM_OWNED, 0);
	CHECK(w[0] != 0);
	for (int i = 1; i <= LENT_KMEM_OWNED_WORDS; i++)
		w[i] = rt_mr(i);
	return 0;
}

/* User pages mapped in task t (KmemControl STATS). */
static L4_Word_t sp_mapped(L4_ThreadId_t t)
{
	(void)lent_kmem_control(t.raw, LENT_KMEM_STATS, 0);
	return rt_mr(LENT_KMEM_STAT_MAPPED);
}

/* The page at pa again, into window w (one page): 1 if sigma0 gave it. */
static int sp_again(L4_Word_t pa, L4_Word_t w)
{
	L4_Fpage_t got = L4_Sigma0_GetPage_RcvWindow(rt_sigma0(), L4_FpageLog2(pa, 12),
						     L4_FpageLog2(w, 12));

	return !L4_IsNilFpage(got) && L4_Address(got) == pa && L4_SizeLog2(got) == 12;
}

/* The root's own mappings of windows from .. to - 1 go (Flush). */
static void sp_unmap(L4_Word_t base, unsigned from, unsigned to)
{
	for (unsigned i = from; i < to; i++)
		(void)L4_Flush(L4_FpageAddRights(L4_FpageLog2(base + i * RT_PAGE_SIZE, 12),
						 L4_FullyAccessible));
}

/* The floor and the pool's count for tasks are where they were; sigma0's
 * store gave at most a page per SP_PARTS mappings (and one more). */
static const char *sp_paid_by_store(const L4_Word_t *base, const L4_Word_t *now,
				    unsigned mappings)
{
	L4_Word_t used = now[LENT_KMEM_OWN_SIGMA0_STORE_USED] -
			 base[LENT_KMEM_OWN_SIGMA0_STORE_USED];

	printf("#   %u mappings: sigma0's store uses %lu more pages\n", mappings, used);
	CHECK_EQ(now[0], base[0]);
	CHECK_EQ(now[LENT_KMEM_OWN_BOOT_TASKS], base[LENT_KMEM_OWN_BOOT_TASKS]);
	CHECK(used <= mappings / SP_PARTS + 1);
	CHECK(now[LENT_KMEM_OWN_SIGMA0_STORE] >= now[LENT_KMEM_OWN_SIGMA0_STORE_USED]);
	return 0;
}

/*
 * The root task gets a page, then asks for it again into SP_AGAIN fresh
 * windows, twice (unmapping them between): every window holds the page;
 * the second round costs sigma0 nothing more.
 */
static const char *t_split_s0part_root_asks_again(void)
{
	L4_Word_t base[LENT_KMEM_OWNED_WORDS + 1], now[LENT_KMEM_OWNED_WORDS + 1];
	L4_Word_t again[LENT_KMEM_OWNED_WORDS + 1], pa, before;
	L4_Fpage_t got;

	got = L4_Sigma0_GetPage_RcvWindow(rt_sigma0(), L4_FpageLog2(~0UL, 12),
					  L4_FpageLog2(SP_ROOT_BASE, 12));
	CHECK(!L4_IsNilFpage(got));
	pa = L4_Address(got);
	*(volatile L4_Word_t *)SP_ROOT_BASE = SP_MAGIC;
	RUN(sp_owned(base));
	for (int round = 0; round < 2; round++) {
		before = sp_mapped(L4_Myself());
		for (unsigned i = 1; i <= SP_AGAIN; i++) {
			if (!sp_again(pa, SP_ROOT_BASE + i * RT_PAGE_SIZE))
				printf("#   round %d: window %u refused\n", round, i);
			CHECK(sp_again(pa, SP_ROOT_BASE + i * RT_PAGE_SIZE));
		}
		CHECK_EQ(sp_mapped(L4_Myself()), before + SP_AGAIN);
		for (unsigned i = 1; i <= SP_AGAIN; i++)
			CHECK_EQ(*(volatile L4_Word_t *)(SP_ROOT_BASE + i * RT_PAGE_SIZE), SP_MAGIC);
		RUN(sp_owned(round ? again : now));
		sp_unmap(SP_ROOT_BASE, 1, SP_AGAIN + 1);
		CHECK_EQ(sp_mapped(L4_Myself()), before);
	}
	RUN(sp_paid_by_store(base, now, SP_AGAIN));
	/* The parts of the first round were freed and taken again. */
	CHECK_EQ(again[LENT_KMEM_OWN_SIGMA0_STORE_USED], now[LENT_KMEM_OWN_SIGMA0_STORE_USED]);
	sp_unmap(SP_ROOT_BASE, 0, 1);
	return 0;
}

/* What the unprivileged client reports; it shares the image with main. */
static volatile struct {
	L4_Word_t done, granted, refused, pa;
} sp;

/* The client: a page of its own, then that page again into SP_AGAIN
 * fresh windows; it stops at the first refusal. */
static void sp_client(L4_Word_t arg)
{
	L4_Fpage_t got;

	(void)arg;
	got = L4_Sigma0_GetPage_RcvWindow(rt_sigma0(), L4_FpageLog2(~0UL, 12),
					  L4_FpageLog2(SP_CLIENT_BASE, 12));
	if (!L4_IsNilFpage(got)) {
		sp.pa = L4_Address(got);
		for (unsigned i = 1; i <= SP_AGAIN; i++) {
			if (!sp_again(sp.pa, SP_CLIENT_BASE + i * RT_PAGE_SIZE)) {
				sp.refused++;
				break;
			}
			sp.granted++;
		}
	}
	sp.done = 1;
	for (;;)
		L4_Sleep(L4_Never);
}

/* One unprivileged client, then another once the first is deleted:
 * every request answered and mapped, the root task still served, the
 * floor untouched, the second costs sigma0 no more, and the end is
 * where the start was. */
static const char *t_split_s0part_unprivileged_client(void)
{
	L4_Word_t base[LENT_KMEM_OWNED_WORDS + 1], now[LENT_KMEM_OWNED_WORDS + 1];
	L4_Word_t second[LENT_KMEM_OWNED_WORDS + 1], end[LENT_KMEM_OWNED_WORDS + 1];
	L4_ThreadId_t c, t;
	L4_Fpage_t got;

	t_touch_image();
	RUN(sp_owned(base));
	for (int round = 0; round < 2; round++) {
		sp.done = sp.granted = sp.refused = sp.pa = 0;
		c = rt_task_create(sp_client, 0, rt_pager());
		CHECK(!L4_IsNilThread(c));
		t_until(&sp.done, 1);
		CHECK(sp.pa != 0);
		CHECK_EQ(sp.refused, 0);
		CHECK_EQ(sp.granted, SP_AGAIN);
		CHECK(sp_mapped(c) >= SP_AGAIN + 1);
		RUN(sp_owned(round ? second : now));
		/* The client's page is not the root's to have; any page is,
		 * and a thread. */
		CHECK(!sp_again(sp.pa, SP_ROOT_BASE));
		got = L4_Sigma0_GetPage_RcvWindow(rt_sigma0(), L4_FpageLog2(~0UL, 12),
						  L4_FpageLog2(SP_ROOT_BASE, 12));
		CHECK(!L4_IsNilFpage(got));
		*(volatile L4_Word_t *)SP_ROOT_BASE = SP_MAGIC;
		CHECK_EQ(*(volatile L4_Word_t *)SP_ROOT_BASE, SP_MAGIC);
		sp_unmap(SP_ROOT_BASE, 0, 1);
		t = rt_thread_create(t_sleeper, 0);
		CHECK(!L4_IsNilThread(t));
		CHECK(rt_release(t));
		CHECK(rt_release(c));
	}
	RUN(sp_paid_by_store(base, now, SP_AGAIN));
	CHECK_EQ(second[LENT_KMEM_OWN_SIGMA0_STORE_USED], now[LENT_KMEM_OWN_SIGMA0_STORE_USED]);
	RUN(sp_owned(end));
	CHECK_EQ(end[0], base[0]);
	CHECK_EQ(end[LENT_KMEM_OWN_BOOT_TASKS], base[LENT_KMEM_OWN_BOOT_TASKS]);
	CHECK_EQ(end[LENT_KMEM_OWN_POOL_TASKS], base[LENT_KMEM_OWN_POOL_TASKS]);
	return 0;
}

const struct test split_s0part_tests[] = {
	TEST(split_s0part_root_asks_again),
	TEST(split_s0part_unprivileged_client),
	{ 0 },
};
