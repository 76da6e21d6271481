/*
 * The kernels for one floating type, included twice by _ckernel.c: once with
 * REAL = double, once with REAL = float. Before each inclusion _ckernel.c
 * defines REAL, VEC (a GCC vector of REAL, VEC_BYTES wide), VINT (the integer
 * vector of the same shape), F(name) (a name with the type's suffix) and the
 * constants of the exponential below.
 *
 * Every step reproduces the NumPy engine (sknielsen._network.Backprop, the
 * regularizer and the optimizer plugins) up to rounding; see _ckernel.c for
 * the layout of the arguments. Nothing here checks its inputs: train() in
 * _ckernel.c has checked every length, code and row index before calling.
 */

#define LANES ((int64_t)(VEC_BYTES / sizeof(REAL)))

/* ------------------------------------------------------------------------
 * Vectors. Loads and stores through memcpy are the unaligned ones; the
 * scratch rows are aligned, so their whole vectors are read directly.
 * ------------------------------------------------------------------------ */

static ALWAYS_INLINE VEC F(vload)(const REAL *p)
{
    VEC v;
    memcpy(&v, p, sizeof v);
    return v;
}

static ALWAYS_INLINE void F(vstore)(REAL *p, VEC v) { memcpy(p, &v, sizeof v); }

static ALWAYS_INLINE VEC F(vselect)(VINT mask, VEC yes, VEC no)
{
    return (VEC)(((VINT)yes & mask) | ((VINT)no & ~mask));
}

/*
 * e^x to about one unit in the last place, in vector registers, without libm
 * (whose exp is scalar) and without -ffast-math. x = n ln 2 + r with
 * |r| <= ln(2)/2 (Cody and Waite's two-part ln 2 makes n ln2_hi exact); e^r is
 * its Taylor polynomial, whose first neglected term is below half an ulp; 2^n
 * is built in the exponent bits as two factors 2^(n/2) 2^(n - n/2), so that
 * results between the smallest normal number and 0 are gradual (subnormal)
 * and results past the largest are infinite, as libm's. NaN stays NaN.
 */
static ALWAYS_INLINE VEC F(vexp)(VEC x)
{
    x = F(vselect)(x < EXP_LOWEST, (VEC){0} + EXP_LOWEST, x);
    x = F(vselect)(x > EXP_HIGHEST, (VEC){0} + EXP_HIGHEST, x);
    /* Adding 1.5 * 2^(mantissa bits) rounds to an integer held in the low bits. */
    VEC shifted = x * (REAL)1.4426950408889634074 + ROUNDER;
    VEC n = shifted - ROUNDER;
    VINT k = (VINT)shifted - (VINT)((VEC){0} + ROUNDER);
    VEC r = x - n * LN2_HI;
    r = r - n * LN2_LO;
    VEC p = (VEC){0} + EXP_COEFFICIENTS[EXP_DEGREE];
    for (int i = EXP_DEGREE - 1; i >= 0; i--)
        p = p * r + EXP_COEFFICIENTS[i];
    VINT half = k >> 1;
    VEC first = (VEC)((half + EXPONENT_BIAS) << MANTISSA_BITS);
    VEC second = (VEC)((k - half + EXPONENT_BIAS) << MANTISSA_BITS);
    return p * first * second;
}

/*
 * ln x for positive normal x (the clipped outputs of the costs) or NaN, to about an
 * ulp: x = m 2^e with m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh(s) with
 * s = (m - 1)/(m + 1), |s| < 0.172, a series in s^2 whose first neglected term is below
 * a tenth of an ulp.
 */
static ALWAYS_INLINE VEC F(vlog)(VEC x)
{
    const VINT one = (VINT){0} + 1, bits = (VINT)x;
    const VINT mantissa = bits & ((one << MANTISSA_BITS) - 1);
    VINT exponent = ((bits >> MANTISSA_BITS) & (2 * EXPONENT_BIAS + 1)) - EXPONENT_BIAS;
    VEC m = (VEC)(mantissa | (one * EXPONENT_BIAS << MANTISSA_BITS));
    const VINT large = m > (REAL)1.41421356237309504880;
    m = F(vselect)(large, m * (REAL)0.5, m);
    exponent -= large; /* a true comparison is -1 */
    /* The exponent as a REAL, through the rounding constant of vexp (|e| is small). */
    const VEC e = (VEC)((VINT)((VEC){0} + ROUNDER) + exponent) - ROUNDER;
    const VEC s = (m - 1) / (m + 1), s2 = s * s;
    VEC p = (VEC){0} + LOG_COEFFICIENTS[LOG_DEGREE];
    for (int i = LOG_DEGREE - 1; i >= 0; i--)
        p = p * s2 + LOG_COEFFICIENTS[i];
    const VEC result = e * LN2_HI + (2 * s * p + e * LN2_LO);
    return F(vselect)(x == x, result, x); /* NaN stays NaN */
}

/* ln(1 - c) for c in (0, 1) as log1p computes it: Goldberg's correction of ln(1 ⊖ c). */
static ALWAYS_INLINE VEC F(vlog1m)(VEC c)
{
    const VEC u = 1 - c, rounded = u - 1;
    return F(vselect)(rounded == 0, -c, F(vlog)(u) * (-c / rounded));
}

/* out[j] = e^(in[j] - shift) for j < n; in and out may be the same array. */
static void F(exp_array)(REAL *out, const REAL *in, int64_t n, REAL shift)
{
    int64_t j = 0;
    for (; j + LANES <= n; j += LANES)
        F(vstore)(out + j, F(vexp)(F(vload)(in + j) - shift));
    if (j < n) {
        REAL tail[LANES];
        memset(tail, 0, sizeof tail);
        memcpy(tail, in + j, (size_t)(n - j) * sizeof(REAL));
        F(vstore)(tail, F(vexp)(F(vload)(tail) - shift));
        memcpy(out + j, tail, (size_t)(n - j) * sizeof(REAL));
    }
}

/* a[j] = 1 / (1 + e^-z[j]) for j < n: scipy's expit, which the NumPy engine uses. */
static void F(sigmoid_array)(REAL *a, const REAL *z, int64_t n)
{
    int64_t j = 0;
    for (; j + LANES <= n; j += LANES)
        F(vstore)(a + j, (REAL)1 / ((REAL)1 + F(vexp)(-F(vload)(z + j))));
    if (j < n) {
        REAL tail[LANES];
        memset(tail, 0, sizeof tail);
        memcpy(tail, z + j, (size_t)(n - j) * sizeof(REAL));
        F(vstore)(tail, (REAL)1 / ((REAL)1 + F(vexp)(-F(vload)(tail))));
        memcpy(a + j, tail, (size_t)(n - j) * sizeof(REAL));
    }
}

/* ------------------------------------------------------------------------
 * Activations and costs on the n units of one sample's layer. Padding units
 * of the scratch rows (from n to the slot's width) are never written: they
 * stay 0, so whole-vector loops over a slot add nothing from them.
 * ------------------------------------------------------------------------ */

static void F(activate)(int code, const REAL *z, REAL *a, int64_t n)
{
    switch (code) {
    case SIGMOID:
        F(sigmoid_array)(a, z, n);
        break;
    case TANH:
        for (int64_t j = 0; j < n; j++)
            a[j] = TANH_FN(z[j]);
        break;
    case RELU:
        /* NumPy's maximum(z, 0): NaN stays NaN. */
        for (int64_t j = 0; j < n; j++)
            a[j] = z[j] < 0 ? 0 : z[j];
        break;
    case IDENTITY:
        memcpy(a, z, (size_t)n * sizeof(REAL));
        break;
    default: { /* SOFTMAX: subtracting the maximum keeps e^z finite. */
        REAL largest = z[0];
        for (int64_t j = 1; j < n; j++)
            largest = z[j] > largest ? z[j] : largest;
        F(exp_array)(a, z, n, largest);
        REAL total = 0;
        for (int64_t j = 0; j < n; j++)
            total += a[j];
        for (int64_t j = 0; j < n; j++)
            a[j] /= total;
    }
    }
}

/* delta <- delta * sigma'(z); softmax: delta times its Jacobian. */
static void F(activation_backward)(int code, REAL *delta, const REAL *z, const REAL *a, int64_t n)
{
    switch (code) {
    case SIGMOID:
        for (int64_t j = 0; j < n; j++)
            delta[j] *= ((REAL)1 - a[j]) * a[j];
        break;
    case TANH:
        for (int64_t j = 0; j < n; j++)
            delta[j] *= (REAL)1 - a[j] * a[j];
        break;
    case RELU:
        for (int64_t j = 0; j < n; j++)
            if (z[j] <= 0)
                delta[j] = 0;
        break;
    case IDENTITY:
        break;
    default: { /* SOFTMAX */
        REAL inner = 0;
        for (int64_t j = 0; j < n; j++)
            inner += delta[j] * a[j];
        for (int64_t j = 0; j < n; j++)
            delta[j] = (delta[j] - inner) * a[j];
    }
    }
}

/*
 * The largest REAL below 1, the costs' upper clipping bound: 1 - c is 2^-(MANTISSA_BITS + 1),
 * exactly, there. The lower bound, clip, is the smallest normal number: the cost plugins'
 * bounds, which move only outputs of 0 (and subnormals) and of 1.
 */
