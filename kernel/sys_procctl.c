/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ProcessorControl (X.2, privileged): set a processor's internal and
 * external frequency (kHz) and voltage (mV); -1 leaves a value as it is.
 * A PC gives the kernel no portable way to change any of them, so what
 * this kernel honours is processor 0 with every value -1 or the value it
 * already has: the internal frequency the KIP publishes (when it is
 * known, that is, non-zero).  Anything else is "invalid parameter".
 */
#include <kernel/syscall.h>
#include <kernel/space.h>
#include <arch/arch.h>

#define PROCCTL_KEEP (~(word_t)0)

word_t sys_processor_control(tcb_t *t, word_t cpu, word_t internal_khz,
			     word_t external_khz, word_t voltage)
{
	uint32_t khz = arch_cpu_khz();

	if (!t->space->privileged)
		return sys_fail(t, ERR_NO_PRIVILEGE);
	if (cpu != 0)
		return sys_fail(t, ERR_INVALID_PARAM);
	if (internal_khz != PROCCTL_KEEP && (khz == 0 || internal_khz != khz))
		return sys_fail(t, ERR_INVALID_PARAM);
	if (external_khz != PROCCTL_KEEP || voltage != PROCCTL_KEEP)
		return sys_fail(t, ERR_INVALID_PARAM);
	return 1;
}
