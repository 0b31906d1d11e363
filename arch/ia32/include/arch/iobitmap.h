/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The TSS's I/O permission bitmap (Intel SDM vol. 1 §19.5.2, vol. 3
 * "I/O permission bit map"), seen through a window of four pages at the
 * top of every address space: the TSS's own page, the two pages of the
 * bitmap, and a page of ones for the byte the CPU reads past the last
 * port.  The two bitmap entries point at the running space's bitmap
 * pages, or at the shared page of ones where it has none, so a space
 * without ports costs nothing and a switch rewrites at most two entries.
 */
#ifndef ARCH_IOBITMAP_H
#define ARCH_IOBITMAP_H

#include <kernel/types.h>

#define IO_WINDOW       0xFFC00000u   /* the last 4 MB: its own page table */
#define IO_WINDOW_TSS   IO_WINDOW     /* the TSS, page-aligned */
#define IO_BITMAP_OFFSET 0x1000u      /* from the TSS: the bitmap's two pages */
#define IO_TSS_LIMIT    (IO_BITMAP_OFFSET + 0x2000u)   /* and one byte of ones */

/* The bitmap frames the window shows now (0: the page of ones), and the
 * tag of the space they are (0: none). */
extern uint32_t io_window_phys[2];
extern uint32_t io_window_tag;

/* Build the window over the TSS at tss_phys, in boot_pdir (and so in
 * every space made after). */
void io_window_init(uint32_t tss_phys);
/* Show bm[0], bm[1] (0: none) of the space tagged tag in the window;
 * flush with flush (the caller loads CR3 right after otherwise). */
void io_window_map(const uint32_t bm[2], uint32_t tag, bool flush);

/* A #GP from user mode (iofault.c): an I/O fault, and what became of it. */
enum io_fault { IO_FAULT_NONE, IO_FAULT_RETRY, IO_FAULT_SENT };
struct tcb;
enum io_fault arch_io_fault(struct tcb *t);

#endif
