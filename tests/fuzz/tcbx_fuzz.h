/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The scene of fuzz_tcb_import.c, shared with gen_seeds.c so that the
 * seeds are pages the kernel would export for it: one thread of one
 * task, the kernel's key and the serial its resident part keeps.
 *
 * An input is a mode byte and then the page (TCBX_BYTES; a shorter
 * input is zero to the end).  The mode byte: bits 0-2 the resident
 * state (mod 5, enum thread_state), bit 3 an FXSR CPU, bit 4 the
 * thread on the receive work list, bit 5 seal the page again with the
 * kernel's key before the import (what a kernel bug or a leaked key
 * would let through: the checks behind the seal get fuzzed too).
 */
#ifndef TESTS_FUZZ_TCBX_FUZZ_H
#define TESTS_FUZZ_TCBX_FUZZ_H

#include <string.h>
#include <kernel/tcb_extern.h>
#include <arch/segments.h>
#include <user/include/lent/kmem.h>

#define FZ_ID      ((0x101u << 14) | 5)   /* the thread */
#define FZ_PARTNER ((0x200u << 14) | 7)   /* its pager and send partner */
#define FZ_OTHER   ((0x300u << 14) | 9)   /* a thread it names */
#define FZ_TASK    42u
#define FZ_SERIAL  77u
#define FZ_UTCB    0x7FF00000u
#define FZ_KIP     0x7FE00000u
#define FZ_MODE_FXSR    0x08u
#define FZ_MODE_PENDING 0x10u
#define FZ_MODE_RESEAL  0x20u

static const siphash_key_t fz_key = { 0x243F6A8885A308D3ull, 0x13198A2E03707344ull };

static inline uint8_t fz_state(uint8_t mode)
{
	return (uint8_t)((mode & 7u) % 5u);
}

/* The kernel's view of the thread under mode; core and partner are its
 * resident part and its send partner's. */
static inline void fz_ctx(struct tcb_import_ctx *c, uint8_t mode, tcb_core_t *core,
			  tcb_core_t *partner)
{
	memset(core, 0, sizeof(*core));
	memset(partner, 0, sizeof(*partner));
	core->id = FZ_ID;
	core->state = fz_state(mode);
	partner->id = FZ_PARTNER;
	if (core->state == TS_SEND)
		core->partner = partner;
	memset(c, 0, sizeof(*c));
	c->cont.id = FZ_ID;
	c->cont.task = FZ_TASK;
	c->cont.state = core->state;
	c->cont.receive_pending = (mode & FZ_MODE_PENDING) != 0;
	c->cont.send_partner = core->state == TS_SEND ? FZ_PARTNER : TID_NIL;
	c->cont.user_limit = 0xC0000000u;
	c->cont.kip_area = fpage_make(FZ_KIP, 12, 0);
	c->cont.utcb_area = fpage_make(FZ_UTCB, 14, 0);
	c->fpu.fxsr = (mode & FZ_MODE_FXSR) != 0;
	c->key = fz_key;
	c->serial = FZ_SERIAL;
	c->core = core;
	c->space = (struct space *)(uintptr_t)0xC0DE0000u;
	c->utcb = (word_t *)(uintptr_t)0xC0DE1000u;
	c->space_next = (struct tcb *)(uintptr_t)0xC0DE2000u;
}

/* A body the kernel could have made, at the safe point of kind in
 * core->state, with what that point keeps filled in. */
static inline void fz_body(tcb_t *t, const tcb_core_t *core, uint8_t kind, bool fxsr)
{
	kcont_t *k = &t->cont;

	memset(t, 0, sizeof(*t));
	t->ctx.cs = SEL_UCODE;
	t->ctx.ss = t->ctx.ds = t->ctx.es = t->ctx.fs = SEL_UDATA;
	t->ctx.gs = SEL_UTCB;
	t->ctx.eflags = 0x246u;
	t->ctx.eip = 0x00401000u;
	t->ctx.esp = 0x007FF000u;
	t->ctx.eax = FZ_PARTNER;
	t->arch.fpu_used = 1;
	t->arch.fpu[0] = 0x7F;            /* FCW 0x037F */
	t->arch.fpu[1] = 0x03;
	if (fxsr)
		t->arch.fpu[25] = 0x1F;   /* MXCSR 0x1F80 */
	else
		t->arch.fpu[8] = t->arch.fpu[9] = 0xFF;   /* all registers empty */
	t->activated = core->state != TS_INACTIVE;
	t->utcb_location = FZ_UTCB + 0x200;
	t->pager = t->scheduler = FZ_PARTNER;
	t->timeslice_us = t->ts_left_us = 10000;
	t->tq_left_us = ~(uint64_t)0;
	k->kind = core->state == TS_SEND || core->state == TS_RECV ? kind : CONT_USER_IPC;
	k->halted = core->state == TS_HALTED;
	k->ipc_from = FZ_PARTNER;
	if (k->kind != CONT_USER_IPC) {
		k->kmsg[0] = (0xFFE4u << 16) | 2;    /* a page fault's tag, 2 words */
		k->kmsg[1] = 0x00402000u;
		k->kmsg[2] = 0x00401000u;
	}
	if (k->kind == CONT_KPF || k->kind == CONT_KPF_FAULT) {
		k->kpf.state = KPF_ASKED;
		k->kpf.pages = 1;
		k->kpf.kinds[0] = LENT_KMEM_PT;
		k->kpf.cid[0] = (uint32_t)lent_cid_pt(0x40000000u);
		k->kpf.task = FZ_TASK;
		k->kpf.named = FZ_ID;
	}
	if (k->kind == CONT_KPF_FAULT) {
		k->fault.addr = 0x40000010u;
		k->fault.ip = 0x00401000u;
		k->fault.access = 2;
	}
	if (k->kind == CONT_PF_RECV) {
		k->recv.from = FZ_OTHER;
		k->recv.kind = CONT_USER_IPC;
		k->xfer.partner = tid_number(FZ_OTHER);
		k->xfer.role = XFER_RECEIVER;
		k->xfer.cur = (xfer_cursor_t){ .item = 3, .br = 1, .done = 100, .bytes = 100 };
	}
}

/* The export the kernel would make of t: the IDs its numbers name. */
static inline void fz_export_ctx(tcb_export_ctx_t *x, bool fxsr, const kcont_t *k)
{
	memset(x, 0, sizeof(*x));
	x->key = fz_key;
	x->serial = FZ_SERIAL;
	x->fpu.fxsr = fxsr;
	x->held = k->held ? FZ_OTHER : TID_NIL;
	x->xfer_partner = k->xfer.partner ? FZ_OTHER : TID_NIL;
}

#endif
