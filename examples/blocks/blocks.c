/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * blocks: the classic libpmemblk example on PBLKARR. Creates a pool holding
 * an array of 1 KiB blocks (as many as fit), prints how many there are,
 * writes block 20, closes the pool, opens it again and reads block 20
 * back (and block 10, never written, which reads as zeros).
 *
 *   blocks POOL [POOL_SIZE_MIB]      (the pool file must not exist yet)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcoll/blkarr.h>
#include <pcoll/pcoll.h>

#define ELEMENT_SIZE 1024

static pc_err create_and_write(const char *path, size_t pool_size)
{
	pc_pool *pool = NULL;
	PC_TRY(pc_pool_create(path, pool_size, &pool));
	pblkarr blocks;
	/* nblock 0: as many blocks as fit in the pool. */
	pc_err e = pblkarr_root(pool, "blocks", PC_CREATE, ELEMENT_SIZE, 0,
				&blocks);
	if (e == PC_OK) {
		printf("the pool holds %llu blocks of %zu bytes\n",
		       (unsigned long long)pblkarr_nblock(&blocks),
		       pblkarr_bsize(&blocks));
		char buf[ELEMENT_SIZE] = {0};
		strcpy(buf, "hello, world");
		/* Atomic: after a crash block 20 holds all of this or all
		 * of what it held before. */
		e = pblkarr_write(&blocks, 20, buf);
		if (e == PC_OK)
			printf("wrote block 20: \"%s\"\n", buf);
	}
	pc_err c = pc_pool_close(pool);
	return e != PC_OK ? e : c;
}

static pc_err reopen_and_read(const char *path)
{
	pc_pool *pool = NULL;
	PC_TRY(pc_pool_open(path, &pool));
	pblkarr blocks;
	/* Block size 0: accept the array's own size. */
	pc_err e = pblkarr_root(pool, "blocks", PC_OPEN, 0, 0, &blocks);
	char buf[ELEMENT_SIZE];
	if (e == PC_OK)
		e = pblkarr_read(&blocks, 10, buf);
	if (e == PC_OK) {
		size_t nonzero = 0;
		for (size_t i = 0; i < sizeof(buf); i++)
			nonzero += buf[i] != 0;
		printf("block 10 (never written): %zu nonzero bytes\n",
		       nonzero);
		e = pblkarr_read(&blocks, 20, buf);
	}
	if (e == PC_OK) {
		buf[sizeof(buf) - 1] = '\0';
		printf("read block 20 after reopening: \"%s\"\n", buf);
	}
	pc_err c = pc_pool_close(pool);
	return e != PC_OK ? e : c;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s POOL [POOL_SIZE_MIB]\n", argv[0]);
		return 2;
	}
	size_t mib = argc > 2 ? strtoul(argv[2], NULL, 10) : 64;
	pc_err e = create_and_write(argv[1], mib << 20);
	if (e == PC_OK)
		e = reopen_and_read(argv[1]);
	if (e != PC_OK) {
		fprintf(stderr, "blocks: %s\n", pc_errmsg());
		return 1;
	}
	return 0;
}