#define BELOW_ONE ((REAL)1 - (REAL)1 / (REAL)((int64_t)1 << (MANTISSA_BITS + 1)))

/* delta <- dC/da for one sample; clipping keeps the logarithms' gradients finite. */
static void F(cost_gradient)(int cost, const REAL *a, const REAL *y, REAL clip, REAL *delta,
                             int64_t n)
{
    for (int64_t j = 0; j < n; j++) {
        if (cost == QUADRATIC) {
            delta[j] = a[j] - y[j];
            continue;
        }
        REAL c = a[j] < clip ? clip : a[j];
        c = c > BELOW_ONE ? BELOW_ONE : c;
        delta[j] = cost == CROSS_ENTROPY ? (c - y[j]) / (c * ((REAL)1 - c)) : -y[j] / c;
    }
}

/* Whether every one of the count targets (rounded up to whole vectors) is 0 or 1. */
static int F(binary_targets)(const REAL *y, int64_t count)
{
    VINT other = (VINT){0};
    for (int64_t j = 0; j < count; j += LANES) {
        const VEC target = F(vload)(y + j);
        other |= (target != 0) & (target != 1);
    }
    for (int64_t lane = 0; lane < LANES; lane++)
        if (other[lane])
            return 0;
    return 1;
}

/*
 * Each of n_rows samples' cost, as the cost plugins' fn computes it in the network's dtype:
 * ½‖a − y‖², or the logarithms of the outputs clipped to [clip, BELOW_ONE]. The terms are
 * computed over all rows at once, in whole vectors (a sample at a time, each logarithm's
 * division would wait on the last): `terms` holds n_rows * n_out numbers rounded up to
 * whole vectors, and a and y are readable that far.
 *
 * Cross-entropy's y ln c + (1 - y) ln(1 - c) is exactly ln c where y is 1 and
 * ln(1 - c) where y is 0 (the other product is a signed 0, the logarithms finite):
 * with targets of 0 and 1 only, one logarithm per output, of c or of 1 - c.
 */
static void F(row_costs)(int cost, const REAL *a, const REAL *y, REAL clip, REAL *terms,
                         int64_t n_rows, int64_t n_out, double *costs)
{
    const int64_t count = n_rows * n_out;
    const int binary = cost == CROSS_ENTROPY && F(binary_targets)(y, count);
    for (int64_t j = 0; j < count; j += LANES) {
        const VEC output = F(vload)(a + j), target = F(vload)(y + j);
        VEC term;
        if (cost == QUADRATIC) {
            term = (output - target) * (output - target);
        } else {
            VEC c = F(vselect)(output < clip, (VEC){0} + clip, output);
            c = F(vselect)(c > BELOW_ONE, (VEC){0} + BELOW_ONE, c);
            if (binary) {
                const VINT one = target == 1;
                const VEC u = 1 - c, rounded = u - 1;
                const VEC ln = F(vlog)(F(vselect)(one, c, u));
                /* vlog1m's correction where y is 0. */
                const VEC ln1m = F(vselect)(rounded == 0, -c, ln * (-c / rounded));
                term = F(vselect)(one, ln, ln1m);
            } else {
                term = target * F(vlog)(c);
                if (cost == CROSS_ENTROPY)
                    term += (1 - target) * F(vlog1m)(c);
            }
        }
        F(vstore)(terms + j, term);
    }
    for (int64_t i = 0; i < n_rows; i++) {
        REAL sum = 0;
        for (int64_t j = 0; j < n_out; j++)
            sum += terms[i * n_out + j];
        costs[i] = cost == QUADRATIC ? (double)((REAL)0.5 * sum) : -(double)sum;
    }
}

static ALWAYS_INLINE REAL F(sign)(REAL w) { return w > 0 ? (REAL)1 : w < 0 ? (REAL)-1 : w; }

/* ------------------------------------------------------------------------
 * Scratch space, allocated once per call
 * ------------------------------------------------------------------------ */

typedef struct {
    Layout shape;       /* offsets of the layers, in numbers of REAL */
    REAL *z, *a, *kept; /* batch_size rows of shape.row numbers each */
    REAL *delta;
    REAL *grads;           /* laid out like params */
    int32_t *dense_index;  /* dense input: each sample's non-zero inputs */
    REAL *dense_value;
    const int32_t **index; /* each sample's non-zero inputs (CSR row or the above) */
    const REAL **value;
    int64_t *count;
    /* Where the five above point: one gather buffer, or two that threads alternate. */
    const int32_t **gathered_index[2];
    const REAL **gathered_value[2];
    int64_t *gathered_count[2];
    int32_t *dense_indices[2];
    REAL *dense_values[2];
    int padded;            /* whether the parameters are trained in their padded copy */
    REAL *padded_params;   /* that copy (shape.padded_*) */
    REAL *bias_grads;      /* the biases' gradient of the padded path, laid out as a row */
    REAL *first;           /* W1 as the first layer's loops read it: params or the copy */
    int64_t first_stride;  /* numbers per row of `first` */
    uint32_t first_rows;   /* W1's rows: the inputs */
    int outside;           /* whether a forward pass met a column index outside them */
    REAL *outputs;         /* each trained position's output, for its cost */
    REAL *cost_targets;    /* cost_rows rows of targets, in the order of the positions */
    REAL *cost_terms;      /* and their terms */
    int64_t cost_rows;
    void *blocks[10];      /* the allocations, to free */
} F(Work);

/* The rows of outputs whose costs are computed at once: about 4,096 numbers' worth. */
#define COST_NUMBERS 4096

static void F(work_free)(F(Work) *w)
{
    for (int i = 0; i < 10; i++)
        aligned_free(w->blocks[i]);
}

/* Point the gather's arrays at buffer `which` (0 or 1). */
static void F(use_buffer)(F(Work) *w, int which)
{
    w->index = w->gathered_index[which];
    w->value = w->gathered_value[which];
    w->count = w->gathered_count[which];
    w->dense_index = w->dense_indices[which];
    w->dense_value = w->dense_values[which];
}

/* Zeroed, aligned scratch with `buffers` (1 or 2) gather buffers; -1 when memory runs out. */
static int F(work_alloc)(F(Work) *w, const Job *job, int padded, int buffers)
{
    memset(w, 0, sizeof *w);
    w->padded = padded;
    w->first_rows = (uint32_t)job->sizes[0];
    layout(&w->shape, job, LANES);
    const Layout *s = &w->shape;
    const int64_t bs = job->batch_size, n_in = job->sizes[0];
    const int64_t rows = bs * s->row;
    w->blocks[0] = aligned_zeros(4 * rows, sizeof(REAL));
    w->blocks[1] = aligned_zeros(padded ? 0 : s->n_params, sizeof(REAL));
    /* Per buffer: bs index pointers, bs value pointers, bs counts. */
    w->blocks[2] = aligned_zeros(buffers * bs, 2 * sizeof(void *) + sizeof(int64_t));
    if (!w->blocks[0] || !w->blocks[1] || !w->blocks[2])
        return -1;
    if (!job->sparse) {
        w->blocks[3] = aligned_zeros(buffers * bs * n_in, sizeof(int32_t));
        w->blocks[4] = aligned_zeros(buffers * bs * n_in, sizeof(REAL));
        if (!w->blocks[3] || !w->blocks[4])
            return -1;
    }
    if (padded) {
        w->blocks[5] = aligned_zeros(s->padded_size, sizeof(REAL));
        w->blocks[6] = aligned_zeros(s->row, sizeof(REAL));
        if (!w->blocks[5] || !w->blocks[6])
            return -1;
    }
    /* Whole vectors past the last number: row_costs reads and writes that far. */
    const int64_t positions = job->stop - job->start;
    w->cost_rows = COST_NUMBERS / job->n_out > 1 ? COST_NUMBERS / job->n_out : 1;
    w->blocks[7] = aligned_zeros(positions * job->n_out + LANES, sizeof(REAL));
    w->blocks[8] = aligned_zeros(2 * (w->cost_rows * job->n_out + LANES), sizeof(REAL));
    if (!w->blocks[7] || !w->blocks[8])
        return -1;
    w->outputs = w->blocks[7];
    w->cost_targets = w->blocks[8];
    w->cost_terms = w->cost_targets + w->cost_rows * job->n_out + LANES;
    REAL *scratch = w->blocks[0];
    w->z = scratch;
    w->a = scratch + rows;
    w->kept = scratch + 2 * rows;
    w->delta = scratch + 3 * rows;
    w->grads = w->blocks[1];
    for (int b = 0; b < buffers; b++) {
        w->gathered_index[b] = (const int32_t **)w->blocks[2] + 3 * b * bs;
        w->gathered_value[b] = (const REAL **)(w->gathered_index[b] + bs);
        w->gathered_count[b] = (int64_t *)(w->gathered_value[b] + bs);
        if (!job->sparse) {
            w->dense_indices[b] = (int32_t *)w->blocks[3] + b * bs * n_in;
            w->dense_values[b] = (REAL *)w->blocks[4] + b * bs * n_in;
        }
    }
    F(use_buffer)(w, 0);
    w->padded_params = w->blocks[5];
    w->bias_grads = w->blocks[6];
    if (padded) {
        w->first = w->padded_params + s->padded_weight[0];
        w->first_stride = s->slot[0];
    } else {
        w->first = (REAL *)job->params + s->weight[0];
        w->first_stride = job->sizes[1];
    }
    return 0;
}

