/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Formatted output over the kernel-debugger console (user/lib/printf.c).
 * Conversions: %d %i %u %x %X %o %p %s %c %%, with flags '-' '0',
 * a width (or '*'), a precision for strings and the length modifiers
 * h, hh, l, ll and z.
 */
#ifndef LENT_STDIO_H
#define LENT_STDIO_H

#include <stdarg.h>
#include <stddef.h>

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vprintf(const char *fmt, va_list ap);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int putchar(int c);
int puts(const char *s);

#endif
