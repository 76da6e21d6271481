/*
 * The C engine's kernels: whole ranges of mini-batches in one call.
 *
 * One source, compiled once per instruction set by setup.py: the module name
 * (MODULE) and the width of the vectors (VEC_BYTES: 16 for the x86-64
 * baseline and other machines, 32 for x86-64-v3, 64 for x86-64-v4) come from
 * the build's own source (_ckernel_base.c, _ckernel_v3.c, _ckernel_v4.c),
 * which defines them and includes this file, or from the command line. sknielsen/engine/_cengine.py imports the widest one the
 * CPU runs (cpu_level below) and checks every array before calling train();
 * train() checks again what it can in constant time per sample (lengths,
 * codes, row indices, CSR row bounds), so that a wrong argument is an
 * exception, never a read outside an array. The one thing it leaves to the
 * caller is that CSR column indices lie in range (a pass over every non-zero,
 * done once per array by check_csr).
 *
 * Python's side: train(spec, hyper, params, velocity, first_moment,
 * second_moment, step, dense, data, indices, indptr, targets, order, scales,
 * masks, costs, outputs), with
 *   spec: int64 [SPEC_FIELDS..., sizes (n_layers + 1), activation codes (n_layers)];
 *   hyper: float64, indexed by the HYPER names;
 *   params (the network's flat weights then biases) and the optimizer's state
 *   arrays, in the network's dtype, updated in place;
 *   dense (n_rows, n_in), or CSR data, indices (int32), indptr (int64);
 *   targets (n_rows, n_out); order (int64, the row of each position);
 *   scales (n_rows,) per-sample gradient weights when `weighted`;
 *   masks (stop - start, hidden units) dropout masks when `dropout`;
 *   costs (len(order), float64): the cost of each trained position's forward pass;
 *   outputs (len(order), n_out) or empty: the outputs of those forward passes.
 * Unused arrays are passed empty. With the spec's `learn` 0, train() makes only
 * the forward passes and records their costs: the network's cost on those rows.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "_prefetch.h"
#if defined(__AVX512F__) && defined(__AVX512VL__)
#include <immintrin.h>
#endif
#if (defined(__unix__) || defined(__APPLE__)) && !defined(__STDC_NO_ATOMICS__)
#define HAVE_THREADS 1
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>
#else
#define HAVE_THREADS 0
#endif

#ifndef VEC_BYTES
#define VEC_BYTES 16
#endif
#ifndef MODULE
#define MODULE _ckernel_base
#endif
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
#define CONCAT_(a, b) a##b
#define CONCAT(a, b) CONCAT_(a, b)

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* Plugin codes; CODES in the module tells Python the same table. */
enum { SIGMOID, TANH, RELU, IDENTITY, SOFTMAX, N_ACTIVATIONS };
enum { QUADRATIC, CROSS_ENTROPY, LOG_LIKELIHOOD, N_COSTS };
enum { NO_PENALTY, L2, L1, N_PENALTIES };
enum { SGD, MOMENTUM, NESTEROV, ADAM, N_OPTIMIZERS };
/* Positions in hyper. */
enum { ETA, PENALTY, DECAY, MU, BETA1, BETA2, EPSILON, CLIP, N_HYPER };
static const char *const HYPER_NAMES[N_HYPER] = {
    "eta", "penalty", "decay", "mu", "beta1", "beta2", "epsilon", "clip"};
/* Positions in spec, before the sizes and activations. */
enum {
    S_DTYPE, S_LAYERS, S_COST, S_PENALTY, S_OPTIMIZER, S_SPARSE, S_WEIGHTED, S_DROPOUT,
    S_ROWS, S_START, S_STOP, S_BATCH, S_PATH, S_THREADS, S_LEARN, N_SPEC
};
static const char *const SPEC_NAMES[N_SPEC] = {
    "dtype", "n_layers", "cost", "penalty", "optimizer", "sparse", "weighted", "dropout",
    "n_rows", "start", "stop", "batch_size", "path", "threads", "learn"};
/* How the first layer of plain SGD is trained: by call length, on W1, or padded. */
enum { PATH_AUTO, PATH_PLAIN, PATH_PADDED };

#define MAX_LAYERS 64
/* Units, inputs and rows: far above any use, and small enough that no product overflows. */
#define MAX_SIZE ((int64_t)1 << 24)
#define MAX_ROWS ((int64_t)1 << 40)
/* W1 = s V: s is folded back into V before it costs V precision. */
#define SMALLEST_LAZY_SCALE 1e-3
/* Samples a call must train for the padded copy of W1 to repay copying it in and out. */
#define PADDED_MIN_SAMPLES 256

/* Vectors of units held in registers at once: 32 registers with AVX-512, 16 below. */
#if VEC_BYTES >= 64
#define MAX_BLOCK 16
#define BLOCK_CASES_ABOVE_8(call)                                                              \
    case 9: call(9); break;                                                                    \
    case 10: call(10); break;                                                                  \
    case 11: call(11); break;                                                                  \
    case 12: call(12); break;                                                                  \
    case 13: call(13); break;                                                                  \
    case 14: call(14); break;                                                                  \
    case 15: call(15); break;                                                                  \
    case 16: call(16); break;
#else
#define MAX_BLOCK 8
#define BLOCK_CASES_ABOVE_8(call)
#endif

/* Threads a call may share its first layer between (MAX_THREADS in the module). */
#define MAX_THREADS 8
/* A call's status when a forward pass met a column index outside W1's rows. */
#define STATUS_OUTSIDE -2

/*
 * A column index as the first layer's loops use it: k itself when it is a row of W1,
 * else row 0, noting it in *outside. k is read once, by the caller, so that the row
 * used is the row checked even if the array changed meanwhile.
 */
static ALWAYS_INLINE uint32_t inside(uint32_t k, uint32_t limit, int *outside)
{
    if (__builtin_expect(k < limit, 1))
        return k;
    *outside = 1;
    return 0;
}

typedef struct {
    int dtype, n_layers, cost, penalty, optimizer, sparse, weighted, dropout, path, threads;
    int learn; /* 0: the forward passes and their costs only, the parameters untouched */
    int64_t n_rows, start, stop, batch_size, n_out, hidden_units;
    int64_t sizes[MAX_LAYERS + 1];
    int activations[MAX_LAYERS];
    double hyper[N_HYPER];
    void *params, *velocity, *first_moment, *second_moment;
    double *step; /* Adam's step count: float64 in either dtype (float32 stops at 2**24) */
    const void *dense, *data, *targets, *scales, *masks;
    const int32_t *indices;
    const int64_t *indptr, *order;
    double *costs;
    void *outputs; /* NULL, or the outputs of each position's forward pass */
} Job;

