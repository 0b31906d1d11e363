/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A Receive alone (no send phase) on the IPC fast path (kernel/
 * ipc_fast.c, receive_alone()): the first sender queued on us, if we
 * wait for it, gives us its message, and goes on as the general path
 * has it (ipc.c, finish_send()): a Call's sender waits for the reply, a
 * Send's is made ready and runs after us, or before us if its priority
 * is higher; a sender's own receive phase takes its own queued sender or
 * fails its zero timeout at once.  The suite runs again with
 * ipcfast=off, where all but the count must hold the same.
 */
#include "tests.h"
#include "t_sync.h"
#include "t_ipc_fast_recv.h"
#include <lent/kmem.h>

const L4_Word_t fr_words[3] = { 0x11, 0x2222, 0x333333 };

L4_ThreadId_t fr_id(L4_Word_t raw)
{
	return (L4_ThreadId_t){ .raw = raw };
}

L4_Word_t fr_count(L4_Word_t *on)
{
	L4_Word_t n = lent_kmem_control(0, LENT_KMEM_IPC_FAST, 0);

	*on = rt_mr(1);
	return n;
}

/* Calls to rounds times with label and fr_words; the last reply's
 * label (or 0x100 and the error code) to t_shared[got], then
 * t_shared[got - 1]++. */
static void fr_call(L4_Word_t to, L4_Word_t label, int got, int rounds)
{
	L4_MsgTag_t tag = { .raw = 0 };

	for (int i = 0; i < rounds; i++) {
		t_load(label, 3, fr_words, 0, 0);
		tag = L4_Call(fr_id(to));
	}
	t_shared[got] = L4_IpcSucceeded(tag) ? L4_Label(tag) : 0x100 | t_ipc_ec();
	t_shared[got - 1]++;
	for (;;)
		L4_Sleep(L4_Never);
}

void fr_caller(L4_Word_t to)
{
	fr_call(to, FR_LABEL, FR_GOT, 1);
}

void fr_caller_b(L4_Word_t to)
{
	fr_call(to, FR_OTHER, FR_GOT_B, 1);
}

void fr_sender(L4_Word_t to)
{
	L4_MsgTag_t tag;

	t_load(FR_LABEL + 1, 0, 0, 0, 0);
	tag = L4_Send(fr_id(to));
	t_shared[FR_GOT] = L4_IpcSucceeded(tag) ? 0 : 0x100 | t_ipc_ec();
	t_shared[FR_DONE]++;
	for (;;)
		L4_Sleep(L4_Never);
}

L4_ThreadId_t fr_queue(rt_entry_t fn)
{
	L4_ThreadId_t s = rt_thread_create(fn, L4_Myself().raw);

	if (L4_IsNilThread(s))
		return s;
	if (L4_Set_Priority(s, RT_PRIORITY - 1) == L4_SCHEDRESULT_ERROR ||
	    !t_sched_state(s, L4_SCHEDRESULT_PENDING_SEND)) {
		rt_release(s);
		return L4_nilthread;
	}
	return s;
}

const char *fr_answer(L4_ThreadId_t s)
{
	t_load(FR_REPLY, 0, 0, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(s)));
	t_until(&t_shared[FR_DONE], 1);
	CHECK_EQ(t_shared[FR_GOT], FR_REPLY);
	return 0;
}

/* The Call of s, queued on us, taken by a receive from spec: its
 * message, named want, and s then waits for our reply, which it gets.
 * With the fast path on, the receive was counted on it. */
