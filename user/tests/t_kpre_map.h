/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_kpre_map.c's kpager, which keeps the external form of every page the
 * root takes back from task A and gives it back when the kernel asks,
 * and its helpers, for the groups that take node pages and node tables
 * back (t_kpre_map.c, t_accessbits_away.c).
 */
#ifndef TESTS_T_KPRE_MAP_H
#define TESTS_T_KPRE_MAP_H

#include "t_kpre_kp.h"

#define MK_AW		0x60000000UL    /* A's receive window, 4 MB */
#define MK_BW		0x64000000UL    /* B's */
#define MK_MARK		0x6d6b3131UL
#define MK_HDR		0x1000UL        /* mk_edit_record: the page's header */

/* A (our kpager) and B (t_kpre_kp.c's), with windows; a page of the
 * root's holding MK_MARK mapped to A at MK_AW.  *skip in a kernel that
 * takes no node page back. */
const char *mk_begin(L4_ThreadId_t *a, L4_ThreadId_t *b, L4_Word_t *bdata,
		     L4_Word_t *page, int *skip);
const char *mk_end(L4_ThreadId_t a, L4_ThreadId_t b);
/* Take back A's page lent at cid, keeping its external form. */
const char *mk_take_back(L4_Word_t cid);
/* Take back every node page of A: *count of them. */
const char *mk_take_pages(L4_ThreadId_t a, L4_Word_t *count);
/* t's read of va faults to main; main maps page there, and the read
 * then gives MK_MARK. */
const char *mk_faults_then_reads(L4_ThreadId_t t, L4_Word_t va, L4_Word_t page);
/* Take back A's node pages, and have word `at` of A's record of MK_AW
 * (MK_HDR: of its page's header) read val when the kernel asks for it. */
const char *mk_edit_record(L4_ThreadId_t a, L4_Word_t at, L4_Word_t val);
/* Did the kernel take the edited page mk_edit_record() asked for (given
 * and not refused, so no clean copy went in its place)? */
int mk_edit_taken(void);

#endif
