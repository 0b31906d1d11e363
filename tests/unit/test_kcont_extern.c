/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for the continuation in a thread body's external form
 * (kernel/kcont_extern.c): impossible continuations (points out of
 * range or not the resident state's, foreign partners, forged kernel
 * page faults, user faults at kernel addresses, kernel messages longer
 * than their record, cursors past their message) are refused with their
 * exact reason, and so are forged links behind a valid seal.
 */
#include "tcbx_fixture.h"

START_TEST(impossible_points_refused)
{
	body_init(TS_READY);
	export_body();
	*CONT(KX_POINT) = KX_PT_NONE;
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_BAD_POINT));
	*CONT(KX_POINT) = KX_POINTS;
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_BAD_POINT));
	/* The resident part says ready: no blocked point, nor halted. */
	*CONT(KX_POINT) = KX_PT_IPC_RECV;
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_STATE_MISMATCH));
	*CONT(KX_POINT) = KX_PT_HALTED;
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_STATE_MISMATCH));
	/* A send to someone else than the resident receiver. */
	blocked(CONT_USER_IPC, TS_SEND);
	export_body();
	le32_put(CONT(KX_PARTNER), ID_Q);
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_WRONG_PARTNER));
	blocked(CONT_USER_IPC, TS_RECV);
	export_body();
	le32_put(CONT(KX_PARTNER), ID_P);
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_WRONG_PARTNER));
}
END_TEST

START_TEST(forged_kernel_page_faults_refused)
{
	/* Kernel page faults: too many pages, a CID outside the window,
	 * one of another kind, an entry past the count. */
	blocked(CONT_KPF, TS_RECV);
	export_body();
	*CONT(KX_KPF_PAGES) = KPF_MAX_PAGES + 1;
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_BAD_KPF_PAGES));
	export_body();
	le32_put(CONT(KX_KPF_CIDS), LENT_CID_WINDOW_END);
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_BAD_KPF_PAGES));
	export_body();
	le32_put(CONT(KX_KPF_CIDS), 0x00012345u);   /* a frame number */
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_BAD_KPF_PAGES));
	export_body();
	*CONT(KX_KPF_KINDS) = LENT_KMEM_TCB;
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_BAD_KPF_PAGES));
	export_body();
	le32_put(CONT(KX_KPF_CIDS + 8), LENT_CID_TASK + LENT_CID_PAGE);
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_BAD_KPF_PAGES));
	/* No pages while waiting; an answer awaited by a thread that waits
	 * for none; a state out of range. */
	export_body();
	*CONT(KX_KPF_PAGES) = 0;
	memset(CONT(KX_KPF_KINDS), 0, 4 + 12);
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_KCONT(KCONT_BAD_KPF)));
	export_body();
	*CONT(KX_POINT) = KX_PT_IPC_RECV;
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_KCONT(KCONT_KPF_NOT_AWAITED)));
	export_body();
	*CONT(KX_KPF_STATE) = KPF_STATES;
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_KCONT(KCONT_BAD_KPF)));
	export_body();
	*CONT(KX_HALTED) = 2;
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_KCONT(KCONT_BAD_FLAG)));
	export_body();
	*CONT(KX_XFER_REWOUND) = 0xFF;
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_KCONT(KCONT_BAD_FLAG)));
}
END_TEST

