/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * resume: a long computation that survives kill -9 and carries on where
 * it stopped. The loop index and the accumulator live in the pool and
 * advance together in one TX() per step, so after a crash they always
 * agree: no step is lost and none is counted twice.
 *
 *   resume POOL STEPS    run (or continue) to STEPS steps, print the result
 *   resume - STEPS       the same computation in DRAM, for comparison
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcoll/pcoll.h>

typedef struct progress {
	uint64_t step;  /* steps completed */
	uint64_t acc;   /* result of those steps */
	uint64_t total; /* STEPS of the run that created the pool */
} progress;
PC_DECLARE(progress);

/* One step of the computation: mix the step number into the state. */
static uint64_t step_fn(uint64_t acc, uint64_t i)
{
	uint64_t z = acc + i * 0x9E3779B97F4A7C15ull;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static int run_dram(uint64_t steps)
{
	uint64_t acc = 0;
	for (uint64_t i = 0; i < steps; i++)
		acc = step_fn(acc, i);
	printf("result %016llx after %llu steps\n", (unsigned long long)acc,
	       (unsigned long long)steps);
	return 0;
}

static pc_err run(const char *path, uint64_t steps)
{
	pc_pool *pool = NULL;
	PC_TRY(pc_pool_open_or_create(path, PC_POOL_MIN_SIZE, &pool));
	PC_PTR(progress) pp;
	pc_err e = PC_ROOT(pool, "progress", progress, PC_OPEN_OR_CREATE, &pp);
	const progress *p = e == PC_OK ? PC_RO(pool, progress, pp) : NULL;
	if (p && p->total == 0) {
		TX(pool, &e) {
			progress *w = PC_RW(pool, progress, pp);
			if (w)
				w->total = steps;
		}
	}
	if (e == PC_OK && p->total != steps)
		e = pc__fail(PC_E_INVAL,
			     "%s holds a run of %llu steps, not %llu", path,
			     (unsigned long long)p->total,
			     (unsigned long long)steps);
	if (e == PC_OK && p->step > 0 && p->step < steps)
		fprintf(stderr, "resuming at step %llu of %llu\n",
			(unsigned long long)p->step, (unsigned long long)steps);
	while (e == PC_OK && p->step < steps) {
		TX(pool, &e) {
			progress *w = PC_RW(pool, progress, pp);
			if (!w)
				break;
			w->acc = step_fn(w->acc, w->step);
			w->step++;
		}
	}
	if (e == PC_OK)
		printf("result %016llx after %llu steps\n",
		       (unsigned long long)p->acc, (unsigned long long)p->step);
	(void)pc_pool_close(pool);
	return e;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s POOL|- STEPS\n", argv[0]);
		return 2;
	}
	char *end = NULL;
	unsigned long long steps = strtoull(argv[2], &end, 10);
	if (!end || *end || steps == 0) {
		fprintf(stderr, "resume: STEPS must be a positive number\n");
		return 2;
	}
	if (strcmp(argv[1], "-") == 0)
		return run_dram(steps);
	pc_err e = run(argv[1], steps);
	if (e != PC_OK) {
		fprintf(stderr, "resume: %s\n", pc_errmsg());
		return 1;
	}
	return 0;
}
