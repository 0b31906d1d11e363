/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The interactive kernel debugger: how it is entered (kernel/kdb.h), the
 * keys of the serial line, and its command loop.  It runs with
 * interrupts off at a point where every kernel record is consistent (a
 * timer interrupt, or an int3 trap), reads the serial line by polling,
 * and changes nothing but what a command names (continue, shutdown, the
 * breakpoint setting).  The commands are in kdb_cmds.c and kdb_mem.c;
 * they follow no pointer that kdb_readable() has not vouched for.
 */
#include <kernel/kdb.h>
#include <kernel/cmdline.h>
#include <kernel/kdb_parse.h>
#include <kernel/kdb_internal.h>
#include <kernel/thread.h>
#include <kernel/kprintf.h>
#include <kernel/string.h>
#include <arch/arch.h>

enum kdb_mode {
	KDB_MODE_KEY,       /* the default: ESC enters */
	KDB_MODE_ON,        /* ESC, L4_KDB_Enter and unhandled breakpoints enter */
	KDB_MODE_OFF,       /* never entered */
};

#define KDB_POLL_MAX 16u

static enum kdb_mode mode = KDB_MODE_KEY;
static bool break_pending;   /* ESC seen, to be taken at the next tick */
static bool break_all;       /* every breakpoint enters (command b) */
static bool inside;          /* the debugger runs now */
static kdb_ring_t typeahead;

void kdb_configure(const char *cmdline)
{
	if (cmdline_has(cmdline, "kdb=on"))
		mode = KDB_MODE_ON;
	else if (cmdline_has(cmdline, "kdb=off"))
		mode = KDB_MODE_OFF;
	else
		return;
	kprintf("kernel debugger: %s\n", mode == KDB_MODE_ON ?
		"on (L4_KDB_Enter, breakpoints without a handler and ESC enter it)" : "off");
}

/*
 * Take what the serial line has, up to an ESC: the keys before it join
 * the type-ahead, which belongs to the programs (the console calls read
 * it first; a key is dropped only beyond KDB_RING_SIZE unread ones), and
 * those after it stay in the UART for the debugger, which the next
 * timer interrupt enters.
 */
static void poll_serial(void)
{
	int c;

	/* At most a UART FIFO's worth at a time: a PC without COM1 reads
	 * as a line that always has a key (0xFF). */
	for (unsigned n = 0; n < KDB_POLL_MAX && !break_pending &&
	     (c = arch_console_getc()) >= 0; n++) {
		if (c == KDB_KEY_ESC)
			break_pending = true;
		else
			(void)kdb_ring_put(&typeahead, (uint8_t)c);
	}
}

int kdb_console_getc(void)
{
	if (mode == KDB_MODE_OFF)
		return arch_console_getc();
	poll_serial();
	return kdb_ring_get(&typeahead);
}

/* A key for the debugger, waiting for it: from the UART only, for the
 * type-ahead is the programs'. */
static int read_key(void)
{
	for (;;) {
		int c = arch_console_getc();
		if (c >= 0)
			return c;
		arch_cpu_relax();
	}
}

static void read_line(kdb_line_t *l)
{
	kdb_line_reset(l);
	for (;;) {
		switch (kdb_line_key(l, read_key())) {
		case KDB_KEY_ECHO:
			arch_console_putc(l->buf[l->len - 1]);
			break;
		case KDB_KEY_ERASE:
			kputs("\b \b");
			break;
		case KDB_KEY_DONE:
			kputs("\n");
			return;
		case KDB_KEY_NONE:
			break;
		}
	}
}

/* ---- the commands of this file ---- */

static bool cmd_help(int argc, char **word, tcb_t *here);

static bool cmd_continue(int argc, char **word, tcb_t *here)
{
	(void)argc; (void)word; (void)here;
	return true;
}

static bool cmd_shutdown(int argc, char **word, tcb_t *here)
{
	(void)argc; (void)word; (void)here;
	kprintf("kdb: shutdown\n");
	arch_shutdown(0);
}

