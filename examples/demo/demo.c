/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcoll demo: what "data survives kill -9, always self-consistent" means.
 *
 *  1. Create a pool holding two accounts (typed persistent objects), a
 *     PMAP of balances by account id, a PVEC of transfer amounts, a PLOG
 *     audit trail and a PBLKARR of 512-byte statements.
 *  2. Commit three transfers, each one TX() that changes all of them.
 *  3. Fork a child that starts a fourth transfer: inside its TX() it debits
 *     Alice, updates the map, pushes, appends, writes a block, and is
 *     killed with SIGKILL before it credits Bob.
 *  4. Reopen the pool: the three committed transfers are in every
 *     container, the half-done one is in none, money is conserved, and
 *     every container passes its own check.
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

#include <pcoll/blkarr.h>
#include <pcoll/log.h>
#include <pcoll/pcoll.h>

#define PC_T    int64_t
#define PC_NAME amounts
#include <pcoll/vec.h>

#define PC_K    uint64_t
#define PC_V    int64_t
#define PC_NAME balances
#include <pcoll/map.h>

#define STATEMENT_SIZE 512
#define ALICE          1
#define BOB            2

typedef struct account {
	char owner[16];
	int64_t balance;
	uint64_t transfers;
} account;
PC_DECLARE(account);

/* Everything the demo keeps in its pool (the handles are volatile; what
 * they point to is in the pool). */
typedef struct bank {
	PC_PTR(account) alice, bob; /* two accounts as typed objects */
	balances bal;               /* PMAP: account id -> balance */
	amounts hist;               /* PVEC: amount of every transfer */
	plog audit;                 /* PLOG: one text record per transfer */
	pblkarr stmt;               /* PBLKARR: one statement per transfer */
} bank;

#define CHECK(expr)                                                            \
	do {                                                                   \
		pc_err check_e_ = (expr);                                      \
		if (check_e_ != PC_OK) {                                       \
			fprintf(stderr, "demo: %s\n  at %s:%d\n", pc_errmsg(), \
				__FILE__, __LINE__);                           \
			exit(1);                                               \
		}                                                              \
	} while (0)

static void open_bank(pc_pool *pool, bank *k)
{
	CHECK(PC_ROOT(pool, "alice", account, PC_OPEN_OR_CREATE, &k->alice));
	CHECK(PC_ROOT(pool, "bob", account, PC_OPEN_OR_CREATE, &k->bob));
	CHECK(balances_root(pool, "balances", PC_OPEN_OR_CREATE, &k->bal));
	CHECK(amounts_root(pool, "history", PC_OPEN_OR_CREATE, &k->hist));
	CHECK(plog_root(pool, "audit", PC_OPEN_OR_CREATE, 64 << 10, &k->audit));
	CHECK(pblkarr_root(pool, "statements", PC_OPEN_OR_CREATE,
			   STATEMENT_SIZE, 64, &k->stmt));
}

/* The changes of one transfer from Alice to Bob, inside the caller's
 * TX(). With half set it stops before crediting Bob. */
static pc_err transfer_body(pc_pool *pool, bank *k, int64_t amount, int half)
{
	account *f = PC_RW(pool, account, k->alice);
	account *t = PC_RW(pool, account, k->bob);
	if (!f || !t)
		return pc_tx_abort(PC_E_ABORTED);
	f->balance -= amount;
	f->transfers++;
	PC_TRY(balances_put(&k->bal, ALICE, f->balance, NULL));
	PC_TRY(amounts_push(&k->hist, amount));
	char line[96];
	int n = snprintf(line, sizeof(line), "transfer %zu: %lld from %s to %s",
			 amounts_len(&k->hist), (long long)amount, f->owner,
			 t->owner);
	PC_TRY(plog_append(&k->audit, line, (size_t)n));
	char block[STATEMENT_SIZE] = {0};
	memcpy(block, line, (size_t)n);
	PC_TRY(pblkarr_write(&k->stmt, amounts_len(&k->hist) - 1, block));
	if (half)
		return PC_OK;
	t->balance += amount;
	t->transfers++;
	PC_TRY(balances_put(&k->bal, BOB, t->balance, NULL));
	return PC_OK;
}

/* Move amount from Alice to Bob: every container changes, or none. */
static pc_err transfer(pc_pool *pool, bank *k, int64_t amount)
{
	pc_err e = PC_OK;
	TX(pool, &e) {
		if (transfer_body(pool, k, amount, 0) != PC_OK)
			break;
	}
	return e;
}

static int print_record(const void *data, size_t len, void *arg)
{
	(void)arg;
	printf("      | %.*s\n", (int)len, (const char *)data);
	return 0; /* go on: a pcoll callback stops the walk with nonzero */
}

