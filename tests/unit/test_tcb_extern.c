/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for a thread body's external form (kernel/tcb_extern.c,
 * kernel/kcont_extern.c, arch/ia32/regs_extern.c, kernel/siphash.c).
 * Every safe point and register and FPU content survive export and
 * import exactly; hand-made hostile pages (stale, of another thread,
 * with sealed fields changed, impossible continuations, privileged
 * EFLAGS bits, kernel selectors, bad MXCSR, kernel pointers and frame
 * numbers in every field) are refused with their exact reason or yield
 * a body that is safe (tcbx_check.h).
 */
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
static void body_init(uint8_t state)
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
static void ctx_init(void)
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

static void export_body(void)
{
	tcb_export(&body, &core_a, &xctx, form);
	ctx_init();
}

/* Seal form again with the kernel's key: what a kernel bug or a leaked
 * key would allow, so that the checks behind the seal are tested too. */
static void reseal(void)
{
	uint8_t in[TCBX_SEAL_INPUT];

	memcpy(in, form, TCBX_O_REGS);
	memcpy(in + TCBX_O_REGS, form + TCBX_O_SEALED, TCBX_SEALED_BYTES);
	le64_put(form + TCBX_O_SEAL, siphash24(&KEY, in, sizeof in));
}

static int import_check(void)
{
	return tcb_import_check(form, &ictx);
}

/* Import into a slot full of other bytes; the body must be safe. */
static void import_into(tcb_t *u)
{
	memset(u, 0xA5, sizeof *u);
	tcb_t before = *u;
	tcb_import_apply(form, &ictx, u);
	const char *why = tcbx_unsafe(u, &before, &ictx);
	ck_assert_msg(why == NULL, "accepted body unsafe: %s", why);
}

/* body as the import rebuilds it: kernel fields from ctx, cache gone. */
static void assert_round_trip(void)
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
static void blocked(uint8_t kind, uint8_t state)
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

START_TEST(registers_and_fpu_round_trip)
{
	body_init(TS_READY);
	arch_context_t *c = &body.ctx;
	c->eflags = 0x202u | 0xDD5u | 0x10000u | 0x40000u | 0x200000u;  /* all user may hold */
	c->ds = 0;
	c->es = SEL_UDATA & ~3u;     /* RPL 0: loadable at CPL 3 */
	c->fs = SEL_UTCB;
	c->gs = SEL_UCODE;
	assert_round_trip();
	/* A Pentium: fnsave's 108 bytes. */
	body_init(TS_READY);
	xctx.fpu.fxsr = false;
	memset(body.arch.fpu + ARCH_FNSAVE_BYTES, 0, FPU_STATE_BYTES - ARCH_FNSAVE_BYTES);
	assert_round_trip();
	ck_assert_int_eq(form[TCBX_O_REGS + ARCH_RX_FPU_FMT], ARCH_FPU_FNSAVE);
	/* An FPU never used: no image. */
	body_init(TS_READY);
	body.arch.fpu_used = 0;
	memset(body.arch.fpu, 0, FPU_STATE_BYTES);
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

static void set_eflags(uint32_t fl)
{
	body_init(TS_READY);
	export_body();
	le32_put(form + TCBX_O_REGS + ARCH_RX_EFLAGS, fl);
}

START_TEST(privileged_eflags_refused)
{
	static const uint32_t bad[] = {
		0x3000u, 0x1000u,            /* IOPL 3, 1 */
		0x4000u,                     /* NT */
		0x20000u,                    /* VM */
		0x80000u, 0x100000u,         /* VIF, VIP */
		0x8u, 0x20u, 0x8000u, 0x400000u, 0x80000000u,   /* reserved */
	};
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		set_eflags(0x202u | bad[i]);
		ck_assert_int_eq(import_check(), TCBX_REGS(ARCH_RX_BAD_EFLAGS));
	}
	set_eflags(0x002u);              /* interrupts off */
	ck_assert_int_eq(import_check(), TCBX_REGS(ARCH_RX_BAD_EFLAGS));
	set_eflags(0x200u);              /* bit 1 clear */
	ck_assert_int_eq(import_check(), TCBX_REGS(ARCH_RX_BAD_EFLAGS));
	/* What user code holds: the arithmetic flags, TF, DF, AC, ID, and
	 * RF (the CPU sets it in every fault's frame). */
	set_eflags(0x202u | 0xDD5u | 0x10000u | 0x40000u | 0x200000u);
	ck_assert_int_eq(import_check(), TCBX_OK);
}
END_TEST

static void set_sel(unsigned i, uint16_t sel)
{
	body_init(TS_READY);
	export_body();
	le16_put(form + TCBX_O_REGS + ARCH_RX_SEG + 2 * i, sel);
}

