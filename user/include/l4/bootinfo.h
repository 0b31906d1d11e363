/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * X.2 generic boot information: a header followed by a chain of records
 * (modules, executables, the Multiboot information), found through the
 * KIP's BootInfo word.  Offsets are relative to the record holding them.
 */
#ifndef L4_BOOTINFO_H
#define L4_BOOTINFO_H

#include <l4/types.h>

#define L4_BOOTINFO_MAGIC	((L4_Word_t)0x14b0021d)
#define L4_BOOTINFO_VERSION	1

#define L4_BootInfo_Module	0x0001
#define L4_BootInfo_SimpleExec	0x0002
#define L4_BootInfo_EFITables	0x0101
#define L4_BootInfo_Multiboot	0x0102

/* Common head of every record. */
typedef struct {
	L4_Word_t type;
	L4_Word_t version;
	L4_Word_t offset_next;
} L4_BootRec_t;

L4_INLINE L4_Word_t L4_BootRec_Type(const L4_BootRec_t *r) { return r->type; }

L4_INLINE L4_BootRec_t *L4_BootRec_Next(const L4_BootRec_t *r)
{
	return (L4_BootRec_t *)((L4_Word_t)r + r->offset_next);
}

/* A file the boot loader put into memory. */
typedef struct {
	L4_Word_t type;			/* L4_BootInfo_Module */
	L4_Word_t version;		/* 1 */
	L4_Word_t offset_next;
	L4_Word_t start;
	L4_Word_t size;
	L4_Word_t cmdline_offset;
} L4_Boot_Module_t;

L4_INLINE L4_Word_t L4_Module_Start(const L4_BootRec_t *r) { return ((const L4_Boot_Module_t *)r)->start; }
L4_INLINE L4_Word_t L4_Module_Size(const L4_BootRec_t *r) { return ((const L4_Boot_Module_t *)r)->size; }

L4_INLINE char *L4_Module_Cmdline(const L4_BootRec_t *r)
{
	const L4_Boot_Module_t *m = (const L4_Boot_Module_t *)r;

	return m->cmdline_offset ? (char *)((L4_Word_t)m + m->cmdline_offset) : (char *)0;
}

/* An executable already loaded and relocated by the boot loader. */
typedef struct {
	L4_Word_t type;			/* L4_BootInfo_SimpleExec */
	L4_Word_t version;		/* 1 */
	L4_Word_t offset_next;
	L4_Word_t text_pstart, text_vstart, text_size;
	L4_Word_t data_pstart, data_vstart, data_size;
	L4_Word_t bss_pstart, bss_vstart, bss_size;
	L4_Word_t initial_ip;
	L4_Word_t flags;
	L4_Word_t label;
	L4_Word_t cmdline_offset;
} L4_Boot_SimpleExec_t;

#define __L4_SIMPLEEXEC(r)	((L4_Boot_SimpleExec_t *)(r))

L4_INLINE L4_Word_t L4_SimpleExec_TextVstart(const L4_BootRec_t *r) { return __L4_SIMPLEEXEC(r)->text_vstart; }
L4_INLINE L4_Word_t L4_SimpleExec_TextPstart(const L4_BootRec_t *r) { return __L4_SIMPLEEXEC(r)->text_pstart; }
L4_INLINE L4_Word_t L4_SimpleExec_TextSize(const L4_BootRec_t *r) { return __L4_SIMPLEEXEC(r)->text_size; }
L4_INLINE L4_Word_t L4_SimpleExec_DataVstart(const L4_BootRec_t *r) { return __L4_SIMPLEEXEC(r)->data_vstart; }
L4_INLINE L4_Word_t L4_SimpleExec_DataPstart(const L4_BootRec_t *r) { return __L4_SIMPLEEXEC(r)->data_pstart; }
L4_INLINE L4_Word_t L4_SimpleExec_DataSize(const L4_BootRec_t *r) { return __L4_SIMPLEEXEC(r)->data_size; }
L4_INLINE L4_Word_t L4_SimpleExec_BssVstart(const L4_BootRec_t *r) { return __L4_SIMPLEEXEC(r)->bss_vstart; }
L4_INLINE L4_Word_t L4_SimpleExec_BssPstart(const L4_BootRec_t *r) { return __L4_SIMPLEEXEC(r)->bss_pstart; }
L4_INLINE L4_Word_t L4_SimpleExec_BssSize(const L4_BootRec_t *r) { return __L4_SIMPLEEXEC(r)->bss_size; }
L4_INLINE L4_Word_t L4_SimpleExec_InitialIP(const L4_BootRec_t *r) { return __L4_SIMPLEEXEC(r)->initial_ip; }
L4_INLINE L4_Word_t L4_SimpleExec_Flags(const L4_BootRec_t *r) { return __L4_SIMPLEEXEC(r)->flags; }
L4_INLINE void L4_SimpleExec_Set_Flags(const L4_BootRec_t *r, L4_Word_t w) { __L4_SIMPLEEXEC(r)->flags = w; }
L4_INLINE L4_Word_t L4_SimpleExec_Label(const L4_BootRec_t *r) { return __L4_SIMPLEEXEC(r)->label; }
L4_INLINE void L4_SimpleExec_Set_Label(const L4_BootRec_t *r, L4_Word_t w) { __L4_SIMPLEEXEC(r)->label = w; }

