/* SPDX-License-Identifier: BSD-2-Clause */
/* Variable arguments through the compiler's builtins. */
#ifndef LENT_STDARG_H
#define LENT_STDARG_H

typedef __builtin_va_list va_list;

#define va_start(ap, last)	__builtin_va_start(ap, last)
#define va_arg(ap, type)	__builtin_va_arg(ap, type)
#define va_end(ap)		__builtin_va_end(ap)
#define va_copy(dst, src)	__builtin_va_copy(dst, src)

#endif
