/* SPDX-License-Identifier: BSD-2-Clause */
/* Basic fixed-width types for the freestanding kernel (no libc headers). */
#ifndef KERNEL_TYPES_H
#define KERNEL_TYPES_H

#ifdef LENT_KERNEL
typedef unsigned char      uint8_t;
typedef unsigned short     uint16_t;
typedef unsigned int       uint32_t;
typedef unsigned long long uint64_t;
typedef signed char        int8_t;
typedef short              int16_t;
typedef int                int32_t;
typedef long long          int64_t;
typedef unsigned long      uintptr_t;
typedef unsigned int       size_t;
typedef int                bool;
#define true  1
#define false 0
#define NULL  ((void *)0)
#else
/* Host unit tests compile the pure modules against the host C library. */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#endif

typedef uint32_t word_t;

#define PAGE_SHIFT 12
#define PAGE_SIZE  4096u
#define PAGE_MASK  (~(PAGE_SIZE - 1))
#define ALIGN_UP(x, a)   (((x) + ((a) - 1)) & ~((a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((a) - 1))
#define ARRAY_SIZE(a)    (sizeof(a) / sizeof((a)[0]))

#endif
