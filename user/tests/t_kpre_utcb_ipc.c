/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A UTCB page taken back around IPC (t_kpre_utcb.c's child and
 * kpager): while its thread runs touching no UTCB, waits for a reply,
 * or is blocked in a send, no message word is lost and the task's pager
 * is never asked for the page.
 */
#include "t_kpre_utcb_int.h"
#include "t_sync.h"

/* Taken back while its thread runs in user mode, touching no UTCB: its
 * next IPC, of 8 MRs, writes them into its UTCB (which asks for the
 * page) and all 8 arrive. */
const char *t_kpre_utcb_idle_then_ipc_8_words(void)
{
	L4_ThreadId_t c;
	L4_Word_t old, copy;
	int skip;

	RUN(ku_begin(&c, KU_IDLE, &skip));
	L4_LoadMR(0, 0);
	CHECK(L4_IpcSucceeded(L4_Reply(c)));
	t_until(&t_shared[KU_SPIN], 1);
	if (!skip) {
		L4_Word_t n;
		RUN(ku_take_back(c, &old, &copy, &n));
		t_shared[KU_GO] = 1;
		RUN(ku_data(c, KU_WORDS));
		for (unsigned i = 1; i <= KU_WORDS; i++)
			CHECK_EQ(rt_mr(i), KU_NEW(i));
		RUN(ku_came_back(c, n, old, copy));
	}
	t_shared[KU_GO] = 1;
	return ku_end(c);
}

/* Taken back while its thread waits for main's reply: the reply's 8
 * words go into the UTCB once the kpager lent it again (main's send
 * waits meanwhile); the thread echoes them, all there. */
const char *t_kpre_utcb_taken_in_receive(void)
{
	L4_ThreadId_t c;
	L4_Word_t old, copy;
	int skip;

	RUN(ku_recv_begin(&c, &skip));
	if (skip)
		return ku_skipped(c);
	L4_Word_t n;
	RUN(ku_take_back(c, &old, &copy, &n));
	RUN(ku_echo(c));
	CHECK_EQ(rt_mr(KU_WORDS + 1), KU_MR9);
	CHECK_EQ(rt_mr(KU_WORDS + 2), c.raw);
	RUN(ku_came_back(c, n, old, copy));
	return ku_end(c);
}

/* c blocked in a send to main (before any transfer began), however long
 * it takes to get there; 0 if c is gone. */
static int ku_sending(L4_ThreadId_t c)
{
	return t_until_state(c, L4_SCHEDRESULT_PENDING_SEND);
}

/* Taken back while its thread is blocked sending 8 words to main: main's
 * receive finds the sender's page away, the sender asks for it and
 * sends again, and all 8 words arrive. */
const char *t_kpre_utcb_sender_blocked(void)
{
	L4_ThreadId_t c;
	L4_Word_t old, copy;
	int skip;

	RUN(ku_begin(&c, KU_SEND, &skip));
	L4_LoadMR(0, 0);
	CHECK(L4_IpcSucceeded(L4_Reply(c)));
	t_until(&t_shared[KU_SPIN], 1);
	CHECK(ku_sending(c));
	L4_Word_t n = ku.n;
	if (!skip)
		RUN(ku_take_back(c, &old, &copy, &n));
	RUN(ku_data(c, KU_WORDS));
	for (unsigned i = 1; i <= KU_WORDS; i++)
		CHECK_EQ(rt_mr(i), KU_NEW(i));
	if (!skip)
		RUN(ku_came_back(c, n, old, copy));
	return ku_end(c);
}
