/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Accessors for the Kernel Interface Page and its memory and processor
 * descriptors.  Part of <l4/kip.h>; include that instead.
 */
#ifndef L4_KIPACCESS_H
#define L4_KIPACCESS_H

#include <l4/kip.h>

#define __L4_KIP(p)	((L4_KernelInterfacePage_t *)(p))

L4_INLINE L4_KernelDesc_t *__L4_KernelDesc(void *kip)
{
	return (L4_KernelDesc_t *)((L4_Word_t)kip + __L4_KIP(kip)->KernelVerPtr);
}

L4_INLINE void L4_KernelGenDate(void *KernelInterface, L4_Word_t *year, L4_Word_t *month,
				L4_Word_t *day)
{
	L4_KernelDesc_t *d = __L4_KernelDesc(KernelInterface);

	*year = d->KernelGenDate.X.year + 2000;
	*month = d->KernelGenDate.X.month;
	*day = d->KernelGenDate.X.day;
}

L4_INLINE L4_Word_t L4_KernelVersion(void *KernelInterface)
{
	return __L4_KernelDesc(KernelInterface)->KernelVer.raw;
}

L4_INLINE L4_Word_t L4_KernelSupplier(void *KernelInterface)
{
	return __L4_KernelDesc(KernelInterface)->Supplier;
}

L4_INLINE char *L4_KernelVersionString(void *KernelInterface)
{
	return __L4_KernelDesc(KernelInterface)->VersionString;
}

/* Feature strings follow the version string; the list ends with an
 * empty string.  Returns 0 past the last feature. */
L4_INLINE char *L4_Feature(void *KernelInterface, L4_Word_t num)
{
	char *s = L4_KernelVersionString(KernelInterface);

	for (;;) {
		while (*s)
			s++;
		s++;			/* past the NUL of the previous string */
		if (*s == 0)
			return (char *)0;
		if (num-- == 0)
			return s;
	}
}

L4_INLINE L4_Bool_t L4_HasFeature(const char *feature_name)
{
	void *kip = L4_GetKernelInterface();
	const char *f, *n;
	L4_Word_t i;

	for (i = 0; (f = L4_Feature(kip, i)) != 0; i++) {
		for (n = feature_name; *f && *f == *n; f++, n++)
			;
		if (*f == 0 && *n == 0)
			return 1;
	}
	return 0;
}

L4_INLINE L4_Word_t L4_NumProcessors(void *KernelInterface)
{
	return __L4_KIP(KernelInterface)->ProcessorInfo.X.processors + 1;
}

L4_INLINE L4_Word_t L4_NumMemoryDescriptors(void *KernelInterface)
{
	return __L4_KIP(KernelInterface)->MemoryInfo.n;
}

/* Bit n set: pages of 2^n bytes can be mapped. */
L4_INLINE L4_Word_t L4_PageSizeMask(void *KernelInterface)
{
	return (L4_Word_t)__L4_KIP(KernelInterface)->PageInfo.X.page_size_mask << 10;
}

L4_INLINE L4_Word_t L4_PageRights(void *KernelInterface)
{
	return __L4_KIP(KernelInterface)->PageInfo.X.rwx;
}

L4_INLINE L4_Word_t L4_ThreadIdBits(void *KernelInterface)
{
	return __L4_KIP(KernelInterface)->ThreadInfo.X.t;
}

L4_INLINE L4_Word_t L4_ThreadIdSystemBase(void *KernelInterface)
{
	return __L4_KIP(KernelInterface)->ThreadInfo.X.SystemBase;
}

L4_INLINE L4_Word_t L4_ThreadIdUserBase(void *KernelInterface)
{
	return __L4_KIP(KernelInterface)->ThreadInfo.X.UserBase;
}

L4_INLINE L4_Word_t L4_ReadPrecision(void *KernelInterface)
{
	return __L4_KIP(KernelInterface)->ClockInfo.X.ReadPrecision;
}

L4_INLINE L4_Word_t L4_SchedulePrecision(void *KernelInterface)
{
	return __L4_KIP(KernelInterface)->ClockInfo.X.SchedulePrecision;
}

L4_INLINE L4_Word_t L4_UtcbAreaSizeLog2(void *KernelInterface)
{
	return __L4_KIP(KernelInterface)->UtcbAreaInfo.X.s;
}

L4_INLINE L4_Word_t L4_UtcbAreaSize(void *KernelInterface)
{
	return 1UL << L4_UtcbAreaSizeLog2(KernelInterface);
}

