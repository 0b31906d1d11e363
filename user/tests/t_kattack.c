/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A hostile kpager's answers (docs/kpager-protocol.md): bad answers, one
 * page for two faults, forged answers from another thread, and a page
 * the kpager does not hold alone.  Each test asserts what the kernel
 * must do: a clear error, or the property still holding afterwards (the
 * lent frame unreachable, the root and other tasks still working).  Who
 * is whose kpager, and deaths, are in t_kattack_roles.c; KmemControl
 * garbage in t_kattack_ctl.c; the test kpager in t_kattack_kp.c.  In a
 * KMEM=pool kernel no kpager is asked; the tests check that instead
 * (kah.lent_kinds is 0 there).
 */
#include "t_kattack.h"
#include "t_sync.h"

/* The lent frame at page: sigma0 gives it to no one who asks by its
 * address (the root's pool is mapped one to one), and an agent it is
 * mapped to cannot read it. */
static const char *ka_frame_unreachable(L4_Word_t page)
{
	L4_ThreadId_t y;
	L4_Word_t a[2] = { L4_FpageLog2(page, 12).raw, L4_FpageLog2(KA_PEEK, 12).raw };
	L4_Word_t res[5], sec;

	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, page), 1);
	RUN(t_kp_agent(&y, L4_nilthread));
	CHECK(t_ag_ok(rt_agent_cmd(y, RT_AG_SIGMA0, 2, a)));
	CHECK(L4_IsNilFpage((L4_Fpage_t) { .raw = rt_mr(1) }));
	RUN(t_ag_faults(y, KA_PEEK, 0));
	rt_release(y);
	RUN(t_kp_agent(&y, L4_nilthread));
	RUN(t_ag_accept(y, KA_PEEK, 12));
	RUN(t_ag_give_map(y, t_map_item(page, 12, L4_FullyAccessible, 0), res, &sec));
	CHECK_EQ(sec, 0);
	RUN(t_ag_faults(y, KA_PEEK, 1));
	rt_release(y);
	return 0;
}

/* Bad answers to one fault, each refused with its reason while the
 * client waits on: a page the kpager may only read, nothing mapped, a
 * kernel address through the complete fpage, the kpager's KIP and UTCB.
 * Then an 8 KB fpage whose send base lies far outside it: the kernel
 * takes the page that base names within the fpage, and only that one. */
