/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What t_kpre_map.c (its kpager, the helpers and the take-back tests)
 * and t_kpre_map_forged.c (the kpager's edits) share; not for other
 * files.
 */
#ifndef TESTS_T_KPRE_MAP_INT_H
#define TESTS_T_KPRE_MAP_INT_H

#include "t_kpre_map.h"

#define MK_FORMS	12
#define MK_LOG		64
#define MK_ENT_WORDS	12              /* 48-byte entries */

/* The kpager: lends pages of its pool; for a content identifier it has
 * a form of, a copy of that form (with one word edited once, if asked). */
struct mk_kpager {
	L4_Word_t pool, pages;
	L4_Word_t n, refused, last_ec;
	L4_Word_t cid[MK_FORMS], form[MK_FORMS];       /* forms kept, by CID */
	L4_Word_t who[MK_FORMS];                       /* and by the thread named */
	L4_Word_t log_cid[MK_LOG], log_page[MK_LOG];   /* what it lent */
	L4_Word_t log_who[MK_LOG];                     /* for whom (MR3) */
	L4_Word_t edit_cid, edit_at, edit_val;         /* one edit, then clean */
};
extern volatile struct mk_kpager mk;
/* The task whose pages the helpers mean (a thread of it, as the kernel
 * names in MR3); A, but for the test with B's pages too. */
extern L4_Word_t mk_who;

L4_Word_t mk_take(void);
int mk_form_of(L4_Word_t cid);
L4_Word_t mk_record_of(L4_Word_t va, L4_Word_t *cid);
const char *mk_pass(L4_ThreadId_t from, L4_ThreadId_t to, L4_Word_t fva, L4_Word_t off);

/* The tests of t_kpre_map_forged.c, in t_kpre_map.c's table. */
const char *t_kpre_map_forged_refused_or_harmless(void);
const char *t_kpre_map_remade_part_refused(void);

#endif
