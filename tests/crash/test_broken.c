/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The harness can fail: deliberately broken persistence protocols must be
 * caught. Each test passes only when the simulator reports failing crash
 * images (and no harness error).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include "sim.h"

static void expect_detected(const cr_scenario *s)
{
	cr_opts o;
	cr_opts_default(&o);
	o.quiet = 1;
	cr_result r;
	int rc = cr_run(s, &o, &r);
	cr_report("broken", s, &o, &r);
	cr_assert_eq(rc, 0, "%s: harness error: %s", s->name, r.error);
	cr_assert_gt(r.images, 0);
	cr_assert_gt(r.failures, 0,
		     "%s: the simulator did not detect the missing persist "
		     "(%llu images checked)",
		     s->name, (unsigned long long)r.images);
	cr_log_info("%s: detected: %s", s->name, r.first_failure);
}

TestSuite(broken, .timeout = 0);

Test(broken, raw_push_without_element_persist)
{
	expect_detected(&cr_scn_rawpush_bug);
}

#ifdef CR_HAVE_VEC
/* vec.h built with PCOLL_TEST_BUG_PUSH_NO_PERSIST: push stores len+1
 * without persisting the element first. */
Test(broken, pvec_push_without_element_persist)
{
	expect_detected(&cr_scn_vec_bug);
}
#endif

#ifdef CR_HAVE_LOG
/* log_append.h built with PCOLL_TEST_BUG_LOG_FENCE2_ONE_FENCE: a record
 * of form fence2 (checksum over the header only) is written with its tag
 * before the first fence, so payload and commit share one fence. */
Test(broken, plog_fence2_commit_under_one_fence)
{
	/* The log scenario has more fence points than the others; a
	 * larger sample of them (each test is a process of its own). */
	(void)setenv("PCOLL_CRASH_SAMPLE", "40", 0);
	expect_detected(&cr_scn_log);
}
#endif
