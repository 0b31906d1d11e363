/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Lent's kernel-memory extension of L4 X.2: what a kpager and the kernel
 * agree on (docs/kpager-protocol.md tells it byte by byte).  Plain C with
 * no dependency, so that the kernel, the kpagers and the host tests share
 * this one definition.
 *
 * Every task has a kernel-memory window: a 64 MB range of content
 * identifiers (CIDs), one 4 KB page each, with one range per kind of
 * kernel data.  A CID names what a page holds, never where the kernel
 * keeps it.
 */
#ifndef LENT_KMEM_H
#define LENT_KMEM_H

/* The kinds of kernel data, as a kernel page fault names them. */
enum lent_kmem_kind {
	LENT_KMEM_TASK = 0,   /* the task's own record */
	LENT_KMEM_PDIR = 1,   /* its page directory */
	LENT_KMEM_PT = 2,     /* a page table (one per 4 MB of user space) */
	LENT_KMEM_NT = 3,     /* a node table (one per 4 MB of user space) */
	LENT_KMEM_MAP = 4,    /* a page of mapping-database nodes */
	LENT_KMEM_TCB = 5,    /* a page of pageable thread parts */
	LENT_KMEM_UTCB = 6,   /* a page of UTCBs */
	LENT_KMEM_KINDS = 7
};

/* Each kind's range in the window: [base, base + count pages). */
#define LENT_CID_PAGE        0x1000u
#define LENT_CID_TASK        0x00000000u   /* 1 page */
#define LENT_CID_PDIR        0x00001000u   /* 1 page */
#define LENT_CID_PT_BASE     0x00400000u   /* 1024 pages: one per page-directory slot */
#define LENT_CID_NT_BASE     0x00800000u   /* 1024 pages: likewise */
#define LENT_CID_MAP_BASE    0x01000000u   /* 4096 pages of mapping nodes */
#define LENT_CID_TCB_BASE    0x02000000u   /* 4096 pages of thread parts */
#define LENT_CID_UTCB_BASE   0x03000000u   /* 4096 pages of UTCBs */
#define LENT_CID_WINDOW_END  0x04000000u
#define LENT_CID_RANGE_PAGES 4096u
/* A TCB page holds the bodies of LENT_TCB_PER_PAGE threads of its task:
 * page n those of the task's thread slots n*4 .. n*4+3, lowest free slot
 * first, so a task of at most four threads needs one. */
#define LENT_TCB_PER_PAGE    4u

/* The CID of the page table / node table for user address va. */
static inline unsigned long lent_cid_pt(unsigned long va)
{
	return LENT_CID_PT_BASE + ((va >> 22) << 12);
}
static inline unsigned long lent_cid_nt(unsigned long va)
{
	return LENT_CID_NT_BASE + ((va >> 22) << 12);
}
/* The n-th page of a counted kind (MAP, TCB, UTCB). */
static inline unsigned long lent_cid_nth(unsigned kind, unsigned long n)
{
	unsigned long base = kind == LENT_KMEM_MAP ? LENT_CID_MAP_BASE :
			     kind == LENT_KMEM_TCB ? LENT_CID_TCB_BASE : LENT_CID_UTCB_BASE;
	return base + (n << 12);
}

/* The kind a CID belongs to, or -1 for one outside every range or not
 * page-aligned. */
static inline int lent_cid_kind(unsigned long cid)
{
	if (cid & (LENT_CID_PAGE - 1) || cid >= LENT_CID_WINDOW_END)
		return -1;
	if (cid == LENT_CID_TASK)
		return LENT_KMEM_TASK;
	if (cid == LENT_CID_PDIR)
		return LENT_KMEM_PDIR;
	if (cid >= LENT_CID_PT_BASE && cid < LENT_CID_PT_BASE + (1024u << 12))
		return LENT_KMEM_PT;
	if (cid >= LENT_CID_NT_BASE && cid < LENT_CID_NT_BASE + (1024u << 12))
		return LENT_KMEM_NT;
	if (cid >= LENT_CID_MAP_BASE && cid < LENT_CID_TCB_BASE)
		return LENT_KMEM_MAP;
	if (cid >= LENT_CID_TCB_BASE && cid < LENT_CID_UTCB_BASE)
		return LENT_KMEM_TCB;
	if (cid >= LENT_CID_UTCB_BASE)
		return LENT_KMEM_UTCB;
	return -1;
}

