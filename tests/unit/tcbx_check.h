/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The safety property of an imported thread body (kernel/tcb_extern.h),
 * shared by tests/unit/test_tcb_extern.c and tests/fuzz/fuzz_tcb_import.c:
 * whatever the page held, a body the import accepted is one the kernel
 * could have made for this thread, gives it no privilege, and has the
 * kernel's own values in every field the form does not define.
 */
#ifndef TESTS_UNIT_TCBX_CHECK_H
#define TESTS_UNIT_TCBX_CHECK_H

#include <string.h>
#include <kernel/tcb_extern.h>
#include <kernel/iofpage.h>
#include <arch/segments.h>

static inline bool tcbx_user_data_sel(uint32_t sel)
{
	uint32_t i = sel & ~3u;

	return sel <= 0xFFFFu && (i == 0 || i == (SEL_UCODE & ~3u) || i == (SEL_UDATA & ~3u) ||
				  i == (SEL_UTCB & ~3u));
}

/* NULL if t (the body tcb_import_apply() made from an accepted page) is
 * safe for ctx's thread; else what is wrong. */
static inline const char *tcbx_unsafe(const tcb_t *t, const struct tcb_import_ctx *c)
{
	const arch_context_t *r = &t->ctx;
	const kcont_t *k = &t->cont;

	if (kcont_check(k, c->cont.state) != KCONT_OK)
		return "kcont_check() refuses the body";
	if (r->cs != SEL_UCODE || r->ss != SEL_UDATA)
		return "CS or SS not the user selectors";
	if (!tcbx_user_data_sel(r->ds) || !tcbx_user_data_sel(r->es) ||
	    !tcbx_user_data_sel(r->fs) || !tcbx_user_data_sel(r->gs))
		return "a data selector user code cannot load";
	/* A frame marked as a sysenter's keeps IF clear (sysexit's way out
	 * sets it), with the flat data selectors that way out keeps. */
	if (r->error == ARCH_ERROR_SYSENTER) {
		if ((r->eflags & 0x202u) != 0x002u)
			return "a marked frame with IF set, or bit 1 clear";
		if (r->ds != SEL_UDATA || r->es != SEL_UDATA)
			return "a marked frame whose DS or ES sysexit would not give back";
	} else if ((r->eflags & 0x202u) != 0x202u) {
		return "IF or bit 1 clear";
	}
	if (r->eflags & (0x3000u | 0x4000u | 0x20000u | 0x80000u | 0x100000u | 0xFFC08028u))
		return "IOPL, NT, VM, VIF, VIP or a reserved EFLAGS bit";
	if (!t->arch.fpu_used) {
		for (unsigned i = 0; i < FPU_STATE_BYTES; i++)
			if (t->arch.fpu[i])
				return "an FPU image in a thread that never used the FPU";
	} else if (c->fpu.fxsr) {
		uint32_t mxcsr, mask = c->fpu.mxcsr_mask ? c->fpu.mxcsr_mask : 0xFFBFu;
		memcpy(&mxcsr, t->arch.fpu + 24, 4);
		if (mxcsr & ~mask)
			return "MXCSR bits fxrstor faults on";
	} else {
		for (unsigned i = ARCH_FNSAVE_BYTES; i < FPU_STATE_BYTES; i++)
			if (t->arch.fpu[i])
				return "bytes past an fnsave image";
	}
	/* The kernel-only fields: the ctx's, or zero. */
	if (t->core != c->core || t->space != c->space || t->utcb != c->utcb ||
	    t->space_next != c->space_next)
		return "a kernel-only field not the kernel's";
	if (t->peer_local != TID_NIL || t->peer_id != TID_NIL)
		return "the fast path's cache came from the page";
	for (unsigned i = 0; i < 4; i++)
		if (t->vm86_slack[i])
			return "the vm86 slack came from the page";
	/* What the form does not carry starts at zero: the kernel sets the
	 * UTCB descriptor after (kernel/tcb_away.c). */
	if (t->arch.utcb_desc[0] || t->arch.utcb_desc[1])
		return "the UTCB descriptor came from the page";
	if (t->utcb_away || t->utcb_error)
		return "the UTCB-away state came from the page";
	if (k->receive_pending != c->cont.receive_pending)
		return "the work-list flag came from the page";
	if (t->activated > 1 || t->delaying > 1)
		return "a flag that is not a flag";
	/* Links and the kernel page fault. */
	if (k->held && k->held == tid_number(c->cont.id))
		return "held names the thread itself";
	if (k->xfer.partner && k->xfer.partner == tid_number(c->cont.id))
		return "a transfer with itself";
	if (k->kpf.named == c->cont.id && k->kpf.task != c->cont.task)
		return "a kernel page fault for another task";
	if (k->kpf.pages > KPF_MAX_PAGES)
		return "too many kernel-page-fault pages";
	if (k->kind == CONT_KPF_FAULT) {
		uint32_t a = k->fault.addr;
		if (!io_va_is(a) && (a & PAGE_MASK) >= c->cont.user_limit)
			return "a user fault at a kernel address";
	}
	return NULL;
}

#endif
