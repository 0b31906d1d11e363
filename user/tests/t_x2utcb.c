/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * X.2 while a kpager holds a thread's UTCB page (docs/abi.md, "Deviations
 * from X.2"; docs/kernel-memory.md, "UTCB pages"): the thread's
 * XferTimeouts bound a transfer that waits for the page, on either side,
 * with X.2's codes 5 and 6; a single-step trap taken meanwhile reaches
 * the exception handler as without the page away; a delayed preemption
 * is granted from the PreemptFlags the kernel kept.  The child is a task
 * made by hand whose kpager is a thread of ours: it lends a copy of the
 * page it got back, and can hold a UTCB fault, never answering it, until
 * the test releases it.  Every wait is for an IPC; a deadline is checked
 * from below only.  In a KMEM=pool kernel nothing is lent: the tests say so.
 * The tests of the state kept while the page is away (single step,
 * delayed preemption, a send timeout) are t_x2utcb_state.c.
 */
#include "t_kpreempt.h"
#include "t_kplog.h"
#include "t_kpre_kp.h"
#include "t_sync.h"
#include "t_x2utcb_int.h"
#include <lent/kmem.h>
#include "../../kpager/kpager.h"

volatile struct t_kplog xk;
static volatile L4_Word_t xu_hold;       /* hold the next UTCB fault ... */
static volatile L4_Word_t xu_release;    /* ... until this is set */
static volatile L4_Word_t xu_held;       /* faults held, never answered */
static volatile L4_Word_t xu_copy;       /* lent for the next UTCB fault */
static L4_ThreadId_t xu_kp;              /* our kpager's thread */

/* Set TF: the CPU traps after the instruction that follows the popf,
 * reporting the address of the next one (xu_db_at).  The handler resumes
 * at xu_db_resume with EAX set. */
__asm__(
	"	.text\n"
	"	.globl xu_single_step, xu_db_at, xu_db_resume\n"
	"xu_single_step:\n"
	"	xorl	%eax, %eax\n"
	"	pushfl\n"
	"	orl	$0x100, (%esp)\n"
	"	popfl\n"
	"	nop\n"
	"xu_db_at:\n"
	"	nop\n"
	"	nop\n"
	"	movl	$1, %eax\n"
	"xu_db_resume:\n"
	"	ret\n");

/* Our kpager: logs every kernel page fault; a UTCB fault while xu_hold
 * is set is held until xu_release and then dropped (the kernel must end
 * that wait itself); the next one gets xu_copy, any other a pool page. */
static void xu_kpager(L4_Word_t arg)
{
	L4_ThreadId_t from;
	L4_Word_t ec;

	(void)arg;
	xk.up = 1;
	for (;;) {
		L4_MsgTag_t tag = L4_Wait(&from);
		if (L4_IpcFailed(tag) || L4_Label(tag) != LENT_LABEL_KPF)
			continue;
		L4_Word_t i = xk.n % T_KPLOG_LOG, kind = rt_mr(2);
		xk.cid[i] = rt_mr(1);
		xk.fkind[i] = kind;
		xk.task[i] = rt_mr(3);
		xk.page[i] = 0;
		xk.n++;
		if (kind == LENT_KMEM_UTCB && xu_hold) {
			xu_held++;
			while (!xu_release)
				rt_sleep_us(1000);
			xu_hold = 0;
			continue;
		}
		if (kind == LENT_KMEM_UTCB && xu_copy) {
			xk.page[i] = xu_copy;
			xu_copy = 0;
		} else {
			xk.page[i] = t_kplog_take(&xk);
		}
		if (!kpager_answer(from, xk.page[i], &ec))
			xk.failed++;
		t_flaky_delay(1);
	}
}

/* Three words to main, label XU_DATA, by a call. */
static void xu_report(L4_Word_t a, L4_Word_t b, L4_Word_t c)
{
	L4_ThreadId_t main_thread = { .raw = t_shared[XU_MAIN] };
	L4_Word_t w[3] = { a, b, c };

	L4_LoadMRs(1, 3, w);
	L4_LoadMR(0, L4_MsgTagAddLabel((L4_MsgTag_t){ .X.u = 3 }, XU_DATA).raw);
	(void)L4_Call(main_thread);
}

/* The child: its XferTimeouts (and handler, or d) set, hello to main,
 * then per mode; it reports what it met. */