/* Offsets, in numbers, of each layer's weights and biases in params and of its units in a row. */
typedef struct {
    int64_t weight[MAX_LAYERS], bias[MAX_LAYERS];
    int64_t unit[MAX_LAYERS], slot[MAX_LAYERS];
    int64_t hidden[MAX_LAYERS]; /* column of each hidden layer's units in a mask row */
    int64_t row, n_weights, n_params;
    /* The padded copy of the parameters: each layer's W with rows of whole vectors, its
     * transpose likewise (above the first layer, for the backward pass), and its b. */
    int64_t padded_weight[MAX_LAYERS], padded_transpose[MAX_LAYERS], padded_bias[MAX_LAYERS];
    int64_t padded_size;
} Layout;

static void layout(Layout *s, const Job *job, int64_t lanes)
{
    int64_t at = 0, unit = 0, hidden = 0;
    for (int l = 0; l < job->n_layers; l++) {
        s->weight[l] = at;
        at += job->sizes[l] * job->sizes[l + 1];
    }
    s->n_weights = at;
    for (int l = 0; l < job->n_layers; l++) {
        s->bias[l] = at;
        at += job->sizes[l + 1];
        /* Slots of whole vectors keep every slot of an aligned row aligned. */
        s->slot[l] = (job->sizes[l + 1] + lanes - 1) / lanes * lanes;
        s->unit[l] = unit;
        unit += s->slot[l];
        s->hidden[l] = hidden;
        hidden += job->sizes[l + 1];
    }
    s->n_params = at;
    s->row = unit;
    at = 0;
    for (int l = 0; l < job->n_layers; l++) {
        s->padded_weight[l] = at;
        at += job->sizes[l] * s->slot[l];
        s->padded_transpose[l] = at;
        at += l > 0 ? job->sizes[l + 1] * s->slot[l - 1] : 0;
        s->padded_bias[l] = at;
        at += s->slot[l];
    }
    s->padded_size = at;
}

static int64_t parameter_count(const Job *job)
{
    Layout s;
    layout(&s, job, 1);
    return s.n_params;
}

/* Zeroed memory aligned to 64 bytes (a cache line), or NULL; the original pointer sits just before. */
static void *aligned_zeros(int64_t count, int64_t size)
{
    if (count < 0 || size <= 0 || count > (INT64_MAX - 128) / size)
        return NULL;
    char *raw = calloc(1, (size_t)(count * size) + 64 + sizeof(void *));
    if (raw == NULL)
        return NULL;
    uintptr_t start = ((uintptr_t)(raw + sizeof(void *)) + 63) & ~(uintptr_t)63;
    ((void **)start)[-1] = raw;
    return (void *)start;
}

static void aligned_free(void *p)
{
    if (p != NULL)
        free(((void **)p)[-1]);
}

/* ------------------------------------------------------------------------ */
/* Threads                                                                  */
/* ------------------------------------------------------------------------ */

/* Vectors of units per cache line: threads own whole lines of W1's rows. */
#define LINE_VECTORS (VEC_BYTES >= 64 ? 1 : 64 / VEC_BYTES)

/* Thread t's columns of `vectors` (in vectors), whole groups of `group`, in order. */
static void share_columns(int64_t vectors, int64_t group, int threads, int t, int64_t *begin,
                          int64_t *end)
{
    const int64_t groups = (vectors + group - 1) / group;
    const int64_t first = groups * t / threads, last = groups * (t + 1) / threads;
    *begin = first * group < vectors ? first * group : vectors;
    *end = last * group < vectors ? last * group : vectors;
}

/*
 * A spinning barrier that yields the core after a while: the threads meet twice
 * per mini-batch, far too often to sleep, and a machine busy with other work
 * must not be left spinning against a thread that is not running.
 */
typedef struct {
#if HAVE_THREADS
    atomic_int arrived, phase;
#endif
    int count;
} Barrier;

static void barrier_wait(Barrier *barrier)
{
#if HAVE_THREADS
    if (barrier->count == 1)
        return;
    const int phase = atomic_load_explicit(&barrier->phase, memory_order_acquire);
    if (atomic_fetch_add_explicit(&barrier->arrived, 1, memory_order_acq_rel) ==
        barrier->count - 1) {
        atomic_store_explicit(&barrier->arrived, 0, memory_order_relaxed);
        atomic_store_explicit(&barrier->phase, phase + 1, memory_order_release);
        return;
    }
    for (int spins = 0; atomic_load_explicit(&barrier->phase, memory_order_acquire) == phase;
         spins++) {
        if (spins < 2000) {
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
        } else {
            sched_yield();
        }
    }
#else
    (void)barrier;
#endif
}

/*
 * What every team of threads starts with; a type's team embeds it first.
 * A team is not always faster than one thread: its threads exchange the
 * first layer's units twice a mini-batch (a cost that depends on the
 * machine: cores that share a cache or not), and on a machine busy with
 * other work they may not get a core, which leaves the others waiting at
 * every barrier. So thread 0 trains the first mini-batches of a call alone,
 * clocked, and judges the team by windows of mini-batches: slower than it
 * was alone (the first window), or waiting more than half the time (any
 * window), and thread 0 finishes the call alone (`solo`). The numbers do
 * not depend on any of this.
 */
typedef struct {
    Barrier barrier;
    int threads;
    void (*member)(void *team, int t);
    int solo;               /* set by thread 0 between the barriers */
    double alone_seconds;   /* thread 0's seconds a mini-batch alone; < 0 untimed */
    double window_start;    /* when thread 0's current window began */
    double waited;          /* thread 0's seconds at the barriers in it */
    int64_t window, window_batches, windows;
} TeamBase;

/*
 * Samples in a window of thread 0's judgment and in its first mini-batches
 * alone: long enough (a few milliseconds) that the team's start (a new
 * thread, the units' cache lines moving to its core) does not decide. The
 * tests count both in mini-batches instead, and may make the team go solo
 * after its first window whatever it measured (team_tuning).
 */
