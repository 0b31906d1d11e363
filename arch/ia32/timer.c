/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Time.  The clock is a free-running counter converted to microseconds,
 * never a count of interrupts, so time spent with interrupts off is not
 * lost: the time-stamp counter where CPUID reports one (its rate is the
 * boot-time measurement of arch_cpu_khz), otherwise PIT channel 2 left
 * counting through its full 16-bit range, whose wraps are accumulated on
 * every reading.  The timer interrupt comes from PIT channel 0 in one-shot
 * mode (mode 0), programmed for the next event the scheduler asks for.
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/clock.h>

#define PIT_HZ		1193182u
#define PIT_CH0		0x40
#define PIT_CH2		0x42
#define PIT_CMD		0x43
#define PIT_GATE_PORT	0x61
/* PIT counts per microsecond, 16.16 fixed point, rounded up so that an
 * interrupt never comes before the time asked for (by the PIT's clock). */
#define PIT_COUNTS_PER_US_16	78197u
/* Channel 2 wraps every 65536 counts (54.9 ms); the clock must be read
 * more often than that, so no event is ever further away than this. */
#define EVENT_MAX_US	40000u

static bool use_tsc;
static uint64_t tsc_base;
static uint32_t mult, shift;         /* µs = (counter * mult) >> shift, shift >= 32 */
static uint16_t pit_last;
static uint64_t pit_counts;          /* channel-2 counts since arch_timer_init */
static unsigned period_us;

/* (c * mult) >> shift without a 64-bit multiply or divide helper: the
 * 96-bit product in two 32x32 pieces, of which bits 32..95 are kept. */
static uint64_t scale(uint64_t c)
{
	uint64_t lo = (uint64_t)(uint32_t)c * mult;
	uint64_t hi = (uint64_t)(uint32_t)(c >> 32) * mult;

	return (hi + (lo >> 32)) >> (shift - 32);
}

/* n / d for a 64-bit n: two 32-bit divisions (divl). */
static uint64_t div64_32(uint64_t n, uint32_t d)
{
	uint32_t hi = (uint32_t)(n >> 32), lo = (uint32_t)n, q_lo, r;

	r = hi % d;
	__asm__("divl %4" : "=a"(q_lo), "=d"(r) : "a"(lo), "d"(r), "rm"(d));
	return ((uint64_t)(hi / d) << 32) | q_lo;
}

/* Counter rate in kHz -> the largest shift whose multiplier fits 32 bits. */
static void set_rate_khz(uint32_t khz)
{
	shift = 32;
	while (shift < 62 && ((uint64_t)1000 << (shift + 1 - 32)) < khz)
		shift++;
	mult = (uint32_t)div64_32((uint64_t)1000 << shift, khz);
}

static uint16_t pit2_read(void)
{
	outb(PIT_CMD, 0x80);                 /* latch channel 2 */
	uint8_t lo = inb(PIT_CH2);
	return (uint16_t)(lo | (inb(PIT_CH2) << 8));
}

void arch_timer_init(unsigned hz)
{
	uint32_t khz = arch_cpu_khz();         /* 0 without a TSC */

	period_us = 1000000u / hz;
	if (khz >= 1000) {
		use_tsc = true;
		set_rate_khz(khz);
		tsc_base = rdtsc();
	} else {
		/* Channel 2 free-running: gate on, speaker off, rate
		 * generator (mode 2) with the full count of 65536. */
		outb(PIT_GATE_PORT, (uint8_t)((inb(PIT_GATE_PORT) & ~0x02) | 0x01));
		outb(PIT_CMD, 0xB4);
		outb(PIT_CH2, 0);
		outb(PIT_CH2, 0);
		/* 10^6 / PIT_HZ < 1: the multiplier fits 32 bits at shift 32. */
		shift = 32;
		mult = (uint32_t)div64_32((uint64_t)1000000 << shift, PIT_HZ);
		pit_last = pit2_read();
	}
	arch_timer_event_at(arch_time_us() + period_us);
}

uint64_t arch_time_us(void)
{
	if (use_tsc)
		return scale(rdtsc() - tsc_base);
	uint16_t now = pit2_read();
	pit_counts += (uint16_t)(pit_last - now);    /* it counts down */
	pit_last = now;
	return scale(pit_counts);
}

bool timer_tsc_scale(uint64_t *base, uint32_t *m, uint32_t *s)
{
	*base = tsc_base;
	*m = mult;
	*s = shift;
	return use_tsc;
}

uint64_t arch_timer_event_at(uint64_t when_us)
{
	uint64_t now = arch_time_us();
	uint32_t delta = when_us <= now ? 0 :
			 when_us - now > EVENT_MAX_US ? EVENT_MAX_US : (uint32_t)(when_us - now);
	uint32_t count = ((delta * PIT_COUNTS_PER_US_16) >> 16) + 1;

	if (count > 0xFFFF)
		count = 0xFFFF;
	outb(PIT_CMD, 0x30);                 /* channel 0, lo/hi, mode 0 */
	outb(PIT_CH0, (uint8_t)count);
	outb(PIT_CH0, (uint8_t)(count >> 8));
	return now + delta;
}

uint64_t arch_timer_event_max_us(void) { return EVENT_MAX_US; }
/* One PIT count (0.84 µs) of rounding up. */
unsigned arch_timer_precision_us(void) { return 1; }
unsigned arch_timer_period_us(void) { return period_us; }
