/*
 * The C engine's first layer alone, on MNIST's CSR rows: how long its forward
 * passes and weight updates take where the rows come from, for
 * first_layer_bound.py (which writes the arrays, compiles this file and runs it).
 *
 * The loops are the kernel's, simplified (_ckernel_body.h: forward_block,
 * update_block; an index mask where the kernel checks each index, four sets of
 * accumulators always, every unit in one block): each sample's non-zero inputs
 * stream past its hidden units, held in vector registers, four sets of
 * accumulators in turn; then each sample's update of the rows of W1 it read.
 * Mini-batches of 10, the next one's CSR rows prefetched into L2 at once after
 * a mini-batch's forward passes, with the kernel's own prefetch (_prefetch.h;
 * the kernel spreads them among its sigmoids, which are not here). Nothing else
 * of an epoch (sigmoids, layers above, backward pass) is here.
 *
 * Usage: first_layer_bound FOLDER SAMPLES REPEATS
 * FOLDER holds indptr.bin (int64), indices.bin (int32) and data.bin (REAL).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "_prefetch.h" /* the kernels' own, from sknielsen/engine */

#ifndef REAL
#define REAL double
#endif
#ifndef VEC_BYTES
#define VEC_BYTES 64
#endif
#define LANES ((int64_t)(VEC_BYTES / sizeof(REAL)))
#define UNITS 32 /* [784,30,10]'s hidden layer, padded as the kernel pads it */
#define NB (UNITS / LANES)
#define SETS 4
#define BATCH 10
#define N_IN 784

typedef REAL VEC __attribute__((vector_size(VEC_BYTES)));

typedef struct {
    const int64_t *indptr;
    const int32_t *indices;
    const REAL *data;
} Csr;

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/*
 * Cycles per second: a chain of dependent additions, one a cycle, the fastest of three
 * runs (0 where the chain is not written for the machine).
 */
static double clock_rate(void)
{
    double best = 0;
#if defined(__x86_64__)
    const int64_t n = 200000000;
    for (int run = 0; run < 3; run++) {
        int64_t x = 0;
        const double start = seconds();
        for (int64_t i = 0; i < n; i++)
            __asm__ volatile("add $1, %0" : "+r"(x));
        const double rate = (double)n / (seconds() - start);
        best = rate > best ? rate : best;
    }
#endif
    return best;
}

static void *read_file(const char *folder, const char *name, int64_t bytes)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", folder, name);
    FILE *f = fopen(path, "rb");
    void *buffer = aligned_alloc(64, (size_t)((bytes + 63) / 64 * 64));
    if (f == NULL || buffer == NULL || fread(buffer, 1, (size_t)bytes, f) != (size_t)bytes) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(1);
    }
    fclose(f);
    return buffer;
}

static void forward(const REAL *w1, const int32_t *index, const REAL *value, int64_t count,
                    uint32_t mask, REAL *z)
{
    VEC acc[SETS][NB];
    for (int s = 0; s < SETS; s++)
        for (int v = 0; v < NB; v++)
            acc[s][v] = (VEC){0};
    int64_t p = 0;
    for (; p + SETS <= count; p += SETS)
        for (int s = 0; s < SETS; s++) {
            const VEC *row = (const VEC *)(w1 + (int64_t)(index[p + s] & mask) * UNITS);
            for (int v = 0; v < NB; v++)
                acc[s][v] += value[p + s] * row[v];
        }
    for (; p < count; p++) {
        const VEC *row = (const VEC *)(w1 + (int64_t)(index[p] & mask) * UNITS);
        for (int v = 0; v < NB; v++)
            acc[0][v] += value[p] * row[v];
    }
    for (int v = 0; v < NB; v++)
        ((VEC *)z)[v] = (acc[0][v] + acc[1][v]) + (acc[2][v] + acc[3][v]);
}

static void update(REAL *w1, const int32_t *index, const REAL *value, int64_t count,
                   uint32_t mask, const REAL *delta, REAL coefficient)
{
    VEC d[NB];
    for (int v = 0; v < NB; v++)
        d[v] = ((const VEC *)delta)[v];
    for (int64_t p = 0; p < count; p++) {
        VEC *row = (VEC *)(w1 + (int64_t)(index[p] & mask) * UNITS);
        const REAL x = coefficient * value[p];
        for (int v = 0; v < NB; v++)
            row[v] += x * d[v];
    }
}

static void prefetch_rows(const Csr *x, const int64_t *order, int64_t begin, int64_t end)
{
    for (int64_t position = begin; position < end; position++) {
        const int64_t first = x->indptr[order[position]];
        const int64_t count = x->indptr[order[position] + 1] - first;
        prefetch_lines((uintptr_t)(x->indices + first), count * 4);
        prefetch_lines((uintptr_t)(x->data + first), count * (int64_t)sizeof(REAL));
    }
}

