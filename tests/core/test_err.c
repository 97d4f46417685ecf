/* SPDX-License-Identifier: BSD-3-Clause */
#define _GNU_SOURCE
#include <pthread.h>

#include <criterion/criterion.h>

#include <pcoll/pcoll.h>

Test(err, every_code_has_its_own_text)
{
	for (int i = 0; i < PC_E__COUNT; i++) {
		const char *a = pc_strerror((pc_err)i);
		cr_assert_not_null(a);
		cr_assert_gt(strlen(a), 3, "code %d has no text", i);
		cr_assert_str_neq(a, "unknown pcoll error");
		for (int j = 0; j < i; j++)
			cr_assert_str_neq(a, pc_strerror((pc_err)j),
					  "codes %d and %d share a text", i, j);
	}
	cr_assert_str_eq(pc_strerror(PC_E__COUNT), "unknown pcoll error");
	cr_assert_str_eq(pc_strerror((pc_err)-1), "unknown pcoll error");
}

Test(err, message_has_context_and_code)
{
	pc_err e = pc__fail(PC_E_TYPE, "thing %d: expected %s", 7, "a");
	cr_assert_eq(e, PC_E_TYPE);
	cr_assert_str_eq(pc_errmsg(), "thing 7: expected a [wrong type]");
}

Test(err, long_message_is_cut_not_overrun)
{
	char big[2000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	(void)pc__fail(PC_E_INVAL, "%s", big);
	cr_assert_eq(strlen(pc_errmsg()), PC_ERRMSG_MAX - 1);
}

static pc_err ok_then(pc_err second, int *reached)
{
	PC_TRY(PC_OK);
	*reached = 1;
	PC_TRY(second);
	*reached = 2;
	return PC_OK;
}

Test(err, pc_try_returns_early)
{
	int reached = 0;
	cr_assert_eq(ok_then(PC_E_FULL, &reached), PC_E_FULL);
	cr_assert_eq(reached, 1);
	cr_assert_eq(ok_then(PC_OK, &reached), PC_OK);
	cr_assert_eq(reached, 2);
}

static void *other_thread(void *arg)
{
	(void)arg;
	(void)pc__fail(PC_E_IO, "from the other thread");
	return NULL;
}

Test(err, message_is_per_thread)
{
	(void)pc__fail(PC_E_RANGE, "mine");
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, other_thread, NULL), 0);
	cr_assert_eq(pthread_join(t, NULL), 0);
	cr_assert_str_eq(pc_errmsg(), "mine [index out of range]");
}
