/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The harness can fail: deliberately broken persistence protocols must be
 * caught by the crash suite itself. This program is built once per broken
 * variant (tests/crash/meson.build), with that variant's
 * PCOLL_TEST_BUG_<X> flag and -DCR_BUG="<name>"; its one test runs the
 * scenarios exactly as the crash suite does (same sampling, a fresh
 * random seed, CI mode unless PCOLL_CRASH_FULL=1), the broken container's
 * own scenarios first, and passes only when one of them reports a failing
 * crash image. It stops at the first one.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "sim.h"

#ifndef CR_BUG
#error "build with -DCR_BUG=\"name\" (tests/crash/meson.build)"
#endif

/* Every scenario, in the crash suite's order. */
static const cr_scenario *const all[] = {
	&cr_scn_ptr,      &cr_scn_tx,           &cr_scn_rawpush,
#ifdef CR_HAVE_VEC
	&cr_scn_vec,      &cr_scn_vec24,        &cr_scn_vec40,
#endif
#ifdef CR_HAVE_MAP
	&cr_scn_map_u64,  &cr_scn_map_str,      &cr_scn_map_vals,
	&cr_scn_map_big,
#endif
#ifdef CR_HAVE_MAP_SYNC
	&cr_scn_map_sync, &cr_scn_map_sync_str,
#endif
#ifdef CR_HAVE_LOG
	&cr_scn_log,
#endif
#ifdef CR_HAVE_BLK
	&cr_scn_blk,      &cr_scn_blk_mt,
#endif
#ifdef CR_HAVE_MULTI
	&cr_scn_multi,
#endif
};

/* The scenarios first tried for a bug: their names start with this. */
static const char *first_prefix(const char *bug)
{
	static const struct {
		const char *bug, *prefix;
	} t[] = {
		{"vec-", "vec"},
		{"map-", "map"},
		{"log-", "log"},
		{"blk-", "blk"},
		{"ptr-", "ptr"},
		{"tx-", "tx"},
		/* persist.h: the PVEC scenarios call pc_flush() and
		 * pc_memcpy_nodrain() directly, with every alignment. */
		{"short-flush", "vec"},
		{"nt-tail", "vec"},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strncmp(bug, t[i].bug, strlen(t[i].bug)) == 0)
			return t[i].prefix;
	return "";
}

static int run_one(const cr_scenario *s, const char *exe)
{
	cr_opts o;
	cr_opts_default(&o);
	o.quiet = 1;
	o.stop_at_first = 1;
	(void)snprintf(o.replay, sizeof(o.replay), "%s", exe);
	cr_result r;
	int rc = cr_run(s, &o, &r);
	char label[64];
	(void)snprintf(label, sizeof(label), "broken[%s]", CR_BUG);
	cr_report(label, s, &o, &r);
	cr_assert_eq(rc, 0, "%s under %s: harness error: %s", s->name, CR_BUG,
		     r.error);
	if (r.failures) {
		cr_log_info("%s: caught by scenario %s: %s", CR_BUG, s->name,
			    r.first_failure);
		printf("broken[%s] caught by %s after %.1fs: %.600s\n", CR_BUG,
		       s->name, r.seconds, r.first_failure);
		return 1;
	}
	return 0;
}

TestSuite(broken, .timeout = 0);

Test(broken, caught)
{
	char exe[PATH_MAX] = "";
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	const char *pre = first_prefix(CR_BUG);
	size_t np = strlen(pre);
	const size_t ns = sizeof(all) / sizeof(all[0]);
	int caught = 0;
	if (strcmp(CR_BUG, "rawpush") == 0) {
		/* A broken scenario of its own (no flag). */
		caught = run_one(&cr_scn_rawpush_bug, exe);
	} else {
		/* The broken container's scenarios, then the others. */
		for (int pass = 0; pass < 2 && !caught; pass++)
			for (size_t i = 0; i < ns && !caught; i++) {
				int mine = np &&
					   strncmp(all[i]->name, pre, np) == 0;
				if (mine == (pass == 0))
					caught = run_one(all[i], exe);
			}
	}
	cr_opts o;
	cr_opts_default(&o);
	cr_assert(caught,
		  "broken build %s was not caught by the crash suite (seed "
		  "0x%llx)",
		  CR_BUG, (unsigned long long)o.seed);
}
