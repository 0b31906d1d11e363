/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kpager library (docs/writing-a-kpager.md): a thread that receives
 * kernel page faults (docs/kpager-protocol.md), checks that each is real,
 * asks a policy for a page, and answers with a map item of it.  A pool of
 * pages to lend from, which finds the pages the kernel gave back, comes
 * with it.  The FCFS and quota kpagers (fcfs.c, quota.c) are policies
 * over it.
 *
 * A kpager here is a thread of the root task: its pages are the root's
 * own, mapped at their physical address (rt_get_pages).  One thread
 * writes the pool and the counters (the kpager's); other threads of the
 * task may read them, and may add pages (kpager_grow), which are
 * published only once complete.
 */
#ifndef KPAGER_KPAGER_H
#define KPAGER_KPAGER_H

#include "../user/rt/rt.h"
#include <lent/kmem.h>

/* The most chunks and pages one pool holds. */
#define KPAGER_CHUNKS		8
#define KPAGER_PAGES		256
/* How many pages the policy may offer for one fault before the kpager
 * gives up and answers "no memory". */
#define KPAGER_TRIES		3

/* Owner tags of the pool's pages: 0 free, KPAGER_BAD refused by the
 * kernel (never offered again), anything else whom the page is lent to
 * (the policy chooses: FCFS names the task, quota the client). */
#define KPAGER_FREE		0UL
#define KPAGER_BAD		(~0UL)

struct kpager_pool {
	L4_Word_t base[KPAGER_CHUNKS];   /* first page of each chunk */
	L4_Word_t pages[KPAGER_CHUNKS];  /* its length in pages */
	L4_Word_t first[KPAGER_CHUNKS];  /* its first index in owner[] */
	volatile L4_Word_t chunks;       /* published chunks */
	volatile L4_Word_t owner[KPAGER_PAGES];
	L4_Word_t used;                  /* entries of owner[] taken by chunks */
	L4_Word_t low;                   /* no entry below it is free: where the
	                                  * search for a free page starts */
	L4_Word_t low_chunk;             /* and no chunk below this one has a
	                                  * free entry (0: look from the first) */
};

struct kpager;

/* Lending ahead (ahead.c, docs/kpager-protocol.md "Lending ahead"): the
 * frames lent ahead that the kpager still follows, all tasks together,
 * and the label of a request to its thread to top the sender's task's
 * reserve up (the answer's MR1: that reserve's unbound frames). */
#define KPAGER_AHEAD_RECS	32
#define KPAGER_AHEAD_LABEL	0x7e02
struct kpager_ahead_rec {
	L4_Word_t page;                  /* 0: free record */
	L4_Word_t client;                /* a thread of the task it went to */
};

/*
 * The policy: a page of the kpager's own to lend for the fault (client
 * task, named by a thread of it; content identifier; kind), or 0 for
 * "no memory".  Called on the kpager's thread.
 */
typedef L4_Word_t (*kpager_policy_t)(struct kpager *kp, L4_ThreadId_t client,
				     L4_Word_t cid, unsigned kind);
/* More memory from the kpager's own pager: the base of n fresh pages
 * mapped in its space, or 0. */
typedef L4_Word_t (*kpager_more_t)(L4_Word_t n);
/* A message that is not a kernel page fault; its return value is
 * ignored.  It may answer the sender itself. */
typedef void (*kpager_other_t)(struct kpager *kp, L4_ThreadId_t from, L4_MsgTag_t tag);

struct kpager {
	kpager_policy_t policy;
	kpager_more_t more;              /* 0: rt_get_pages (the sigma0 protocol) */
	kpager_other_t other;            /* 0: such messages are dropped */
	void *data;                      /* the policy's own */
	struct kpager_pool pool;
	L4_ThreadId_t thread;            /* the kpager's thread, once started */
	/* What happened, for tests and reports (written by the thread). */
	volatile L4_Word_t faults;       /* real kernel page faults received */
	volatile L4_Word_t forged;       /* fault-shaped messages from threads not waiting */
	volatile L4_Word_t served;       /* answers the kernel took */
	volatile L4_Word_t no_memory;    /* answered with no page */
	volatile L4_Word_t refusals;     /* answers the kernel refused (IPC error 4) */
	volatile L4_Word_t last_refusal; /* its reason: enum lent_kpf_refusal */
	volatile L4_Word_t lost;         /* answers that found nobody waiting */
	volatile L4_Word_t reclaimed;    /* pages found back from the kernel */
	volatile L4_Word_t kinds[LENT_KMEM_KINDS];   /* faults by kind */
	/* Lending ahead: 0 never (the default); else the unbound frames to
	 * keep in each client task's reserve, topped up when the task asks
	 * (KPAGER_AHEAD_LABEL) and when one of its faults arrives. */
	volatile L4_Word_t ahead;
	struct kpager_ahead_rec ahead_rec[KPAGER_AHEAD_RECS];
	volatile L4_Word_t ahead_lent;   /* frames lent ahead */
	volatile L4_Word_t ahead_bound;  /* of those, found bound to a content */
	volatile L4_Word_t ahead_refused;/* LEND_AHEAD refused (last reason below) */
	volatile L4_Word_t ahead_last_refusal;
	volatile L4_Word_t ahead_last_cid;   /* content identifier of the last
	                                      * binding found (WHERE) */
};

/* kpager.c: the loop. */
void kpager_init(struct kpager *kp, kpager_policy_t policy, void *data);
L4_ThreadId_t kpager_start(struct kpager *kp);
void kpager_loop(L4_Word_t kp);
int kpager_answer(L4_ThreadId_t to, L4_Word_t page, L4_Word_t *ec);

/* ahead.c: lending ahead.  Top up the reserve of client's task to
 * kp->ahead (first learning which frames lent ahead were bound); returns
 * its unbound frames.  On the kpager's thread. */
L4_Word_t kpager_ahead_top_up(struct kpager *kp, L4_ThreadId_t client);
/* A client asks its kpager (a library kpager that lends ahead) to top
 * its reserve up; the reserve's unbound frames after, or 0. */
L4_Word_t kpager_ahead_request(L4_ThreadId_t kpager);

/* pool.c: the pages to lend. */
int kpager_pool_add(struct kpager_pool *p, L4_Word_t base, L4_Word_t n);
L4_Word_t kpager_pool_take(struct kpager *kp, L4_Word_t owner);
void kpager_pool_set(struct kpager_pool *p, L4_Word_t page, L4_Word_t owner);
L4_Word_t kpager_pool_owner(const struct kpager_pool *p, L4_Word_t page);
L4_Word_t kpager_pool_count(const struct kpager_pool *p, L4_Word_t owner);
L4_Word_t kpager_pool_held(const struct kpager_pool *p, L4_Word_t owner);
L4_Word_t kpager_pool_size(const struct kpager_pool *p);
L4_Word_t kpager_reclaim(struct kpager *kp);
L4_Word_t kpager_grow(struct kpager *kp, L4_Word_t n);

/* fcfs.c: first come, first served, from the pool until it is empty. */
struct kpager_fcfs {
	struct kpager kp;
};
L4_ThreadId_t fcfs_start(struct kpager_fcfs *f, L4_Word_t base, L4_Word_t pages);
/* Lend n frames ahead to each client task (0: never, the default). */
void fcfs_set_ahead(struct kpager_fcfs *f, L4_Word_t n);
/* Pages lent to the task of this thread (as the fault named it). */
L4_Word_t fcfs_lent_to(struct kpager_fcfs *f, L4_ThreadId_t task);

/* preempt.c: FCFS that takes its pages back from the kernel, every one
 * or one out of `every` at random, keeps what they held, and lends it
 * again (into another page where it can) when the kernel asks for it. */
#define PREEMPT_RECORDS		48      /* pages it follows; its store is as many */
#define PREEMPT_LABEL		0x7e01  /* a request to its thread: MR1 every,
					 * MR2 the content identifier */
#define PREEMPT_ANY		(~0UL)  /* every content identifier */
enum { PREEMPT_FREE, PREEMPT_LENT, PREEMPT_KEPT };
struct preempt_rec {
	L4_Word_t page;                  /* the page lent (PREEMPT_LENT), or the
	                                  * one it was in (PREEMPT_KEPT) */
	L4_Word_t task, cid, kind;       /* what it holds: task by TASK_ID */
	L4_Word_t client;                /* a thread of the task (the fault's) */
	L4_Word_t state;
};
struct kpager_preempt {
	struct kpager kp;
	struct preempt_rec rec[PREEMPT_RECORDS];
	L4_Word_t store;                 /* PREEMPT_RECORDS pages of its own */
	L4_Word_t seed;
	volatile L4_Word_t taken;        /* pages the kernel gave back */
	volatile L4_Word_t held;         /* pages the kernel kept (kinds it keeps) */
	volatile L4_Word_t restored;     /* contents lent again */
	volatile L4_Word_t moved;        /* of those, into another page */
	volatile L4_Word_t untracked;    /* lent with no record free */
};
L4_ThreadId_t preempt_start(struct kpager_preempt *p, L4_Word_t base, L4_Word_t pages,
			    L4_Word_t store, L4_Word_t seed);
/* Its policy: what it kept for (the client's task, cid) into a page, or
 * a fresh page; a policy over it (hostile.c) calls it. */
L4_Word_t preempt_lend(struct kpager *kp, L4_ThreadId_t client, L4_Word_t cid, unsigned kind);
/* Ask its thread to take back pages now (every: 1 for all); the number
 * the kernel gave back. */
L4_Word_t preempt_take_back(struct kpager_preempt *p, L4_Word_t every);
/* The same for the pages lent for content identifier cid only. */
L4_Word_t preempt_take_back_cid(struct kpager_preempt *p, L4_Word_t every, L4_Word_t cid);

/* hostile.c: the preempting kpager, editing every content it lends back
 * (per_page seeded edits, random and structure-aware, and another task's
 * sentinel planted), and answering now and then with a page the kernel
 * must refuse.  The kernel must stay whole and other kpagers' clients
 * untouched, whatever it does. */
struct kpager_hostile {
	struct kpager_preempt pre;       /* first: kp->data is the preempt part */
	L4_Word_t seed, per_page, sentinel, turn;
	volatile L4_Word_t edits;        /* words it changed in pages lent back */
	volatile L4_Word_t bad_answers;  /* answers it made to be refused */
	volatile L4_Word_t lent_back;    /* edited pages it lent back */
	volatile L4_Word_t refused;      /* of those, bodies the kernel refused */
	L4_Word_t refusals_seen;         /* pre.kp.refusals when last looked */
	L4_Word_t tcb_turn;              /* which TCB edit comes next */
#define HOSTILE_TCB_EDITS 12
	volatile L4_Word_t tcb_edits[HOSTILE_TCB_EDITS];  /* by kind (hostile.c) */
	/* Node pages and node tables (hostile_nodes.c): off
	 * until hostile_set_nodes. */
	L4_Word_t nodes;                 /* 1: edit them */
	L4_Word_t stash;                 /* a page: an older form kept to replay */
	L4_Word_t stash_task, stash_cid; /* whose it is; stash_cid 0: none */
#define HOSTILE_FOREIGN 4
	L4_Word_t foreign_task[HOSTILE_FOREIGN];  /* other tasks' ids ... */
	L4_Word_t foreign_va[HOSTILE_FOREIGN];    /* ... and their pages */
	L4_Word_t node_turn;             /* which node edit comes next */
#define HOSTILE_NODE_EDITS 18
#define HOSTILE_NODE_FLAGS 10            /* the kind that forges flags: always refused */
	volatile L4_Word_t node_edits[HOSTILE_NODE_EDITS];  /* by kind */
	volatile L4_Word_t node_lent;    /* edited node pages and tables lent */
	/* The kernel's word on the forms lent back to its clients
	 * (KmemControl STATS of each client task, hostile_imports): */
	L4_Word_t imports_refused;       /* refused: bodies, node pages, tables */
	L4_Word_t imports_taken;         /* taken in */
};
L4_ThreadId_t hostile_start(struct kpager_hostile *h, L4_Word_t base, L4_Word_t pages,
			    L4_Word_t store, L4_Word_t seed, L4_Word_t per_page,
			    L4_Word_t sentinel);
/* Edit node pages and node tables too: stash is a page of the kpager's
 * own for the older form it replays; task[i], va[i] (n of them, at most
 * HOSTILE_FOREIGN) name other tasks' pages that forged parts and records
 * point at.  Call before the kpager lends anything. */
/* Add what the kernel did with the forms lent back for client's task
 * (refused, taken in; KmemControl STATS, which a task's kpager reads):
 * once for each client task, before it is deleted. */
void hostile_imports(struct kpager_hostile *h, L4_ThreadId_t client);
void hostile_set_nodes(struct kpager_hostile *h, L4_Word_t stash, unsigned n,
		       const L4_Word_t *task, const L4_Word_t *va);
/* hostile_nodes.c: one structure-aware edit (or a few random ones) into
 * a node page or node table about to be lent back for (task, cid). */
void hostile_edit_nodes(struct kpager_hostile *h, L4_Word_t page, L4_Word_t task,
			L4_Word_t cid, unsigned kind);
L4_Word_t hostile_random(struct kpager_hostile *h);

/* quota.c: a limit in pages per client; a client is a task, known by
 * the threads registered for it. */
#define QUOTA_CLIENTS	8
#define QUOTA_THREADS	32
struct kpager_quota {
	struct kpager kp;
	volatile L4_Word_t limit[QUOTA_CLIENTS];
	volatile L4_Word_t over[QUOTA_CLIENTS];      /* faults refused at the limit */
	L4_Word_t thread[QUOTA_THREADS];             /* registered thread IDs */
	L4_Word_t client_of[QUOTA_THREADS];
	volatile L4_Word_t threads, clients;
	volatile L4_Word_t unknown;                  /* faults for no registered task */
};
L4_ThreadId_t quota_start(struct kpager_quota *q, L4_Word_t base, L4_Word_t pages);
int quota_client(struct kpager_quota *q, L4_Word_t limit);
int quota_add_thread(struct kpager_quota *q, int client, L4_ThreadId_t tid);
L4_Word_t quota_used(struct kpager_quota *q, int client);
int quota_upgrade(struct kpager_quota *q, int client, L4_Word_t pages);

#endif
