/* SPDX-License-Identifier: BSD-2-Clause */
/* What the debugger's command files share (kernel/kdb*.c only). */
#ifndef KERNEL_KDB_INTERNAL_H
#define KERNEL_KDB_INTERNAL_H

#include <kernel/types.h>
#include <kernel/thread.h>
#include <kernel/space.h>

/* A command: its words (word[0] is the command's name), the thread the
 * debugger was entered in (NULL from the idle loop).  Returns true to
 * leave the debugger. */
typedef bool (*kdb_cmd_fn)(int argc, char **word, tcb_t *here);

/* Could the kernel read n bytes at p without a fault?  Every pointer
 * the debugger follows is asked first, so that a damaged or half-made
 * record shows as such instead of stopping the machine. */
bool kdb_readable(const void *p, uint32_t n);
/* The thread named by word (an ID, or #number); prints why not and
 * returns NULL otherwise.  A thread without its body is returned too:
 * callers check core->tcb. */
tcb_core_t *kdb_thread_arg(const char *word);
/* Its body when readable, else NULL after saying so. */
tcb_t *kdb_body(tcb_core_t *c);
/* Its space when readable, else NULL after saying so. */
space_t *kdb_space_of(tcb_core_t *c);
/* s, or v in decimal, then blanks up to width characters (kprintf pads
 * on the left only). */
void kdb_left(const char *s, unsigned width);
void kdb_left_u(uint32_t v, unsigned width);
/* "usage: ..." for the command. */
bool kdb_usage(const char *text);

/* kdb_cmds.c: threads, registers, UTCBs, spaces. */
bool kdb_cmd_threads(int argc, char **word, tcb_t *here);
bool kdb_cmd_regs(int argc, char **word, tcb_t *here);
bool kdb_cmd_utcb(int argc, char **word, tcb_t *here);
bool kdb_cmd_spaces(int argc, char **word, tcb_t *here);
/* kdb_mem.c: memory dumps, mappings, kernel memory. */
bool kdb_cmd_dump(int argc, char **word, tcb_t *here);
bool kdb_cmd_dump_user(int argc, char **word, tcb_t *here);
bool kdb_cmd_mappings(int argc, char **word, tcb_t *here);
bool kdb_cmd_kmem(int argc, char **word, tcb_t *here);

#endif
