/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the sysenter tests share: t_sysenter.c (the entry from anywhere,
 * its registers and segments, which entry the stubs use) and
 * t_sysenter_frame.c (a frame entered by sysenter single-stepped,
 * rewound onto the stub, given a new IP).  t_x2utcb_state.c runs the
 * sysenter from outside the stub too.
 */
#ifndef TESTS_T_SYSENTER_H
#define TESTS_T_SYSENTER_H

#include "tests.h"
#include "t_sync.h"

/* t_se_raw's in: EAX, ECX, EDX, ESI, EDI, EBX, EBP, ESP for the
 * sysenter; out: the same registers as the thread finds them at
 * t_se_back, and its ESP.  The other helpers pass their words in and
 * out there too, as each says. */
extern L4_Word_t t_se_in[8], t_se_out[8];
void t_se_raw(void);
extern const char t_se_at[], t_se_back[];
/* The stub t_se_step and t_se_segs call. */
extern L4_Word_t t_se_stub;

#endif
