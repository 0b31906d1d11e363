/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Chains of redirectors (kernel/ipc_redirect.c, docs/abi.md
 * "Redirection").  A's space is redirected to R1, a thread of a task
 * whose own space is redirected to R2, a thread of the root's space; D
 * is a receiver in a fourth task.  A's message to D reaches R1; R1's
 * forward (propagated, A as virtual sender) is redirected again, to R2;
 * R2's forward reaches D, still as from A, since R2 is in the chain of
 * redirectors of A's space.  D's answer goes straight to A.
 *
 * t_redirect.c's recorder and sender are used, with its t_shared words:
 * D and R1 at its bases D and R, A's outcome at 18..22, R2 at 23..31.
 */
#include "tests.h"
#include "t_sync.h"

#define MSG_LABEL	0x7d02	/* A -> D, as t_redirect.c */
#define ANSWER_LABEL	0x7d04	/* D's answer to From, as t_redirect.c */
#define CMD_LABEL	0x7d01	/* main -> A, as t_redirect.c */
#define TAG_P		0x1000	/* propagated */
#define TAG_R		0x2000	/* redirected */

/* A recorder's words at base: */
#define X_COUNT		0
#define X_TAG		1
#define X_FROM		2
#define X_MR1		3
#define X_ACTUAL	4
#define X_INTENDED	5
#define X_MODE		6	/* 1 answer, 2 forward propagated */
#define X_ARMED		7
#define X_FWD_RES	8
#define D_BASE		0
#define R1_BASE		9
#define R2_BASE		23
/* The sender's outcome: */
#define A_DONE		18
#define A_TAG		19
#define A_EC		20
#define A_FROM		21
#define A_MR1		22

#define X(base, w)	t_shared[(base) + (w)]

static L4_Word_t set_redirector(L4_ThreadId_t space, L4_ThreadId_t redirector)
{
	L4_Word_t old;

	return L4_SpaceControl(space, 0, L4_Nilpage, L4_Nilpage, redirector, &old);
}

/* A Call from A to D through R1 and R2: each redirector sees the
 * message as from A with r and D as intended receiver (R2 also with P
 * and R1 as actual sender); D gets it as from A, P, actual sender R2;
 * A's Call returns D's answer. */
static const char *t_x2rest_redirect_chain(void)
{
	L4_ThreadId_t d, r1, r2, a;
	L4_Word_t cmd[3] = { 0, 0x5151, 1 };

	X(D_BASE, X_MODE) = 1;
	X(R1_BASE, X_MODE) = 2;
	X(R2_BASE, X_MODE) = 2;
	d = rt_task_create(t_redir_recorder, D_BASE, rt_pager());
	r1 = rt_task_create(t_redir_recorder, R1_BASE, rt_pager());
	r2 = rt_thread_create(t_redir_recorder, R2_BASE);
	a = rt_task_create(t_redir_sender, L4_Myself().raw, rt_pager());
	CHECK(!L4_IsNilThread(d) && !L4_IsNilThread(r1) && !L4_IsNilThread(r2) &&
	      !L4_IsNilThread(a));
	t_until(&X(D_BASE, X_ARMED), 1);
	t_until(&X(R1_BASE, X_ARMED), 1);
	t_until(&X(R2_BASE, X_ARMED), 1);
	CHECK_EQ(set_redirector(a, r1), 1);
	CHECK_EQ(set_redirector(r1, r2), 1);

	cmd[0] = d.raw;
	t_load(CMD_LABEL, 3, cmd, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(a)));        /* A is on its way to its receive */
	t_until(&t_shared[A_DONE], 1);

	CHECK_EQ(X(R1_BASE, X_TAG), (MSG_LABEL << 16) | TAG_R | 1);
	CHECK_EQ(X(R1_BASE, X_FROM), a.raw);
	CHECK_EQ(X(R1_BASE, X_INTENDED), d.raw);
	CHECK_EQ(X(R1_BASE, X_FWD_RES), 1);
	CHECK_EQ(X(R2_BASE, X_TAG), (MSG_LABEL << 16) | TAG_R | TAG_P | 1);
	CHECK_EQ(X(R2_BASE, X_FROM), a.raw);
	CHECK_EQ(X(R2_BASE, X_ACTUAL), r1.raw);
	CHECK_EQ(X(R2_BASE, X_INTENDED), d.raw);
	CHECK_EQ(X(R2_BASE, X_FWD_RES), 1);
	CHECK_EQ(X(D_BASE, X_TAG), (MSG_LABEL << 16) | TAG_P | 1);
	CHECK_EQ(X(D_BASE, X_FROM), a.raw);
	CHECK_EQ(X(D_BASE, X_ACTUAL), r2.raw);
	CHECK_EQ(X(D_BASE, X_MR1), 0x5151);
	CHECK_EQ(t_shared[A_EC], 0);
	CHECK_EQ(t_shared[A_TAG], (ANSWER_LABEL << 16) | 1);
	CHECK_EQ(t_shared[A_FROM], d.raw);
	CHECK_EQ(t_shared[A_MR1], 0x5152);
	return t_selfcheck();
}

/* A redirector outside the chain still may not propagate for A: with
 * R2 no longer R1's space's redirector, R2 (root space) forwarding as A
 * to D is refused (D sees R2, no P). */
static const char *t_x2rest_redirect_chain_only(void)
{
	L4_ThreadId_t d, r1, a;

	X(D_BASE, X_MODE) = 0;
	d = rt_task_create(t_redir_recorder, D_BASE, rt_pager());
	r1 = rt_task_create(t_redir_recorder, R1_BASE, rt_pager());
	a = rt_task_create(t_redir_sender, L4_Myself().raw, rt_pager());
	CHECK(!L4_IsNilThread(d) && !L4_IsNilThread(r1) && !L4_IsNilThread(a));
	t_until(&X(D_BASE, X_ARMED), 1);
	CHECK_EQ(set_redirector(a, r1), 1);
	CHECK(L4_IpcFailed(t_prop_send(d, a, MSG_LABEL, 0x77, RT_NEVER_US)) == 0);
	t_until(&X(D_BASE, X_COUNT), 1);
	CHECK_EQ(X(D_BASE, X_TAG), (MSG_LABEL << 16) | 1);
	CHECK_EQ(X(D_BASE, X_FROM), L4_Myself().raw);
	return t_selfcheck();
}

const struct test x2rest_redir_tests[] = {
	TEST(x2rest_redirect_chain),
	TEST(x2rest_redirect_chain_only),
	{ 0 },
};