/* WT[j][k] = W[k][j]: the transpose of layer's padded weights, for the backward pass. */
static void F(transpose)(F(Work) *w, const Job *job, int layer)
{
    const Layout *s = &w->shape;
    const int64_t below = job->sizes[layer], n = job->sizes[layer + 1];
    const REAL *weights = w->padded_params + s->padded_weight[layer];
    REAL *transpose = w->padded_params + s->padded_transpose[layer];
    const int64_t stride = s->slot[layer], transposed_stride = s->slot[layer - 1];
    for (int64_t k = 0; k < below; k++)
        for (int64_t j = 0; j < n; j++)
            transpose[j * transposed_stride + k] = weights[k * stride + j];
}

/* Copy the parameters into their padded copy (with the transposes), or back. */
static void F(copy_padded)(F(Work) *w, const Job *job, int to_padded)
{
    const Layout *s = &w->shape;
    REAL *params = job->params;
    for (int layer = 0; layer < job->n_layers; layer++) {
        const int64_t below = job->sizes[layer], n = job->sizes[layer + 1];
        const size_t bytes = (size_t)n * sizeof(REAL);
        REAL *weights = params + s->weight[layer], *bias = params + s->bias[layer];
        REAL *padded = w->padded_params + s->padded_weight[layer];
        REAL *padded_bias = w->padded_params + s->padded_bias[layer];
        for (int64_t k = 0; k < below; k++) {
            if (to_padded)
                memcpy(padded + k * s->slot[layer], weights + k * n, bytes);
            else
                memcpy(weights + k * n, padded + k * s->slot[layer], bytes);
        }
        if (to_padded)
            memcpy(padded_bias, bias, bytes);
        else
            memcpy(bias, padded_bias, bytes);
        if (to_padded && layer > 0)
            F(transpose)(w, job, layer);
    }
}

/*
 * The non-zero inputs of a dense row into index and value, a vector at a time where
 * AVX-512 can compress one (whole vectors are stored: the lanes past the kept ones
 * are overwritten by the next). Returns how many; *done says how far it went.
 */
static ALWAYS_INLINE int64_t F(compress_nonzeros)(const REAL *x, int64_t n, int32_t *index,
                                                  REAL *value, int64_t *done)
{
    int64_t count = 0, k = 0;
#if defined(__AVX512F__) && defined(__AVX512VL__)
    if (sizeof(REAL) == 8) {
        const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        for (; k + 8 <= n; k += 8) {
            const __m512d v = _mm512_loadu_pd((const double *)x + k);
            const __mmask8 kept = _mm512_cmp_pd_mask(v, _mm512_setzero_pd(), _CMP_NEQ_UQ);
            _mm512_storeu_pd((double *)value + count, _mm512_maskz_compress_pd(kept, v));
            const __m256i where = _mm256_add_epi32(lanes, _mm256_set1_epi32((int)k));
            _mm256_storeu_si256((__m256i *)(index + count),
                                _mm256_maskz_compress_epi32(kept, where));
            count += __builtin_popcount(kept);
        }
    } else {
        const __m512i lanes =
            _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        for (; k + 16 <= n; k += 16) {
            const __m512 v = _mm512_loadu_ps((const float *)x + k);
            const __mmask16 kept = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_NEQ_UQ);
            _mm512_storeu_ps((float *)value + count, _mm512_maskz_compress_ps(kept, v));
            const __m512i where = _mm512_add_epi32(lanes, _mm512_set1_epi32((int)k));
            _mm512_storeu_si512((void *)(index + count), _mm512_maskz_compress_epi32(kept, where));
            count += __builtin_popcount(kept);
        }
    }
#else
    (void)x, (void)n, (void)index, (void)value;
#endif
    *done = k;
    return count;
}

/*
 * The non-zero entries of the dense row x (n numbers) into index and value, which hold n
 * numbers (each vector compressed is stored whole, at or before its own inputs' place);
 * returns how many.
 */
static int64_t F(row_nonzeros)(const REAL *x, int64_t n, int32_t *index, REAL *value)
{
    int64_t k = 0, count = F(compress_nonzeros)(x, n, index, value, &k);
    /* Branch-free: every input is written, only the non-zero ones are kept. */
    for (; k < n; k++) {
        index[count] = (int32_t)k;
        value[count] = x[k];
        count += x[k] != 0;
    }
    return count;
}

/* How many entries of each of the rows of a dense matrix are not zero: counts[r]. */
static void F(count_nonzeros)(const REAL *x, int64_t rows, int64_t n, int64_t *counts)
{
    for (int64_t r = 0; r < rows; r++) {
        const REAL *row = x + r * n;
        int64_t count = 0;
        for (int64_t k = 0; k < n; k++)
            count += row[k] != 0;
        counts[r] = count;
    }
}

/*
 * The dense rows as CSR into data and indices, whose rows indptr gives; -1 when a row's
 * non-zero entries are not as many as indptr says (the caller counted them), -2 when
 * memory runs out.
 */
static int F(fill_csr)(const REAL *x, int64_t rows, int64_t n, const int64_t *indptr,
                       REAL *data, int32_t *indices)
{
    int32_t *index = aligned_zeros(n, sizeof(int32_t));
    REAL *value = aligned_zeros(n, sizeof(REAL));
    int status = index == NULL || value == NULL ? -2 : 0;
    for (int64_t r = 0; r < rows && status == 0; r++) {
        const int64_t count = F(row_nonzeros)(x + r * n, n, index, value);
        if (count != indptr[r + 1] - indptr[r]) {
            status = -1;
            break;
        }
        memcpy(indices + indptr[r], index, (size_t)count * sizeof(int32_t));
        memcpy(data + indptr[r], value, (size_t)count * sizeof(REAL));
    }
    aligned_free(index);
    aligned_free(value);
    return status;
}

/* Record where the non-zero inputs of each sample of the mini-batch are. */
static void F(gather)(F(Work) *w, const Job *job, int64_t batch_start, int64_t m)
{
    const int64_t n_in = job->sizes[0], n_out = job->n_out;
    for (int64_t i = 0; i < m; i++) {
        int64_t row = job->order[batch_start + i];
        /*
         * The next mini-batch's rows, far apart in memory (shuffled): where they begin,
         * read by its gather and by this one's prefetch of them (prefetch_row), and their
         * targets (two cache lines, often), read by its backward pass. A mini-batch
         * ahead: the forward passes between stream W1's rows through the first cache.
         */
        const int64_t ahead = batch_start + m + i;
        if (ahead < job->stop) {
            const int64_t next = job->order[ahead];
            const REAL *targets = (const REAL *)job->targets + next * n_out;
            __builtin_prefetch(targets);
            __builtin_prefetch(targets + n_out - 1);
            if (job->sparse)
                __builtin_prefetch(job->indptr + next);
        }
        if (job->sparse) {
            int64_t begin = job->indptr[row];
            w->index[i] = job->indices + begin;
            w->value[i] = (const REAL *)job->data + begin;
            w->count[i] = job->indptr[row + 1] - begin;
            continue;
        }
        int32_t *index = w->dense_index + i * n_in;
        REAL *value = w->dense_value + i * n_in;
        w->count[i] = F(row_nonzeros)((const REAL *)job->dense + row * n_in, n_in, index, value);
        w->index[i] = index;
        w->value[i] = value;
    }
}

/* ------------------------------------------------------------------------
 * The first layer on its padded rows: NB vectors of hidden units stay in
 * registers while the sample's non-zero inputs stream past. nb is a
 * constant at every call (the switches below), so the loops over it unroll
 * and the accumulators live in registers.
 * ------------------------------------------------------------------------ */

/*
 * Each vector of units sums its products in a chain of dependent additions: one
 * chain per vector would leave the multiply-add units waiting for the last
 * result. Consecutive inputs go to SETS(nb) sets of accumulators in turn (as
 * many as the registers hold), added up at the end. The first layer takes
 * the number of sets of its whole width, whichever part of it a call (or a
 * thread) computes, so that every unit's sum is the same.
 */
#define SETS(nb) ((nb) * 4 <= MAX_BLOCK ? 4 : (nb) * 2 <= MAX_BLOCK ? 2 : 1)

static ALWAYS_INLINE void F(sum_sets)(VEC acc[4][MAX_BLOCK], REAL *out, const int nb,
                                      const int sets)
{
    for (int v = 0; v < nb; v++) {
        VEC total = acc[0][v];
        if (sets == 4)
            total = (total + acc[1][v]) + (acc[2][v] + acc[3][v]);
        else if (sets == 2)
            total += acc[1][v];
        ((VEC *)out)[v] = total;
    }
}

/*
 * Each column index is checked against W1's rows as it is read (inside()): the arrays
 * were checked when the fit began, but code that runs between calls (a callback) could
 * change them in place. An index outside reads row 0 instead and is reported (the call
 * then fails): one compare and a branch never taken, beside the row's cache lines.
 */
