/*
 * Prefetches of the C engine's kernels (_ckernel.c), shared with the benchmark that
 * times the first layer's loops alone (benchmarks/first_layer_bound.c), so that both
 * prefetch alike.
 */
#ifndef SKNIELSEN_PREFETCH_H
#define SKNIELSEN_PREFETCH_H

#include <stdint.h>

/*
 * A prefetch into the second-level cache that compilers keep: GCC deletes a loop of
 * prefetches alone (a copy of the kernel's loop lost every one of them).
 */
static inline __attribute__((always_inline)) void prefetch_l2(const void *address)
{
    __builtin_prefetch(address, 0, 2);
    __asm__ volatile("" : : "r"(address));
}

/*
 * prefetch_l2 on every 64-byte line of the bytes at start..start + bytes, from the line
 * of the first byte to the line of the last: addresses as integers, since the first
 * line may begin before the array (no pointer is formed outside it).
 */
static inline __attribute__((always_inline)) void prefetch_lines(uintptr_t start,
                                                                 int64_t bytes)
{
    for (uintptr_t line = start & ~(uintptr_t)63; line < start + (uintptr_t)bytes; line += 64)
        prefetch_l2((const void *)line);
}

#endif