static void xu_child(L4_Word_t arg)
{
	L4_ThreadId_t main_thread = { .raw = t_shared[XU_MAIN] };
	L4_ThreadId_t peer = { .raw = t_shared[XU_PEER] };
	L4_Word_t mode = t_shared[XU_MODE], w[XU_WORDS];
	L4_MsgTag_t tag;

	(void)arg;
	L4_Set_XferTimeouts(t_shared[XU_XT]);
	if (mode == XU_STEP) {
		__L4_TCR_Set_ExceptionHandler(main_thread.raw);
		/* Its code's page in now: a fault there would bring the
		 * UTCB page back before the step. */
		(void)*(volatile const char *)xu_single_step;
	}
	if (mode == XU_DELAY)
		*__L4_TCR(__L4_TCR_PREEMPT_FLAGS) |= XU_PF_DELAYED;
	if (mode == XU_SYSENTER) {
		/* every page the sysenter touches in now, as for XU_STEP */
		(void)*(volatile const char *)t_se_raw;
		(void)*(volatile const char *)t_se_back;
		t_se_out[0] = t_se_out[7] = 0;
		((volatile L4_Word_t *)t_se_in[6])[-1] = 0;
	}
	L4_LoadMR(0, L4_MsgTagAddLabel((L4_MsgTag_t){ .X.u = 0 }, XU_HELLO).raw);
	(void)L4_Call(main_thread);
	switch (mode) {
	case XU_SEND:
		for (unsigned i = 0; i < XU_WORDS; i++)
			w[i] = 0x58550000UL + i;
		L4_LoadMRs(1, XU_WORDS, w);
		L4_LoadMR(0, (L4_MsgTag_t){ .X.u = XU_WORDS }.raw);
		t_shared[XU_SPIN] = 1;
		tag = L4_Send(peer);
		xu_report(L4_IpcFailed(tag), L4_ErrorCode(), 0);
		break;
	case XU_SEND_TIMED: {
		t_shared[XU_SPIN] = 1;
		L4_Word_t t0 = rt_now_us();
		tag = L4_Send_Timeout(peer, rt_us(XU_SEND_US));
		t0 = rt_now_us() - t0;
		xu_report(L4_IpcFailed(tag), L4_ErrorCode(), t0);
		break;
	}
	case XU_RECV:
		t_shared[XU_SPIN] = 1;
		tag = L4_Receive(peer);
		xu_report(L4_IpcFailed(tag), L4_ErrorCode(), L4_UntypedWords(tag));
		break;
	case XU_SYSENTER:
		t_shared[XU_SPIN] = 1;
		while (!t_shared[XU_GO])
			;
		t_se_raw();
		xu_report(t_se_out[3], t_se_out[7], t_se_out[4]);
		break;
	case XU_STEP:
		t_shared[XU_SPIN] = 1;
		while (!t_shared[XU_GO])
			;
		w[0] = xu_single_step();
		xu_report(w[0], 0, 0);
		break;
	default:
		t_shared[XU_SPIN] = 1;
		while (!t_shared[XU_GO])
			;
		xu_report(*__L4_TCR(__L4_TCR_PREEMPT_FLAGS) & 0xFF, 0, 0);
		break;
	}
	for (;;)
		L4_Sleep(L4_Never);
}

/* A root thread: main's go names the child and what to do; it reports
 * its result, ErrorCode and the time it took, by a send to main. */
static void xu_peer(L4_Word_t arg)
{
	L4_ThreadId_t main_thread = { .raw = t_shared[XU_MAIN] };
	L4_Word_t w[XU_WORDS];

	(void)arg;
	L4_MsgTag_t tag = L4_Receive(main_thread);
	L4_ThreadId_t child = { .raw = rt_mr(1) };
	L4_Word_t op = rt_mr(2), t0 = rt_now_us();
	if (op == XU_PEER_RECV) {
		tag = L4_Receive(child);
	} else {
		for (unsigned i = 0; i < XU_WORDS; i++)
			w[i] = 0x50450000UL + i;
		L4_LoadMRs(1, XU_WORDS, w);
		L4_LoadMR(0, (L4_MsgTag_t){ .X.u = XU_WORDS }.raw);
		tag = L4_Send(child);
	}
	w[0] = L4_IpcFailed(tag);
	w[1] = L4_ErrorCode();
	w[2] = rt_now_us() - t0;
	L4_LoadMRs(1, 3, w);
	L4_LoadMR(0, L4_MsgTagAddLabel((L4_MsgTag_t){ .X.u = 3 }, XU_DATA).raw);
	(void)L4_Send(main_thread);
	for (;;)
		L4_Sleep(L4_Never);
}

static int xu_lends(void)
{
	return (lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0) >> LENT_KMEM_UTCB) & 1;
}

/* Our kpager, the peer thread (if peer), and the child in mode with
 * XferTimeouts xt, its hello taken; *skip in a kernel that lends
 * nothing. */