#define TEAM_SAMPLES 4096
static int tuned = 0, solo_always = 0;
static int64_t tuned_window, tuned_probe; /* in mini-batches, when tuned */

/* The judgment's window, or the probe, in mini-batches of `batch_size` samples. */
static int64_t team_batches(int64_t tuned_batches, int64_t batch_size)
{
    return tuned ? tuned_batches : (TEAM_SAMPLES + batch_size - 1) / batch_size;
}

static double seconds_now(void)
{
#if HAVE_THREADS
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
#else
    return 0.0;
#endif
}

/* The team's barrier; thread 0 adds its wait to the window's. */
static void team_barrier(TeamBase *team, int t)
{
    if (t != 0) {
        barrier_wait(&team->barrier);
        return;
    }
    const double start = seconds_now();
    barrier_wait(&team->barrier);
    team->waited += seconds_now() - start;
}

/*
 * Thread 0, between the barriers, once per mini-batch: whether the team goes
 * on, or thread 0 finishes the call alone: after the first window when the
 * team took longer per mini-batch than thread 0 alone, after any when
 * thread 0 waited for more than half of the window's time.
 */
static void judge_team(TeamBase *team)
{
    if (++team->window_batches < team->window)
        return;
    const double now = seconds_now(), elapsed = now - team->window_start;
    const int slower = team->windows == 0 && team->alone_seconds >= 0 &&
                       elapsed >= team->alone_seconds * (double)team->window_batches;
    if (solo_always || slower || 2 * team->waited > elapsed)
        team->solo = 1;
    team->windows++;
    team->window_start = now;
    team->waited = 0.0;
    team->window_batches = 0;
}

#if HAVE_THREADS
typedef struct {
    TeamBase *team;
    int t;
    atomic_int *go;
} Seat;

static void *seat_main(void *argument)
{
    Seat *seat = argument;
    while (!atomic_load_explicit(seat->go, memory_order_acquire))
        sched_yield();
    seat->team->member(seat->team, seat->t);
    return NULL;
}
#endif

/*
 * Run member(team, t) on `threads` threads (the caller's is t = 0) and wait for
 * all. Threads that cannot be started are done without: the team is sized,
 * and its barrier counted, only once the others run.
 */
static void run_team(TeamBase *team, int threads, void (*member)(void *team, int t))
{
    team->member = member;
    team->solo = 0;
    team->alone_seconds = -1.0;
    team->window_start = seconds_now();
    team->waited = 0.0;
    team->window_batches = team->windows = 0;
    int started = 0;
#if HAVE_THREADS
    pthread_t ids[MAX_THREADS];
    Seat seats[MAX_THREADS];
    atomic_int go;
    atomic_init(&go, 0);
    for (int t = 1; t < threads && t < MAX_THREADS; t++) {
        seats[t] = (Seat){team, t, &go};
        if (pthread_create(&ids[t], NULL, seat_main, &seats[t]) != 0)
            break;
        started++;
    }
    atomic_init(&team->barrier.arrived, 0);
    atomic_init(&team->barrier.phase, 0);
#endif
    team->threads = started + 1;
    team->barrier.count = team->threads;
#if HAVE_THREADS
    atomic_store_explicit(&go, 1, memory_order_release);
#endif
    member(team, 0);
#if HAVE_THREADS
    for (int t = 1; t <= started; t++)
        pthread_join(ids[t], NULL);
#endif
}

/* ------------------------------------------------------------------------ */
/* The kernels, float64 then float32                                        */
/* ------------------------------------------------------------------------ */

typedef double vec_f64 __attribute__((vector_size(VEC_BYTES)));
typedef int64_t vint_f64 __attribute__((vector_size(VEC_BYTES)));
typedef float vec_f32 __attribute__((vector_size(VEC_BYTES)));
typedef int32_t vint_f32 __attribute__((vector_size(VEC_BYTES)));

/* 1/k! for k = 0..13: the first neglected term of e^r, |r| <= ln(2)/2, is 6e-18. */
static const double EXP_F64[14] = {
    1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320,
    1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800.0};
/* 1/(2k + 1), the series of atanh: k = 0..11 in float64, 0..5 in float32. */
static const double LOG_F64[12] = {
    1.0, 1.0 / 3, 1.0 / 5, 1.0 / 7, 1.0 / 9, 1.0 / 11, 1.0 / 13, 1.0 / 15, 1.0 / 17,
    1.0 / 19, 1.0 / 21, 1.0 / 23};
static const float LOG_F32[6] = {1.0f, 1.0f / 3, 1.0f / 5, 1.0f / 7, 1.0f / 9, 1.0f / 11};
/* k = 0..7 in float32: the first neglected term is 5e-9, a tenth of an ulp. */
static const float EXP_F32[8] = {
    1.0f, 1.0f, 1.0f / 2, 1.0f / 6, 1.0f / 24, 1.0f / 120, 1.0f / 720, 1.0f / 5040};

#define REAL double
#define VEC vec_f64
#define VINT vint_f64
#define F(name) name##_f64
#define EXP_COEFFICIENTS EXP_F64
#define EXP_DEGREE 13
#define LOG_COEFFICIENTS LOG_F64
#define LOG_DEGREE 11
/* Below -746 e^x rounds to 0, above 710 to infinity: clamping there changes nothing. */
#define EXP_LOWEST -746.0
#define EXP_HIGHEST 710.0
#define ROUNDER 6755399441055744.0 /* 1.5 * 2^52 */
#define LN2_HI 6.93147180369123816490e-01 /* ln 2 with 21 trailing zero bits */
#define LN2_LO 1.90821492927058770002e-10
#define EXPONENT_BIAS 1023
#define MANTISSA_BITS 52
#define TANH_FN tanh
#define SQRT_FN sqrt
#include "_ckernel_body.h"
#undef REAL
#undef VEC
#undef VINT
#undef F
#undef EXP_COEFFICIENTS
#undef EXP_DEGREE
#undef LOG_COEFFICIENTS
#undef LOG_DEGREE
#undef EXP_LOWEST
#undef EXP_HIGHEST
#undef ROUNDER
#undef LN2_HI
#undef LN2_LO
#undef EXPONENT_BIAS
#undef MANTISSA_BITS
#undef TANH_FN
#undef SQRT_FN

