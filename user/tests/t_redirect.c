/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IPC redirection (X.2 SpaceControl's Redirector) and the propagation
 * rule that goes with it.  A space's redirector takes every send of the
 * space's threads to a thread outside the space and outside the
 * redirector's own space; it receives the message with r set in the tag
 * and the intended receiver in its IntendedReceiver TCR, and may forward
 * it with propagation.  Propagation is allowed when the virtual sender
 * lives in the sender's space, when sender and receiver share a space,
 * or when the sender is the virtual sender's redirector.
 *
 * Cast: A, a sender in a task of its own that takes commands from main;
 * D, a receiver in another task; R, the redirector, a thread of the
 * root's space (so A's sends to main are never redirected).
 */
#include "tests.h"
#include "t_sync.h"

#define CMD_LABEL	0x7d01	/* main -> A: send as MR1..MR4 say */
#define MSG_LABEL	0x7d02	/* A -> D (or wherever A is told) */
#define MARK_LABEL	0x7d03	/* main -> D or R, directly */
#define ANSWER_LABEL	0x7d04	/* D's answer to From */
#define PROP_LABEL	0x7d05	/* propagation cases */

/* What a recorder leaves in its TCRs before each receive, so that a value
 * there afterwards is the kernel's. */
#define STALE		0x5a5a5a40UL

/* t_shared words.  D, the receiver task, and R, the redirector, are the
 * same recorder at two bases (D_BASE, R_BASE); its words: */
#define X_COUNT		0	/* messages received */
#define X_TAG		1	/* the last one's tag, From, MR1 */
#define X_FROM		2
#define X_MR1		3
#define X_ACTUAL	4	/*     ActualSender TCR */
#define X_INTENDED	5	/*     IntendedReceiver TCR */
#define X_MODE		6	/* 1: answer From with ANSWER_LABEL, MR1 + 1;
				 * 2: forward a redirected message, propagated */
#define X_ARMED		7	/* receives begun */
#define X_FWD_RES	8	/* 1 if the forward went out, 0x100 | error */
#define D_BASE		0
#define R_BASE		9
#define D_COUNT		(D_BASE + X_COUNT)
#define D_TAG		(D_BASE + X_TAG)
#define D_FROM		(D_BASE + X_FROM)
#define D_MR1		(D_BASE + X_MR1)
#define D_ACTUAL	(D_BASE + X_ACTUAL)
#define D_REPLY		(D_BASE + X_MODE)
#define D_ARMED		(D_BASE + X_ARMED)
#define R_COUNT		(R_BASE + X_COUNT)
#define R_TAG		(R_BASE + X_TAG)
#define R_FROM		(R_BASE + X_FROM)
#define R_MR1		(R_BASE + X_MR1)
#define R_INTENDED	(R_BASE + X_INTENDED)
#define R_FWD		(R_BASE + X_MODE)
#define R_FWD_RES	(R_BASE + X_FWD_RES)
#define R_ARMED		(R_BASE + X_ARMED)
/* A, the sender task: */
#define A_DONE		18	/* commands done */
#define A_TAG		19	/* the last one's result tag, error, From, MR1 */
#define A_EC		20
#define A_FROM		21
#define A_MR1		22
/* The propagation cases: */
#define V_TAG		24
#define V_FROM		25
#define V_DONE		26
#define V_READY		27	/* the client is about to block in its receive */

/* Receive from anyone, for ever, recording the last message at
 * t_shared[base ..]; answer or forward it as X_MODE says. */
