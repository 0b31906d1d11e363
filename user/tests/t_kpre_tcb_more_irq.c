/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Thread bodies taken back (t_kpre_tcb_more.c's task): an interrupt
 * handler whose body is away gets its line's interrupt, whether it was
 * associated with the line before it went or after.
 */
#include "t_kpre_tcb_more_int.h"

/* An interrupt handler: says hello and waits, in the same Ipc, for
 * line TM_IRQ's interrupt; acknowledges it, and says what it got. */
static void tm_irq_handler(L4_Word_t arg)
{
	L4_ThreadId_t from = L4_nilthread, irq = irq_thread(TM_IRQ);
	L4_Word_t id = L4_MyLocalId().raw;

	(void)arg;
	rt_msg(TM_HELLO, 1, &id);
	L4_MsgTag_t tag = L4_Ipc(tm_main, irq, L4_Timeouts(L4_Never, L4_Never), &from);
	L4_LoadMR(0, 0);
	L4_Word_t acked = L4_IpcSucceeded(L4_Send_Timeout(irq, L4_ZeroTime));
	tm_say(TM_DONE, tag.raw, from.raw, acked);
	tm_idle();
}
/* An interrupt an earlier test left latched at the PIC (the RTC stopped
 * while its line was masked) comes the moment the line opens: main takes
 * it as the line's handler, on the way back from its ThreadControl, and
 * acknowledges it.  The RTC is off, so nothing comes after. */
static void tm_irq_drain(void)
{
	L4_ThreadId_t from, irq = irq_thread(TM_IRQ);

	(void)associate(TM_IRQ, L4_Myself());
	if (L4_IpcSucceeded(irq_receive(irq, L4_ZeroTime, &from))) {
		L4_LoadMR(0, 0);
		(void)L4_Send_Timeout(irq, L4_ZeroTime);
	}
}

/* The handler t, away in its receive from line TM_IRQ (associated
 * before it went, or after): the RTC ticks, and the interrupt reaches it
 * (its body asked for by itself), from the interrupt thread. */
static const char *tm_irq_reaches(L4_ThreadId_t t, int associate_after, int skip)
{
	L4_Word_t page = 0;

	tm_irq_drain();
	if (!associate_after)
		CHECK_EQ(associate(TM_IRQ, t), 1);
	if (!skip)
		RUN(tm_out(t, TM_PT_IPC_RECV, &page));
	if (associate_after)
		CHECK_EQ(associate(TM_IRQ, t), 1);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0), 0);
	L4_Word_t n = tb.n;
	rtc_start();
	RUN(tb_expect(t, TM_DONE));
	CHECK_EQ(rt_mr(1), TM_IRQ_TAG);
	CHECK_EQ(rt_mr(2), irq_thread(TM_IRQ).raw);
	CHECK_EQ(rt_mr(3), 1);
	if (!skip) {
		CHECK_EQ(tb.n, n + 1);
		RUN(tm_came_back(t, n, t, page));
	}
	return 0;
}

static const char *tm_irq_test(int associate_after)
{
	L4_ThreadId_t t, u;
	int skip;

	RUN(tm_begin(&t, &u, tm_irq_handler, &skip));
	const char *r = tm_irq_reaches(t, associate_after, skip);
	(void)associate(TM_IRQ, irq_thread(TM_IRQ));
	rtc_stop();
	RUN(r);
	return tb_end(t);
}

/* An interrupt for a handler whose body is away is delivered: the
 * handler asks for its body as any thread away that must run, and takes
 * the interrupt once back; the self-check passes while it is away with
 * the line.  (Before: the interrupt waited until something else brought
 * the body back, and the self-check counted the line as broken.) */
const char *t_kpre_tcb_more_irq_handler_away(void)
{
	return tm_irq_test(0);
}

/* A thread away can be associated with a line (it exists), and gets its
 * interrupts.  (Before: ThreadControl failed with error 2.) */
const char *t_kpre_tcb_more_irq_associate_away(void)
{
	return tm_irq_test(1);
}
