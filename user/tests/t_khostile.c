/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A kpager that never answers, clients taken out of the wait, kpagers
 * and clients deleted while a kernel page fault is outstanding, and
 * answers that come late (docs/kernel-memory.md, "The deadlock rule";
 * docs/kpager-protocol.md).  What must hold: only the kpager's own
 * clients wait; a client can be taken out of the wait; an answer that
 * comes after its client gave up or died lends nothing, and the page
 * stays the kpager's to lend again.  In a KMEM=pool kernel no kpager is
 * asked: each test checks that instead (kh_lent_kinds is 0 there).
 */
#include "t_khostile.h"
#include "t_kattack.h"
#include "t_sync.h"

/* Where an agent taken out of a wait by ExchangeRegisters goes: its
 * command loop, from the start. */
static void kh_agent_again(L4_Word_t arg)
{
	(void)arg;
	rt_agent_loop(0);
}

static volatile L4_Word_t kh_word = KH_VALUE;

/* The agent reads an address of a region it never used: its page
 * fault's gather raises a kernel page fault first (CONT_KPF_FAULT).
 * A read of the root image's first has the code of the command mapped:
 * main, its pager, will not serve image faults meanwhile. */
static const char *kh_post_read(L4_ThreadId_t ag, L4_Word_t addr)
{
	RUN(t_ag_reads(ag, (L4_Word_t)&kh_word, KH_VALUE));
	CHECK(rt_agent_post(ag, RT_AG_READ, 1, &addr));
	return 0;
}

/* Abort ag's IPC (and, with ip, send it to ip on a fresh part of its
 * stack): main may, as ag's pager. */
static void kh_abort(L4_ThreadId_t ag, L4_Word_t ip)
{
	L4_Word_t ctl = __L4_EXREGS_ABORT_SEND | __L4_EXREGS_ABORT_RECV, sp = 0, d;
	L4_ThreadId_t p;

	if (ip) {
		(void)__L4_Exregs(ag, __L4_EXREGS_DELIVER, 0, 0, 0, 0, L4_nilthread,
				  &d, &sp, &d, &d, &d, &p);
		sp = (sp - 256) & ~15UL;
		ctl |= __L4_EXREGS_SET_IP | __L4_EXREGS_SET_SP;
	}
	(void)__L4_Exregs(ag, ctl, sp, ip, 0, 0, L4_nilthread, 0, 0, 0, 0, 0, 0);
}

/*
 * A kpager that receives faults and never answers.  Its two clients (one
 * in a receive of a map item, one in a page fault of its own) wait; an
 * unrelated task, whose kpager is the root's, meanwhile gets pages
 * mapped in fresh regions and threads made and deleted in its space,
 * without noticing.  Then the kpager answers: both clients go on.
 */
static const char *t_khostile_silent_kpager_others_unaffected(void)
{
	L4_ThreadId_t a, b, other;
	L4_Word_t value = kh_value_page(KH_VALUE), res[5], sec;

	CHECK(value != 0);
	RUN(kh_start(KH_HOLD));
	RUN(t_kp_agent(&a, kh_thread));
	RUN(t_kp_agent(&b, kh_thread));
	RUN(t_kp_agent(&other, L4_nilthread));
	RUN(ka_map_async(0, a, KH_WINDOW, value));
	RUN(kh_post_read(b, KH_WINDOW2));
	if (!kh_lent_kinds) {
		RUN(t_ag_faults_posted(b, KH_WINDOW2));
		return ka_map_done(0, a);
	}
	if (kh_lent_kinds) {
		t_until_at_least(&kh.n, 2);
		CHECK_EQ(kh.n, 2);
		CHECK_EQ(lent_kmem_control(a.raw, LENT_KMEM_PENDING, 0), 1);
		CHECK_EQ(lent_kmem_control(b.raw, LENT_KMEM_PENDING, 0), 1);
	}
	/* The other task: four fresh regions, four threads made and gone. */
	for (L4_Word_t i = 0; i < 4; i++) {
		L4_Word_t win = 0x60000000UL + i * 0x400000UL;
		L4_Word_t utcb = RT_UTCB_AREA_BASE + (i + 1) * RT_PAGE_SIZE;
		L4_ThreadId_t t = rt_tid_alloc();

		RUN(t_ag_accept(other, win, 12));
		RUN(t_ag_give_map(other, t_map_item(value, 12, L4_Readable, 0), res, &sec));
		CHECK_EQ(sec, 0);
		RUN(t_ag_reads(other, win, KH_VALUE));
		CHECK(!L4_IsNilThread(t));
		CHECK_EQ(L4_ThreadControl(t, other, rt_main_thread(), rt_main_thread(),
					  (void *)utcb), 1);
		CHECK_EQ(L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread,
					  (void *)-1), 1);
	}
	if (kh_lent_kinds) {
		/* The silent kpager's clients still wait, nothing else came. */
		CHECK_EQ(kh.n, 2);
		CHECK_EQ(lent_kmem_control(a.raw, LENT_KMEM_PENDING, 0), 1);
		CHECK_EQ(lent_kmem_control(b.raw, LENT_KMEM_PENDING, 0), 1);
		CHECK_EQ(ka_snd[0].done, 0);
		kh.mode = KH_SERVE;
		RUN(kh_go(1));
		CHECK_EQ(kh.answer_ec[0], 0);
		CHECK_EQ(kh.answer_ec[1], 0);
	}
	/* b's read goes on to its pager, main (a's result, if it comes
	 * first, is kept meanwhile). */
	RUN(t_ag_faults_posted(b, KH_WINDOW2));
	RUN(ka_map_done(0, a));
	RUN(t_ag_reads(a, KH_WINDOW, KH_VALUE));
	rt_release(a);
	rt_release(b);
	return kh_pool_back();
}