/*
 * The kernel page fault: an IPC from a thread of the task that needs the
 * page, to the task's kpager.  Label LENT_LABEL_KPF (-16 << 4); three
 * untyped words:
 *   MR1  the content identifier
 *   MR2  the kind (enum lent_kmem_kind)
 *   MR3  the task, named by a thread of it (global ID)
 * The kpager answers with one map item of a page of its own (an fpage of
 * 4 KB or more: the kernel takes the 4 KB page at the item's send base
 * within it).  A reply with no map item refuses: the operation then ends
 * with X.2's "no memory" outcome.
 *
 * A task whose kpager takes several pages per fault (KmemControl
 * SET_KPF_PAGES) may be sent one fault that names every page an operation
 * found missing, in fault order: 3 + 2 (n - 1) untyped words, MR1..MR3 as
 * above for the first page, then MR4 = CID and MR5 = kind of the second,
 * MR6 and MR7 of the third (n <= LENT_KPF_MAX_PAGES).  The answer carries
 * n map items, the i-th for the i-th page, or none ("no memory").  The
 * kernel checks every item before it takes any: one refused item refuses
 * the whole answer, and nothing is lent.
 *
 * An answer labelled LENT_LABEL_KPF that carries map items goes only to a
 * thread that waits for one: to any other receiver (a forged fault's
 * sender, or a client whose fault was cancelled) the kernel refuses it
 * with LENT_KPF_NOT_WAITING, before anything is copied.  A kpager that
 * labels its answers so needs no KmemControl PENDING check.
 */
#define LENT_LABEL_KPF 0xFF00u
#define LENT_KPF_MAX_PAGES 3u
/* Untyped words of a fault naming n pages, and the pages a fault of u
 * untyped words names (0: not a kernel page fault's shape). */
#define LENT_KPF_WORDS(n) (3u + 2u * ((n) - 1u))
#define LENT_KPF_PAGES(u) \
	((u) >= 3u && (u) <= LENT_KPF_WORDS(LENT_KPF_MAX_PAGES) && ((u) & 1u) ? ((u) - 1u) / 2u : 0u)
/* MR numbers of page i's CID and kind (i < n). */
#define LENT_KPF_MR_CID(i)  ((i) ? 2u + 2u * (i) : 1u)
#define LENT_KPF_MR_KIND(i) ((i) ? 3u + 2u * (i) : 2u)

/*
 * A map item the kernel refuses (not RAM the kernel can address, a frame
 * of the kernel's own, one lent already, or no mapping there) fails the
 * kpager's send with IPC error code 4 (message overflow) and the offset
 * field set to the refusal below; its client keeps waiting for a page.
 */
enum lent_kpf_refusal {
	LENT_KPF_NOT_MAPPED = 1,        /* the kpager has no page there */
	LENT_KPF_NOT_RAM = 2,
	LENT_KPF_NOT_ADDRESSABLE = 3,
	LENT_KPF_KERNEL_OWNED = 4,
	LENT_KPF_LENT_ALREADY = 5,
	LENT_KPF_SHARED = 6,            /* not the kpager's alone: another task
	                                 * mapped it to it, or holds it too */
	LENT_KPF_ITEMS = 7,             /* not one map item per page asked for
	                                 * (more, fewer, or not map items) */
	LENT_KPF_NOT_WAITING = 8,       /* labelled as an answer, to a thread
	                                 * that waits for none */
	LENT_KPF_MAPPED_WIDELY = 9,     /* the kpager's mapping of the page and
	                                 * those derived from it are more than
	                                 * LENT_KPF_MAX_MAPPINGS */
	LENT_KPF_BAD_CONTENT = 10,      /* a page that must hold external forms
	                                 * (thread bodies taken back) holds one
	                                 * the kernel refuses: its reason in
	                                 * bits 16-23 of the offset
	                                 * (LENT_KPF_REFUSAL_CONTENT) */
	LENT_KPF_AHEAD_FULL = 11,       /* LEND_AHEAD: the task's reserve holds
	                                 * LENT_KAHEAD_MAX unbound frames */
	LENT_KPF_NOT_LENT_HERE = 12,    /* LEND_AHEAD: no kpager lends this
	                                 * task's kernel memory (KMEM=pool, or
	                                 * one of boot's tasks) */
};
/* Lending ahead (LENT_KMEM_LEND_AHEAD): the most unbound frames one
 * task's reserve holds, and the content identifier LENT_KMEM_WHERE gives
 * for a frame still unbound in it (its kind is then LENT_KMEM_KINDS). */
