/* SPDX-License-Identifier: BSD-2-Clause */
/* The sigma0 protocol (label -6; an all-ones base asks for any page). */
#include "tests.h"

static const char *t_sigma0_any_page(void)
{
	extern char _start_image[], _end[];
	L4_Fpage_t fp = L4_Sigma0_GetAny(rt_sigma0(), 12, L4_CompleteAddressSpace);
	volatile L4_Word_t *w;

	CHECK(!L4_IsNilFpage(fp));
	CHECK_EQ(L4_Size(fp), RT_PAGE_SIZE);
	CHECK(L4_Address(fp) >= (L4_Word_t)_end ||
	      L4_Address(fp) + RT_PAGE_SIZE <= (L4_Word_t)_start_image);
	w = (volatile L4_Word_t *)L4_Address(fp);
	w[0] = 0x51a0;
	w[1023] = 0x51a1;
	CHECK_EQ(w[0], 0x51a0);
	CHECK_EQ(w[1023], 0x51a1);
	return 0;
}

/* Asking again for a page one already has gets the same page. */
static const char *t_sigma0_same_page_twice(void)
{
	L4_Word_t a = t_page();
	L4_Fpage_t fp;

	CHECK(a != 0);
	*(volatile L4_Word_t *)a = 0x7777;
	fp = L4_Sigma0_GetPage(rt_sigma0(), L4_FpageLog2(a, 12));
	CHECK(!L4_IsNilFpage(fp));
	CHECK_EQ(L4_Address(fp), a);
	CHECK_EQ(*(volatile L4_Word_t *)a, 0x7777);
	return 0;
}

/* A page that belongs to us is refused to another client. */
static const char *t_sigma0_other_client_refused(void)
{
	L4_Word_t a = t_page(), w[2];
	L4_ThreadId_t ag = rt_agent_create(rt_pager());
	L4_MsgTag_t tag;

	CHECK(a != 0 && !L4_IsNilThread(ag));
	w[0] = L4_FpageLog2(a, 12).raw;
	w[1] = L4_FpageLog2(0x40000000UL, 22).raw;
	tag = rt_agent_cmd(ag, RT_AG_SIGMA0, 2, w);
	CHECK(L4_IpcSucceeded(tag) && L4_Label(tag) == RT_AG_RESULT);
	CHECK(L4_IsNilFpage((L4_Fpage_t) { .raw = rt_mr(1) }));
	return 0;
}

/* Malformed requests -- a short message, an unknown label, "any page"
 * of 2^40 bytes, a nil fpage: no answer, or one that maps nothing; and
 * sigma0 goes on serving. */
static const char *t_sigma0_garbage_requests(void)
{
	struct { L4_Word_t label; int u; L4_Word_t w0, w1; } req[4] = {
		{ (L4_Word_t)-6 << 4, 1, 0x1234, 0 },
		{ 0x1234, 2, ~0UL, ~0UL },
		{ (L4_Word_t)-6 << 4, 2, L4_FpageLog2(~0UL, 40).raw, 0 },
		{ (L4_Word_t)-6 << 4, 2, L4_Nilpage.raw, 0 },
	};
	L4_MsgTag_t tag;
	int i;

	for (i = 0; i < 4; i++) {
		L4_Word_t w[2] = { req[i].w0, req[i].w1 };

		t_load(req[i].label & 0xffff, req[i].u, w, 0, 0);
		L4_Accept(L4_MapGrantItems(L4_FpageLog2(0x40000000UL, 22)));
		tag = L4_Call_Timeouts(rt_sigma0(), L4_Never, rt_us(200000));
		L4_Accept(L4_UntypedWordsAcceptor);
		if (L4_IpcFailed(tag)) {
			CHECK_EQ(t_ipc_ec(), EC_RECV(L4_ErrTimeout));
			continue;
		}
		if (L4_TypedWords(tag) != 0 && !L4_IsNilFpage((L4_Fpage_t) { .raw = rt_mr(2) }))
			printf("#   request %d: answer %lx, %lx, %lx\n", i, tag.raw, rt_mr(1), rt_mr(2));
		CHECK(L4_TypedWords(tag) == 0 || L4_IsNilFpage((L4_Fpage_t) { .raw = rt_mr(2) }));
	}
	CHECK(!L4_IsNilFpage(L4_Sigma0_GetAny(rt_sigma0(), 12, L4_CompleteAddressSpace)));
	return 0;
}

const struct test sigma0_tests[] = {
	TEST(sigma0_any_page),
	TEST(sigma0_same_page_twice),
	TEST(sigma0_other_client_refused),
	TEST(sigma0_garbage_requests),
	{ 0 },
};