#define REAL float
#define VEC vec_f32
#define VINT vint_f32
#define F(name) name##_f32
#define EXP_COEFFICIENTS EXP_F32
#define EXP_DEGREE 7
#define LOG_COEFFICIENTS LOG_F32
#define LOG_DEGREE 5
#define EXP_LOWEST -104.0f
#define EXP_HIGHEST 89.0f
#define ROUNDER 12582912.0f /* 1.5 * 2^23 */
#define LN2_HI 0.693145751953125f /* ln 2 with 12 trailing zero bits */
#define LN2_LO 1.428606765330187045e-06f
#define EXPONENT_BIAS 127
#define MANTISSA_BITS 23
#define TANH_FN tanhf
#define SQRT_FN sqrtf
#include "_ckernel_body.h"

/* ------------------------------------------------------------------------ */
/* Checks of the arguments                                                  */
/* ------------------------------------------------------------------------ */

/* The buffers of train(), in the order of its arguments. */
enum {
    B_SPEC, B_HYPER, B_PARAMS, B_VELOCITY, B_FIRST, B_SECOND, B_STEP, B_DENSE, B_DATA,
    B_INDICES, B_INDPTR, B_TARGETS, B_ORDER, B_SCALES, B_MASKS, B_COSTS, B_OUTPUTS, N_BUFFERS
};
static const char *const BUFFER_NAMES[N_BUFFERS] = {
    "spec", "hyper", "params", "velocity", "first_moment", "second_moment", "step", "dense",
    "data", "indices", "indptr", "targets", "order", "scales", "masks", "costs", "outputs"};
static const int WRITABLE[N_BUFFERS] = {
    [B_PARAMS] = 1, [B_VELOCITY] = 1, [B_FIRST] = 1, [B_SECOND] = 1, [B_STEP] = 1,
    [B_COSTS] = 1, [B_OUTPUTS] = 1};

static int fail(const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    PyErr_FormatV(PyExc_ValueError, format, arguments);
    va_end(arguments);
    return -1;
}

/* The buffer must hold exactly `count` items of `size` bytes, aligned. */
static int check_length(const Py_buffer *view, int which, int64_t count, int64_t size)
{
    if (count < 0 || view->len != count * size)
        return fail("%s holds %zd bytes; the kernel needs %lld items of %lld bytes",
                    BUFFER_NAMES[which], view->len, (long long)count, (long long)size);
    if (((uintptr_t)view->buf) % (uintptr_t)size != 0)
        return fail("%s is not aligned to its items", BUFFER_NAMES[which]);
    return 0;
}

static int in_range(int64_t value, int64_t low, int64_t high)
{
    return value >= low && value <= high;
}

/* Read spec and hyper into job, checking every code and size. */
static int read_spec(Job *job, const Py_buffer *spec_view, const Py_buffer *hyper_view)
{
    if (spec_view->len % 8 != 0 || spec_view->len < 8 * N_SPEC || (uintptr_t)spec_view->buf % 8)
        return fail("spec must be int64 with at least %d entries", N_SPEC);
    const int64_t *spec = spec_view->buf;
    const int64_t length = spec_view->len / 8;
    if (!in_range(spec[S_DTYPE], 0, 1) || !in_range(spec[S_LAYERS], 1, MAX_LAYERS))
        return fail("spec: dtype must be 0 or 1 and n_layers in 1..%d", MAX_LAYERS);
    const int n_layers = (int)spec[S_LAYERS];
    if (length != N_SPEC + 2 * n_layers + 1)
        return fail("spec has %lld entries; %d layers need %d", (long long)length, n_layers,
                    N_SPEC + 2 * n_layers + 1);
    if (!in_range(spec[S_COST], 0, N_COSTS - 1) || !in_range(spec[S_PENALTY], 0, N_PENALTIES - 1) ||
        !in_range(spec[S_OPTIMIZER], 0, N_OPTIMIZERS - 1) || !in_range(spec[S_SPARSE], 0, 1) ||
        !in_range(spec[S_WEIGHTED], 0, 1) || !in_range(spec[S_DROPOUT], 0, 1) ||
        !in_range(spec[S_PATH], PATH_AUTO, PATH_PADDED) ||
        !in_range(spec[S_THREADS], 1, MAX_THREADS) || !in_range(spec[S_LEARN], 0, 1))
        return fail("spec: a plugin code or flag is out of range");
    if (!spec[S_LEARN] && spec[S_DROPOUT])
        return fail("spec: the forward passes alone take no dropout masks");
    if (!in_range(spec[S_ROWS], 0, MAX_ROWS) || !in_range(spec[S_START], 0, MAX_ROWS) ||
        !in_range(spec[S_STOP], spec[S_START], MAX_ROWS) || !in_range(spec[S_BATCH], 1, MAX_SIZE))
        return fail("spec: need 0 <= start <= stop and 1 <= batch_size <= %lld",
                    (long long)MAX_SIZE);
    job->dtype = (int)spec[S_DTYPE];
    job->n_layers = n_layers;
    job->cost = (int)spec[S_COST];
    job->penalty = (int)spec[S_PENALTY];
    job->optimizer = (int)spec[S_OPTIMIZER];
    job->sparse = (int)spec[S_SPARSE];
    job->weighted = (int)spec[S_WEIGHTED];
    job->dropout = (int)spec[S_DROPOUT];
    job->path = (int)spec[S_PATH];
    job->threads = (int)spec[S_THREADS];
    job->learn = (int)spec[S_LEARN];
    job->n_rows = spec[S_ROWS];
    job->start = spec[S_START];
    job->stop = spec[S_STOP];
    job->batch_size = spec[S_BATCH];
    job->hidden_units = 0;
    for (int l = 0; l <= n_layers; l++) {
        job->sizes[l] = spec[N_SPEC + l];
        if (!in_range(job->sizes[l], 1, MAX_SIZE))
            return fail("spec: layer sizes must lie in 1..%lld", (long long)MAX_SIZE);
        if (l > 0 && l < n_layers)
            job->hidden_units += job->sizes[l];
    }
    for (int l = 0; l < n_layers; l++) {
        int64_t code = spec[N_SPEC + n_layers + 1 + l];
        if (!in_range(code, 0, N_ACTIVATIONS - 1))
            return fail("spec: activation code %lld is out of range", (long long)code);
        job->activations[l] = (int)code;
    }
    job->n_out = job->sizes[n_layers];
    if (hyper_view->len != 8 * N_HYPER || (uintptr_t)hyper_view->buf % 8)
        return fail("hyper must be %d float64", N_HYPER);
    memcpy(job->hyper, hyper_view->buf, sizeof job->hyper);
    return 0;
}

