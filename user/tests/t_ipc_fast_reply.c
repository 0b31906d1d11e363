/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A ReplyWait from a thread with a sender queued on it, on the IPC fast
 * path (kernel/ipc_fast.c, reply_and_receive()): the reply goes to the
 * partner, which is made ready, and the queued sender's message comes
 * back at once, as the general path has it; a partner above the server
 * runs first, and a server whose space has a redirector has its reply
 * redirected.  The suite runs again with ipcfast=off, where all but the
 * count must hold the same.
 */
#include "tests.h"
#include "t_sync.h"
#include "t_ipc_fast_recv.h"

/*
 * A server's ReplyWait with a Call queued on it (kernel/ipc_fast.c,
 * reply_and_receive()): its client, one priority below, takes the
 * reply and is made ready; the server takes the queued Call and runs
 * on, the client still to run.  With the fast path on, one IPC counted.
 */
static const char *t_fr_reply_takes_queued(void)
{
	L4_ThreadId_t c, q, from;
	L4_Word_t on, before, after, mr[3];
	L4_MsgTag_t tag;

	t_shared[FR_DONE] = t_shared[FR_GOT] = t_shared[FR_DONE_B] = t_shared[FR_GOT_B] = 0;
	c = fr_queue(fr_caller);
	CHECK(!L4_IsNilThread(c));
	CHECK(L4_IpcSucceeded(L4_Wait(&from)));
	CHECK_EQ(from.raw, L4_LocalIdOf(c).raw);
	q = fr_queue(fr_caller_b);
	CHECK(!L4_IsNilThread(q));
	before = fr_count(&on);
	t_load(FR_REPLY, 0, 0, 0, 0);
	tag = L4_ReplyWait(c, &from);
	L4_StoreMRs(1, 3, mr);
	after = fr_count(&on);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), FR_OTHER);
	CHECK_EQ(L4_UntypedWords(tag), 3);
	CHECK_EQ(from.raw, L4_LocalIdOf(q).raw);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(mr[i], fr_words[i]);
	CHECK_EQ(on ? after - before : after, on ? 1 : 0);
	CHECK_EQ(t_shared[FR_DONE], 0);       /* the client has not run yet */
	CHECK(t_waiting(q));
	t_until(&t_shared[FR_DONE], 1);
	CHECK_EQ(t_shared[FR_GOT], FR_REPLY);
	t_load(FR_REPLY + 1, 0, 0, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(q)));
	t_until(&t_shared[FR_DONE_B], 1);
	CHECK_EQ(t_shared[FR_GOT_B], FR_REPLY + 1);
	CHECK(rt_release(q));
	CHECK(rt_release(c));
	return 0;
}

/* A server one priority below its client (main's): after its go, it
 * takes the Call, waits until a second Call is queued on it, then
 * answers the first and waits: the client runs before the ReplyWait
 * returns (sched_switch_to(), the general path's), and the second
 * Call's message is what comes back. */
static const char *fr_serve_from_below(L4_ThreadId_t q)
{
	L4_ThreadId_t c, from;
	L4_MsgTag_t tag;

	CHECK(L4_IpcSucceeded(L4_Wait(&c)));
	CHECK(t_sched_state(q, L4_SCHEDRESULT_PENDING_SEND));
	t_load(FR_REPLY, 0, 0, 0, 0);
	tag = L4_ReplyWait(c, &from);
	CHECK_EQ(t_shared[FR_DONE], 1);       /* the client ran first */
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), FR_OTHER);
	CHECK_EQ(from.raw, L4_LocalIdOf(q).raw);
	t_load(FR_REPLY + 1, 0, 0, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(from)));
	return 0;
}

static const char *t_fr_reply_to_higher(void)
{
	L4_ThreadId_t r, q;
	L4_MsgTag_t tag;

	t_shared[FR_DONE] = t_shared[FR_DONE_B] = t_shared[FR_GOT_B] = 0;
	RUN(fr_go_below(fr_caller_b, fr_serve_from_below, &r, &q));
	t_load(FR_LABEL, 0, 0, 0, 0);
	tag = L4_Call(r);
	t_shared[FR_DONE] = 1;
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), FR_REPLY);
	t_until(&t_shared[FR_OVER], 1);
	if (t_shared[FR_ERROR])
		return (const char *)t_shared[FR_ERROR];
	CHECK_EQ(t_shared[FR_DONE_B], 1);
	CHECK_EQ(t_shared[FR_GOT_B], FR_REPLY + 1);
	CHECK(rt_release(r));
	CHECK(rt_release(q));
	return 0;
}

