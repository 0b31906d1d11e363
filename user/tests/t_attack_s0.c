/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A hostile task against sigma0 through its kpager (docs/attack-surface.md).
 * A map item to a receiver that lacks the kernel memory for it waits while
 * the receiver's kpager is asked (docs/kernel-memory.md, "Gather, then
 * act"), for as long as the sender's and the receiver's XferTimeouts allow.
 * sigma0 answers every task with map items, so a task whose kpager never
 * answers must not be able to keep sigma0 waiting: sigma0 serves everybody
 * (and is the kpager of last resort).  The attacker asks sigma0 for a page
 * into a region it never used, with a kpager that holds every fault; the
 * root, a task under another kpager, must still be served by sigma0, and
 * the attacker's request ends with a clear error (a nil fpage), with
 * nothing lent.  In a KMEM=pool kernel no kpager is asked: the attacker's
 * request is simply served.
 */
#include "t_khostile.h"
#include "t_kattack.h"
#include "t_sync.h"
#include <l4/sigma0.h>

/* A 4 MB region of the attacker's besides KH_WINDOW and KH_WINDOW2. */
#define AS0_WARM	0x50000000UL

/* sigma0's any-page request for one page, from main, into the whole
 * space.  Neither phase has a clock bound: sigma0 serves main once its
 * own bound (its XferTimeouts) ends the attacker's request, however
 * slow the host; a sigma0 held for good is a hang the harness names
 * (t_sync.h).  The page, or 0. */
static L4_Word_t as0_get_page(L4_Word_t *ec)
{
	L4_MsgTag_t tag = L4_Niltag;
	L4_Fpage_t got;

	tag.X.label = __L4_SIGMA0_LABEL & 0xFFFF;
	tag.X.u = 2;
	L4_LoadMR(0, tag.raw);
	L4_LoadMR(1, L4_FpageLog2(~0UL, 12).raw);
	L4_LoadMR(2, 0);
	L4_Accept(L4_MapGrantItems(L4_CompleteAddressSpace));
	tag = L4_Call(rt_sigma0());
	L4_Accept(L4_UntypedWordsAcceptor);
	*ec = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
	if (*ec)
		return 0;
	L4_StoreMR(2, &got.raw);
	return L4_IsNilFpage(got) ? 0 : L4_Address(got);
}

/* The attacker's sigma0 request for any page into window, posted. */
static const char *as0_post_request(L4_ThreadId_t ag, L4_Word_t window)
{
	L4_Word_t a[2] = { L4_FpageLog2(~0UL, 12).raw, L4_FpageLog2(window, 12).raw };

	CHECK(rt_agent_post(ag, RT_AG_SIGMA0, 2, a));
	return 0;
}

/*
 * The attack: sigma0's answer to the attacker needs the attacker's node
 * table for the window's region, and its kpager holds that fault.  The
 * root's own request to sigma0 must be answered meanwhile; the
 * attacker's ends with a nil fpage; the held fault, answered late, lends
 * nothing.  A sentinel task under the root's kpager then gets a page from
 * sigma0 as usual, and so does the attacker once its kpager serves.
 */
