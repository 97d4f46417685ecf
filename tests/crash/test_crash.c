/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The power-failure simulator over every scenario: crash images at (a
 * sample of, or with PCOLL_CRASH_FULL=1 every) fence point must open, pass
 * the checks and hold exactly state(k) or state(k+1).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include "sim.h"

static void run_scenario(const cr_scenario *s)
{
	cr_opts o;
	cr_opts_default(&o);
	cr_result r;
	int rc = cr_run(s, &o, &r);
	cr_report("crash", s, &o, &r);
	cr_assert_eq(rc, 0, "%s: harness error: %s", s->name, r.error);
	cr_assert_gt(r.fences, 0, "%s: the interposer saw no fence", s->name);
	cr_assert_gt(r.tried, 1, "%s: no fence point was tried", s->name);
	cr_assert_geq(r.images, r.tried - r.same,
		      "%s: fewer images than fence points", s->name);
	cr_assert_eq(r.failures, 0,
		     "%s: %llu of %llu crash images failed; "
		     "first: %s",
		     s->name, (unsigned long long)r.failures,
		     (unsigned long long)r.images, r.first_failure);
	cr_assert_eq(r.at_k + r.at_k1, r.images);
}

TestSuite(crash, .timeout = 0);

Test(crash, ptr)
{
	run_scenario(&cr_scn_ptr);
}

Test(crash, tx)
{
	run_scenario(&cr_scn_tx);
}

Test(crash, rawpush)
{
	run_scenario(&cr_scn_rawpush);
}

#ifdef CR_HAVE_VEC
Test(crash, vec)
{
	run_scenario(&cr_scn_vec);
}
#endif

#ifdef CR_HAVE_MAP
Test(crash, map_u64)
{
	run_scenario(&cr_scn_map_u64);
}

Test(crash, map_str)
{
	run_scenario(&cr_scn_map_str);
}
#endif

#ifdef CR_HAVE_LOG
Test(crash, log)
{
	run_scenario(&cr_scn_log);
}
#endif

#ifdef CR_HAVE_BLK
Test(crash, blk)
{
	run_scenario(&cr_scn_blk);
}
#endif

#ifdef CR_HAVE_MULTI
Test(crash, multi)
{
	run_scenario(&cr_scn_multi);
}
#endif
