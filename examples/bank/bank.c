/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bank: money transfers that survive kill -9.
 *
 * Accounts live in a PMAP(uint64_t, int64_t) (account number -> balance),
 * every transfer is appended to an audit PLOG, and a small user struct
 * counts the transfers. One transfer is one TX() over all three: after a
 * crash at any instant either the whole transfer is there (both balances,
 * the audit record, the counter) or none of it.
 *
 *   bank POOL init ACCOUNTS BALANCE   open accounts, each with BALANCE
 *   bank POOL run COUNT [SEED]        make COUNT random transfers
 *   bank POOL verify                  money conserved? audit log agrees?
 *   bank POOL tamper                  move 1 between accounts 0 and 1
 *                                     without an audit record (to show
 *                                     that verify notices)
 *
 * `verify` replays the audit log from the opening balances and compares
 * the result with the map, so a transfer half applied (a balance changed
 * without its record, or the reverse) is found. examples/bank/test_bank.sh
 * kills `run` at random moments and runs `verify` after every kill.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcoll/log.h>
#include <pcoll/pcoll.h>

#define PC_K    uint64_t
#define PC_V    int64_t
#define PC_NAME accounts
#include <pcoll/map.h>

/* The bank's own state: a user struct behind a named root. */
typedef struct bank_state {
	uint64_t naccounts;
	int64_t opening; /* opening balance of every account */
	uint64_t transfers;
} bank_state;
PC_DECLARE(bank_state);

/* One audit record. */
typedef struct audit_rec {
	uint64_t seq; /* 1, 2, 3... equals bank_state.transfers after it */
	uint64_t from, to;
	int64_t amount;
	int64_t from_after, to_after; /* balances after the transfer */
} audit_rec;

typedef struct bank {
	pc_pool *pool;
	accounts acc;
	plog audit;
	PC_PTR(bank_state) st;
} bank;

static uint64_t mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static pc_err bank_open(const char *path, pc_open_mode mode, bank *b)
{
	memset(b, 0, sizeof(*b));
	PC_TRY(pc_pool_open_mode(path, 64u << 20, mode, &b->pool));
	pc_err e = accounts_root(b->pool, "accounts", mode, &b->acc);
	if (e == PC_OK)
		e = plog_root(b->pool, "audit", mode, 1u << 20, &b->audit);
	/* Audit records are small, appended inside transactions (whose
	 * commit costs far more than one cache-line read) and replayed in
	 * full by the audit: pack them instead of giving each its own cache
	 * line. The setting is stored in the log; setting it again is free. */
	if (e == PC_OK)
		e = plog_set_packed(&b->audit, true);
	if (e == PC_OK)
		e = PC_ROOT(b->pool, "bank", bank_state, mode, &b->st);
	if (e != PC_OK) {
		pc_pool_close(b->pool);
		b->pool = NULL;
	}
	return e;
}

static int bank_init(const char *path, uint64_t n, int64_t opening)
{
	bank b;
	pc_err e = bank_open(path, PC_CREATE, &b);
	if (e != PC_OK) {
		fprintf(stderr, "bank: %s\n", pc_errmsg());
		return 1;
	}
	/* The accounts and the state appear together, or not at all. */
	TX(b.pool, &e) {
		bank_state *s = PC_RW(b.pool, bank_state, b.st);
		if (!s)
			break;
		s->naccounts = n;
		s->opening = opening;
		s->transfers = 0;
		uint64_t i;
		for (i = 0; i < n; i++)
			if (accounts_insert(&b.acc, i, opening) != PC_OK)
				break;
		if (i < n)
			break;
	}
	if (e != PC_OK) {
		fprintf(stderr, "bank: init: %s\n", pc_errmsg());
		pc_pool_close(b.pool);
		return 1;
	}
	printf("%" PRIu64 " accounts of %" PRId64 "\n", n, opening);
	pc_pool_close(b.pool);
	return 0;
}