static const char *t_kattack_bad_answers_refused(void)
{
	L4_ThreadId_t ag;
	L4_Word_t ro, value = ka_value_page(KA_VALUE), kip = (L4_Word_t)rt_kip();
	L4_Word_t utcb = L4_MyLocalId().raw & ~(RT_PAGE_SIZE - 1);
	L4_Word_t pair = 0;

	RUN(ka_start(KA_BAD_FIRST));
	pair = kah.pool;                  /* 64 KB aligned: an 8 KB fpage */
	ro = ka_value_page(1);
	CHECK(ro && value);
	(void)L4_Flush(L4_FpageAddRights(L4_FpageLog2(ro, 12), L4_Writable));
	ka.bad[0] = (struct ka_item){ ka_page_fpage(ro), ro };
	ka.bad[1] = (struct ka_item){ L4_FpageAddRights(L4_FpageLog2(0x3f000000UL, 13),
							  L4_FullyAccessible).raw, 0x3f001000UL };
	ka.bad[2] = (struct ka_item){ L4_FpageAddRights(L4_CompleteAddressSpace,
							  L4_FullyAccessible).raw, t_kernel_addr() };
	ka.bad[3] = (struct ka_item){ L4_FpageAddRights(L4_CompleteAddressSpace,
							  L4_FullyAccessible).raw, 0xfffff000UL };
	ka.bad[4] = (struct ka_item){ ka_page_fpage(kip & ~(RT_PAGE_SIZE - 1)), kip };
	ka.bad[5] = (struct ka_item){ ka_page_fpage(utcb), utcb };
	ka.bad[6] = (struct ka_item){ L4_FpageAddRights(L4_FpageLog2(pair, 13),
							  L4_FullyAccessible).raw,
				      0x50000000UL + RT_PAGE_SIZE };
	ka.nbad = 7;
	RUN(t_kp_agent(&ag, kah.thread));
	RUN(ka_map_async(0, ag, KA_WINDOW, value));
	RUN(ka_map_done(0, ag));
	RUN(t_ag_reads(ag, KA_WINDOW, KA_VALUE));
	if (!kah.lent_kinds) {
		CHECK_EQ(ka.n, 0);
		return 0;
	}
	CHECK(ka.n >= 2);
	CHECK_EQ(ka.failed, 0);
	CHECK_EQ(ka.bad_ec[0], EC_SEND(4) | (LENT_KPF_NOT_MAPPED << 4));
	CHECK_EQ(ka.bad_ec[1], EC_SEND(4) | (LENT_KPF_NOT_MAPPED << 4));
	CHECK_EQ(ka.bad_ec[2], EC_SEND(4) | (LENT_KPF_NOT_MAPPED << 4));
	CHECK_EQ(ka.bad_ec[3], EC_SEND(4) | (LENT_KPF_NOT_MAPPED << 4));
	for (unsigned b = 4; b < 6; b++) {
		CHECK_EQ(ka.bad_ec[b] & 0xf, EC_SEND(4));
		CHECK(ka.bad_ec[b] >> 4 == LENT_KPF_NOT_MAPPED ||
		      ka.bad_ec[b] >> 4 == LENT_KPF_KERNEL_OWNED);
	}
	CHECK_EQ(ka.bad_ec[6], 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, pair + RT_PAGE_SIZE), 1);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, pair), 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, ro), 0);
	/* The root still reads its read-only page and the pair's first. */
	CHECK_EQ(((volatile L4_Word_t *)ro)[0], 1);
	CHECK_EQ(((volatile L4_Word_t *)pair)[0], 0);
	RUN(ka_frame_unreachable(pair + RT_PAGE_SIZE));
	rt_release(ag);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, pair + RT_PAGE_SIZE), 0);
	return 0;
}

/* One page for two clients' faults at once: the first takes it, the
 * second answer is refused as lent already and the second client waits
 * for another page.  Each client's death gives back its own page only. */
static const char *t_kattack_one_page_two_faults(void)
{
	L4_ThreadId_t a, b;
	L4_Word_t va = ka_value_page(KA_VALUE), vb = ka_value_page(KA_VALUE + 1);

	RUN(ka_start(KA_TWO_AT_ONCE));
	CHECK(va && vb);
	ka.same_page = kah.pool + RT_PAGE_SIZE;
	L4_Word_t q = kah.pool + ka.next * RT_PAGE_SIZE;     /* the second's page */
	RUN(t_kp_agent(&a, kah.thread));
	RUN(t_kp_agent(&b, kah.thread));
	RUN(ka_map_async(0, a, KA_WINDOW, va));
	if (kah.lent_kinds) {
		t_until_at_least(&ka.n, 1);
		CHECK_EQ(ka.n, 1);
	}
	RUN(ka_map_async(1, b, KA_WINDOW2, vb));
	RUN(ka_map_done(0, a));
	RUN(ka_map_done(1, b));
	RUN(t_ag_reads(a, KA_WINDOW, KA_VALUE));
	RUN(t_ag_reads(b, KA_WINDOW2, KA_VALUE + 1));
	if (!kah.lent_kinds) {
		CHECK_EQ(ka.n, 0);
		return 0;
	}
	CHECK_EQ(ka.failed, 0);
	CHECK_EQ(ka.from[0], a.raw);
	CHECK_EQ(ka.from[1], b.raw);
	CHECK_EQ(ka.two_ec[0], 0);
	CHECK_EQ(ka.two_ec[1], EC_SEND(4) | (LENT_KPF_LENT_ALREADY << 4));
	CHECK_EQ(ka.two_ec[2], 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, ka.same_page), 1);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, q), 1);
	rt_release(a);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, ka.same_page), 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, q), 1);
	RUN(t_ag_reads(b, KA_WINDOW2, KA_VALUE + 1));
	rt_release(b);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, q), 0);
	return 0;
}

