/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A send by the KIP's Ipc stub (sysenter where the kernel takes it)
 * whose string transfer stops at a preemption point, then is aborted.
 * The transfer stops because an interrupt is pending; the sender, put
 * back onto the stub's sysenter to re-execute its Ipc, takes that
 * interrupt there on its way back, before its sysenter runs, so its frame
 * is the interrupt's.  The abort must still bring it back to its caller
 * on its own stack with "aborted" (docs/abi.md §1, "Transfers ...
 * resume"), as the int stub does.  With int entry (-cpu pentium, or
 * sysenter=off) the same test checks the int path.
 */
#include "t_preempt.h"

#define SS_LABEL	0x7201
#define SS_MSGS		100000UL
#define SS_ERR_ABORTED	7
enum { SS_DONE = 0, SS_EC, SS_SP_BAD, SS_RCV_DONE };

static struct pt_str ss;
static L4_ThreadId_t ss_to, ss_from;

static void ss_receiver(L4_Word_t arg)
{
	(void)arg;
	for (;;) {
		pt_str_load_buffers(&ss);
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
		pt_str_load_message(&ss, SS_LABEL);
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

static const char *t_sysenter_stopped_send_aborted(void)
{
	L4_ThreadId_t r, s;

	CHECK(pt_str_buffers(&ss, 3, 1));
	pt_str_fill(&ss, 0x5e5e0000UL);
	r = pt_low_thread(ss_receiver, 0);
	CHECK(!L4_IsNilThread(r));
	ss_to = r;
	s = pt_low_thread(ss_sender, 0);
	CHECK(!L4_IsNilThread(s));
	ss_from = s;
	CHECK(pt_str_catch_halfway(&ss, &t_shared[SS_DONE], 0));
	pt_exregs(s, PT_EX_ABORT_SEND, 0, 0);
	CHECK(t_wait_for(&t_shared[SS_DONE], 1, T_WAIT_US));
	CHECK_EQ(t_shared[SS_EC], EC_SEND(SS_ERR_ABORTED));
	CHECK_EQ(t_shared[SS_SP_BAD], 0);
	CHECK(t_wait_for(&t_shared[SS_RCV_DONE], 1, T_WAIT_US));
	return 0;
}

const struct test sysenter_stop_tests[] = {
	TEST(sysenter_stopped_send_aborted),
	{ 0 },
};