/*
 * A client in a page fault whose gather waits for a silent kpager
 * (CONT_KPF_FAULT).  An abort alone takes it back to user mode, where
 * the access faults again and asks again: one new fault per abort, no
 * more.  An abort with a new IP takes it out for good.  The kpager's
 * late answers find it in a call to main, which takes nothing from the
 * kpager: they time out, nothing is lent, and the client works on.
 */
static const char *t_khostile_abort_client_in_kernel_fault(void)
{
	L4_ThreadId_t a;

	RUN(kh_start(KH_HOLD));
	RUN(t_kp_agent(&a, kh_thread));
	L4_Word_t held = lent_kmem_control(a.raw, LENT_KMEM_STATS, 0);
	RUN(kh_post_read(a, KH_WINDOW));
	if (!kh_lent_kinds)
		return t_ag_faults_posted(a, KH_WINDOW);
	t_until_at_least(&kh.n, 1);
	CHECK_EQ(kh.n, 1);
	CHECK_EQ(kh.from[0], a.raw);
	CHECK_EQ(kh.cid[0], lent_cid_nt(KH_WINDOW));
	kh_abort(a, 0);
	t_until_at_least(&kh.n, 2);
	CHECK_EQ(kh.n, 2);
	CHECK_EQ(kh.from[1], a.raw);
	CHECK_EQ(kh.cid[1], lent_cid_nt(KH_WINDOW));
	(void)L4_Receive_Timeout(L4_nilthread, rt_us(50000));     /* a pause */
	CHECK_EQ(kh.n, 2);
	CHECK_EQ(lent_kmem_control(a.raw, LENT_KMEM_PENDING, 0), 1);
	/* Out for good: it calls main from its loop again. */
	kh_abort(a, (L4_Word_t)kh_agent_again);
	CHECK(t_ag_ok(rt_agent_result(a, 0)));
	CHECK_EQ(lent_kmem_control(a.raw, LENT_KMEM_PENDING, 0), 0);
	RUN(kh_go(1));
	CHECK_EQ(kh.answer_ec[0], EC_SEND(L4_ErrTimeout));
	CHECK_EQ(kh.answer_ec[1], EC_SEND(L4_ErrTimeout));
	RUN(kh_pool_back());
	CHECK_EQ(lent_kmem_control(a.raw, LENT_KMEM_STATS, 0), held);
	/* It works on: the next read is served and reaches its pager. */
	kh.mode = KH_SERVE;
	RUN(t_ag_faults(a, KH_WINDOW, 0));
	rt_release(a);
	return kh_pool_back();
}

/*
 * A client whose receive of a map item waits for a silent kpager
 * (CONT_PF_RECV), its receive aborted by its pager: the transfer ends
 * for both (IPC error 7 on each side).  The client then waits for a
 * message from anyone; the kpager's late answer, labelled, is refused
 * (LENT_KPF_NOT_WAITING), nothing is lent, and the client takes the
 * next map as usual.
 */
