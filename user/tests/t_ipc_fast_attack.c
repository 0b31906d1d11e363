/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Hostile shapes of a Receive alone and a ReplyWait with senders queued,
 * the IPC fast path's cases that let the receiver run on (kernel/
 * ipc_fast.c, receive_alone(), reply_and_receive()): each must give the
 * general path's result (ipc.c) or leave the call to it, and leave the
 * kernel's self-check content.  The suite runs again with ipcfast=off,
 * where every result here must hold the same.
 */
#include "tests.h"
#include "t_sync.h"
#include "t_ipc_fast_recv.h"

/* MR0 words a receive alone ignores (X.2 "Ipc": no send phase, no tag
 * sent): a kpager's answer's label with typed words and every flag (the
 * general path's kpager answer is asked first, ipc_kfast.c), and one
 * with all the untyped words too. */
static const L4_Word_t fa_garbage[2] = {
	((L4_Word_t)0xFF00 << 16) | 0xF000 | (1 << 6),
	((L4_Word_t)0xFF00 << 16) | 0xF000 | (5 << 6) | 63,
};

static L4_ThreadId_t fa_irq(L4_Word_t n)
{
	return L4_GlobalId(n, 1);
}

/* A receive-only Ipc whose MR0 is garbage takes the queued Call as any
 * receive does (on the fast path, where it is on), and without a
 * sender its zero timeout fails it: MR0 says nothing about either. */
static const char *t_fa_garbage_tag(void)
{
	for (int i = 0; i < 2; i++) {
		L4_ThreadId_t s = fr_queue(fr_caller), from = L4_nilthread;
		L4_Word_t mr[3], on, before, after;
		L4_MsgTag_t tag;

		CHECK(!L4_IsNilThread(s));
		t_shared[FR_DONE] = t_shared[FR_GOT] = 0;
		before = fr_count(&on);
		L4_LoadMR(0, fa_garbage[i]);
		tag = L4_Ipc(L4_nilthread, L4_anythread, L4_Timeouts(L4_Never, L4_Never), &from);
		L4_StoreMRs(1, 3, mr);
		after = fr_count(&on);
		CHECK(L4_IpcSucceeded(tag));
		CHECK_EQ(L4_Label(tag), FR_LABEL);
		CHECK_EQ(L4_UntypedWords(tag), 3);
		CHECK_EQ(L4_TypedWords(tag), 0);
		CHECK_EQ(tag.raw & 0xF000, 0);
		CHECK_EQ(from.raw, L4_LocalIdOf(s).raw);
		for (int k = 0; k < 3; k++)
			CHECK_EQ(mr[k], fr_words[k]);
		CHECK_EQ(on ? after - before : after, on ? 1 : 0);   /* the fast path's */
		CHECK(t_waiting(s));
		RUN(t_selfcheck());
		RUN(fr_answer(s));
		CHECK(rt_release(s));

		L4_LoadMR(0, fa_garbage[i]);
		tag = L4_Ipc(L4_nilthread, L4_anythread, L4_Timeouts(L4_Never, L4_ZeroTime), &from);
		CHECK(L4_IpcFailed(tag));
		CHECK_EQ(t_ipc_ec(), EC_RECV(1));
	}
	return 0;
}

/* Neither phase (to and FromSpecifier nil) with a sender queued, MR0
 * plain or garbage: nothing is received, the sender stays queued. */
static const char *t_fa_no_phase(void)
{
	L4_ThreadId_t s = fr_queue(fr_caller), from = L4_nilthread;
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(s));
	t_shared[FR_DONE] = t_shared[FR_GOT] = 0;
	for (int i = 0; i < 3; i++) {
		L4_LoadMR(0, i ? fa_garbage[i - 1] : 0);
		tag = L4_Ipc(L4_nilthread, L4_nilthread, L4_Timeouts(L4_Never, L4_Never), &from);
		CHECK(L4_IpcSucceeded(tag));
		CHECK_EQ(L4_UntypedWords(tag), 0);
		CHECK_EQ(L4_TypedWords(tag), 0);
		CHECK(t_sched_state(s, L4_SCHEDRESULT_PENDING_SEND));
	}
	CHECK_EQ(t_shared[FR_DONE], 0);
	RUN(t_selfcheck());
	CHECK(rt_release(s));
	return 0;
}

/* A receive whose FromSpecifier names no queued sender (an interrupt
 * thread, ourselves) with a zero timeout: it times out, and the Call
 * queued on us stays queued, to be taken by the next open receive. */