static const char *t_attack_s0_silent_kpager_holds_no_sigma0(void)
{
	L4_ThreadId_t a, other;
	L4_Word_t ec = 0, page, res[5], sec;

	RUN(kh_start(KH_HOLD));
	RUN(t_kp_agent(&a, L4_nilthread));
	RUN(t_kp_agent(&other, L4_nilthread));
	/* A first request under the root's kpager: the attacker's code for
	 * it is paged in (main, its pager, is busy below). */
	RUN(as0_post_request(a, AS0_WARM));
	CHECK(t_ag_ok(rt_agent_result(a, 0)));
	CHECK(!L4_IsNilFpage((L4_Fpage_t) { .raw = rt_mr(1) }));
	CHECK_EQ(lent_kmem_control(a.raw, LENT_KMEM_SET_KPAGER, kh_thread.raw), 1);
	RUN(as0_post_request(a, KH_WINDOW));
	if (kh_lent_kinds) {
		t_until_at_least(&kh.n, 1);
		CHECK_EQ(kh.n, 1);
		CHECK_EQ(kh.from[0], a.raw);
		CHECK_EQ(kh.cid[0], lent_cid_nt(KH_WINDOW));
	}
	page = as0_get_page(&ec);
	if (!page && kh_lent_kinds)
		(void)kh_go(1);          /* let sigma0 go, or every later test hangs */
	CHECK_EQ(ec, 0);
	CHECK(page != 0);
	/* The attacker's request: refused (a nil fpage), its window empty. */
	CHECK(t_ag_ok(rt_agent_result(a, 0)));
	if (kh_lent_kinds) {
		CHECK(L4_IsNilFpage((L4_Fpage_t) { .raw = rt_mr(1) }));
		/* Its receive ran out of sigma0's XferTimeout while its own
		 * kernel memory was missing: 5, receive phase, no bytes. */
		CHECK(t_ag_ok(rt_agent_cmd(a, RT_AG_SELF, 0, 0)));
		L4_Word_t ec_at = rt_mr(4) - 36;
		CHECK(t_ag_ok(rt_agent_cmd(a, RT_AG_READ, 1, &ec_at)));
		CHECK_EQ(rt_mr(1), EC_RECV(5));
		/* Answered late, the fault lends nothing. */
		RUN(kh_go(1));
		CHECK(kh.answer_ec[0] != 0);
		RUN(kh_pool_back());
	} else {
		CHECK(!L4_IsNilFpage((L4_Fpage_t) { .raw = rt_mr(1) }));
	}
	/* The sentinel under another kpager: sigma0 serves it, and it reads
	 * what the root mapped it. */
	((volatile L4_Word_t *)page)[0] = KH_VALUE;
	RUN(as0_post_request(other, KH_WINDOW2));
	CHECK(t_ag_ok(rt_agent_result(other, 0)));
	CHECK(!L4_IsNilFpage((L4_Fpage_t) { .raw = rt_mr(1) }));
	RUN(t_ag_accept(other, KH_WINDOW, 12));
	RUN(t_ag_give_map(other, t_map_item(page, 12, L4_Readable, 0), res, &sec));
	CHECK_EQ(sec, 0);
	RUN(t_ag_reads(other, KH_WINDOW, KH_VALUE));
	/* Its kpager serving now, the attacker gets a page too. */
	kh.mode = KH_SERVE;
	RUN(as0_post_request(a, KH_WINDOW));
	CHECK(t_ag_ok(rt_agent_result(a, 0)));
	CHECK(!L4_IsNilFpage((L4_Fpage_t) { .raw = rt_mr(1) }));
	rt_release(a);
	rt_release(other);
	return kh_pool_back();
}

/* The XferTimeout of the server below (sigma0's is 2 s). */
#define AS0_XFER_US	50000UL

/*
 * What protects sigma0 protects any server that maps pages to clients of
 * kpagers it does not trust: its send XferTimeout.  A root thread maps a
 * page to a client whose kpager holds the node-table fault, with 50 ms:
 * the send fails with 6 (transfer timeout in the partner's space), the
 * client's receive with 5, no byte counted; the late answer lends
 * nothing, and the client's window stays empty.
 */
static const char *t_attack_s0_server_bounds_wait_with_xfer_timeout(void)
{
	L4_ThreadId_t a;
	L4_Word_t value = kh_value_page(KH_VALUE), ec = ~0UL;
	L4_MsgTag_t tag;

	CHECK(value != 0);
	RUN(kh_start(KH_HOLD));
	RUN(t_kp_agent(&a, kh_thread));
	RUN(t_ag_accept(a, KH_WINDOW, 12));
	CHECK(rt_agent_post(a, RT_AG_RECV, 0, 0));
	L4_MapItem_t m = t_map_item(value, 12, L4_Readable, 0);
	CHECK(!L4_IsNilThread(t_send_async(a, t_tag(0x66, 0, 2), m.raw,
					   L4_Timeouts(rt_us(AS0_XFER_US), L4_Never))));
	t_send_async_wait(&tag, &ec);
	tag = rt_agent_result(a, 0);
	CHECK(t_ag_ok(tag));
	if (!kh_lent_kinds) {
		CHECK_EQ(ec, 0);
		CHECK_EQ(rt_mr(2), 0);
		RUN(t_ag_reads(a, KH_WINDOW, KH_VALUE));
		rt_release(a);
		return 0;
	}
	CHECK_EQ(kh.n, 1);
	CHECK_EQ(kh.cid[0], lent_cid_nt(KH_WINDOW));
	CHECK_EQ(ec, EC_SEND(6));
	CHECK_EQ(rt_mr(2), EC_RECV(5));
	RUN(kh_go(1));
	CHECK(kh.answer_ec[0] != 0);
	RUN(kh_pool_back());
	kh.mode = KH_SERVE;
	RUN(t_ag_faults(a, KH_WINDOW, 0));
	rt_release(a);
	return kh_pool_back();
}

const struct test attack_s0_tests[] = {
	TEST(attack_s0_silent_kpager_holds_no_sigma0),
	TEST(attack_s0_server_bounds_wait_with_xfer_timeout),
	{ 0 }
};
