/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The scene of the thread-body form's host tests (test_tcb_extern.c,
 * test_kcont_extern.c, test_regs_extern.c): one thread of one task, the
 * kernel's key and serial, a body the kernel could have made at any safe
 * point, its export, and the kernel's view for the import.
 */
#ifndef TESTS_UNIT_TCBX_FIXTURE_H
#define TESTS_UNIT_TCBX_FIXTURE_H

#include <check.h>
#include <string.h>
#include "tcbx_check.h"
#include <kernel/extern_le.h>
#include <kernel/xfer_offset.h>
#include <user/include/lent/kmem.h>

#define ID_A     ((0x101u << 14) | 5)     /* the thread */
#define ID_B     ((0x102u << 14) | 5)     /* another of its task */
#define ID_P     ((0x200u << 14) | 7)     /* its pager, of another task */
#define ID_Q     ((0x300u << 14) | 9)     /* a third thread */
#define TASK_A   42u
#define SERIAL   77u
#define UTCB_AREA 0x7FF00000u
#define KIP_AREA  0x7FE00000u
#define ACCESS_W  2u                      /* RIGHT_W (kernel/mapdb.h) */
#define ACCESS_R  4u                      /* RIGHT_R */

static const siphash_key_t KEY = { 0x0706050403020100ull, 0x0F0E0D0C0B0A0908ull };
static tcb_core_t core_a, core_p;
static tcb_t body;
static uint8_t form[TCBX_BYTES];
static tcb_export_ctx_t xctx;
static struct tcb_import_ctx ictx;

/* A thread the kernel could have made, ready, with an FXSR FPU image. */
static inline void body_init(uint8_t state)
{
	memset(&body, 0, sizeof body);
	memset(&core_a, 0, sizeof core_a);
	memset(&core_p, 0, sizeof core_p);
	core_a.id = ID_A;
	core_a.state = state;
	core_a.tcb = &body;
	core_p.id = ID_P;
	body.core = &core_a;
	arch_context_t *c = &body.ctx;
	c->cs = SEL_UCODE;
	c->ss = c->ds = c->es = c->fs = SEL_UDATA;
	c->gs = SEL_UTCB;
	c->eflags = 0x202u | 0x8C5u;
	c->eax = 0x11111111u; c->ecx = 0x22222222u; c->edx = 0x33333333u; c->ebx = 0x44444444u;
	c->esp = 0x007FF000u; c->ebp = 0x007FF100u; c->esi = 0x55555555u; c->edi = 0x66666666u;
	c->eip = 0x00401234u;
	c->vector = 0x30;
	c->error = 0;
	body.arch.fpu_used = 1;
	for (unsigned i = 0; i < FPU_STATE_BYTES; i++)
		body.arch.fpu[i] = (uint8_t)(i * 7 + 1);
	uint32_t mxcsr = 0x1F80u;
	memcpy(body.arch.fpu + 24, &mxcsr, 4);
	body.arch.utcb_desc[0] = 0xDEADu;
	body.activated = 1;
	body.space = (struct space *)0xC0DE0000u;   /* kernel pointers, not exported */
	body.utcb = (word_t *)0xC0DE1000u;
	body.space_next = (tcb_t *)0xC0DE2000u;
	body.peer_local = 0x00401000u;
	body.peer_id = ID_Q;
	body.utcb_location = UTCB_AREA + 0x200;
	body.pager = ID_P;
	body.scheduler = ID_P;
	body.timeslice_us = 10000;
	body.ts_left_us = 4000;
	body.tq_left_us = ~(uint64_t)0;
	body.max_delay_us = 100;
	body.delay_left_us = 50;
	body.sens_prio = 200;
	body.cont.kind = CONT_USER_IPC;
	body.cont.halted = state == TS_HALTED;
	memset(&xctx, 0, sizeof xctx);
	xctx.key = KEY;
	xctx.serial = SERIAL;
	xctx.fpu.fxsr = true;
}

/* The kernel's view of the thread as body_init() left it. */
static inline void ctx_init(void)
{
	memset(&ictx, 0, sizeof ictx);
	ictx.cont.id = ID_A;
	ictx.cont.task = TASK_A;
	ictx.cont.state = core_a.state;
	ictx.cont.receive_pending = body.cont.receive_pending;
	ictx.cont.send_partner = core_a.state == TS_SEND ? core_a.partner->id : TID_NIL;
	ictx.cont.user_limit = 0xC0000000u;
	ictx.cont.kip_area = fpage_make(KIP_AREA, 12, 0);
	ictx.cont.utcb_area = fpage_make(UTCB_AREA, 14, 0);
	ictx.fpu = xctx.fpu;
	ictx.key = KEY;
	ictx.serial = SERIAL;
	ictx.core = &core_a;
	ictx.space = (struct space *)0xC0DE0000u;
	ictx.utcb = (word_t *)0xC0DE1000u;
	ictx.space_next = (tcb_t *)0xC0DE2000u;
}