static ALWAYS_INLINE int F(forward_block)(const REAL *first, int64_t stride,
                                          const int32_t *index, const REAL *value,
                                          int64_t count, uint32_t limit, REAL *z, const int nb,
                                          const int sets)
{
    int outside = 0;
    VEC acc[4][MAX_BLOCK];
    for (int s = 0; s < sets; s++)
        for (int v = 0; v < nb; v++)
            acc[s][v] = (VEC){0};
    int64_t p = 0;
    for (; p + sets <= count; p += sets) {
        for (int s = 0; s < sets; s++) {
            const uint32_t k = inside((uint32_t)index[p + s], limit, &outside);
            const VEC *row = (const VEC *)(first + (int64_t)k * stride);
            const REAL x = value[p + s];
            for (int v = 0; v < nb; v++)
                acc[s][v] += x * row[v];
        }
    }
    for (; p < count; p++) {
        const uint32_t k = inside((uint32_t)index[p], limit, &outside);
        const VEC *row = (const VEC *)(first + (int64_t)k * stride);
        const REAL x = value[p];
        for (int v = 0; v < nb; v++)
            acc[0][v] += x * row[v];
    }
    F(sum_sets)(acc, z, nb, sets);
    return outside;
}

static ALWAYS_INLINE void F(update_block)(REAL *first, int64_t stride, const int32_t *index,
                                          const REAL *value, int64_t count, const REAL *delta,
                                          REAL coefficient, const int nb)
{
    VEC d[MAX_BLOCK];
    for (int v = 0; v < nb; v++)
        d[v] = ((const VEC *)delta)[v];
    for (int64_t p = 0; p < count; p++) {
        VEC *row = (VEC *)(first + (int64_t)index[p] * stride);
        REAL x = coefficient * value[p];
        for (int v = 0; v < nb; v++)
            row[v] += x * d[v];
    }
}

#define CASES_UP_TO_4(call)                                                                    \
    case 1: call(1); break;                                                                    \
    case 2: call(2); break;                                                                    \
    case 3: call(3); break;                                                                    \
    case 4: call(4); break;
#define CASES_5_TO_8(call)                                                                     \
    case 5: call(5); break;                                                                    \
    case 6: call(6); break;                                                                    \
    case 7: call(7); break;                                                                    \
    case 8: call(8); break;
#define BLOCK_CASES(call)                                                                      \
    switch (nb) {                                                                              \
    CASES_UP_TO_4(call)                                                                        \
    CASES_5_TO_8(call)                                                                         \
    BLOCK_CASES_ABOVE_8(call)                                                                  \
    }

/*
 * z[begin:end] = x . V over the non-zero inputs, for the vectors of units begin to
 * end (in vectors), MAX_BLOCK vectors at a time.
 */
static int F(forward_padded)(const F(Work) *w, int64_t i, REAL *z, int64_t begin, int64_t end)
{
    const int sets = SETS(w->first_stride / LANES);
    int outside = 0;
    for (int64_t done = begin; done < end; done += MAX_BLOCK) {
        int nb = (int)(end - done < MAX_BLOCK ? end - done : MAX_BLOCK);
        const REAL *first = w->first + done * LANES;
#define FORWARD(NB, SETS_)                                                                     \
    outside |= F(forward_block)(first, w->first_stride, w->index[i], w->value[i], w->count[i], \
                                w->first_rows, z + done * LANES, NB, SETS_)
#define FORWARD_4(NB) FORWARD(NB, 4)
#define FORWARD_2(NB) FORWARD(NB, 2)
#define FORWARD_1(NB) FORWARD(NB, 1)
        /* A layer of SETS 4 has at most MAX_BLOCK / 4 vectors, of SETS 2 MAX_BLOCK / 2. */
        if (sets == 4) {
            switch (nb) { CASES_UP_TO_4(FORWARD_4) }
        } else if (sets == 2) {
            switch (nb) { CASES_UP_TO_4(FORWARD_2) CASES_5_TO_8(FORWARD_2) }
        } else {
            BLOCK_CASES(FORWARD_1)
        }
#undef FORWARD_1
#undef FORWARD_2
#undef FORWARD_4
#undef FORWARD
    }
    return outside;
}

/*
 * V[k][begin:end] += coefficient x_k delta for the non-zero inputs x_k of sample i. The
 * updates follow the forward passes of the same samples, which checked their indices:
 * after one outside (the call then fails), no update writes with them.
 */
static void F(update_padded)(F(Work) *w, int64_t i, const REAL *delta, REAL coefficient,
                             int64_t begin, int64_t end)
{
    if (w->outside)
        return;
    for (int64_t done = begin; done < end; done += MAX_BLOCK) {
        int nb = (int)(end - done < MAX_BLOCK ? end - done : MAX_BLOCK);
        REAL *first = w->first + done * LANES;
#define UPDATE(NB)                                                                             \
    F(update_block)(first, w->first_stride, w->index[i], w->value[i], w->count[i],             \
                    delta + done * LANES, coefficient, NB)
        BLOCK_CASES(UPDATE)
#undef UPDATE
    }
}

/* The same two on W1's own rows (calls too short to repay the padded copy). */
static int F(forward_plain)(const F(Work) *w, int64_t i, int64_t width, REAL *z)
{
    memset(z, 0, (size_t)width * sizeof(REAL));
    const int32_t *index = w->index[i];
    const REAL *value = w->value[i];
    int outside = 0;
    for (int64_t p = 0; p < w->count[i]; p++) {
        const uint32_t k = inside((uint32_t)index[p], w->first_rows, &outside);
        const REAL *row = w->first + (int64_t)k * width;
        REAL x = value[p];
        for (int64_t j = 0; j < width; j++)
            z[j] += x * row[j];
    }
    return outside;
}

static void F(update_plain)(REAL *first, const F(Work) *w, int64_t i, int64_t width,
                            const REAL *delta, REAL coefficient)
{
    if (w->outside) /* as update_padded */
        return;
    const int32_t *index = w->index[i];
    const REAL *value = w->value[i];
    for (int64_t p = 0; p < w->count[i]; p++) {
        REAL *row = first + (int64_t)index[p] * width;
        REAL x = coefficient * value[p];
        for (int64_t j = 0; j < width; j++)
            row[j] += x * delta[j];
    }
}

/* ------------------------------------------------------------------------
 * Forward and backward pass of one mini-batch
 * ------------------------------------------------------------------------ */

static ALWAYS_INLINE const REAL *F(mask_row)(const Job *job, int64_t position)
{
    return (const REAL *)job->masks + (position - job->start) * job->hidden_units;
}

/* out[0:stride] = sum over k < K of x[k] M[k]: rows of whole vectors, held in registers. */
static ALWAYS_INLINE void F(dense_block)(const REAL *M, int64_t stride, const REAL *x, int64_t K,
                                         REAL *out, const int nb)
{
    const int sets = SETS(nb);
    VEC acc[4][MAX_BLOCK];
    for (int s = 0; s < sets; s++)
        for (int v = 0; v < nb; v++)
            acc[s][v] = (VEC){0};
    int64_t k = 0;
    for (; k + sets <= K; k += sets)
        for (int s = 0; s < sets; s++) {
            const VEC *row = (const VEC *)(M + (k + s) * stride);
            const REAL xk = x[k + s];
            for (int v = 0; v < nb; v++)
                acc[s][v] += xk * row[v];
        }
    for (; k < K; k++) {
        const VEC *row = (const VEC *)(M + k * stride);
        for (int v = 0; v < nb; v++)
            acc[0][v] += x[k] * row[v];
    }
    F(sum_sets)(acc, out, nb, sets);
}

static void F(dense_product)(const REAL *M, int64_t stride, const REAL *x, int64_t K, REAL *out)
{
    const int64_t vectors = stride / LANES;
    for (int64_t done = 0; done < vectors; done += MAX_BLOCK) {
        int nb = (int)(vectors - done < MAX_BLOCK ? vectors - done : MAX_BLOCK);
#define DENSE(NB) F(dense_block)(M + done * LANES, stride, x, K, out + done * LANES, NB)
        BLOCK_CASES(DENSE)
#undef DENSE
    }
}

/* The padding's units stay 0 whatever the inputs held (inf times a padding 0 is NaN). */
static ALWAYS_INLINE void F(clear_padding)(REAL *units, int64_t n, int64_t slot)
{
    for (int64_t j = n; j < slot; j++)
        units[j] = 0;
}

/* z of the first layer on W1's own rows, from the sample's non-zero inputs only: s (x . V) + b. */
static void F(first_layer_input)(F(Work) *w, const Job *job, int64_t i, double scale, REAL *z)
{
    const REAL lazy = (REAL)scale;
    const int64_t width = job->sizes[1];
    w->outside |= F(forward_plain)(w, i, width, z);
    const REAL *bias = (const REAL *)job->params + w->shape.bias[0];
    for (int64_t j = 0; j < width; j++)
        z[j] = lazy * z[j] + bias[j];
}