const char *xu_begin(L4_ThreadId_t *c, L4_ThreadId_t *peer, enum xu_mode mode,
		     L4_Word_t xt, int *skip)
{
	L4_ThreadId_t kp, from;

	t_kplog_reset(&xk, T_KPLOG_SERVE, 0);
	xu_hold = xu_release = xu_held = xu_copy = 0;
	/* The pages of the take-back tests' kpager (t_kpre_kp.c), which
	 * lends none while we run: no more of the root's memory is held for
	 * good (the 8 MB runs need it at their end). */
	if (!kpre.pool)
		RUN(kpre_start());
	xk.pool = kpre.pool;
	xk.pages = kpre.pages;
	for (L4_Word_t p = 0; p < xk.pages; p++)
		CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, xk.pool + p * RT_PAGE_SIZE), 0);
	t_shared[XU_MAIN] = L4_Myself().raw;
	t_shared[XU_MODE] = mode;
	t_shared[XU_XT] = xt;
	*peer = L4_nilthread;
	if (mode == XU_SEND || mode == XU_RECV || mode == XU_SEND_TIMED) {
		*peer = rt_thread_create(xu_peer, 0);
		CHECK(!L4_IsNilThread(*peer));
		t_shared[XU_PEER] = peer->raw;
	}
	kp = rt_thread_create(xu_kpager, 0);
	CHECK(!L4_IsNilThread(kp));
	xu_kp = kp;
	RUN(t_kpre_start_paged(c, kp, rt_pager_start(), xu_child));
	L4_MsgTag_t tag = rt_serve(*c, RT_NEVER_US, &from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), XU_HELLO);
	*skip = !xu_lends();
	L4_LoadMR(0, 0);
	CHECK(L4_IpcSucceeded(L4_Reply(*c)));
	t_until(&t_shared[XU_SPIN], 1);
	return 0;
}

/* Take the child's UTCB page back, as it is, and have our kpager lend a
 * copy of it when it is asked for. */
const char *xu_take(void)
{
	L4_Word_t old = t_kplog_lent_for(&xk, LENT_KMEM_UTCB, LENT_CID_UTCB_BASE);

	CHECK(old != 0);
	(void)L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(old, 12), L4_FullyAccessible));
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, old), 0);
	L4_Word_t copy = t_kplog_take(&xk);
	CHECK(copy != 0 && copy != old);
	for (unsigned i = 0; i < RT_PAGE_SIZE / sizeof(L4_Word_t); i++)
		((volatile L4_Word_t *)copy)[i] = ((const volatile L4_Word_t *)old)[i];
	xu_copy = copy;
	return 0;
}

/* The UTCB faults our kpager got from log entry n on. */
L4_Word_t xu_utcb_faults(L4_Word_t n)
{
	L4_Word_t k = 0;

	for (L4_Word_t i = n; i < xk.n && i < T_KPLOG_LOG; i++)
		k += xk.fkind[i] == LENT_KMEM_UTCB && xk.cid[i] == LENT_CID_UTCB_BASE;
	return k;
}

/* A message of label XU_DATA with three words from t (no clock bound:
 * every report comes, the timeouts under test are the kernel's). */
const char *xu_data(L4_ThreadId_t t)
{
	L4_MsgTag_t tag = L4_Receive(t);

	if (L4_IpcFailed(tag))
		printf("#   no report from %lx: error %lx, held %lu, faults %lu\n", t.raw,
		       L4_ErrorCode(), xu_held, xk.n);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), XU_DATA);
	CHECK_EQ(L4_UntypedWords(tag), 3);
	return 0;
}

static const char *xu_go_peer(L4_ThreadId_t peer, L4_ThreadId_t c, L4_Word_t op)
{
	/* Our kpager in its receive first: a fault of the transfer reaches
	 * it at once, however late it runs, so the XferTimeout under test
	 * cannot end the wait before the kpager has the fault (else the
	 * kpager held the child's next UTCB fault, for its ErrorCode, for
	 * good).  Waited for before the message is loaded: the wait's
	 * sleeps are IPCs, which overwrite MR0-MR2. */
	CHECK(t_until_waiting(xu_kp));
	L4_LoadMR(1, c.raw);
	L4_LoadMR(2, op);
	L4_LoadMR(0, L4_MsgTagAddLabel((L4_MsgTag_t){ .X.u = 2 }, XU_GO_LABEL).raw);
	CHECK(L4_IpcSucceeded(L4_Send(peer)));
	return 0;
}

/* The child gone, whatever the test found; the self-check passes. */
const char *xu_end(L4_ThreadId_t c, const char *r)
{
	xu_release = 1;
	if (L4_ThreadControl(c, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1) != 1 && !r)
		r = "the child could not be deleted";
	if (!r && lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0) != 0)
		r = "self-check failed";
	return r;
}