L4_INLINE char *L4_SimpleExec_Cmdline(const L4_BootRec_t *r)
{
	L4_Boot_SimpleExec_t *e = __L4_SIMPLEEXEC(r);

	return e->cmdline_offset ? (char *)((L4_Word_t)e + e->cmdline_offset) : (char *)0;
}

#undef __L4_SIMPLEEXEC

/* EFI system table and memory map. */
typedef struct {
	L4_Word_t type;			/* L4_BootInfo_EFITables */
	L4_Word_t version;
	L4_Word_t offset_next;
	L4_Word_t systab;
	L4_Word_t memmap;
	L4_Word_t memmap_size;
	L4_Word_t memdesc_size;
	L4_Word_t memdesc_version;
} L4_Boot_EFI_t;

L4_INLINE L4_Word_t L4_EFI_Systab(const L4_BootRec_t *r) { return ((const L4_Boot_EFI_t *)r)->systab; }
L4_INLINE L4_Word_t L4_EFI_Memmap(const L4_BootRec_t *r) { return ((const L4_Boot_EFI_t *)r)->memmap; }
L4_INLINE L4_Word_t L4_EFI_MemmapSize(const L4_BootRec_t *r) { return ((const L4_Boot_EFI_t *)r)->memmap_size; }
L4_INLINE L4_Word_t L4_EFI_MemdescSize(const L4_BootRec_t *r) { return ((const L4_Boot_EFI_t *)r)->memdesc_size; }
L4_INLINE L4_Word_t L4_EFI_MemdescVersion(const L4_BootRec_t *r) { return ((const L4_Boot_EFI_t *)r)->memdesc_version; }

/* Physical address of the Multiboot information structure. */
typedef struct {
	L4_Word_t type;			/* L4_BootInfo_Multiboot */
	L4_Word_t version;
	L4_Word_t offset_next;
	L4_Word_t address;
} L4_Boot_MBI_t;

L4_INLINE L4_Word_t L4_MBI_Address(const L4_BootRec_t *r) { return ((const L4_Boot_MBI_t *)r)->address; }

/* The header the BootInfo word points at. */
typedef struct {
	L4_Word_t magic;
	L4_Word_t version;
	L4_Word_t size;
	L4_Word_t first_entry;		/* offset of the first record */
	L4_Word_t num_entries;
	L4_Word_t __reserved[3];
} L4_BootInfo_t;

L4_INLINE L4_Bool_t L4_BootInfo_Valid(const void *p)
{
	const L4_BootInfo_t *b = (const L4_BootInfo_t *)p;

	return b->magic == L4_BOOTINFO_MAGIC && b->version == L4_BOOTINFO_VERSION;
}

L4_INLINE L4_Word_t L4_BootInfo_Size(const void *p) { return ((const L4_BootInfo_t *)p)->size; }
L4_INLINE L4_Word_t L4_BootInfo_Entries(const void *p) { return ((const L4_BootInfo_t *)p)->num_entries; }

L4_INLINE L4_BootRec_t *L4_BootInfo_FirstEntry(const void *p)
{
	const L4_BootInfo_t *b = (const L4_BootInfo_t *)p;

	return (L4_BootRec_t *)((L4_Word_t)b + b->first_entry);
}

#endif
