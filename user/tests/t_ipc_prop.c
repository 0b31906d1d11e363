/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IPC propagation (X.2): a sender sets the p flag in its MsgTag and names
 * a virtual sender in its VirtualSender TCR.  The kernel allows it when the
 * virtual sender lives in the sender's address space or the sender and the
 * receiver share one (X.2, Pistachio; a redirector forwarding for the
 * virtual sender's space: t_redirect.c); the receiver then sees the virtual
 * sender as From, the real sender in its ActualSender TCR and p set in the
 * received tag, and a virtual sender that waited for the sender now waits
 * for the receiver.  A propagation that is not allowed is ignored: the
 * message arrives from the real sender with p clear.
 */
#include "tests.h"
#include "t_sync.h"

#define REQ_LABEL	0x7e01	/* client -> server */
#define FWD_LABEL	0x7e02	/* server -> worker, propagated */
#define ANSWER_LABEL	0x7e03	/* worker -> whoever From named */
#define PROP_LABEL	0x7e04	/* main -> recorder, propagated */

/* What the recorder leaves in its ActualSender TCR before each receive,
 * so that a value there afterwards is the kernel's. */
#define STALE_ACTUAL	0x5a5a5a5aUL

/* t_shared words.  The recorder (a receiver in a space of its own): */
#define R_SPEC		0	/* from-specifier (0: any thread) */
#define R_AFTER		1	/* before the first receive, wait for R_GO */
#define R_REPLY		2	/* answer From (zero send timeout) if set */
#define R_ARMED		4	/* receives begun */
#define R_COUNT		5	/* receives ended */
#define R_TAG		6	/* ... the last one's tag */
#define R_FROM		7	/*     From */
#define R_ACTUAL	8	/*     ActualSender TCR */
#define R_MR1		9	/*     MR1 */
#define R_EC		10	/*     ErrorCode bits 0..3 if it failed */
#define R_ANSWER	11	/*     1 if the answer went out, 0x100 | error if not */
/* The server of ipc_propagate_forward: */
#define S_WORKER	12	/* where it forwards to */
#define S_FROM		13	/* whom it received the request from */
#define S_TAG		14	/* the tag of that request */
#define S_SEND		15	/* 1 if the forward went out, 0x100 | error if not */
#define S_DONE		16
/* A virtual sender: */
#define V_READY		17	/* about to block (or spinning) */
#define V_STOP		18	/* the spinner may stop */
#define V_TAG		19	/* the client's received tag, From, MR1 */
#define V_FROM		20
#define V_MR1		21
#define V_DONE		22
#define V_ASLEEP	23	/* the sleeper is about to block */
#define R_GO		24	/* main is queued in its send: R_AFTER may go on */

static L4_Word_t sched_state(L4_ThreadId_t t)
{
	L4_Word_t old;

	return L4_Schedule(t, ~0UL, ~0UL, ~0UL, ~0UL, &old);
}

/* *flag says t is about to block in its receive and the kernel says it
 * does: t waits where we want it.  No clock bound (t_sync.h): 0 only if
 * t is gone. */
static int blocked_in_receive(L4_ThreadId_t t, volatile L4_Word_t *flag, L4_Word_t want)
{
	for (;;) {
		L4_Word_t s = sched_state(t);

		if (*flag == want && s == L4_SCHEDRESULT_WAITING)
			return 1;
		if (s == L4_SCHEDRESULT_ERROR)
			return 0;
		rt_sleep_us(1000);
	}
}

/* Receive again and again as the R_ words say, recording each outcome;
 * answer a message with ANSWER_LABEL and MR1 + 1 if R_REPLY is set. */
static void prop_recorder(L4_Word_t arg)
{
	(void)arg;
	if (t_shared[R_AFTER])
		t_until(&t_shared[R_GO], 1);
	for (;;) {
		L4_ThreadId_t spec = { .raw = t_shared[R_SPEC] }, from = L4_nilthread;
		L4_MsgTag_t tag;

		if (L4_IsNilThread(spec))
			spec = L4_anythread;
		L4_Set_VirtualSender((L4_ThreadId_t) { .raw = STALE_ACTUAL });
		L4_Accept(L4_UntypedWordsAcceptor);
		t_shared[R_ARMED]++;
		tag = L4_Ipc(L4_nilthread, spec, L4_Timeouts(L4_Never, L4_Never), &from);
		t_shared[R_EC] = L4_IpcFailed(tag) ? t_ipc_ec() : 0;
		t_shared[R_TAG] = tag.raw;
		t_shared[R_FROM] = from.raw;
		t_shared[R_ACTUAL] = L4_ActualSender().raw;
		t_shared[R_MR1] = rt_mr(1);
		if (t_shared[R_REPLY] && L4_IpcSucceeded(tag)) {
			L4_Word_t w = t_shared[R_MR1] + 1;

			t_load(ANSWER_LABEL, 1, &w, 0, 0);
			tag = L4_Reply(from);
			t_shared[R_ANSWER] = L4_IpcFailed(tag) ? 0x100 | t_ipc_ec() : 1;
		}
		t_shared[R_COUNT]++;
	}
}

/* A fresh recorder in a space of its own (any earlier one is gone);
 * after: its first receive waits until main is queued (go_when_queued). */
static L4_ThreadId_t recorder(L4_ThreadId_t *old, L4_ThreadId_t spec, int after, int reply)
{
	int i;

	if (old && !L4_IsNilThread(*old))
		rt_release(*old);
	for (i = R_SPEC; i <= R_ANSWER; i++)
		t_shared[i] = 0;
	t_shared[R_GO] = 0;
	t_shared[R_SPEC] = spec.raw;
	t_shared[R_AFTER] = (L4_Word_t)after;
	t_shared[R_REPLY] = reply;
	return rt_task_create(prop_recorder, 0, rt_pager());
}

/* A thread that is in no IPC at all: it yields until V_STOP. */
static void prop_spinner(L4_Word_t arg)
{
	(void)arg;
	t_shared[V_READY] = 1;
	while (!t_shared[V_STOP])
		L4_Yield();
}

/* A virtual sender asleep for good: in a closed receive from itself. */
static void prop_sleeper(L4_Word_t arg)
{
	(void)arg;
	t_shared[V_ASLEEP] = 1;
	for (;;)
		L4_Sleep(L4_Never);
}

/* A thread of main's space: sets R_GO once main is queued in a send
 * (Schedule: pending send), so that a recorder starts its receive only
 * then, however long the host takes. */
static void go_when_queued(L4_Word_t arg)
{
	(void)arg;
	if (t_until_state(rt_main_thread(), L4_SCHEDRESULT_PENDING_SEND))
		t_shared[R_GO] = 1;
	for (;;)
		L4_Sleep(L4_Never);
}

/* A virtual sender blocked in an open wait for good. */
static void prop_open_waiter(L4_Word_t arg)
{
	L4_ThreadId_t from;

	(void)arg;
	t_shared[V_READY] = 1;
	for (;;)
		(void)L4_Wait(&from);
}

/* A client blocked in a closed receive from main; records what ends it. */
static void prop_client(L4_Word_t arg)
{
	L4_ThreadId_t from = L4_nilthread;
	L4_MsgTag_t tag;

	(void)arg;
	L4_Accept(L4_UntypedWordsAcceptor);
	t_shared[V_READY] = 1;
	tag = L4_Ipc(L4_nilthread, rt_main_thread(), L4_Timeouts(L4_Never, L4_Never), &from);
	t_shared[V_TAG] = tag.raw;
	t_shared[V_FROM] = from.raw;
	t_shared[V_MR1] = rt_mr(1);
	t_shared[V_DONE] = 1;
}

/* The recorder's last receive got a message from `from` as a propagation
 * by actual (or, with actual nil, an ordinary message) carrying w. */
static const char *recorded(L4_Word_t n, L4_ThreadId_t from, L4_ThreadId_t actual,
			    L4_Word_t label, L4_Word_t w)
{
	L4_MsgTag_t tag;

	t_until(&t_shared[R_COUNT], n);
	tag.raw = t_shared[R_TAG];
	CHECK_EQ(t_shared[R_EC], 0);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(t_shared[R_FROM], from.raw);
	CHECK_EQ(L4_Label(tag), label);
	CHECK_EQ(L4_UntypedWords(tag), 1);
	CHECK_EQ(t_shared[R_MR1], w);
	if (L4_IsNilThread(actual)) {
		CHECK(!L4_IpcPropagated(tag));
	} else {
		CHECK(L4_IpcPropagated(tag));
		CHECK_EQ(t_shared[R_ACTUAL], actual.raw);
	}
	return 0;
}

/*
 * The server of ipc_propagate_forward: takes one request and forwards it
 * to the worker as a propagation with the client as virtual sender, then
 * is done; the worker's answer must reach the client directly.
 */
static void prop_server(L4_Word_t arg)
{
	L4_ThreadId_t from = L4_nilthread, worker = { .raw = t_shared[S_WORKER] };
	L4_MsgTag_t tag;

	(void)arg;
	L4_Accept(L4_UntypedWordsAcceptor);
	tag = L4_Wait(&from);
	t_shared[S_FROM] = from.raw;
	t_shared[S_TAG] = tag.raw;
	if (L4_IpcSucceeded(tag)) {
		tag = t_prop_send(worker, from, FWD_LABEL, rt_mr(1) ^ 0xf0f0, RT_NEVER_US);
		t_shared[S_SEND] = L4_IpcFailed(tag) ? 0x100 | t_ipc_ec() : 1;
	}
	t_shared[S_DONE] = 1;
}

/*
 * Client C (main) calls server S (a thread of C's space), which forwards
 * to worker W (a space of its own) with C as virtual sender, allowed
 * because C lives in S's space.  W sees From == C, ActualSender == S and
 * p; C's closed wait for S now names W, so W's zero-timeout reply
 * reaches C, whose Call returns with From == W.  (With C and S in two
 * spaces the propagation is refused: t_redirect.c.)
 */
static const char *t_ipc_propagate_forward(void)
{
	L4_ThreadId_t me = L4_Myself(), w, s, from = L4_nilthread;
	L4_Word_t x = 0x1357;
	L4_MsgTag_t tag, req;

	w = recorder(0, L4_nilthread, 0, 1);
	CHECK(!L4_IsNilThread(w));
	t_shared[S_WORKER] = w.raw;
	s = rt_thread_create(prop_server, 0);
	CHECK(!L4_IsNilThread(s));
	t_load(REQ_LABEL, 1, &x, 0, 0);
	tag = L4_Ipc(s, s, L4_Timeouts(L4_Never, L4_Never), &from);
	if (L4_IpcFailed(tag))
		printf("#   call: error code 0x%lx\n", L4_ErrorCode());

	/* The server got the request from C and forwarded it. */
	t_until(&t_shared[S_DONE], 1);
	req.raw = t_shared[S_TAG];
	CHECK(L4_IpcSucceeded(req));
	CHECK_EQ(L4_Label(req), REQ_LABEL);
	CHECK(!L4_IpcPropagated(req));
	CHECK_EQ(t_shared[S_FROM], L4_MyLocalId().raw);
	CHECK_EQ(t_shared[S_SEND], 1);
	/* The worker saw the client as sender, the server as actual one. */
	RUN(recorded(1, me, s, FWD_LABEL, x ^ 0xf0f0));
	CHECK_EQ(t_shared[R_ANSWER], 1);
	/* The client's Call returned the worker's answer. */
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(from.raw, w.raw);
	CHECK_EQ(L4_Label(tag), ANSWER_LABEL);
	CHECK_EQ(L4_UntypedWords(tag), 1);
	CHECK_EQ(rt_mr(1), (x ^ 0xf0f0) + 1);
	CHECK(!L4_IpcPropagated(tag));
	return 0;
}

/* The virtual sender shares the sender's space and is in no IPC: the
 * propagation is allowed. */
static const char *t_ipc_propagate_same_space(void)
{
	L4_ThreadId_t me = L4_Myself(), v, w = L4_nilthread;
	L4_MsgTag_t tag;

	v = rt_thread_create(prop_spinner, 0);
	CHECK(!L4_IsNilThread(v));
	t_until(&t_shared[V_READY], 1);
	w = recorder(0, L4_nilthread, 0, 0);
	CHECK(!L4_IsNilThread(w));
	CHECK(blocked_in_receive(w, &t_shared[R_ARMED], 1));
	CHECK_EQ(sched_state(v), L4_SCHEDRESULT_RUNNING);
	tag = t_prop_send(w, v, PROP_LABEL, 0x5a3e, RT_NEVER_US);
	CHECK(L4_IpcSucceeded(tag));
	RUN(recorded(1, v, me, PROP_LABEL, 0x5a3e));
	t_shared[V_STOP] = 1;
	return 0;
}

/*
 * The virtual sender lives in another space and is not in a closed
 * receive for the sender: asleep (a closed receive from itself), in an
 * open wait, or no thread at all.  Each time the message arrives as an
 * ordinary one from the real sender.  A receiver in a closed wait for
 * such a virtual sender does not get the message at all.
 */
static const char *t_ipc_propagate_refused(void)
{
	L4_ThreadId_t me = L4_Myself(), sleeper, waiter, w = L4_nilthread;
	L4_Word_t ec;
	L4_MsgTag_t tag;

	sleeper = rt_task_create(prop_sleeper, 0, rt_pager());
	waiter = rt_task_create(prop_open_waiter, 0, rt_pager());
	CHECK(!L4_IsNilThread(sleeper) && !L4_IsNilThread(waiter));
	CHECK(blocked_in_receive(waiter, &t_shared[V_READY], 1));
	w = recorder(0, L4_nilthread, 0, 0);
	CHECK(!L4_IsNilThread(w));
	CHECK(blocked_in_receive(sleeper, &t_shared[V_ASLEEP], 1));

	CHECK(blocked_in_receive(w, &t_shared[R_ARMED], 1));
	CHECK(L4_IpcSucceeded(t_prop_send(w, sleeper, PROP_LABEL, 0xa001, RT_NEVER_US)));
	RUN(recorded(1, me, L4_nilthread, PROP_LABEL, 0xa001));

	CHECK(blocked_in_receive(w, &t_shared[R_ARMED], 2));
	CHECK(L4_IpcSucceeded(t_prop_send(w, waiter, PROP_LABEL, 0xa002, RT_NEVER_US)));
	RUN(recorded(2, me, L4_nilthread, PROP_LABEL, 0xa002));

	CHECK(blocked_in_receive(w, &t_shared[R_ARMED], 3));
	CHECK(L4_IpcSucceeded(t_prop_send(w, t_nonexistent(), PROP_LABEL, 0xa003, RT_NEVER_US)));
	RUN(recorded(3, me, L4_nilthread, PROP_LABEL, 0xa003));

	/* A closed wait for the sleeper is not satisfied by the refused
	 * propagation: the send times out (its timeout is what the test is
	 * about), and the receiver, with none, still waits in its first
	 * receive, with nothing received. */
	w = recorder(&w, sleeper, 0, 0);
	CHECK(!L4_IsNilThread(w));
	CHECK(blocked_in_receive(w, &t_shared[R_ARMED], 1));
	tag = t_prop_send(w, sleeper, PROP_LABEL, 0xa004, 200000);
	ec = t_ipc_ec();
	t_flaky_delay(2);
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(ec, EC_SEND(L4_ErrTimeout));
	CHECK(blocked_in_receive(w, &t_shared[R_ARMED], 1));
	CHECK_EQ(t_shared[R_COUNT], 0);
	return 0;
}

/*
 * A receiver in a closed wait for the virtual sender gets the propagated
 * message: (a) already waiting when it is sent, (b) starting its wait
 * while the sender is queued, (c) with a virtual sender of the sender's
 * space that waits for the sender, which then gets the receiver's answer.
 */
static const char *t_ipc_propagate_closed_wait_on_virtual(void)
{
	L4_ThreadId_t me = L4_Myself(), v, c, g, w = L4_nilthread;
	L4_MsgTag_t tag;

	v = rt_thread_create(prop_spinner, 0);
	CHECK(!L4_IsNilThread(v));
	t_until(&t_shared[V_READY], 1);

	/* (a) */
	w = recorder(&w, v, 0, 0);
	CHECK(!L4_IsNilThread(w));
	CHECK(blocked_in_receive(w, &t_shared[R_ARMED], 1));
	CHECK(L4_IpcSucceeded(t_prop_send(w, v, PROP_LABEL, 0xc001, RT_NEVER_US)));
	RUN(recorded(1, v, me, PROP_LABEL, 0xc001));

	/* (b): the recorder's receive begins once main's send is queued */
	w = recorder(&w, v, 1, 0);
	CHECK(!L4_IsNilThread(w));
	g = rt_thread_create(go_when_queued, 0);
	CHECK(!L4_IsNilThread(g));
	CHECK(L4_IpcSucceeded(t_prop_send(w, v, PROP_LABEL, 0xc002, RT_NEVER_US)));
	RUN(recorded(1, v, me, PROP_LABEL, 0xc002));
	t_shared[V_STOP] = 1;

	/* (c) */
	t_shared[V_READY] = 0;
	c = rt_thread_create(prop_client, 0);
	CHECK(!L4_IsNilThread(c));
	CHECK(blocked_in_receive(c, &t_shared[V_READY], 1));
	w = recorder(&w, c, 0, 1);
	CHECK(!L4_IsNilThread(w));
	CHECK(blocked_in_receive(w, &t_shared[R_ARMED], 1));
	tag = t_prop_send(w, c, PROP_LABEL, 0xc003, RT_NEVER_US);
	CHECK(L4_IpcSucceeded(tag));
	RUN(recorded(1, c, me, PROP_LABEL, 0xc003));
	CHECK_EQ(t_shared[R_ANSWER], 1);
	t_until(&t_shared[V_DONE], 1);
	tag.raw = t_shared[V_TAG];
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(t_shared[V_FROM], w.raw);
	CHECK_EQ(L4_Label(tag), ANSWER_LABEL);
	CHECK_EQ(t_shared[V_MR1], 0xc004);
	return 0;
}

const struct test ipc_prop_tests[] = {
	TEST(ipc_propagate_forward),
	TEST(ipc_propagate_same_space),
	TEST(ipc_propagate_refused),
	TEST(ipc_propagate_closed_wait_on_virtual),
	{ 0 },
};
