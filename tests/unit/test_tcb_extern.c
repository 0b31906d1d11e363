/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for a thread body's external form (kernel/tcb_extern.c,
 * kernel/siphash.c): every safe point survives export and import
 * exactly; no kernel pointer leaves; a page that is stale, of another
 * thread or with a sealed field changed is refused with its exact
 * reason; kernel pointers, frame numbers and other threads' IDs in
 * every word of the form are refused or yield a safe body
 * (tcbx_check.h).  The continuation's checks: test_kcont_extern.c; the
 * registers' and FPU's: test_regs_extern.c.
 */
#include "tcbx_fixture.h"

START_TEST(siphash_reference_vectors)
{
	uint8_t msg[15];

	for (unsigned i = 0; i < sizeof msg; i++)
		msg[i] = (uint8_t)i;
	/* The algorithm paper's test key 00..0f and messages 00..(n-1). */
	ck_assert(siphash24(&KEY, msg, 0) == 0x726FDB47DD0E0E31ull);
	ck_assert(siphash24(&KEY, msg, 1) == 0x74F839C593DC67FDull);
	ck_assert(siphash24(&KEY, msg, 8) == 0x93F5F5799A932462ull);
	ck_assert(siphash24(&KEY, msg, 15) == 0xA129CA6149BE45E5ull);
}
END_TEST

START_TEST(every_safe_point_round_trips)
{
	body_init(TS_INACTIVE);
	body.activated = 0;
	body.arch.fpu_used = 0;
	memset(body.arch.fpu, 0, FPU_STATE_BYTES);
	assert_round_trip();
	body_init(TS_READY);
	assert_round_trip();
	body_init(TS_HALTED);
	assert_round_trip();
	for (uint8_t kind = 0; kind < CONT_KINDS; kind++) {
		blocked(kind, TS_SEND);
		assert_round_trip();
		ck_assert_int_eq(form[TCBX_O_CONT + KX_POINT], KX_PT_SEND_OF(kind));
		ck_assert_int_eq(le32_get(form + TCBX_O_CONT + KX_PARTNER), ID_P);
		blocked(kind, TS_RECV);
		assert_round_trip();
		ck_assert_int_eq(form[TCBX_O_CONT + KX_POINT], KX_PT_RECV_OF(kind));
		ck_assert_int_eq(le32_get(form + TCBX_O_CONT + KX_PARTNER), TID_NIL);
	}
}
END_TEST

/* A transfer stopped in a string, a halt pending, a redirected send, a
 * system call stopped at a preemption point, a refusal noted. */
START_TEST(links_cursor_and_resume_round_trip)
{
	blocked(CONT_USER_IPC, TS_SEND);
	kcont_t *k = &body.cont;
	k->halted = 1;
	k->receive_pending = 1;
	k->ipc_intended = ID_Q;
	k->xfer.partner = tid_number(ID_B);
	k->xfer.role = XFER_SENDER;
	k->xfer.fault_snd = 1;
	k->xfer.rewound = 1;
	k->xfer.deadline_us = 123456789ull;
	k->xfer.cur = (xfer_cursor_t){ .item = 5, .br = 2, .done = 4096, .bytes = 9000 };
	k->xfer.cur_to = ID_B;
	xctx.xfer_partner = ID_B;
	assert_round_trip();
	ck_assert_int_eq(le32_get(form + TCBX_O_SEALED + TCBX_S_CONT + KXS_XFER_PARTNER), ID_B);

	body_init(TS_READY);
	body.cont.resume = (resume_t){ .op = RESUME_UNMAP, .vector = 0x31, .at = 0x401000,
				       .a = 3, .b = 0x2000, .c = 4 };
	body.cont.kpf.state = KPF_REFUSED;
	body.delaying = 1;
	assert_round_trip();
}
END_TEST

/* Nothing exported is a kernel pointer: the body's pointers and cache
 * are nowhere in the form. */
START_TEST(no_kernel_pointer_leaves)
{
	blocked(CONT_PF_RECV, TS_SEND);
	export_body();
	for (unsigned o = 0; o + 4 <= TCBX_BYTES; o++) {
		uint32_t v = le32_get(form + o);
		ck_assert_msg((v & 0xFFFF0000u) != 0xC0DE0000u, "kernel pointer at byte %u", o);
		ck_assert_msg(v != 0x00401000u, "the fast path's cache at byte %u", o);
	}
	ck_assert(extern_zero(form + TCBX_O_END, TCBX_BYTES - TCBX_O_END));
}
END_TEST

START_TEST(header_refusals)
{
	body_init(TS_READY);
	export_body();
	form[TCBX_O_MAGIC] ^= 1;
	ck_assert_int_eq(import_check(), TCBX_BAD_MAGIC);
	export_body();
	le16_put(form + TCBX_O_VERSION, 2);
	ck_assert_int_eq(import_check(), TCBX_BAD_VERSION);
	export_body();
	le16_put(form + TCBX_O_SIZE, TCBX_BYTES);
	ck_assert_int_eq(import_check(), TCBX_BAD_VERSION);
	/* Another thread's body in this slot: of the task, or another's. */
	export_body();
	ictx.cont.id = ID_B;
	ck_assert_int_eq(import_check(), TCBX_WRONG_ID);
	export_body();
	le32_put(form + TCBX_O_ID, ID_B);
	ck_assert_int_eq(import_check(), TCBX_WRONG_ID);
	/* An earlier export's page, sealed and valid then. */
	export_body();
	ictx.serial = SERIAL + 1;
	ck_assert_int_eq(import_check(), TCBX_STALE);
	/* A byte past the form. */
	export_body();
	form[TCBX_BYTES - 1] = 1;
	ck_assert_int_eq(import_check(), TCBX_BAD_PAD);
	/* Another kernel's key. */
	export_body();
	ictx.key.k1 ^= 1;
	ck_assert_int_eq(import_check(), TCBX_BAD_SEAL);
}
END_TEST

