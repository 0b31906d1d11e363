/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for the user registers and FPU image of a thread body's
 * external form (arch/ia32/regs_extern.c), through the whole import:
 * what user level may hold survives, and privileged EFLAGS bits, kernel
 * selectors, MXCSR bits fxrstor faults on and images of the wrong
 * format are refused with their exact reason.
 */
#include "tcbx_fixture.h"

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

/* A frame marked as a sysenter's leaves by sysexit with the kernel's DS
 * and ES, the flat user selector (entry.asm): an image marked so with
 * other DS or ES would come back with different segments, and is
 * refused; marked with the flat ones, it is taken. */
START_TEST(sysenter_frame_segments)
{
	for (unsigned r = 2; r < 4; r++) {
		set_sel(r, SEL_UCODE);
		le32_put(form + TCBX_O_REGS + ARCH_RX_ERROR, ARCH_ERROR_SYSENTER);
		ck_assert_int_eq(import_check(), TCBX_REGS(ARCH_RX_BAD_DATA_SEL));
		set_sel(r, SEL_UCODE);   /* unmarked: any user selector */
		ck_assert_int_eq(import_check(), TCBX_OK);
	}
	set_sel(2, SEL_UDATA);
	le16_put(form + TCBX_O_REGS + ARCH_RX_SEG + 2 * 3, SEL_UDATA);
	le32_put(form + TCBX_O_REGS + ARCH_RX_ERROR, ARCH_ERROR_SYSENTER);
	ck_assert_int_eq(import_check(), TCBX_OK);
}
END_TEST

/* A marked frame's FS, GS and vector are its entry's too: the next
 * sysenter writes only EIP, ESP, the flags and the general registers
 * (entry.asm), so an image marked with others would keep them, and
 * leave by sysexit with an FS or GS the entry never wrote.  Unmarked,
 * any user selector and vector are taken. */
START_TEST(sysenter_frame_slots)
{
	static const struct { unsigned off; unsigned bytes; uint16_t v; } odd[] = {
		{ ARCH_RX_SEG + 2 * 4, 2, 0 },              /* FS null */
		{ ARCH_RX_SEG + 2 * 4, 2, SEL_UTCB },
		{ ARCH_RX_SEG + 2 * 5, 2, SEL_UDATA },      /* GS */
		{ ARCH_RX_SEG + 2 * 5, 2, 0 },
		{ ARCH_RX_VECTOR, 1, 0x31 },
		{ ARCH_RX_VECTOR, 1, 14 },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(odd); i++) {
		for (unsigned marked = 0; marked < 2; marked++) {
			body_init(TS_READY);
			export_body();
			uint8_t *at = form + TCBX_O_REGS + odd[i].off;
			if (odd[i].bytes == 2)
				le16_put(at, odd[i].v);
			else
				*at = (uint8_t)odd[i].v;
			if (marked)
				le32_put(form + TCBX_O_REGS + ARCH_RX_ERROR, ARCH_ERROR_SYSENTER);
			ck_assert_int_eq(import_check(), marked ? TCBX_REGS(ARCH_RX_BAD_DATA_SEL) : TCBX_OK);
		}
	}
}
END_TEST

/* A frame marked as a sysenter's keeps IF clear (sysexit's way out sets
 * it): its image has IF set, as the thread has, and it comes back
 * clear; an unmarked frame keeps it set both ways. */
START_TEST(sysenter_frame_if)
{
	body_init(TS_READY);
	body.ctx.error = ARCH_ERROR_SYSENTER;
	body.ctx.ds = body.ctx.es = SEL_UDATA;
	body.ctx.eflags = 0x002u | 0x1u;
	assert_round_trip();
	export_body();
	ck_assert_uint_eq(le32_get(form + TCBX_O_REGS + ARCH_RX_EFLAGS), 0x203u);
	body_init(TS_READY);
	body.ctx.eflags = 0x203u;
	assert_round_trip();
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

static Suite *suite(void)
{
	Suite *s = suite_create("regs_extern");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, registers_and_fpu_round_trip);
	tcase_add_test(tc, privileged_eflags_refused);
	tcase_add_test(tc, kernel_selectors_refused);
	tcase_add_test(tc, fpu_images_refused);
	tcase_add_test(tc, sysenter_frame_segments);
	tcase_add_test(tc, sysenter_frame_slots);
	tcase_add_test(tc, sysenter_frame_if);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tcbx_run(suite());
}
