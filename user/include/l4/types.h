/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * L4 X.2 basic types: words, error codes, fpages, thread IDs, clock and
 * time values.  Names and layouts are those of the X.2 reference manual
 * and Pistachio's user library, so that X.2 programs compile unchanged.
 */
#ifndef L4_TYPES_H
#define L4_TYPES_H

#if !defined(__i386__)
#error "Lent's L4 user library supports IA-32 only"
#endif

#define L4_ARCH_IA32
#define __L4_ARCH__		ia32
#define __L4_INC_ARCH(file)	<l4/ia32/file>

#include <l4/ia32/types.h>

typedef L4_Word_t L4_Bool_t;

#define L4_HAVE_SIGNED_WORD
#define L4_INLINE		static inline
#define L4_BITS_PER_WORD	(sizeof(L4_Word_t) * 8)

/* Error codes of the privileged system calls (ErrorCode TCR). */
#define L4_ErrOk		0
#define L4_ErrNoPrivilege	1
#define L4_ErrInvalidThread	2
#define L4_ErrInvalidSpace	3
#define L4_ErrInvalidScheduler	4
#define L4_ErrInvalidParam	5
#define L4_ErrUtcbArea		6
#define L4_ErrKipArea		7
#define L4_ErrNoMem		8

/*
 * Fpages: rights in bits 0..2, log2 size s in bits 4..9, base (aligned to
 * the size) in bits 10..31.  s == 1 with base 0 is the complete space.
 */
typedef union {
	L4_Word_t raw;
	struct {
		L4_Word_t rwx : 3;
		L4_Word_t reserved : 1;
		L4_Word_t s : 6;
		L4_Word_t b : 22;
	} X;
} L4_Fpage_t;

#define L4_Readable		0x04
#define L4_Writable		0x02
#define L4_eXecutable		0x01
#define L4_FullyAccessible	0x07
#define L4_ReadWriteOnly	0x06
#define L4_ReadeXecOnly		0x05
#define L4_NoAccess		0x00

#define L4_Nilpage		((L4_Fpage_t) { .raw = 0 })
#define L4_CompleteAddressSpace	((L4_Fpage_t) { .raw = 1UL << 4 })

#include <l4/ia32/specials.h>

L4_INLINE L4_Bool_t L4_IsNilFpage(L4_Fpage_t f) { return f.raw == 0; }
L4_INLINE L4_Word_t L4_Rights(L4_Fpage_t f) { return f.X.rwx; }

L4_INLINE L4_Fpage_t L4_Set_Rights(L4_Fpage_t *f, L4_Word_t rwx)
{
	f->X.rwx = rwx;
	return *f;
}

L4_INLINE L4_Fpage_t L4_FpageAddRights(L4_Fpage_t f, L4_Word_t rwx)
{
	f.X.rwx |= rwx;
	return f;
}

L4_INLINE L4_Fpage_t L4_FpageAddRightsTo(L4_Fpage_t *f, L4_Word_t rwx)
{
	f->X.rwx |= rwx;
	return *f;
}

L4_INLINE L4_Fpage_t L4_FpageRemoveRights(L4_Fpage_t f, L4_Word_t rwx)
{
	f.X.rwx &= ~rwx;
	return f;
}

L4_INLINE L4_Fpage_t L4_FpageRemoveRightsFrom(L4_Fpage_t *f, L4_Word_t rwx)
{
	f->X.rwx &= ~rwx;
	return *f;
}

/* An fpage of 2^FpageSize bytes; the base keeps its bits 10..31. */
L4_INLINE L4_Fpage_t L4_FpageLog2(L4_Word_t BaseAddress, int FpageSize)
{
	L4_Fpage_t f;

	f.raw = BaseAddress & ~0x3ffUL;
	f.X.s = FpageSize;
	return f;
}

/* An fpage covering FpageSize bytes, rounded up to a power of two. */
L4_INLINE L4_Fpage_t L4_Fpage(L4_Word_t BaseAddress, L4_Word_t FpageSize)
{
	int log2 = 0;

	if (FpageSize != 0) {
		log2 = __L4_Msb(FpageSize);
		if ((1UL << log2) < FpageSize)
			log2++;
	}
	return L4_FpageLog2(BaseAddress, log2);
}

L4_INLINE L4_Word_t L4_Address(L4_Fpage_t f)
{
	if (f.X.s >= 32)
		return 0;
	return f.raw & ~((1UL << f.X.s) - 1) & ~0x3ffUL;
}

/* 0 for sizes a word cannot hold (and for the nil fpage). */
L4_INLINE L4_Word_t L4_Size(L4_Fpage_t f)
{
	return (f.X.s == 0 || f.X.s >= 32) ? 0 : 1UL << f.X.s;
}

L4_INLINE L4_Word_t L4_SizeLog2(L4_Fpage_t f) { return f.X.s; }

/*
 * Thread IDs.  Global: version in bits 0..13, thread number in 14..31.
 * Local: bits 0..5 zero, the rest is the thread's UTCB address.
 */