/* Each sealed field, changed to what a kpager would want: refused. */
START_TEST(sealed_fields_refused)
{
	static const unsigned fields[] = {
		TCBX_S_PAGER, TCBX_S_SCHEDULER, TCBX_S_UTCB, TCBX_S_TIMESLICE, TCBX_S_TS_LEFT,
		TCBX_S_TQ_LEFT, TCBX_S_MAX_DELAY, TCBX_S_SENS_PRIO, TCBX_S_DELAYING,
		TCBX_S_ACTIVATED, TCBX_S_CONT + KXS_INTENDED, TCBX_S_CONT + KXS_KPF_TASK,
		TCBX_S_CONT + KXS_KPF_NAMED, TCBX_S_CONT + KXS_HELD, TCBX_S_CONT + KXS_XFER_PARTNER,
		TCBX_S_CONT + KXS_XFER_CUR_TO, TCBX_S_CONT + KXS_XFER_ROLE,
		TCBX_S_CONT + KXS_RESUME_OP, TCBX_S_CONT + KXS_RESUME_AT,
	};
	blocked(CONT_PF_RECV, TS_RECV);
	for (unsigned i = 0; i < ARRAY_SIZE(fields); i++) {
		export_body();
		form[TCBX_O_SEALED + fields[i]] ^= 0x01;
		ck_assert_int_eq(import_check(), TCBX_BAD_SEAL);
	}
	/* sigma0's thread as the pager (its first thread), a kernel
	 * pointer as the UTCB: refused. */
	export_body();
	le32_put(form + TCBX_O_SEALED + TCBX_S_PAGER, (0x10u << 14) | 1);
	ck_assert_int_eq(import_check(), TCBX_BAD_SEAL);
	export_body();
	le32_put(form + TCBX_O_SEALED + TCBX_S_UTCB, 0xC0DE1000u);
	ck_assert_int_eq(import_check(), TCBX_BAD_SEAL);
}
END_TEST

/* A kernel pointer, a frame number, another thread's ID and all ones in
 * every word of the form, sealed again or not: refused, or a safe body. */
START_TEST(forged_values_in_every_field)
{
	static const uint32_t forged[] = { 0xC0DE1000u, 0x00012345u, ID_B, 0xFFFFFFFFu };
	unsigned accepted = 0;

	for (int pass = 0; pass < 2; pass++)
		for (unsigned o = 0; o + 4 <= TCBX_O_SEAL; o += 4)
			for (unsigned v = 0; v < ARRAY_SIZE(forged); v++) {
				blocked(CONT_KPF_FAULT, o % 8 ? TS_SEND : TS_RECV);
				export_body();
				le32_put(form + o, forged[v]);
				if (pass)
					reseal();
				if (import_check() != TCBX_OK)
					continue;
				accepted++;
				tcb_t u;
				import_into(&u);
			}
	/* Registers, kmsg and the like take any value: some were taken. */
	ck_assert_uint_gt(accepted, 0);
}
END_TEST

/* The apply step writes the kernel's values, whatever the slot held; what
 * the form does not carry is zero (in the kernel the slot holds the
 * kpager's bytes), the UTCB descriptor too, set by the kernel after. */
START_TEST(apply_takes_kernel_fields_from_ctx)
{
	tcb_t u;

	blocked(CONT_USER_IPC, TS_RECV);
	body.cont.receive_pending = 1;
	export_body();
	ictx.cont.receive_pending = 0;       /* the resident links say no */
	ck_assert_int_eq(import_check(), TCBX_OK);
	import_into(&u);
	ck_assert_int_eq(u.cont.receive_pending, 0);
	ck_assert_ptr_eq(u.space, ictx.space);
	ck_assert_ptr_eq(u.utcb, ictx.utcb);
	ck_assert_ptr_eq(u.space_next, ictx.space_next);
	ck_assert_uint_eq(u.arch.utcb_desc[0], 0);
	ck_assert_uint_eq(u.arch.utcb_desc[1], 0);
	ck_assert_uint_eq(tcbx_utcb_location(form), UTCB_AREA + 0x200);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("tcb_extern");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, siphash_reference_vectors);
	tcase_add_test(tc, every_safe_point_round_trips);
	tcase_add_test(tc, links_cursor_and_resume_round_trip);
	tcase_add_test(tc, no_kernel_pointer_leaves);
	tcase_add_test(tc, header_refusals);
	tcase_add_test(tc, sealed_fields_refused);
	tcase_add_test(tc, forged_values_in_every_field);
	tcase_add_test(tc, apply_takes_kernel_fields_from_ctx);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tcbx_run(suite());
}
