/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzzing pcoll's open path.
 *
 * A seed pool (8 MiB) holding one of each container and a user object is
 * built once per process. An input is a list of patches applied to a copy
 * of the seed:
 *
 *   [u8 where][u32 offset, little endian][u8 len][len bytes]  ...
 *
 * `where` picks the region: 0 the pool headers (the first 8 KiB; the whole
 * file with PCOLL_FUZZ_WHOLE_FILE=1), otherwise heap object number
 * (where - 1) modulo the number of objects (offset modulo the object's
 * size), so most mutations land in pcoll's own structures. len is taken modulo 17 (0 to 16 bytes). A truncated
 * last patch is ignored.
 *
 * The patched image is written to a file, opened with pc_pool_open() and
 * every root is walked with the reader that matches its kind: each must
 * return an error or a consistent view (check passes and a full walk
 * succeeds), never crash or hang.
 */
#ifndef PCOLL_CRASH_FUZZ_OPEN_H
#define PCOLL_CRASH_FUZZ_OPEN_H

#include <stddef.h>
#include <stdint.h>

/* Build the seed pool (idempotent). 0 on success. */
int cr_fuzz_init(void);

/* Run one input; returns 0 (the result of the open is not a failure:
 * crashes and sanitizer reports are). *opened, when not NULL, receives 1
 * when the image opened and 2 when every root walked cleanly. */
int cr_fuzz_one(const uint8_t *data, size_t size, int *opened);

/* Number of heap objects of the seed and their ranges (for the corpus
 * generator). */
size_t cr_fuzz_nobjs(void);

/* Remove the seed and image files of this process. */
void cr_fuzz_cleanup(void);

#endif