static void show(pc_pool *pool, bank *k)
{
	const account *ra = PC_RO(pool, account, k->alice);
	const account *rb = PC_RO(pool, account, k->bob);
	printf("    %-6s %5lld  (%llu transfers)\n", ra->owner,
	       (long long)ra->balance, (unsigned long long)ra->transfers);
	printf("    %-6s %5lld  (%llu transfers)\n", rb->owner,
	       (long long)rb->balance, (unsigned long long)rb->transfers);
	printf("    total  %5lld\n", (long long)(ra->balance + rb->balance));
	const int64_t *m1 = balances_get(&k->bal, ALICE);
	const int64_t *m2 = balances_get(&k->bal, BOB);
	printf("    PMAP    balances: %zu keys, Alice -> %lld, Bob -> %lld\n",
	       balances_len(&k->bal), m1 ? (long long)*m1 : -1LL,
	       m2 ? (long long)*m2 : -1LL);
	printf("    PVEC    history: %zu transfers\n", amounts_len(&k->hist));
	char block[STATEMENT_SIZE];
	uint64_t written = 0;
	for (uint64_t i = 0; i < pblkarr_nblock(&k->stmt); i++) {
		CHECK(pblkarr_read(&k->stmt, i, block));
		written += block[0] != 0;
	}
	printf("    PBLKARR statements: %llu of %llu blocks written\n",
	       (unsigned long long)written,
	       (unsigned long long)pblkarr_nblock(&k->stmt));
	printf("    PLOG    audit: %llu records\n",
	       (unsigned long long)plog_count(&k->audit));
	CHECK(plog_walk(&k->audit, 0, print_record, NULL));
}

/* Every container agrees on n committed transfers of 10 each. */
static int consistent(pc_pool *pool, bank *k, uint64_t n)
{
	const account *ra = PC_RO(pool, account, k->alice);
	const account *rb = PC_RO(pool, account, k->bob);
	const int64_t *m1 = balances_get(&k->bal, ALICE);
	const int64_t *m2 = balances_get(&k->bal, BOB);
	char block[STATEMENT_SIZE];
	int ok = ra->balance == 100 - 10 * (int64_t)n &&
		 rb->balance == 100 + 10 * (int64_t)n && ra->transfers == n &&
		 rb->transfers == n && m1 && m2 && *m1 == ra->balance &&
		 *m2 == rb->balance && amounts_len(&k->hist) == n &&
		 plog_count(&k->audit) == n;
	ok = ok && pblkarr_read(&k->stmt, n, block) == PC_OK && block[0] == 0;
	ok = ok && (n == 0 || (pblkarr_read(&k->stmt, n - 1, block) == PC_OK &&
			       block[0] != 0));
	ok = ok && balances_check(&k->bal) == PC_OK &&
	     amounts_check(&k->hist) == PC_OK &&
	     plog_check(&k->audit) == PC_OK && pblkarr_check(&k->stmt) == PC_OK;
	return ok;
}

/* The child: inside a transaction, change every container, tell the
 * parent, and wait to be killed before crediting Bob. */
static void doomed_child(const char *path, int ready_fd)
{
	pc_pool *pool = NULL;
	CHECK(pc_pool_open(path, &pool));
	bank k;
	open_bank(pool, &k);
	TX(pool) {
		if (transfer_body(pool, &k, 50, 1) != PC_OK)
			break;
		/* All of it is in the pool's memory right now. */
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
	CHECK(pc_pool_create(path, 32u << 20, &pool));
	printf("flush instruction: %s, persistent memory path: %s\n\n",
	       pc_flush_kind_name(pc_flush_kind_get()),
	       pc_pool_is_pmem(pool) ? "yes (cache flushes)" : "no (msync)");
	bank k;
	open_bank(pool, &k);
	TX(pool) {
		account *ra = PC_RW(pool, account, k.alice);
		account *rb = PC_RW(pool, account, k.bob);
		if (!ra || !rb)
			break;
		strcpy(ra->owner, "Alice");
		strcpy(rb->owner, "Bob");
		ra->balance = 100;
		rb->balance = 100;
		if (balances_put(&k.bal, ALICE, 100, NULL) != PC_OK ||
		    balances_put(&k.bal, BOB, 100, NULL) != PC_OK)
			break;
	}
	CHECK(pc_tx_last());

	printf("1. three committed transfers of 10 from Alice to Bob\n");
	for (int i = 0; i < 3; i++)
		CHECK(transfer(pool, &k, 10));
	show(pool, &k);
	(void)pc_pool_close(pool);

	printf("\n2. a child process starts a transfer of 50 inside TX(): it "
	       "debits Alice,\n   updates the map, pushes, appends, writes a "
	       "block, and is killed\n   with SIGKILL before it credits "
	       "Bob\n");
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
	open_bank(pool, &k);
	show(pool, &k);
	int ok = consistent(pool, &k, 3);
	printf("\n%s\n", ok ? "OK: every committed transfer is in every "
			      "container, the half-done one\nleft no trace, "
			      "and every container passes its check."
			    : "FAILED: the pool does not hold what was "
			      "committed.");
	(void)pc_pool_close(pool);
	return ok ? 0 : 1;
}
