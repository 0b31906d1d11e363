/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The in-QEMU test suite: each test is one small function that returns 0
 * when the kernel did what X.2 says, or a one-line reason.  Each file
 * exports a table of its tests (designated initialisers, ended by an
 * empty entry); main.c runs them and prints the protocol of
 * docs/team-conventions.md.
 */
#ifndef TESTS_TESTS_H
#define TESTS_TESTS_H

#include <stdio.h>
#include <l4/types.h>
#include <l4/kip.h>
#include <l4/ipc.h>
#include <l4/message.h>
#include <l4/thread.h>
#include <l4/schedule.h>
#include <l4/space.h>
#include <l4/sigma0.h>
#include <l4/misc.h>
#include <l4/kdebug.h>
#include "../rt/rt.h"

struct test {
	const char *name;
	const char *(*fn)(void);
};

#define TEST(n)	{ .name = #n, .fn = t_##n }

extern const struct test kip_tests[], bootinfo_tests[], utcb_tests[], clock_tests[], sysclock_tests[];
extern const struct test thread_tests[], space_tests[], exreg_tests[];
extern const struct test sched_tests[], ipc_tests[], ipc_chain_tests[], ipc_error_tests[];
extern const struct test sched_x2_tests[];
extern const struct test ipc_item_tests[], string_tests[], fault_tests[];
extern const struct test xstring_tests[], xstring_xfer_tests[], x2strings_tests[], x2unmap_tests[];
extern const struct test unmap_tests[], sigma0_tests[], misc_tests[];
extern const struct test unmap_rx_tests[];
extern const struct test split_stop_tests[];    /* t_split_stop.c */
extern const struct test split_reap_tests[];    /* t_split_reap.c */
extern const struct test nodeback_tests[];      /* t_nodeback.c */
extern const struct test kdb_tests[];
extern const struct test fpu_tests[], sse_tests[], ipc_prop_tests[], fuzz_tests[];
extern const struct test redirect_tests[], redirect_kmsg_tests[], redirect_attack_tests[];
extern const struct test kmem_tests[], kmem_last_tests[], trap_tests[];
extern const struct test kmem_exhaust_tests[], kmem_numbers_tests[];
extern const struct test tclife_tests[], mapx_tests[], s0attack_tests[];
extern const struct test s0attack_pager_tests[];
extern const struct test tcb_tests[], tcbattack_tests[], tcbattack_pages_tests[];
extern const struct test migrate_tests[];
extern const struct test clock_load_tests[], s0hang_tests[], preempt_tests[];
extern const struct test preempt_fix_tests[], preempt_attack_xfer_tests[];
extern const struct test preempt_attack_space_tests[], kpf_tests[], kpager_tests[];
extern const struct test preempt_attack_map_tests[];
extern const struct test frames_tests[], kattack_tests[], kattack_roles_tests[];
extern const struct test kattack_ctl_tests[], kowned_tests[], s0store_tests[];
extern const struct test split_s0part_tests[];
extern const struct test margin_tests[];         /* t_margin.c: run last */
extern const struct test selfcheck_tests[];
extern const struct test klend_tests[], kpreempt_tests[], kpreempt_more_tests[], kpreempt_work_tests[];
extern const struct test kpreempt_io_tests[], kpre_tcb_tests[], kpre_tcb_edit_tests[], kpre_utcb_tests[];
extern const struct test kpre_tcb_more_tests[];
extern const struct test kpre_map_tests[], kpre_mapover_tests[];
extern const struct test kpre_left_tests[];
extern const struct test accessbits_away_tests[];
extern const struct test x2utcb_tests[];
extern const struct test highmem_tests[];
extern const struct test highmem4g_tests[];
extern const struct test ktask_tests[];
extern const struct test kpf_multi_tests[], kpf_deadlock_tests[], kpf_back_tests[];
extern const struct test tasklayout_tests[];
extern const struct test io_tests[];
extern const struct test kpfnote_tests[], kstrip_tests[], kpfregs_tests[];
extern const struct test kahead_tests[];
extern const struct test khostile_recv_tests[], khostile_tests[], khostile_bad_tests[];
extern const struct test khostile_nest_tests[], khostile_tc_tests[];
extern const struct test knodes_tests[];
/* Hostile user tasks against the kernel (t_attack_*.c, docs/attack-surface.md). */
extern const struct test attack_s0_tests[], attack_kpre_tests[], attack_kpf_tests[];
extern const struct test attack_sys_tests[];
extern const struct test irq_tests[];
/* t_irq.c: interrupt thread n, its association, a receive from it, and
 * the RTC (IRQ 8): rtc_fired() waits until it raised its line again,
 * with_rtc() runs a test with it ticking and frees IRQ 8 after. */
