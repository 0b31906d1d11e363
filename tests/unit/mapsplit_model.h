/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The reference model's state, shared by mapsplit_model.c (the model and
 * applying an operation), mapsplit_model_check.c (the checks against it)
 * and mapsplit_hostile.c (a hostile kpager's edits); not for the tests.
 */
#ifndef TESTS_MAPSPLIT_MODEL_H
#define TESTS_MAPSPLIT_MODEL_H

#include "mapsplit_check.h"

typedef struct mnode {
	bool mapped, root;
	int parent;                /* position, or -1 */
	uint32_t frame, rights;
	uint32_t bits;             /* accessed (MS_RIGHT_R/W) since an Unmap reported it */
	uint32_t ever;             /* accessed since mapped, with the bits of mappings
	                            * below it that went: all an Unmap may report */
} mnode_t;

#define POS(t, p) ((int)((t) * MSK_NPAGES + (p)))

extern mnode_t msk_model[MSK_NPOS];
/* Every edge a map or grant ever made, position to position. */
extern bool msk_hist[MSK_NPOS][MSK_NPOS];
/* Edges a grant from an edited task re-made between two others: what
 * the edited task held moved there, model or not. */
extern bool msk_loose[MSK_NPOS][MSK_NPOS];

/* The position of (task id, va), or -1. */
int msk_pos_of(uint32_t id, uint32_t va);
/* A resolve's answer against the model (honest runs only). */
void msk_check_resolved(unsigned ti, unsigned p, int err, uint32_t phys, uint32_t rights);
/* Export a page or table, change its stored form as op->edit says,
 * import it (mapsplit_hostile.c). */
void msk_edit_page(const msk_op_t *op);

#endif
