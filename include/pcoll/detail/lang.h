/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: the language pcoll needs. Every public header includes this
 * first, so a C++ compiler or a C compiler before C11 stops with one
 * message naming the requirement instead of dozens of errors further
 * down (pcoll relies on _Generic, _Static_assert, _Thread_local,
 * anonymous unions and C's rules for void pointers). The include of a
 * file that does not exist is what stops the compiler: #error alone
 * does not.
 */
#ifndef PCOLL_DETAIL_LANG_H
#define PCOLL_DETAIL_LANG_H

#if defined(__cplusplus)
#error "pcoll needs a C11 compiler: its headers are C11, not C++ (compile the code that includes them as C with -std=c11 or later)"
#include <pcoll: C11 required, not C++>
#elif !defined(__STDC_VERSION__) || __STDC_VERSION__ < 201112L
#error "pcoll needs C11 or later (-std=c11, -std=gnu11 or newer); this compiler is in an older C mode"
#include <pcoll: C11 required>
#endif

#endif /* PCOLL_DETAIL_LANG_H */
