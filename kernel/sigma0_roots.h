/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sigma0's root mappings: the idempotent (virtual == physical) mappings
 * every other mapping of memory is derived from.  Those over RAM are
 * built once at boot, from a reserve of their own; the rest (device
 * frames) only on demand, and only for sigma0 itself or a privileged
 * receiver.  See docs/architecture.md, "Kernel memory".
 */
#ifndef KERNEL_SIGMA0_ROOTS_H
#define KERNEL_SIGMA0_ROOTS_H

#include <kernel/types.h>
#include <kernel/memregion.h>

typedef struct space space_t;

/* Boot, once the frame table is built and before the pool: set aside,
 * from m, the memory the roots over all RAM (frame_is_ram()) will need,
 * and mark it kernel-owned.  Returns its size in bytes (panics if it
 * cannot). */
uint32_t sigma0_roots_reserve(mem_map_t *m);
/* Boot, once sigma0's space has its KIP and UTCB areas: build the roots
 * over RAM from that reserve; the unused rest joins the pool (in the
 * frame table too). */
void sigma0_roots_build(space_t *s0);

/*
 * Make sure sigma0 (s0) has its root mapping for the frame at pa, for a
 * map to `to`.  A missing root is made only when `to` is privileged, so
 * that no unprivileged task can make sigma0 spend kernel memory.  Returns
 * whether the root is there.  pa may be a frame's key from 3 GB up
 * (kernel/sigma0_high.h): those roots are all made at boot.
 */
bool sigma0_root_for_map(space_t *s0, uint32_t pa, const space_t *to);
/*
 * sigma0 faulted at va.  Returns true only if a root was missing and has
 * now been made, so that retrying the access succeeds; anything else
 * (no root can be had, or one was there already) is for the caller to
 * turn into an exception, never into a retry.
 */
bool sigma0_root_fault(space_t *s0, uint32_t va);
/* sigma0 touched ports first .. first + count - 1 (an in, out, ins or
 * outs it may not do yet): make their roots, which opens them to it.
 * False: not sigma0, or no kernel memory. */
bool sigma0_io_fault(space_t *s0, uint32_t first, uint32_t count);

#endif