#define LENT_KAHEAD_MAX 16u
#define LENT_CID_UNBOUND 0xFFFFFFFFu
/* The kernel takes as kernel memory only frames below this physical
 * address (896 MB, the end of its direct map); a page at or above it is
 * refused with LENT_KPF_NOT_ADDRESSABLE (and by SIGMA0_GIVE likewise).
 * RAM up there is conventional memory user level uses like any other. */
#define LENT_KMEM_FRAME_LIMIT 0x38000000u
/* The most mappings a page may have in all (the kpager's and those it
 * passed on, directly or further down) to be lent: the kernel removes
 * every one's translation when it takes the frame, in one step. */
#define LENT_KPF_MAX_MAPPINGS 32u
/* The refusal's offset field: the reason in bits 0-7, the index of the
 * refused item in bits 8-15 (0 for the first; for LENT_KPF_ITEMS with a
 * wrong number of typed words, those words divided by two). */
#define LENT_KPF_REFUSAL(why, item) ((why) | ((item) << 8))
#define LENT_KPF_REFUSAL_WHY(off)   ((off) & 0xFFu)
#define LENT_KPF_REFUSAL_ITEM(off)  (((off) >> 8) & 0xFFu)
/* LENT_KPF_BAD_CONTENT: why the form was refused (enum tcbx_refusal,
 * docs/tcb-external-form.md, "What the import checks"). */
#define LENT_KPF_REFUSAL_CONTENT(off) (((off) >> 16) & 0xFFu)

/*
 * Deadlock: a send whose receiver needs kernel memory that only the
 * sender (as the receiver's kpager) could give is aborted.  The sender's
 * Ipc fails with IPC error code 7 (aborted) and the offset field equal to
 * LENT_KPF_DEADLOCK; the receiver's kernel page fault then goes to the
 * now free kpager, and the sender may send again once it has answered it.
 */
#define LENT_KPF_DEADLOCK 0xD1Du

/*
 * KmemControl, the extension system call (KIP word 0xFC holds its stub's
 * offset, after X.2's eleven).  Registers: EAX a thread of the task (nil:
 * the caller's own), ECX the operation, EDX its argument; EAX out.
 */
