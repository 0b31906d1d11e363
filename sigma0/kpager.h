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
/* sigma0 is about to give its store `pages` pages for the second sender
 * parts of task's mappings: an unprivileged task pays for them from the
 * budget of what sigma0 lends unprivileged tasks.  0 if that is spent
 * (the pages are not to be given); 1 if counted, or task is privileged. */
int kpager_charge_parts(L4_Word_t task, L4_Word_t pages);

#endif