/* A server in a task of its own: takes a Call, then main's go, then
 * answers the Call and waits; the label it then got to FR_SERVED. */
static void fr_redirected_server(L4_Word_t main_id)
{
	L4_ThreadId_t c, from;
	L4_MsgTag_t tag;

	if (L4_IpcFailed(L4_Wait(&c)) || L4_IpcFailed(L4_Receive(fr_id(main_id))))
		return;
	t_load(FR_REPLY, 0, 0, 0, 0);
	tag = L4_ReplyWait(c, &from);
	t_shared[FR_SERVED] = L4_IpcSucceeded(tag) ? L4_Label(tag) : 0x100 | t_ipc_ec();
	t_shared[FR_OVER] = 1;
	for (;;)
		L4_Sleep(L4_Never);
}

/*
 * The server's space has a redirector (a thread of ours), its client is
 * a task of its own: the ReplyWait's reply goes to the redirector, with
 * r set and the client as IntendedReceiver (X.2 SpaceControl), and the
 * client waits on; the server takes the Call queued on it.  The
 * redirector runs above the server, so that it has recorded the reply
 * by the time the server goes on; client and queued caller run below
 * it, where the fast path would take the ReplyWait.
 */
static const char *t_fr_reply_redirected(void)
{
	L4_ThreadId_t r, srv, c, q;
	L4_Word_t old = 0;

	for (int i = 0; i < T_SHARED; i++)
		t_shared[i] = 0;
	r = rt_thread_create(t_redir_recorder, 0);
	CHECK(!L4_IsNilThread(r));
	t_until(&t_shared[FR_R_ARMED], 1);
	srv = rt_task_create(fr_redirected_server, L4_Myself().raw, rt_pager());
	CHECK(!L4_IsNilThread(srv));
	CHECK(L4_Set_Priority(srv, RT_PRIORITY - 1) != L4_SCHEDRESULT_ERROR);
	CHECK_EQ(L4_SpaceControl(srv, 0, L4_Nilpage, L4_Nilpage, r, &old), 1);
	c = rt_task_create(fr_caller, srv.raw, rt_pager());
	CHECK(!L4_IsNilThread(c));
	CHECK(L4_Set_Priority(c, RT_PRIORITY - 2) != L4_SCHEDRESULT_ERROR);
	CHECK(t_waiting(c));                     /* its Call taken */
	q = rt_thread_create(fr_caller_b, srv.raw);   /* queued: srv waits for us */
	CHECK(!L4_IsNilThread(q));
	CHECK(L4_Set_Priority(q, RT_PRIORITY - 2) != L4_SCHEDRESULT_ERROR);
	CHECK(t_sched_state(q, L4_SCHEDRESULT_PENDING_SEND));
	t_load(0, 0, 0, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(srv)));
	t_until(&t_shared[FR_OVER], 1);
	CHECK_EQ(t_shared[FR_R_COUNT], 1);
	CHECK_EQ(t_shared[FR_R_TAG], ((L4_Word_t)FR_REPLY << 16) | 0x2000);
	CHECK_EQ(t_shared[FR_R_INTENDED], c.raw);
	CHECK_EQ(t_shared[FR_SERVED], FR_OTHER);
	CHECK_EQ(t_shared[FR_DONE], 0);
	CHECK(t_waiting(c));
	CHECK(rt_release(q));
	CHECK(rt_release(c));
	CHECK(rt_release(srv));
	CHECK(rt_release(r));
	return 0;
}

const struct test ipc_fast_reply_tests[] = {
	TEST(fr_reply_takes_queued),
	TEST(fr_reply_to_higher),
	TEST(fr_reply_redirected),
	{ 0, 0 },
};