static const char *fr_take_call(L4_ThreadId_t s, L4_ThreadId_t spec, L4_ThreadId_t want)
{
	L4_Word_t on, before, after, mr[3];
	L4_ThreadId_t from = L4_nilthread;
	L4_MsgTag_t tag;

	t_shared[FR_DONE] = t_shared[FR_GOT] = 0;
	before = fr_count(&on);
	tag = L4_Ipc(L4_nilthread, spec, L4_Timeouts(L4_Never, L4_Never), &from);
	L4_StoreMRs(1, 3, mr);
	after = fr_count(&on);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), FR_LABEL);
	CHECK_EQ(L4_UntypedWords(tag), 3);
	CHECK_EQ(L4_TypedWords(tag), 0);
	CHECK_EQ(from.raw, want.raw);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(mr[i], fr_words[i]);
	CHECK_EQ(on ? after - before : after, on ? 1 : 0);
	CHECK(t_waiting(s));
	CHECK_EQ(t_shared[FR_DONE], 0);
	return fr_answer(s);
}

/* By the sender's global ID, its local ID, from any thread and from any
 * thread of our space: each takes the Call, named by its local ID (the
 * sender is of our space, X.2 "Ipc" From). */
static const char *t_fr_takes_queued_call(void)
{
	for (int how = 0; how < 4; how++) {
		L4_ThreadId_t s = fr_queue(fr_caller), spec;
		const char *why;

		CHECK(!L4_IsNilThread(s));
		spec = how == 0 ? s : how == 1 ? L4_LocalIdOf(s) : how == 2 ? L4_anythread : L4_anylocalthread;
		why = fr_take_call(s, spec, L4_LocalIdOf(s));
		CHECK(rt_release(s));
		if (why)
			return why;
	}
	return 0;
}

/* fr_caller()'s Call, after one the same for its pages: a task's page
 * faults on the way to its Call, which would be pending sends too where
 * its pager is busy, are over before the Call that counts. */
static void fr_task_caller(L4_Word_t to)
{
	fr_call(to, FR_LABEL, FR_GOT, 2);
}

/* A task's Call is named by the task's global ID. */
static const char *t_fr_takes_other_task(void)
{
	L4_ThreadId_t s = rt_task_create(fr_task_caller, L4_Myself().raw, rt_pager()), from;
	const char *why;

	CHECK(!L4_IsNilThread(s));
	CHECK(L4_Set_Priority(s, RT_PRIORITY - 1) != L4_SCHEDRESULT_ERROR);
	CHECK(L4_IpcSucceeded(L4_Wait(&from)));    /* its first Call */
	CHECK_EQ(from.raw, s.raw);
	t_load(FR_REPLY, 0, 0, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(s)));
	CHECK(t_sched_state(s, L4_SCHEDRESULT_PENDING_SEND));
	why = fr_take_call(s, L4_anythread, s);
	CHECK(rt_release(s));
	return why;
}

/* A receive with a zero timeout (a poll) waits for nothing when the
 * sender is queued: it takes the message like any other. */
static const char *t_fr_poll(void)
{
	L4_ThreadId_t s = fr_queue(fr_caller), from;
	L4_Word_t on, before, after, mr3;
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(s));
	before = fr_count(&on);
	tag = L4_Ipc(L4_nilthread, s, L4_Timeouts(L4_Never, L4_ZeroTime), &from);
	L4_StoreMR(3, &mr3);
	after = fr_count(&on);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), FR_LABEL);
	CHECK_EQ(mr3, fr_words[2]);
	CHECK_EQ(on ? after - before : after, on ? 1 : 0);
	CHECK(rt_release(s));
	return 0;
}

/* A Send alone's sender, one priority below us, is made ready: we run
 * on (below us, not even a time slice's end lets it in first), and it
 * learns of its success after. */
static const char *t_fr_sender_runs_after(void)
{
	L4_ThreadId_t s, from;
	L4_MsgTag_t tag;

	t_shared[FR_DONE] = 0;
	t_shared[FR_GOT] = 1;
	s = fr_queue(fr_sender);
	CHECK(!L4_IsNilThread(s));
	tag = L4_Wait(&from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), FR_LABEL + 1);
	CHECK_EQ(L4_UntypedWords(tag), 0);
	CHECK_EQ(from.raw, L4_LocalIdOf(s).raw);
	CHECK_EQ(t_shared[FR_DONE], 0);
	t_until(&t_shared[FR_DONE], 1);
	CHECK_EQ(t_shared[FR_GOT], 0);
	CHECK(rt_release(s));
	return 0;
}

