/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sharedvec: sharing one PVEC between threads. PVEC is single-writer:
 * a push may grow the vector, which moves its elements and frees the old
 * array, so a reader holding an element pointer (or in the middle of a
 * loop over the elements) can read freed memory, and an element wider
 * than 8 bytes can be read torn while set() writes it. Readers running
 * beside one writer are therefore not safe without a lock. The pattern:
 * one pthread_rwlock per vector, taken shared by readers and exclusive by
 * the writer; the vector's own durability is unchanged (each push is still
 * durable when it returns).
 *
 *   sharedvec POOL N    2 writers push N elements each, 2 readers sum
 *                       what is there meanwhile; prints the final sum
 */
#define _GNU_SOURCE /* pthread_rwlockattr_setkind_np */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <pcoll/pcoll.h>

#define PC_T    uint64_t
#define PC_NAME u64vec
#include <pcoll/vec.h>

typedef struct shared {
	u64vec v;
	pthread_rwlock_t lock; /* in DRAM: nothing of it reaches the pool */
	uint64_t n;
	int stop, failed;
	unsigned long reads;
} shared;

typedef struct writer {
	shared *s;
	uint64_t first;
} writer;

static void *write_loop(void *arg)
{
	writer *w = arg;
	for (uint64_t i = 0; i < w->s->n; i++) {
		pthread_rwlock_wrlock(&w->s->lock);
		pc_err e = u64vec_push(&w->s->v, w->first + i);
		pthread_rwlock_unlock(&w->s->lock);
		if (e != PC_OK) {
			fprintf(stderr, "sharedvec: %s\n", pc_errmsg());
			w->s->failed = 1;
			break;
		}
	}
	return NULL;
}

static void *read_loop(void *arg)
{
	shared *s = arg;
	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		uint64_t sum = 0;
		pthread_rwlock_rdlock(&s->lock);
		size_t len = u64vec_len(&s->v);
		const uint64_t *p = u64vec_begin(&s->v);
		for (size_t i = 0; i < len; i++) /* p stays valid: no writer */
			sum += p[i];
		pthread_rwlock_unlock(&s->lock);
		(void)sum;
		__atomic_fetch_add(&s->reads, 1, __ATOMIC_RELAXED);
		struct timespec pause = {0, 100000}; /* 0.1 ms */
		nanosleep(&pause, NULL);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: sharedvec POOL N\n");
		return 2;
	}
	shared s = {0};
	s.n = strtoull(argv[2], NULL, 10);
	pc_pool *pool;
	if (pc_pool_open_or_create(argv[1], 64u << 20, &pool) ||
	    u64vec_root(pool, "v", PC_OPEN_OR_CREATE, &s.v)) {
		fprintf(stderr, "sharedvec: %s\n", pc_errmsg());
		return 1;
	}
	pthread_rwlockattr_t attr;
	pthread_rwlockattr_init(&attr);
#ifdef __GLIBC__
	/* a waiting writer goes before new readers */
	pthread_rwlockattr_setkind_np(
		&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
#endif
	int lrc = pthread_rwlock_init(&s.lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	if (lrc != 0) {
		fprintf(stderr, "sharedvec: pthread_rwlock_init failed (%d)\n",
			lrc);
		pc_pool_close(pool);
		return 1;
	}
	pthread_t r[2], w[2];
	writer wa[2] = {{&s, 0}, {&s, 1000000000}};
	for (int i = 0; i < 2; i++)
		pthread_create(&r[i], NULL, read_loop, &s);
	for (int i = 0; i < 2; i++)
		pthread_create(&w[i], NULL, write_loop, &wa[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(w[i], NULL);
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < 2; i++)
		pthread_join(r[i], NULL);
	uint64_t sum = 0;
	for (size_t i = 0; i < u64vec_len(&s.v); i++)
		sum += *u64vec_get(&s.v, i);
	printf("%zu elements, sum %llu (%lu reads meanwhile)\n",
	       u64vec_len(&s.v), (unsigned long long)sum, s.reads);
	pthread_rwlock_destroy(&s.lock);
	pc_pool_close(pool);
	return s.failed;
}
