/* SPDX-License-Identifier: BSD-2-Clause */
/* The few C-library routines the kernel uses, written for it. */
#ifndef KERNEL_STRING_H
#define KERNEL_STRING_H

#include <kernel/types.h>

#ifdef LENT_KERNEL
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);
#else
#include <string.h>
#endif

#endif
