/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Process-kill soak: a writer process runs a scenario's operations on a
 * pool and reports each one that returned over a pipe; the parent kills it
 * with SIGKILL at a random moment, then a checker process reopens the pool
 * (pc_pool_check, the container's check, the oracle) and requires every
 * reported operation to be there and at most one more. The next writer
 * continues from the state found.
 *
 * This program is built WITHOUT the interposer and without PCOLL_CHECKED:
 * it runs pcoll's real inline flushes. What it can and cannot find: a
 * SIGKILL stops the process at any instruction, but the CPU caches and the
 * page cache survive it, so every store made before the kill reaches the
 * pool. The soak therefore finds recovery bugs and protocols whose
 * program order is wrong (an operation that is not atomic even when every
 * store lands: a torn multi-word update, a pointer published before what
 * it points to is written), and failures to reopen after a kill in the
 * middle of pc_pool_open() or of recovery. It cannot find a missing or
 * short flush, a missing fence or a non-temporal store left unfenced: on
 * this kind of failure nothing is lost. The power-failure simulator
 * (sim.c) covers those.
 *
 * Kills per scenario: PCOLL_CRASH_SOAK_KILLS (default 20), or 200 with
 * PCOLL_CRASH_FULL=1.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scenario.h"
#include "sim.h"
#include "tu_pool.h"

#define TOKEN_OPENED   0xFFFFFFFFu
#define SOAK_POOL_SIZE (32u << 20)

typedef struct soak_result {
	int kills;
	int during_open;  /* kills before the writer had the pool open */
	long ops;         /* operations reported committed, in total */
	long at_k, at_k1; /* checks that found state(k) / state(k+1) */
	int failures;
	char first[2048];
} soak_result;

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *v = getenv(name);
	return v && *v ? strtoull(v, NULL, 0) : def;
}

static uint64_t rnd(uint64_t *s)
{
	return cr_val(*s += 0x9E37, 77);
}

static void writer(const cr_scenario *s, const char *path, int from, int fd)
{
	pc_pool *pool = NULL;
	if (pc_pool_open(path, &pool) != PC_OK) {
		fprintf(stderr, "soak writer: open: %s\n", pc_errmsg());
		_exit(2);
	}
	uint32_t t = TOKEN_OPENED;
	if (write(fd, &t, sizeof(t)) != sizeof(t))
		_exit(4);
	for (int i = from; i < s->soak_nops; i++) {
		if (s->op(pool, i) != PC_OK) {
			fprintf(stderr, "soak writer: op %d: %s\n", i,
				pc_errmsg());
			_exit(3);
		}
		t = (uint32_t)i;
		if (write(fd, &t, sizeof(t)) != sizeof(t))
			_exit(4);
	}
	_exit(pc_pool_close(pool) == PC_OK ? 0 : 5);
}

/* Check the pool in a fresh process; returns CR_STATE_K, CR_STATE_K1 or
 * CR_BAD (why filled). */
static int check(const cr_scenario *s, const char *path, int k, char *why,
		 size_t n)
{
	cr_pos at;
	memset(&at, 0, sizeof(at));
	at.k[0] = k;
	at.inflight[0] = 1;
	cr_check_opts co = {1, 0};
	int r = cr_check_in_child(s, path, &at, &co, why, n);
	cr_assert_neq(r, -2, "%s: cannot start the checker process", s->name);
	return r;
}

