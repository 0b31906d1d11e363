/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Nested faults in a receive (docs/kernel-memory.md, "IPC with map or
 * grant items"): an agent receives a string into a buffer in a 4 MB
 * region it never used.  The copy stops at the buffer's page, which its
 * pager (main) is asked for (CONT_PF_RECV).  The pager's map of that
 * page needs the agent's node table and page table of the region, so
 * the agent's kpager gets a kernel page fault in the middle of it.  Once
 * all is answered, the original receive must end as X.2 says: the
 * sender, its tag and the string's bytes in the buffer.
 *
 * The kpager is the test kpager (one page per fault, or up to three with
 * SET_KPF_PAGES), or main itself: main's map is then the paper's
 * deadlock, its send fails with 0xD1D, main answers the kernel page
 * fault and sends the map again.  The sender has XferTimeouts of 0.8 s,
 * so a receive that is never taken up again ends by itself.
 */
#include "t_khostile.h"

#define KH_BUF		(KH_WINDOW + 0x100)
#define KH_LEN		64
#define KH_WORD		0x776f7264UL

static L4_Word_t kh_src[KH_LEN / sizeof(L4_Word_t)];

/* Main answers the agent's fault at KH_WINDOW with page; if main is the
 * agent's kpager too, it answers the kernel page faults its map causes
 * (the deadlock rule) and maps again.  *deadlocks: how often. */
static const char *kh_map_buffer(L4_ThreadId_t ag, L4_Word_t page, int main_kpager,
				 L4_Word_t *deadlocks)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	*deadlocks = 0;
	for (int round = 0; round < 6; round++) {
		L4_MapItem_t m = t_map_item(page, 12, L4_FullyAccessible, KH_WINDOW);
		t_load(0, 0, 0, 2, m.raw);
		tag = L4_Send(ag);
		if (L4_IpcSucceeded(tag))
			return 0;
		CHECK(main_kpager);
		CHECK_EQ(L4_ErrorCode(), EC_SEND(L4_ErrAborted) | (LENT_KPF_DEADLOCK << 4));
		(*deadlocks)++;
		tag = L4_Wait(&from);
		CHECK(L4_IpcSucceeded(tag));
		CHECK_EQ(from.raw, ag.raw);
		CHECK_EQ(L4_Label(tag), LENT_LABEL_KPF);
		unsigned n = LENT_KPF_PAGES(L4_UntypedWords(tag));
		CHECK(n >= 1);
		CHECK_EQ(rt_mr(3), ag.raw);
		L4_Word_t p[LENT_KPF_MAX_PAGES] = { 0 };
		for (unsigned k = 0; k < n; k++) {
			CHECK_EQ(rt_mr((int)LENT_KPF_MR_CID(k)) & 0xFF000000UL, 0);
			p[k] = kh_take();
			CHECK(p[k] != 0);
		}
		CHECK_EQ(kh_answer(from, p, n, 1), 0);
	}
	return t_fail(__FILE__, __LINE__, "the map was never taken");
}

/* warm: map a page into the region first, so that the buffer's map
 * needs no kernel memory (the control case). */
