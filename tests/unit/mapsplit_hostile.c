/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Hostile kpagers for the reference model's runs (mapsplit_model.c):
 * a node page or node table changed in the kpager's store, by a byte, a
 * field from a dictionary of likely values, a duplicate, a swap or a
 * replay, then brought back; an accepted change or a refusal taints the
 * task, whose mappings may differ from the model's from then on.
 */
#include <string.h>
#include "mapsplit_model.h"

static uint64_t some_gen(uint8_t b)
{
	uint64_t back = (uint64_t)(b & 63);

	if (b & 0x80)
		return ms_gen_next + back;                /* from the future */
	return ms_gen_next > back + 1 ? ms_gen_next - 1 - back : 1;
}

static uint32_t some_value(uint8_t b, uint8_t v)
{
	switch (b % 8) {
	case 0: return msk_va(v % MSK_NPAGES);
	case 1: return msk_task[v % MSK_NTASKS].ms.id;
	case 2: return MSK_FRAME0 + (v % 16) * PAGE_SIZE;   /* a frame number */
	case 3: return 0xC0100000u + v * 16u;              /* a kernel address */
	case 4: return msk_va(v % MSK_NPAGES) + v % 7;     /* unaligned */
	case 5: return (uint32_t)v << 22;                  /* another slot */
	case 6: return 0;
	default: return 0xFFFFFFFFu - v;
	}
}

/* Export page p1 of task s1 if it is present, change its stored form as
 * edit[] says, import it; an accepted change taints the task. */
void msk_edit_page(const msk_op_t *op)
{
	msk_task_t *t = &msk_task[op->s1];
	const uint8_t *e = op->edit;
	uint32_t n = op->p1 % (t->ms.pages ? t->ms.pages : 1), slot = op->p1 % MSK_NSLOTS;

	if (e[0] % 8 == 7) {                      /* a node-table entry */
		if (t->nt[slot])
			msk_export_table(op->s1, slot);
		if (!t->nt_stored[slot])
			return;
		t->nt_store[slot][(e[1] | e[2] << 8) % MS_NT_ENTS] =
			e[3] & 1 ? some_value(e[4], e[5]) : MS_REF(e[4] % 8, e[5]);
		msk_import_table(op->s1, slot);
		t->tainted = true;                /* changed, or refused: lost */
		return;
	}
	if (t->pg[n])
		msk_export_page(op->s1, n);
	if (!t->stored[n])
		return;
	uint8_t before[PAGE_SIZE];
	memcpy(before, t->store[n], PAGE_SIZE);
	ms_ent_t *ents = (ms_ent_t *)t->store[n];
	unsigned used[MS_ENTS], nused = 0;
	for (unsigned k = 1; k < MS_ENTS; k++)
		if (ents[k].kind != MS_FREE)
			used[nused++] = k;
	/* Mostly an entry in use (edits of free ones are refused at once). */
	ms_ent_t *a = &ents[nused && e[6] & 3 ? used[e[1] % nused] : 1 + e[1] % (MS_ENTS - 1)];
	ms_ent_t *b = &ents[1 + e[2] % (MS_ENTS - 1)];
	switch (e[0] % 8) {
	case 0:                                   /* a byte */
		t->store[n][(e[1] | e[2] << 8) % PAGE_SIZE] ^= (uint8_t)(e[3] | 1);
		break;
	case 1:                                   /* a field, from the dictionary */
		switch (e[3] % 6) {
		case 0: a->rights = e[4] & 0xF; break;
		case 1: a->vaddr = some_value(e[4], e[5]); break;
		case 2: a->task = some_value(e[4], e[5]); break;
		case 3: a->pvaddr = some_value(e[4], e[5]); break;
		case 4: a->gen = some_gen(e[4]); break;
		default: a->egen = some_gen(e[4]); break;
		}
		break;
	case 2:                                   /* a duplicate */
		*b = *a;
		break;
	case 3:                                   /* two entries swapped */
		{ ms_ent_t tmp = *a; *a = *b; *b = tmp; }
		break;
	case 4:                                   /* in-kernel bytes and flags */
		a->flags = e[3];
		a->k.rec.phys = some_value(e[4], e[5]);
		break;
	case 5:                                   /* a duplicate with another address */
		*b = *a;
		b->vaddr = msk_va(e[3] % MSK_NPAGES);
		b->pvaddr = e[4] & 1 ? a->pvaddr : msk_va(e[5] % MSK_NPAGES);
		break;
	default:
		if (e[3] & 1 && t->exports[n] > 1)       /* a replay of an older export */
			memcpy(t->store[n], t->old[n], PAGE_SIZE);
		else                              /* raw bytes at an entry */
			memcpy((uint8_t *)a + e[3] % 40, e + 4, 4);
		break;
	}
	/* Accepted with a change, or refused (and so lost): the task's
	 * mappings may differ from the model's from now on. */
	bool changed = memcmp(before, t->store[n], PAGE_SIZE) != 0;
	if (msk_import_page(op->s1, n) != MS_OK) {
		msk_edits_refused++;
		t->tainted = true;
	} else if (changed) {
		msk_edits_accepted++;
		t->tainted = true;
	}
}