static bool cmd_break(int argc, char **word, tcb_t *here)
{
	(void)here;
	if (argc == 2 && kdb_word_is(word[1], "on"))
		break_all = true;
	else if (argc == 2 && kdb_word_is(word[1], "off"))
		break_all = false;
	else if (argc != 1)
		return kdb_usage("b [on|off]");
	kprintf("breakpoints: %s\n", break_all ? "every int3 enters the debugger" :
		mode == KDB_MODE_ON ? "int3 of a thread without exception handler enters the debugger" :
		"int3 is an exception (kdb=on: without a handler it enters the debugger)");
	return false;
}

static const struct kdb_cmd {
	const char *name, *alias;
	kdb_cmd_fn fn;
	const char *args, *help;
} commands[] = {
	{ "h", "help", cmd_help, "", "this list" },
	{ "t", "threads", kdb_cmd_threads, "", "every thread: ID, state, partner, space, priority" },
	{ "r", "regs", kdb_cmd_regs, "<thread>", "a thread's registers and kernel state" },
	{ "u", "utcb", kdb_cmd_utcb, "<thread>", "a thread's UTCB: control registers, MR0-MR7" },
	{ "s", "spaces", kdb_cmd_spaces, "", "every address space: threads, areas, kernel pages" },
	{ "m", "mappings", kdb_cmd_mappings, "<thread> [from [to]]", "the mappings of the thread's space" },
	{ "k", "kmem", kdb_cmd_kmem, "[<thread>]", "kernel memory: kernel-owned, or a space's by kind" },
	{ "d", "dump", kdb_cmd_dump, "<addr> [bytes]", "kernel virtual memory (mapped only)" },
	{ "du", "dumpuser", kdb_cmd_dump_user, "<thread> <addr> [bytes]", "user memory of the thread's space (present pages only)" },
	{ "b", "break", cmd_break, "[on|off]", "on: every int3 enters the debugger" },
	{ "c", "continue", cmd_continue, "", "leave the debugger" },
	{ "shutdown", "shutdown", cmd_shutdown, "", "end the machine (isa-debug-exit)" },
};

static bool cmd_help(int argc, char **word, tcb_t *here)
{
	(void)argc; (void)word; (void)here;
	kprintf("threads: a global ID in hex (as printed by t), or #N for thread number N\n");
	for (unsigned i = 0; i < ARRAY_SIZE(commands); i++) {
		const struct kdb_cmd *c = &commands[i];
		kputs("  ");
		kdb_left(c->name, 4);
		kdb_left(c->args, 24);
		kputs(c->help);
		if (!kdb_word_is(c->name, c->alias))
			kprintf(" (also %s)", c->alias);
		kputs("\n");
	}
	return false;
}

void kdb_left(const char *s, unsigned width)
{
	unsigned n = 0;

	for (; s[n]; n++)
		arch_console_putc(s[n]);
	for (; n < width; n++)
		arch_console_putc(' ');
}

