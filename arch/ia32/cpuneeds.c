/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What Lent needs of the processor, and the text of its refusal.  Pure,
 * so that the host unit tests can show every refusal, including the one
 * for a CPU without CPUID, which no QEMU CPU model presents.
 *
 * The needs are what the kernel uses without asking first:
 * - CPUID, to ask about everything else;
 * - an x87 FPU on the chip: the lazy FPU switch (fpu.c) clears CR0.EM and
 *   runs fninit, fnsave and frstor for its users;
 * - 4 MB pages (PSE): the kernel half of every address space maps
 *   physical memory with them (paging.c).
 * Everything else is used only where CPUID reports it: the TSC (the CPU
 * clock in the KIP, 0 without one), MMX state in the user tests.  The
 * kernel is compiled for the i586 but uses no i586 instruction other
 * than CPUID and RDTSC, and RDTSC only behind that check.
 */
#include <arch/cpucheck.h>

static const struct {
	uint32_t edx_bit;
	const char *name;
} cpu_needs[] = {
	{ 0, "an x87 FPU" },
	{ 3, "4 MB pages (PSE)" },
};

/* Append s at *at, within size bytes of text, always NUL-terminated. */
static void put(char *text, size_t size, size_t *at, const char *s)
{
	while (*s && *at + 1 < size)
		text[(*at)++] = *s++;
	if (*at < size)
		text[*at] = 0;
}

/* How many of the needs miss selects (no __builtin_popcount: the kernel
 * links without libgcc). */
static unsigned count(uint32_t miss)
{
	unsigned n = 0;

	for (; miss; miss &= miss - 1)
		n++;
	return n;
}

/* Join the names of the needs that miss selects: "a, b and c". */
static void put_list(char *text, size_t size, size_t *at, bool cpuid_too,
		     uint32_t miss)
{
	unsigned total = count(miss) + (cpuid_too ? 1 : 0), done = 0;

	if (cpuid_too) {
		put(text, size, at, "CPUID");
		done++;
	}
	for (unsigned i = 0; i < ARRAY_SIZE(cpu_needs); i++) {
		if (!(miss & (1u << i)))
			continue;
		if (done)
			put(text, size, at, done + 1 == total ? " and " : ", ");
		put(text, size, at, cpu_needs[i].name);
		done++;
	}
}

unsigned cpu_refusal(bool has_cpuid, uint32_t edx, char *text, size_t size)
{
	uint32_t all = (1u << ARRAY_SIZE(cpu_needs)) - 1, miss = 0;
	size_t at = 0;

	/* Without CPUID nothing else can be asked: name only that. */
	for (unsigned i = 0; has_cpuid && i < ARRAY_SIZE(cpu_needs); i++)
		if (!(edx & (1u << cpu_needs[i].edx_bit)))
			miss |= 1u << i;
	if (size)
		text[0] = 0;
	if (has_cpuid && !miss)
		return 0;
	put(text, size, &at, "Lent needs a CPU with ");
	put_list(text, size, &at, true, all);
	put(text, size, &at, ": this one lacks ");
	put_list(text, size, &at, !has_cpuid, miss);
	put(text, size, &at, "\n");
	return has_cpuid ? count(miss) : 1;
}