typedef union {
	L4_Word_t raw;
	struct {
		L4_Word_t version : 14;
		L4_Word_t thread_no : 18;
	} X;
} L4_GthreadId_t;

typedef union {
	L4_Word_t raw;
	struct {
		L4_Word_t __zeros : 6;
		L4_Word_t local_id : 26;
	} X;
} L4_LthreadId_t;

typedef union {
	L4_Word_t raw;
	L4_GthreadId_t global;
	L4_LthreadId_t local;
} L4_ThreadId_t;

_Static_assert(sizeof(L4_ThreadId_t) == 4, "thread IDs are one word");
_Static_assert(sizeof(L4_Fpage_t) == 4, "fpages are one word");

#define L4_nilthread		((L4_ThreadId_t) { .raw = 0 })
#define L4_anythread		((L4_ThreadId_t) { .raw = ~0UL })
#define L4_anylocalthread	((L4_ThreadId_t) { .raw = ~0x3fUL })

L4_INLINE L4_ThreadId_t L4_GlobalId(L4_Word_t threadno, L4_Word_t version)
{
	L4_ThreadId_t t;

	t.raw = 0;
	t.global.X.thread_no = threadno;
	t.global.X.version = version;
	return t;
}

L4_INLINE L4_Word_t L4_Version(L4_ThreadId_t t) { return t.global.X.version; }
L4_INLINE L4_Word_t L4_ThreadNo(L4_ThreadId_t t) { return t.global.X.thread_no; }
L4_INLINE L4_Bool_t L4_IsThreadEqual(const L4_ThreadId_t l, const L4_ThreadId_t r) { return l.raw == r.raw; }
L4_INLINE L4_Bool_t L4_IsThreadNotEqual(const L4_ThreadId_t l, const L4_ThreadId_t r) { return l.raw != r.raw; }
L4_INLINE L4_Bool_t L4_IsNilThread(L4_ThreadId_t t) { return t.raw == 0; }
L4_INLINE L4_Bool_t L4_IsLocalId(L4_ThreadId_t t) { return t.local.X.__zeros == 0; }
L4_INLINE L4_Bool_t L4_IsGlobalId(L4_ThreadId_t t) { return t.local.X.__zeros != 0; }

/* The system clock counts microseconds in 64 bits. */
typedef union {
	L4_Word64_t raw;
	struct {
		L4_Word32_t low;
		L4_Word32_t high;
	} X;
} L4_Clock_t;

L4_INLINE L4_Clock_t L4_ClockAddUsec(const L4_Clock_t c, const L4_Word64_t r)
{
	return (L4_Clock_t) { .raw = c.raw + r };
}

L4_INLINE L4_Clock_t L4_ClockSubUsec(const L4_Clock_t c, const L4_Word64_t r)
{
	return (L4_Clock_t) { .raw = c.raw - r };
}

L4_INLINE L4_Bool_t L4_IsClockEarlier(const L4_Clock_t l, const L4_Clock_t r) { return l.raw < r.raw; }
L4_INLINE L4_Bool_t L4_IsClockLater(const L4_Clock_t l, const L4_Clock_t r) { return l.raw > r.raw; }
L4_INLINE L4_Bool_t L4_IsClockEqual(const L4_Clock_t l, const L4_Clock_t r) { return l.raw == r.raw; }
L4_INLINE L4_Bool_t L4_IsClockNotEqual(const L4_Clock_t l, const L4_Clock_t r) { return l.raw != r.raw; }

/*
 * Time values (16 bits).  A period is m * 2^e microseconds (a == 0);
 * raw 0 means "never", m == 0 with e != 0 means "zero time".  A point
 * (a == 1) names a clock value; the library has no helper building one.
 */
typedef union {
	L4_Word16_t raw;
	struct {
		L4_Word16_t m : 10;
		L4_Word16_t e : 5;
		L4_Word16_t a : 1;
	} period;
	struct {
		L4_Word16_t m : 10;
		L4_Word16_t c : 1;
		L4_Word16_t e : 4;
		L4_Word16_t a : 1;
	} point;
} L4_Time_t;

_Static_assert(sizeof(L4_Time_t) == 2, "time values are 16 bits");

#define L4_Never	((L4_Time_t) { .raw = 0 })
#define L4_ZeroTime	((L4_Time_t) { .raw = 1 << 10 })

/* The nearest period not longer than `microseconds` (the mantissa is
 * truncated to 10 bits); L4_Never when it does not fit, zero time for 0. */
L4_INLINE L4_Time_t L4_TimePeriod(L4_Word64_t microseconds)
{
	L4_Time_t t;
	L4_Word_t e = 0;

	if (microseconds == 0)
		return L4_ZeroTime;
	while (microseconds >= 1024) {
		microseconds >>= 1;
		e++;
	}
	if (e > 31)
		return L4_Never;
	t.raw = 0;
	t.period.m = (L4_Word16_t)microseconds;
	t.period.e = e;
	return t;
}

#endif