START_TEST(faults_messages_and_cursors_refused)
{
	/* A user fault in the kernel's half, in the KIP or UTCB area. */
	blocked(CONT_KPF_FAULT, TS_SEND);
	export_body();
	le32_put(CONT(KX_ARG_A), IO_VA_BASE + 0x1000u);   /* an I/O port's page: taken */
	ck_assert_int_eq(import_check(), TCBX_OK);
	le32_put(CONT(KX_ARG_A), IO_VA_END);              /* the kernel's */
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_BAD_FAULT));
	le32_put(CONT(KX_ARG_A), 0xF0001000u);
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_BAD_FAULT));
	le32_put(CONT(KX_ARG_A), KIP_AREA + 4);
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_BAD_FAULT));
	le32_put(CONT(KX_ARG_A), UTCB_AREA + 0x3000);
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_BAD_FAULT));
	le32_put(CONT(KX_ARG_A), 0x40001234u);
	*CONT(KX_ARG_C) = 8;
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_BAD_FAULT));
	/* A receive to take up that is itself interrupted. */
	blocked(CONT_PF_RECV, TS_RECV);
	export_body();
	*CONT(KX_ARG_C) = CONT_PF_RECV;
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_KCONT(KCONT_BAD_RECV)));
	*CONT(KX_ARG_C) = CONT_KPF;
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_KCONT(KCONT_BAD_RECV)));
	/* Union fields a point does not use. */
	blocked(CONT_USER_IPC, TS_RECV);
	export_body();
	le32_put(CONT(KX_ARG_D), ID_Q);
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_BAD_UNUSED));
	/* A kernel message longer than its record, about to be sent. */
	blocked(CONT_EXCEPTION, TS_SEND);
	export_body();
	le32_put(CONT(KX_KMSG), msgtag_make(LABEL_PAGEFAULT, 12, 2, 0));
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_BAD_KMSG));
	/* Transfer cursors past any message or buffer. */
	blocked(CONT_USER_IPC, TS_SEND);
	export_body();
	*CONT(KX_CUR_ITEM) = KX_MAX_MRS;
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_BAD_CURSOR));
	export_body();
	*CONT(KX_CUR_BR) = XFER_MAX_BRS;
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_BAD_CURSOR));
	export_body();
	le32_put(CONT(KX_CUR_DONE), 1u << 22);
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_BAD_CURSOR));
	export_body();
	le32_put(CONT(KX_PAD), 1);
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_BAD_UNUSED));
}
END_TEST

/* Behind the seal (a kernel bug, a leaked key): the checks hold still. */
START_TEST(resealed_forgeries_refused)
{
	blocked(CONT_PF_RECV, TS_RECV);
	export_body();
	le32_put(SEALED_CONT(KXS_HELD), ID_A);
	reseal();
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_SELF_LINK));
	/* A link keeps the thread number alone: the thread itself under
	 * another version is itself too (found by make fuzz). */
	export_body();
	le32_put(SEALED_CONT(KXS_HELD), ID_A + 1);
	reseal();
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_SELF_LINK));
	export_body();
	le32_put(SEALED_CONT(KXS_XFER_PARTNER), ID_A ^ 3);
	*SEALED_CONT(KXS_XFER_ROLE) = XFER_SENDER;
	reseal();
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_SELF_LINK));
	export_body();
	le32_put(SEALED_CONT(KXS_XFER_PARTNER), 0x00401000u);   /* a local ID */
	reseal();
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_BAD_ID));
	export_body();
	le32_put(SEALED_CONT(KXS_HELD), 0x3Fu);                /* thread number 0 */
	reseal();
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_BAD_ID));
	export_body();
	le32_put(SEALED_CONT(KXS_XFER_PARTNER), ID_B);          /* no role */
	reseal();
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_KCONT(KCONT_BAD_XFER)));
	export_body();
	le32_put(SEALED_CONT(KXS_KPF_NAMED), ID_A);
	le32_put(SEALED_CONT(KXS_KPF_TASK), TASK_A + 1);
	reseal();
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_BAD_KPF_TASK));
	export_body();
	*SEALED_CONT(KXS_RESUME_OP) = RESUME_OPS;
	reseal();
	ck_assert_int_eq(import_check(), TCBX_CONT(KX_KCONT(KCONT_BAD_RESUME)));
	export_body();
	form[TCBX_O_SEALED + TCBX_S_ACTIVATED] = 2;
	reseal();
	ck_assert_int_eq(import_check(), TCBX_BAD_FLAG);
	export_body();
	le32_put(form + TCBX_O_SEALED + TCBX_S_PAGER, 0x00401000u);
	reseal();
	ck_assert_int_eq(import_check(), TCBX_BAD_ID);
	export_body();
	form[TCBX_O_SEALED + TCBX_S_PAD] = 1;
	reseal();
	ck_assert_int_eq(import_check(), TCBX_BAD_PAD);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("kcont_extern");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, impossible_points_refused);
	tcase_add_test(tc, forged_kernel_page_faults_refused);
	tcase_add_test(tc, faults_messages_and_cursors_refused);
	tcase_add_test(tc, resealed_forgeries_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tcbx_run(suite());
}