/* z of a layer above the first: (kept activations of the layer below) . W + b. */
static void F(layer_input)(F(Work) *w, const Job *job, int layer, const REAL *input, REAL *z)
{
    const Layout *s = &w->shape;
    const int64_t below = job->sizes[layer], n = job->sizes[layer + 1];
    if (w->padded) {
        const REAL *weights = w->padded_params + s->padded_weight[layer];
        F(dense_product)(weights, s->slot[layer], input, below, z);
        const VEC *bias = (const VEC *)(w->padded_params + s->padded_bias[layer]);
        for (int64_t v = 0; v < s->slot[layer] / LANES; v++)
            ((VEC *)z)[v] += bias[v];
        F(clear_padding)(z, n, s->slot[layer]);
        return;
    }
    const REAL *weights = (const REAL *)job->params + s->weight[layer];
    memset(z, 0, (size_t)n * sizeof(REAL));
    for (int64_t k = 0; k < below; k++) {
        const REAL x = input[k], *row = weights + k * n;
        for (int64_t j = 0; j < n; j++)
            z[j] += x * row[j];
    }
    const REAL *bias = (const REAL *)job->params + s->bias[layer];
    for (int64_t j = 0; j < n; j++)
        z[j] += bias[j];
}

/* a = sigma(z) on a layer's units; sigmoids on whole vectors of an aligned slot. */
static void F(activate_units)(const F(Work) *w, int code, const REAL *z, REAL *a, int64_t n,
                              int64_t slot)
{
    if (code != SIGMOID || !w->padded) {
        F(activate)(code, z, a, n);
        return;
    }
    for (int64_t v = 0; v < slot / LANES; v++)
        ((VEC *)a)[v] = (REAL)1 / ((REAL)1 + F(vexp)(-((const VEC *)z)[v]));
    F(clear_padding)(a, n, slot);
}

/*
 * The forward pass of the mini-batch's m samples from layer `from` up, and their outputs:
 * from 0, the first layer's z given; from 1, its activations too (first_layer_part).
 * Layer by layer, so that the samples' activations, chains of dependent operations,
 * overlap one another.
 */
static void F(forward_layers)(F(Work) *w, const Job *job, int64_t batch_start, int64_t m,
                              int from)
{
    const Layout *s = &w->shape;
    const int last = job->n_layers - 1;
    for (int layer = from; layer <= last; layer++) {
        const int64_t n = job->sizes[layer + 1], at = s->unit[layer];
        if (layer > 0)
            for (int64_t i = 0; i < m; i++) {
                const REAL *below = (job->dropout ? w->kept : w->a) + i * s->row;
                F(layer_input)(w, job, layer, below + s->unit[layer - 1], w->z + i * s->row + at);
            }
        for (int64_t i = 0; i < m; i++) {
            REAL *a = w->a + i * s->row;
            F(activate_units)(w, job->activations[layer], w->z + i * s->row + at, a + at, n,
                              s->slot[layer]);
            if (job->dropout && layer < last) {
                const REAL *keep = F(mask_row)(job, batch_start + i) + s->hidden[layer];
                REAL *kept = w->kept + i * s->row;
                for (int64_t j = 0; j < n; j++)
                    kept[at + j] = a[at + j] * keep[j];
            }
        }
    }
    const int64_t n_out = job->n_out;
    REAL *outputs = w->outputs + (batch_start - job->start) * n_out;
    for (int64_t i = 0; i < m; i++)
        memcpy(outputs + i * n_out, w->a + i * s->row + s->unit[last],
               (size_t)n_out * sizeof(REAL));
}

/*
 * Prefetch the CSR row of the sample at `position` (of the next mini-batch) into the
 * second-level cache. The rows are far apart in memory (shuffled): prefetched a sample
 * ahead into the first cache, as they were, they arrived late.
 */
static ALWAYS_INLINE void F(prefetch_row)(const Job *job, int64_t position)
{
    if (!job->sparse || position >= job->stop)
        return;
    const int64_t row = job->order[position];
    const int64_t first = job->indptr[row], count = job->indptr[row + 1] - first;
    prefetch_lines((uintptr_t)(job->indices + first), count * 4);
    prefetch_lines((uintptr_t)((const REAL *)job->data + first), count * (int64_t)sizeof(REAL));
}

/*
 * The padded first layer's z and a (and kept, with dropout) in vectors begin..end, for m
 * samples: all of them on one thread, a thread's share with several.
 */
static void F(first_layer_part)(F(Work) *w, const Job *job, int64_t batch_start, int64_t m,
                                double scale, int64_t begin, int64_t end)
{
    const Layout *s = &w->shape;
    const REAL lazy = (REAL)scale;
    const int64_t width = job->sizes[1], vectors = s->slot[0] / LANES;
    const int64_t first_unit = begin * LANES, end_unit = end * LANES < width ? end * LANES : width;
    const VEC *bias = (const VEC *)(w->padded_params + s->padded_bias[0]);
    for (int64_t i = 0; i < m; i++)
        w->outside |= F(forward_padded)(w, i, w->z + i * s->row, begin, end);
    /*
     * Apart from the sums, so that the samples' activations overlap one another; and the
     * next mini-batch's rows prefetched among them, a row a sample: issued at once, the
     * prefetches stalled on the cache's queue of misses; the sigmoids' arithmetic hides
     * them.
     */
    for (int64_t i = 0; i < m; i++) {
        const int64_t position = batch_start + i;
        if (begin == 0) /* one thread's is enough */
            F(prefetch_row)(job, batch_start + m + i);
        REAL *z = w->z + i * s->row, *a = w->a + i * s->row;
        for (int64_t v = begin; v < end; v++)
            ((VEC *)z)[v] = lazy * ((VEC *)z)[v] + bias[v];
        if (job->activations[0] == SIGMOID)
            for (int64_t v = begin; v < end; v++)
                ((VEC *)a)[v] = (REAL)1 / ((REAL)1 + F(vexp)(-((const VEC *)z)[v]));
        else
            F(activate)(job->activations[0], z + first_unit, a + first_unit, end_unit - first_unit);
        if (end == vectors) {
            F(clear_padding)(z, width, s->slot[0]);
            if (job->activations[0] == SIGMOID)
                F(clear_padding)(a, width, s->slot[0]);
        }
        if (job->dropout) {
            const REAL *keep = F(mask_row)(job, position) + s->hidden[0];
            REAL *kept = w->kept + i * s->row;
            for (int64_t j = first_unit; j < end_unit; j++)
                kept[j] = a[j] * keep[j];
        }
    }
}

static void F(forward)(F(Work) *w, const Job *job, int64_t batch_start, int64_t m, double scale)
{
    if (w->padded) {
        F(first_layer_part)(w, job, batch_start, m, scale, 0, w->shape.slot[0] / LANES);
        F(forward_layers)(w, job, batch_start, m, 1);
        return;
    }
    for (int64_t i = 0; i < m; i++)
        F(first_layer_input)(w, job, i, scale, w->z + i * w->shape.row);
    F(forward_layers)(w, job, batch_start, m, 0);
}

/* lower = W upper: the error of layer - 1's units from layer's, before sigma'. */
static void F(propagate)(F(Work) *w, const Job *job, int layer, const REAL *upper, REAL *lower)
{
    const Layout *s = &w->shape;
    const int64_t n = job->sizes[layer + 1], below = job->sizes[layer];
    if (w->padded) {
        /* Rows of the transpose: the sum runs over j in the same order as below. */
        const REAL *transpose = w->padded_params + s->padded_transpose[layer];
        F(dense_product)(transpose, s->slot[layer - 1], upper, n, lower);
        F(clear_padding)(lower, below, s->slot[layer - 1]);
        return;
    }
    const REAL *weights = (const REAL *)job->params + s->weight[layer];
    for (int64_t k = 0; k < below; k++) {
        const REAL *row = weights + k * n;
        REAL total = 0;
        for (int64_t j = 0; j < n; j++)
            total += row[j] * upper[j];
        lower[k] = total;
    }
}

/* delta of every layer for the m samples; the output error is weighted by 1/m or w_i/m. */
static void F(backward)(F(Work) *w, const Job *job, int64_t batch_start, int64_t m)
{
    const Layout *s = &w->shape;
    const int last = job->n_layers - 1;
    const int out_code = job->activations[last];
    const int exact = (job->cost == CROSS_ENTROPY && out_code == SIGMOID) ||
                      (job->cost == LOG_LIKELIHOOD && out_code == SOFTMAX);
    const REAL clip = (REAL)job->hyper[CLIP];
    const int64_t n_out = job->n_out;
    for (int64_t i = 0; i < m; i++) {
        const int64_t position = batch_start + i, row = job->order[position];
        REAL *z = w->z + i * s->row, *a = w->a + i * s->row, *delta = w->delta + i * s->row;
        const REAL *y = (const REAL *)job->targets + row * n_out;
        const int64_t at = s->unit[last];
        if (exact) {
            for (int64_t j = 0; j < n_out; j++)
                delta[at + j] = a[at + j] - y[j];
        } else {
            F(cost_gradient)(job->cost, a + at, y, clip, delta + at, n_out);
            F(activation_backward)(out_code, delta + at, z + at, a + at, n_out);
        }
        REAL weight = job->weighted ? ((const REAL *)job->scales)[row] / (REAL)m : (REAL)1 / (REAL)m;
        for (int64_t j = 0; j < n_out; j++)
            delta[at + j] *= weight;
    }
    /* Layer by layer, so that the samples' chains of dependent operations overlap. */
    for (int layer = last; layer > 0; layer--) {
        const int64_t below = job->sizes[layer], u = s->unit[layer - 1];
        for (int64_t i = 0; i < m; i++) {
            REAL *delta = w->delta + i * s->row, *lower = delta + u;
            F(propagate)(w, job, layer, delta + s->unit[layer], lower);
            if (job->dropout) {
                const REAL *keep = F(mask_row)(job, batch_start + i) + s->hidden[layer - 1];
                for (int64_t k = 0; k < below; k++)
                    lower[k] *= keep[k];
            }
            F(activation_backward)(job->activations[layer - 1], lower, w->z + i * s->row + u,
                                   w->a + i * s->row + u, below);
        }
    }
}

