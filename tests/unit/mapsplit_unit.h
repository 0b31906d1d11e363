/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the unit tests of kernel/mapsplit*.c (test_mapsplit.c,
 * test_mapsplit_io.c, test_mapsplit_hostile.c, test_mapsplit_holes.c)
 * share: short names for the harness's operations and lookups over the
 * fake tasks of mapsplit_check.h, a chain of mappings through four
 * tasks, and the harness's failure as Check's (mapsplit_unit.c); each
 * main runs its tests with unit_runner.h's unit_run().
 */
#ifndef TESTS_MAPSPLIT_UNIT_H
#define TESTS_MAPSPLIT_UNIT_H

#include <check.h>
#include "mapsplit_check.h"
#include "unit_runner.h"
#include <kernel/mapsplit_int.h>

#define F(p) (MSK_FRAME0 + (p) * PAGE_SIZE)

static inline void op(uint8_t kind, unsigned s1, unsigned p1, unsigned s2, unsigned p2, unsigned rights,
	       bool flush_self)
{
	msk_op_t o = { .kind = kind, .s1 = (uint8_t)s1, .p1 = (uint8_t)p1, .s2 = (uint8_t)s2,
		       .p2 = (uint8_t)p2, .rights = (uint8_t)rights, .flush_self = flush_self };
	msk_apply(&o);
}

static inline void map(unsigned s1, unsigned p1, unsigned s2, unsigned p2, unsigned rights)
{
	op(MSK_MAP, s1, p1, s2, p2, rights, false);
}

static inline const msk_pte_t *pte(unsigned t, unsigned p)
{
	return &msk_task[t].pte[p];
}

static inline ms_ent_t *rec(unsigned t, unsigned p)
{
	return ms_lookup(msk_space(t), msk_va(p), NULL);
}

/* The part in task t for the edge to (ct, cva), found by scanning. */
static inline ms_ent_t *part(unsigned t, unsigned ct, unsigned cp)
{
	for (unsigned n = 0; n < MSK_MAXPAGES; n++)
		for (unsigned k = 1; msk_task[t].pg[n] && k < MS_ENTS; k++) {
			ms_ent_t *e = &msk_task[t].pg[n][k];

			if (e->kind == MS_PART && e->task == msk_task[ct].ms.id &&
			    e->pvaddr == msk_va(cp))
				return e;
		}
	return NULL;
}

static inline int resolve(unsigned t, unsigned p, uint32_t *phys, uint32_t *rights)
{
	return msk_resolve(t, p, phys, rights);
}

/* sigma0 -> 1 -> 2 -> {3, 4}: a chain with a fork at its end. */
static inline void chain(void)
{
	map(0, 1, 1, 1, MS_RIGHTS);
	map(1, 1, 2, 2, 6);
	map(2, 2, 3, 3, 4);
	map(2, 2, 4, 12, 6);
}

#endif
