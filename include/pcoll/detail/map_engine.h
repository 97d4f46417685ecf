/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: the type-erased persistent B+-tree behind PMAP(K,V), all of
 * its parts in dependency order. <pcoll/map.h> (the typed layer) and the
 * pcoll tool include this file; docs/map.md ("Source files") says which
 * part holds which concern.
 */
#ifndef PCOLL_DETAIL_MAP_ENGINE_H
#define PCOLL_DETAIL_MAP_ENGINE_H

/* 1. geometry, structs, adapters */
#include "map_layout.h"
/* 2. keys, leaf search, order hint */
#include "map_keys.h"
/* 3. inner nodes, descent */
#include "map_descend.h"
/* 4. byte strings, pending actions */
#include "map_bytes.h"
/* 5. lookup, counts, iterators */
#include "map_read.h"
/* 6. changes and commit protocols */
#include "map_commit.h"
/* 7. create, open, clear, free */
#include "map_lifecycle.h"
/* 8. structural check */
#include "map_check.h"
/* 9. PC_SYNC: optimistic reads, iteration, locked changes */
#include "map_sync_iter.h"
#include "map_sync_read.h"
#include "map_sync_write.h"

#endif /* PCOLL_DETAIL_MAP_ENGINE_H */