static const char *t_khostile_abort_client_in_receive_kpf(void)
{
	L4_ThreadId_t a;
	L4_Word_t value = kh_value_page(KH_VALUE);
	int waits;

	CHECK(value != 0);
	RUN(kh_client_in_receive_kpf(&a, &waits));
	if (!waits)
		return 0;
	(void)__L4_Exregs(a, __L4_EXREGS_ABORT_RECV, 0, 0, 0, 0, L4_nilthread, 0, 0, 0, 0, 0, 0);
	t_until(&ka_snd[0].done, 1);
	CHECK_EQ(ka_snd[0].ec & 0xf, EC_SEND(L4_ErrAborted));
	CHECK(t_ag_ok(rt_agent_result(a, 0)));
	CHECK_EQ(rt_mr(2) & 0xf, EC_RECV(L4_ErrAborted));
	CHECK_EQ(lent_kmem_control(a.raw, LENT_KMEM_PENDING, 0), 0);
	CHECK(rt_agent_post(a, RT_AG_RECV, 0, 0));
	RUN(kh_wait_state(a, __L4_EXREGS_ABORT_RECV));
	RUN(kh_go(1));
	CHECK_EQ(kh.answer_ec[0], EC_SEND(4) | ((L4_Word_t)LENT_KPF_NOT_WAITING << 4));
	RUN(kh_pool_back());
	/* The same map again, the kpager serving: it arrives. */
	kh.mode = KH_SERVE;
	L4_MapItem_t m = t_map_item(value, 12, L4_FullyAccessible, 0);
	L4_MsgTag_t tag;
	L4_Word_t ec;
	CHECK(!L4_IsNilThread(t_send_async(a, t_tag(0x66, 0, 2), m.raw, 0)));
	t_send_async_wait(&tag, &ec);
	CHECK_EQ(ec, 0);
	CHECK(t_ag_ok(rt_agent_result(a, 0)));
	CHECK_EQ(rt_mr(2), 0);
	RUN(t_ag_reads(a, KH_WINDOW, KH_VALUE));
	rt_release(a);
	return kh_pool_back();
}

/*
 * Two fresh clients of the kpager, *b's thread number below *a's if
 * b_lower, above it if not.  When the kpager is deleted, the kernel ends
 * its clients' waits in the order of their thread numbers, so this
 * decides whose message reaches main first.
 */
static const char *kh_two_clients(L4_ThreadId_t *a, L4_ThreadId_t *b, int b_lower)
{
	L4_ThreadId_t p, q;

	RUN(t_kp_agent(&p, kh_thread));
	RUN(t_kp_agent(&q, kh_thread));
	int swap = (L4_ThreadNo(p) < L4_ThreadNo(q)) == b_lower;
	*a = swap ? q : p;
	*b = swap ? p : q;
	return 0;
}

/*
 * The kpager is deleted while three clients wait for it: a receive of a
 * map item, a page fault, and a root thread's ThreadControl that makes a
 * thread in a client's task (a new UTCB page).  None hangs:
 * ThreadControl fails with "no memory" (8); the page fault goes on to
 * the pager; the receive ends with an error, and so does its sender.
 * The next ThreadControl of that root thread, once the task has a kpager
 * again, succeeds (no refusal note is left over).  The receiving
 * client's result and the other's page fault reach main in either order
 * (b_lower: the fault first): main takes the fault first, and keeps the
 * result if it came before.
 */
