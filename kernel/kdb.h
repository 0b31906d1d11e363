/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The interactive kernel debugger on the serial console (docs/abi.md
 * §10).  Built into every kernel; the boot option kdb=on|off decides
 * how it is entered:
 *   default   ESC on the serial line (polled at every timer interrupt)
 *             enters it; L4_KDB_Enter prints "KD# msg" and goes on.
 *   kdb=on    as well, L4_KDB_Enter (other than a privileged
 *             "shutdown") and an int3 breakpoint of a thread without an
 *             exception handler enter it.
 *   kdb=off   never: ESC is an ordinary key.
 * Runs that nobody types at (make test, make run) therefore never stop
 * in it unless kdb=on is given.
 */
#ifndef KERNEL_KDB_H
#define KERNEL_KDB_H

#include <kernel/types.h>

struct tcb;

/* Read kdb=on / kdb=off from the kernel command line. */
void kdb_configure(const char *cmdline);
/* The timer interrupt: look for ESC on the serial line (keeping every
 * other key for the console calls) and enter the debugger on it. */
void kdb_tick(void);
/* The console calls' key: the oldest key typed, or -1 if none. */
int kdb_console_getc(void);
/* L4_KDB_Enter by t, its message printed: enter with kdb=on. */
void kdb_enter_call(struct tcb *t);
/* An int3 of t that is no console call: true if the debugger took it
 * (t then goes on after the int3), false to send the exception. */
bool kdb_breakpoint(struct tcb *t);

#endif
