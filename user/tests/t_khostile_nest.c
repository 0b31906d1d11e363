/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * More nested faults (docs/kernel-memory.md, "IPC with map or grant
 * items"): a string sent from a page of a region the sender never used
 * (its page fault gathers its kernel memory first, then its pager maps);
 * a receive whose kpager is gone; and what becomes of a pager's reply
 * that waits, unlinked, while its receiver asks its kpager
 * (xfer_kmem_unlinked), when the receive it answers is aborted or the
 * kpager is deleted.  In a KMEM=pool kernel no kpager is asked: each
 * test checks that instead (kh_lent_kinds is 0 there).
 */
#include "t_khostile.h"
#include "t_kattack.h"
#include "t_sync.h"

#define KN_LEN		64
#define KN_BUF		(KH_WINDOW + 0x200)

static L4_Word_t kn_src[KN_LEN / sizeof(L4_Word_t)];
static L4_Word_t kn_dst[KN_LEN / sizeof(L4_Word_t)];
static volatile L4_Word_t kn_word = KH_VALUE;

static volatile struct {
	L4_Word_t tag, ec, from, done, up;
} kn_rcv;

/* A root thread that receives one string into kn_dst from anyone. */
static void kn_receiver(L4_Word_t arg)
{
	L4_StringItem_t buf = L4_StringItem(KN_LEN, kn_dst);
	L4_ThreadId_t from = L4_nilthread;
	L4_MsgTag_t tag;

	(void)arg;
	L4_Accept(L4_StringItemsAcceptor);
	L4_LoadBR(1, buf.raw[0]);
	L4_LoadBR(2, buf.raw[1]);
	kn_rcv.up = 1;
	tag = L4_Wait(&from);
	kn_rcv.tag = tag.raw;
	kn_rcv.ec = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
	kn_rcv.from = from.raw;
	kn_rcv.done = 1;
}

/*
 * The mirror of the receive case: an agent sends a string whose source
 * lies in a region it never used.  Its page fault gathers the region's
 * kernel memory first (its kpager lends it), then goes to its pager,
 * main, whose map needs nothing more; the send goes on and the string
 * arrives whole.
 */
static const char *t_khostile_string_source_nested_kpf(void)
{
	L4_ThreadId_t ag, from, r;
	L4_Word_t page = kh_value_page(0), send[4];
	L4_MsgTag_t tag;

	CHECK(page != 0);
	for (unsigned i = 0; i < KN_LEN / sizeof(L4_Word_t); i++) {
		((volatile L4_Word_t *)page)[(0x200 / 4) + i] = KH_VALUE + 3 * i;
		kn_dst[i] = 0;
	}
	RUN(kh_start(KH_SERVE));
	RUN(t_kp_agent(&ag, kh_thread));
	RUN(t_ag_reads(ag, (L4_Word_t)&kn_word, KH_VALUE));
	t_kp_zero(&kn_rcv, sizeof(kn_rcv));
	r = rt_thread_create(kn_receiver, 0);
	CHECK(!L4_IsNilThread(r));
	t_until(&kn_rcv.up, 1);
	L4_StringItem_t s = L4_StringItem(KN_LEN, (void *)KN_BUF);
	send[0] = r.raw;
	send[1] = t_tag(0x55, 0, 2).raw;
	send[2] = s.raw[0];
	send[3] = s.raw[1];
	CHECK(rt_agent_post(ag, RT_AG_SEND, 4, send));
	tag = rt_agent_result(ag, &from);
	CHECK(rt_is_pagefault(tag));
	CHECK_EQ(from.raw, ag.raw);
	CHECK_EQ(rt_mr(1) & ~(RT_PAGE_SIZE - 1), KH_WINDOW);
	if (kh_lent_kinds) {
		CHECK(kh.n >= 1);
		CHECK_EQ(kh.cid[0], lent_cid_nt(KH_WINDOW));
	}
	L4_Word_t n = kh.n;
	L4_MapItem_t m = t_map_item(page, 12, L4_FullyAccessible, KH_WINDOW);
	t_load(0, 0, 0, 2, m.raw);
	CHECK(L4_IpcSucceeded(L4_Send(ag)));
	CHECK(t_ag_ok(rt_agent_result(ag, 0)));
	CHECK_EQ(rt_mr(2), 0);
	t_until(&kn_rcv.done, 1);
	CHECK_EQ(kn_rcv.ec, 0);
	CHECK_EQ(kn_rcv.from, ag.raw);
	CHECK_EQ(L4_Label((L4_MsgTag_t) { .raw = kn_rcv.tag }), 0x55);
	for (unsigned i = 0; i < KN_LEN / sizeof(L4_Word_t); i++)
		CHECK_EQ(kn_dst[i], KH_VALUE + 3 * i);
	CHECK_EQ(kh.n, n);               /* the map asked for nothing more */
	rt_release(ag);
	return kh_pool_back();
}

/*
 * A receive of a map item whose task's kpager is gone before the fault:
 * no kpager can be asked, so the receive fails with IPC error 4 in its
 * receive phase and the send with it (aborted), as
 * docs/kernel-memory.md says.
 */
static const char *t_khostile_kpager_gone_before_fault(void)
{
	L4_ThreadId_t a, gone;
	L4_Word_t value = kh_value_page(KH_VALUE);

	CHECK(value != 0);
	RUN(kh_start(KH_SERVE));
	gone = rt_thread_create(t_sleeper, 0);
	CHECK(!L4_IsNilThread(gone));
	RUN(t_kp_agent(&a, gone));
	rt_release(gone);
	RUN(ka_map_async(0, a, KH_WINDOW, value));
	if (!kh_lent_kinds) {
		RUN(ka_map_done(0, a));
		return 0;
	}
	t_until(&ka_snd[0].done, 1);
	CHECK_EQ(ka_snd[0].ec & 0xf, EC_SEND(L4_ErrAborted));
	CHECK(t_ag_ok(rt_agent_result(a, 0)));
	CHECK_EQ(rt_mr(2) & 0xf, EC_RECV(L4_ErrMsgOverflow));
	RUN(t_ag_faults(a, KH_WINDOW, 0));
	rt_release(a);
	return kh_pool_back();
}

/*
 * The same receive, its kpager deleted while it waits for the answer.
 * No kpager can answer now either, so the outcome is the same: error 4
 * in the receive phase, the send aborted.  (The receiver got error 2,
 * "no partner", though its sender exists, before kernel_ipc_failed()
 * failed a receive's kernel page fault for want of memory whatever
 * ended it.)
 */
static const char *t_khostile_kpager_deleted_receive_code(void)
{
	L4_ThreadId_t a;
	int waits;

	RUN(kh_client_in_receive_kpf(&a, &waits));
	if (!waits)
		return 0;
	rt_release(kh_thread);
	t_until(&ka_snd[0].done, 1);
	CHECK(t_ag_ok(rt_agent_result(a, 0)));
	L4_Word_t rec = rt_mr(2) & 0xf;
	CHECK_EQ(ka_snd[0].ec & 0xf, EC_SEND(L4_ErrAborted));
	CHECK_EQ(rec, EC_RECV(L4_ErrMsgOverflow));
	rt_release(a);
	return 0;
}

/* ---- a pager's reply left waiting ---- */

static volatile struct {
	L4_Word_t page;          /* what it maps */
	L4_Word_t got_pf;        /* it received the window's fault */
	L4_Word_t sending, done, ec;
} kp_p;

/* The agent's pager for this test: image faults answered; the fault in
 * KH_WINDOW answered with kp_p.page, XferTimeouts never (X.2's default). */
static void kn_pager(L4_Word_t arg)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	(void)arg;
	for (;;) {
		L4_Accept(L4_UntypedWordsAcceptor);
		tag = L4_Wait(&from);
		if (L4_IpcFailed(tag) || !rt_is_pagefault(tag))
			continue;
		L4_Word_t addr = rt_mr(1);
		if (rt_image_contains(addr)) {
			rt_load_page_reply(addr, L4_Label(tag) & 7);
			(void)L4_Reply(from);
			continue;
		}
		kp_p.got_pf = 1;
		L4_MapItem_t m = t_map_item(kp_p.page, 12, L4_FullyAccessible, addr & ~0xfffUL);
		t_load(0, 0, 0, 2, m.raw);
		L4_Set_XferTimeouts(0);
		kp_p.sending = 1;
		tag = L4_Send(from);
		kp_p.ec = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
		kp_p.done = 1;
	}
}