static const char *t_fa_from_not_queued(void)
{
	L4_ThreadId_t s = fr_queue(fr_caller), from = L4_nilthread;
	L4_ThreadId_t spec[2] = { fa_irq(10), L4_Myself() };
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(s));
	t_shared[FR_DONE] = t_shared[FR_GOT] = 0;
	for (int i = 0; i < 2; i++) {
		tag = L4_Ipc(L4_nilthread, spec[i], L4_Timeouts(L4_Never, L4_ZeroTime), &from);
		CHECK(L4_IpcFailed(tag));
		CHECK_EQ(t_ipc_ec(), EC_RECV(1));
		CHECK(t_sched_state(s, L4_SCHEDRESULT_PENDING_SEND));
	}
	tag = L4_Wait(&from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), FR_LABEL);
	CHECK_EQ(from.raw, L4_LocalIdOf(s).raw);
	RUN(t_selfcheck());
	RUN(fr_answer(s));
	CHECK(rt_release(s));
	return 0;
}

/* Calls to for ever with FR_LABEL and fr_words (another task: it
 * shares no t_shared words with us). */
static void fa_task_caller(L4_Word_t to)
{
	for (;;) {
		t_load(FR_LABEL, 3, fr_words, 0, 0);
		(void)L4_Call(fr_id(to));
	}
}

/* Another task's Call queued first, ours second: a receive from any
 * thread of our space passes the first over and takes ours, named by
 * its local ID, as the general path's scan of the queue does; a
 * ReplyWait to ours from anylocal then finds none of ours and waits
 * while the task's Call stays queued; an open receive takes it after. */
static const char *t_fa_anylocal_skips_task(void)
{
	L4_ThreadId_t s = rt_task_create(fa_task_caller, L4_Myself().raw, rt_pager()), b, from;
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(s));
	CHECK(L4_Set_Priority(s, RT_PRIORITY - 1) != L4_SCHEDRESULT_ERROR);
	CHECK(L4_IpcSucceeded(L4_Wait(&from)));    /* its first Call, after its faults */
	CHECK_EQ(from.raw, s.raw);
	t_load(FR_REPLY, 0, 0, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(s)));
	CHECK(t_sched_state(s, L4_SCHEDRESULT_PENDING_SEND));
	t_shared[FR_DONE_B] = t_shared[FR_GOT_B] = 0;
	b = fr_queue(fr_caller_b);
	CHECK(!L4_IsNilThread(b));

	tag = L4_Ipc(L4_nilthread, L4_anylocalthread, L4_Timeouts(L4_Never, L4_Never), &from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), FR_OTHER);
	CHECK_EQ(from.raw, L4_LocalIdOf(b).raw);
	CHECK(t_sched_state(s, L4_SCHEDRESULT_PENDING_SEND));
	RUN(t_selfcheck());

	/* The reply to b, then a receive from anylocal with a zero
	 * timeout: the task's Call is not ours to take. */
	t_load(FR_REPLY, 0, 0, 0, 0);
	tag = L4_Ipc(b, L4_anylocalthread, L4_Timeouts(L4_Never, L4_ZeroTime), &from);
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(t_ipc_ec(), EC_RECV(1));
	t_until(&t_shared[FR_DONE_B], 1);
	CHECK_EQ(t_shared[FR_GOT_B], FR_REPLY);
	CHECK(t_sched_state(s, L4_SCHEDRESULT_PENDING_SEND));

	tag = L4_Wait(&from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), FR_LABEL);
	CHECK_EQ(from.raw, s.raw);
	RUN(t_selfcheck());
	CHECK(rt_release(b));
	CHECK(rt_release(s));
	return 0;
}

/* A sender halted while queued (ExchangeRegisters H), a Send alone's or
 * a Call's: a receive takes its message, and the sender, its IPC done,
 * stays halted (our time given to it does not run it) until started;
 * then it learns its result. */
static const char *t_fa_halted_sender(void)
{
	for (int call = 0; call < 2; call++) {
		L4_ThreadId_t s, from;
		L4_MsgTag_t tag;

		t_shared[FR_DONE] = 0;
		t_shared[FR_GOT] = 1;
		s = fr_queue(call ? fr_caller : fr_sender);
		CHECK(!L4_IsNilThread(s));
		(void)L4_Stop(s);
		tag = L4_Ipc(L4_nilthread, L4_anythread, L4_Timeouts(L4_Never, L4_Never), &from);
		CHECK(L4_IpcSucceeded(tag));
		CHECK_EQ(L4_Label(tag), call ? FR_LABEL : FR_LABEL + 1);
		CHECK_EQ(from.raw, L4_LocalIdOf(s).raw);
		RUN(t_selfcheck());
		if (call) {
			t_load(FR_REPLY, 0, 0, 0, 0);
			CHECK(L4_IpcSucceeded(L4_Send(s)));
		}
		L4_ThreadSwitch(s);
		CHECK_EQ(t_shared[FR_DONE], 0);
		L4_Start(s);
		t_until(&t_shared[FR_DONE], 1);
		CHECK_EQ(t_shared[FR_GOT], call ? FR_REPLY : 0);
		RUN(t_selfcheck());
		CHECK(rt_release(s));
	}
	return 0;
}

/* The first sender queued aborted (and stopped) by ExchangeRegisters:
 * the next one is first now, and a receive takes it; the aborted Call
 * failed in its send phase, canceled (X.2 error 3). */