static inline void export_body(void)
{
	tcb_export(&body, &core_a, &xctx, form);
	ctx_init();
}

/* Seal form again with the kernel's key: what a kernel bug or a leaked
 * key would allow, so that the checks behind the seal are tested too. */
static inline void reseal(void)
{
	uint8_t in[TCBX_SEAL_INPUT];

	memcpy(in, form, TCBX_O_REGS);
	memcpy(in + TCBX_O_REGS, form + TCBX_O_SEALED, TCBX_SEALED_BYTES);
	le64_put(form + TCBX_O_SEAL, siphash24(&KEY, in, sizeof in));
}

static inline int import_check(void)
{
	return tcb_import_check(form, &ictx);
}

/* Import into a slot full of other bytes; the body must be safe. */
static inline void import_into(tcb_t *u)
{
	memset(u, 0xA5, sizeof *u);
	tcb_import_apply(form, &ictx, u);
	const char *why = tcbx_unsafe(u, &ictx);
	ck_assert_msg(why == NULL, "accepted body unsafe: %s", why);
}

/* body as the import rebuilds it: kernel fields from ctx, cache gone. */
static inline void assert_round_trip(void)
{
	tcb_t u;

	export_body();
	ck_assert_int_eq(import_check(), TCBX_OK);
	import_into(&u);
	tcb_t want = body;
	want.space = ictx.space;
	want.utcb = ictx.utcb;
	want.space_next = ictx.space_next;
	want.peer_local = want.peer_id = TID_NIL;
	ck_assert_mem_eq(&u.ctx, &want.ctx, sizeof want.ctx);
	ck_assert_mem_eq(u.arch.fpu, want.arch.fpu, FPU_STATE_BYTES);
	ck_assert_int_eq(u.arch.fpu_used, want.arch.fpu_used);
	ck_assert_mem_eq(&u.cont, &want.cont, sizeof want.cont);
	ck_assert_ptr_eq(u.core, &core_a);
	ck_assert_int_eq(u.activated, want.activated);
	ck_assert_int_eq(u.utcb_location, want.utcb_location);
	ck_assert_int_eq(u.pager, want.pager);
	ck_assert_int_eq(u.scheduler, want.scheduler);
	ck_assert_int_eq(u.timeslice_us, want.timeslice_us);
	ck_assert_int_eq(u.ts_left_us, want.ts_left_us);
	ck_assert(u.tq_left_us == want.tq_left_us);
	ck_assert_int_eq(u.max_delay_us, want.max_delay_us);
	ck_assert_int_eq(u.delay_left_us, want.delay_left_us);
	ck_assert_int_eq(u.sens_prio, want.sens_prio);
	ck_assert_int_eq(u.delaying, want.delaying);
	ck_assert_int_eq(u.peer_local, TID_NIL);
}

/* A thread blocked in continuation kind, phase state, with everything
 * that kind keeps filled in. */
static inline void blocked(uint8_t kind, uint8_t state)
{
	body_init(state);
	kcont_t *k = &body.cont;
	k->kind = kind;
	k->ipc_from = ID_P;
	k->ipc_timeouts = 0x00010002u;
	if (state == TS_SEND)
		core_a.partner = &core_p;
	if (kind != CONT_USER_IPC) {
		k->kmsg[0] = msgtag_make(LABEL_PAGEFAULT | ACCESS_R, 2, 0, 0);
		k->kmsg[1] = 0x00402000u;
		k->kmsg[2] = 0x00401234u;
	}
	if (kind == CONT_KPF || kind == CONT_KPF_FAULT ||
	    (kind == CONT_PF_RECV && state == TS_SEND)) {
		k->kpf.state = KPF_ASKED;
		k->kpf.pages = 2;
		k->kpf.kinds[0] = LENT_KMEM_NT;
		k->kpf.cid[0] = (uint32_t)lent_cid_nt(0x40000000u);
		k->kpf.kinds[1] = LENT_KMEM_PT;
		k->kpf.cid[1] = (uint32_t)lent_cid_pt(0x40000000u);
		k->kpf.task = TASK_A;
		k->kpf.named = ID_A;
	}
	if (kind == CONT_KPF_FAULT) {
		k->fault.addr = 0x40001234u;
		k->fault.ip = 0x00401234u;
		k->fault.access = ACCESS_W;
	}
	if (kind == CONT_PF_RECV) {
		k->recv.from = ID_Q;
		k->recv.timeouts = 0x00000005u;
		k->recv.kind = CONT_PAGEFAULT;
		k->recv.again = ID_P;
		k->held = tid_number(ID_Q);
		xctx.held = ID_Q;
	}
}
#define CONT(o) (form + TCBX_O_CONT + (o))
#define SEALED_CONT(o) (form + TCBX_O_SEALED + TCBX_S_CONT + (o))

/* Run one suite; non-zero if a test failed. */
static inline int tcbx_run(Suite *s)
{
	SRunner *sr = srunner_create(s);

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

#endif
