/* SPDX-License-Identifier: BSD-2-Clause */
/* Wake-up lateness under load (wakeup.c) and the loads (wakeup_loads.c). */
#ifndef BENCH_WAKEUP_H
#define BENCH_WAKEUP_H

#include "bench.h"

#define WK_LOAD_PRIO	50
#define WK_LABEL_GO	0x6701
#define WK_LABEL_DONE	0x6702
#define WK_LABEL_MAP	0x6703

/* For the executors: wait for main's "go"; report "done" and stop. */
void wk_wait_go(void);
void wk_report_done(L4_Word_t status) __attribute__((noreturn));
int wk_lower(L4_ThreadId_t t);
L4_ThreadId_t wk_local_executor(rt_entry_t body, L4_Word_t arg);

/* Each builds its load and returns the executor, waiting for "go" at
 * WK_LOAD_PRIO, or the nil thread (rt_last_error says why). */
L4_ThreadId_t wk_prepare_string_ipc(void);
L4_ThreadId_t wk_prepare_unmap(void);
L4_ThreadId_t wk_prepare_revoke(void);
L4_ThreadId_t wk_prepare_delete_task(void);
L4_ThreadId_t wk_prepare_receive_chain(void);

#endif
