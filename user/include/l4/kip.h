/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Kernel Interface Page as X.2 lays it out for 32-bit words, and its
 * accessors.  Pointer-like fields (KernelVerPtr, MemDescPtr, ProcDescPtr,
 * the system-call fields) are offsets from the start of the KIP.
 */
#ifndef L4_KIP_H
#define L4_KIP_H

#include <l4/types.h>
#include <l4/ia32/syscalls.h>

typedef union {
	L4_Word_t raw;
	struct {
		L4_Word_t __padding : 16;
		L4_Word_t subid : 8;
		L4_Word_t id : 8;
	} x;
} L4_KernelId_t;

typedef union {
	L4_Word_t raw;
	struct {
		L4_Word_t __padding : 16;
		L4_Word_t subversion : 8;
		L4_Word_t version : 8;
	} x;
} L4_ApiVersion_t;

typedef union {
	L4_Word_t raw;
	struct {
		L4_Word_t ee : 2;
		L4_Word_t ww : 2;
		L4_Word_t __padding : 28;
	} x;
} L4_ApiFlags_t;

typedef struct {
	L4_Word_t n : 16;
	L4_Word_t MemDescPtr : 16;
} L4_MemoryInfo_t;

/* Image of a bootstrap server (sigma0, sigma1, root server) or the
 * kernel debugger: start values and the extent of its memory. */
typedef struct {
	L4_Word_t sp, ip, low, high;
} __L4_KipServer_t;

typedef struct {
	L4_Word_t low, high;
} __L4_KipRange_t;

typedef struct {
	L4_Word_t magic;			/* 0x00 */
	L4_ApiVersion_t ApiVersion;
	L4_ApiFlags_t ApiFlags;
	L4_Word_t KernelVerPtr;
	union {					/* 0x10 */
		L4_Word_t __padding10[17];
		struct {
			L4_Word_t KdebugInit, KdebugEntry, KdebugLow, KdebugHigh;
			__L4_KipServer_t Sigma0;	/* 0x20 */
			__L4_KipServer_t Sigma1;	/* 0x30 */
			__L4_KipServer_t RootServer;	/* 0x40 */
			L4_Word_t __reserved50;
		};
	};
	L4_MemoryInfo_t MemoryInfo;		/* 0x54 */
	L4_Word_t __padding58[2];		/* kernel debugger configuration */
	__L4_KipRange_t MainMem;		/* 0x60: unused by X.2 */
	__L4_KipRange_t ReservedMem[2];		/* 0x68 */
	__L4_KipRange_t DedicatedMem[5];	/* 0x78 */
	L4_Word_t __paddingA0[2];		/* 0xA0 */
	union {					/* 0xA8 */
		L4_Word_t raw;
		struct {
			L4_Word_t m : 10;
			L4_Word_t a : 6;
			L4_Word_t s : 6;
			L4_Word_t __padding : 10;
		} X;
	} UtcbAreaInfo;
	union {					/* 0xAC */
		L4_Word_t raw;
		struct {
			L4_Word_t s : 6;
			L4_Word_t __padding : 26;
		} X;
	} KipAreaInfo;
	L4_Word_t __paddingB0[2];		/* 0xB0 */
	L4_Word_t BootInfo;			/* 0xB8 */
	L4_Word_t ProcDescPtr;			/* 0xBC */
	union {					/* 0xC0 */
		L4_Word_t raw;
		struct {
			L4_Word_t ReadPrecision : 16;
			L4_Word_t SchedulePrecision : 16;
		} X;
	} ClockInfo;
	union {					/* 0xC4 */
		L4_Word_t raw;
		struct {
			L4_Word_t t : 8;
			L4_Word_t SystemBase : 12;
			L4_Word_t UserBase : 12;
		} X;
	} ThreadInfo;
	union {					/* 0xC8 */
		L4_Word_t raw;
		struct {
			L4_Word_t rwx : 3;
			L4_Word_t __padding : 7;
			L4_Word_t page_size_mask : 22;
		} X;
	} PageInfo;
	union {					/* 0xCC */
		L4_Word_t raw;
		struct {
			L4_Word_t processors : 16;
			L4_Word_t __padding : 12;
			L4_Word_t s : 4;
		} X;
	} ProcessorInfo;
	L4_Word_t SpaceControl;			/* 0xD0 */
	L4_Word_t ThreadControl;
	L4_Word_t ProcessorControl;
	L4_Word_t MemoryControl;
	L4_Word_t Ipc;				/* 0xE0 */
	L4_Word_t Lipc;
	L4_Word_t Unmap;
	L4_Word_t ExchangeRegisters;
	L4_Word_t SystemClock;			/* 0xF0 */
	L4_Word_t ThreadSwitch;
	L4_Word_t Schedule;
	L4_Word_t __paddingF0;
	L4_Word_t __padding100[4];		/* 0x100 */
	L4_Word_t ArchSyscall0;			/* 0x110 */
	L4_Word_t ArchSyscall1;
	L4_Word_t ArchSyscall2;
	L4_Word_t ArchSyscall3;
} L4_KernelInterfacePage_t;

