/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file err.h
 * @brief Error values, messages and the PC_TRY() early-return helper.
 *
 * Every fallible pcoll call returns a ::pc_err; ::PC_OK (zero) is success.
 * Errors are values: pcoll never calls abort() or exit() and never reports
 * through errno. Next to the code, each thread keeps a message with context
 * (the path, the name, what was expected and what was found), read with
 * pc_errmsg().
 */
#ifndef PCOLL_ERR_H
#define PCOLL_ERR_H

#include "detail/lang.h"
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/** @cond PCOLL_INTERNAL */
#if defined(__GNUC__) || defined(__clang__)
#define PC_MUST_USE      __attribute__((warn_unused_result))
#define PC__WEAK         __attribute__((weak))
#define PC__UNUSED       __attribute__((unused))
#define PC__PRINTF(f, a) __attribute__((format(printf, f, a)))
#define PC__LIKELY(x)    __builtin_expect(!!(x), 1)
#define PC__UNLIKELY(x)  __builtin_expect(!!(x), 0)
#define PC__CAT2(a, b)   a##b
#define PC__CAT(a, b)    PC__CAT2(a, b)
#define PC__STR2(x)      #x
#define PC__STR(x)       PC__STR2(x)
#else
#error "pcoll needs GCC or Clang (it uses weak symbols and cleanup attributes)"
#endif
/** @endcond */

/**
 * @brief Result of every fallible pcoll call.
 *
 * The numeric values are stable across releases; new values are only
 * appended.
 */
typedef enum pc_err {
	PC_OK = 0, /**< Success. */
	PC_E_NOTFOUND =
		1,       /**< The file, root, key or element does not exist. */
	PC_E_EXISTS = 2, /**< The file, root or key already exists. */
	PC_E_LAYOUT = 3, /**< The pool was made by another program or layout. */
	PC_E_TYPE = 4,   /**< The object holds another type than asked for. */
	PC_E_CORRUPT =
		5,     /**< The pool or an object failed a consistency check. */
	PC_E_FULL = 6, /**< The pool has no room for the allocation. */
	PC_E_RANGE = 7, /**< An index or block number is past the end. */
	PC_E_INVAL =
		8, /**< An argument is invalid (NULL, zero size, bad name). */
	PC_E_BUSY = 9,    /**< The pool is open already (here or in another
			  process), or the object is in use (a log walked by
			  this thread, a lock held). */
	PC_E_IO = 10,     /**< The operating system reported an I/O error. */
	PC_E_NEEDTX = 11, /**< The call needs an open transaction (TX()). */
	PC_E_INTX = 12,   /**< The call is not allowed inside a transaction. */
	PC_E_ABORTED =
		13, /**< The transaction was aborted; nothing of it is kept. */
	PC_E_ESCAPED =
		14, /**< return/break/goto left a TX() scope; it was aborted. */
	PC_E_NOMEM = 15,   /**< Volatile memory (malloc) ran out. */
	PC_E_TOOBIG = 16,  /**< A size exceeds a documented limit. */
	PC_E_NOTPOOL = 17, /**< The file is not a libpmemobj pool at all. */
	PC_E_VERSION = 18, /**< The pool's layout version is not supported. */
	PC_E_TRUNCATED =
		19, /**< The file is shorter than the pool it claims to be. */
	PC_E_BADBLOCK =
		20, /**< A block was marked bad with set_error; reads fail. */
	PC_E__COUNT /**< Number of error values (not an error). */
} pc_err;

/** @brief Size of the per-thread error message buffer, including the NUL. */
#define PC_ERRMSG_MAX 512

/** @cond PCOLL_INTERNAL */
/* One buffer per thread shared by every translation unit: declared, then
 * defined weak (-Wmissing-variable-declarations). */
extern _Thread_local char pc__errmsg_buf[PC_ERRMSG_MAX];
PC__WEAK _Thread_local char pc__errmsg_buf[PC_ERRMSG_MAX];
/** @endcond */

/**
 * @brief Short, fixed description of an error value.
 * @param e any value; unknown values give "unknown pcoll error".
 * @return a static string; never NULL.
 *
 * Transactions: any (does not touch the pool).
 */
static inline const char *pc_strerror(pc_err e)
{
	static const char *const msgs[PC_E__COUNT] = {
		"success",
		"not found",
		"already exists",
		"wrong layout (not a pcoll pool)",
		"wrong type",
		"corrupt or damaged data",
		"pool full",
		"index out of range",
		"invalid argument",
		"busy (pool open elsewhere, or in use by another call)",
		"I/O error",
		"needs a transaction",
		"not allowed inside a transaction",
		"transaction aborted",
		"left a TX() scope early (transaction aborted)",
		"out of volatile memory",
		"size over the limit",
		"not a libpmemobj pool",
		"unsupported layout version",
		"truncated pool file",
		"block marked bad",
	};
	if ((unsigned)e >= (unsigned)PC_E__COUNT)
		return "unknown pcoll error";
	return msgs[e];
}

/**
 * @brief Message with context for the last error on this thread.
 *
 * For example `pc_pool_open: /dev/shm/a.pool: wrong layout: expected
 * "pcoll", found "other"`. The text stays until the next failing call on
 * this thread; successful calls do not clear it.
 *
 * Transactions: any.
 * @return a thread-local string; empty when no error has happened yet.
 */
static inline const char *pc_errmsg(void)
{
	return pc__errmsg_buf;
}