/* One pass over `positions` samples in the given order; returns its CPU seconds. */
static double pass(const Csr *x, const int64_t *order, int64_t positions, REAL *w1,
                   uint32_t mask, int prefetch)
{
    static REAL z[BATCH][UNITS] __attribute__((aligned(64)));
    static REAL delta[BATCH][UNITS] __attribute__((aligned(64)));
    for (int i = 0; i < BATCH; i++)
        for (int j = 0; j < UNITS; j++)
            delta[i][j] = (REAL)1e-4 * (REAL)(i + 1);
    const double start = seconds();
    for (int64_t b = 0; b + BATCH <= positions; b += BATCH) {
        for (int i = 0; i < BATCH; i++) {
            const int64_t row = order[b + i], first = x->indptr[row];
            forward(w1, x->indices + first, x->data + first, x->indptr[row + 1] - first, mask,
                    z[i]);
        }
        if (prefetch && b + 2 * BATCH <= positions)
            prefetch_rows(x, order, b + BATCH, b + 2 * BATCH);
        for (int i = 0; i < BATCH; i++) {
            const int64_t row = order[b + i], first = x->indptr[row];
            /* delta depends on z, as the backward pass's does */
            delta[i][0] = z[i][0] * (REAL)1e-9;
            update(w1, x->indices + first, x->data + first, x->indptr[row + 1] - first, mask,
                   delta[i], (REAL)-0.05);
        }
    }
    return seconds() - start;
}

static int by_value(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s FOLDER SAMPLES REPEATS\n", argv[0]);
        return 2;
    }
    const int64_t n = atoll(argv[2]);
    const int repeats = atoi(argv[3]);
    if (repeats < 1) {
        fprintf(stderr, "need at least one repeat\n");
        return 2;
    }
    Csr x;
    x.indptr = read_file(argv[1], "indptr.bin", (n + 1) * 8);
    const int64_t nnz = x.indptr[n];
    if (nnz < 0 || n < BATCH) {
        fprintf(stderr, "need at least %d rows\n", BATCH);
        return 2;
    }
    x.indices = read_file(argv[1], "indices.bin", nnz * 4);
    x.data = read_file(argv[1], "data.bin", nnz * (int64_t)sizeof(REAL));
    REAL *w1 = aligned_alloc(64, N_IN * UNITS * sizeof(REAL));
    for (int64_t k = 0; k < N_IN * UNITS; k++)
        w1[k] = (REAL)0.01 * (REAL)(k % 13 - 6);
    /* Shuffled positions (a fixed LCG), as an epoch visits them; and in storage order. */
    int64_t *shuffled = malloc((size_t)n * 8), *in_order = malloc((size_t)n * 8);
    int64_t *resident = malloc((size_t)n * 8);
    uint64_t state = 12345;
    for (int64_t i = 0; i < n; i++)
        shuffled[i] = in_order[i] = i;
    for (int64_t i = n - 1; i > 0; i--) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        const int64_t j = (int64_t)((state >> 33) % (uint64_t)(i + 1)), t = shuffled[i];
        shuffled[i] = shuffled[j];
        shuffled[j] = t;
    }
    /* The first 2,000 shuffled rows over and over: 2.4 MB (float32) or 3.6 MB, held in L3. */
    for (int64_t i = 0; i < n; i++)
        resident[i] = shuffled[i % (n < 2000 ? n : 2000)];
    struct {
        const char *name;
        const int64_t *order;
        uint32_t mask;
        int prefetch;
    } modes[] = {
        {"shuffled, next mini-batch prefetched", shuffled, 0xffffffffu, 1},
        {"shuffled, no prefetch", shuffled, 0xffffffffu, 0},
        {"in storage order (hardware prefetchers)", in_order, 0xffffffffu, 1},
        {"2,000 rows, held in L3", resident, 0xffffffffu, 1},
        {"shuffled, W1 folded into 64 rows (in L1)", shuffled, 63u, 1},
    };
    const double hz = clock_rate();
    printf("clock %.2f GHz\n", hz * 1e-9);
    double *times = malloc((size_t)repeats * sizeof(double));
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        pass(&x, modes[m].order, n, w1, modes[m].mask, modes[m].prefetch); /* warm up */
        for (int r = 0; r < repeats; r++)
            times[r] = pass(&x, modes[m].order, n, w1, modes[m].mask, modes[m].prefetch);
        qsort(times, (size_t)repeats, sizeof(double), by_value);
        const double median = times[repeats / 2];
        int64_t visited = 0; /* the non-zero inputs of the samples a pass visits */
        for (int64_t i = 0; i < n / BATCH * BATCH; i++)
            visited += x.indptr[modes[m].order[i] + 1] - x.indptr[modes[m].order[i]];
        printf("mode\t%s\t%.3f\t%.2f\n", modes[m].name, median * 1e3,
               median * hz / (double)visited);
    }
    printf("checksum %g\n", (double)w1[300 * UNITS]);
    return 0;
}
