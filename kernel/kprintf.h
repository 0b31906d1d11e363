/* SPDX-License-Identifier: BSD-2-Clause */
/* Kernel console output. */
#ifndef KERNEL_KPRINTF_H
#define KERNEL_KPRINTF_H

#include <kernel/types.h>

void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kputs(const char *s);
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#endif
