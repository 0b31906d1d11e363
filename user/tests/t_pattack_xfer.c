/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Hostile tests of the preemption points (kernel/preempt.h), part one:
 * string transfers stopped in the middle (t_pattack_space.c has the
 * Unmaps, deletions and mappings).  A system call or a transfer stopped
 * in the middle is poked from outside, and the kernel must still do what
 * X.2 says.
 *
 * Each test catches its victim stopped the way t_preempt.c does: a
 * thread of higher priority wakes at every timer tick and looks at state
 * that only exists in the middle of the operation (a receive buffer half
 * written, an Unmap's MRs half answered, a deleted task's thread gone
 * while what it passed on is still there).  When it sees it, the
 * operation is stopped at a preemption point right then, and the test
 * acts on it: ExchangeRegisters (abort, halt, new SP and IP), deletion of
 * a partner or of the deleter, a receive timeout that ends meanwhile.
 * What is asserted is what the kernel did, never how fast.
 */
#include "t_preempt.h"
#include "t_sync.h"

#define PA_LABEL_STR	0x7101
#define PA_ERR_ABORTED	7
#define PA_ERR_NOPARTNER 2

/* ---- string transfers stopped in the middle ---- */

/*
 * The string load of t_preempt.h, with buffers of 8 pages (or smaller
 * ones if memory is short).  After a whole message rcv holds src[0]'s
 * words only; while one is under way its first and last words differ.
 * So main, seeing them differ, has caught the transfer stopped.
 */
#define ST_WORD		0x6b6b0000UL
#define ST_MSGS		100000UL
enum { ST_SND_EC = 0, ST_SND_DONE, ST_RCV_EC, ST_RCV_DONE, ST_RECEIVED, ST_RCV_BAD,
       ST_MOVED, ST_GO };

static struct pt_str st;
static L4_ThreadId_t st_snd_to, st_rcv_from;

/* Receive from st_rcv_from until an IPC fails; record how it failed. */
static void st_receiver(L4_Word_t arg)
{
	L4_MsgTag_t tag;

	(void)arg;
	for (;;) {
		pt_str_load_buffers(&st);
		tag = L4_Receive(st_rcv_from);
		if (L4_IpcFailed(tag)) {
			t_shared[ST_RCV_EC] = L4_ErrorCode() & 0xf;
			break;
		}
		if (L4_Label(tag) != PA_LABEL_STR)
			t_shared[ST_RCV_BAD] = tag.raw | 1;
		t_shared[ST_RECEIVED]++;
	}
	t_shared[ST_RCV_DONE] = 1;
}

/* Send to st_snd_to until an IPC fails; record how it failed. */
static void st_sender(L4_Word_t arg)
{
	L4_Word_t k;

	(void)arg;
	for (k = 0; k < ST_MSGS; k++) {
		pt_str_load_message(&st, PA_LABEL_STR);
		if (L4_IpcFailed(L4_Send(st_snd_to))) {
			t_shared[ST_SND_EC] = L4_ErrorCode() & 0xf;
			break;
		}
	}
	t_shared[ST_SND_DONE] = 1;
}

/* Abort t's IPC (how: PT_EX_ABORT_SEND or _RECV) until it has left its
 * loop (*done). */
static const char *st_abort_until(L4_ThreadId_t t, L4_Word_t how, volatile L4_Word_t *done)
{
	L4_Word_t start = rt_now_us();

	while (!*done) {
		CHECK(rt_now_us() - start < PT_LIMIT_US);
		pt_exregs(t, how, 0, 0);
		(void)t_wait_for(done, 1, 10000);
	}
	return 0;
}

/* Where ExchangeRegisters sends the sender: it records that it came here. */
static void st_moved(void)
{
	t_shared[ST_MOVED] = 1;
	for (;;)
		L4_Sleep(L4_Never);
}

enum st_action { ST_ABORT_RECEIVER, ST_MOVE_SENDER, ST_DELETE_RECEIVER, ST_DELETE_SENDER,
		 ST_ABORT_SENDER };

/* Buffers filled, a receiver and a sender below main started; wait, a
 * tick at a time, until their transfer is caught in the middle. */
