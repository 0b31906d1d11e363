/* SPDX-License-Identifier: BSD-2-Clause */
/* Architecture-specific extensions (IA-32: I/O fpages). */
#ifndef L4_ARCH_H
#define L4_ARCH_H

#include <l4/types.h>
#include <l4/ia32/arch.h>

#endif
