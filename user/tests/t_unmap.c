/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unmap (X.2: revoke rights from the mappings derived from an fpage, or
 * with the flush bit from one's own mapping too; report access bits).
 * Page p goes root -> B (at WB) -> C (at WC); B and C are agents paged
 * by main.
 */
#include "tests.h"

#define WB	0x20000000UL
#define WC	0x30000000UL
#define MAGIC	0x756e6d70UL

static L4_Fpage_t fpage(L4_Word_t base, L4_Word_t rights)
{
	L4_Fpage_t f = L4_FpageLog2(base, 12);

	L4_Set_Rights(&f, rights);
	return f;
}

/* root -> B only. */
static const char *to_b(L4_Word_t *p, L4_ThreadId_t *b)
{
	L4_Word_t res[5], sec;

	*p = t_page();
	CHECK(*p != 0);
	*(volatile L4_Word_t *)*p = MAGIC;
	*b = rt_agent_create(L4_Myself());
	CHECK(!L4_IsNilThread(*b));
	RUN(t_ag_accept(*b, WB, 12));
	RUN(t_ag_give_map(*b, t_map_item(*p, 12, L4_ReadWriteOnly, 0), res, &sec));
	CHECK_EQ(sec, 0);
	return t_ag_reads(*b, WB, MAGIC);
}

/* root -> B -> C: B maps its page on to C. */
static const char *chain(L4_Word_t *p, L4_ThreadId_t *b, L4_ThreadId_t *c)
{
	L4_MapItem_t m = t_map_item(WB, 12, L4_ReadWriteOnly, 0);
	L4_Word_t a[4];
	L4_MsgTag_t tag;

	RUN(to_b(p, b));
	*c = rt_agent_create(L4_Myself());
	CHECK(!L4_IsNilThread(*c));
	RUN(t_ag_accept(*c, WC, 12));
	a[0] = c->raw;
	a[1] = t_tag(0x68, 0, 2).raw;
	a[2] = m.raw[0];
	a[3] = m.raw[1];
	CHECK(rt_agent_post(*c, RT_AG_RECV, 0, 0));
	CHECK(rt_agent_post(*b, RT_AG_SEND, 4, a));
	tag = rt_agent_result(*b, 0);
	CHECK(t_ag_ok(tag));
	CHECK(L4_IpcSucceeded((L4_MsgTag_t) { .raw = rt_mr(1) }));
	tag = rt_agent_result(*c, 0);
	CHECK(t_ag_ok(tag));
	CHECK_EQ(L4_TypedWords((L4_MsgTag_t) { .raw = rt_mr(1) }), 2);
	return t_ag_reads(*c, WC, MAGIC);
}

/* Unmap at the root revokes B's mapping and C's, derived from it; the
 * root keeps its own page. */
static const char *t_unmap_chain_three_spaces(void)
{
	L4_ThreadId_t b, c;
	L4_Word_t p;

	RUN(chain(&p, &b, &c));
	(void)L4_UnmapFpage(fpage(p, L4_FullyAccessible));
	RUN(t_ag_faults(c, WC, 0));
	RUN(t_ag_faults(b, WB, 0));
	CHECK_EQ(*(volatile L4_Word_t *)p, MAGIC);
	return 0;
}

/* Unmap in the middle of the chain: C loses the page, B keeps it. */
static const char *t_unmap_by_middle_keeps_own(void)
{
	L4_ThreadId_t b, c;
	L4_Word_t p, a[2] = { 0, fpage(WB, L4_FullyAccessible).raw };

	RUN(chain(&p, &b, &c));
	CHECK(t_ag_ok(rt_agent_cmd(b, RT_AG_UNMAP, 2, a)));
	RUN(t_ag_faults(c, WC, 0));
	return t_ag_reads(b, WB, MAGIC);
}

/* Flush: B loses its own mapping as well as C's. */
static const char *t_unmap_flush_removes_own(void)
{
	L4_ThreadId_t b, c;
	L4_Word_t p, a[2] = { 0x40, fpage(WB, L4_FullyAccessible).raw };

	RUN(chain(&p, &b, &c));
	CHECK(t_ag_ok(rt_agent_cmd(b, RT_AG_UNMAP, 2, a)));
	RUN(t_ag_faults(c, WC, 0));
	RUN(t_ag_faults(b, WB, 0));
	CHECK_EQ(*(volatile L4_Word_t *)p, MAGIC);
	return 0;
}

/* Revoking only the write right: B can still read, a write faults. */
static const char *t_unmap_write_revoked(void)
{
	L4_ThreadId_t b;
	L4_Word_t p, a[2] = { WB, 0x1111 };

	RUN(to_b(&p, &b));
	CHECK(t_ag_ok(rt_agent_cmd(b, RT_AG_WRITE, 2, a)));
	CHECK_EQ(*(volatile L4_Word_t *)p, 0x1111);
	(void)L4_UnmapFpage(fpage(p, L4_Writable));
	RUN(t_ag_reads(b, WB, 0x1111));
	return t_ag_faults(b, WB, 1);
}

/* Unmap with no rights reports the accesses made through the mappings
 * derived from the page: B's write shows as written and referenced. */
static const char *t_unmap_access_bits_report_write(void)
{
	L4_ThreadId_t b;
	L4_Word_t p, a[2] = { WB, 0x2222 };
	L4_Fpage_t st;

	RUN(to_b(&p, &b));
	(void)L4_GetStatus(fpage(p, 0));
	CHECK(t_ag_ok(rt_agent_cmd(b, RT_AG_WRITE, 2, a)));
	st = L4_GetStatus(fpage(p, 0));
	CHECK(L4_WasWritten(st));
	CHECK(L4_WasReferenced(st));
	CHECK_EQ(L4_Address(st), p);
	/* Reading the status revoked nothing. */
	return t_ag_reads(b, WB, 0x2222);
}

/* 64 garbage fpages (no flush) and kernel-area fpages with flush: the
 * kernel survives, our own memory is untouched. */
static const char *t_unmap_garbage_fpages(void)
{
	L4_Word_t p = t_page(), k = t_kernel_addr(), i;
	L4_ThreadId_t srv = rt_thread_create(t_echo, 0);

	CHECK(p != 0 && !L4_IsNilThread(srv));
	*(volatile L4_Word_t *)p = MAGIC;
	for (i = 0; i < 64; i++)
		L4_LoadMR(i, (0x9e3779b9UL * (i + 1)) ^ (i << 4) ^ i);
	L4_LoadMR(7, ~0UL);
	L4_LoadMR(8, 0);
	L4_Unmap(63);
	for (i = 0; i < 4; i++)
		L4_LoadMR(i, fpage(k + i * 0x400000, L4_FullyAccessible).raw);
	L4_LoadMR(4, L4_FpageLog2(k, 30).raw | L4_FullyAccessible);
	L4_Unmap(0x40 | 4);
	CHECK_EQ(*(volatile L4_Word_t *)p, MAGIC);
	t_load(0x33, 0, 0, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Call(srv)));
	return 0;
}

const struct test unmap_tests[] = {
	TEST(unmap_chain_three_spaces),
	TEST(unmap_by_middle_keeps_own),
	TEST(unmap_flush_removes_own),
	TEST(unmap_write_revoked),
	TEST(unmap_access_bits_report_write),
	TEST(unmap_garbage_fpages),
	{ 0 },
};
