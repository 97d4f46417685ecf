/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The power-failure simulator over every scenario: crash images at (a
 * stratified sample of, or with PCOLL_CRASH_FULL=1 every) fence point must
 * open, pass the checks and hold exactly state(k) or state(k+1).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <limits.h>
#include <unistd.h>

#include "sim.h"

static void run_scenario(const cr_scenario *s, const char *test)
{
	cr_opts o;
	cr_opts_default(&o);
	char exe[PATH_MAX] = "";
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	(void)snprintf(o.replay, sizeof(o.replay), "%s --filter='crash/%s'",
		       exe, test);
	cr_result r;
	int rc = cr_run(s, &o, &r);
	cr_report("crash", s, &o, &r);
	cr_assert_eq(rc, 0, "%s: harness error: %s (seed 0x%llx)", s->name,
		     r.error, (unsigned long long)o.seed);
	cr_assert_gt(r.fences, 0, "%s: the interposer saw no fence", s->name);
	cr_assert_gt(r.tried, 1, "%s: no fence point was tried", s->name);
	cr_assert_geq(r.images, r.tried - r.same,
		      "%s: fewer images than fence points", s->name);
	cr_assert_eq(r.failures, 0,
		     "%s: %llu of %llu crash images failed (seed 0x%llx); "
		     "first: %s",
		     s->name, (unsigned long long)r.failures,
		     (unsigned long long)r.images, (unsigned long long)o.seed,
		     r.first_failure);
	cr_assert_eq(r.at_k + r.at_k1, r.images);
}

TestSuite(crash, .timeout = 0);

Test(crash, ptr)
{
	run_scenario(&cr_scn_ptr, "ptr");
}

Test(crash, tx)
{
	run_scenario(&cr_scn_tx, "tx");
}

Test(crash, rawpush)
{
	run_scenario(&cr_scn_rawpush, "rawpush");
}

#ifdef CR_HAVE_VEC
Test(crash, vec)
{
	run_scenario(&cr_scn_vec, "vec");
}

Test(crash, vec24)
{
	run_scenario(&cr_scn_vec24, "vec24");
}

Test(crash, vec40)
{
	run_scenario(&cr_scn_vec40, "vec40");
}
#endif

#ifdef CR_HAVE_MAP
Test(crash, map_u64)
{
	run_scenario(&cr_scn_map_u64, "map_u64");
}

Test(crash, map_str)
{
	run_scenario(&cr_scn_map_str, "map_str");
}

Test(crash, map_vals)
{
	run_scenario(&cr_scn_map_vals, "map_vals");
}

Test(crash, map_big)
{
	run_scenario(&cr_scn_map_big, "map_big");
}
#endif

#ifdef CR_HAVE_LOG
Test(crash, log)
{
	run_scenario(&cr_scn_log, "log");
}
#endif

#ifdef CR_HAVE_BLK
Test(crash, blk)
{
	run_scenario(&cr_scn_blk, "blk");
}
#endif

#ifdef CR_HAVE_MULTI
Test(crash, multi)
{
	run_scenario(&cr_scn_multi, "multi");
}
#endif
