/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Page tables, page directories and I/O bitmaps taken back by a kpager
 * (exported vacant), and the translations put back afterwards from what
 * the kernel keeps elsewhere (kernel/space_vacate.c).
 */
#ifndef KERNEL_SPACE_VACATE_H
#define KERNEL_SPACE_VACATE_H
#include <kernel/space.h>

struct kmem_need;

/* Take the page table of 4 MB slot pde out of s's directory, or the
 * directory out of s (the CPU lets go of it).  Cannot fail; the caller
 * gives the frame back. */
void space_vacate_pt(space_t *s, uint32_t pde);
void space_vacate_pdir(space_t *s);
/* The directory is back: link the page tables still lent to s. */
void space_relink_tables(space_t *s);

enum refill {
	REFILL_NONE,     /* the kernel knows no translation there: a fault */
	REFILL_DONE,     /* the translation is back: the access may go on */
	REFILL_NEED,     /* it needs a table its kpager must lend: *need */
};
/*
 * A fault at addr (an I/O fault's port block, see iofpage.h, for ports)
 * in s with access (RIGHT_R / RIGHT_W): put the translation back if the
 * kernel knows it (a mapping node, the KIP, a lent UTCB page, a port's
 * node) and only its table was missing or vacant.
 */
enum refill space_refill(space_t *s, uint32_t addr, uint32_t access, struct kmem_need *need);

#endif