/* ------------------------------------------------------------------------
 * Gradients and updates
 * ------------------------------------------------------------------------ */

/* Gradients of every bias and of the weights above the first layer, into w->grads. */
static void F(upper_gradient)(F(Work) *w, const Job *job, int64_t m)
{
    const Layout *s = &w->shape;
    REAL *grads = w->grads;
    for (int layer = 0; layer < job->n_layers; layer++) {
        const int64_t n = job->sizes[layer + 1], at = s->unit[layer];
        REAL *bias = grads + s->bias[layer];
        memset(bias, 0, (size_t)n * sizeof(REAL));
        for (int64_t i = 0; i < m; i++) {
            const REAL *delta = w->delta + i * s->row + at;
            for (int64_t j = 0; j < n; j++)
                bias[j] += delta[j];
        }
        if (layer == 0)
            continue;
        const int64_t below = job->sizes[layer], from = s->unit[layer - 1];
        REAL *weights = grads + s->weight[layer];
        memset(weights, 0, (size_t)(below * n) * sizeof(REAL));
        for (int64_t i = 0; i < m; i++) {
            const REAL *delta = w->delta + i * s->row + at;
            const REAL *input = (job->dropout ? w->kept : w->a) + i * s->row + from;
            for (int64_t k = 0; k < below; k++) {
                REAL *row = weights + k * n;
                const REAL x = input[k];
                for (int64_t j = 0; j < n; j++)
                    row[j] += x * delta[j];
            }
        }
    }
}

/*
 * W1 = s V decays lazily: s *= decay, then V[k] += (-eta / s) x_k delta on the rows
 * of the non-zero inputs x_k only; the decay of the other rows is carried by s.
 * Returns the new s.
 */
typedef struct {
    double scale;      /* s after the step */
    REAL coefficient;  /* of x_k delta in V's update */
    int decays_v;      /* whether V itself is multiplied by the decay first */
} F(LazyStep);

/* One step of the lazy decay from s = scale (nothing written). */
static F(LazyStep) F(lazy_step)(const Job *job, double scale)
{
    const REAL eta = (REAL)job->hyper[ETA], decay = (REAL)job->hyper[DECAY];
    F(LazyStep) step = {scale, -eta, 0};
    if (decay > 0) {
        step.scale = scale * (double)decay;
        step.coefficient = (REAL)(-(double)eta / step.scale);
    } else {
        /* A decay of eta lambda / n >= 1 would take s to 0 or below: applied to V. */
        step.decays_v = 1;
    }
    return step;
}

/* V[:, begin:end] *= factor (columns of W1, all its rows). */
static void F(scale_columns)(F(Work) *w, const Job *job, REAL factor, int64_t begin, int64_t end)
{
    for (int64_t k = 0; k < job->sizes[0]; k++) {
        REAL *row = w->first + k * w->first_stride;
        for (int64_t j = begin; j < end; j++)
            row[j] *= factor;
    }
}

static double F(lazy_first_update)(F(Work) *w, const Job *job, int64_t m, double scale)
{
    const F(LazyStep) step = F(lazy_step)(job, scale);
    if (step.decays_v)
        F(scale_columns)(w, job, (REAL)job->hyper[DECAY], 0, w->first_stride);
    const int64_t width = job->sizes[1];
    for (int64_t i = 0; i < m; i++) {
        const REAL *delta = w->delta + i * w->shape.row;
        if (w->padded)
            F(update_padded)(w, i, delta, step.coefficient, 0, w->first_stride / LANES);
        else
            F(update_plain)(w->first, w, i, width, delta, step.coefficient);
    }
    return step.scale;
}

/*
 * Plain SGD with the book's decay, w <- (1 - eta lambda/n) w - eta grad, in one
 * pass over the weights above the first layer; the first layer's is lazy.
 */
static double F(decayed_sgd_step)(F(Work) *w, const Job *job, int64_t m, double scale)
{
    const Layout *s = &w->shape;
    REAL *params = job->params, *grads = w->grads;
    const REAL eta = (REAL)job->hyper[ETA], decay = (REAL)job->hyper[DECAY];
    F(upper_gradient)(w, job, m);
    const int64_t upper_start = s->weight[0] + job->sizes[0] * job->sizes[1];
    if (decay != (REAL)1)
        for (int64_t p = upper_start; p < s->n_weights; p++)
            params[p] *= decay;
    for (int64_t p = upper_start; p < s->n_params; p++)
        params[p] += -eta * grads[p];
    return F(lazy_first_update)(w, job, m, scale);
}

/*
 * W[k] <- W[k] decay - eta sum_i inputs_i[k] delta_i for the rows k of one layer above
 * the first: each row's gradient is summed in registers over the mini-batch. A sum is a
 * chain of dependent multiply-adds: `group` rows at a time (as many as the registers
 * hold) share the deltas' loads and keep as many chains going, each in its own order.
 */
#define ROW_GROUP(nb) ((nb) <= MAX_BLOCK / 4 ? 4 : (nb) <= MAX_BLOCK / 2 ? 2 : 1)

/*
 * One vector of weights stepped by its gradient's sum: the book's decay, then -eta grad.
 * The weights and their transpose are stepped by this one definition, so that both get
 * the same numbers.
 */
static ALWAYS_INLINE void F(step_vector)(VEC *weight, VEC grad, REAL decay, REAL eta)
{
    if (decay != (REAL)1)
        *weight *= decay;
    *weight += -eta * grad;
}

static ALWAYS_INLINE void F(weight_rows_group)(VEC *weights, const REAL *inputs,
                                               const REAL *deltas, int64_t row, int64_t m,
                                               REAL decay, REAL eta, const int nb,
                                               const int group)
{
    VEC grad[4][MAX_BLOCK];
    for (int r = 0; r < group; r++)
        for (int v = 0; v < nb; v++)
            grad[r][v] = (VEC){0};
    for (int64_t i = 0; i < m; i++) {
        const REAL *input = inputs + i * row;
        const VEC *delta = (const VEC *)(deltas + i * row);
        for (int v = 0; v < nb; v++)
            for (int r = 0; r < group; r++)
                grad[r][v] += input[r] * delta[v];
    }
    for (int r = 0; r < group; r++)
        for (int v = 0; v < nb; v++)
            F(step_vector)(weights + r * nb + v, grad[r][v], decay, eta);
}

static ALWAYS_INLINE void F(weight_rows_step)(VEC *weights, const REAL *inputs,
                                              const REAL *deltas, int64_t row, int64_t m,
                                              int64_t below, REAL decay, REAL eta, const int nb)
{
    const int group = ROW_GROUP(nb);
    int64_t k = 0;
    for (; k + group <= below; k += group)
        F(weight_rows_group)(weights + k * nb, inputs + k, deltas, row, m, decay, eta, nb,
                             group);
    for (; k < below; k++)
        F(weight_rows_group)(weights + k * nb, inputs + k, deltas, row, m, decay, eta, nb, 1);
}

static void F(upper_weights_step)(F(Work) *w, const Job *job, int layer, const REAL *inputs,
                                  const REAL *deltas, int64_t m, int64_t vectors)
{
    const Layout *s = &w->shape;
    const REAL eta = (REAL)job->hyper[ETA], decay = (REAL)job->hyper[DECAY];
    VEC *weights = (VEC *)(w->padded_params + s->padded_weight[layer]);
    const int64_t below = job->sizes[layer];
    if (vectors <= MAX_BLOCK) {
        const int nb = (int)vectors;
#define ROWS(NB) F(weight_rows_step)(weights, inputs, deltas, s->row, m, below, decay, eta, NB)
        BLOCK_CASES(ROWS)
#undef ROWS
        return;
    }
    /* Wider layers: the same sums, a vector of units at a time. */
    for (int64_t v = 0; v < vectors; v++)
        for (int64_t k = 0; k < below; k++) {
            VEC grad = (VEC){0};
            for (int64_t i = 0; i < m; i++)
                grad += inputs[i * s->row + k] * ((const VEC *)(deltas + i * s->row))[v];
            F(step_vector)(weights + k * vectors + v, grad, decay, eta);
        }
}

/*
 * The same step on the transpose that the backward pass reads, WT[j] <- WT[j] decay -
 * eta sum_i delta_i[j] inputs_i, each number by the same operations in the same order
 * as weight_rows_step's (a product's factors swapped): cheaper than copying the stepped
 * weights across, one number at a time, after every mini-batch. The inputs' padding
 * is 0, so the transpose's stays 0.
 */