/* Every array's length against the spec, and every row the call will visit. */
static int check_arrays(Job *job, Py_buffer *views)
{
    const int64_t size = job->dtype == 0 ? 8 : 4;
    const int64_t n_params = parameter_count(job), n_in = job->sizes[0];
    const int64_t n_rows = job->n_rows, n_out = job->n_out;
    /* The forward passes alone take no optimizer state. */
    const int momentum = job->learn && (job->optimizer == MOMENTUM || job->optimizer == NESTEROV);
    const int adam = job->learn && job->optimizer == ADAM;
    int64_t nnz = 0;
    if (check_length(&views[B_PARAMS], B_PARAMS, n_params, size) ||
        check_length(&views[B_VELOCITY], B_VELOCITY, momentum ? n_params : 0, size) ||
        check_length(&views[B_FIRST], B_FIRST, adam ? n_params : 0, size) ||
        check_length(&views[B_SECOND], B_SECOND, adam ? n_params : 0, size) ||
        check_length(&views[B_STEP], B_STEP, adam ? 1 : 0, sizeof(double)) ||
        check_length(&views[B_TARGETS], B_TARGETS, n_rows * n_out, size) ||
        check_length(&views[B_SCALES], B_SCALES, job->weighted ? n_rows : 0, size) ||
        check_length(&views[B_MASKS], B_MASKS,
                     job->dropout ? (job->stop - job->start) * job->hidden_units : 0, size))
        return -1;
    if (job->sparse) {
        nnz = views[B_DATA].len / size;
        if (check_length(&views[B_DENSE], B_DENSE, 0, size) ||
            check_length(&views[B_DATA], B_DATA, nnz, size) ||
            check_length(&views[B_INDICES], B_INDICES, nnz, 4) ||
            check_length(&views[B_INDPTR], B_INDPTR, n_rows + 1, 8))
            return -1;
    } else if (check_length(&views[B_DENSE], B_DENSE, n_rows * n_in, size) ||
               check_length(&views[B_DATA], B_DATA, 0, size) ||
               check_length(&views[B_INDICES], B_INDICES, 0, 4) ||
               check_length(&views[B_INDPTR], B_INDPTR, 0, 8)) {
        return -1;
    }
    const int64_t positions = views[B_ORDER].len / 8;
    if (check_length(&views[B_ORDER], B_ORDER, positions, 8) ||
        check_length(&views[B_COSTS], B_COSTS, positions, 8) ||
        (views[B_OUTPUTS].len != 0 &&
         check_length(&views[B_OUTPUTS], B_OUTPUTS, positions * n_out, size)))
        return -1;
    if (job->stop > positions)
        return fail("stop is %lld, past the %lld positions of order", (long long)job->stop,
                    (long long)positions);
    if (job->dropout && job->hidden_units == 0)
        return fail("dropout needs a hidden layer");
    job->params = views[B_PARAMS].buf;
    job->velocity = views[B_VELOCITY].buf;
    job->first_moment = views[B_FIRST].buf;
    job->second_moment = views[B_SECOND].buf;
    job->step = views[B_STEP].buf;
    job->dense = views[B_DENSE].buf;
    job->data = views[B_DATA].buf;
    job->indices = views[B_INDICES].buf;
    job->indptr = views[B_INDPTR].buf;
    job->targets = views[B_TARGETS].buf;
    job->order = views[B_ORDER].buf;
    job->scales = views[B_SCALES].buf;
    job->masks = views[B_MASKS].buf;
    job->costs = views[B_COSTS].buf;
    job->outputs = views[B_OUTPUTS].len != 0 ? views[B_OUTPUTS].buf : NULL;
    for (int64_t position = job->start; position < job->stop; position++) {
        const int64_t row = job->order[position];
        if (row < 0 || row >= n_rows)
            return fail("order[%lld] = %lld is not a row of the %lld samples",
                        (long long)position, (long long)row, (long long)n_rows);
        if (job->sparse) {
            const int64_t begin = job->indptr[row], end = job->indptr[row + 1];
            if (begin < 0 || begin > end || end > nnz)
                return fail("indptr of row %lld points outside the %lld non-zeros",
                            (long long)row, (long long)nnz);
        }
    }
    return 0;
}

static void release(Py_buffer *views, int count)
{
    for (int i = 0; i < count; i++)
        PyBuffer_Release(&views[i]);
}

static PyObject *train(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (nargs != N_BUFFERS)
        return PyErr_Format(PyExc_TypeError, "train takes %d arrays, got %zd", N_BUFFERS, nargs);
    Py_buffer views[N_BUFFERS];
    for (int i = 0; i < N_BUFFERS; i++) {
        /* PyBUF_SIMPLE: the exporter refuses arrays that are not contiguous. */
        int flags = WRITABLE[i] ? PyBUF_WRITABLE : PyBUF_SIMPLE;
        if (PyObject_GetBuffer(args[i], &views[i], flags) != 0) {
            release(views, i);
            PyErr_Format(PyExc_ValueError, "%s must be a contiguous%s array",
                         BUFFER_NAMES[i], WRITABLE[i] ? ", writable" : "");
            return NULL;
        }
    }
    Job job;
    memset(&job, 0, sizeof job);
    if (read_spec(&job, &views[B_SPEC], &views[B_HYPER]) != 0 || check_arrays(&job, views) != 0) {
        release(views, N_BUFFERS);
        return NULL;
    }
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = job.dtype == 0 ? train_f64(&job) : train_f32(&job);
    Py_END_ALLOW_THREADS
    release(views, N_BUFFERS);
    if (status == STATUS_OUTSIDE)
        return PyErr_Format(PyExc_ValueError,
                            "the sparse input has column indices outside [0, %lld): it changed "
                            "in place after the fit checked it (by a callback?); the weights "
                            "this call trained are not to be trusted",
                            (long long)job.sizes[0]);
    if (status < 0)
        return PyErr_NoMemory();
    return PyLong_FromLong(status); /* the threads that trained */
}