static void recorder(L4_Word_t base)
{
	volatile L4_Word_t *x = &t_shared[base];

	for (;;) {
		L4_ThreadId_t from = L4_nilthread;
		L4_MsgTag_t tag;

		L4_Set_VirtualSender((L4_ThreadId_t) { .raw = STALE });
		*__L4_TCR(__L4_TCR_INTENDED_RECEIVER) = STALE;
		L4_Accept(L4_UntypedWordsAcceptor);
		if (!x[X_ARMED])
			t_flaky_delay(1);       /* a slow start of D or R */
		x[X_ARMED]++;
		tag = L4_Wait(&from);
		/* A redirected page fault of a client (whose pager is
		 * outside this space) goes on to the pager, unrecorded. */
		if (x[X_MODE] == 2 && L4_IpcRedirected(tag) && rt_is_pagefault(tag)) {
			(void)t_redir_forward(tag, from, L4_Never);
			continue;
		}
		x[X_TAG] = tag.raw;
		x[X_FROM] = from.raw;
		x[X_MR1] = rt_mr(1);
		x[X_ACTUAL] = L4_ActualSender().raw;
		x[X_INTENDED] = L4_IntendedReceiver().raw;
		if (x[X_MODE] == 1 && L4_IpcSucceeded(tag)) {
			L4_Word_t w = x[X_MR1] + 1;

			t_load(ANSWER_LABEL, 1, &w, 0, 0);
			(void)L4_Reply(from);
		} else if (x[X_MODE] == 2 && L4_IpcRedirected(tag)) {
			tag = t_prop_send(L4_IntendedReceiver(), from, L4_Label(tag), x[X_MR1],
					  RT_NEVER_US);
			x[X_FWD_RES] = L4_IpcFailed(tag) ? 0x100 | t_ipc_ec() : 1;
		}
		x[X_COUNT]++;
	}
}

/* The sender: takes a command from main (MR1 destination, MR2 word,
 * MR3 1 for a Call), carries it out, records the outcome. */
static void a_body(L4_Word_t arg)
{
	L4_ThreadId_t main_tid = { .raw = arg };

	for (;;) {
		L4_ThreadId_t to, from = L4_nilthread;
		L4_Word_t w, call;
		L4_MsgTag_t tag;

		L4_Accept(L4_UntypedWordsAcceptor);
		tag = L4_Receive(main_tid);
		if (L4_IpcFailed(tag))
			continue;
		to.raw = rt_mr(1);
		w = rt_mr(2);
		call = rt_mr(3);
		t_load(MSG_LABEL, 1, &w, 0, 0);
		/* No timeouts: its partner takes the message however long the
		 * host takes (a deleted one fails it at once), and a Call
		 * takes the fast path where it can. */
		tag = L4_Ipc(to, call ? to : L4_nilthread, L4_Timeouts(L4_Never, L4_Never), &from);
		t_shared[A_EC] = L4_IpcFailed(tag) ? t_ipc_ec() : 0;
		t_shared[A_TAG] = tag.raw;
		t_shared[A_FROM] = from.raw;
		t_shared[A_MR1] = rt_mr(1);
		t_shared[A_DONE]++;
	}
}

/* The recorder and the sender for t_x2rest_redir.c (same t_shared words). */
void t_redir_recorder(L4_Word_t base)
{
	recorder(base);
}

void t_redir_sender(L4_Word_t arg)
{
	a_body(arg);
}

static L4_ThreadId_t a_tid, d_tid, r_tid;

/* D, R and A, D and R waiting in their receives (for as long as their
 * start takes: t_sync.h); A on its way to its receive. */
static const char *cast(void)
{
	d_tid = rt_task_create(recorder, D_BASE, rt_pager());
	r_tid = rt_thread_create(recorder, R_BASE);
	a_tid = rt_task_create(a_body, L4_Myself().raw, rt_pager());
	CHECK(!L4_IsNilThread(d_tid) && !L4_IsNilThread(r_tid) && !L4_IsNilThread(a_tid));
	t_until(&t_shared[D_ARMED], 1);
	t_until(&t_shared[R_ARMED], 1);
	return 0;
}

/* SpaceControl on A's (initialised, running) space: only the redirector. */
static L4_Word_t set_redirector(L4_ThreadId_t space, L4_ThreadId_t redirector, L4_Word_t *old)
{
	*old = 0xdeadbeefUL;
	return L4_SpaceControl(space, 0, L4_Nilpage, L4_Nilpage, redirector, old);
}