static ALWAYS_INLINE void F(transpose_group)(VEC *transpose, int64_t stride,
                                             const REAL *inputs, const REAL *deltas,
                                             int64_t row, int64_t m, REAL decay, REAL eta,
                                             const int group)
{
    VEC grad[4];
    for (int r = 0; r < group; r++)
        grad[r] = (VEC){0};
    for (int64_t i = 0; i < m; i++) {
        const VEC input = *(const VEC *)(inputs + i * row);
        for (int r = 0; r < group; r++)
            grad[r] += deltas[i * row + r] * input;
    }
    for (int r = 0; r < group; r++)
        F(step_vector)(transpose + r * stride, grad[r], decay, eta);
}

static void F(transpose_step)(F(Work) *w, const Job *job, int layer, const REAL *inputs,
                              const REAL *deltas, int64_t m)
{
    const Layout *s = &w->shape;
    const REAL eta = (REAL)job->hyper[ETA], decay = (REAL)job->hyper[DECAY];
    const int64_t n = job->sizes[layer + 1], vectors = s->slot[layer - 1] / LANES;
    VEC *transpose = (VEC *)(w->padded_params + s->padded_transpose[layer]);
    for (int64_t v = 0; v < vectors; v++) {
        /* Four rows of the transpose at a time, as weight_rows_step's groups. */
        int64_t j = 0;
        for (; j + 4 <= n; j += 4)
            F(transpose_group)(transpose + j * vectors + v, vectors, inputs + v * LANES,
                               deltas + j, s->row, m, decay, eta, 4);
        for (; j < n; j++)
            F(transpose_group)(transpose + j * vectors + v, vectors, inputs + v * LANES,
                               deltas + j, s->row, m, decay, eta, 1);
    }
}

/* out = sum over the m rows (of `row` numbers apart) of their first nb vectors, in registers. */
static ALWAYS_INLINE void F(sum_rows)(VEC *out, const REAL *rows, int64_t row, int64_t m,
                                      const int nb)
{
    VEC sum[MAX_BLOCK];
    for (int v = 0; v < nb; v++)
        sum[v] = (VEC){0};
    for (int64_t i = 0; i < m; i++)
        for (int v = 0; v < nb; v++)
            sum[v] += ((const VEC *)(rows + i * row))[v];
    for (int v = 0; v < nb; v++)
        out[v] = sum[v];
}

/* The step of every bias and of the weights above the first layer, on the padded copy. */
static void F(upper_step_padded)(F(Work) *w, const Job *job, int64_t m)
{
    const Layout *s = &w->shape;
    const REAL eta = (REAL)job->hyper[ETA];
    for (int layer = 0; layer < job->n_layers; layer++) {
        const int64_t vectors = s->slot[layer] / LANES, at = s->unit[layer];
        VEC *bias_grad = (VEC *)(w->bias_grads + at);
        if (vectors <= MAX_BLOCK) {
            const int nb = (int)vectors;
#define SUM(NB) F(sum_rows)(bias_grad, w->delta + at, s->row, m, NB)
            BLOCK_CASES(SUM)
#undef SUM
        } else {
            for (int64_t v = 0; v < vectors; v++)
                bias_grad[v] = (VEC){0};
            for (int64_t i = 0; i < m; i++) {
                const VEC *delta = (const VEC *)(w->delta + i * s->row + at);
                for (int64_t v = 0; v < vectors; v++)
                    bias_grad[v] += delta[v];
            }
        }
        if (layer > 0) {
            const REAL *inputs = (job->dropout ? w->kept : w->a) + s->unit[layer - 1];
            F(upper_weights_step)(w, job, layer, inputs, w->delta + at, m, vectors);
            /*
             * The transpose, the same numbers either way: stepped, m multiply-adds per
             * vector of it, or copied across, one scalar store per weight. Stepping
             * pays for short mini-batches, copying for long ones.
             */
            if (m * (s->slot[layer - 1] / LANES) < job->sizes[layer])
                F(transpose_step)(w, job, layer, inputs, w->delta + at, m);
            else
                F(transpose)(w, job, layer);
        }
        VEC *bias = (VEC *)(w->padded_params + s->padded_bias[layer]);
        for (int64_t v = 0; v < vectors; v++)
            bias[v] += -eta * bias_grad[v];
    }
}

/* The same step as decayed_sgd_step on the padded copy, whole vectors at a time. */
static double F(decayed_sgd_step_padded)(F(Work) *w, const Job *job, int64_t m, double scale)
{
    F(upper_step_padded)(w, job, m);
    return F(lazy_first_update)(w, job, m, scale);
}

/* The whole regularized gradient of a mini-batch, into w->grads. */
static void F(full_gradient)(F(Work) *w, const Job *job, int64_t m)
{
    const Layout *s = &w->shape;
    const REAL *params = job->params;
    REAL *grads = w->grads;
    F(upper_gradient)(w, job, m);
    const int64_t width = job->sizes[1];
    REAL *first = grads + s->weight[0];
    memset(first, 0, (size_t)(job->sizes[0] * width) * sizeof(REAL));
    for (int64_t i = 0; i < m; i++)
        F(update_plain)(first, w, i, width, w->delta + i * s->row, (REAL)1);
    const REAL coefficient = (REAL)job->hyper[PENALTY];
    if (coefficient == 0) /* the regularizers return no gradient at lambda = 0 */
        return;
    if (job->penalty == L2) {
        for (int64_t p = 0; p < s->n_weights; p++)
            grads[p] += params[p] * coefficient;
    } else if (job->penalty == L1) {
        for (int64_t p = 0; p < s->n_weights; p++)
            grads[p] += F(sign)(params[p]) * coefficient;
    }
}

/* params += the optimizer's update for the regularized gradient. */
static void F(optimizer_step)(const Job *job, int64_t n, const REAL *grads)
{
    REAL *params = job->params;
    const REAL eta = (REAL)job->hyper[ETA];
    if (job->optimizer == SGD) {
        for (int64_t p = 0; p < n; p++)
            params[p] += -eta * grads[p];
        return;
    }
    if (job->optimizer == ADAM) {
        REAL *first = job->first_moment, *second = job->second_moment;
        double *step = job->step;
        step[0] += 1;
        const double t = step[0];
        const double beta1 = job->hyper[BETA1], beta2 = job->hyper[BETA2];
        const REAL b1 = (REAL)beta1, b2 = (REAL)beta2;
        const REAL keep1 = (REAL)(1.0 - beta1), keep2 = (REAL)(1.0 - beta2);
        const REAL correct1 = (REAL)(1.0 - pow(beta1, t)), correct2 = (REAL)(1.0 - pow(beta2, t));
        const REAL epsilon = (REAL)job->hyper[EPSILON];
        for (int64_t p = 0; p < n; p++) {
            const REAL g = grads[p];
            first[p] = first[p] * b1 + keep1 * g;
            second[p] = second[p] * b2 + keep2 * (g * g);
            const REAL denominator = SQRT_FN(second[p] / correct2) + epsilon;
            params[p] += -eta * ((first[p] / correct1) / denominator);
        }
        return;
    }
    const REAL mu = (REAL)job->hyper[MU];
    REAL *velocity = job->velocity;
    for (int64_t p = 0; p < n; p++) {
        const REAL step = eta * grads[p];
        velocity[p] = velocity[p] * mu - step;
        params[p] += job->optimizer == MOMENTUM ? velocity[p] : mu * velocity[p] - step;
    }
}

/* V <- s V: W1 explicit again; returns the new s, 1. */
static double F(fold)(F(Work) *w, const Job *job, double scale)
{
    if (scale != 1.0)
        F(scale_columns)(w, job, (REAL)scale, 0, w->first_stride);
    return 1.0;
}

/* ------------------------------------------------------------------------
 * Threads: the first layer's units shared out, everything else on thread 0
 *
 * Each thread owns a range of W1's columns (whole cache lines of units) and
 * computes their part of the forward pass and of V's update; thread 0 adds
 * the layers above, the backward pass, the other parameters' step and the
 * next mini-batch's gather (into the other gather buffer, so that no thread
 * reads a buffer while it is written). Every unit's value is computed by the
 * same operations in the same order as with one thread: the results are
 * bit-identical whatever the number of threads.
 * ------------------------------------------------------------------------ */

/* Where a walk over the call's mini-batches stands. */
typedef struct {
    int64_t batch_start;
    double scale;
    int which; /* the gather buffer of the mini-batch at batch_start */
} F(Place);

typedef struct {
    TeamBase base; /* first: run_team sees only this */
    const Job *job;
    const F(Work) *work;
    F(LazyStep) step; /* thread 0's, for the others after the second barrier */
    F(Place) start;   /* where thread 0 hands the call to the team */
    double final_scale;
    int outside[MAX_THREADS]; /* thread t's forward passes met an index outside W1's rows */
} F(Team);

/* Thread 0's part between the barriers: the rest of the mini-batch, and the next gather. */
static void F(serial_part)(F(Team) *team, F(Work) *w, int64_t batch_start, int64_t m,
                           double scale, int which)
{
    const Job *job = team->job;
    F(forward_layers)(w, job, batch_start, m, 1);
    F(backward)(w, job, batch_start, m);
    F(upper_step_padded)(w, job, m);
    team->step = F(lazy_step)(job, scale);
    const int64_t next = batch_start + job->batch_size;
    if (next < job->stop) {
        F(use_buffer)(w, which ^ 1);
        const int64_t rest = job->stop - next;
        F(gather)(w, job, next, rest < job->batch_size ? rest : job->batch_size);
        F(use_buffer)(w, which);
    }
}