/* A receiver one priority below the Send's sender: taking the message
 * makes the sender ready, which runs first (the general path's
 * sched_switch_to()), before the receive returns. */
static const char *fr_take_from_above(L4_ThreadId_t s)
{
	CHECK(t_sched_state(s, L4_SCHEDRESULT_PENDING_SEND));
	CHECK_EQ(t_shared[FR_DONE], 0);
	CHECK(L4_IpcSucceeded(L4_Receive(s)));
	CHECK_EQ(t_shared[FR_DONE], 1);       /* it ran first */
	return 0;
}

/* Runs two priorities below main: takes main's go (MR1 a thread's ID,
 * MR2 the step to take with it), takes the step, its outcome to
 * FR_ERROR, then FR_OVER. */
static void fr_below(L4_Word_t main_id)
{
	fr_step_t step;
	L4_ThreadId_t peer;

	if (L4_IpcFailed(L4_Receive(fr_id(main_id))))
		return;
	peer = fr_id(rt_mr(1));
	step = (fr_step_t)rt_mr(2);
	t_shared[FR_ERROR] = (L4_Word_t)step(peer);
	t_shared[FR_OVER] = 1;
	for (;;)
		L4_Sleep(L4_Never);
}

const char *fr_go_below(rt_entry_t peer_fn, fr_step_t step, L4_ThreadId_t *r, L4_ThreadId_t *peer)
{
	L4_Word_t go[2];

	t_shared[FR_OVER] = t_shared[FR_ERROR] = 0;
	*r = rt_thread_create(fr_below, L4_Myself().raw);
	CHECK(!L4_IsNilThread(*r));
	CHECK(L4_Set_Priority(*r, RT_PRIORITY - 2) != L4_SCHEDRESULT_ERROR);
	CHECK(t_waiting(*r));
	*peer = rt_thread_create(peer_fn, r->raw);   /* queues on r (waits for us) */
	CHECK(!L4_IsNilThread(*peer));
	CHECK(L4_Set_Priority(*peer, RT_PRIORITY - 1) != L4_SCHEDRESULT_ERROR);
	go[0] = peer->raw;
	go[1] = (L4_Word_t)step;
	t_load(0, 2, go, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(*r)));
	return 0;
}

static const char *t_fr_higher_sender_first(void)
{
	L4_ThreadId_t r, s;

	t_shared[FR_DONE] = 0;
	RUN(fr_go_below(fr_sender, fr_take_from_above, &r, &s));
	t_until(&t_shared[FR_OVER], 1);
	CHECK(rt_release(r));
	CHECK(rt_release(s));
	return (const char *)t_shared[FR_ERROR];
}

/* Sends to to and receives from anyone: the label it got to FR_GOT (or
 * 0x100 and the error code), then FR_DONE. */
static void fr_send_wait(L4_Word_t to)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	t_load(FR_LABEL, 0, 0, 0, 0);
	tag = L4_Ipc(fr_id(to), L4_anythread, L4_Timeouts(L4_Never, L4_Never), &from);
	t_shared[FR_GOT] = L4_IpcSucceeded(tag) ? L4_Label(tag) : 0x100 | t_ipc_ec();
	t_shared[FR_DONE]++;
	for (;;)
		L4_Sleep(L4_Never);
}

/* Calls to with a zero receive timeout; its result as fr_caller()'s. */
static void fr_call_zero(L4_Word_t to)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	t_load(FR_LABEL, 0, 0, 0, 0);
	tag = L4_Ipc(fr_id(to), fr_id(to), L4_Timeouts(L4_Never, L4_ZeroTime), &from);
	t_shared[FR_GOT] = L4_IpcSucceeded(tag) ? L4_Label(tag) : 0x100 | t_ipc_ec();
	t_shared[FR_DONE]++;
	for (;;)
		L4_Sleep(L4_Never);
}