enum lent_kmem_op {
	LENT_KMEM_STATS = 0,       /* counts into MR1..: see below; EAX: total pages */
	LENT_KMEM_GET_KPAGER = 1,  /* EAX: the task's kpager */
	LENT_KMEM_SET_KPAGER = 2,  /* EDX: the new kpager; EAX 1, or 0 and ErrorCode */
	LENT_KMEM_LENT = 3,        /* EDX: an address of the caller's; EAX 1 if the
	                            * frame mapped there is lent to the kernel */
	LENT_KMEM_PENDING = 4,     /* EAX: 1 if that thread waits for the answer to
	                            * a kernel page fault sent to the caller's task
	                            * (a kpager tells real faults from forged ones) */
	LENT_KMEM_LENT_KINDS = 5,  /* EAX: bit k set if the task's kpager lends kind k
	                            * in this kernel (0 in a KMEM=pool kernel) */
	LENT_KMEM_LENT_MASK = 6,   /* EDX: an address of the caller's; EAX bit i set
	                            * if the frame mapped at the i-th page from EDX
	                            * (rounded down to 128 KB) is lent, i < 32 */
	LENT_KMEM_OWNED = 7,       /* EAX nil, EDX 0: the kernel-owned memory by
	                            * category into MR1..: see below; EAX: the
	                            * kernel-owned total in pages.  Privileged
	                            * tasks only. */
	LENT_KMEM_SET_KPF_PAGES = 8, /* EDX: the most pages one kernel page fault of
	                            * the task may name (1..LENT_KPF_MAX_PAGES, 1
	                            * at creation; a new task inherits it with its
	                            * kpager); privileged tasks only, as SET_KPAGER */
	LENT_KMEM_SELF_CHECK = 9,  /* EAX nil, EDX 0: check every kernel structure
	                            * (below, LENT_SC_*), then every thread's
	                            * kernel state (its continuation record); EAX:
	                            * 0, or the number of faults found, MR1 a
	                            * thread of the first, MR2 the rule it breaks,
	                            * MR3 where, MR4 the task's number
	                            * (docs/kpager-protocol.md).  Privileged
	                            * tasks only. */
	LENT_KMEM_SIGMA0_GIVE = 10, /* sigma0 only, EAX nil; EDX: the address (in
	                            * sigma0's idempotent mapping: physical) of a
	                            * page of its own it gives its kernel-memory
	                            * store for good; EAX: the store's free pages
	                            * after, or 0 and ErrorCode 1 (not sigma0), 5
	                            * (EAX not nil, or the page refused: MR1 the
	                            * reason, enum lent_kpf_refusal) */
	LENT_KMEM_SET_KPF_WAIT = 11, /* EDX: how long a thread of the task waits
	                            * for a kpager's answer to a kernel page
	                            * fault, in each phase: an X.2 relative
	                            * timeout (never, the default, or a period);
	                            * then the operation fails for want of
	                            * memory.  The task itself or a privileged
	                            * task. */
	LENT_KMEM_TASK_ID = 12,    /* EAX: the task's id, a number that names it
	                            * among all tasks and is never reused (0
	                            * names none): a kpager tells by it which
	                            * task a fault's thread belongs to.  The task
	                            * itself, its kpager, or a privileged task. */
	LENT_KMEM_SET_CHILD_KPAGER = 13, /* EDX: the kpager of the tasks the task
	                            * makes from now on (nil: its own, the
	                            * default): it lends their record and first
	                            * TCB page, and they have it as their kpager,
	                            * one page per fault.  Privileged tasks only,
	                            * as SET_KPAGER. */
	LENT_KMEM_LEND_AHEAD = 14, /* EAX: a thread of the task; EDX: an address
	                            * of the caller's, whose page goes into the
	                            * task's reserve, lent ahead of need; EAX:
	                            * the unbound frames of the reserve after, or
	                            * 0 and ErrorCode 1 (the caller is not of the
	                            * task's kpager's task), 3 (sigma0), 5 (MR1:
	                            * the refusal, enum lent_kpf_refusal) */
	LENT_KMEM_WHERE = 15,      /* EAX: a thread of the task; EDX: an address
	                            * of the caller's; EAX 1 if that frame is
	                            * lent to the task: MR1 its content
	                            * identifier (LENT_CID_UNBOUND while in the
	                            * reserve), MR2 its kind; else 0.  The task,
	                            * its kpager, or a privileged task. */
	LENT_KMEM_IPC_FAST = 16,   /* EAX nil, EDX 0: EAX the IPCs the kernel's
	                            * fast path (kernel/ipc_fast.c) delivered
	                            * since boot; MR1 1 if the fast path is on,
	                            * 0 if the kernel option ipcfast=off turned
	                            * it off.  Privileged tasks only (a global
	                            * figure, as LENT_KMEM_OWNED). */
};
/* LENT_KMEM_STATS fills MR1..MR(LENT_KMEM_KINDS) with the pages of each
 * kind held by the task, then the words below.  Readable by the task, by
 * its kpager, and by a privileged task. */
#define LENT_KMEM_STAT_RESIDENT   (LENT_KMEM_KINDS + 1)  /* MR8: resident bytes of its threads */
#define LENT_KMEM_STAT_THREADS    (LENT_KMEM_KINDS + 2)  /* MR9: its threads */
#define LENT_KMEM_STAT_PRIVILEGED (LENT_KMEM_KINDS + 3)  /* MR10: 1 for sigma0, the root task */
#define LENT_KMEM_STAT_MAPPED     (LENT_KMEM_KINDS + 4)  /* MR11: user pages mapped in it */
#define LENT_KMEM_STAT_STORE      (LENT_KMEM_KINDS + 5)  /* MR12: sigma0: free pages of its
							   * kernel-memory store; others 0 */