static const char *kh_string_nested(unsigned pages, int main_kpager, int warm)
{
	L4_ThreadId_t ag, from, snd;
	L4_Word_t page = kh_value_page(0), buf[2] = { KH_BUF, KH_LEN }, ec, deadlocks;
	L4_MsgTag_t tag;

	CHECK(page != 0);
	RUN(kh_start(KH_SERVE));
	RUN(t_kp_agent(&ag, main_kpager ? rt_main_thread() : kh_thread));
	if (pages > 1)
		CHECK_EQ(lent_kmem_control(ag.raw, LENT_KMEM_SET_KPF_PAGES, pages), 1);
	if (warm) {
		L4_Word_t res[5], sec;
		RUN(t_ag_accept(ag, KH_WINDOW + RT_PAGE_SIZE, 12));
		RUN(t_ag_give_map(ag, t_map_item(kh_value_page(KH_VALUE), 12, L4_Readable, 0),
				  res, &sec));
		CHECK_EQ(sec, 0);
		RUN(t_ag_reads(ag, KH_WINDOW + RT_PAGE_SIZE, KH_VALUE));
		RUN(t_ag_accept(ag, 0, 0));
		kh.n = 0;
	}
	for (unsigned i = 0; i < KH_LEN / sizeof(L4_Word_t); i++)
		kh_src[i] = KH_VALUE + 7 * i;
	CHECK(rt_agent_post(ag, RT_AG_RECV_STRING, 2, buf));
	L4_StringItem_t s = L4_StringItem(KH_LEN, kh_src);
	L4_Word_t w[3] = { KH_WORD, s.raw[0], s.raw[1] };
	snd = t_send_async(ag, t_tag(0x66, 1, 2), w, KH_XFER);
	CHECK(!L4_IsNilThread(snd));
	/* The copy stops at the buffer: the agent's pager is asked. */
	tag = rt_agent_result(ag, &from);
	CHECK(rt_is_pagefault(tag));
	CHECK_EQ(from.raw, ag.raw);
	CHECK_EQ(rt_mr(1) & ~(RT_PAGE_SIZE - 1), KH_WINDOW);
	CHECK(L4_Label(tag) & L4_Writable);
	L4_Set_XferTimeouts(KH_XFER);
	RUN(kh_map_buffer(ag, page, main_kpager, &deadlocks));
	L4_Set_XferTimeouts(0);
	/* The sender's send and the agent's original receive both end well. */
	t_send_async_wait(&tag, &ec);
	CHECK_EQ(ec, 0);
	CHECK(L4_IpcSucceeded(tag));
	CHECK(t_ag_ok(rt_agent_result(ag, 0)));
	L4_MsgTag_t got = { .raw = rt_mr(1) };
	CHECK_EQ(rt_mr(2), 0);
	CHECK(L4_IpcSucceeded(got));
	CHECK_EQ(rt_mr(3), snd.raw);
	CHECK_EQ(L4_Label(got), 0x66);
	CHECK_EQ(L4_UntypedWords(got), 1);
	CHECK_EQ(L4_TypedWords(got), 2);
	CHECK_EQ(rt_mr(4) >> 10, KH_LEN);
	CHECK_EQ(rt_mr(5), KH_BUF);
	for (unsigned i = 0; i < KH_LEN / sizeof(L4_Word_t); i++)
		RUN(t_ag_reads(ag, KH_BUF + 4 * i, KH_VALUE + 7 * i));
	/* Who was asked for what. */
	if (!kh_lent_kinds || warm) {
		CHECK_EQ(kh.n, 0);
		CHECK_EQ(deadlocks, 0);
	} else if (main_kpager) {
		CHECK(deadlocks >= (pages > 1 ? 1u : 2u));
		CHECK_EQ(kh.n, 0);
	} else {
		CHECK(kh.n >= 1);
		CHECK_EQ(kh.from[0], ag.raw);
		CHECK_EQ(kh.cid[0], lent_cid_nt(KH_WINDOW));
		if (pages > 1)
			CHECK(kh.u[0] >= LENT_KPF_WORDS(2));
		else
			CHECK(kh.n >= 2);
		for (L4_Word_t i = 0; i < kh.n && i < KH_LOG; i++)
			CHECK_EQ(kh.answer_ec[i], 0);
	}
	/* Its death gives every lent page back. */
	rt_release(ag);
	return kh_pool_back();
}

/* The control: the region's kernel memory is there already, no kernel
 * page fault comes in the middle, and the receive ends well. */
static const char *t_khostile_string_buffer_fault_no_kpf(void)
{
	return kh_string_nested(1, 0, 1);
}

/*
 * A kernel page fault in the middle: the pager's map of the buffer page
 * needs the receiver's node table and page table.  The receiver asks its
 * kpager, receives the pager's answer again, and then takes up its
 * original receive, which completes.  (Before the continuation record
 * kept that receive apart, kpf_receiver_asks() saved the wait for the
 * pager over it, the receiver waited for its pager for good, and only
 * the sender's XferTimeout ended both.)  With several pages per fault
 * the receiver's kpager is asked for them in one fault; where the pager
 * is the kpager too, the deadlock rule applies.
 */
static const char *t_khostile_string_nested_kpf_one_page(void)
{
	return kh_string_nested(1, 0, 0);
}

static const char *t_khostile_string_nested_kpf_three_pages(void)
{
	return kh_string_nested(3, 0, 0);
}

static const char *t_khostile_string_nested_kpf_pager_is_kpager(void)
{
	return kh_string_nested(1, 1, 0);
}

static const char *t_khostile_string_nested_kpf_pager_is_kpager_three(void)
{
	return kh_string_nested(3, 1, 0);
}

const struct test khostile_recv_tests[] = {
	TEST(khostile_string_buffer_fault_no_kpf),
	TEST(khostile_string_nested_kpf_one_page),
	TEST(khostile_string_nested_kpf_three_pages),
	TEST(khostile_string_nested_kpf_pager_is_kpager),
	TEST(khostile_string_nested_kpf_pager_is_kpager_three),
	{ 0 }
};