static const char *kh_kpager_deleted_three_clients(int b_lower)
{
	L4_ThreadId_t a, b, u = rt_tid_alloc();
	L4_Word_t value = kh_value_page(KH_VALUE);

	CHECK(value != 0);
	RUN(kh_start(KH_HOLD));
	RUN(kh_two_clients(&a, &b, b_lower));
	RUN(ka_map_async(0, a, KH_WINDOW, value));
	RUN(kh_post_read(b, KH_WINDOW2));
	t_shared[0] = t_shared[10] = u.raw;
	t_shared[1] = t_shared[11] = b.raw;
	t_shared[2] = t_shared[12] = RT_UTCB_AREA_BASE + 3 * RT_PAGE_SIZE;
	CHECK(!L4_IsNilThread(rt_thread_create(kh_tc_body, 0)));
	if (!kh_lent_kinds) {
		RUN(t_ag_faults_posted(b, KH_WINDOW2));
		RUN(ka_map_done(0, a));
		t_until(&t_shared[5], 1);
		CHECK_EQ(t_shared[3], 1);
		t_shared[6] = 1;
		return 0;
	}
	t_until_at_least(&kh.n, 3);
	CHECK_EQ(kh.n, 3);
	rt_release(kh_thread);
	/* ThreadControl: no memory. */
	t_until(&t_shared[5], 1);
	CHECK_EQ(t_shared[3], 0);
	CHECK_EQ(t_shared[4], L4_ErrNoMem);
	/* The receive and its sender end. */
	t_until(&ka_snd[0].done, 1);
	CHECK(ka_snd[0].ec != 0);
	/* The page fault reaches the pager (a's result, if it comes first,
	 * is kept meanwhile). */
	RUN(t_ag_faults_posted(b, KH_WINDOW2));
	CHECK(t_ag_ok(rt_agent_result(a, 0)));
	CHECK(rt_mr(2) != 0);
	CHECK_EQ(lent_kmem_control(a.raw, LENT_KMEM_PENDING, 0), 0);
	CHECK_EQ(lent_kmem_control(b.raw, LENT_KMEM_PENDING, 0), 0);
	/* With the root's kpager, the same root thread's next call works. */
	L4_Word_t root_kp = lent_kmem_control(0, LENT_KMEM_GET_KPAGER, 0);
	CHECK_EQ(lent_kmem_control(b.raw, LENT_KMEM_SET_KPAGER, root_kp), 1);
	t_shared[6] = 1;
	t_until(&t_shared[9], 1);
	CHECK_EQ(t_shared[7], 1);
	CHECK_EQ(L4_ThreadControl(u, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	rt_release(a);
	rt_release(b);
	return kh_pool_back();
}

static const char *t_khostile_kpager_deleted_three_clients(void)
{
	return kh_kpager_deleted_three_clients(0);
}

/* The same with the page fault's client numbered below the receiver:
 * its fault reaches main before the receiver's result. */
static const char *t_khostile_kpager_deleted_fault_first(void)
{
	return kh_kpager_deleted_three_clients(1);
}

/*
 * A client deleted while the kpager holds its fault; the kpager answers
 * late.  Its send fails (no such thread), nothing is lent, the frames
 * lent in all are as before, and the kpager's page is still its own: it
 * lends that very page to the next client, which works.
 */
static const char *t_khostile_client_deleted_late_answer(void)
{
	L4_ThreadId_t a, b;
	L4_Word_t value = kh_value_page(KH_VALUE);

	CHECK(value != 0);
	RUN(kh_start(KH_HOLD));
	L4_Word_t lent_before = kh_lent_now();
	RUN(t_kp_agent(&a, kh_thread));
	RUN(kh_post_read(a, KH_WINDOW));
	if (!kh_lent_kinds)
		return t_ag_faults_posted(a, KH_WINDOW);
	t_until_at_least(&kh.n, 1);
	CHECK_EQ(kh.n, 1);
	rt_release(a);
	RUN(kh_go(1));
	CHECK_EQ(kh.answer_ec[0] & 0xf, EC_SEND(L4_ErrNonExist));
	L4_Word_t page = kh.page[0][0];
	CHECK(page != 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, page), 0);
	RUN(kh_pool_back());
	CHECK_EQ(kh_lent_now(), lent_before);
	/* The kpager's own page: it writes it, and lends it to b. */
	((volatile L4_Word_t *)page)[1] = KH_VALUE;
	CHECK_EQ(((volatile L4_Word_t *)page)[1], KH_VALUE);
	kh.mode = KH_SERVE;
	kh.next = 0;
	RUN(t_kp_agent(&b, kh_thread));
	RUN(ka_map_async(0, b, KH_WINDOW, value));
	RUN(ka_map_done(0, b));
	RUN(t_ag_reads(b, KH_WINDOW, KH_VALUE));
	CHECK_EQ(kh.page[1][0], page);
	CHECK_EQ(kh.answer_ec[1], 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, page), 1);
	rt_release(b);
	RUN(kh_pool_back());
	CHECK_EQ(kh_lent_now(), lent_before);
	return 0;
}

const struct test khostile_tests[] = {
	TEST(khostile_silent_kpager_others_unaffected),
	TEST(khostile_abort_client_in_kernel_fault),
	TEST(khostile_abort_client_in_receive_kpf),
	TEST(khostile_kpager_deleted_three_clients),
	TEST(khostile_kpager_deleted_fault_first),
	TEST(khostile_client_deleted_late_answer),
	{ 0 }
};
