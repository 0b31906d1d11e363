/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Randomized test for the kernel-memory accounting (kernel/kmem_account.h):
 * fixed seeds drive thousands of pages taken from the pool and given
 * back, frames lent and returned, and uncharges of what was never
 * charged, for the kernel, sigma0, the root task and four unprivileged
 * tasks, in both builds.  After every step each count must equal that of
 * a model written here from the rules of docs/architecture.md, and every
 * page of the pool must be free, the kernel's or a task's.
 */
#include <check.h>
#include <string.h>
#include <kernel/kmem_account.h>

static uint32_t seed_now;

/* A cheap assertion for loops, naming the seed of the run. */
#define REQUIRE(c, fmt, ...) do { if (!(c)) ck_abort_msg("seed %#x: " fmt, seed_now, __VA_ARGS__); } while (0)

static kmem_payer_t kernel_payer(void)
{
	return (kmem_payer_t){ .charge = NULL };
}

/* The model: plain counts, and the rules as the docs state them. */
enum { TASKS = 6 };
typedef struct {
	bool privileged, sigma0, boot_kmem;
	uint32_t pool[KMEM_KINDS];   /* pages from the pool, by kind */
	uint32_t lent[KMEM_KINDS];   /* frames its kpager lent, by kind */
} model_task_t;

typedef struct {
	bool pool_build;
	uint32_t size, free, kernel, boot_tasks;
	model_task_t t[TASKS];
} model_t;

static uint32_t model_total(const model_task_t *t)
{
	uint32_t n = 0;

	for (unsigned k = 0; k < KMEM_KINDS; k++)
		n += t->pool[k] + t->lent[k];
	return n;
}

static bool model_may_take(const model_t *m, int who)
{
	if (who < 0)
		return true;                     /* the kernel's own */
	const model_task_t *t = &m->t[who];
	if (!m->pool_build)
		return t->sigma0 || t->boot_kmem;
	if (t->privileged)
		return true;
	uint32_t reserve = m->size / 16 < 32 ? 32 : m->size / 16;
	uint32_t rest = m->size > reserve ? m->size - reserve : 0;
	uint32_t quarter = rest / 4;
	return m->free > reserve && model_total(t) < quarter + quarter + quarter;
}

static uint32_t rng_state;

/* What the runs met, so that a run that never reaches a limit fails. */
static struct { uint32_t at_limit, at_reserve, refused_drop, lent, adopted, died; } met;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state % n;
}

static kmem_payer_t payer_of(const model_t *m, kmem_charge_t *c, int who)
{
	if (who < 0)
		return kernel_payer();
	return (kmem_payer_t){ .charge = &c[who], .privileged = m->t[who].privileged,
			       .no_kpager = m->t[who].sigma0 || m->t[who].boot_kmem };
}

static void check_same(const model_t *m, const kmem_stats_t *p, const kmem_charge_t *c,
		       unsigned step)
{
	uint32_t pool_held = 0;

	REQUIRE(p->pool_pages == m->size, "step %u: pool %u, model %u", step, p->pool_pages, m->size);
	REQUIRE(p->free_pages == m->free, "step %u: free %u, model %u", step, p->free_pages, m->free);
	REQUIRE(p->kernel_pages == m->kernel, "step %u: kernel %u, model %u", step, p->kernel_pages,
		m->kernel);
	REQUIRE(p->boot_task_pages == m->boot_tasks, "step %u: boot tasks %u, model %u", step,
		p->boot_task_pages, m->boot_tasks);
	for (unsigned i = 0; i < TASKS; i++) {
		for (unsigned k = 0; k < KMEM_KINDS; k++) {
			REQUIRE(c[i].pages[k] == m->t[i].pool[k] + m->t[i].lent[k],
				"step %u: task %u kind %u is %u, model %u", step, i, k, c[i].pages[k],
				m->t[i].pool[k] + m->t[i].lent[k]);
			pool_held += m->t[i].pool[k];
		}
		REQUIRE(kmem_charge_total(&c[i]) == model_total(&m->t[i]), "step %u: task %u total %u, model %u",
			step, i, kmem_charge_total(&c[i]), model_total(&m->t[i]));
	}
	/* Every page of the pool is free, the kernel's or a task's. */
	REQUIRE(m->free + m->kernel + pool_held == m->size, "step %u: the model leaks", step);
}

/* Task who dies as space_reap has it: every page back where it came
 * from, the record last, whose own charge goes with it; a new task of the
 * same kind then starts from nothing in its place. */
static void task_dies(model_t *m, kmem_stats_t *p, kmem_charge_t *c, int who)
{
	model_task_t *t = &m->t[who];
	kmem_payer_t pay = payer_of(m, c, who);
	bool boot_task = kmem_account_boot_task(pay, m->pool_build);
	uint32_t record = t->pool[KMEM_TASK] ? 1 : 0;

	for (unsigned k = 0; k < KMEM_KINDS; k++) {
		for (; t->lent[k]; t->lent[k]--)
			REQUIRE(kmem_charge_drop(&c[who], (enum kmem_kind)k), "task %d kind %u lent", who, k);
		for (; t->pool[k] > (k == KMEM_TASK ? record : 0); t->pool[k]--) {
			REQUIRE(kmem_account_uncharge(p, &c[who], (enum kmem_kind)k, boot_task),
				"task %d kind %u: uncharge refused", who, k);
			kmem_account_back(p);
			m->free++;
			m->boot_tasks -= boot_task;
		}
	}
	if (record) {
		/* The record was the task's kind 0; the page itself is reused. */
		REQUIRE(c[who].pages[KMEM_TASK] == 1, "task %d: record counted %u times", who,
			c[who].pages[KMEM_TASK]);
		kmem_account_record_back(p, !m->pool_build);
		t->pool[KMEM_TASK] = 0;
		m->free++;
		m->boot_tasks -= !m->pool_build;
	}
	memset(&c[who], 0, sizeof c[who]);
	met.died++;
}

