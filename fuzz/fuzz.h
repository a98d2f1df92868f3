/* SPDX-License-Identifier: MIT */
/* The entry point every fuzz target defines (libFuzzer's signature). */
#ifndef S2O_FUZZ_H
#define S2O_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