/* One transfer as one transaction: both balances, the audit record and
 * the counter. A transfer that would overdraw is refused (no change). */
static pc_err transfer(bank *b, uint64_t from, uint64_t to, int64_t amount,
		       int *done)
{
	pc_err e = PC_OK;
	int refused = 0;
	*done = 0;
	TX(b->pool, &e) {
		const int64_t *fb = accounts_get(&b->acc, from);
		const int64_t *tb = accounts_get(&b->acc, to);
		if (!fb || !tb) {
			pc_tx_abort(PC_E_NOTFOUND);
			break;
		}
		if (*fb < amount) {
			refused = 1;
			break; /* leaving TX() early aborts: nothing kept */
		}
		int64_t nf = *fb - amount, nt = *tb + amount;
		bank_state *s = PC_RW(b->pool, bank_state, b->st);
		if (!s)
			break;
		audit_rec r = {s->transfers + 1, from, to, amount, nf, nt};
		if (accounts_put(&b->acc, from, nf, NULL) != PC_OK ||
		    accounts_put(&b->acc, to, nt, NULL) != PC_OK ||
		    plog_append(&b->audit, &r, sizeof(r)) != PC_OK)
			break;
		s->transfers++;
		*done = 1;
	}
	if (e == PC_E_ESCAPED && refused)
		e = PC_OK; /* a refused transfer is not an error */
	return e;
}

static int bank_run(const char *path, uint64_t count, uint64_t seed)
{
	bank b;
	pc_err e = bank_open(path, PC_OPEN, &b);
	if (e != PC_OK) {
		fprintf(stderr, "bank: %s\n", pc_errmsg());
		return 1;
	}
	const bank_state *s = PC_RO(b.pool, bank_state, b.st);
	uint64_t n = s->naccounts, made = 0;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t from = mix(&seed) % n, to = mix(&seed) % n;
		if (from == to)
			continue;
		int64_t amount = (int64_t)(mix(&seed) % 200) + 1;
		int done = 0;
		e = transfer(&b, from, to, amount, &done);
		if (e != PC_OK) {
			fprintf(stderr, "bank: transfer: %s\n", pc_errmsg());
			pc_pool_close(b.pool);
			return 1;
		}
		made += (uint64_t)done;
	}
	printf("%" PRIu64 " transfers made, %" PRIu64 " in total\n", made,
	       s->transfers);
	pc_pool_close(b.pool);
	return 0;
}