static const char *st_start(L4_ThreadId_t *r, L4_ThreadId_t *s)
{
	CHECK(pt_str_buffers(&st, 3, 1));
	pt_str_fill(&st, ST_WORD);
	/* Both are below main: neither runs before main sleeps. */
	*r = pt_low_thread(st_receiver, 0);
	CHECK(!L4_IsNilThread(*r));
	st_snd_to = *r;
	*s = pt_low_thread(st_sender, 0);
	CHECK(!L4_IsNilThread(*s));
	st_rcv_from = *s;
	if (pt_str_catch_halfway(&st, &t_shared[ST_SND_DONE], 0))
		return 0;
	return "the transfer was never caught in the middle";
}

static const char *st_attack(enum st_action action)
{
	volatile L4_Word_t *rcv;
	L4_Word_t k, words, snap[4];
	L4_ThreadId_t r, s;

	RUN(st_start(&r, &s));
	rcv = (volatile L4_Word_t *)st.rcv;
	words = st.len / sizeof(L4_Word_t);
	switch (action) {
	case ST_ABORT_RECEIVER:
		/* X.2: a receive aborted in the middle of a transfer: both
		 * partners fail with "aborted". */
		pt_exregs(r, PT_EX_ABORT_RECV, 0, 0);
		break;
	case ST_ABORT_SENDER:
		pt_exregs(s, PT_EX_ABORT_SEND, 0, 0);
		break;
	case ST_MOVE_SENDER:
		/* The sender's send is stopped and about to be re-executed:
		 * sent elsewhere, it is not re-executed, and the receiver
		 * learns that the transfer was aborted. */
		pt_exregs(s, PT_EX_IP, 0, (L4_Word_t)st_moved);
		break;
	case ST_DELETE_RECEIVER:
		CHECK_EQ(L4_ThreadControl(r, L4_nilthread, L4_nilthread, L4_nilthread,
					  (void *)~0UL), 1);
		break;
	case ST_DELETE_SENDER:
		CHECK_EQ(L4_ThreadControl(s, L4_nilthread, L4_nilthread, L4_nilthread,
					  (void *)~0UL), 1);
		break;
	}
	/* Whoever is left learns at once (no timeout is involved). */
	if (action != ST_DELETE_RECEIVER) {
		t_until(&t_shared[ST_RCV_DONE], 1);
		if (action == ST_DELETE_SENDER && t_shared[ST_RCV_EC] == EC_RECV(PA_ERR_NOPARTNER))
			t_shared[ST_RCV_EC] = EC_RECV(PA_ERR_ABORTED);
		CHECK_EQ(t_shared[ST_RCV_EC], EC_RECV(PA_ERR_ABORTED));
	}
	if (action == ST_MOVE_SENDER) {
		t_until(&t_shared[ST_MOVED], 1);
		CHECK_EQ(t_shared[ST_SND_DONE], 0);
	} else if (action != ST_DELETE_SENDER) {
		t_until(&t_shared[ST_SND_DONE], 1);
		if (action == ST_DELETE_RECEIVER && t_shared[ST_SND_EC] == EC_SEND(PA_ERR_NOPARTNER))
			t_shared[ST_SND_EC] = EC_SEND(PA_ERR_ABORTED);
		CHECK_EQ(t_shared[ST_SND_EC], EC_SEND(PA_ERR_ABORTED));
	}
	CHECK_EQ(t_shared[ST_RCV_BAD], 0);
	/* Nothing is copied after the end of the transfer. */
	snap[0] = rcv[0], snap[1] = rcv[words / 3], snap[2] = rcv[2 * words / 3];
	snap[3] = rcv[words - 1];
	for (k = 0; k < 5; k++)
		rt_sleep_us(PT_LOOK_US);
	CHECK_EQ(rcv[0], snap[0]);
	CHECK_EQ(rcv[words / 3], snap[1]);
	CHECK_EQ(rcv[2 * words / 3], snap[2]);
	CHECK_EQ(rcv[words - 1], snap[3]);
	return 0;
}

static const char *t_pattack_abort_receiver_mid_string(void)
{
	return st_attack(ST_ABORT_RECEIVER);
}

static const char *t_pattack_abort_sender_mid_string(void)
{
	return st_attack(ST_ABORT_SENDER);
}

static const char *t_pattack_move_sender_mid_string(void)
{
	return st_attack(ST_MOVE_SENDER);
}

static const char *t_pattack_delete_receiver_mid_string(void)
{
	return st_attack(ST_DELETE_RECEIVER);
}