/* The cast, with R as the redirector of A's space: SpaceControl answers
 * 1 and old control 0. */
static const char *cast_redirected(void)
{
	L4_Word_t old;

	RUN(cast());
	CHECK_EQ(set_redirector(a_tid, r_tid, &old), 1);
	CHECK_EQ(old, 0);
	return 0;
}

/* Have A send w to `to` (a Call if call) and wait until it is done. */
static const char *a_command(L4_ThreadId_t to, L4_Word_t w, L4_Word_t call, L4_Word_t n)
{
	L4_Word_t cmd[3] = { to.raw, w, call };

	t_load(CMD_LABEL, 3, cmd, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(a_tid)));       /* A is on its way to its receive */
	if (n)
		t_until(&t_shared[A_DONE], n);
	return 0;
}

/* main sends D (or R) a marker directly: the next message it records. */
static const char *mark(L4_ThreadId_t to, L4_Word_t w)
{
	t_load(MARK_LABEL, 1, &w, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(to)));
	return 0;
}

/*
 * A's space gets R as redirector (result 1, old control 0).  A's send
 * to D reaches R: r set (and no other flag), From A's global ID,
 * IntendedReceiver D's global ID, the words as sent; A's send succeeds.
 * D got nothing: main's marker is the first message it records.
 */
static const char *t_redirect_send(void)
{
	L4_MsgTag_t tag;

	RUN(cast_redirected());
	RUN(a_command(d_tid, 0x1234, 0, 1));
	CHECK_EQ(t_shared[A_EC], 0);
	CHECK_EQ(t_shared[A_TAG], 0);
	t_until(&t_shared[R_COUNT], 1);
	tag.raw = t_shared[R_TAG];
	CHECK_EQ(tag.raw, (MSG_LABEL << 16) | 0x2000 | 1);
	CHECK(L4_IpcRedirected(tag));
	CHECK(!L4_IpcPropagated(tag));
	CHECK_EQ(t_shared[R_FROM], a_tid.raw);
	CHECK_EQ(t_shared[R_INTENDED], d_tid.raw);
	CHECK_EQ(t_shared[R_MR1], 0x1234);
	CHECK_EQ(t_shared[D_COUNT], 0);
	RUN(mark(d_tid, 0x77));
	t_until(&t_shared[D_COUNT], 1);
	CHECK_EQ(L4_Label((L4_MsgTag_t) { .raw = t_shared[D_TAG] }), MARK_LABEL);
	CHECK_EQ(t_shared[D_MR1], 0x77);
	return 0;
}

/*
 * Destinations in the redirector's space are not redirected: A's Call
 * to main arrives at main from A with no flag, and R records nothing
 * (its first message is main's marker); A's next send, to D, is.
 */
static const char *t_redirect_allowed_set(void)
{
	L4_ThreadId_t from = L4_nilthread;
	L4_MsgTag_t tag;

	RUN(cast_redirected());
	RUN(a_command(L4_Myself(), 0x4321, 1, 0));
	L4_Accept(L4_UntypedWordsAcceptor);
	tag = L4_Ipc(L4_nilthread, a_tid, L4_Timeouts(L4_Never, L4_Never), &from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(tag.raw, (MSG_LABEL << 16) | 1);
	CHECK_EQ(from.raw, a_tid.raw);
	CHECK_EQ(rt_mr(1), 0x4321);
	t_load(ANSWER_LABEL, 0, 0, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Reply(a_tid)));
	t_until(&t_shared[A_DONE], 1);
	CHECK_EQ(t_shared[A_EC], 0);
	CHECK_EQ(t_shared[A_FROM], L4_Myself().raw);
	RUN(mark(r_tid, 0x99));
	t_until(&t_shared[R_COUNT], 1);
	CHECK_EQ(L4_Label((L4_MsgTag_t) { .raw = t_shared[R_TAG] }), MARK_LABEL);
	/* The same sender's Call to D, outside the set, reaches R. */
	RUN(a_command(d_tid, 0x4322, 0, 2));
	t_until(&t_shared[R_COUNT], 2);
	CHECK_EQ(t_shared[R_TAG], (MSG_LABEL << 16) | 0x2000 | 1);
	CHECK_EQ(t_shared[R_INTENDED], d_tid.raw);
	return 0;
}