/* Whether a float's bits are those of NaN or an infinity: its exponent all ones. */
static ALWAYS_INLINE uint32_t not_finite_f32(uint32_t bits)
{
    return (~bits & 0x7f800000u) == 0;
}

static ALWAYS_INLINE uint32_t not_finite_f64(uint64_t bits)
{
    return (~bits & 0x7ff0000000000000u) == 0;
}

/*
 * One block of csr_problem's stream, p in [begin, end): whether an index lies outside
 * [0, limit), the falls from one index to the next, and (values: 0 none, 1 float32, 2
 * float64; a constant at each call, so that each loop vectorizes alone) whether a stored
 * value is not finite. Counted in 32 bits: 64-bit counts halve the vectors' width.
 */
static ALWAYS_INLINE uint32_t csr_block(const int32_t *indices, const void *data, int values,
                                        int64_t begin, int64_t end, uint32_t limit,
                                        uint32_t *outside, uint32_t *not_finite)
{
    uint32_t counted = 0, out = 0, bad = 0;
    const uint32_t *bits32 = data;
    const uint64_t *bits64 = data;
    for (int64_t p = begin; p < end; p++) {
        out |= (uint32_t)indices[p] >= limit;
        counted += indices[p] <= indices[p - 1];
        if (values == 1)
            bad |= not_finite_f32(bits32[p]);
        else if (values == 2)
            bad |= not_finite_f64(bits64[p]);
    }
    *outside |= out;
    *not_finite |= bad;
    return counted;
}

/*
 * See check_csr. The indices are scanned as one stream, as a reduction the compiler
 * vectorizes (a loop per row paid its start and end at each of MNIST's 50,000 rows): a
 * fall from one index to the next is allowed only where a row starts, so the rows are
 * sorted when the stream's falls are those at the starts of rows. The values, when
 * given, are read in the same pass: one stream of each array instead of two passes.
 */
static long csr_problem(const int64_t *indptr, const int32_t *indices, const void *data,
                        int values, int64_t rows, int64_t nnz, long long n_cols)
{
    if (indptr[0] != 0 || indptr[rows] != nnz)
        return 1;
    uint32_t down = 0;
    for (int64_t r = 0; r < rows; r++)
        down |= indptr[r] > indptr[r + 1];
    if (down)
        return 1; /* rising from 0 to nnz, every row lies within the indices */
    /* Unsigned, in 32 bits: a negative index compares as one past 2**31 - 1, the most
     * columns int32 indices can reach. */
    const uint32_t limit = n_cols < ((long long)1 << 31) ? (uint32_t)n_cols : (uint32_t)1 << 31;
    uint32_t outside = nnz > 0 && (uint32_t)indices[0] >= limit, not_finite = 0;
    if (nnz > 0 && values == 1)
        not_finite = not_finite_f32(((const uint32_t *)data)[0]);
    else if (nnz > 0 && values == 2)
        not_finite = not_finite_f64(((const uint64_t *)data)[0]);
    int64_t falls = 0;
    for (int64_t block = 1; block < nnz; block += (int64_t)1 << 20) {
        const int64_t end = nnz - block > ((int64_t)1 << 20) ? block + ((int64_t)1 << 20) : nnz;
        if (values == 1)
            falls += csr_block(indices, data, 1, block, end, limit, &outside, &not_finite);
        else if (values == 2)
            falls += csr_block(indices, data, 2, block, end, limit, &outside, &not_finite);
        else
            falls += csr_block(indices, data, 0, block, end, limit, &outside, &not_finite);
    }
    if (outside)
        return 2;
    /* Each position where a row starts, counted once (empty rows share it). */
    for (int64_t r = 1; r < rows; r++) {
        const int64_t p = indptr[r];
        if (p != indptr[r - 1] && p < nnz)
            falls -= indices[p] <= indices[p - 1];
    }
    return falls ? 3 : not_finite ? 4 : 0;
}

/*
 * check_csr(indptr, indices, n_cols[, data, dtype]): whether CSR arrays are canonical:
 * indptr runs from 0 to nnz without going down, and each row's column indices rise
 * strictly and lie in [0, n_cols). Returns 0, or 1 for a bad indptr, 2 for an index out
 * of range, 3 for indices unsorted or repeated within a row. With the stored values too
 * (dtype 0: float64, 1: float32; as many as the indices), 4 for canonical arrays that
 * hold a value that is NaN or infinite.
 */
static PyObject *check_csr(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer indptr_view, indices_view, data_view = {0};
    long long n_cols;
    int dtype = -1;
    if (!PyArg_ParseTuple(args, "y*y*L|y*i", &indptr_view, &indices_view, &n_cols, &data_view,
                          &dtype))
        return NULL;
    const int has_data = data_view.obj != NULL;
    const Py_ssize_t width = dtype == 0 ? 8 : dtype == 1 ? 4 : 0;
    long code = 0;
    if (has_data && (width == 0 || data_view.len != indices_view.len / 4 * width ||
                     (uintptr_t)data_view.buf % width)) {
        PyBuffer_Release(&indptr_view);
        PyBuffer_Release(&indices_view);
        PyBuffer_Release(&data_view);
        return PyErr_Format(PyExc_ValueError,
                            "check_csr: data must hold one aligned float64 (dtype 0) or "
                            "float32 (dtype 1) per index");
    }
    if (indptr_view.len % 8 || indices_view.len % 4 || indptr_view.len < 8 ||
        (uintptr_t)indptr_view.buf % 8 || (uintptr_t)indices_view.buf % 4) {
        code = 1;
    } else {
        const int64_t *indptr = indptr_view.buf;
        const int32_t *indices = indices_view.buf;
        const int64_t rows = indptr_view.len / 8 - 1, nnz = indices_view.len / 4;
        const int values = !has_data ? 0 : dtype == 1 ? 1 : 2;
        Py_BEGIN_ALLOW_THREADS
        code = n_cols < 0 ? 2 : csr_problem(indptr, indices, data_view.buf, values, rows, nnz, n_cols);
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&indptr_view);
    PyBuffer_Release(&indices_view);
    if (has_data)
        PyBuffer_Release(&data_view);
    return PyLong_FromLong(code);
}