/* Forged answers: while the client waits for its kpager's page, another
 * thread of the kpager's task sends it a map item, plainly and then
 * propagated in the kpager's name.  Neither is taken: the sends time
 * out, no frame is lent, and the client still waits for its kpager. */
static const char *t_kattack_forged_answers_not_taken(void)
{
	L4_ThreadId_t a;
	L4_Word_t value = ka_value_page(KA_VALUE);
	L4_Word_t page = kah.pool + (KA_POOL - 1) * RT_PAGE_SIZE;
	L4_MapItem_t m = t_map_item(page, 12, L4_FullyAccessible, page);
	L4_MsgTag_t tag;

	RUN(ka_start(KA_HOLD));
	CHECK(value != 0);
	RUN(t_kp_agent(&a, kah.thread));
	RUN(ka_map_async(0, a, KA_WINDOW, value));
	if (!kah.lent_kinds) {
		RUN(ka_map_done(0, a));
		return t_ag_reads(a, KA_WINDOW, KA_VALUE);
	}
	t_until_at_least(&ka.n, 1);
	CHECK_EQ(ka.n, 1);
	CHECK_EQ(lent_kmem_control(a.raw, LENT_KMEM_PENDING, 0), 1);
	for (int propagated = 0; propagated < 2; propagated++) {
		tag = t_tag(0, 0, 2);
		if (propagated) {
			L4_Set_Propagation(&tag);
			L4_Set_VirtualSender(kah.thread);
		}
		L4_LoadMR(0, tag.raw);
		L4_LoadMR(1, m.raw[0]);
		L4_LoadMR(2, m.raw[1]);
		tag = L4_Send_Timeout(a, rt_us(50000));
		L4_Set_VirtualSender(L4_nilthread);
		CHECK(L4_IpcFailed(tag));
		CHECK_EQ(L4_ErrorCode(), EC_SEND(1));
		CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, page), 0);
		CHECK_EQ(lent_kmem_control(a.raw, LENT_KMEM_PENDING, 0), 1);
	}
	CHECK_EQ(ka.n, 1);
	CHECK_EQ(((volatile L4_Word_t *)page)[0], KA_POOL - 1);
	rt_release(a);
	t_until(&ka_snd[0].done, 1);
	return 0;
}

/*
 * A kpager may not lend a page that another task only mapped to it, or
 * it would take it from that task (found open by this test, now refused
 * as LENT_KPF_SHARED).  Agent b is a's
 * kpager; the root maps b one page of its own, writable (a buffer they
 * share).  b answers a's kernel page fault with that page: the kernel
 * strips every translation of the frame in its mapping tree, the root's
 * included, and keeps it until a dies.  The root is no client of b, yet
 * it loses its own page, and unmapping it from b does not give it back
 * (docs/kernel-memory.md, "Taking a lent frame").  The brief: a kpager
 * harms only its own clients.
 */