L4_INLINE L4_Word_t L4_UtcbAlignmentLog2(void *KernelInterface)
{
	return __L4_KIP(KernelInterface)->UtcbAreaInfo.X.a;
}

/* Bytes per UTCB: m units of the alignment. */
L4_INLINE L4_Word_t L4_UtcbSize(void *KernelInterface)
{
	L4_KernelInterfacePage_t *kip = __L4_KIP(KernelInterface);

	return kip->UtcbAreaInfo.X.m << kip->UtcbAreaInfo.X.a;
}

L4_INLINE L4_Word_t L4_KipAreaSizeLog2(void *KernelInterface)
{
	return __L4_KIP(KernelInterface)->KipAreaInfo.X.s;
}

L4_INLINE L4_Word_t L4_KipAreaSize(void *KernelInterface)
{
	return 1UL << L4_KipAreaSizeLog2(KernelInterface);
}

L4_INLINE L4_Word_t L4_BootInfo(void *KernelInterface)
{
	return __L4_KIP(KernelInterface)->BootInfo;
}

/*
 * Memory descriptors: word 0 holds the type (bits 0..3), a subtype t
 * (bits 4..7, for the boot-loader and architecture types), v (bit 9:
 * describes virtual rather than physical memory) and the low address in
 * 1 KB units (bits 10..31); word 1 the high address in 1 KB units.
 * Where descriptors overlap, the later one wins.
 */
typedef union {
	L4_Word_t raw[2];
	struct {
		L4_Word_t type : 4;
		L4_Word_t t : 4;
		L4_Word_t __padding1 : 1;
		L4_Word_t v : 1;
		L4_Word_t low : 22;
		L4_Word_t __padding2 : 10;
		L4_Word_t high : 22;
	} x;
} L4_MemoryDesc_t;

_Static_assert(sizeof(L4_MemoryDesc_t) == 8, "memory descriptors are two words");

#define L4_UndefinedMemoryType			0x0
#define L4_ConventionalMemoryType		0x1
#define L4_ReservedMemoryType			0x2
#define L4_DedicatedMemoryType			0x3
#define L4_SharedMemoryType			0x4
#define L4_BootLoaderSpecificMemoryType		0xe
#define L4_ArchitectureSpecificMemoryType	0xf

/* Descriptor num, or 0 past the last one. */
L4_INLINE L4_MemoryDesc_t *L4_MemoryDesc(void *KernelInterface, L4_Word_t num)
{
	L4_KernelInterfacePage_t *kip = __L4_KIP(KernelInterface);

	if (num >= kip->MemoryInfo.n)
		return (L4_MemoryDesc_t *)0;
	return (L4_MemoryDesc_t *)((L4_Word_t)kip + kip->MemoryInfo.MemDescPtr) + num;
}

L4_INLINE L4_Bool_t L4_IsMemoryDescVirtual(L4_MemoryDesc_t *m) { return m->x.v; }

/* The boot-loader and architecture types carry their subtype in bits 4..7. */
L4_INLINE L4_Word_t L4_MemoryDescType(L4_MemoryDesc_t *m)
{
	return m->x.type >= 0xe ? m->x.type + (m->x.t << 4) : m->x.type;
}

L4_INLINE L4_Word_t L4_MemoryDescLow(L4_MemoryDesc_t *m)
{
	return (L4_Word_t)m->x.low << 10;
}

/* Address of the last byte described. */
L4_INLINE L4_Word_t L4_MemoryDescHigh(L4_MemoryDesc_t *m)
{
	return ((L4_Word_t)m->x.high << 10) | 0x3ff;
}

/* Processor descriptors are 2^s bytes apart. */
L4_INLINE L4_ProcDesc_t *L4_ProcDesc(void *KernelInterface, L4_Word_t cpu)
{
	L4_KernelInterfacePage_t *kip = __L4_KIP(KernelInterface);

	if (cpu > kip->ProcessorInfo.X.processors)
		return (L4_ProcDesc_t *)0;
	return (L4_ProcDesc_t *)((L4_Word_t)kip + kip->ProcDescPtr +
				 (cpu << kip->ProcessorInfo.X.s));
}

L4_INLINE L4_Word_t L4_ProcDescExternalFreq(L4_ProcDesc_t *p) { return p->X.ExternalFreq; }
L4_INLINE L4_Word_t L4_ProcDescInternalFreq(L4_ProcDesc_t *p) { return p->X.InternalFreq; }

#undef __L4_KIP

#endif
