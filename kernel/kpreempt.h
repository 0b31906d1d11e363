/* SPDX-License-Identifier: BSD-2-Clause */
/* A kpager taking back a frame it lent (kernel/kpreempt.c). */
#ifndef KERNEL_KPREEMPT_H
#define KERNEL_KPREEMPT_H
#include <kernel/types.h>

struct space;

/* The mapping database calls space_frame_revoking() (kernel/mapdb.h)
 * before a lender's mapping loses rights or goes: an Unmap, a map over
 * it, a grant that narrows it, its task's death. */
/* Give the frame pa back in its external form, if it is lent and its
 * kind can be exported; false: nothing changed. */
bool kpreempt_frame(uint32_t pa);
/* Frames of each kind given back so far (KmemControl, tests). */
uint32_t kpreempt_count(unsigned kind);

#endif