/*
 * The mini-batch at `at` for thread t, on the first layer's vectors begin..end
 * (`alone`: thread 0 on all of them, meeting nobody); moves `at` on. Returns
 * whether thread 0 decided, at this mini-batch, that the team goes solo.
 */
static int F(team_batch)(F(Team) *team, F(Work) *w, int t, F(Place) *at, int64_t begin,
                         int64_t end, int alone)
{
    TeamBase *base = &team->base;
    const Job *job = team->job;
    const int64_t rest = job->stop - at->batch_start;
    const int64_t m = rest < job->batch_size ? rest : job->batch_size;
    F(use_buffer)(w, at->which);
    F(first_layer_part)(w, job, at->batch_start, m, at->scale, begin, end);
    team->outside[t] |= w->outside;
    if (!alone)
        team_barrier(base, t);
    if (t == 0) {
        F(serial_part)(team, w, at->batch_start, m, at->scale, at->which);
        if (!alone && !base->solo)
            judge_team(base);
    }
    if (!alone)
        team_barrier(base, t);
    const int solo = !alone && base->solo; /* as thread 0 left it before the barrier */
    const F(LazyStep) step = team->step;
    if (step.decays_v)
        F(scale_columns)(w, job, (REAL)job->hyper[DECAY], begin * LANES, end * LANES);
    for (int64_t i = 0; i < m; i++)
        F(update_padded)(w, i, w->delta + i * w->shape.row, step.coefficient, begin, end);
    at->scale = step.scale;
    if (at->scale < SMALLEST_LAZY_SCALE) {
        F(scale_columns)(w, job, (REAL)at->scale, begin * LANES, end * LANES);
        at->scale = 1.0;
    }
    at->batch_start += job->batch_size;
    at->which ^= 1;
    return solo;
}

/*
 * Thread t's part of the call. Thread 0 first trains TEAM_SAMPLES samples
 * alone, clocked; the team then takes the call from there, and thread 0
 * finishes it alone if the team turns out slower (judge_team).
 */
static void F(team_member)(void *argument, int t)
{
    F(Team) *team = argument;
    TeamBase *base = &team->base;
    const Job *job = team->job;
    F(Work) w = *team->work; /* this thread's view: shared arrays, its own buffer choice */
    const int64_t vectors = w.shape.slot[0] / LANES;
    F(Place) at = {job->start, 1.0, 0};
    if (t == 0) {
        const double start = seconds_now();
        int64_t probed = 0;
        base->window = team_batches(tuned_window, job->batch_size);
        const int64_t probe = team_batches(tuned_probe, job->batch_size);
        for (; probed < probe && at.batch_start < job->stop; probed++)
            F(team_batch)(team, &w, 0, &at, 0, vectors, 1);
        base->alone_seconds = probed ? (seconds_now() - start) / (double)probed : -1.0;
        base->window_start = seconds_now();
        team->start = at;
    }
    team_barrier(base, t); /* the team starts where thread 0 stopped */
    at = team->start;
    int64_t begin, end;
    share_columns(vectors, LINE_VECTORS, base->threads, t, &begin, &end);
    while (at.batch_start < job->stop) {
        if (!F(team_batch)(team, &w, t, &at, begin, end, 0))
            continue;
        team_barrier(base, t); /* every column's update of this mini-batch made */
        if (t != 0)
            return;
        while (at.batch_start < job->stop)
            F(team_batch)(team, &w, 0, &at, 0, vectors, 1);
    }
    if (t == 0)
        team->final_scale = at.scale;
}

/* Whether the threads can share the call: the padded path, an elementwise first layer. */
static int F(threads_for)(const Job *job, const F(Work) *w, int padded, int decoupled)
{
    const int code = job->activations[0];
    const int64_t vectors = w->shape.slot[0] / LANES;
    const int64_t lines = (vectors + LINE_VECTORS - 1) / LINE_VECTORS;
    int threads = (int)(job->threads < lines ? job->threads : lines);
    if (!padded || !decoupled || job->n_layers < 2 || code == SOFTMAX)
        return 1;
    return threads > 1 ? threads : 1;
}

/* Each trained position's cost, from the outputs its forward pass recorded (and the
 * outputs themselves, when asked for). */
static void F(record_costs)(F(Work) *w, const Job *job)
{
    const int64_t n_out = job->n_out, positions = job->stop - job->start;
    if (job->outputs != NULL)
        memcpy((REAL *)job->outputs + job->start * n_out, w->outputs,
               (size_t)(positions * n_out) * sizeof(REAL));
    for (int64_t first = 0; first < positions; first += w->cost_rows) {
        const int64_t m = positions - first < w->cost_rows ? positions - first : w->cost_rows;
        for (int64_t i = 0; i < m; i++) {
            const int64_t row = job->order[job->start + first + i];
            memcpy(w->cost_targets + i * n_out, (const REAL *)job->targets + row * n_out,
                   (size_t)n_out * sizeof(REAL));
        }
        F(row_costs)(job->cost, w->outputs + first * n_out, w->cost_targets,
                     (REAL)job->hyper[CLIP], w->cost_terms, m, n_out,
                     job->costs + job->start + first);
    }
}

/* The forward passes alone, for each position's cost; returns 1, or -1 when memory runs out. */
static int F(evaluate)(const Job *job)
{
    F(Work) w;
    /* The padded copy holds the first layer's units in registers (nothing is copied back). */
    const int padded = job->path != PATH_PLAIN &&
                       (job->path == PATH_PADDED || job->stop - job->start >= PADDED_MIN_SAMPLES);
    if (F(work_alloc)(&w, job, padded, 1) != 0) {
        F(work_free)(&w);
        return -1;
    }
    if (padded)
        F(copy_padded)(&w, job, 1);
    for (int64_t batch_start = job->start; batch_start < job->stop;
         batch_start += job->batch_size) {
        const int64_t rest = job->stop - batch_start;
        const int64_t m = rest < job->batch_size ? rest : job->batch_size;
        F(gather)(&w, job, batch_start, m);
        F(forward)(&w, job, batch_start, m, 1.0);
    }
    F(record_costs)(&w, job);
    F(work_free)(&w);
    return w.outside ? STATUS_OUTSIDE : 1;
}

/*
 * Train on the mini-batches of order[start:stop] (job->learn; otherwise only evaluate);
 * returns the number of threads that did, or -1 when memory runs out.
 */
static int F(train)(const Job *job)
{
    if (!job->learn)
        return F(evaluate)(job);
    F(Work) w;
    /*
     * Plain SGD with no penalty or L2 takes the book's one-pass decay and, with
     * it, the lazy decay of W1; the others need the whole gradient first. The
     * padded copy of W1 repays its two copies over many samples, not one
     * mini-batch (a callback's per-batch calls).
     */
    const int decoupled = job->optimizer == SGD && job->penalty != L1;
    const int64_t samples = job->stop - job->start;
    const int padded = decoupled && job->path != PATH_PLAIN &&
                 (job->path == PATH_PADDED || samples >= PADDED_MIN_SAMPLES);
    const int buffers = job->threads > 1 && padded ? 2 : 1;
    if (F(work_alloc)(&w, job, padded, buffers) != 0) {
        F(work_free)(&w);
        return -1;
    }
    if (padded)
        F(copy_padded)(&w, job, 1);
    const int threads = buffers == 2 ? F(threads_for)(job, &w, padded, decoupled) : 1;
    if (threads > 1) {
        F(gather)(&w, job, job->start, samples < job->batch_size ? samples : job->batch_size);
        F(Team) team = {.job = job, .work = &w};
        run_team(&team.base, threads, F(team_member));
        F(fold)(&w, job, team.final_scale);
        F(copy_padded)(&w, job, 0);
        F(record_costs)(&w, job);
        F(work_free)(&w);
        for (int t = 0; t < team.base.threads; t++)
            if (team.outside[t])
                return STATUS_OUTSIDE;
        return team.base.threads;
    }
    double scale = 1.0;
    for (int64_t batch_start = job->start; batch_start < job->stop;
         batch_start += job->batch_size) {
        const int64_t rest = job->stop - batch_start;
        const int64_t m = rest < job->batch_size ? rest : job->batch_size;
        F(gather)(&w, job, batch_start, m);
        F(forward)(&w, job, batch_start, m, scale);
        F(backward)(&w, job, batch_start, m);
        if (decoupled) {
            scale = padded ? F(decayed_sgd_step_padded)(&w, job, m, scale)
                           : F(decayed_sgd_step)(&w, job, m, scale);
            if (scale < SMALLEST_LAZY_SCALE)
                scale = F(fold)(&w, job, scale);
        } else {
            F(full_gradient)(&w, job, m);
            F(optimizer_step)(job, w.shape.n_params, w.grads);
        }
    }
    F(fold)(&w, job, scale);
    if (padded)
        F(copy_padded)(&w, job, 0);
    F(record_costs)(&w, job);
    F(work_free)(&w);
    return w.outside ? STATUS_OUTSIDE : 1;
}

#undef LANES
#undef BELOW_ONE
