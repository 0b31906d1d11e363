/* SPDX-License-Identifier: BSD-2-Clause */
/* The kernel's command line (Multiboot): options are words apart. */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include <kernel/types.h>

/* Does the command line hold word as a whole word (between spaces or
 * the line's ends)?  "kdb=on" is not found in "kdb=onx". */
bool cmdline_has(const char *cmdline, const char *word);

#endif
