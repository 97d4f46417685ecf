/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: the type-erased engine behind PVEC(T), all of its parts in
 * dependency order. Every function takes the element size; <pcoll/vec.h>
 * (the typed layer) passes sizeof(T). The pcoll tool includes this file
 * to drive vectors of element types it only knows by size. docs/vec.md
 * ("Source files") says which part holds which concern.
 */
#ifndef PCOLL_DETAIL_VEC_ENGINE_H
#define PCOLL_DETAIL_VEC_ENGINE_H

/* 1. header layout, creation, growth, free */
#include "vec_layout.h"
/* 2. one element or len: push, set, get_mut, pop, truncate */
#include "vec_write.h"
/* 3. several elements: extend, insert, remove, reserve, sort */
#include "vec_bulk.h"
/* 4. structural check */
#include "vec_check.h"

#endif /* PCOLL_DETAIL_VEC_ENGINE_H */
