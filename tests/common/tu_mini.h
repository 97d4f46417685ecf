/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The part of Criterion's interface the concurrency suites use, for
 * builds where Criterion cannot run: under ThreadSanitizer Criterion's
 * inheritable arena (a fixed-address shared mapping for its worker
 * processes) does not fit TSan's memory layout. Tests register at load
 * time and run one after another in this process; a failed assertion
 * prints where and aborts (the run then fails on the signal, and the
 * test helper's signal handler removes the pools). Define TU_MINI before
 * including the test helpers, and link the file that defines main (it
 * is TU_MINI_MAIN's expansion).
 */
#ifndef PCOLL_TU_MINI_H
#define PCOLL_TU_MINI_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tu_mini_suite {
	void (*init)(void);
	void (*fini)(void);
	double timeout;
};

struct tu_mini_test {
	const char *suite, *name;
	void (*fn)(void);
	const struct tu_mini_suite *s;
};

#define TU_MINI_MAX 128
static struct tu_mini_test tu_mini_tests[TU_MINI_MAX];
static int tu_mini_n;

static inline void tu_mini_add(const char *suite, const char *name,
			       void (*fn)(void), const struct tu_mini_suite *s)
{
	if (tu_mini_n < TU_MINI_MAX)
		tu_mini_tests[tu_mini_n++] =
			(struct tu_mini_test){suite, name, fn, s};
}

/* A failed check prints where and why and aborts. The message is a
 * printf format with its arguments, followed by an extra "" the macros
 * add (so that every macro has an argument for its "..."). */
static inline void tu_mini_assert(const char *file, int line, int cond,
				  const char *fmt, ...)
{
	if (cond)
		return;
	va_list ap;
	fprintf(stderr, "%s:%d: assertion failed: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#define TestSuite(s, ...) \
	static const struct tu_mini_suite tu_mini_suite_##s = {__VA_ARGS__}
#define Test(s, n)                                                           \
	static void s##_##n(void);                                           \
	__attribute__((constructor)) static void tu_mini_reg_##s##_##n(void) \
	{                                                                    \
		tu_mini_add(#s, #n, s##_##n, &tu_mini_suite_##s);            \
	}                                                                    \
	static void s##_##n(void)

#define TU_MINI_1(c, ...) tu_mini_assert(__FILE__, __LINE__, !!(c), __VA_ARGS__)
#define TU_MINI_2(op, a, b, ...) \
	tu_mini_assert(__FILE__, __LINE__, (a)op(b), __VA_ARGS__)
#define cr_assert(...)          TU_MINI_1(__VA_ARGS__, "")
#define cr_assert_not(...)      TU_MINI_NOT(__VA_ARGS__, "")
#define TU_MINI_NOT(c, ...)     TU_MINI_1(!(c), __VA_ARGS__)
#define cr_assert_null(...)     TU_MINI_1(TU_MINI_P(__VA_ARGS__, ) == NULL, "")
#define cr_assert_not_null(...) TU_MINI_1(TU_MINI_P(__VA_ARGS__, ) != NULL, "")
#define TU_MINI_P(p, ...)       (p)
#define cr_assert_eq(...)       TU_MINI_2(==, __VA_ARGS__, "")
#define cr_assert_neq(...)      TU_MINI_2(!=, __VA_ARGS__, "")
#define cr_assert_lt(...)       TU_MINI_2(<, __VA_ARGS__, "")
#define cr_assert_leq(...)      TU_MINI_2(<=, __VA_ARGS__, "")
#define cr_assert_gt(...)       TU_MINI_2(>, __VA_ARGS__, "")
#define cr_assert_geq(...)      TU_MINI_2(>=, __VA_ARGS__, "")
#define cr_log_info(...)        (printf(__VA_ARGS__), printf("\n"))

/* main(): runs every test whose name contains argv[1] (all without it). */
#define TU_MINI_MAIN                                                      \
	int main(int argc, char **argv)                                   \
	{                                                                 \
		int ran = 0;                                              \
		for (int i = 0; i < tu_mini_n; i++) {                     \
			const struct tu_mini_test *t = &tu_mini_tests[i]; \
			if (argc > 1 && !strstr(t->name, argv[1]))        \
				continue;                                 \
			printf("[RUN ] %s::%s\n", t->suite, t->name);     \
			fflush(stdout);                                   \
			if (t->s->init)                                   \
				t->s->init();                             \
			t->fn();                                          \
			if (t->s->fini)                                   \
				t->s->fini();                             \
			printf("[PASS] %s::%s\n", t->suite, t->name);     \
			ran++;                                            \
		}                                                         \
		printf("%d tests passed\n", ran);                         \
		return ran > 0 ? 0 : 1;                                   \
	}

#endif
