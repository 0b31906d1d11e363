/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * X.2 interrupt threads (kernel/irq.c, docs/abi.md "Interrupt threads"),
 * with a real device: the MC146818 RTC of QEMU's PC, whose periodic
 * interrupt (1,024 a second) comes on IRQ 8, the slave 8259's first line.
 *
 * The RTC holds its interrupt line up until register C is read, and each
 * new periodic flag raises it again.  Reading C until the flag shows is
 * how a test knows the device raised its line since the last read: the
 * kernel has then taken that interrupt (or the masked line holds it), so
 * what the test checks next does not depend on how fast anything runs.
 * Waits for an interrupt that must come have no timeout (the RTC ticks
 * for as long as the test runs): one that never comes is a hang, which
 * the harness names (docs/team-conventions.md, "Test output").
 *
 * The RTC's registers are reached by plain inb/outb on its ports 0x70
 * (index) and 0x71 (data), as any driver would: the root task's pager is
 * sigma0, which maps it the ports on its first I/O fault (docs/abi.md,
 * "I/O ports").  Only the root task's main thread touches them.
 */
#include "tests.h"
#include "t_sync.h"

#define IRQ_RTC		8
#define IRQ_TAG		0xFFF00000UL     /* label -1, no words (X.2) */
#define RTC_INDEX	0x70
#define RTC_DATA	0x71
#define RTC_A		0x0A
#define RTC_B		0x0B
#define RTC_C		0x0C
#define RTC_B_PIE	0x40             /* periodic interrupt enable */
#define RTC_C_PF	0x40             /* periodic flag */
#define RTC_RATE_1024HZ	6
#define IRQ_WAIT	L4_Never
#define IRQ_REPORT	0x1e01

L4_ThreadId_t irq_thread(L4_Word_t n)
{
	return L4_GlobalId(n, 1);
}

static L4_Word_t rtc_read(L4_Word_t reg)
{
	t_io_outb(RTC_INDEX, reg);
	return t_io_inb(RTC_DATA);
}

static void rtc_write(L4_Word_t reg, L4_Word_t v)
{
	t_io_outb(RTC_INDEX, reg);
	t_io_outb(RTC_DATA, v);
}

void rtc_start(void)
{
	rtc_write(RTC_A, (rtc_read(RTC_A) & 0xF0) | RTC_RATE_1024HZ);
	rtc_write(RTC_B, rtc_read(RTC_B) | RTC_B_PIE);
	(void)rtc_read(RTC_C);
}

void rtc_stop(void)
{
	rtc_write(RTC_B, rtc_read(RTC_B) & ~(L4_Word_t)RTC_B_PIE);
	(void)rtc_read(RTC_C);
}

/* Read C until the periodic flag shows: the RTC raised IRQ 8 again since
 * the last read.  No clock bound: the RTC ticks while the test runs. */
void rtc_fired(void)
{
	while (!(rtc_read(RTC_C) & RTC_C_PF))
		;
}

L4_Word_t associate(L4_Word_t n, L4_ThreadId_t handler)
{
	return L4_ThreadControl(irq_thread(n), irq_thread(n), L4_nilthread, handler, (void *)-1);
}

/* Receive from `from` (an interrupt thread or anythread) with timeout to;
 * the sender in *who. */
L4_MsgTag_t irq_receive(L4_ThreadId_t from, L4_Time_t to, L4_ThreadId_t *who)
{
	return L4_Ipc(L4_nilthread, from, L4_Timeouts(L4_Never, to), who);
}

/* Runs a test with the RTC ticking, then stops it and frees IRQ 8
 * whatever the test left. */
const char *with_rtc(const char *(*body)(void))
{
	const char *r;

	rtc_start();
	r = body();
	(void)associate(IRQ_RTC, irq_thread(IRQ_RTC));
	rtc_stop();
	return r;
}

/* KIP ThreadInfo: the 16 lines of the 8259 pair are thread numbers 0..15,
 * user threads start right after them (no system threads). */
static const char *t_irq_thread_info(void)
{
	CHECK_EQ(L4_ThreadIdSystemBase(rt_kip()), 16);
	CHECK_EQ(L4_ThreadIdUserBase(rt_kip()), 16);
	return 0;
}

