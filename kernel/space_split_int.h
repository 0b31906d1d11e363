/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What kernel/space_split.c (the split database's hooks into a space),
 * kernel/space_split_mapdb.c (mapdb.h's calls over it) and
 * kernel/space_split_trim.c (node pages going back) share; not for
 * other files.
 */
#ifndef KERNEL_SPACE_SPLIT_INT_H
#define KERNEL_SPACE_SPLIT_INT_H

#include <kernel/space.h>
#include <kernel/mapsplit_int.h>
#include <kernel/sigma0_high.h>
#include <kernel/kmem_sigma0_cid.h>

#define INDEX_FAN 1024u         /* the index of pages not lent: 2 levels */

static inline space_t *space_of_ms(const ms_space_t *m)
{
	return (space_t *)((uintptr_t)m - __builtin_offsetof(space_t, ms));
}

/* The resident part, named as the database names the task. */
static inline ms_space_t *msp(space_t *s)
{
	s->ms.id = s->id;
	s->ms.sigma0 = s->sigma0;
	return &s->ms;
}

/* sigma0's node pages may run on past their range, through the TCB
 * and UTCB ranges (sigma0 has one thread, whose pages are boot's) and
 * past the window, for every page its database may have
 * (kernel/kmem_sigma0_cid.h). */
#define SIGMA0_CID_PAGES KMEM_SIGMA0_MAP_PAGES
_Static_assert(SIGMA0_CID_PAGES > MS_MAX_PAGES, "every node page of sigma0's has a CID");

/* Node page n of s as the index holds it (a page not lent), or NULL. */
static inline void *index_get(const space_t *s, uint32_t n)
{
	void **leaf = s->ms_index ? s->ms_index[n / INDEX_FAN] : NULL;

	return leaf ? leaf[n % INDEX_FAN] : NULL;
}

/* sigma0's node tables of the keys of its frames from 3 GB up
 * (kernel/sigma0_high.h), which space_t has no room for: there is one
 * sigma0, and they are built at boot from its reserve. */
extern mapslot_t *space_split_high_tables[S0_HIGH_SLOTS];

/* Where s keeps its node table of 4 MB slot `slot`; NULL: s has none. */
static inline mapslot_t **table_slot(space_t *s, uint32_t slot)
{
	if (slot < SPACE_NODE_PDES)
		return &s->node_table[slot];
	if (s->sigma0 && slot - S0_HIGH_SLOT < S0_HIGH_SLOTS)
		return &space_split_high_tables[slot - S0_HIGH_SLOT];
	return NULL;
}


#endif