enum { KN_ABORT, KN_KPAGER_DELETED, KN_SENDER_DELETED };

/*
 * An agent r receives a string into a fresh region; its pager p (a root
 * thread) maps the buffer's page, and that map needs r's kernel memory,
 * so p's reply waits queued on r, unlinked, while r asks its kpager
 * (which holds the fault).  Then r's receive ends without that reply:
 * aborted by r's own second thread (how KN_ABORT), its kpager deleted
 * (KN_KPAGER_DELETED), or the string's sender deleted
 * (KN_SENDER_DELETED).  The reply answered a page fault that is over:
 * its send ends too (aborted), and it never reaches r's next receive.
 * (It stayed queued before xfer_release_held(): r's next receive took it
 * as an ordinary message from p, and a call from r to p made the two
 * wait for each other for as long as p's XferTimeouts allowed.)
 */
static const char *kn_reply_left(int how)
{
	L4_ThreadId_t r, r2, p;
	L4_Word_t page = kh_value_page(KH_VALUE), buf[2] = { KN_BUF, KN_LEN }, ec;
	L4_Word_t ctl[2], marker = 0x6d61726bUL;
	L4_MsgTag_t tag;

	CHECK(page != 0);
	RUN(kh_start(KH_HOLD));
	RUN(t_kp_agent(&r, kh_thread));
	RUN(kh_second_agent(r, &r2));
	/* The string receive's code is mapped before main stops serving it. */
	L4_Word_t warm[2] = { (L4_Word_t)kn_dst, KN_LEN };
	L4_StringItem_t ws = L4_StringItem(KN_LEN, kn_src);
	CHECK(rt_agent_post(r, RT_AG_RECV_STRING, 2, warm));
	CHECK(!L4_IsNilThread(t_send_async(r, t_tag(0x54, 0, 2), ws.raw, 0)));
	CHECK(t_ag_ok(rt_agent_result(r, 0)));
	CHECK_EQ(rt_mr(2), 0);
	t_send_async_wait(&tag, &ec);
	CHECK_EQ(ec, 0);
	t_kp_zero(&kp_p, sizeof(kp_p));
	kp_p.page = page;
	p = rt_thread_create(kn_pager, 0);
	CHECK(!L4_IsNilThread(p));
	CHECK_EQ(L4_ThreadControl(r, r, L4_nilthread, p, (void *)-1), 1);
	CHECK(rt_agent_post(r, RT_AG_RECV_STRING, 2, buf));
	L4_StringItem_t s = L4_StringItem(KN_LEN, kn_src);
	L4_ThreadId_t snd = t_send_async(r, t_tag(0x66, 0, 2), s.raw, KH_XFER);
	CHECK(!L4_IsNilThread(snd));
	t_until(&kp_p.got_pf, 1);
	if (!kh_lent_kinds) {
		t_until(&kp_p.done, 1);
		CHECK_EQ(kp_p.ec, 0);
		t_send_async_wait(&tag, &ec);
		CHECK_EQ(ec, 0);
		return 0;
	}
	t_until_at_least(&kh.n, 1);
	CHECK_EQ(kh.n, 1);
	CHECK_EQ(kh.from[0], r.raw);
	RUN(kh_wait_state(p, __L4_EXREGS_ABORT_SEND));
	CHECK_EQ(kp_p.done, 0);
	if (how == KN_ABORT) {
		ctl[0] = r.raw;
		ctl[1] = __L4_EXREGS_ABORT_SEND | __L4_EXREGS_ABORT_RECV;
		CHECK(t_ag_ok(rt_agent_cmd(r2, RT_AG_EXREG, 2, ctl)));
	} else if (how == KN_KPAGER_DELETED) {
		rt_release(kh_thread);
	} else {
		rt_release(snd);
	}
	/* The string's sender and r's receive end. */
	if (how != KN_SENDER_DELETED) {
		t_send_async_wait(&tag, &ec);
		CHECK(ec != 0);
	}
	CHECK(t_ag_ok(rt_agent_result(r, 0)));
	CHECK(rt_mr(2) != 0);
	/* r's next receive, from anyone, into KH_WINDOW: it must take the
	 * marker, not the pager's old reply. */
	kh.mode = KH_SERVE;
	if (how != KN_KPAGER_DELETED)
		RUN(kh_go(1));
	RUN(t_ag_accept(r, KH_WINDOW, 12));
	CHECK(rt_agent_post(r, RT_AG_RECV, 0, 0));
	CHECK(!L4_IsNilThread(t_send_async(r, t_tag(0x77, 1, 0), &marker, 0)));
	tag = rt_agent_result(r, 0);
	CHECK(t_ag_ok(tag));
	L4_MsgTag_t got = { .raw = rt_mr(1) };
	L4_Word_t got_from = rt_mr(3), got_ec = rt_mr(2);
	t_send_async_wait(&tag, &ec);
	CHECK_EQ(got_ec, 0);
	CHECK_EQ(got_from == p.raw, 0);
	CHECK_EQ(L4_Label(got), 0x77);
	CHECK_EQ(ec, 0);
	/* And the pager's reply ended without being taken: aborted with
	 * the receive it belonged to. */
	t_until(&kp_p.done, 1);
	CHECK_EQ(kp_p.ec & 0xf, EC_SEND(L4_ErrAborted));
	return 0;
}

