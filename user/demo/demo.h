/* SPDX-License-Identifier: BSD-2-Clause */
/* The `make run` demo: each step in a file of its own. */
#ifndef DEMO_DEMO_H
#define DEMO_DEMO_H

#include <stdio.h>
#include <l4/types.h>
#include <l4/ipc.h>
#include <l4/space.h>
#include <l4/sigma0.h>
#include <l4/kdebug.h>
#include "../rt/rt.h"

/* Thread IDs are printed as number.version. */
#define TID_FMT		"%lu.%lu"
#define TID_ARGS(t)	L4_ThreadNo(t), L4_Version(t)

/* Each step returns 1 if everything went as it should. */
int demo_sigma0(void);
int demo_pager(void);
int demo_ipc(void);
int demo_unmap(void);
int demo_kmem(void);

#endif