/*
 * dense_csr(dense, n_cols, dtype, indptr, data, indices): the rows of a C-contiguous dense
 * matrix (dtype 0: float64, 1: float32) as CSR. With data and indices empty, fills indptr
 * (int64, n_rows + 1) with the rows' bounds and returns the number of non-zero entries;
 * then, with data and indices of that length, fills them (checking each row's count
 * against indptr). Entries equal to 0 (either sign) are left out, as the kernels' dense
 * input path leaves them out, so that training on either gives the same numbers.
 */
static PyObject *dense_csr(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer dense, indptr, data, indices;
    long long n_cols;
    int dtype;
    if (!PyArg_ParseTuple(args, "y*Liw*w*w*", &dense, &n_cols, &dtype, &indptr, &data,
                          &indices))
        return NULL;
    const Py_ssize_t size = dtype == 0 ? 8 : 4;
    const int64_t rows = n_cols > 0 ? dense.len / size / n_cols : 0;
    const int filling = data.len > 0 || indices.len > 0;
    int64_t nnz = 0;
    int status = (dtype == 0 || dtype == 1) && in_range(n_cols, 1, INT32_MAX) &&
                 dense.len % (n_cols * size) == 0 && indptr.len == 8 * (rows + 1) &&
                 (uintptr_t)dense.buf % (uintptr_t)size == 0 && (uintptr_t)indptr.buf % 8 == 0 &&
                 (uintptr_t)data.buf % (uintptr_t)size == 0 && (uintptr_t)indices.buf % 4 == 0
                 ? 0 : -3;
    int64_t *bounds = indptr.buf;
    if (status == 0 && filling) {
        nnz = bounds[rows];
        int sound = bounds[0] == 0 && data.len == nnz * size && indices.len == nnz * 4;
        for (int64_t r = 0; r < rows && sound; r++)
            sound = bounds[r] <= bounds[r + 1] && bounds[r + 1] - bounds[r] <= n_cols;
        status = sound ? 0 : -3;
    }
    if (status == 0) {
        Py_BEGIN_ALLOW_THREADS
        if (!filling) {
            if (dtype == 0)
                count_nonzeros_f64(dense.buf, rows, n_cols, bounds + 1);
            else
                count_nonzeros_f32(dense.buf, rows, n_cols, bounds + 1);
            bounds[0] = 0;
            for (int64_t r = 0; r < rows; r++)
                bounds[r + 1] += bounds[r];
            nnz = bounds[rows];
        } else if (dtype == 0) {
            status = fill_csr_f64(dense.buf, rows, n_cols, bounds, data.buf, indices.buf);
        } else {
            status = fill_csr_f32(dense.buf, rows, n_cols, bounds, data.buf, indices.buf);
        }
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&dense);
    PyBuffer_Release(&indptr);
    PyBuffer_Release(&data);
    PyBuffer_Release(&indices);
    if (status == -2)
        return PyErr_NoMemory();
    if (status == -1)
        return PyErr_Format(PyExc_ValueError, "dense_csr: a row's count differs from indptr");
    if (status < 0)
        return PyErr_Format(PyExc_ValueError, "dense_csr: arrays that do not fit");
    return PyLong_FromLongLong(nnz);
}

/* e^x in place on a float64 (dtype 0) or float32 (dtype 1) array: the kernels' own exp, for tests. */
static PyObject *vector_exp(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer view;
    int dtype;
    if (!PyArg_ParseTuple(args, "w*i", &view, &dtype))
        return NULL;
    const Py_ssize_t size = dtype == 0 ? 8 : 4;
    if ((dtype != 0 && dtype != 1) || view.len % size || (uintptr_t)view.buf % (uintptr_t)size) {
        PyBuffer_Release(&view);
        return PyErr_Format(PyExc_ValueError, "exp needs an aligned float64 or float32 array");
    }
    if (dtype == 0)
        exp_array_f64(view.buf, view.buf, view.len / size, 0);
    else
        exp_array_f32(view.buf, view.buf, view.len / size, 0);
    PyBuffer_Release(&view);
    Py_RETURN_NONE;
}

/*
 * Each row's cost (cost code, dtype 0: float64, 1: float32) of outputs and targets of n_out
 * columns into a float64 array: the kernels' own row_costs, for tests.
 */
static PyObject *sample_costs(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer outputs, targets, costs;
    int cost, dtype;
    long long n_out;
    if (!PyArg_ParseTuple(args, "y*y*w*iiL", &outputs, &targets, &costs, &cost, &dtype, &n_out))
        return NULL;
    const Py_ssize_t size = dtype == 0 ? 8 : 4, rows = costs.len / 8;
    /* Lengths compared by division: a product of the claimed sizes could overflow. */
    int fits = (dtype == 0 || dtype == 1) && in_range(cost, 0, N_COSTS - 1) &&
               in_range(n_out, 1, MAX_SIZE) && costs.len % 8 == 0 &&
               outputs.len % (n_out * size) == 0 && outputs.len / (n_out * size) == rows &&
               targets.len == outputs.len && (uintptr_t)costs.buf % 8 == 0 &&
               (uintptr_t)outputs.buf % (uintptr_t)size == 0 &&
               (uintptr_t)targets.buf % (uintptr_t)size == 0;
    if (fits) {
        /* row_costs reads and writes whole vectors: copies padded to them. */
        const int64_t count = rows * n_out, padded = count + 64 / size;
        char *copies = aligned_zeros(3 * padded, size);
        if (copies == NULL) {
            fits = -1;
        } else {
            memcpy(copies, outputs.buf, (size_t)(count * size));
            memcpy(copies + padded * size, targets.buf, (size_t)(count * size));
            if (dtype == 0)
                row_costs_f64(cost, (double *)copies, (double *)copies + padded, DBL_MIN,
                              (double *)copies + 2 * padded, rows, n_out, costs.buf);
            else
                row_costs_f32(cost, (float *)copies, (float *)copies + padded, FLT_MIN,
                              (float *)copies + 2 * padded, rows, n_out, costs.buf);
            aligned_free(copies);
        }
    }
    PyBuffer_Release(&outputs);
    PyBuffer_Release(&targets);
    PyBuffer_Release(&costs);
    if (fits < 0)
        return PyErr_NoMemory();
    if (!fits)
        return PyErr_Format(PyExc_ValueError, "sample_costs: arrays that do not fit");
    Py_RETURN_NONE;
}

