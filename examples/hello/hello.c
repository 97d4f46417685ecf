/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hello: asks for your name on the first run and greets you by it on every
 * later run. The name lives in a pool, so it survives the process.
 *
 *   hello POOL          (reads the name from standard input the first time)
 */
#include <stdio.h>
#include <string.h>

#include <pcoll/pcoll.h>

/* The persistent part: plain data only, as PC_DECLARE promises. */
typedef struct greeting {
	char name[64];
	uint64_t visits;
} greeting;
PC_DECLARE(greeting);

static pc_err run(const char *path)
{
	pc_pool *pool = NULL;
	PC_TRY(pc_pool_open_or_create(path, PC_POOL_MIN_SIZE, &pool));

	PC_PTR(greeting) g;
	pc_err e = PC_ROOT(pool, "greeting", greeting, PC_OPEN_OR_CREATE, &g);
	if (e != PC_OK) {
		(void)pc_pool_close(pool);
		return e;
	}

	const greeting *r = PC_RO(pool, greeting, g);
	char name[64] = "";
	if (r->name[0] == '\0') {
		printf("What is your name? ");
		fflush(stdout);
		if (!fgets(name, sizeof(name), stdin) || name[0] == '\n') {
			fprintf(stderr, "hello: no name given\n");
			(void)pc_pool_close(pool);
			return PC_E_INVAL;
		}
		name[strcspn(name, "\n")] = '\0';
	}

	/* Name and visit count change together or not at all. */
	TX(pool, &e) {
		greeting *w = PC_RW(pool, greeting, g);
		if (!w)
			break;
		if (name[0])
			memcpy(w->name, name, sizeof(w->name));
		w->visits++;
	}
	if (e == PC_OK) {
		if (r->visits == 1)
			printf("Nice to meet you, %s.\n", r->name);
		else
			printf("Hello again, %s! (visit %llu)\n", r->name,
			       (unsigned long long)r->visits);
	}
	(void)pc_pool_close(pool);
	return e;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s POOL\n", argv[0]);
		return 2;
	}
	pc_err e = run(argv[1]);
	if (e != PC_OK) {
		fprintf(stderr, "hello: %s\n", pc_errmsg());
		return 1;
	}
	return 0;
}
