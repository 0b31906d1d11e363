/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for kernel/kcont.c: the validation of a thread's
 * continuation record.  Records the kernel makes pass, for each safe
 * point a thread can be at; hand-made hostile ones (kinds out of range,
 * forged page-fault pages, a kernel page fault nobody waits for, flags
 * that are not flags, impossible nestings) are refused with the rule
 * they break.
 */
#include <check.h>
#include <string.h>
#include <kernel/kcont.h>
#include <user/include/lent/kmem.h>

/* A thread waiting in its own receive: the commonest state. */
static kcont_t receiving(void)
{
	kcont_t k;

	memset(&k, 0, sizeof k);
	k.kind = CONT_USER_IPC;
	k.ipc_from = 0x4001u << 14 | 1;
	return k;
}

/* A thread in a kernel page fault for its page table at 1 GB and, with
 * three pages per fault, the node table and mapping nodes before it. */
static kcont_t in_kernel_page_fault(unsigned kind)
{
	kcont_t k = receiving();

	k.kind = (uint8_t)kind;
	k.kpf.state = KPF_ASKED;
	k.kpf.pages = 3;
	k.kpf.kinds[0] = LENT_KMEM_NT;
	k.kpf.cid[0] = (uint32_t)lent_cid_nt(0x40000000u);
	k.kpf.kinds[1] = LENT_KMEM_MAP;
	k.kpf.cid[1] = (uint32_t)lent_cid_nth(LENT_KMEM_MAP, 0);
	k.kpf.kinds[2] = LENT_KMEM_PT;
	k.kpf.cid[2] = (uint32_t)lent_cid_pt(0x40000000u);
	k.kpf.task = 7;
	return k;
}

START_TEST(states_the_kernel_makes_pass)
{
	kcont_t k = receiving();

	ck_assert_int_eq(kcont_check(&k, TS_RECV), KCONT_OK);
	ck_assert_int_eq(kcont_check(&k, TS_READY), KCONT_OK);
	ck_assert_int_eq(kcont_check(&k, TS_INACTIVE), KCONT_OK);
	k.halted = 1;
	ck_assert_int_eq(kcont_check(&k, TS_HALTED), KCONT_OK);

	/* Blocked in a kernel page fault, for a system call or a user
	 * fault, sending it or waiting for the answer; answered with pages. */
	k = in_kernel_page_fault(CONT_KPF);
	ck_assert_int_eq(kcont_check(&k, TS_SEND), KCONT_OK);
	ck_assert_int_eq(kcont_check(&k, TS_RECV), KCONT_OK);
	k = in_kernel_page_fault(CONT_KPF_FAULT);
	k.fault.addr = 0x40000123u;
	k.fault.ip = 0x1000u;
	k.fault.access = 2;
	ck_assert_int_eq(kcont_check(&k, TS_RECV), KCONT_OK);
	k.kpf.state = KPF_LENT;
	ck_assert_int_eq(kcont_check(&k, TS_RECV), KCONT_OK);

	/* A receive interrupted by its buffer's page fault, and by a kernel
	 * page fault in the pager's answer, which is then received again. */
	k = receiving();
	k.kind = CONT_PF_RECV;
	k.recv.kind = CONT_USER_IPC;
	ck_assert_int_eq(kcont_check(&k, TS_SEND), KCONT_OK);
	k = in_kernel_page_fault(CONT_PF_RECV);
	k.recv.kind = CONT_PAGEFAULT;
	k.recv.again = 0x4002u << 14 | 1;
	ck_assert_int_eq(kcont_check(&k, TS_RECV), KCONT_OK);

	/* A refusal noted for the operation to take; a stopped transfer;
	 * a system call stopped at a preemption point. */
	k = receiving();
	k.kpf.state = KPF_REFUSED;
	ck_assert_int_eq(kcont_check(&k, TS_READY), KCONT_OK);
	k.xfer.partner = 0x4003u;
	k.xfer.role = XFER_SENDER;
	k.xfer.rewound = 1;
	k.resume.op = RESUME_UNMAP;
	ck_assert_int_eq(kcont_check(&k, TS_READY), KCONT_OK);
}
END_TEST

START_TEST(kinds_and_flags_out_of_range_are_refused)
{
	kcont_t k = receiving();

	k.kind = CONT_KINDS;
	ck_assert_int_eq(kcont_check(&k, TS_RECV), KCONT_BAD_KIND);
	k.kind = 0xFF;
	ck_assert_int_eq(kcont_check(&k, TS_RECV), KCONT_BAD_KIND);
	k = receiving();
	ck_assert_int_eq(kcont_check(&k, TS_HALTED + 1), KCONT_BAD_KIND);

	k.halted = 2;
	ck_assert_int_eq(kcont_check(&k, TS_READY), KCONT_BAD_FLAG);
	k = receiving();
	k.receive_pending = 0x80;
	ck_assert_int_eq(kcont_check(&k, TS_RECV), KCONT_BAD_FLAG);
	k = receiving();
	k.xfer.rewound = 3;
	ck_assert_int_eq(kcont_check(&k, TS_READY), KCONT_BAD_FLAG);
	k = receiving();
	k.xfer.fault_snd = 0xFF;
	ck_assert_int_eq(kcont_check(&k, TS_READY), KCONT_BAD_FLAG);

	k = receiving();
	k.xfer.role = XFER_RECEIVER + 1;
	ck_assert_int_eq(kcont_check(&k, TS_READY), KCONT_BAD_XFER);
	k = receiving();
	k.xfer.partner = 0x4003u;                /* linked, in no role */
	ck_assert_int_eq(kcont_check(&k, TS_READY), KCONT_BAD_XFER);

	k = receiving();
	k.resume.op = RESUME_OPS;
	ck_assert_int_eq(kcont_check(&k, TS_READY), KCONT_BAD_RESUME);
}
END_TEST