static int bank_verify(const char *path)
{
	bank b;
	pc_err e = bank_open(path, PC_OPEN, &b);
	if (e != PC_OK) {
		fprintf(stderr, "bank: %s\n", pc_errmsg());
		return 1;
	}
	int bad = 0;
	const bank_state *s = PC_RO(b.pool, bank_state, b.st);
	uint64_t n = s->naccounts;
	if (accounts_check(&b.acc) != PC_OK || plog_check(&b.audit) != PC_OK) {
		fprintf(stderr, "bank: damaged: %s\n", pc_errmsg());
		pc_pool_close(b.pool);
		return 1;
	}
	/* 1. Money is conserved. */
	int64_t total = 0;
	for (uint64_t i = 0; i < n; i++) {
		const int64_t *x = accounts_get(&b.acc, i);
		if (!x) {
			fprintf(stderr, "bank: account %" PRIu64 " missing\n",
				i);
			bad = 1;
			continue;
		}
		if (*x < 0) {
			fprintf(stderr, "bank: account %" PRIu64 " overdrawn\n",
				i);
			bad = 1;
		}
		total += *x;
	}
	if (accounts_len(&b.acc) != n || total != (int64_t)n * s->opening) {
		fprintf(stderr,
			"bank: %zu accounts hold %" PRId64 ", expected %" PRIu64
			" holding %" PRId64 "\n",
			accounts_len(&b.acc), total, n,
			(int64_t)n * s->opening);
		bad = 1;
	}
	/* 2. Replaying the audit log gives the balances. */
	int64_t *bal = malloc(n * sizeof(*bal));
	if (!bal) {
		pc_pool_close(b.pool);
		return 1;
	}
	for (uint64_t i = 0; i < n; i++)
		bal[i] = s->opening;
	plog_iter it;
	uint64_t seq = 0;
	if (plog_iter_begin(&b.audit, &it) != PC_OK) {
		fprintf(stderr, "bank: %s\n", pc_errmsg());
		bad = 1;
	} else {
		const void *p;
		size_t len;
		while (!bad && plog_iter_next(&it, &p, &len)) {
			audit_rec r;
			if (len != sizeof(r)) {
				fprintf(stderr,
					"bank: audit record of %zu "
					"bytes\n",
					len);
				bad = 1;
				break;
			}
			memcpy(&r, p, sizeof(r));
			if (r.seq != ++seq || r.from >= n || r.to >= n ||
			    bal[r.from] - r.amount != r.from_after ||
			    bal[r.to] + r.amount != r.to_after) {
				fprintf(stderr,
					"bank: audit record %" PRIu64
					" does not follow from the ones "
					"before\n",
					seq);
				bad = 1;
				break;
			}
			bal[r.from] = r.from_after;
			bal[r.to] = r.to_after;
		}
		plog_iter_end(&it);
	}
	if (!bad && seq != s->transfers) {
		fprintf(stderr,
			"bank: %" PRIu64 " audit records, %" PRIu64
			" transfers counted\n",
			seq, s->transfers);
		bad = 1;
	}
	for (uint64_t i = 0; i < n && !bad; i++) {
		const int64_t *x = accounts_get(&b.acc, i);
		if (x && *x != bal[i]) {
			fprintf(stderr,
				"bank: account %" PRIu64 " holds %" PRId64
				", the audit log says %" PRId64 "\n",
				i, *x, bal[i]);
			bad = 1;
		}
	}
	free(bal);
	if (!bad)
		printf("ok: %" PRIu64 " accounts, %" PRId64
		       " in total, %" PRIu64 " transfers, audit log agrees\n",
		       n, total, s->transfers);
	pc_pool_close(b.pool);
	return bad;
}

/* A deliberately wrong transfer: balances change, no audit record. */
static int bank_tamper(const char *path)
{
	bank b;
	pc_err e = bank_open(path, PC_OPEN, &b);
	if (e != PC_OK) {
		fprintf(stderr, "bank: %s\n", pc_errmsg());
		return 1;
	}
	TX(b.pool, &e) {
		const int64_t *x = accounts_get(&b.acc, 0);
		const int64_t *y = accounts_get(&b.acc, 1);
		if (!x || !y ||
		    accounts_put(&b.acc, 0, *x - 1, NULL) != PC_OK ||
		    accounts_put(&b.acc, 1, *y + 1, NULL) != PC_OK)
			break;
	}
	pc_pool_close(b.pool);
	return e != PC_OK;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && strcmp(argv[2], "init") == 0)
		return bank_init(argv[1], strtoull(argv[3], NULL, 10),
				 strtoll(argv[4], NULL, 10));
	if (argc >= 4 && strcmp(argv[2], "run") == 0)
		return bank_run(argv[1], strtoull(argv[3], NULL, 10),
				argc >= 5 ? strtoull(argv[4], NULL, 10)
					  : (uint64_t)time(NULL) ^
						    (uint64_t)getpid() << 20);
	if (argc >= 3 && strcmp(argv[2], "verify") == 0)
		return bank_verify(argv[1]);
	if (argc >= 3 && strcmp(argv[2], "tamper") == 0)
		return bank_tamper(argv[1]);
	fprintf(stderr, "usage: bank POOL init ACCOUNTS BALANCE\n"
			"       bank POOL run COUNT [SEED]\n"
			"       bank POOL verify\n"
			"       bank POOL tamper\n");
	return 2;
}