void kdb_left_u(uint32_t v, unsigned width)
{
	char buf[12];
	unsigned n = sizeof(buf) - 1;

	buf[n] = '\0';
	do {
		buf[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	kdb_left(&buf[n], width);
}

bool kdb_usage(const char *text)
{
	kprintf("error: usage: %s\n", text);
	return false;
}

static const struct kdb_cmd *find_command(const char *name)
{
	for (unsigned i = 0; i < ARRAY_SIZE(commands); i++)
		if (kdb_word_is(name, commands[i].name) || kdb_word_is(name, commands[i].alias))
			return &commands[i];
	return NULL;
}

/* The command loop, until a command leaves it. */
static void kdb_run(tcb_t *here, const char *why)
{
	kdb_line_t line;
	char *word[KDB_MAX_WORDS];

	if (inside)
		return;
	inside = true;
	kprintf("kdb: %s", why);
	if (here)
		kprintf(" in thread %x at %x", here->core->id, arch_ctx_ip(&here->ctx));
	kprintf("; h for help\n");
	for (;;) {
		kputs("kdb> ");
		read_line(&line);
		if (line.overflow) {
			kprintf("error: line longer than %u characters\n", KDB_LINE_MAX - 1);
			continue;
		}
		int argc = kdb_split(line.buf, word, KDB_MAX_WORDS);
		if (argc < 0) {
			kprintf("error: more than %u words\n", KDB_MAX_WORDS);
			continue;
		}
		if (argc == 0)
			continue;
		const struct kdb_cmd *cmd = find_command(word[0]);
		if (!cmd) {
			kprintf("error: unknown command '%s' (h for help)\n", word[0]);
			continue;
		}
		if (cmd->fn(argc, word, here))
			break;
	}
	kprintf("kdb: continue\n");
	inside = false;
}

void kdb_tick(void)
{
	if (mode == KDB_MODE_OFF)
		return;
	poll_serial();
	if (!break_pending)
		return;
	break_pending = false;
	kdb_run(current, "break-in (ESC)");
}

void kdb_enter_call(tcb_t *t)
{
	if (mode == KDB_MODE_ON)
		kdb_run(t, "L4_KDB_Enter");
}

bool kdb_breakpoint(tcb_t *t)
{
	if (mode == KDB_MODE_OFF)
		return false;
	tid_t h = thread_exc_handler(t);
	bool unhandled = tid_is_nil(h) || !thread_resolve(t, h);
	if (!break_all && !(mode == KDB_MODE_ON && unhandled))
		return false;
	kdb_run(t, "breakpoint (int3)");
	return true;
}

/* ---- helpers of the command files ---- */

bool kdb_readable(const void *p, uint32_t n)
{
	uint32_t va = (uint32_t)(uintptr_t)p;

	if (!p || n == 0 || va + n < va)
		return false;
	for (uint32_t page = va & PAGE_MASK; ; page += PAGE_SIZE) {
		if (!arch_kernel_readable(page))
			return false;
		if (page >= ((va + n - 1) & PAGE_MASK))
			return true;
	}
}

tcb_core_t *kdb_thread_arg(const char *word)
{
	uint32_t v;
	bool by_number;

	if (!kdb_parse_thread(word, &v, &by_number)) {
		kprintf("error: '%s' is no thread (hex ID, or #number)\n", word);
		return NULL;
	}
	uint32_t number = by_number ? v : tid_number(v);
	if (number >= THREAD_DIR_ENTRIES * LEAF_ENTRIES) {
		kprintf("error: no thread %s\n", word);
		return NULL;
	}
	tcb_core_t **leaf = thread_dir[number / LEAF_ENTRIES];
	tcb_core_t *c = NULL;
	if (leaf && kdb_readable(&leaf[number % LEAF_ENTRIES], sizeof(*leaf)))
		c = leaf[number % LEAF_ENTRIES];
	if (c && !kdb_readable(c, sizeof(*c))) {
		kprintf("error: thread %s: resident part at %p unreadable\n", word, c);
		return NULL;
	}
	if (!c || (!by_number && c->id != v)) {
		if (c)
			kprintf("error: no thread %s (thread %u is %x now)\n", word, number, c->id);
		else
			kprintf("error: no thread %s\n", word);
		return NULL;
	}
	return c;
}

tcb_t *kdb_body(tcb_core_t *c)
{
	if (!c->tcb) {
		kprintf("thread %x has no body (being made, or its TCB page not lent yet)\n", c->id);
		return NULL;
	}
	if (!kdb_readable(c->tcb, sizeof(tcb_t))) {
		kprintf("thread %x: body at %p unreadable\n", c->id, c->tcb);
		return NULL;
	}
	return c->tcb;
}

space_t *kdb_space_of(tcb_core_t *c)
{
	if (!c->space) {
		kprintf("thread %x has no space yet (task %u being made)\n", c->id, c->unhoused.task);
		return NULL;
	}
	if (!kdb_readable(c->space, sizeof(space_t))) {
		kprintf("thread %x: space record at %p unreadable\n", c->id, c->space);
		return NULL;
	}
	return c->space;
}