static const char *t_khostile_pager_reply_ends_after_abort(void)
{
	return kn_reply_left(KN_ABORT);
}

static const char *t_khostile_pager_reply_ends_after_kpager_death(void)
{
	return kn_reply_left(KN_KPAGER_DELETED);
}

static const char *t_khostile_pager_reply_ends_after_sender_death(void)
{
	return kn_reply_left(KN_SENDER_DELETED);
}

/*
 * The same, where the string's sender is the receiver's kpager too.
 * When main's map of the buffer page needs the receiver's kernel memory,
 * the kpager cannot answer (it is the receiver's partner in the stopped
 * transfer), so the receive fails for want of memory (4) and the send
 * with it (7), as documented, and main's reply, queued on the receiver
 * meanwhile, ends with them: the agent's next IPC, its call to main, is
 * served, where before main and the agent waited for each other until
 * main's XferTimeout.
 */
static const char *t_khostile_pager_reply_ends_kpager_is_sender(void)
{
	L4_ThreadId_t r, from, snd;
	L4_Word_t page = kh_value_page(0), buf[2] = { KN_BUF, KN_LEN }, ec, main_ec;
	L4_MsgTag_t tag;

	CHECK(page != 0);
	RUN(kh_start(KH_SERVE));
	RUN(t_kp_agent(&r, kh_thread));
	CHECK(rt_agent_post(r, RT_AG_RECV_STRING, 2, buf));
	L4_StringItem_t s = L4_StringItem(KN_LEN, kn_src);
	snd = t_send_async(r, t_tag(0x66, 0, 2), s.raw, KH_XFER);
	CHECK(!L4_IsNilThread(snd));
	CHECK_EQ(lent_kmem_control(r.raw, LENT_KMEM_SET_KPAGER, snd.raw), 1);
	tag = rt_agent_result(r, &from);
	CHECK(rt_is_pagefault(tag));
	CHECK_EQ(from.raw, r.raw);
	L4_MapItem_t m = t_map_item(page, 12, L4_FullyAccessible, KH_WINDOW);
	t_load(0, 0, 0, 2, m.raw);
	L4_Set_XferTimeouts(KH_XFER);
	tag = L4_Send(r);
	main_ec = L4_IpcFailed(tag) ? L4_ErrorCode() & 0xf : 0;
	L4_Set_XferTimeouts(0);
	t_send_async_wait(&tag, &ec);
	CHECK(t_ag_ok(rt_agent_result(r, 0)));
	L4_Word_t rec = rt_mr(2) & 0xf;
	if (!kh_lent_kinds) {
		CHECK_EQ(main_ec, 0);
		CHECK_EQ(ec, 0);
		CHECK_EQ(rec, 0);
		return 0;
	}
	CHECK_EQ(ec, EC_SEND(L4_ErrAborted));
	CHECK_EQ(rec, EC_RECV(L4_ErrMsgOverflow));
	/* main's reply ended with the receive, aborted, not by a timeout
	 * after a wait for the agent, which was waiting for main. */
	CHECK_EQ(main_ec, EC_SEND(L4_ErrAborted));
	return 0;
}

const struct test khostile_nest_tests[] = {
	TEST(khostile_string_source_nested_kpf),
	TEST(khostile_kpager_gone_before_fault),
	TEST(khostile_kpager_deleted_receive_code),
	TEST(khostile_pager_reply_ends_after_abort),
	TEST(khostile_pager_reply_ends_after_kpager_death),
	TEST(khostile_pager_reply_ends_after_sender_death),
	TEST(khostile_pager_reply_ends_kpager_is_sender),
	{ 0 }
};
