/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the IPC files share among themselves (not for the rest of the
 * kernel, which uses kernel/ipc.h).  ipc.c runs the rendezvous,
 * ipc_match.c decides who may talk to whom, ipc_end.c finishes, fails,
 * cancels and times out IPCs, ipc_xfault.c handles transfers stopped by a
 * page fault.
 */
#ifndef KERNEL_IPC_INTERNAL_H
#define KERNEL_IPC_INTERNAL_H

#include <kernel/ipc.h>
#include <kernel/ipc_xfer.h>
#include <kernel/thread.h>

#define LABEL_EXCEPTION 0xFFB0u   /* -5 << 4: IA-32 exception message */

/* ipc_match.c */
bool waits_for(const tcb_t *t, const tcb_t *snd);
bool waits_for_id(const tcb_t *t, const tcb_t *snd);
bool from_matches(const tcb_t *rcv, tcb_t *snd);
tid_t sender_id(const tcb_t *rcv, const tcb_t *snd);
void propagate(tcb_t *snd, tcb_t *rcv, tid_t *from, word_t *tag);

/* ipc.c */
void senders_add(tcb_t *rcv, tcb_t *snd, bool front);
void senders_remove(tcb_t *snd);
/* The same two on resident parts (a thread away has no body). */
void senders_link(tcb_core_t *rcv, tcb_core_t *snd, bool front);
void senders_unlink(tcb_core_t *snd);
/* t's send waits on dest's queue, with t's send timeout (or fails now). */
void ipc_queue_send(tcb_t *t, tcb_core_t *dest);
/* t's receive phase to be run on the way out (it is TS_RECV). */
void ipc_work_add(tcb_t *t);
/* w, receiving from a thread that is deleted, fails with "no partner". */
void ipc_fail_no_partner(tcb_t *w);
/* t's send is done: its receive phase, or back to user. */
void ipc_finish_send(tcb_t *t);
void make_ready(tcb_t *t);
uint64_t timeout_deadline(timeout_t to, uint64_t now);

/*
 * The failure paths call each other in one direction only, so that no
 * failure can come back round to a thread it is already failing:
 *
 *   fail_both -> fail_ipc -> kernel_ipc_failed -> xfer_abort
 *             -> xfer_fail_one -> fail_user_ipc
 *   kernel_ipc_failed, drop_kernel_call, ipc_cancel
 *             -> xfer_release_held -> fail_user_ipc
 *
 * ipc_cancel, ipc_timeout, ipc_syscall and the detach paths enter it
 * part way down; fail_user_ipc ends it (it only readies the thread).  A
 * stopped transfer's partners are unlinked and their kernel calls
 * dropped before xfer_fail_one fails them, which is why it needs
 * fail_user_ipc only; a reply a thread held (its sender queued on it,
 * unlinked) is that sender's own Ipc, so fail_user_ipc ends it too.
 */

/* ipc_end.c */
void kernel_ipc_failed(tcb_t *t, uint32_t code);
/* Fail t's IPC with code: a kernel call of t through kernel_ipc_failed,
 * its own Ipc through fail_user_ipc. */
void fail_ipc(tcb_t *t, uint32_t code, bool receive_phase);
void fail_user_ipc(tcb_t *t, uint32_t code, bool receive_phase);
/* The same two, with the error's offset field set (Lent's
 * kernel-memory errors, <lent/kmem.h>). */
void fail_ipc_at(tcb_t *t, uint32_t code, bool receive_phase, uint32_t offset);
void fail_user_ipc_at(tcb_t *t, uint32_t code, bool receive_phase, uint32_t offset);
/* code as the sender sees it; bytes: the strings' bytes transferred. */
void fail_both(tcb_t *snd, tcb_t *rcv, int code, uint32_t bytes);
void finish_receive(tcb_t *rcv, tid_t from, word_t tag);
/* The send phase of t's message to dest (ipc.c): delivered, queued, or
 * failed; ipc_kcall.c sends the kernel's own messages through it. */
int send_phase(tcb_t *t, tcb_t *dest);
/* How long t's kernel-made message waits (ipc.c). */
timeout_t ipc_kernel_call_timeout(const tcb_t *t);

/* ipc_kfast.c: the kernel's own messages, the shapes whose outcome is
 * plain, with the general path's result. */
bool ipc_kernel_send_fast(tcb_t *t, tcb_t *dest);

/* ipc_xfault.c */
void xfer_unlink(tcb_t *a);
void xfer_fail_one(tcb_t *t, uint32_t code, uint32_t bytes);
/* The bytes of strings a stopped transfer of t's had transferred. */
uint32_t xfer_bytes(tcb_t *t);
void xfer_abort(tcb_t *t, uint32_t code_t, uint32_t code_partner);
void xfer_fault(tcb_t *snd, tcb_t *rcv, const xfer_fault_t *f);
void xfer_release_held(tcb_t *t);
void xfer_stop(tcb_t *snd, tcb_t *rcv);
struct kmem_need;
void xfer_kmem_unlinked(tcb_t *snd, tcb_t *rcv, const struct kmem_need *need);

#endif