/*
 * The child is blocked sending 8 words to the peer when its UTCB page is
 * taken; the peer's receive then takes it, and the transfer waits for
 * the page, which our kpager holds.  X.2: a wait in a transfer is bounded
 * by both XferTimeouts; the child's send half (xt, relative XU_XFER_US,
 * or zero) ends it: the peer gets 6 in its receive phase, the child 5 in
 * its send phase (offset 0: no string), read from its UTCB once back.
 * (Before: the child's XferTimeout counted as never while its page was
 * away: with the relative one the peer waited for ever; with zero the
 * message went through once the page was lent.)
 */
static const char *xu_sender_away(L4_ThreadId_t c, L4_ThreadId_t peer, int zero)
{
	L4_Word_t n = xk.n;

	CHECK(t_until_state(c, L4_SCHEDRESULT_PENDING_SEND));
	RUN(xu_take());
	xu_hold = !zero;
	RUN(xu_go_peer(peer, c, XU_PEER_RECV));
	RUN(xu_data(peer));
	CHECK_EQ(rt_mr(1), 1);
	CHECK_EQ(rt_mr(2), EC_RECV(6));
	if (!zero)
		CHECK(rt_mr(3) >= XU_XFER_US - XU_SLACK_US);
	xu_release = 1;
	RUN(xu_data(c));
	CHECK_EQ(rt_mr(1), 1);
	CHECK_EQ(rt_mr(2), EC_SEND(5));
	/* Asked for once in the transfer (held, dropped), once to read
	 * ErrorCode; at once, no transfer waited: only the second. */
	CHECK_EQ(xu_held, zero ? 0 : 1);
	CHECK_EQ(xu_utcb_faults(n), zero ? 1 : 2);
	CHECK_EQ(xk.failed, 0);
	return 0;
}

static const char *xu_sender_test(L4_Word_t send_xt, int zero)
{
	L4_ThreadId_t c, peer;
	int skip;

	RUN(xu_begin(&c, &peer, XU_SEND, send_xt << 16, &skip));
	if (skip) {
		RUN(xu_go_peer(peer, c, XU_PEER_RECV));
		RUN(xu_data(peer));
		return xu_end(c, rt_mr(1) == 0 ? 0 : "the message did not arrive");
	}
	return xu_end(c, xu_sender_away(c, peer, zero));
}

static const char *t_x2utcb_sender_xfer_timeout(void)
{
	return xu_sender_test(rt_us(XU_XFER_US).raw, 0);
}

static const char *t_x2utcb_sender_xfer_zero(void)
{
	return xu_sender_test(L4_ZeroTime.raw, 1);
}

/*
 * The child waits in a receive from the peer, its receive XferTimeout
 * relative XU_XFER_US, when its UTCB page is taken; the peer's send of 8
 * words then waits for the page (the child's kernel memory), which our
 * kpager holds.  The child's half ends it: the peer gets 6 in its send
 * phase, the child 5 in its receive phase.  (Before: never; the peer
 * waited for ever.)
 */
static const char *xu_receiver_away(L4_ThreadId_t c, L4_ThreadId_t peer)
{
	L4_Word_t n = xk.n;

	CHECK(t_until_waiting(c));
	RUN(xu_take());
	xu_hold = 1;
	RUN(xu_go_peer(peer, c, XU_PEER_SEND));
	RUN(xu_data(peer));
	CHECK_EQ(rt_mr(1), 1);
	CHECK_EQ(rt_mr(2), EC_SEND(6));
	CHECK(rt_mr(3) >= XU_XFER_US - XU_SLACK_US);
	xu_release = 1;
	RUN(xu_data(c));
	CHECK_EQ(rt_mr(1), 1);
	CHECK_EQ(rt_mr(2), EC_RECV(5));
	CHECK_EQ(xu_held, 1);
	CHECK_EQ(xu_utcb_faults(n), 2);
	return 0;
}

static const char *t_x2utcb_receiver_xfer_timeout(void)
{
	L4_ThreadId_t c, peer;
	int skip;

	RUN(xu_begin(&c, &peer, XU_RECV, rt_us(XU_XFER_US).raw, &skip));
	if (skip) {
		RUN(xu_go_peer(peer, c, XU_PEER_SEND));
		RUN(xu_data(peer));
		return xu_end(c, rt_mr(1) == 0 ? 0 : "the message did not arrive");
	}
	return xu_end(c, xu_receiver_away(c, peer));
}

const struct test x2utcb_tests[] = {
	TEST(x2utcb_sysenter_entry),
	TEST(x2utcb_sender_xfer_timeout),
	TEST(x2utcb_sender_xfer_zero),
	TEST(x2utcb_receiver_xfer_timeout),
	TEST(x2utcb_single_step_reported),
	TEST(x2utcb_delayed_preemption),
	TEST(x2utcb_send_timeout_kept),
	{ 0 }
};