START_TEST(forged_kernel_page_faults_are_refused)
{
	kcont_t k = in_kernel_page_fault(CONT_KPF);

	k.kpf.state = KPF_STATES;
	ck_assert_int_eq(kcont_check(&k, TS_RECV), KCONT_BAD_KPF);
	k = in_kernel_page_fault(CONT_KPF);
	k.kpf.pages = 0;
	ck_assert_int_eq(kcont_check(&k, TS_RECV), KCONT_BAD_KPF);
	k.kpf.pages = KPF_MAX_PAGES + 1;
	ck_assert_int_eq(kcont_check(&k, TS_RECV), KCONT_BAD_KPF);

	/* A content identifier outside its kind's range, unaligned, out of
	 * the window, or a kind that is not one. */
	k = in_kernel_page_fault(CONT_KPF);
	k.kpf.cid[1] = (uint32_t)lent_cid_pt(0);
	ck_assert_int_eq(kcont_check(&k, TS_RECV), KCONT_BAD_KPF);
	k = in_kernel_page_fault(CONT_KPF);
	k.kpf.cid[2] += 4;
	ck_assert_int_eq(kcont_check(&k, TS_RECV), KCONT_BAD_KPF);
	k = in_kernel_page_fault(CONT_KPF);
	k.kpf.cid[0] = LENT_CID_WINDOW_END;
	ck_assert_int_eq(kcont_check(&k, TS_RECV), KCONT_BAD_KPF);
	k = in_kernel_page_fault(CONT_KPF);
	k.kpf.kinds[0] = LENT_KMEM_KINDS;
	ck_assert_int_eq(kcont_check(&k, TS_RECV), KCONT_BAD_KPF);
	/* Pages past the count are not read. */
	k = in_kernel_page_fault(CONT_KPF);
	k.kpf.pages = 1;
	k.kpf.cid[2] = 0xDEADBEEFu;
	ck_assert_int_eq(kcont_check(&k, TS_RECV), KCONT_OK);
}
END_TEST

START_TEST(a_wait_without_its_continuation_is_refused)
{
	/* Waiting for a kpager, yet going on as an ordinary Ipc would make
	 * an answer lend frames to a thread that never asked. */
	kcont_t k = in_kernel_page_fault(CONT_USER_IPC);

	ck_assert_int_eq(kcont_check(&k, TS_RECV), KCONT_KPF_NOT_AWAITED);
	k = in_kernel_page_fault(CONT_PAGEFAULT);
	ck_assert_int_eq(kcont_check(&k, TS_RECV), KCONT_KPF_NOT_AWAITED);
	/* The reverse: a kernel page fault's continuation with no fault. */
	k = in_kernel_page_fault(CONT_KPF);
	k.kpf.state = KPF_IDLE;
	ck_assert_int_eq(kcont_check(&k, TS_RECV), KCONT_KPF_NOT_AWAITED);
	k = in_kernel_page_fault(CONT_KPF_FAULT);
	k.kpf.state = KPF_REFUSED;
	ck_assert_int_eq(kcont_check(&k, TS_RECV), KCONT_KPF_NOT_AWAITED);
}
END_TEST

START_TEST(impossible_nestings_and_states_are_refused)
{
	/* The receive to take up is never itself an interrupted receive,
	 * nor a kernel page fault's. */
	kcont_t k = receiving();

	k.kind = CONT_PF_RECV;
	k.recv.kind = CONT_PF_RECV;
	ck_assert_int_eq(kcont_check(&k, TS_RECV), KCONT_BAD_RECV);
	k.recv.kind = CONT_KPF;
	ck_assert_int_eq(kcont_check(&k, TS_RECV), KCONT_BAD_RECV);
	k.recv.kind = CONT_KINDS;
	ck_assert_int_eq(kcont_check(&k, TS_RECV), KCONT_BAD_RECV);
	/* A reply held past the kernel's receive it was for. */
	k.recv.kind = CONT_USER_IPC;
	k.held = 0x4004u;
	ck_assert_int_eq(kcont_check(&k, TS_RECV), KCONT_OK);
	k.kind = CONT_USER_IPC;
	ck_assert_int_eq(kcont_check(&k, TS_RECV), KCONT_BAD_RECV);

	/* A kernel-made IPC in a thread that is not blocked in it: it
	 * would run user code with the kernel's message half done. */
	k = receiving();
	k.kind = CONT_PAGEFAULT;
	ck_assert_int_eq(kcont_check(&k, TS_RECV), KCONT_OK);
	ck_assert_int_eq(kcont_check(&k, TS_READY), KCONT_NOT_BLOCKED);
	ck_assert_int_eq(kcont_check(&k, TS_HALTED), KCONT_NOT_BLOCKED);
	ck_assert_int_eq(kcont_check(&k, TS_INACTIVE), KCONT_NOT_BLOCKED);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kcont");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, states_the_kernel_makes_pass);
	tcase_add_test(tc, kinds_and_flags_out_of_range_are_refused);
	tcase_add_test(tc, forged_kernel_page_faults_are_refused);
	tcase_add_test(tc, a_wait_without_its_continuation_is_refused);
	tcase_add_test(tc, impossible_nestings_and_states_are_refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