START_TEST(kernel_selectors_refused)
{
	set_sel(0, SEL_KCODE);
	ck_assert_int_eq(import_check(), TCBX_REGS(ARCH_RX_BAD_CS));
	set_sel(0, SEL_KCODE | 3);
	ck_assert_int_eq(import_check(), TCBX_REGS(ARCH_RX_BAD_CS));
	set_sel(0, SEL_UCODE & ~3u);     /* RPL 0 */
	ck_assert_int_eq(import_check(), TCBX_REGS(ARCH_RX_BAD_CS));
	set_sel(1, SEL_KDATA);
	ck_assert_int_eq(import_check(), TCBX_REGS(ARCH_RX_BAD_SS));
	set_sel(1, SEL_UTCB);
	ck_assert_int_eq(import_check(), TCBX_REGS(ARCH_RX_BAD_SS));
	static const uint16_t bad[] = { SEL_KDATA, SEL_KDATA | 3, SEL_KCODE, SEL_TSS | 3,
					0x38 | 3, 0x1F /* an LDT selector */, 0xFFFF };
	for (unsigned r = 2; r < 6; r++)
		for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
			set_sel(r, bad[i]);
			ck_assert_int_eq(import_check(), TCBX_REGS(ARCH_RX_BAD_DATA_SEL));
		}
	set_sel(5, 0);                   /* a null GS: user code may */
	ck_assert_int_eq(import_check(), TCBX_OK);
}
END_TEST

START_TEST(fpu_images_refused)
{
	body_init(TS_READY);
	export_body();
	le32_put(form + TCBX_O_REGS + ARCH_RX_FPU + ARCH_FXSAVE_MXCSR, 0x1F80u | 0x10000u);
	ck_assert_int_eq(import_check(), TCBX_REGS(ARCH_RX_BAD_MXCSR));
	/* DAZ: refused under the default mask, taken where the CPU has it. */
	export_body();
	le32_put(form + TCBX_O_REGS + ARCH_RX_FPU + ARCH_FXSAVE_MXCSR, 0x1F80u | 0x40u);
	ck_assert_int_eq(import_check(), TCBX_REGS(ARCH_RX_BAD_MXCSR));
	ictx.fpu.mxcsr_mask = 0xFFFFu;
	ck_assert_int_eq(import_check(), TCBX_OK);
	/* An fnsave image for an FXSR CPU, and the reverse. */
	export_body();
	form[TCBX_O_REGS + ARCH_RX_FPU_FMT] = ARCH_FPU_FNSAVE;
	ck_assert_int_eq(import_check(), TCBX_REGS(ARCH_RX_BAD_FPU_FORMAT));
	export_body();
	ictx.fpu.fxsr = false;
	ck_assert_int_eq(import_check(), TCBX_REGS(ARCH_RX_BAD_FPU_FORMAT));
	export_body();
	form[TCBX_O_REGS + ARCH_RX_FPU_FMT] = ARCH_FPU_FORMATS;
	ck_assert_int_eq(import_check(), TCBX_REGS(ARCH_RX_BAD_FPU_FORMAT));
	/* Bytes past an fnsave image; an image for an unused FPU. */
	body_init(TS_READY);
	xctx.fpu.fxsr = false;
	export_body();
	form[TCBX_O_REGS + ARCH_RX_FPU + 200] = 1;
	ck_assert_int_eq(import_check(), TCBX_REGS(ARCH_RX_BAD_FPU_IMAGE));
	body_init(TS_READY);
	body.arch.fpu_used = 0;
	export_body();
	form[TCBX_O_REGS + ARCH_RX_FPU + 3] = 1;
	ck_assert_int_eq(import_check(), TCBX_REGS(ARCH_RX_BAD_FPU_IMAGE));
	body_init(TS_READY);
	export_body();
	form[TCBX_O_REGS + ARCH_RX_PAD1] = 1;
	ck_assert_int_eq(import_check(), TCBX_REGS(ARCH_RX_BAD_PAD));
}
END_TEST

#define CONT(o) (form + TCBX_O_CONT + (o))
#define SEALED_CONT(o) (form + TCBX_O_SEALED + TCBX_S_CONT + (o))

START_TEST(impossible_continuations_refused)
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

/* The apply step writes the kernel's values, whatever the slot held. */
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
	ck_assert_uint_eq(u.arch.utcb_desc[0], 0xA5A5A5A5u);
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
	tcase_add_test(tc, registers_and_fpu_round_trip);
	tcase_add_test(tc, no_kernel_pointer_leaves);
	tcase_add_test(tc, header_refusals);
	tcase_add_test(tc, sealed_fields_refused);
	tcase_add_test(tc, privileged_eflags_refused);
	tcase_add_test(tc, kernel_selectors_refused);
	tcase_add_test(tc, fpu_images_refused);
	tcase_add_test(tc, impossible_continuations_refused);
	tcase_add_test(tc, resealed_forgeries_refused);
	tcase_add_test(tc, forged_values_in_every_field);
	tcase_add_test(tc, apply_takes_kernel_fields_from_ctx);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
