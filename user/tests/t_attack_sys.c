/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A hostile task's system calls on its own kernel pages
 * (docs/attack-surface.md): the KIP page and the UTCB pages are mapped in
 * its space without mapping nodes (docs/kernel-memory.md), so they are
 * not its to pass on or give up.
 *  - Map items whose send fpages are its KIP page and its UTCB page, and a
 *    grant of a gigabyte that holds both areas: the receiver gets
 *    nothing, and the sender keeps both (it still makes system calls
 *    through the KIP's stubs and reads its UTCB).
 *  - An Unmap of the complete address space, flushing its own mappings:
 *    every page it was given goes, its KIP and UTCB stay, and it goes on
 *    once its pager maps its code and stack again.
 */
#include "tests.h"
#include "t_kpreempt.h"

#define AS_WINDOW	0x5c000000UL     /* a 4 MB region the receiver never used */
#define AS_VALUE	0x61747461UL

/* Reads of addr by b fault to main; main maps value's page there, and
 * the read returns its word. */
static const char *as_read_faults(L4_ThreadId_t b, L4_Word_t addr, L4_Word_t value)
{
	RUN(t_ag_faults(b, addr, 0));
	CHECK(t_kpre_reply_map(b, L4_FpageLog2(value, 12), addr));
	CHECK(t_ag_ok(rt_agent_result(b, 0)));
	CHECK_EQ(rt_mr(1), AS_VALUE);
	return 0;
}

/* Agent ag is whole: it says who it is through its UTCB and a KIP stub. */
static const char *as_works(L4_ThreadId_t ag)
{
	CHECK(t_ag_ok(rt_agent_cmd(ag, RT_AG_SELF, 0, 0)));
	CHECK_EQ(rt_mr(3), ag.raw);
	CHECK_EQ(rt_mr(4), RT_UTCB_AREA_BASE + RT_UTCB_MR0_OFFSET);
	return 0;
}

static const char *t_attack_sys_kernel_pages_not_passed_on(void)
{
	L4_ThreadId_t a = rt_agent_create(rt_main_thread());
	L4_ThreadId_t b = rt_agent_create(rt_main_thread());
	L4_Word_t value = t_page();

	CHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b) && value);
	((volatile L4_Word_t *)value)[0] = AS_VALUE;
	RUN(as_works(a));
	RUN(t_ag_accept(b, AS_WINDOW, 22));
	CHECK(rt_agent_post(b, RT_AG_RECV, 0, 0));
	L4_MapItem_t kip = L4_MapItem(L4_FpageAddRights(L4_FpageLog2(RT_KIP_AREA_BASE, 12),
							 L4_FullyAccessible), 0);
	L4_MapItem_t utcb = L4_MapItem(L4_FpageAddRights(L4_FpageLog2(RT_UTCB_AREA_BASE, 12),
							  L4_FullyAccessible), 0x1000);
	L4_GrantItem_t both = L4_GrantItem(L4_FpageAddRights(L4_FpageLog2(0x80000000UL, 30),
							     L4_FullyAccessible), 0x2000);
	L4_Word_t s[8] = { b.raw, t_tag(0x61, 0, 6).raw, kip.raw[0], kip.raw[1],
			   utcb.raw[0], utcb.raw[1], both.raw[0], both.raw[1] };
	CHECK(t_ag_ok(rt_agent_cmd(a, RT_AG_SEND, 8, s)));
	CHECK_EQ(rt_mr(2), 0);                        /* the send's error: none */
	CHECK(t_ag_ok(rt_agent_result(b, 0)));
	CHECK_EQ(rt_mr(2), 0);                        /* the receive's error: none */
	CHECK_EQ(L4_TypedWords((L4_MsgTag_t) { .raw = rt_mr(1) }), 6);
	/* Nothing arrived: each page of the window faults to the pager. */
	RUN(as_read_faults(b, AS_WINDOW, value));
	RUN(as_read_faults(b, AS_WINDOW + 0x1000, value));
	RUN(as_read_faults(b, AS_WINDOW + 0x2000, value));
	/* The sender lost neither its KIP nor its UTCB to the grant. */
	RUN(as_works(a));
	rt_release(a);
	rt_release(b);
	return 0;
}

static const char *t_attack_sys_unmap_everything_keeps_kip_and_utcb(void)
{
	L4_ThreadId_t a = rt_agent_create(rt_main_thread());
	L4_Word_t value = t_page(), res[5], sec;

	CHECK(!L4_IsNilThread(a) && value);
	((volatile L4_Word_t *)value)[0] = AS_VALUE;
	RUN(t_ag_accept(a, AS_WINDOW, 12));
	RUN(t_ag_give_map(a, t_map_item(value, 12, L4_Readable, 0), res, &sec));
	CHECK_EQ(sec, 0);
	RUN(t_ag_reads(a, AS_WINDOW, AS_VALUE));
	L4_Word_t u[2] = { 0x40, L4_FpageAddRights(L4_CompleteAddressSpace,
						    L4_FullyAccessible).raw };
	CHECK(t_ag_ok(rt_agent_cmd(a, RT_AG_UNMAP, 2, u)));
	/* The complete fpage back, its rights the access bits: the agent's
	 * code was read and its stack written. */
	L4_Fpage_t back = { .raw = rt_mr(1) };
	CHECK_EQ(back.raw & ~0xFUL, L4_CompleteAddressSpace.raw);
	CHECK_EQ(L4_Rights(back), L4_FullyAccessible);
	/* Its code and stack came back from its pager; the page it was
	 * given did not. */
	RUN(as_works(a));
	RUN(t_ag_faults(a, AS_WINDOW, 0));
	rt_release(a);
	/* The root's own page is untouched. */
	CHECK_EQ(((volatile L4_Word_t *)value)[0], AS_VALUE);
	return 0;
}

const struct test attack_sys_tests[] = {
	TEST(attack_sys_kernel_pages_not_passed_on),
	TEST(attack_sys_unmap_everything_keeps_kip_and_utcb),
	{ 0 }
};