/*
 * R forwards A's redirected Call to its intended receiver with A as
 * virtual sender (allowed: R is the redirector of A's space).  D sees
 * From A, p set (not r), ActualSender R; its answer to A goes straight
 * to A, whose Call returns from D with MR1 + 1.  (D already waits when
 * A calls: the fast path would have taken the Call straight to D.)
 */
static const char *t_redirect_forward(void)
{
	L4_MsgTag_t tag;

	t_shared[R_FWD] = 2;
	t_shared[D_REPLY] = 1;
	RUN(cast_redirected());
	RUN(a_command(d_tid, 0x2468, 1, 1));
	CHECK_EQ(t_shared[R_FWD_RES], 1);
	tag.raw = t_shared[R_TAG];
	CHECK(L4_IpcRedirected(tag));
	CHECK_EQ(t_shared[R_INTENDED], d_tid.raw);
	t_until(&t_shared[D_COUNT], 1);
	tag.raw = t_shared[D_TAG];
	CHECK_EQ(tag.raw, (MSG_LABEL << 16) | 0x1000 | 1);
	CHECK_EQ(t_shared[D_FROM], a_tid.raw);
	CHECK_EQ(t_shared[D_ACTUAL], r_tid.raw);
	CHECK_EQ(t_shared[D_MR1], 0x2468);
	/* A's Call returned D's answer. */
	CHECK_EQ(t_shared[A_EC], 0);
	CHECK_EQ(t_shared[A_TAG], (ANSWER_LABEL << 16) | 1);
	CHECK_EQ(t_shared[A_FROM], d_tid.raw);
	CHECK_EQ(t_shared[A_MR1], 0x2469);
	return 0;
}

/*
 * SpaceControl's Redirector: nil leaves the redirector as it is (A's
 * next send is still redirected); anythread removes it (A's send then
 * reaches D directly, no flag, and R's next message is main's marker).
 * Old control is 0 each time.
 */
static const char *t_redirect_remove(void)
{
	L4_Word_t old;
	L4_MsgTag_t tag;

	RUN(cast_redirected());
	CHECK_EQ(set_redirector(a_tid, L4_nilthread, &old), 1);
	CHECK_EQ(old, 0);
	RUN(a_command(d_tid, 0x1111, 0, 1));
	t_until(&t_shared[R_COUNT], 1);
	CHECK(L4_IpcRedirected((L4_MsgTag_t) { .raw = t_shared[R_TAG] }));
	CHECK_EQ(t_shared[R_MR1], 0x1111);

	CHECK_EQ(set_redirector(a_tid, L4_anythread, &old), 1);
	CHECK_EQ(old, 0);
	RUN(a_command(d_tid, 0x2222, 0, 2));
	CHECK_EQ(t_shared[A_EC], 0);
	t_until(&t_shared[D_COUNT], 1);
	tag.raw = t_shared[D_TAG];
	CHECK_EQ(tag.raw, (MSG_LABEL << 16) | 1);
	CHECK_EQ(t_shared[D_FROM], a_tid.raw);
	CHECK_EQ(t_shared[D_MR1], 0x2222);
	RUN(mark(r_tid, 0x33));
	t_until(&t_shared[R_COUNT], 2);
	CHECK_EQ(L4_Label((L4_MsgTag_t) { .raw = t_shared[R_TAG] }), MARK_LABEL);
	return 0;
}

