/* SPDX-License-Identifier: BSD-2-Clause */
/* What t_ipc_fast_recv.c and t_ipc_fast_reply.c share: their labels,
 * t_shared words, message and helpers (defined in t_ipc_fast_recv.c). */
#ifndef TESTS_T_IPC_FAST_RECV_H
#define TESTS_T_IPC_FAST_RECV_H

#include "tests.h"

#define FR_LABEL	0x7ca0
#define FR_REPLY	0x7cb0
#define FR_OTHER	0x7cc0

enum { FR_DONE = 10, FR_GOT, FR_ERROR, FR_OVER, FR_DONE_B, FR_GOT_B, FR_SERVED };

/* The redirector's record (t_redir_recorder(), t_redirect.c) at
 * t_shared[0 ..]: its count, the last tag, IntendedReceiver, receives
 * begun, and its mode (0: answer nothing). */
enum { FR_R_COUNT = 0, FR_R_TAG = 1, FR_R_INTENDED = 5, FR_R_MODE = 6, FR_R_ARMED = 7 };

extern const L4_Word_t fr_words[3];

L4_ThreadId_t fr_id(L4_Word_t raw);
/* The fast path's count, and (in on) whether it is on. */
L4_Word_t fr_count(L4_Word_t *on);
/* Calls to with FR_LABEL and fr_words: the reply's label (or 0x100 and
 * the error code) to FR_GOT, then FR_DONE++. */
void fr_caller(L4_Word_t to);
/* The same with FR_OTHER, to FR_GOT_B and FR_DONE_B. */
void fr_caller_b(L4_Word_t to);
/* Sends to alone with FR_LABEL + 1: 0 (or 0x100 and the error code) to
 * FR_GOT, then FR_DONE++. */
void fr_sender(L4_Word_t to);
/* Our FR_REPLY to s, fr_caller()'s, which waits for it: s gets it. */
const char *fr_answer(L4_ThreadId_t s);
/* A thread of ours one priority below us, running fn(our ID), blocked
 * sending to us; nil if it could not be made so. */
L4_ThreadId_t fr_queue(rt_entry_t fn);

/* A step a thread below us takes with another thread (fr_go_below()). */
typedef const char *(*fr_step_t)(L4_ThreadId_t peer);
/* A thread r two priorities below us, and a thread peer one below that
 * runs peer_fn(r's ID); once we block, peer runs first, then r takes
 * step(peer): its outcome to FR_ERROR, then FR_OVER is 1. */
const char *fr_go_below(rt_entry_t peer_fn, fr_step_t step, L4_ThreadId_t *r, L4_ThreadId_t *peer);

#endif