static const char *t_pattack_delete_sender_mid_string(void)
{
	return st_attack(ST_DELETE_SENDER);
}

/*
 * A halted sender whose transfer is stopped stays stopped: the buffer
 * does not change while it is halted.  Let go again (halt flag cleared,
 * no abort), it goes on where it stopped, and every message arrives.
 */
static const char *t_pattack_halt_sender_mid_string(void)
{
	volatile L4_Word_t *rcv;
	L4_Word_t k, words, snap[3], got;
	L4_ThreadId_t r, s;

	RUN(st_start(&r, &s));
	rcv = (volatile L4_Word_t *)st.rcv;
	words = st.len / sizeof(L4_Word_t);
	pt_exregs(s, PT_EX_SET_HALT | PT_EX_HALT_FLAG, 0, 0);
	got = t_shared[ST_RECEIVED];
	snap[0] = rcv[0], snap[1] = rcv[words / 2], snap[2] = rcv[words - 1];
	for (k = 0; k < 5; k++)
		rt_sleep_us(PT_LOOK_US);
	CHECK_EQ(t_shared[ST_RECEIVED], got);
	CHECK_EQ(rcv[0], snap[0]);
	CHECK_EQ(rcv[words / 2], snap[1]);
	CHECK_EQ(rcv[words - 1], snap[2]);
	CHECK(rcv[0] != rcv[words - 1]);
	/* Let it go: the message in the middle completes. */
	pt_exregs(s, PT_EX_SET_HALT, 0, 0);
	CHECK(pt_wait_at_least(&t_shared[ST_RECEIVED], got + 1, PT_LIMIT_US));
	CHECK_EQ(t_shared[ST_RCV_BAD], 0);
	CHECK_EQ(t_shared[ST_RCV_DONE], 0);
	CHECK_EQ(t_shared[ST_SND_DONE], 0);
	/* Stop the pair.  An abort that comes while a thread is between
	 * two messages finds no IPC to abort: ask again until each is out. */
	RUN(st_abort_until(r, PT_EX_ABORT_RECV, &t_shared[ST_RCV_DONE]));
	RUN(st_abort_until(s, PT_EX_ABORT_SEND, &t_shared[ST_SND_DONE]));
	return 0;
}

/*
 * A preemption is not a page fault: a transfer that stops at preemption
 * points must not fail with a transfer timeout, even when both
 * XferTimeouts are zero, nor with a receive timeout that ends while it
 * is stopped (the transfer had begun).  Main receives with a receive
 * timeout of one tick from a sender already blocked sending to it.
 */
#define XT_MSGS		40

static void xt_sender(L4_Word_t arg)
{
	L4_Word_t k;

	(void)arg;
	L4_Set_XferTimeouts(L4_Timeouts(L4_ZeroTime, L4_ZeroTime));
	for (k = 0; k < XT_MSGS; k++) {
		pt_str_load_message(&st, PA_LABEL_STR);
		if (L4_IpcFailed(L4_Send(st_snd_to))) {
			t_shared[ST_SND_EC] = 0x100 | L4_ErrorCode();
			break;
		}
	}
	t_shared[ST_SND_DONE] = 1;
}

static const char *t_pattack_xfer_timeouts_ignore_preemption(void)
{
	volatile L4_Word_t *rcv;
	L4_Word_t i, k, words, ctl, start;
	L4_ThreadId_t s;
	L4_MsgTag_t tag;

	CHECK(pt_str_buffers(&st, 3, 1));
	words = st.len / sizeof(L4_Word_t);
	pt_str_fill_sources(&st, ST_WORD);
	rcv = (volatile L4_Word_t *)st.rcv;
	st_snd_to = L4_Myself();
	s = pt_low_thread(xt_sender, 0);
	CHECK(!L4_IsNilThread(s));
	L4_Set_XferTimeouts(L4_Timeouts(L4_ZeroTime, L4_ZeroTime));
	for (k = 0; k < XT_MSGS; k++) {
		for (i = 0; i < words; i++)
			rcv[i] = 0;
		/* Only once the sender waits in its send phase: then the
		 * transfer begins within this receive, before any timeout. */
		start = rt_now_us();
		do {
			ctl = pt_exregs(s, __L4_EXREGS_DELIVER, 0, 0);
			if (!(ctl & PT_EX_ABORT_SEND))
				rt_sleep_us(PT_LOOK_US);
		} while (!(ctl & PT_EX_ABORT_SEND) && !t_shared[ST_SND_DONE] &&
			 rt_now_us() - start < PT_LIMIT_US);
		CHECK(ctl & PT_EX_ABORT_SEND);
		pt_str_load_buffers(&st);
		tag = L4_Receive_Timeout(s, rt_us(1000));
		if (L4_IpcFailed(tag))
			return t_fail_eq(__FILE__, __LINE__, "receive error code",
					 L4_ErrorCode(), 0);
		CHECK_EQ(L4_Label(tag), PA_LABEL_STR);
		for (i = 0; i < words; i += 61)
			CHECK_EQ(rcv[i], ST_WORD);
		CHECK_EQ(rcv[words - 1], ST_WORD);
	}
	t_until(&t_shared[ST_SND_DONE], 1);
	CHECK_EQ(t_shared[ST_SND_EC], 0);
	return 0;
}

