/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A thread body's external form (kernel/tcb_extern.h).  The paper,
 * section 3.4: the user registers are safe to export as they are, the
 * kernel state leaves as a continuation that is revalidated when it
 * comes back.  Its section 2.2 gives the third way, for data the kpager
 * may see but not change: sealing.  The body's scheduling parameters and
 * the pager and UTCB a privileged ThreadControl gave are not the thread's
 * to choose, nor are the continuation's links to other threads, so the
 * kernel seals them with a key of its own and the export's serial number,
 * which the resident part keeps: a changed field, or a replayed older
 * page, fails the seal.
 */
#include <kernel/tcb_extern.h>
#include <kernel/extern_le.h>
#include <kernel/string.h>

static uint64_t seal_of(const uint8_t *form, const siphash_key_t *key)
{
	uint8_t input[TCBX_SEAL_INPUT];

	memcpy(input, form, TCBX_O_REGS);
	memcpy(input + TCBX_O_REGS, form + TCBX_O_SEALED, TCBX_SEALED_BYTES);
	return siphash24(key, input, sizeof(input));
}

static void own_export(const tcb_t *t, uint8_t *s)
{
	le32_put(s + TCBX_S_PAGER, t->pager);
	le32_put(s + TCBX_S_SCHEDULER, t->scheduler);
	le32_put(s + TCBX_S_UTCB, t->utcb_location);
	le32_put(s + TCBX_S_TIMESLICE, t->timeslice_us);
	le32_put(s + TCBX_S_TS_LEFT, t->ts_left_us);
	le64_put(s + TCBX_S_TQ_LEFT, t->tq_left_us);
	le16_put(s + TCBX_S_MAX_DELAY, t->max_delay_us);
	le16_put(s + TCBX_S_DELAY_LEFT, t->delay_left_us);
	s[TCBX_S_SENS_PRIO] = t->sens_prio;
	s[TCBX_S_DELAYING] = t->delaying;
	s[TCBX_S_ACTIVATED] = t->activated;
}

void tcb_export(const tcb_t *t, const tcb_core_t *core, const tcb_export_ctx_t *x, void *out)
{
	uint8_t *p = out;
	kx_links_t links = {
		.send_partner = core->state == TS_SEND && core->partner ? core->partner->id : TID_NIL,
		.held = x->held,
		.xfer_partner = x->xfer_partner,
	};

	memset(p, 0, TCBX_BYTES);
	le32_put(p + TCBX_O_MAGIC, TCBX_MAGIC);
	le16_put(p + TCBX_O_VERSION, TCBX_VERSION);
	le16_put(p + TCBX_O_SIZE, TCBX_O_END);
	le32_put(p + TCBX_O_ID, core->id);
	le32_put(p + TCBX_O_SERIAL, x->serial);
	arch_regs_export(&t->ctx, &t->arch, &x->fpu, p + TCBX_O_REGS);
	own_export(t, p + TCBX_O_SEALED);
	kcont_export(&t->cont, core->state, &links, p + TCBX_O_CONT,
		     p + TCBX_O_SEALED + TCBX_S_CONT);
	le64_put(p + TCBX_O_SEAL, seal_of(p, &x->key));
}

static bool nil_or_global(tid_t id)
{
	return tid_is_nil(id) || tid_is_global(id);
}

int tcb_import_check(const void *in, const struct tcb_import_ctx *ctx)
{
	const uint8_t *p = in;
	const uint8_t *s = p + TCBX_O_SEALED;

	if (le32_get(p + TCBX_O_MAGIC) != TCBX_MAGIC)
		return TCBX_BAD_MAGIC;
	if (le16_get(p + TCBX_O_VERSION) != TCBX_VERSION || le16_get(p + TCBX_O_SIZE) != TCBX_O_END)
		return TCBX_BAD_VERSION;
	if (le32_get(p + TCBX_O_ID) != ctx->cont.id)
		return TCBX_WRONG_ID;
	if (le32_get(p + TCBX_O_SERIAL) != ctx->serial)
		return TCBX_STALE;
	if (le64_get(p + TCBX_O_SEAL) != seal_of(p, &ctx->key))
		return TCBX_BAD_SEAL;
	if (!extern_zero(p + TCBX_O_END, TCBX_BYTES - TCBX_O_END) || s[TCBX_S_PAD])
		return TCBX_BAD_PAD;
	/* Sealed, so the kernel's own; checked all the same, so that a
	 * kernel bug or a leaked key cannot give a body a flag that is
	 * not one or a pager that is no thread. */
	if (s[TCBX_S_DELAYING] > 1 || s[TCBX_S_ACTIVATED] > 1)
		return TCBX_BAD_FLAG;
	if (!nil_or_global(le32_get(s + TCBX_S_PAGER)) ||
	    !nil_or_global(le32_get(s + TCBX_S_SCHEDULER)))
		return TCBX_BAD_ID;
	int r = arch_regs_check(p + TCBX_O_REGS, &ctx->fpu);
	if (r)
		return TCBX_REGS(r);
	r = kcont_import_check(p + TCBX_O_CONT, s + TCBX_S_CONT, &ctx->cont);
	if (r)
		return TCBX_CONT(r);
	return TCBX_OK;
}

uint32_t tcbx_utcb_location(const void *in)
{
	return le32_get((const uint8_t *)in + TCBX_O_SEALED + TCBX_S_UTCB);
}

void tcb_import_apply(const void *in, const struct tcb_import_ctx *ctx, tcb_t *t)
{
	const uint8_t *p = in;
	const uint8_t *s = p + TCBX_O_SEALED;

	/* What the form does not carry starts at zero, never as the
	 * kpager's bytes (in is a copy, not t). */
	memset(t, 0, sizeof *t);
	arch_regs_apply(p + TCBX_O_REGS, &t->ctx, &t->arch);
	t->core = ctx->core;
	t->activated = s[TCBX_S_ACTIVATED];
	t->space = ctx->space;
	t->utcb_location = le32_get(s + TCBX_S_UTCB);
	t->utcb = ctx->utcb;
	t->pager = le32_get(s + TCBX_S_PAGER);
	t->scheduler = le32_get(s + TCBX_S_SCHEDULER);
	/* The fast path's cache of a partner is dropped: it refills. */
	t->peer_local = t->peer_id = TID_NIL;
	t->timeslice_us = le32_get(s + TCBX_S_TIMESLICE);
	t->ts_left_us = le32_get(s + TCBX_S_TS_LEFT);
	t->tq_left_us = le64_get(s + TCBX_S_TQ_LEFT);
	t->max_delay_us = le16_get(s + TCBX_S_MAX_DELAY);
	t->delay_left_us = le16_get(s + TCBX_S_DELAY_LEFT);
	t->sens_prio = s[TCBX_S_SENS_PRIO];
	t->delaying = s[TCBX_S_DELAYING];
	t->space_next = ctx->space_next;
	kcont_import_apply(p + TCBX_O_CONT, s + TCBX_S_CONT, &ctx->cont, &t->cont);
}
