/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Regression driver for the open-path fuzzer, for any compiler:
 *
 *   crash-fuzz-replay [--random N] [--seed S] PATH...
 *       replay every input file (PATH is a file or a directory), then N
 *       random patch lists; a crash, a hang (60 s per input) or a sanitizer
 *       report fails the run.
 *   crash-fuzz-replay --make-corpus DIR
 *       write the starting corpus (small patch lists aimed at each object).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_open.h"

static long inputs, opened, clean;

static void run(const uint8_t *d, size_t n)
{
	int o = 0;
	alarm(60);
	(void)cr_fuzz_one(d, n, &o);
	alarm(0);
	inputs++;
	opened += o >= 1;
	clean += o == 2;
}

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	uint8_t buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	run(buf, n);
	return 0;
}

static int replay_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	struct dirent **ents;
	int n = scandir(path, &ents, NULL, alphasort);
	if (n < 0) {
		perror(path);
		return -1;
	}
	int r = 0;
	for (int i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.') {
			char p[4096];
			(void)snprintf(p, sizeof(p), "%s/%s", path,
				       ents[i]->d_name);
			r |= replay_file(p);
		}
		free(ents[i]);
	}
	free(ents);
	return r;
}

static uint64_t mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* One patch: where, 32-bit offset, len, bytes. */
static size_t put_patch(uint8_t *b, unsigned where, uint32_t off,
			const void *bytes, size_t len)
{
	b[0] = (uint8_t)where;
	for (int j = 0; j < 4; j++)
		b[1 + j] = (uint8_t)(off >> (8 * j));
	b[5] = (uint8_t)len;
	memcpy(b + 6, bytes, len);
	return 6 + len;
}

static int write_input(const char *dir, const char *name, const uint8_t *b,
		       size_t n)
{
	char p[4096];
	(void)snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "wb");
	if (!f || fwrite(b, 1, n, f) != n) {
		perror(p);
		if (f)
			fclose(f);
		return -1;
	}
	return fclose(f);
}

static int make_corpus(const char *dir)
{
	if (cr_fuzz_init() != 0)
		return -1;
	(void)mkdir(dir, 0755);
	uint8_t b[256];
	int r = write_input(dir, "00-unchanged", b, 0);
	size_t nobj = cr_fuzz_nobjs();
	static const uint64_t vals[] = {0, ~0ull, 1, 0x7fffffffull};
	static const uint32_t offs[] = {0,  8,   64,  72,  80,  88,
					96, 104, 112, 120, 128, 136};
	int id = 1;
	/* For every object: its header words and the words after them set
	 * to a few edge values (magic, signature, lengths, offsets). */
	for (size_t o = 0; o < nobj && o < 254; o++) {
		for (size_t v = 0; v < 2; v++) {
			size_t n = 0;
			for (size_t j = v; j < 12; j += 2)
				n += put_patch(b + n, (unsigned)(o + 1),
					       offs[j], &vals[v], 8);
			char name[64];
			(void)snprintf(name, sizeof(name), "%02d-obj%zu-v%zu",
				       id++, o, v);
			r |= write_input(dir, name, b, n);
		}
	}
	/* The pool header and the layout name, anywhere in the file. */
	uint64_t junk = 0x4141414141414141ull;
	size_t n = put_patch(b, 0, 4096, &junk, 8);
	r |= write_input(dir, "90-layout", b, n);
	n = put_patch(b, 0, 0, &junk, 8);
	r |= write_input(dir, "91-signature", b, n);
	n = put_patch(b, 0, 4096 + 1024, &junk, 8);
	r |= write_input(dir, "92-header", b, n);
	return r;
}

/* A crashing input (the known-bug tests crash on purpose) must not leave
 * its 8 MiB image behind: remove it, then die of the same signal. */
static void on_fatal(int sig)
{
	cr_fuzz_cleanup();
	raise(sig);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal;
	sa.sa_flags = (int)SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGSEGV, &sa, NULL);
	(void)sigaction(SIGBUS, &sa, NULL);
	(void)sigaction(SIGABRT, &sa, NULL);
	(void)sigaction(SIGALRM, &sa, NULL);
	long nrandom = 0;
	uint64_t seed = 0x70a7;
	int first = 1;
	if (argc == 3 && strcmp(argv[1], "--make-corpus") == 0)
		return make_corpus(argv[2]) == 0 ? 0 : 1;
	while (first + 1 < argc && strncmp(argv[first], "--", 2) == 0) {
		if (strcmp(argv[first], "--random") == 0)
			nrandom = strtol(argv[first + 1], NULL, 0);
		else if (strcmp(argv[first], "--seed") == 0)
			seed = strtoull(argv[first + 1], NULL, 0);
		else
			break;
		first += 2;
	}
	if (cr_fuzz_init() != 0) {
		fprintf(stderr, "cannot build the seed pool\n");
		return 1;
	}
	int r = 0;
	for (int i = first; i < argc; i++)
		r |= replay_path(argv[i]);
	for (long t = 0; t < nrandom; t++) {
		uint8_t b[128];
		size_t n = 0;
		int np = 1 + (int)(mix(&seed) % 4);
		for (int p = 0; p < np; p++) {
			uint64_t h = mix(&seed);
			uint8_t bytes[16];
			size_t len = 1 + (size_t)(h % 16);
			for (size_t j = 0; j < len; j++)
				bytes[j] = (uint8_t)mix(&seed);
			n += put_patch(b + n, (unsigned)(h >> 8) & 0xff,
				       (uint32_t)(h >> 32), bytes, len);
		}
		run(b, n);
	}
	cr_fuzz_cleanup();
	printf("fuzz replay: %ld inputs, %ld opened, %ld walked cleanly "
	       "(the rest were refused with an error)\n",
	       inputs, opened, clean);
	if (inputs == 0) {
		fprintf(stderr, "no input replayed\n");
		return 1;
	}
	return r ? 1 : 0;
}
