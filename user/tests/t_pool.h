/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One block of the root's pages that the kpager tests lend from, one
 * test at a time (t_pool.c).  sigma0 takes no page back, so a pool a
 * test file gets for itself and keeps in a static is lost to every test
 * after it; at -cpu pentium -m 8 the split build's last tests
 * (kmem_exhausted_sigma0_fault, the s0hang tests) found no RAM once
 * t_kpre_map.c's pool (40 pages, 64 as sigma0 hands out powers of two)
 * and t_attack_kpre.c's (24, so 32) joined t_kpreempt_work.c's.  Those
 * three now take their pools as slices of this one block.
 *
 * Slices are named here, in one place, so that two used in one test are
 * seen not to overlap.  A test lends from its slice only while it runs:
 * at its end every page must be back (its tasks are deleted), which
 * each user checks at its start (KmemControl LENT is 0 for every page).
 */
#ifndef TESTS_T_POOL_H
#define TESTS_T_POOL_H

#include "tests.h"

#define T_POOL_PAGES		128

/* t_kpreempt_work.c, all in one test: two kpagers' pools, the
 * preempting kpager's store of forms, and two pages of data. */
#define T_POOL_KW_OTHER		0       /* 32 pages: the other subsystem's FCFS kpager */
#define T_POOL_KW		32      /* 32 pages: the preempting (hostile) kpager */
#define T_POOL_KW_STORE		64      /* PREEMPT_RECORDS (48) pages */
#define T_POOL_KW_OTHER_PAGE	112     /* 1 page: the other task's sentinel */
#define T_POOL_KW_PAGE		113     /* 1 page: the workload's pattern */
#define T_POOL_KW_SHARE		114     /* 1 page: shared by the two (t_kpreempt_share.c) */
#define T_POOL_KW_SCRATCH	115     /* 1 page: the answer to their faults */
#define T_POOL_KW_STASH		116     /* 1 page: the hostile kpager's older form */
/* t_kpre_map.c: its kpager's pool and the forms it keeps (t_kpre_kp.c's
 * pool, lent at the same time, is its own). */
#define T_POOL_MK		0       /* 40 pages */
#define T_POOL_MK_FORMS		40      /* 12 pages */
#define T_POOL_MK_FILL		64      /* 64 pages, mapped on read-only */
/* t_kpre_mapover.c: its preempting kpager's pool, store, and a page. */
#define T_POOL_MO		0       /* 32 pages */
#define T_POOL_MO_STORE		32      /* PREEMPT_RECORDS (48) pages */
#define T_POOL_MO_PAGE		80      /* 1 page */
#define T_POOL_MO_FILL		64      /* 64 pages (over the two above), mapped on read-only:
					 * none of them lent */
/* t_attack_kpre.c: its logging kpager's pool. */
#define T_POOL_AK		0       /* 24 pages */

/* Pages [first, first + pages) of the block, got from sigma0 at the
 * first call and kept for the run; 0 if sigma0 had no block or the
 * slice does not fit. */
L4_Word_t t_pool(L4_Word_t first, L4_Word_t pages);
/* The slice's pages, at addr, are none of them lent now: an earlier
 * test gave every one back. */
const char *t_pool_unlent(L4_Word_t addr, L4_Word_t pages);

#endif