#define __L4_KIP_OFFSET(f) __builtin_offsetof(L4_KernelInterfacePage_t, f)
_Static_assert(__L4_KIP_OFFSET(Sigma0) == 0x20, "KIP sigma0 descriptor");
_Static_assert(__L4_KIP_OFFSET(RootServer) == 0x40, "KIP root server descriptor");
_Static_assert(__L4_KIP_OFFSET(MemoryInfo) == 0x54, "KIP MemoryInfo");
_Static_assert(__L4_KIP_OFFSET(UtcbAreaInfo) == 0xA8, "KIP UtcbAreaInfo");
_Static_assert(__L4_KIP_OFFSET(BootInfo) == 0xB8, "KIP BootInfo");
_Static_assert(__L4_KIP_OFFSET(ThreadInfo) == 0xC4, "KIP ThreadInfo");
_Static_assert(__L4_KIP_OFFSET(SpaceControl) == 0xD0, "KIP system calls");
_Static_assert(__L4_KIP_OFFSET(Ipc) == 0xE0, "KIP Ipc");
_Static_assert(__L4_KIP_OFFSET(Schedule) == 0xF8, "KIP Schedule");
_Static_assert(__L4_KIP_OFFSET(ArchSyscall0) == 0x110, "KIP arch calls");
#undef __L4_KIP_OFFSET

typedef union {
	L4_Word_t raw[4];
	struct {
		L4_Word_t ExternalFreq;		/* kHz */
		L4_Word_t InternalFreq;		/* kHz */
		L4_Word_t __padding[2];
	} X;
} L4_ProcDesc_t;

/* Kernel descriptor, at KernelVerPtr: IDs, then version strings ending
 * in an empty string (the first is the version, the rest features). */
typedef struct {
	L4_KernelId_t KernelId;
	union {
		L4_Word_t raw;
		struct {
			L4_Word_t day : 5;
			L4_Word_t month : 4;
			L4_Word_t year : 7;	/* since 2000 */
			L4_Word_t __padding : 16;
		} X;
	} KernelGenDate;
	union {
		L4_Word_t raw;
		struct {
			L4_Word_t subsubver : 16;
			L4_Word_t subver : 8;
			L4_Word_t ver : 8;
		} X;
	} KernelVer;
	L4_Word_t Supplier;
	char VersionString[];
} L4_KernelDesc_t;

/* "L4\346K" read as a little-endian word. */
#define L4_MAGIC		(('K' << 24) + (230 << 16) + ('4' << 8) + 'L')

#define L4_APIVERSION_2		0x02
#define L4_APIVERSION_4		0x04
#define L4_APIVERSION_X0	0x83
#define L4_APIVERSION_X1	0x83
#define L4_APIVERSION_X2	0x84
#define L4_APISUBVERSION_X0	0x80
#define L4_APISUBVERSION_X1	0x81

#define L4_APIFLAG_LE		0x00
#define L4_APIFLAG_BE		0x01
#define L4_APIFLAG_32BIT	0x00
#define L4_APIFLAG_64BIT	0x01

#define L4_KID_L4_486		((0 << 8) + 1)
#define L4_KID_L4_PENTIUM	((0 << 8) + 2)
#define L4_KID_L4_X86		((0 << 8) + 3)
#define L4_KID_L4KA_HAZELNUT	((4 << 8) + 1)
#define L4_KID_L4KA_PISTACHIO	((4 << 8) + 2)

/* Four characters read as a little-endian word. */
#define L4_SUPL_UKA	((' ' << 24) + ('a' << 16) + ('K' << 8) + 'U')
#define L4_SUPL_UNSW	(('W' << 24) + ('S' << 16) + ('N' << 8) + 'U')

L4_INLINE void *L4_GetKernelInterface(void)
{
	L4_Word_t v, f, id;

	return L4_KernelInterface(&v, &f, &id);
}

L4_INLINE L4_Word_t L4_ApiVersion(void)
{
	L4_Word_t v, f, id;

	L4_KernelInterface(&v, &f, &id);
	return v;
}

L4_INLINE L4_Word_t L4_ApiFlags(void)
{
	L4_Word_t v, f, id;

	L4_KernelInterface(&v, &f, &id);
	return f;
}

L4_INLINE L4_Word_t L4_KernelId(void)
{
	L4_Word_t v, f, id;

	L4_KernelInterface(&v, &f, &id);
	return id;
}

#include <l4/kipaccess.h>

#endif
