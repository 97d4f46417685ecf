/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The misuse suite's harness (test_misuse.c): every case runs in a forked
 * child on its own copy of a template pool, so a crash is one failed case
 * (named, with its signal), not a lost run, and no case sees another's
 * changes. A case makes its calls and asserts their exact codes with
 * MU_CODE() and friends; the harness then checks, in the same child, that
 * everything the template committed is still there (mu_verify()), unless
 * the case changes that data on purpose (MU_CHANGES). A failed check
 * prints the case, the file and line and pc_errmsg(), and exits 1.
 *
 * The templates (made once per process):
 *   MU_DATA  a pool holding one of each container with known contents:
 *            "v" PVEC(uint64_t) of 100 elements (i * 3), "m" PMAP(u64,
 *            u64) of 200 entries (k -> 7k), "s" the same as a PC_SYNC
 *            map, "b" PMAP(bytes,bytes) of 50 entries (10 of them with
 *            out-of-line strings), "l" PLOG of 20 records, "a" PBLKARR of
 *            16 blocks of 512 bytes (block i written with byte i + 1 for
 *            even i), "o" a user struct point {1, 2};
 *   MU_FULL  the same, plus a map "fill" and 1-byte objects until the
 *            pool has no room for anything;
 *   MU_NONE  no pool (the case makes what it needs).
 */
#ifndef PCOLL_TESTS_MU_H
#define PCOLL_TESTS_MU_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tu_pool.h"

/* A case's failure: report and leave the child. */
#define MU_FAIL(...)                                                     \
	do {                                                             \
		fprintf(stderr, "    %s:%d: ", __FILE__, __LINE__);      \
		fprintf(stderr, __VA_ARGS__);                            \
		fprintf(stderr, "\n    pc_errmsg(): %s\n", pc_errmsg()); \
		fflush(stderr);                                          \
		_exit(1);                                                \
	} while (0)

/* Checks made by the running case (its child): with MU_VERBOSE set in the
 * environment, each case prints how many it made. */
static unsigned long mu_nchecks;

#define MU_CHECK(cond, ...)                   \
	do {                                  \
		mu_nchecks++;                 \
		if (!(cond))                  \
			MU_FAIL(__VA_ARGS__); \
	} while (0)

/* expr (any integer) must be exactly the pcoll code want. */
#define MU_CODE(expr, want)                                                 \
	do {                                                                \
		long mu_got_ = (long)(expr);                                \
		long mu_want_ = (long)(want);                               \
		MU_CHECK(mu_got_ == mu_want_,                               \
			 "%s: got %ld (%s), want %ld (%s)", #expr, mu_got_, \
			 pc_strerror((pc_err)mu_got_), mu_want_,            \
			 pc_strerror((pc_err)mu_want_));                    \
	} while (0)

/* An accessor's result, and the PC_E_INVAL it records. */
#define MU_INVAL(expr, neutral)                                               \
	do {                                                                  \
		mu_clear_msg();                                               \
		MU_CHECK((expr) == (neutral), "%s: not the neutral value %s", \
			 #expr, #neutral);                                    \
		MU_CHECK(strstr(pc_errmsg(), "[invalid argument]"),           \
			 "%s recorded no PC_E_INVAL", #expr);                 \
	} while (0)

/* The message of the last failure names what failed. */
#define MU_MSG_HAS(s) \
	MU_CHECK(strstr(pc_errmsg(), (s)), "message lacks \"%s\"", (s))

enum { MU_DATA = 0, MU_FULL = 1, MU_NONE = 2 };
enum { MU_CHANGES = 1 }; /* the case changes committed data on purpose */

struct mu_env;
typedef struct mu_case {
	const char *name;
	void (*fn)(struct mu_env *env);
	int tmpl;  /* MU_DATA, MU_FULL, MU_NONE */
	int flags; /* MU_CHANGES */
} mu_case;

/* Empties this thread's message, so that an accessor is seen to set it. */
static inline void mu_clear_msg(void)
{
	pc__errmsg_buf[0] = '\0';
}

#endif /* PCOLL_TESTS_MU_H */