/* The widest build this CPU runs: 4 (x86-64-v4), 3 (x86-64-v3) or 0 (the baseline). */
static PyObject *cpu_level(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    long level = 0;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    /* The features of each level that the compiler may use (the OS saving AVX state included). */
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
        __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") &&
        __builtin_cpu_supports("popcnt"))
        level = 3;
    if (level == 3 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl"))
        level = 4;
#endif
    return PyLong_FromLong(level);
}

/*
 * team_tuning(window, probe, solo): the judgment's window and the mini-batches
 * thread 0 trains alone first, in mini-batches (at least 1, and 0 or more),
 * and whether the team goes solo after its first window whatever it
 * measured; team_tuning() restores the defaults (TEAM_SAMPLES samples each,
 * judged by time). For tests.
 */
static PyObject *team_tuning(PyObject *self, PyObject *args)
{
    (void)self;
    long long window = 0, probe = -1;
    int solo = 0;
    if (!PyArg_ParseTuple(args, "|LLp", &window, &probe, &solo))
        return NULL;
    tuned = PyTuple_GET_SIZE(args) > 0;
    if (tuned && (window < 1 || probe < 0))
        return PyErr_Format(PyExc_ValueError, "window must be >= 1 and probe >= 0");
    tuned_window = window;
    tuned_probe = probe;
    solo_always = tuned && solo;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"train", (PyCFunction)(void (*)(void))train, METH_FASTCALL,
     "Train on a range of mini-batches, in place (see _cengine.CTrainer)."},
    {"check_csr", check_csr, METH_VARARGS,
     "0 if CSR (indptr int64, indices int32) is canonical, else 1, 2 or 3; with its "
     "values (and their dtype, 0: float64, 1: float32), 4 if one is not finite."},
    {"dense_csr", dense_csr, METH_VARARGS,
     "The rows of a dense matrix as CSR: their bounds, then their entries."},
    {"exp", vector_exp, METH_VARARGS, "e^x in place (dtype 0: float64, 1: float32), for tests."},
    {"sample_costs", sample_costs, METH_VARARGS,
     "Each row's cost, as the kernels compute it; for tests."},
    {"cpu_level", cpu_level, METH_NOARGS, "The widest instruction set level this CPU runs."},
    {"team_tuning", team_tuning, METH_VARARGS,
     "Set the threads' judgment window, probe and forced solo (for tests)."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, STRINGIFY(MODULE), "The C engine's kernels.", -1, methods,
    NULL, NULL, NULL, NULL};

static int add_names(PyObject *dict, const char *kind, const char *const *names, int count)
{
    PyObject *table = PyDict_New();
    if (table == NULL)
        return -1;
    for (int i = 0; i < count; i++) {
        PyObject *code = PyLong_FromLong(i);
        if (code == NULL || PyDict_SetItemString(table, names[i], code) != 0) {
            Py_XDECREF(code);
            Py_DECREF(table);
            return -1;
        }
        Py_DECREF(code);
    }
    int status = PyDict_SetItemString(dict, kind, table);
    Py_DECREF(table);
    return status;
}

static PyObject *name_tuple(const char *const *names, int count)
{
    PyObject *tuple = PyTuple_New(count);
    for (int i = 0; tuple != NULL && i < count; i++) {
        PyObject *name = PyUnicode_FromString(names[i]);
        if (name == NULL) {
            Py_DECREF(tuple);
            return NULL;
        }
        PyTuple_SET_ITEM(tuple, i, name);
    }
    return tuple;
}

PyMODINIT_FUNC CONCAT(PyInit_, MODULE)(void)
{
    static const char *const activations[] = {"sigmoid", "tanh", "relu", "identity", "softmax"};
    static const char *const costs[] = {"quadratic", "cross_entropy", "log_likelihood"};
    static const char *const penalties[] = {"none", "l2", "l1"};
    static const char *const optimizers[] = {"sgd", "momentum", "nesterov", "adam"};
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    PyObject *codes = PyDict_New();
    if (codes == NULL || add_names(codes, "activation", activations, N_ACTIVATIONS) ||
        add_names(codes, "cost", costs, N_COSTS) ||
        add_names(codes, "regularizer", penalties, N_PENALTIES) ||
        add_names(codes, "optimizer", optimizers, N_OPTIMIZERS) ||
        PyModule_AddObject(m, "CODES", codes) != 0) {
        Py_XDECREF(codes);
        Py_DECREF(m);
        return NULL;
    }
    PyObject *hyper = name_tuple(HYPER_NAMES, N_HYPER), *spec = name_tuple(SPEC_NAMES, N_SPEC);
    if (hyper == NULL || PyModule_AddObject(m, "HYPER", hyper) != 0) {
        Py_XDECREF(hyper);
        Py_XDECREF(spec);
        Py_DECREF(m);
        return NULL;
    }
    if (spec == NULL || PyModule_AddObject(m, "SPEC", spec) != 0) {
        Py_XDECREF(spec);
        Py_DECREF(m);
        return NULL;
    }
    /* SPEC's reference is the module's now: a failure below releases only the module. */
    if (PyModule_AddIntConstant(m, "VECTOR_BYTES", VEC_BYTES) != 0 ||
        PyModule_AddIntConstant(m, "MAX_LAYERS", MAX_LAYERS) != 0 ||
        PyModule_AddIntConstant(m, "MAX_THREADS", HAVE_THREADS ? MAX_THREADS : 1) != 0 ||
        PyModule_AddIntConstant(m, "TEAM_SAMPLES", TEAM_SAMPLES) != 0 ||
        PyModule_AddIntConstant(m, "PADDED_MIN_SAMPLES", PADDED_MIN_SAMPLES) != 0 ||
        PyModule_AddIntConstant(m, "PATH_AUTO", PATH_AUTO) != 0 ||
        PyModule_AddIntConstant(m, "PATH_PLAIN", PATH_PLAIN) != 0 ||
        PyModule_AddIntConstant(m, "PATH_PADDED", PATH_PADDED) != 0) {
        Py_DECREF(m);
        return NULL;
    }
#ifdef SOURCE_DIGEST
    /* The digest of the sources built (setup.py): _cengine.load refuses kernels
     * older than the sources beside them. */
    if (PyModule_AddStringConstant(m, "SOURCE_DIGEST", STRINGIFY(SOURCE_DIGEST)) != 0) {
        Py_DECREF(m);
        return NULL;
    }
#endif
    return m;
}