L4_ThreadId_t irq_thread(L4_Word_t n);
L4_Word_t associate(L4_Word_t n, L4_ThreadId_t handler);
L4_MsgTag_t irq_receive(L4_ThreadId_t from, L4_Time_t to, L4_ThreadId_t *who);
void rtc_fired(void);
/* The RTC's periodic interrupt on (1,024 a second) and off again. */
void rtc_start(void);
void rtc_stop(void);
const char *with_rtc(const char *(*body)(void));
extern const struct test x2rest_tests[], x2rest_redir_tests[];
extern const struct test x2abi_tests[], x2abi_ipc_tests[], lipc_fast_tests[];
extern const struct test ipc_fast_peer_tests[];
extern const struct test ipc_fast_once_tests[];
extern const struct test ipc_fast_pair_tests[];
extern const struct test ipc_fast_send_tests[];
extern const struct test ipc_fast_recv_tests[];
extern const struct test ipc_fast_reply_tests[];
extern const struct test ipc_fast_attack_tests[];

/* Port I/O (t_io.c): plain inb and outb, which fault to the pager where
 * the space lacks the port. */
L4_Word_t t_io_inb(L4_Word_t port);
void t_io_outb(L4_Word_t port, L4_Word_t value);
extern const struct test x2misc_tests[];
extern const struct test sysenter_tests[], ipc_int_on_tests[], ipc_int_off_tests[];
extern const struct test sysenter_frame_tests[];
/* t_x2misc.c: whether CPUID reports a PAT (write-combining, write-protected). */
int t_cpu_has_pat(void);

/* Failure reports: a "#" diagnostic line, then the reason for "not ok". */
const char *t_fail(const char *file, int line, const char *what);
const char *t_fail_eq(const char *file, int line, const char *what,
		      L4_Word_t got, L4_Word_t want);

