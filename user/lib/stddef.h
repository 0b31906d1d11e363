/* SPDX-License-Identifier: BSD-2-Clause */
/* size_t, ptrdiff_t, NULL and offsetof for freestanding IA-32 programs. */
#ifndef LENT_STDDEF_H
#define LENT_STDDEF_H

/* <l4/ia32/types.h> defines size_t too, under the same guard. */
#ifndef LENT_SIZE_T_DEFINED
#define LENT_SIZE_T_DEFINED
typedef unsigned int size_t;
#endif
typedef int ptrdiff_t;

#ifndef NULL
#define NULL ((void *)0)
#endif

#define offsetof(type, member) __builtin_offsetof(type, member)

#endif