static const char *t_fa_first_aborted(void)
{
	L4_ThreadId_t a, b, from;
	L4_MsgTag_t tag;

	t_shared[FR_DONE] = t_shared[FR_DONE_B] = 0;
	t_shared[FR_GOT] = t_shared[FR_GOT_B] = 1;
	a = fr_queue(fr_caller_b);
	CHECK(!L4_IsNilThread(a));
	b = fr_queue(fr_sender);
	CHECK(!L4_IsNilThread(b));
	(void)L4_AbortIpc_and_stop(a);
	tag = L4_Wait(&from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), FR_LABEL + 1);
	CHECK_EQ(from.raw, L4_LocalIdOf(b).raw);
	RUN(t_selfcheck());
	L4_Start(a);
	t_until(&t_shared[FR_DONE_B], 1);
	CHECK_EQ(t_shared[FR_GOT_B], 0x100 | EC_SEND(3));
	t_until(&t_shared[FR_DONE], 1);
	CHECK_EQ(t_shared[FR_GOT], 0);
	CHECK(rt_release(b));
	CHECK(rt_release(a));
	return 0;
}

/* Receives once from main: the label (or 0x100 and the error code) to
 * FR_GOT, then FR_DONE++. */
static void fa_waiter(L4_Word_t main_id)
{
	L4_MsgTag_t tag = L4_Receive(fr_id(main_id));

	t_shared[FR_GOT] = L4_IpcSucceeded(tag) ? L4_Label(tag) : 0x100 | t_ipc_ec();
	t_shared[FR_DONE]++;
	for (;;)
		L4_Sleep(L4_Never);
}

/* Another task's: receives once from main, then sends to it for ever. */
static void fa_task_waiter(L4_Word_t main_id)
{
	(void)L4_Receive(fr_id(main_id));
	for (;;) {
		t_load(FR_LABEL, 0, 0, 0, 0);
		(void)L4_Send(fr_id(main_id));
	}
}

/* A ReplyWait with a Call queued, to a thread of ours named by its
 * local ID, whose UTCB (ours to write) says in MyGlobalId that it is a
 * thread of another task waiting for us: the reply goes to the thread
 * the local ID names (the one whose UTCB lies there), not to the one
 * the forged word names; the queued Call comes back. */
static const char *t_fa_forged_local_id(void)
{
	L4_ThreadId_t w, x, q, from;
	volatile L4_Word_t *gid;
	L4_Word_t keep;
	L4_MsgTag_t tag;

	t_shared[FR_DONE] = t_shared[FR_DONE_B] = 0;
	t_shared[FR_GOT] = t_shared[FR_GOT_B] = 1;
	x = rt_task_create(fa_task_waiter, L4_Myself().raw, rt_pager());
	CHECK(!L4_IsNilThread(x));
	CHECK(L4_Set_Priority(x, RT_PRIORITY - 1) != L4_SCHEDRESULT_ERROR);
	CHECK(t_waiting(x));
	w = rt_thread_create(fa_waiter, L4_Myself().raw);
	CHECK(!L4_IsNilThread(w));
	CHECK(L4_Set_Priority(w, RT_PRIORITY - 1) != L4_SCHEDRESULT_ERROR);
	CHECK(t_waiting(w));
	q = fr_queue(fr_caller_b);
	CHECK(!L4_IsNilThread(q));

	gid = (volatile L4_Word_t *)L4_LocalIdOf(w).raw + __L4_TCR_MY_GLOBAL_ID;
	keep = *gid;
	*gid = x.raw;
	t_load(FR_REPLY, 0, 0, 0, 0);
	tag = L4_ReplyWait(L4_LocalIdOf(w), &from);
	*gid = keep;
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), FR_OTHER);
	CHECK_EQ(from.raw, L4_LocalIdOf(q).raw);
	RUN(t_selfcheck());
	/* x still waits for us, so that a message with a zero send timeout
	 * reaches it (had it got the reply, it would be ready, below us,
	 * and not waiting); w has the reply. */
	t_load(FR_REPLY + 1, 0, 0, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send_Timeout(x, L4_ZeroTime)));
	t_until(&t_shared[FR_DONE], 1);
	CHECK_EQ(t_shared[FR_GOT], FR_REPLY);

	t_load(FR_REPLY, 0, 0, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(q)));
	t_until(&t_shared[FR_DONE_B], 1);
	CHECK_EQ(t_shared[FR_GOT_B], FR_REPLY);
	CHECK(rt_release(q));
	CHECK(rt_release(w));
	CHECK(rt_release(x));
	return 0;
}

const struct test ipc_fast_attack_tests[] = {
	TEST(fa_garbage_tag),
	TEST(fa_no_phase),
	TEST(fa_from_not_queued),
	TEST(fa_anylocal_skips_task),
	TEST(fa_halted_sender),
	TEST(fa_first_aborted),
	TEST(fa_forged_local_id),
	{ 0, 0 },
};