#define CHECK(c)							\
	do {								\
		if (!(c))						\
			return t_fail(__FILE__, __LINE__, #c);		\
	} while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		L4_Word_t a_ = (L4_Word_t)(a), b_ = (L4_Word_t)(b);	\
		if (a_ != b_)						\
			return t_fail_eq(__FILE__, __LINE__,		\
					 #a " == " #b, a_, b_);		\
	} while (0)

/* The kernel's self-check; NULL if it found nothing wrong. */
const char *t_selfcheck(void);

/* ErrorCode of an IPC, without the offset bits: (code << 1) | phase. */
#define EC_SEND(code)	((L4_Word_t)(code) << 1)
#define EC_RECV(code)	(((L4_Word_t)(code) << 1) | 1)
L4_Word_t t_ipc_ec(void);
/* t blocked in its receive (Schedule says so); t in Schedule's state
 * want.  No clock bound (t_sync.h): 0 only if t is gone. */
int t_waiting(L4_ThreadId_t t);
int t_sched_state(L4_ThreadId_t t, L4_Word_t want);
/* t blocked in IPC as ExchangeRegisters's control word says, with no
 * clock bound: bit __L4_EXREGS_ABORT_RECV a receive, __L4_EXREGS_ABORT_SEND
 * a send (the caller must be allowed to name t: its space or its pager);
 * 0 if it cannot name t. */
int t_ipc_blocked(L4_ThreadId_t t, L4_Word_t bit);

/* How long a test waits for a partner before it gives up.  A bound on
 * what is not about time is a dependence on the host's speed (t_sync.h):
 * a build with -DT_WAIT_US=1 shows the waits that still have it. */
#ifndef T_WAIT_US
#define T_WAIT_US	2000000UL
#endif

/* Words the threads of a test share (zeroed before each test). */
#define T_SHARED	32
extern volatile L4_Word_t t_shared[T_SHARED];

L4_ThreadId_t t_nonexistent(void);
L4_Word_t t_kernel_addr(void);
L4_Word_t t_page(void);
/* The KIP's memory type of physical address pa; none: device memory. */
#define T_KIP_TYPE_NONE	0
L4_Word_t t_kip_type(L4_Word_t pa);
/* The top of conventional memory, in MB, from the KIP. */
L4_Word_t t_ram_mb(void);
void t_touch_image(void);
L4_Word_t t_time_us(L4_Time_t t);
int t_wait_for(volatile L4_Word_t *w, L4_Word_t want, L4_Word_t us);
/* Poll *w the same way until it is no longer old. */
int t_wait_change(volatile L4_Word_t *w, L4_Word_t old, L4_Word_t us);
L4_Word_t t_gs0(void);
L4_ThreadId_t t_sched_new(L4_ThreadId_t scheduler, L4_Word_t utcb);

/* Thread bodies several files use. */
void t_sleeper(L4_Word_t arg);
void t_echo(L4_Word_t arg);
void t_spinner(L4_Word_t index);
/* Thread bodies that block in IPC with the main thread for good. */
void t_receive_from_main(L4_Word_t arg);
void t_send_to_main(L4_Word_t arg);
void t_flagger(L4_Word_t index);

/* A root thread that sends one message (tag and words as given) with a
 * send timeout never and records the outcome; for when main must stay
 * free to act as a child's pager meanwhile.  xfer: its XferTimeouts TCR.
 * A receiver that never comes is a hang the harness names (t_sync.h). */
L4_ThreadId_t t_send_async(L4_ThreadId_t to, L4_MsgTag_t tag, const L4_Word_t *w,
			   L4_Word_t xfer);
void t_send_async_wait(L4_MsgTag_t *tag, L4_Word_t *ec);

/* t_agent.c: driving agents whose pager is main. */
L4_MsgTag_t t_tag(L4_Word_t label, int u, int t);
L4_MapItem_t t_map_item(L4_Word_t base, int log2, L4_Word_t rights, L4_Word_t snd_base);
int t_ag_ok(L4_MsgTag_t tag);
const char *t_ag_accept(L4_ThreadId_t ag, L4_Word_t window, int log2);
const char *t_ag_give(L4_ThreadId_t ag, L4_Word_t i0, L4_Word_t i1, L4_Word_t *res,
		      L4_Word_t *sec);
const char *t_ag_give_map(L4_ThreadId_t ag, L4_MapItem_t m, L4_Word_t *res, L4_Word_t *sec);
const char *t_ag_reads(L4_ThreadId_t ag, L4_Word_t addr, L4_Word_t want);
const char *t_ag_faults(L4_ThreadId_t ag, L4_Word_t addr, int write);
const char *t_ag_give_words(L4_ThreadId_t ag, L4_Word_t label, int n, const L4_Word_t *items);
const char *t_ag_pass_map(L4_ThreadId_t from, L4_ThreadId_t to, L4_MapItem_t m);

#define RUN(x)	do { const char *r_ = (x); if (r_) return r_; } while (0)

/* Send one propagated word with virtual sender vs (t_ipc_prop.c, t_redirect.c). */
L4_MsgTag_t t_prop_send(L4_ThreadId_t to, L4_ThreadId_t vs, L4_Word_t label, L4_Word_t w,
			L4_Word_t us);

/* Send to the label with op and w in MR1 and MR2 (a command to a task
 * that waits for them, t_redirect_kmsg.c, t_redirect_attack.c). */
const char *t_command(L4_ThreadId_t to, L4_Word_t label, L4_Word_t op, L4_Word_t w);

/* Forward the message in the MRs as from (propagated) to the intended
 * receiver of the one just received, send timeout snd. */
L4_MsgTag_t t_redir_forward(L4_MsgTag_t tag, L4_ThreadId_t from, L4_Time_t snd);

/* t_redirect.c's recorder (its words from t_shared[base]) and sender
 * (commands from thread arg), for t_x2rest_redir.c. */
void t_redir_recorder(L4_Word_t base);
void t_redir_sender(L4_Word_t arg);

/* Receive one exception message from t within us (RT_NEVER_US: no
 * timeout); its twelve words in w (t_common.c). */
const char *t_exception(L4_ThreadId_t t, L4_Word_t us, L4_Word_t *w);

/* Load a message: label, u untyped words, then t typed words. */
void t_load(L4_Word_t label, int u, const L4_Word_t *w, int t, const L4_Word_t *items);

#endif
