/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * How the self-check finds the record a node-table entry
 * names (kernel/selfcheck_space.c), as the database's own lookup
 * (ms_find, kernel/mapsplit.c) finds it, but with the node page fetched
 * by the caller, once for a run of entries naming one page rather than
 * through the database's hooks for every entry.  At 3 GB that lookup was
 * 140 of the 255 instructions the check spent on each of sigma0's
 * 762,000 roots.  tests/unit/test_selfcheck_record.c checks that it
 * answers as ms_find for every reference a table may hold.
 */
#ifndef KERNEL_SELFCHECK_RECORD_H
#define KERNEL_SELFCHECK_RECORD_H

#include <kernel/mapsplit.h>

/* The record at page-aligned va that table entry ref names (not 0), where
 * page is the node page MS_REF_PAGE(ref) of the task (NULL: that page is
 * absent or at or past the pages the task made): the entry, if it is a
 * record of that very address; NULL otherwise. */
static inline const ms_ent_t *sc_ref_record(const ms_ent_t *page, uint32_t ref, uint32_t va)
{
	uint32_t k = MS_REF_ENT(ref);

	if (!page || !k || k >= MS_ENTS)
		return NULL;
	return page[k].kind == MS_REC && page[k].vaddr == va ? &page[k] : NULL;
}

#endif
