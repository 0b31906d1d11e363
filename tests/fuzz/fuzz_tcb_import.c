/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for the import of a thread body's external form
 * (kernel/tcb_extern.c): whatever page a kpager gives back, the import
 * refuses it or yields a safe body.  After every input it checks, not
 * only that nothing crashed:
 *   - the check did not write the page, and a refusal is one of the
 *     enumerated reasons;
 *   - an accepted page's body passes tcbx_unsafe() (tests/unit/
 *     tcbx_check.h): kcont_check(), user selectors, safe EFLAGS, a valid
 *     MXCSR, the expected thread and the kernel's own values in every
 *     field the form does not define;
 *   - that body exports to a page the import accepts again, and a
 *     second round gives the same bytes (export and import agree).
 * The scene and the input's layout: tcbx_fuzz.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kernel/extern_le.h>
#include "tcbx_check.h"
#include "tcbx_fuzz.h"

static void fail(const char *why, uint8_t mode, int refusal)
{
	fprintf(stderr, "fuzz_tcb_import: %s (mode %02x, check %d)\n", why, mode, refusal);
	abort();
}

/* Is r one of the enumerated refusals (tcb_extern.h, regs_extern.h,
 * kcont_extern.h, kcont.h)? */
static bool known_refusal(int r)
{
	if (r > TCBX_OK && r <= TCBX_BAD_ID)
		return true;
	if (r > TCBX_REGS(ARCH_RX_OK) && r <= TCBX_REGS(ARCH_RX_BAD_PAD))
		return true;
	if (r > TCBX_CONT(KX_OK) && r <= TCBX_CONT(KX_SELF_LINK))
		return true;
	return r > TCBX_CONT(KX_KCONT(KCONT_OK)) && r <= TCBX_CONT(KX_KCONT(KCONT_BAD_LINK));
}

static void reseal(uint8_t *form)
{
	uint8_t in[TCBX_SEAL_INPUT];

	memcpy(in, form, TCBX_O_REGS);
	memcpy(in + TCBX_O_REGS, form + TCBX_O_SEALED, TCBX_SEALED_BYTES);
	le64_put(form + TCBX_O_SEAL, siphash24(&fz_key, in, sizeof(in)));
}

/* Import form into a slot full of other bytes; abort unless safe. */
static void import_safe(const uint8_t *form, const struct tcb_import_ctx *c, tcb_t *t,
			uint8_t mode)
{
	memset(t, 0x5A, sizeof(*t));
	tcb_import_apply(form, c, t);
	const char *why = tcbx_unsafe(t, c);
	if (why)
		fail(why, mode, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t form[TCBX_BYTES], copy[TCBX_BYTES], again[TCBX_BYTES], third[TCBX_BYTES];
	static tcb_t t, u;
	tcb_core_t core, partner;
	struct tcb_import_ctx c;

	if (size < 1)
		return 0;
	uint8_t mode = data[0];
	size_t n = size - 1 < TCBX_BYTES ? size - 1 : TCBX_BYTES;
	memset(form, 0, sizeof(form));
	memcpy(form, data + 1, n);
	fz_ctx(&c, mode, &core, &partner);
	if (mode & FZ_MODE_RESEAL)
		reseal(form);
	memcpy(copy, form, sizeof(form));
	int r = tcb_import_check(form, &c);
	if (memcmp(copy, form, sizeof(form)))
		fail("the check wrote the page", mode, r);
	if (r != TCBX_OK) {
		if (!known_refusal(r))
			fail("a refusal that is no enumerated reason", mode, r);
		return 0;
	}
	import_safe(form, &c, &t, mode);

	/* The kernel exports it again: the same links, by the page's IDs. */
	const uint8_t *s = form + TCBX_O_SEALED + TCBX_S_CONT;
	tcb_export_ctx_t x = {
		.key = fz_key, .serial = FZ_SERIAL, .fpu = c.fpu,
		.held = le32_get(s + KXS_HELD), .xfer_partner = le32_get(s + KXS_XFER_PARTNER),
	};
	tcb_export(&t, &core, &x, again);
	r = tcb_import_check(again, &c);
	if (r != TCBX_OK)
		fail("an imported body exports to a page the import refuses", mode, r);
	import_safe(again, &c, &u, mode);
	tcb_export(&u, &core, &x, third);
	if (memcmp(again, third, sizeof(again)))
		fail("export and import disagree: a second round changed the page", mode, r);
	return 0;
}