/* Association that must fail, each with X.2's "invalid thread" (2) and
 * nothing changed: the timer's line, the cascade, version 2, a nil, dead,
 * local or interrupt-thread handler.  Dissociating a free line works. */
static const char *t_irq_associate_errors(void)
{
	L4_ThreadId_t irq = irq_thread(IRQ_RTC);

	CHECK_EQ(associate(0, L4_Myself()), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
	CHECK_EQ(associate(2, L4_Myself()), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
	CHECK_EQ(L4_ThreadControl(L4_GlobalId(IRQ_RTC, 2), L4_GlobalId(IRQ_RTC, 2), L4_nilthread,
				  L4_Myself(), (void *)-1), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
	CHECK_EQ(associate(IRQ_RTC, L4_nilthread), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
	CHECK_EQ(associate(IRQ_RTC, t_nonexistent()), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
	CHECK_EQ(associate(IRQ_RTC, L4_MyLocalId()), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
	CHECK_EQ(associate(IRQ_RTC, irq_thread(5)), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
	CHECK_EQ(associate(15, irq_thread(15)), 1);
	/* Nothing was associated: a send to the interrupt thread is no
	 * acknowledgement; with a zero timeout it fails at once (one that
	 * waits: t_x2rest.c). */
	CHECK(L4_IpcFailed(L4_Send_Timeout(irq, L4_ZeroTime)));
	CHECK_EQ(t_ipc_ec(), EC_SEND(1));
	/* An interrupt thread can be waited for; nothing comes. */
	CHECK(L4_IpcFailed(L4_Receive_Timeout(irq, L4_ZeroTime)));
	CHECK_EQ(t_ipc_ec(), EC_RECV(1));
	/* Schedule takes it as Pistachio does: a line without handler is
	 * dead (t_x2rest.c); it has no registers to set. */
	CHECK_EQ(L4_Set_Priority(irq, 100), L4_SCHEDRESULT_DEAD);
	CHECK(L4_IsNilThread(__L4_Exregs(irq, 0, 0, 0, 0, 0, L4_nilthread, 0, 0, 0, 0, 0, 0)));
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
	return 0;
}

/* An unprivileged task may not associate (1), and its send to an
 * interrupt thread is no acknowledgement. */
static void irq_unpriv_body(L4_Word_t arg)
{
	L4_ThreadId_t root = { .raw = arg };
	L4_Word_t w[4];

	w[0] = associate(IRQ_RTC, L4_Myself());
	w[1] = L4_ErrorCode();
	w[2] = L4_IpcFailed(L4_Send_Timeout(irq_thread(IRQ_RTC), L4_ZeroTime));
	w[3] = L4_ErrorCode() & 0xf;
	rt_msg(IRQ_REPORT, 4, w);
	(void)L4_Send(root);
	for (;;)
		L4_Sleep(L4_Never);
}

static const char *t_irq_unprivileged(void)
{
	L4_ThreadId_t t = rt_task_create(irq_unpriv_body, L4_Myself().raw, rt_pager());
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(t));
	tag = L4_Receive_Timeout(t, IRQ_WAIT);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), IRQ_REPORT);
	CHECK_EQ(rt_mr(1), 0);
	CHECK_EQ(rt_mr(2), L4_ErrNoPrivilege);
	CHECK_EQ(rt_mr(3), 1);
	CHECK_EQ(rt_mr(4), EC_SEND(1));
	return 0;
}

/* Delivery from IRQ 8, its masking until the acknowledgement, each way
 * of waiting (from the interrupt thread, from anyone, by Call), an
 * interrupt that waits for a handler not receiving, and dissociation. */
static const char *irq_rtc_delivery(void)
{
	L4_ThreadId_t irq = irq_thread(IRQ_RTC), from = L4_nilthread;
	L4_MsgTag_t tag;

	CHECK_EQ(associate(IRQ_RTC, L4_Myself()), 1);
	/* The first interrupt: from the interrupt thread, label -1, 0 words. */
	tag = irq_receive(irq, IRQ_WAIT, &from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(tag.raw, IRQ_TAG);
	CHECK_EQ(from.raw, irq.raw);
	/* The RTC raises its line again; until the handler replies, no
	 * second interrupt comes, whichever way it waits. */
	rtc_fired();
	CHECK(L4_IpcFailed(irq_receive(irq, L4_ZeroTime, &from)));
	CHECK_EQ(t_ipc_ec(), EC_RECV(1));
	CHECK(L4_IpcFailed(irq_receive(L4_anythread, L4_ZeroTime, &from)));
	CHECK_EQ(t_ipc_ec(), EC_RECV(1));
	/* The reply unmasks the line; a second reply is refused. */
	CHECK(L4_IpcSucceeded(L4_Send_Timeout(irq, L4_ZeroTime)));
	CHECK(L4_IpcFailed(L4_Send_Timeout(irq, L4_ZeroTime)));
	CHECK_EQ(t_ipc_ec(), EC_SEND(1));
	/* The next comes, received from anyone.  The handler ends it at the
	 * device (reading C), so that the RTC can raise its line anew. */
	tag = irq_receive(L4_anythread, IRQ_WAIT, &from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(tag.raw, IRQ_TAG);
	CHECK_EQ(from.raw, irq.raw);
	(void)rtc_read(RTC_C);
	/* Reply and wait for the next in one Call. */
	L4_LoadMR(0, 0);
	tag = L4_Call_Timeouts(irq, L4_ZeroTime, IRQ_WAIT);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(tag.raw, IRQ_TAG);
	(void)rtc_read(RTC_C);
	/* Reply without waiting: once the RTC has raised its line, its
	 * interrupt waits in the kernel for the handler's next receive (not
	 * a local one), which takes it at once, and only once. */
	L4_LoadMR(0, 0);
	CHECK(L4_IpcSucceeded(L4_Send_Timeout(irq, L4_ZeroTime)));
	rtc_fired();
	CHECK(L4_IpcFailed(irq_receive(L4_anylocalthread, L4_ZeroTime, &from)));
	CHECK_EQ(t_ipc_ec(), EC_RECV(1));
	tag = irq_receive(irq, L4_ZeroTime, &from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(tag.raw, IRQ_TAG);
	CHECK_EQ(from.raw, irq.raw);
	CHECK(L4_IpcFailed(irq_receive(irq, L4_ZeroTime, &from)));
	CHECK_EQ(t_ipc_ec(), EC_RECV(1));
	/* Dissociation: the line is masked, nothing more is delivered, and
	 * the reply to the interrupt it dropped is refused. */
	CHECK_EQ(L4_DeassociateInterrupt(irq), 1);
	CHECK(L4_IpcFailed(L4_Send_Timeout(irq, L4_ZeroTime)));
	CHECK_EQ(t_ipc_ec(), EC_SEND(1));
	rtc_fired();
	CHECK(L4_IpcFailed(irq_receive(irq, L4_ZeroTime, &from)));
	CHECK_EQ(t_ipc_ec(), EC_RECV(1));
	return 0;
}

static const char *t_irq_rtc_delivery(void)
{
	return with_rtc(irq_rtc_delivery);
}

/* A second handler thread of the root task: takes one interrupt from
 * IRQ 8, acknowledges it, and reports tag, sender, and the reply's
 * outcome to main. */
static void irq_second_handler(L4_Word_t arg)
{
	L4_ThreadId_t main = { .raw = arg }, from = L4_nilthread;
	L4_MsgTag_t tag = irq_receive(irq_thread(IRQ_RTC), IRQ_WAIT, &from);
	L4_Word_t w[4];

	w[0] = tag.raw;
	w[1] = from.raw;
	L4_LoadMR(0, 0);
	w[2] = L4_IpcSucceeded(L4_Send_Timeout(irq_thread(IRQ_RTC), L4_ZeroTime));
	w[3] = L4_ErrorCode() & 0xf;
	rt_msg(IRQ_REPORT, 4, w);
	(void)L4_Send(main);
}

/* Main, the handler, holds an interrupt (received if `received`, else
 * still waiting for it), then hands the line to a second handler: the
 * interrupt goes to that one, and main's reply no longer counts. */
static const char *irq_handover(int received)
{
	L4_ThreadId_t irq = irq_thread(IRQ_RTC), from, h;
	L4_MsgTag_t tag;

	CHECK_EQ(associate(IRQ_RTC, L4_Myself()), 1);
	if (received) {
		tag = irq_receive(irq, IRQ_WAIT, &from);
		CHECK_EQ(tag.raw, IRQ_TAG);
	} else {
		rtc_fired();           /* its interrupt waits for main */
	}
	h = rt_thread_create(irq_second_handler, L4_Myself().raw);
	CHECK(!L4_IsNilThread(h));
	CHECK_EQ(associate(IRQ_RTC, h), 1);
	CHECK(L4_IpcFailed(L4_Send_Timeout(irq, L4_ZeroTime)));
	CHECK_EQ(t_ipc_ec(), EC_SEND(1));
	CHECK(L4_IpcFailed(irq_receive(irq, L4_ZeroTime, &from)));
	CHECK_EQ(t_ipc_ec(), EC_RECV(1));
	tag = L4_Receive_Timeout(h, IRQ_WAIT);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), IRQ_REPORT);
	CHECK_EQ(rt_mr(1), IRQ_TAG);
	CHECK_EQ(rt_mr(2), irq.raw);
	CHECK_EQ(rt_mr(3), 1);
	return 0;
}

static const char *irq_handover_pending(void)
{
	return irq_handover(0);
}

static const char *irq_handover_received(void)
{
	return irq_handover(1);
}

static const char *t_irq_reassociate_pending(void)
{
	return with_rtc(irq_handover_pending);
}

static const char *t_irq_reassociate_received(void)
{
	return with_rtc(irq_handover_received);
}

/* The handler is deleted while its interrupt waits: the line goes back
 * to no handler, masked (the self-check compares every line's record
 * with the mask register), its ID can no longer be associated, and a new
 * handler gets IRQ 8 again. */
static const char *irq_delete_handler(void)
{
	L4_ThreadId_t irq = irq_thread(IRQ_RTC), from, h = rt_thread_create(t_sleeper, 0);
	L4_MsgTag_t tag;
	const char *r;

	CHECK(!L4_IsNilThread(h));
	CHECK_EQ(associate(IRQ_RTC, h), 1);
	rtc_fired();
	/* Its interrupt waits for h (Schedule: the line's pending send),
	 * as long as the processor takes to take it. */
	CHECK(t_until_state(irq, L4_SCHEDRESULT_PENDING_SEND));
	CHECK_EQ(rt_release(h), 1);
	r = t_selfcheck();
	if (r)
		return r;
	CHECK_EQ(associate(IRQ_RTC, h), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
	CHECK(L4_IpcFailed(irq_receive(irq, L4_ZeroTime, &from)));
	CHECK_EQ(associate(IRQ_RTC, L4_Myself()), 1);
	tag = irq_receive(irq, IRQ_WAIT, &from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(tag.raw, IRQ_TAG);
	CHECK_EQ(from.raw, irq.raw);
	return t_selfcheck();
}

static const char *t_irq_delete_handler(void)
{
	return with_rtc(irq_delete_handler);
}

/* A handler that takes a new version (ThreadControl, same number) is no
 * longer the one named: its line goes back to no handler, masked (the
 * self-check), and only the new ID can be associated. */
static const char *t_irq_handler_new_version(void)
{
	L4_ThreadId_t h = rt_thread_create(t_sleeper, 0), h2;
	const char *r;

	CHECK(!L4_IsNilThread(h));
	CHECK_EQ(associate(IRQ_RTC, h), 1);
	h2 = L4_GlobalId(L4_ThreadNo(h), L4_Version(h) ^ 0x100);
	CHECK_EQ(L4_ThreadControl(h2, L4_Myself(), L4_Myself(), L4_Pager(), (void *)-1), 1);
	rt_retag(h, h2);
	r = t_selfcheck();
	if (r)
		return r;
	CHECK_EQ(associate(IRQ_RTC, h), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
	CHECK_EQ(associate(IRQ_RTC, h2), 1);
	CHECK_EQ(L4_DeassociateInterrupt(irq_thread(IRQ_RTC)), 1);
	return 0;
}

const struct test irq_tests[] = {
	TEST(irq_thread_info),
	TEST(irq_associate_errors),
	TEST(irq_unprivileged),
	TEST(irq_rtc_delivery),
	TEST(irq_reassociate_pending),
	TEST(irq_reassociate_received),
	TEST(irq_delete_handler),
	TEST(irq_handler_new_version),
	{ 0 },
};