/*
 * A redirector that names no existing thread (a deleted one, a wrong
 * version, a local ID, anylocalthread, an interrupt thread) is refused
 * with result 0, ErrorCode 2, old control 0, and changes nothing: A's
 * send still goes to R.  A bad space is 3 before that; an unprivileged
 * caller 1.  A redirector deleted after it was set fails A's sends with
 * IPC error 2 (send phase).
 */
static const char *t_redirect_errors(void)
{
	L4_ThreadId_t bad[5], gone;
	L4_Word_t old, i;

	RUN(cast_redirected());
	gone = rt_thread_create(t_sleeper, 0);
	CHECK(!L4_IsNilThread(gone));
	CHECK(rt_release(gone));
	bad[0] = gone;
	bad[1] = L4_GlobalId(L4_ThreadNo(r_tid), L4_Version(r_tid) + 1);
	bad[2] = L4_MyLocalId();
	bad[3] = L4_anylocalthread;
	bad[4] = L4_GlobalId(1, 1);
	for (i = 0; i < 5; i++) {
		CHECK_EQ(set_redirector(a_tid, bad[i], &old), 0);
		CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
		CHECK_EQ(old, 0);
	}
	CHECK_EQ(set_redirector(t_nonexistent(), gone, &old), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidSpace);
	RUN(a_command(d_tid, 0x5555, 0, 1));
	t_until(&t_shared[R_COUNT], 1);
	CHECK(L4_IpcRedirected((L4_MsgTag_t) { .raw = t_shared[R_TAG] }));
	CHECK_EQ(t_shared[R_MR1], 0x5555);

	/* The redirector goes: A's next send fails at once with error 2. */
	CHECK(rt_release(r_tid));
	RUN(a_command(d_tid, 0x6666, 0, 2));
	CHECK(L4_IpcFailed((L4_MsgTag_t) { .raw = t_shared[A_TAG] }));
	CHECK_EQ(t_shared[A_EC], EC_SEND(L4_ErrNonExist));
	CHECK_EQ(t_shared[D_COUNT], 0);
	return 0;
}

/* A task that takes SpaceControl as an unprivileged caller. */
static void unpriv_body(L4_Word_t arg)
{
	L4_Word_t old = 0xdeadbeefUL;

	t_shared[V_TAG] = L4_SpaceControl((L4_ThreadId_t) { .raw = arg }, 0, L4_Nilpage,
					  L4_Nilpage, L4_Myself(), &old);
	t_shared[V_FROM] = L4_ErrorCode();
	t_shared[V_DONE] = 1;
}

static const char *t_redirect_unprivileged(void)
{
	L4_ThreadId_t u;

	RUN(cast());
	u = rt_task_create(unpriv_body, a_tid.raw, rt_pager());
	CHECK(!L4_IsNilThread(u));
	t_until(&t_shared[V_DONE], 1);
	CHECK_EQ(t_shared[V_TAG], 0);
	CHECK_EQ(t_shared[V_FROM], L4_ErrNoPrivilege);
	/* A's space has no redirector: its send reaches D. */
	RUN(a_command(d_tid, 0x7777, 0, 1));
	t_until(&t_shared[D_COUNT], 1);
	CHECK_EQ(t_shared[D_TAG], (MSG_LABEL << 16) | 1);
	return 0;
}

/* A client blocked in a closed receive from main, in a task of its own. */
static void closed_client(L4_Word_t arg)
{
	L4_ThreadId_t from = L4_nilthread, main_tid = { .raw = arg };
	L4_MsgTag_t tag;

	L4_Accept(L4_UntypedWordsAcceptor);
	t_flaky_delay(1);
	t_shared[V_READY] = 1;
	tag = L4_Ipc(L4_nilthread, main_tid, L4_Timeouts(L4_Never, L4_Never), &from);
	t_shared[V_TAG] = tag.raw;
	t_shared[V_FROM] = from.raw;
	t_shared[V_DONE] = 1;
}

/* The client waits in its closed receive from main.  Schedule's
 * "waiting" alone is no proof: a new task's thread waits so in each page
 * fault of its start, too (a T_FLAKY_DELAY build makes one at the delay,
 * whose code is on a page of its own); its flag says which wait it is. */
