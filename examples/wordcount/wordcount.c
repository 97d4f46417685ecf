/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wordcount: N threads count the words of the files named on the command
 * line into one synchronized PMAP(bytes, uint64_t) (#define PC_SYNC), and
 * survive kill -9: run it again and it carries on where it stopped, with
 * exact counts at the end.
 *
 *   wordcount [-t THREADS] [-d] [-v] POOL FILE...
 *
 * A word is a run of ASCII letters and digits, counted in lower case.
 * Each file is cut into chunks of about 4 KiB that end between words. A
 * thread counts one chunk in DRAM, then adds the counts and marks the
 * chunk done in one TX(): both maps change together or not at all, so a
 * chunk is counted exactly once however often the program is killed.
 * Threads that change the same words at the same time can be told to
 * give way (PC_E_BUSY); they run the transaction again (the retry loop
 * of docs/map.md). With -d every word and its count is printed in key
 * order at the end (the test compares that); otherwise a summary. With
 * -v a line "counted FILE#OFFSET" goes to stderr as each chunk's
 * transaction commits (the test kills the program after a random number
 * of them, so every kill lands while chunks are being counted).
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcoll/pcoll.h>

#define PC_K_BYTES
#define PC_V    uint64_t
#define PC_NAME counts
#define PC_SYNC
#include <pcoll/map.h>

#define CHUNK 4096

typedef struct chunk {
	const char *file; /* the path as given */
	long off, len;
} chunk;

typedef struct job {
	pc_pool *pool;
	counts *words; /* word -> count */
	counts *done;  /* "file#offset" -> 1 for chunks counted */
	chunk *chunks;
	size_t nchunks;
	size_t next; /* the next chunk to take (atomic) */
	unsigned long retries, skipped;
	int failed;
	int verbose; /* -v: a line per committed chunk on stderr */
} job;

/* The words of one chunk, counted in DRAM: sorted (word, count) pairs. */
typedef struct wc {
	char *word;
	uint64_t n;
} wc;

static int wc_cmp(const void *a, const void *b)
{
	return strcmp(((const wc *)a)->word, ((const wc *)b)->word);
}

/* Counts the words of buf into *out (sorted, merged); returns how many
 * distinct words, -1 when out of memory. */
static long count_chunk(const char *buf, long len, wc **out)
{
	long cap = 64, n = 0;
	wc *v = malloc((size_t)cap * sizeof(*v));
	if (!v)
		return -1;
	for (long i = 0; i < len;) {
		while (i < len && !isalnum((unsigned char)buf[i]))
			i++;
		long s = i;
		while (i < len && isalnum((unsigned char)buf[i]))
			i++;
		if (i == s)
			break;
		if (n == cap) {
			cap *= 2;
			wc *nv = realloc(v, (size_t)cap * sizeof(*v));
			if (!nv)
				goto oom;
			v = nv;
		}
		v[n].word = malloc((size_t)(i - s + 1));
		if (!v[n].word)
			goto oom;
		for (long k = s; k < i; k++)
			v[n].word[k - s] = (char)tolower((unsigned char)buf[k]);
		v[n].word[i - s] = 0;
		v[n++].n = 1;
	}
	qsort(v, (size_t)n, sizeof(*v), wc_cmp);
	long m = 0;
	for (long i = 0; i < n; i++) {
		if (m > 0 && strcmp(v[m - 1].word, v[i].word) == 0) {
			v[m - 1].n++;
			free(v[i].word);
		} else {
			v[m++] = v[i];
		}
	}
	*out = v;
	return m;
oom:
	for (long i = 0; i < n; i++)
		free(v[i].word);
	free(v);
	return -1;
}

/* Adds one chunk's counts and its done-marker in one transaction, again
 * while an older transaction makes it give way. Words go in key order,
 * so the leaves are locked in key order. */
static pc_err add_chunk(job *j, const char *mark, const wc *v, long n)
{
	pc_err err;
	do {
		TX(j->pool, &err) {
			if (counts_contains(j->done, pc_slice_cstr(mark)))
				break; /* another run counted it */
			for (long i = 0; i < n; i++) {
				pc_slice w = pc_slice_cstr(v[i].word);
				uint64_t *c = counts_get_mut(j->words, w);
				if (c)
					*c += v[i].n;
				else if (counts_put(j->words, w, v[i].n, NULL))
					break;
			}
			if (counts_put(j->done, pc_slice_cstr(mark), 1, NULL))
				break;
		}
		if (err == PC_E_BUSY)
			__atomic_fetch_add(&j->retries, 1, __ATOMIC_RELAXED);
	} while (err == PC_E_BUSY);
	return err;
}

static void *worker(void *arg)
{
	job *j = arg;
	char *buf = malloc(CHUNK * 2);
	if (!buf) {
		j->failed = 1;
		return NULL;
	}
	for (;;) {
		size_t i = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED);
		if (i >= j->nchunks || j->failed)
			break;
		const chunk *c = &j->chunks[i];
		char mark[600];
		snprintf(mark, sizeof(mark), "%s#%ld", c->file, c->off);
		if (counts_contains(j->done, pc_slice_cstr(mark))) {
			__atomic_fetch_add(&j->skipped, 1, __ATOMIC_RELAXED);
			continue;
		}
		FILE *f = fopen(c->file, "rb");
		if (!f || fseek(f, c->off, SEEK_SET) != 0 ||
		    fread(buf, 1, (size_t)c->len, f) != (size_t)c->len) {
			fprintf(stderr, "wordcount: cannot read %s\n", c->file);
			if (f)
				fclose(f);
			j->failed = 1;
			break;
		}
		fclose(f);
		wc *v = NULL;
		long n = count_chunk(buf, c->len, &v);
		if (n < 0) {
			fprintf(stderr, "wordcount: out of memory\n");
			j->failed = 1;
			break;
		}
		pc_err e = add_chunk(j, mark, v, n);
		for (long k = 0; k < n; k++)
			free(v[k].word);
		free(v);
		if (e != PC_OK) {
			fprintf(stderr, "wordcount: %s: %s\n", mark,
				pc_errmsg());
			j->failed = 1;
			break;
		}
		if (j->verbose)
			fprintf(stderr, "counted %s\n", mark);
	}
	free(buf);
	return NULL;
}

