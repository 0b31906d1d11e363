/* SPDX-License-Identifier: BSD-2-Clause */
/* sigma0's kpager role (kpager.c). */
#ifndef SIGMA0_KPAGER_H
#define SIGMA0_KPAGER_H

#include <l4/types.h>
#include <l4/message.h>

/* A kernel page fault (label LENT_LABEL_KPF): returns 1 with
 * the answer in the MRs, 0 to send none. */
int kpager_serve(L4_MsgTag_t tag);
unsigned long kpager_pages_lent(void);
/* No free RAM is left: pages set aside to lend that sigma0 will not
 * need go back to free memory.  Returns how many. */
unsigned kpager_release_spare(void);

#endif