/*
 * A Call whose receive timeout is zero: once we take its message, its
 * receive phase fails at once (error 1, in the receive phase: code 3),
 * and does not wait for our reply: a reply with a zero send timeout
 * finds no one waiting.
 */
static const char *t_fr_sender_zero_receive(void)
{
	L4_ThreadId_t s;

	t_shared[FR_DONE] = t_shared[FR_GOT] = 0;
	s = fr_queue(fr_call_zero);
	CHECK(!L4_IsNilThread(s));
	CHECK(L4_IpcSucceeded(L4_Receive(s)));
	t_load(FR_REPLY, 0, 0, 0, 0);
	CHECK(L4_IpcFailed(L4_Send_Timeout(s, L4_ZeroTime)));
	CHECK_EQ(t_ipc_ec(), 2);              /* timeout, send phase */
	t_until(&t_shared[FR_DONE], 1);
	CHECK_EQ(t_shared[FR_GOT], 0x100 | 3);
	CHECK(rt_release(s));
	return 0;
}

/* Sends FR_OTHER to to alone. */
static void fr_other_sender(L4_Word_t to)
{
	t_load(FR_OTHER, 0, 0, 0, 0);
	(void)L4_Send(fr_id(to));
	for (;;)
		L4_Sleep(L4_Never);
}

/*
 * The sender we take has a sender of its own queued, which its receive
 * phase (from anyone) takes at once: it does not wait, and a reply of
 * ours with a zero send timeout finds no one waiting.
 */
static const char *t_fr_sender_takes_its_own(void)
{
	L4_ThreadId_t s, x;

	t_shared[FR_DONE] = t_shared[FR_GOT] = 0;
	s = fr_queue(fr_send_wait);
	CHECK(!L4_IsNilThread(s));
	x = rt_thread_create(fr_other_sender, s.raw);
	CHECK(!L4_IsNilThread(x));
	CHECK(L4_Set_Priority(x, RT_PRIORITY - 1) != L4_SCHEDRESULT_ERROR);
	CHECK(t_sched_state(x, L4_SCHEDRESULT_PENDING_SEND));
	CHECK(L4_IpcSucceeded(L4_Receive(s)));
	t_load(FR_REPLY, 0, 0, 0, 0);
	CHECK(L4_IpcFailed(L4_Send_Timeout(s, L4_ZeroTime)));
	t_until(&t_shared[FR_DONE], 1);
	CHECK_EQ(t_shared[FR_GOT], FR_OTHER);
	CHECK(rt_release(x));
	CHECK(rt_release(s));
	return 0;
}

/* Two senders queued, the first not the one we wait for: we get the
 * second's message, and the first's after, each from its sender. */
static const char *t_fr_first_not_ours(void)
{
	L4_ThreadId_t a, b, from;
	L4_MsgTag_t tag;

	a = fr_queue(fr_other_sender);
	CHECK(!L4_IsNilThread(a));
	b = fr_queue(fr_caller);
	CHECK(!L4_IsNilThread(b));
	tag = L4_Ipc(L4_nilthread, b, L4_Timeouts(L4_Never, L4_Never), &from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), FR_LABEL);
	CHECK_EQ(from.raw, L4_LocalIdOf(b).raw);
	CHECK(t_waiting(b));
	tag = L4_Wait(&from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), FR_OTHER);
	CHECK_EQ(from.raw, L4_LocalIdOf(a).raw);
	CHECK(rt_release(b));
	CHECK(rt_release(a));
	return 0;
}

const struct test ipc_fast_recv_tests[] = {
	TEST(fr_takes_queued_call),
	TEST(fr_takes_other_task),
	TEST(fr_poll),
	TEST(fr_sender_runs_after),
	TEST(fr_higher_sender_first),
	TEST(fr_sender_zero_receive),
	TEST(fr_sender_takes_its_own),
	TEST(fr_first_not_ours),
	{ 0, 0 },
};
