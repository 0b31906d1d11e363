/* SPDX-License-Identifier: BSD-2-Clause */
/* Console I/O as Pistachio's L4 programs expect it (<l4io.h>). */
#ifndef LENT_L4IO_H
#define LENT_L4IO_H

#include <l4/types.h>
#include <stdarg.h>
#include <stdio.h>

/* One character to the console; a blocking read of one character. */
void putc(int c);
int getc(void);

#endif