/* Cuts every file into chunks ending between words. */
static int plan(job *j, char **files, int nfiles)
{
	size_t cap = 64;
	j->chunks = malloc(cap * sizeof(chunk));
	if (!j->chunks)
		return -1;
	for (int i = 0; i < nfiles; i++) {
		FILE *f = fopen(files[i], "rb");
		if (!f) {
			fprintf(stderr, "wordcount: cannot open %s\n",
				files[i]);
			return -1;
		}
		char buf[CHUNK * 2];
		long off = 0;
		for (;;) {
			if (fseek(f, off, SEEK_SET) != 0)
				break;
			size_t got = fread(buf, 1, sizeof(buf), f);
			if (got == 0)
				break;
			long len = got < CHUNK ? (long)got : CHUNK;
			/* extend to the end of the word under the cut */
			while ((size_t)len < got &&
			       isalnum((unsigned char)buf[len]))
				len++;
			if (j->nchunks == cap) {
				cap *= 2;
				chunk *nc =
					realloc(j->chunks, cap * sizeof(chunk));
				if (!nc) {
					fclose(f);
					return -1;
				}
				j->chunks = nc;
			}
			j->chunks[j->nchunks++] = (chunk){files[i], off, len};
			off += len;
		}
		fclose(f);
	}
	return 0;
}

static int print_word(pc_slice key, const uint64_t *val, void *arg)
{
	(void)arg;
	printf("%7llu %.*s\n", (unsigned long long)*val, (int)key.len,
	       (const char *)key.ptr);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned threads = 4;
	int dump = 0, verbose = 0, a = 1;
	for (; a < argc && argv[a][0] == '-'; a++) {
		if (strcmp(argv[a], "-t") == 0 && a + 1 < argc)
			threads = (unsigned)atoi(argv[++a]);
		else if (strcmp(argv[a], "-d") == 0)
			dump = 1;
		else if (strcmp(argv[a], "-v") == 0)
			verbose = 1;
		else
			break;
	}
	if (argc - a < 2 || threads < 1 || threads > 64) {
		fprintf(stderr, "usage: wordcount [-t THREADS] [-d] [-v] POOL "
				"FILE...\n");
		return 2;
	}
	job j;
	memset(&j, 0, sizeof(j));
	j.verbose = verbose;
	if (pc_pool_open_or_create(argv[a], 64u << 20, &j.pool)) {
		fprintf(stderr, "wordcount: %s\n", pc_errmsg());
		return 1;
	}
	counts words, done;
	if (counts_root(j.pool, "words", PC_OPEN_OR_CREATE, &words) ||
	    counts_root(j.pool, "done", PC_OPEN_OR_CREATE, &done)) {
		fprintf(stderr, "wordcount: %s\n", pc_errmsg());
		pc_pool_close(j.pool);
		return 1;
	}
	j.words = &words;
	j.done = &done;
	int rc = plan(&j, argv + a + 1, argc - a - 1);
	pthread_t th[64];
	unsigned started = 0;
	for (; rc == 0 && started < threads; started++)
		if (pthread_create(&th[started], NULL, worker, &j) != 0)
			break;
	for (unsigned i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	if (rc != 0 || j.failed || started == 0) {
		free(j.chunks);
		pc_pool_close(j.pool);
		return 1;
	}
	if (dump) {
		(void)counts_get_all(&words, print_word, NULL);
	} else {
		uint64_t total = 0;
		counts_iter it;
		for (bool ok = counts_first(&words, &it); ok;
		     ok = counts_next(&it))
			total += *it.val;
		printf("%zu distinct words, %llu in all\n", counts_len(&words),
		       (unsigned long long)total);
	}
	fprintf(stderr,
		"%zu chunks (%lu counted by an earlier run), %u threads, %lu "
		"transactions retried after PC_E_BUSY\n",
		j.nchunks, j.skipped, started, j.retries);
	free(j.chunks);
	pc_pool_close(j.pool);
	return 0;
}