static void soak(const cr_scenario *s, soak_result *res)
{
	memset(res, 0, sizeof(*res));
	int full = env_u64("PCOLL_CRASH_FULL", 0) != 0;
	int kills = (int)env_u64("PCOLL_CRASH_SOAK_KILLS", full ? 200 : 20);
	if (full && kills < 200)
		kills = 200;
	uint64_t seed = env_u64("PCOLL_CRASH_SEED", 0x50a4) ^
			cr_val(3, (uint64_t)strlen(s->name));
	char path[600], tag[120];
	(void)snprintf(tag, sizeof(tag), "soak-%s", s->name);
	(void)snprintf(path, sizeof(path), "%s", tu_path(tag));

	/* Create the pool (not killed: a half-created file is not a pool). */
	pid_t pid = tu_fork();
	if (pid == 0) {
		pc_pool *pool = NULL;
		size_t size = s->pool_size ? s->pool_size : SOAK_POOL_SIZE;
		if (pc_pool_create(path, size, &pool) != PC_OK)
			_exit(2);
		if (s->setup && s->setup(pool) != PC_OK)
			_exit(3);
		_exit(pc_pool_close(pool) == PC_OK ? 0 : 4);
	}
	int st = 0;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		  "%s: creating the soak pool failed", s->name);

	int done = 0; /* operations known to be in the pool */
	for (int kill_no = 0; kill_no < kills; kill_no++) {
		int pfd[2];
		cr_assert_eq(pipe(pfd), 0);
		pid = tu_fork();
		if (pid == 0) {
			close(pfd[0]);
			writer(s, path, done, pfd[1]);
		}
		close(pfd[1]);
		uint64_t r = rnd(&seed);
		int opened = 0;
		long last = -1;
		if (r % 5 == 0) {
			/* Anywhere, often while opening (recovery). */
			struct timespec ts = {0,
					      (long)((r >> 8) % 15000) * 1000};
			nanosleep(&ts, NULL);
		} else {
			/* After the first operation returned (slow pools,
			 * like the msync path, still commit some). */
			uint32_t t;
			if (read(pfd[0], &t, sizeof(t)) == sizeof(t))
				opened = t == TOKEN_OPENED;
			if (read(pfd[0], &t, sizeof(t)) == sizeof(t))
				last = (long)t;
			struct timespec ts = {0,
					      (long)((r >> 8) % 3000) * 1000};
			nanosleep(&ts, NULL);
		}
		kill(pid, SIGKILL);
		uint32_t t;
		while (read(pfd[0], &t, sizeof(t)) == sizeof(t)) {
			if (t == TOKEN_OPENED)
				opened = 1;
			else
				last = (long)t;
		}
		close(pfd[0]);
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		cr_assert(WIFSIGNALED(st) || WEXITSTATUS(st) == 0,
			  "%s: writer failed with status %d (see stderr)",
			  s->name, WEXITSTATUS(st));
		res->kills++;
		res->during_open += !opened;
		int reported = last >= 0 ? (int)last + 1 : done;
		res->ops += reported - done;
		char why[2048];
		int c = check(s, path, reported, why, sizeof(why));
		if (c == CR_BAD) {
			res->failures++;
			(void)snprintf(
				res->first, sizeof(res->first),
				"kill %d: %d operations reported: %.1900s",
				kill_no, reported, why);
			break; /* the state is unknown from here on */
		}
		if (c == CR_STATE_K)
			res->at_k++;
		else
			res->at_k1++;
		done = reported + (c == CR_STATE_K1);
		if (done >= s->soak_nops)
			break;
	}
	(void)unlink(path);
	char line[512];
	(void)snprintf(line, sizeof(line),
		       "soak  %-14s kills=%d (during open %d) ops=%ld "
		       "state_k=%ld state_k1=%ld failures=%d\n",
		       s->name, res->kills, res->during_open, res->ops,
		       res->at_k, res->at_k1, res->failures);
	cr_report_line(line);
}

static void run_soak(const cr_scenario *s)
{
	soak_result r;
	soak(s, &r);
	cr_assert_eq(r.failures, 0, "%s: %s", s->name, r.first);
	cr_assert_gt(r.kills, 0);
	cr_assert_eq(r.at_k + r.at_k1, r.kills);
	cr_assert_gt(r.ops, 0, "%s: no operation committed in %d kills",
		     s->name, r.kills);
}

TestSuite(soak, .timeout = 0);

Test(soak, tx)
{
	run_soak(&cr_scn_tx);
}

#ifdef CR_HAVE_VEC
Test(soak, vec)
{
	run_soak(&cr_scn_vec);
}

Test(soak, vec40)
{
	run_soak(&cr_scn_vec40);
}
#endif

#ifdef CR_HAVE_MAP
Test(soak, map_u64)
{
	run_soak(&cr_scn_map_u64);
}

Test(soak, map_str)
{
	run_soak(&cr_scn_map_str);
}

Test(soak, map_vals)
{
	run_soak(&cr_scn_map_vals);
}

Test(soak, map_big)
{
	run_soak(&cr_scn_map_big);
}
#endif

#ifdef CR_HAVE_LOG
Test(soak, log)
{
	run_soak(&cr_scn_log);
}
#endif

#ifdef CR_HAVE_BLK
Test(soak, blk)
{
	run_soak(&cr_scn_blk);
}
#endif

#ifdef CR_HAVE_MULTI
Test(soak, multi)
{
	run_soak(&cr_scn_multi);
}
#endif