/*
 * A send by the KIP's Ipc stub (sysenter where the kernel takes it)
 * whose string transfer stops at a preemption point, then is aborted.
 * The transfer stops because an interrupt is pending; the sender, put
 * back onto the stub's sysenter to re-execute its Ipc, takes that
 * interrupt there on its way back, before its sysenter runs, so its frame
 * is the interrupt's.  The abort must still bring it back to its caller
 * on its own stack with "aborted" (docs/abi.md section 1), as the int
 * stub does; with int entry (-cpu pentium) the same test checks that.
 */
#define SS_LABEL	0x7201
#define SS_MSGS		100000UL
enum { SS_DONE = 0, SS_EC, SS_SP_BAD, SS_RCV_DONE };

static L4_ThreadId_t ss_to, ss_from;

static void ss_receiver(L4_Word_t arg)
{
	(void)arg;
	for (;;) {
		pt_str_load_buffers(&st);
		if (L4_IpcFailed(L4_Receive(ss_from)))
			break;
	}
	t_shared[SS_RCV_DONE] = 1;
}

/* Sends until one fails; ESP must be the same after each send. */
static void ss_sender(L4_Word_t arg)
{
	L4_Word_t k, sp0, sp1;

	(void)arg;
	for (k = 0; k < SS_MSGS; k++) {
		pt_str_load_message(&st, SS_LABEL);
		__asm__ volatile("movl %%esp, %0" : "=r"(sp0));
		L4_MsgTag_t tag = L4_Send(ss_to);
		__asm__ volatile("movl %%esp, %0" : "=r"(sp1));
		if (sp0 != sp1)
			t_shared[SS_SP_BAD] = sp1 | 1;
		if (L4_IpcFailed(tag)) {
			t_shared[SS_EC] = L4_ErrorCode() & 0xf;
			break;
		}
	}
	t_shared[SS_DONE] = 1;
}

static const char *t_pattack_stub_send_aborted_mid_string(void)
{
	L4_ThreadId_t r, s;

	CHECK(pt_str_buffers(&st, 3, 1));       /* the buffers above, if made */
	pt_str_fill(&st, 0x5e5e0000UL);
	r = pt_low_thread(ss_receiver, 0);
	CHECK(!L4_IsNilThread(r));
	ss_to = r;
	s = pt_low_thread(ss_sender, 0);
	CHECK(!L4_IsNilThread(s));
	ss_from = s;
	CHECK(pt_str_catch_halfway(&st, &t_shared[SS_DONE], 0));
	pt_exregs(s, PT_EX_ABORT_SEND, 0, 0);
	t_until(&t_shared[SS_DONE], 1);
	CHECK_EQ(t_shared[SS_EC], EC_SEND(PA_ERR_ABORTED));
	CHECK_EQ(t_shared[SS_SP_BAD], 0);
	t_until(&t_shared[SS_RCV_DONE], 1);
	return 0;
}

const struct test preempt_attack_xfer_tests[] = {
	TEST(pattack_abort_receiver_mid_string),
	TEST(pattack_abort_sender_mid_string),
	TEST(pattack_move_sender_mid_string),
	TEST(pattack_delete_receiver_mid_string),
	TEST(pattack_delete_sender_mid_string),
	TEST(pattack_halt_sender_mid_string),
	TEST(pattack_xfer_timeouts_ignore_preemption),
	TEST(pattack_stub_send_aborted_mid_string),
	{ 0 },
};