#define LENT_KMEM_STAT_AHEAD      (LENT_KMEM_KINDS + 6)  /* MR13: unbound frames of its
							   * reserve (LEND_AHEAD) */
/* External forms its kpagers gave back for it (thread bodies, UTCB
 * pages, node pages and node tables taken back), by the kernel's word:
 * refused (a body: the answer failed with LENT_KPF_BAD_CONTENT; a node
 * page or table: taken as an empty one), and taken in.  Counted since
 * the task was made; the refused count is 16 bits and wraps. */
#define LENT_KMEM_STAT_IMPORTS_REFUSED (LENT_KMEM_KINDS + 7)  /* MR14 */
#define LENT_KMEM_STAT_IMPORTS_TAKEN   (LENT_KMEM_KINDS + 8)  /* MR15 */
/* Of its pages (MR1..MR7), the frames its kpagers lent; the rest are the
 * kernel's (the boot reserve, the pool) or sigma0's store's.  The global
 * LENT_KMEM_OWN_LENT moves with every task; this one with its own. */
#define LENT_KMEM_STAT_LENT       (LENT_KMEM_KINDS + 9)  /* MR16 */
#define LENT_KMEM_STATS_WORDS     (LENT_KMEM_KINDS + 9)

/* LENT_KMEM_OWNED fills MR1..MR13, in 4 KB pages unless named otherwise.
 * Kernel-owned, fixed from boot on (EAX is the sum of these five): */
#define LENT_KMEM_OWN_IMAGE          1   /* the kernel image, stacks, per-CPU data */
#define LENT_KMEM_OWN_FRAME_TABLE    2   /* the frame table and its buckets */
#define LENT_KMEM_OWN_SIGMA0_RESERVE 3   /* sigma0's boot reserve (its used part) */
#define LENT_KMEM_OWN_POOL           4   /* KMEM=pool: the in-kernel pool, its whole
					  * size; the default build: the boot
					  * reserve that takes its place */
#define LENT_KMEM_OWN_RESIDENT       5   /* the resident reserve: resident thread
					  * parts and the thread table's leaves */
/* How they are used now: */
#define LENT_KMEM_OWN_POOL_KERNEL    6   /* pool pages of the kernel's own (the KIP) */
#define LENT_KMEM_OWN_POOL_TASKS     7   /* pool pages charged to tasks (the default
					  * build: always 0, see BOOT_TASKS) */
#define LENT_KMEM_OWN_RESIDENT_PARTS 8   /* resident thread parts in use (a count) */
/* Not kernel-owned: frames the kpagers lend the kernel now, all tasks
 * (sigma0's store apart, below). */