static const char *t_kattack_lend_shared_page_refused(void)
{
	L4_ThreadId_t a, b;
	L4_Word_t shared = ka_value_page(KA_VALUE), value = ka_value_page(KA_VALUE + 1);
	L4_Word_t res[5], sec, send[4], lent_after, lent_unmapped;

	RUN(ka_start(KA_SERVE));
	CHECK(shared && value);
	RUN(t_kp_agent(&a, L4_nilthread));
	RUN(t_kp_agent(&b, L4_nilthread));
	if (!kah.lent_kinds)
		return 0;
	RUN(t_ag_accept(b, KA_WINDOW2, 12));
	RUN(t_ag_give_map(b, t_map_item(shared, 12, L4_FullyAccessible, 0), res, &sec));
	CHECK_EQ(sec, 0);
	RUN(t_ag_reads(b, KA_WINDOW2, KA_VALUE));
	CHECK_EQ(lent_kmem_control(a.raw, LENT_KMEM_SET_KPAGER, b.raw), 1);
	RUN(t_ag_accept(b, 0, 0));
	CHECK(rt_agent_post(b, RT_AG_RECV, 0, 0));
	RUN(ka_map_async(0, a, KA_WINDOW, value));
	CHECK(t_ag_ok(rt_agent_result(b, 0)));
	CHECK_EQ(L4_Label((L4_MsgTag_t) { .raw = rt_mr(1) }), LENT_LABEL_KPF);
	CHECK_EQ(rt_mr(3), a.raw);
	/* b answers with the root's page. */
	L4_MapItem_t m = t_map_item(KA_WINDOW2, 12, L4_FullyAccessible, KA_WINDOW2);
	send[0] = a.raw;
	send[1] = t_tag(0, 0, 2).raw;
	send[2] = m.raw[0];
	send[3] = m.raw[1];
	CHECK(t_ag_ok(rt_agent_cmd(b, RT_AG_SEND, 4, send)));
	L4_Word_t b_ec = rt_mr(2);
	lent_after = lent_kmem_control(0, LENT_KMEM_LENT, shared);
	(void)L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(shared, 12), L4_FullyAccessible));
	lent_unmapped = lent_kmem_control(0, LENT_KMEM_LENT, shared);
	/* Let a go before judging, so that the root gets its page back. */
	rt_release(a);
	rt_release(b);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, shared), 0);
	CHECK_EQ(b_ec, EC_SEND(4) | ((L4_Word_t)LENT_KPF_SHARED << 4));
	CHECK_EQ(lent_after, 0);
	CHECK_EQ(lent_unmapped, 0);
	CHECK_EQ(((volatile L4_Word_t *)shared)[0], KA_VALUE);   /* the root's, untouched */
	return 0;
}

/*
 * A map item labelled as a kpager's answer, sent to a thread that waits
 * for no kernel page fault (what a forged fault's sender does), is
 * refused before anything is copied: IPC error 4, LENT_KPF_NOT_WAITING.
 * So a kpager that labels its answers needs no PENDING check.  The
 * receiver still waits, takes the next message, and keeps its mapping.
 */
static const char *t_kattack_answer_to_no_fault_refused(void)
{
	L4_Word_t p = t_page(), p2 = t_page(), res[5], sec, w = 0x1234;
	L4_ThreadId_t ag = rt_agent_create(L4_Myself());
	L4_MapItem_t m;
	L4_MsgTag_t tag;

	CHECK(p != 0 && p2 != 0 && !L4_IsNilThread(ag));
	*(volatile L4_Word_t *)p = KA_VALUE;
	*(volatile L4_Word_t *)p2 = KA_VALUE + 1;
	RUN(t_ag_accept(ag, KA_WINDOW, 12));
	/* An ordinary map first; the agent's receive path is then mapped. */
	RUN(t_ag_give_map(ag, t_map_item(p, 12, L4_ReadWriteOnly, 0), res, &sec));
	RUN(t_ag_reads(ag, KA_WINDOW, KA_VALUE));
	CHECK(rt_agent_post(ag, RT_AG_RECV, 0, 0));
	m = t_map_item(p2, 12, L4_ReadWriteOnly, 0);
	tag = t_tag(LENT_LABEL_KPF, 0, 2);
	L4_LoadMR(0, tag.raw);
	L4_LoadMR(1, m.raw[0]);
	L4_LoadMR(2, m.raw[1]);
	tag = L4_Send(ag);
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(L4_ErrorCode(), EC_SEND(4) | ((L4_Word_t)LENT_KPF_NOT_WAITING << 4));
	t_load(0x67, 1, &w, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(ag)));
	CHECK(t_ag_ok(rt_agent_result(ag, 0)));
	tag.raw = rt_mr(1);
	CHECK_EQ(L4_Label(tag), 0x67);
	CHECK_EQ(L4_TypedWords(tag), 0);
	RUN(t_ag_reads(ag, KA_WINDOW, KA_VALUE));
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, p2), 0);
	return 0;
}

const struct test kattack_tests[] = {
	TEST(kattack_bad_answers_refused),
	TEST(kattack_one_page_two_faults),
	TEST(kattack_forged_answers_not_taken),
	TEST(kattack_lend_shared_page_refused),
	TEST(kattack_answer_to_no_fault_refused),
	{ 0 }
};