/* One run of steps operations of the kernel's kinds on one build. */
static void random_run(bool pool_build, uint32_t seed, unsigned steps)
{
	model_t m;
	kmem_stats_t p;
	kmem_charge_t c[TASKS];

	memset(&m, 0, sizeof m);
	memset(&p, 0, sizeof p);
	memset(c, 0, sizeof c);
	rng_state = seed_now = seed;
	m.pool_build = pool_build;
	/* sigma0, the root task (at boot, then not), four others. */
	m.t[0] = (model_task_t){ .privileged = true, .sigma0 = true };
	m.t[1] = (model_task_t){ .privileged = true, .boot_kmem = true };
	for (unsigned i = 2; i < TASKS; i++)
		m.t[i].privileged = false;
	m.size = m.free = 40 + rnd(300);
	kmem_account_grow(&p, m.size);

	for (unsigned step = 0; step < steps; step++) {
		/* -1: the kernel's own; task 2 most of the time, so that one
		 * task meets its limit before the pool is down to the reserve. */
		int who = rnd(seed & 1 ? 8 : 4) ? 2 : (int)rnd(TASKS + 1) - 1;
		enum kmem_kind kind = who < 0 ? KMEM_KERNEL : (enum kmem_kind)rnd(KMEM_KERNEL);
		model_task_t *t = who < 0 ? NULL : &m.t[who];
		kmem_charge_t *ch = who < 0 ? NULL : &c[who];
		kmem_payer_t pay = payer_of(&m, c, who);
		bool boot_task = !pool_build && t && t->privileged;

		switch (rnd(12)) {
		case 0: case 1: case 2: case 3: {        /* a page of the pool */
			bool may = kmem_account_may_take(&p, pay, pool_build);
			REQUIRE(may == model_may_take(&m, who), "step %u: may_take %d for %d", step,
				may, who);
			if (!may && t && pool_build) {
				uint32_t reserve = m.size / 16 < 32 ? 32 : m.size / 16;
				met.at_reserve += m.free <= reserve;
				met.at_limit += m.free > reserve;
			}
			if (!may || !m.free)
				break;
			kmem_account_take(&p);
			kmem_account_charge(&p, ch, kind, kmem_account_boot_task(pay, pool_build));
			m.free--;
			if (t)
				t->pool[kind]++;
			else
				m.kernel++;
			m.boot_tasks += boot_task;
			break;
		}
		case 4: case 5: case 6: {                /* a pool page back */
			bool had = t ? t->pool[kind] > 0 : m.kernel > 0;
			if (had) {
				REQUIRE(kmem_account_uncharge(&p, ch, kind,
							      kmem_account_boot_task(pay, pool_build)),
					"step %u: uncharge of a page charged refused", step);
				kmem_account_back(&p);
				if (t)
					t->pool[kind]--;
				else
					m.kernel--;
				m.boot_tasks -= boot_task;
				m.free++;
			} else if (!t || !t->lent[kind]) {
				/* Nothing of kind charged: refused, nothing moves. */
				REQUIRE(!kmem_account_uncharge(&p, ch, kind,
							       kmem_account_boot_task(pay, pool_build)),
					"step %u: uncharge of nothing taken", step);
				met.refused_drop++;
			}
			break;
		}
		case 7: {                                /* a frame its kpager lent */
			bool lent = t && kmem_account_kind_is_lent(pay, kind, pool_build);
			/* Every kind of a task's own, but none of sigma0's or
			 * of a task boot makes; none in the pool build. */
			REQUIRE(lent == (t && !pool_build && !t->sigma0 && !t->boot_kmem),
				"step %u: kind %u lent %d for %d", step, kind, lent, who);
			if (!lent)
				break;
			kmem_charge_add(ch, kind);
			t->lent[kind]++;
			met.lent++;
			break;
		}
		case 8:                                  /* given back to its kpager */
			if (!t || !t->lent[kind])
				break;
			REQUIRE(kmem_charge_drop(ch, kind), "step %u: lent frame not counted", step);
			t->lent[kind]--;
			break;
		case 9:                                  /* boot is done with the root task */
			if (step > steps / 2)
				m.t[1].boot_kmem = false;
			break;
		case 10:                                 /* a record made as the kernel's */
			/* Lent build: only boot's tasks have a pool record. */
			if (!t || !m.kernel || (!pool_build && !t->privileged))
				break;
			kmem_account_adopt(&p, ch, KMEM_TASK, !pool_build);
			m.kernel--;
			t->pool[KMEM_TASK]++;
			m.boot_tasks += !pool_build;
			met.adopted++;
			break;
		case 11:                                 /* the task dies, another takes its place */
			if (!t || rnd(30))
				break;
			task_dies(&m, &p, c, who);
			break;
		}
		check_same(&m, &p, c, step);
	}
}

START_TEST(a_random_run_matches_the_model)
{
	for (uint32_t seed = 1; seed <= 40; seed++) {
		random_run(false, seed * 2654435761u, 3000);
		random_run(true, seed * 2654435761u, 3000);
	}
	ck_assert_uint_gt(met.at_limit, 0);
	ck_assert_uint_gt(met.at_reserve, 0);
	ck_assert_uint_gt(met.refused_drop, 0);
	ck_assert_uint_gt(met.lent, 0);
	ck_assert_uint_gt(met.adopted, 0);
	ck_assert_uint_gt(met.died, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kmem_account_random");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, a_random_run_matches_the_model);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
