/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer entry points for the open-path fuzzer (see fuzz_open.h). */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_open.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (cr_fuzz_init() != 0)
		abort();
	atexit(cr_fuzz_cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return cr_fuzz_one(data, size, NULL);
}