/** @cond PCOLL_INTERNAL */
/*
 * The first failure inside a TX() scope is kept (tx.h): later failures in
 * the body (PC_E_ABORTED of the calls after a resource error) and the
 * scope's own end would otherwise replace the message that says why.
 * pc__tx_scopes counts the TX() scopes open on this thread (tx.h keeps
 * it); pc__tx_first holds the first message recorded while one is open.
 */
extern _Thread_local unsigned pc__tx_scopes;
PC__WEAK _Thread_local unsigned pc__tx_scopes;
extern _Thread_local int pc__tx_first_set;
extern _Thread_local int pc__tx_first_last;
extern _Thread_local char pc__tx_first[PC_ERRMSG_MAX];
PC__WEAK _Thread_local int pc__tx_first_set;  /* pc__tx_first holds one */
PC__WEAK _Thread_local int pc__tx_first_last; /* ...and it is the latest */
PC__WEAK _Thread_local char pc__tx_first[PC_ERRMSG_MAX];

/* Length of s (at most n - 1: the buffers here are always terminated). */
static inline size_t pc__errlen(const char *s, size_t n)
{
	const char *nul = (const char *)memchr(s, 0, n);
	return nul ? (size_t)(nul - s) : n - 1;
}

/* Appends " [generic text of e]" so every message names its code, and
 * inside a TX() scope keeps the first message. same: the message is the
 * latest one with more context (pc__errmsg_wrap()). */
static inline void pc__errmsg_suffix(pc_err e, int same)
{
	size_t len = pc__errlen(pc__errmsg_buf, sizeof(pc__errmsg_buf));
	if (len + 4 < sizeof(pc__errmsg_buf))
		(void)snprintf(pc__errmsg_buf + len,
			       sizeof(pc__errmsg_buf) - len, " [%s]",
			       pc_strerror(e));
	if (!pc__tx_scopes)
		return;
	if (!pc__tx_first_set || (same && pc__tx_first_last)) {
		memcpy(pc__tx_first, pc__errmsg_buf, sizeof(pc__tx_first));
		pc__tx_first_set = 1;
		pc__tx_first_last = 1;
	} else {
		pc__tx_first_last = 0;
	}
}

/* Records a formatted message; pc__fail() below also yields e. */
PC__PRINTF(2, 3)
static inline void pc__failmsg(pc_err e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(pc__errmsg_buf, sizeof(pc__errmsg_buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		pc__errmsg_buf[0] = '\0';
	pc__errmsg_suffix(e, 0);
}

/* Length of the current message without its " [code]" suffix. */
static inline size_t pc__errmsg_body(void)
{
	size_t len = pc__errlen(pc__errmsg_buf, sizeof(pc__errmsg_buf));
	if (len == 0 || pc__errmsg_buf[len - 1] != ']')
		return len;
	for (size_t i = len; i-- > 1;)
		if (pc__errmsg_buf[i] == '[' && pc__errmsg_buf[i - 1] == ' ')
			return i - 1;
	return len;
}

/*
 * Rewrites the current message (the detail of a failure deeper down) as
 * "<pre>: <detail><post> [text of e]": the caller adds what it knows (the
 * container, the pool's path, sizes). pre and post may be NULL.
 */
static inline void pc__errmsg_wrap(pc_err e, const char *pre, const char *post)
{
	char body[PC_ERRMSG_MAX];
	size_t n = pc__errmsg_body();
	memcpy(body, pc__errmsg_buf, n);
	body[n] = '\0';
	/* Truncation is fine: the suffix is appended when it fits. */
	if (snprintf(pc__errmsg_buf, sizeof(pc__errmsg_buf), "%s%s%s%s",
		     pre ? pre : "", pre ? ": " : "", body,
		     post ? post : "") < 0)
		pc__errmsg_buf[0] = '\0';
	pc__errmsg_suffix(e, 1);
}
/*
 * Records a formatted message and yields e: `return pc__fail(e, ...)`.
 * A macro rather than a function so the compiler sees the (nonzero)
 * result at every call site: a variadic function is never inlined, and
 * an unknown result made gcc -O2 warn about paths where PC_TRY() "might"
 * fall through with a NULL argument or an unset output. e is evaluated
 * twice; every caller passes a constant or a plain variable.
 */
#define pc__fail(e, ...) (pc__failmsg((e), __VA_ARGS__), (pc_err)(e))
/** @endcond */

/** @cond PCOLL_INTERNAL */
/* The errno value a C API built on pcoll (the compat headers) reports for
 * e; full_errno is what that API uses for "no room" (libpmemblk ENOMEM,
 * libpmemlog ENOSPC). */
static inline int pc__errno_of(pc_err e, int full_errno)
{
	switch (e) {
	case PC_OK:
		return 0;
	case PC_E_NOTFOUND:
		return ENOENT;
	case PC_E_EXISTS:
		return EEXIST;
	case PC_E_FULL:
		return full_errno;
	case PC_E_NOMEM:
		return ENOMEM;
	case PC_E_BUSY:
		return EAGAIN;
	case PC_E_IO:
	case PC_E_BADBLOCK:
		return EIO;
	default:
		return EINVAL;
	}
}
/** @endcond */

/**
 * @brief Evaluate @p expr (a ::pc_err); if it failed, return it from the
 * enclosing function, like Rust's `?` operator.
 *
 * The enclosing function must return ::pc_err. Inside a TX() scope the
 * early return aborts the transaction (see TX()).
 */
#define PC_TRY(expr)                       \
	do {                               \
		pc_err pc__try_e = (expr); \
		if (pc__try_e != PC_OK)    \
			return pc__try_e;  \
	} while (0)

#endif /* PCOLL_ERR_H */
