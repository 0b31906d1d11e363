/* SPDX-License-Identifier: BSD-2-Clause */
/* Kernel-debugger console: L4_KDB_PrintChar, L4_KDB_Enter and friends. */
#ifndef L4_KDEBUG_H
#define L4_KDEBUG_H

#include <l4/types.h>
#include <l4/ia32/kdebug.h>

/* Old names still used by some programs. */
#define enter_kdebug(x)		L4_KDB_Enter(x)
#define kd_inchar()		L4_KDB_ReadChar_Blocked()

#endif