#define LENT_KMEM_OWN_LENT           9
#define LENT_KMEM_OWN_LEAVES        10   /* thread-table leaves in use */
#define LENT_KMEM_OWN_BOOT_TASKS    11   /* the default build: boot-reserve pages
					  * held by sigma0 and the root task (made
					  * at boot, and sigma0's own); KMEM=pool 0 */
/* Not kernel-owned, and not in LENT: frames sigma0 gave its kernel-memory
 * store (KmemControl SIGMA0_GIVE), all of them, and those of them in use. */
#define LENT_KMEM_OWN_SIGMA0_STORE      12
#define LENT_KMEM_OWN_SIGMA0_STORE_USED 13
#define LENT_KMEM_OWNED_WORDS       13

/*
 * The rules of SELF_CHECK over the kernel's structures, as MR2 reports
 * the first one broken (rules 1..31 are a thread's continuation record's,
 * enum kcont_fault in kernel/kcont.h).  A structure fault ends the check
 * at once (EAX 1); MR1 is then a thread of the task concerned (nil when
 * none is left, or for the frame table), MR3 the address, frame or
 * content identifier at fault, MR4 the task's number (0: none).
 * docs/kernel-memory.md, "The self-check", says what each rule holds.
 */
enum lent_selfcheck_rule {
	LENT_SC_RECORD = 32,        /* a task record not in its own record frame */
	LENT_SC_KPAGE = 33,         /* a kernel page of a task (directory, page
	                             * or node table, node page, bitmap) not in
	                             * memory lent to it at its content
	                             * identifier, or the pool it may use */
	LENT_SC_NODE_PTR = 34,      /* a pointer to a mapping node that is not in
	                             * a node page, or names no live node */
	LENT_SC_NODE_SLOT = 35,     /* a node not in the slot of its space and
	                             * address, or outside user and port space */
	LENT_SC_NODE_LINKS = 36,    /* parent, child and sibling links disagree */
	LENT_SC_NODE_FRAME = 37,    /* a node maps another frame than its parent,
	                             * or a frame the kernel owns */
	LENT_SC_NODE_RIGHTS = 38,   /* a node's rights empty or not within its
	                             * parent's */
	LENT_SC_NODE_ROOT = 39,     /* a node without parent outside sigma0 */
	LENT_SC_NODE_TREE = 40,     /* a node no root leads to (a cycle) */
	LENT_SC_NODE_COUNT = 41,    /* a task's mapped-page count is not its nodes */
	LENT_SC_FREE_NODES = 42,    /* free nodes: one outside its task's pages,
	                             * in use, or their number wrong */
	LENT_SC_NODE_PAGES = 43,    /* the list of a task's node pages */
	LENT_SC_PTE_NODE = 44,      /* a user translation with no node for it */
	LENT_SC_PTE_RIGHTS = 45,    /* a translation wider than its node */
	LENT_SC_PTE_KIP = 46,       /* the KIP area's entry is not the KIP, read-only */
	LENT_SC_PTE_UTCB = 47,      /* a UTCB-area entry that is not a UTCB page of
	                             * the task's at its content identifier */
	LENT_SC_PTE_KFRAME = 48,    /* a user translation of a frame lent to the
	                             * kernel or kernel-owned */
	LENT_SC_IO_BITMAP = 49,     /* the I/O bitmap allows a port with no node */
	LENT_SC_THREAD = 50,        /* the thread table, a resident part or a
	                             * body, or a task's list of threads */
	LENT_SC_THREAD_UTCB = 51,   /* a thread's UTCB not in its task's UTCB page
	                             * for its address, or not where that address
	                             * is mapped */
	LENT_SC_ACCOUNT = 52,       /* a task's pages of a kind are not what it
	                             * holds (MR3: the kind) */
	LENT_SC_FRAME_ENTRY = 53,   /* a frame-table entry: its type, kind or
	                             * content identifier */
	LENT_SC_FRAME_CHAIN = 54,   /* the frame table's hash chains or lent count */
	LENT_SC_FRAME_ORPHAN = 55,  /* lent frames that no live task holds */
	LENT_SC_POOL = 56,          /* the pool's counts, or sigma0's boot reserve's,
	                             * against the pages tasks hold */
	LENT_SC_STORE = 57,         /* sigma0's store against the frame table */
	LENT_SC_PTE_TYPE = 58,      /* a user translation whose cache mode is not
	                             * its mapping's memory type */
	LENT_SC_NODE_BITS = 59,     /* a record's access bits: a bit beyond its
	                             * type, kept and own ones, or kept bits
	                             * where no node table finds it; a part's
	                             * byte 3 not 0 */
	LENT_SC_RULES_END = 60
};

#ifndef LENT_KERNEL
/* The user-level binding: registers as above.  The task is named by one
 * of its threads' global IDs (raw word; 0 is nil, the caller's task). */
extern void __L4_KmemControl(void);

static inline unsigned long lent_kmem_control(unsigned long task, unsigned long op,
					      unsigned long arg)
{
	unsigned long eax = task, ecx = op, edx = arg;

	__asm__ __volatile__("call __L4_KmemControl"
			     : "+a"(eax), "+c"(ecx), "+d"(edx)
			     :
			     : "memory", "cc", "ebx", "esi", "edi");
	return eax;
}
#endif

#endif
