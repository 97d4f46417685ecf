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
