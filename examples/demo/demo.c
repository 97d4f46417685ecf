/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll demo: what "data survives kill -9, always self-consistent" means.
 *
 *  1. Create a pool holding two accounts (typed persistent objects).
 *  2. Commit three transfers, each one TX().
 *  3. Fork a child that starts a fourth transfer: it debits Alice inside a
 *     TX() and is killed with SIGKILL before it credits Bob.
 *  4. Reopen the pool: the three committed transfers are all there, the
 *     half-done one is gone, money is conserved.
 *
 *   pcoll-demo [POOL]     (default /dev/shm/pcoll-demo.pool; removed at start)
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pcoll/pcoll.h>

typedef struct account {
	char owner[16];
	int64_t balance;
	uint64_t transfers;
} account;
PC_DECLARE(account);

#define CHECK(expr)                                                            \
	do {                                                                   \
		pc_err check_e_ = (expr);                                      \
		if (check_e_ != PC_OK) {                                       \
			fprintf(stderr, "demo: %s\n  at %s:%d\n", pc_errmsg(), \
				__FILE__, __LINE__);                           \
			exit(1);                                               \
		}                                                              \
	} while (0)

static void open_accounts(pc_pool *pool, PC_PTR(account) * a,
			  PC_PTR(account) * b)
{
	CHECK(PC_ROOT(pool, "alice", account, PC_OPEN_OR_CREATE, a));
	CHECK(PC_ROOT(pool, "bob", account, PC_OPEN_OR_CREATE, b));
}

/* Move amount from one account to the other: both change, or neither. */
static pc_err transfer(pc_pool *pool, PC_PTR(account) from, PC_PTR(account) to,
		       int64_t amount)
{
	pc_err e = PC_OK;
	TX(pool, &e)
	{
		account *f = PC_RW(pool, account, from);
		account *t = PC_RW(pool, account, to);
		if (!f || !t)
			break;
		f->balance -= amount;
		f->transfers++;
		t->balance += amount;
		t->transfers++;
	}
	return e;
}

static void show(pc_pool *pool, PC_PTR(account) a, PC_PTR(account) b)
{
	const account *ra = PC_RO(pool, account, a);
	const account *rb = PC_RO(pool, account, b);
	printf("    %-6s %5lld  (%llu transfers)\n", ra->owner,
	       (long long)ra->balance, (unsigned long long)ra->transfers);
	printf("    %-6s %5lld  (%llu transfers)\n", rb->owner,
	       (long long)rb->balance, (unsigned long long)rb->transfers);
	printf("    total  %5lld\n", (long long)(ra->balance + rb->balance));
}

/* The child: debit Alice inside a transaction, tell the parent, and wait
 * to be killed before crediting Bob. */
static void doomed_child(const char *path, int ready_fd)
{
	pc_pool *pool = NULL;
	CHECK(pc_pool_open(path, &pool));
	PC_PTR(account) a, b;
	open_accounts(pool, &a, &b);
	TX(pool)
	{
		account *f = PC_RW(pool, account, a);
		if (!f)
			break;
		f->balance -= 50;
		f->transfers++;
		/* Alice is debited in the pool's memory right now. */
		if (write(ready_fd, "x", 1) != 1)
			_exit(3);
		for (;;)
			pause(); /* SIGKILL arrives here */
	}
	_exit(2); /* not reached */
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/dev/shm/pcoll-demo.pool";
	(void)unlink(path);
	printf("pcoll %s demo, pool %s\n\n", PCOLL_VERSION_STRING, path);

	pc_pool *pool = NULL;
	CHECK(pc_pool_create(path, 16u << 20, &pool));
	printf("flush instruction: %s, persistent memory path: %s\n\n",
	       pc_flush_kind_name(pc_flush_kind_get()),
	       pc_pool_is_pmem(pool) ? "yes (cache flushes)" : "no (msync)");
	PC_PTR(account) a, b;
	open_accounts(pool, &a, &b);
	TX(pool)
	{
		account *ra = PC_RW(pool, account, a);
		account *rb = PC_RW(pool, account, b);
		if (!ra || !rb)
			break;
		strcpy(ra->owner, "Alice");
		strcpy(rb->owner, "Bob");
		ra->balance = 100;
		rb->balance = 100;
	}
	CHECK(pc_tx_last());

	printf("1. three committed transfers of 10 from Alice to Bob\n");
	for (int i = 0; i < 3; i++)
		CHECK(transfer(pool, a, b, 10));
	show(pool, a, b);
	(void)pc_pool_close(pool);

	printf("\n2. a child process starts a transfer of 50, debits Alice "
	       "inside TX(),\n   and is killed with SIGKILL before it "
	       "credits Bob\n");
	int fds[2];
	if (pipe(fds) != 0) {
		perror("pipe");
		return 1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		close(fds[0]);
		doomed_child(path, fds[1]);
	}
	close(fds[1]);
	char c;
	if (read(fds[0], &c, 1) != 1) {
		fprintf(stderr, "demo: the child died early\n");
		return 1;
	}
	kill(pid, SIGKILL);
	int status = 0;
	waitpid(pid, &status, 0);
	printf("   child %ld: %s\n", (long)pid,
	       WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL
		       ? "killed by SIGKILL mid-transaction"
		       : "ended some other way (unexpected)");

	printf("\n3. reopen the pool (libpmemobj rolls the dead transaction "
	       "back)\n");
	CHECK(pc_pool_open(path, &pool));
	open_accounts(pool, &a, &b);
	show(pool, a, b);
	const account *ra = PC_RO(pool, account, a);
	const account *rb = PC_RO(pool, account, b);
	int ok = ra->balance == 70 && rb->balance == 130 &&
		 ra->transfers == 3 && rb->transfers == 3;
	printf("\n%s\n", ok ? "OK: every committed transfer is there, the "
			      "half-done one left no trace."
			    : "FAILED: the pool does not hold what was "
			      "committed.");
	(void)pc_pool_close(pool);
	return ok ? 0 : 1;
}