static const char *client_waits(L4_ThreadId_t c)
{
	t_until(&t_shared[V_READY], 1);
	CHECK(t_until_waiting(c));
	return 0;
}

/*
 * Propagation with a virtual sender in a third space (a client task in a
 * closed receive from main):
 * - refused to D, in a space of its own (main and D share no space, the
 *   client is not in main's space, main is not its redirector): D sees
 *   main as sender, no p, ActualSender untouched; the client still waits
 *   for main (main's reply reaches it);
 * - allowed to R, a thread of main's own space: R sees the client as
 *   sender with p, and the client's wait now names R.
 */
static const char *t_redirect_propagation_rule(void)
{
	L4_ThreadId_t me = L4_Myself(), c;
	L4_MsgTag_t tag;

	RUN(cast());
	c = rt_task_create(closed_client, me.raw, rt_pager());
	CHECK(!L4_IsNilThread(c));
	RUN(client_waits(c));

	CHECK(L4_IpcSucceeded(t_prop_send(d_tid, c, PROP_LABEL, 0xa1, RT_NEVER_US)));
	t_until(&t_shared[D_COUNT], 1);
	tag.raw = t_shared[D_TAG];
	CHECK_EQ(tag.raw, (PROP_LABEL << 16) | 1);
	CHECK_EQ(t_shared[D_FROM], me.raw);
	CHECK_EQ(t_shared[D_ACTUAL], STALE);

	CHECK(L4_IpcSucceeded(t_prop_send(r_tid, c, PROP_LABEL, 0xa2, RT_NEVER_US)));
	t_until(&t_shared[R_COUNT], 1);
	tag.raw = t_shared[R_TAG];
	CHECK_EQ(tag.raw, (PROP_LABEL << 16) | 0x1000 | 1);
	CHECK_EQ(t_shared[R_FROM], c.raw);
	/* The client now waits for R, not main: main's send to it blocks
	 * (zero timeout: error 1), R's reaches it. */
	t_flaky_delay(2);
	t_load(ANSWER_LABEL, 0, 0, 0, 0);
	tag = L4_Send_Timeout(c, L4_ZeroTime);
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(t_ipc_ec(), EC_SEND(L4_ErrTimeout));
	return 0;
}

/*
 * The virtual sender waits for the sender but lives in neither the
 * sender's nor the receiver's space: refused (X.2, Pistachio), so the
 * receiver sees the actual sender without p, and the virtual sender
 * still waits for the sender, whose next message reaches it.
 */
static const char *t_redirect_propagation_waiting(void)
{
	L4_ThreadId_t me = L4_Myself(), c;

	RUN(cast());
	c = rt_task_create(closed_client, me.raw, rt_pager());
	CHECK(!L4_IsNilThread(c));
	RUN(client_waits(c));
	CHECK(L4_IpcSucceeded(t_prop_send(d_tid, c, PROP_LABEL, 0xb1, RT_NEVER_US)));
	t_until(&t_shared[D_COUNT], 1);
	CHECK(!L4_IpcPropagated((L4_MsgTag_t) { .raw = t_shared[D_TAG] }));
	CHECK_EQ(t_shared[D_FROM], me.raw);
	t_load(ANSWER_LABEL, 0, 0, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(c)));
	t_until(&t_shared[V_DONE], 1);
	CHECK_EQ(t_shared[V_FROM], me.raw);
	CHECK_EQ(t_shared[V_TAG], ANSWER_LABEL << 16);
	return 0;
}

const struct test redirect_tests[] = {
	TEST(redirect_send),
	TEST(redirect_allowed_set),
	TEST(redirect_forward),
	TEST(redirect_remove),
	TEST(redirect_errors),
	TEST(redirect_unprivileged),
	TEST(redirect_propagation_rule),
	TEST(redirect_propagation_waiting),
	{ 0 },
};
