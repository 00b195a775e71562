/* kernels.h — CPU kernels on host tensors (module prefix tfg_k_).
 *
 * These know nothing of graphs: each takes plain tensors and parameters and
 * returns new tensors. Ownership: inputs are borrowed; *out receives one new
 * reference (see tensor.h). Every function returns 0, or -1 after filling err
 * with a TensorFlow-worded message (e.g. "Incompatible shapes: [2] vs. [3]").
 * Broadcasting follows numpy. Implemented by family in runtime/k_*.c.
 */
#ifndef TFG_KERNELS_H
#define TFG_KERNELS_H

#include "tensor.h"

/* ---- elementwise binary (k_binary.c) ----------------------------------- */
typedef enum {
    TFG_BIN_ADD, TFG_BIN_SUB, TFG_BIN_MUL,
    TFG_BIN_DIV,        /* TF Div/RealDiv: floats divide; ints truncate toward zero like C (TF Div on ints) */
    TFG_BIN_FLOORDIV,   /* TF FloorDiv: floor(a/b); ints floor toward -inf; int division by zero is an error */
    TFG_BIN_MOD,        /* TF FloorMod: result has the sign of b (Python %) */
    TFG_BIN_POW,
    TFG_BIN_MAXIMUM, TFG_BIN_MINIMUM,
    TFG_BIN_SQUARED_DIFFERENCE,
    TFG_BIN_EQUAL, TFG_BIN_NOT_EQUAL, TFG_BIN_LESS, TFG_BIN_LESS_EQUAL,
    TFG_BIN_GREATER, TFG_BIN_GREATER_EQUAL,          /* these six give TFG_BOOL */
    TFG_BIN_LOGICAL_AND, TFG_BIN_LOGICAL_OR,         /* bool x bool -> bool */
    TFG_BIN_COUNT
} tfg_binop;

/* a and b must have the same dtype (the graph layer checks and casts);
 * the result has that dtype, or TFG_BOOL for comparisons.
 * Shapes broadcast as numpy; otherwise "Incompatible shapes: [2] vs. [3]".
 * Integer division or modulo by zero: "Integer division by zero". */
int tfg_k_binary(tfg_binop op, const tfg_tensor *a, const tfg_tensor *b,
                 tfg_tensor **out, tfg_error *err);

/* Computes the broadcast shape of two shapes (numpy rules); -1 and err
 * ("Incompatible shapes: [2] vs. [3]") when they do not broadcast. */
int tfg_k_broadcast_shape(int ra, const int64_t *sa, int rb, const int64_t *sb,
                          int *rout, int64_t *sout, tfg_error *err);

/* ---- elementwise unary (k_unary.c) ---------------------------------------- */
typedef enum {
    TFG_UN_NEG, TFG_UN_ABS, TFG_UN_SQUARE, TFG_UN_SQRT, TFG_UN_RSQRT,
    TFG_UN_EXP, TFG_UN_LOG, TFG_UN_LOG1P, TFG_UN_SIGMOID, TFG_UN_TANH,
    TFG_UN_RELU, TFG_UN_RELU6, TFG_UN_SIGN, TFG_UN_FLOOR, TFG_UN_CEIL,
    TFG_UN_ROUND,       /* banker's rounding, as tf.round */
    TFG_UN_RECIPROCAL, TFG_UN_SIN, TFG_UN_COS, TFG_UN_SOFTPLUS,
    TFG_UN_LOGICAL_NOT, /* bool only */
    TFG_UN_COUNT
} tfg_unop;

/* Result has x's dtype. Math functions on integer inputs are the graph
 * layer's business to reject; here they compute in double and convert back.
 * float32 results are TensorFlow's bits (see k_unary.c; rsqrt/reciprocal on
 * 8+ elements excepted). */
int tfg_k_unary(tfg_unop op, const tfg_tensor *x, tfg_tensor **out, tfg_error *err);

/* ---- matmul (k_matmul.c) -------------------------------------------------- */
/* Rank-2 a [m,k] (or [k,m] when ta) times b; float32 uses cblas_sgemm, float64
 * cblas_dgemm, integer types a plain loop (small float32 products in the
 * FMA order of TF's oneDNN kernel, see k_matmul.c). Rank >= 3 is a batched matmul over
 * the leading dims (which must be equal or broadcast). Mismatch, worded as
 * TF 2.x (which appends the two transpose flags):
 * "Matrix size-incompatible: In[0]: [1,2], In[1]: [3,1] 0 0". */
int tfg_k_matmul(const tfg_tensor *a, const tfg_tensor *b, bool ta, bool tb,
                 tfg_tensor **out, tfg_error *err);
/* A plain gradient-descent step fused into its product: c[i,j] -= lr * (op(a)
 * op(b))[i,j] in place, with the bits of tfg_k_matmul followed by
 * c[i] -= p[i] * lr, when tfg_k_matmul would run its own tiles for this
 * rank-2 float32 product (returns 1); 0, with c untouched, otherwise. */
int tfg_k_matmul_update(const tfg_tensor *a, const tfg_tensor *b, bool ta, bool tb, float lr, tfg_tensor *c);

/* ---- reductions (k_reduce.c) ---------------------------------------------- */
typedef enum {
    TFG_RED_SUM, TFG_RED_MEAN, TFG_RED_MAX, TFG_RED_MIN, TFG_RED_PROD,
    TFG_RED_ALL, TFG_RED_ANY,
    TFG_RED_COUNT
} tfg_reduce_op;

/* axes: naxes entries, may be negative (counted from the end), duplicates are
 * an error; naxes < 0 means every axis. keepdims keeps reduced axes as 1.
 * Float sum/mean/prod add in TensorFlow's CPU order: the same bits as TF. 
 * MEAN on ints is integer mean (truncating), as TF. MAX/MIN of an empty
 * reduction give -inf/+inf (floats) or the type's lowest/highest. */
int tfg_k_reduce(tfg_reduce_op op, const tfg_tensor *x, const int *axes, int naxes,
                 bool keepdims, tfg_tensor **out, tfg_error *err);

/* Index of the max (is_max) or min along axis; out dtype TFG_INT64 or TFG_INT32.
 * Ties pick the first; NaN is never picked (TF's rule, unlike numpy's). */
int tfg_k_argminmax(bool is_max, const tfg_tensor *x, int axis, tfg_dtype out_dtype,
                    tfg_tensor **out, tfg_error *err);

/* Softmax / log-softmax along the last axis (floats only). float32 gives
 * TF's bits (softmax: rows of up to 47 classes, as TF's oneDNN kernel on
 * AVX-512; longer rows within rounding). */
int tfg_k_softmax(const tfg_tensor *x, bool log, tfg_tensor **out, tfg_error *err);

/* ---- shape and data movement (k_shape.c) ---------------------------------- */
int tfg_k_cast(const tfg_tensor *x, tfg_dtype to, tfg_tensor **out, tfg_error *err);
/* shape may hold one -1 (inferred). Sizes must match:
 * "Input to reshape is a tensor with 6 values, but the requested shape has 4". */
int tfg_k_reshape(const tfg_tensor *x, int rank, const int64_t *shape,
                  tfg_tensor **out, tfg_error *err);
/* perm == NULL reverses the axes. */
int tfg_k_transpose(const tfg_tensor *x, const int *perm, tfg_tensor **out, tfg_error *err);
/* axis may be negative. All inputs same dtype and rank, equal except on axis. */
int tfg_k_concat(const tfg_tensor *const *xs, int n, int axis, tfg_tensor **out, tfg_error *err);
/* New axis at `axis` (may be negative, counted in the output's rank). */
int tfg_k_stack(const tfg_tensor *const *xs, int n, int axis, tfg_tensor **out, tfg_error *err);
/* Output of `shape` filled with the scalar `value` converted to dt. */
int tfg_k_fill(tfg_dtype dt, int rank, const int64_t *shape, const tfg_tensor *value,
               tfg_tensor **out, tfg_error *err);
/* numpy arange / tf.range: start, limit, delta are scalars; dtype dt. */
int tfg_k_range(double start, double limit, double delta, tfg_dtype dt,
                tfg_tensor **out, tfg_error *err);
/* tf.one_hot: indices (int) -> new axis `axis` (-1 = last) of length depth. */
int tfg_k_one_hot(const tfg_tensor *indices, int64_t depth, double on, double off,
                  int axis, tfg_dtype dt, tfg_tensor **out, tfg_error *err);
/* tf.tile */
int tfg_k_tile(const tfg_tensor *x, const int64_t *multiples, tfg_tensor **out, tfg_error *err);
/* tf.gather along axis 0 (or `axis`) with int indices. */
int tfg_k_gather(const tfg_tensor *x, const tfg_tensor *indices, int axis,
                 tfg_tensor **out, tfg_error *err);
/* tf.where(cond, x, y) / select, broadcasting (numpy rules over all three).
 * TF1's Select row form is kept: a vector cond of length x.shape[0], with x
 * and y of the same shape and rank > 1, picks whole rows (tf.compat.v1.where);
 * for tf.where_v2 semantics in that one case, pass cond reshaped to [1,n]. */
int tfg_k_select(const tfg_tensor *cond, const tfg_tensor *x, const tfg_tensor *y,
                 tfg_tensor **out, tfg_error *err);

/* Python/numpy basic indexing, one spec per indexed dim (x[1, 0:2, ::-1]).
 * Dims beyond nspec are taken whole. */
typedef struct {
    int kind;            /* TFG_SLICE_INDEX, TFG_SLICE_RANGE, TFG_SLICE_NEWAXIS */
    int64_t index;       /* for INDEX; negative counts from the end */
    bool has_start, has_stop;
    int64_t start, stop, step;   /* for RANGE; step != 0, default 1 */
} tfg_slice_spec;
enum { TFG_SLICE_INDEX, TFG_SLICE_RANGE, TFG_SLICE_NEWAXIS };
/* Out-of-range index: "slice index 5 of dimension 0 out of bounds." */
int tfg_k_slice(const tfg_tensor *x, const tfg_slice_spec *spec, int nspec,
                tfg_tensor **out, tfg_error *err);
/* Static result shape of the same indexing; dims may be -1 (unknown) in and
 * out. Returns -1 with err when provably out of range. */
int tfg_k_slice_shape(int rank, const int64_t *shape, const tfg_slice_spec *spec, int nspec,
                      int *rout, int64_t *sout, tfg_error *err);

/* ---- random (k_random.c) ----------------------------------------------------
 * Counter-based Philox4x32-10 as TensorFlow uses it, keyed by (seed, seed2),
 * so the same seeds give the same numbers on every run and machine; the
 * distributions follow TensorFlow's CPU kernels (uniform float from 23 mantissa
 * bits, normal by Box-Muller, truncated normal by rejection at 2 stddev). */
typedef struct {
    uint64_t seed, seed2;
    uint64_t counter;    /* 128-bit counter low half; advanced by every call
                          * (n outputs: n*256); a carry out of it increments
                          * seed2, the counter's high half, as TF's Skip does */
} tfg_rng;

void tfg_rng_init(tfg_rng *r, uint64_t seed, uint64_t seed2);
typedef enum { TFG_RAND_UNIFORM, TFG_RAND_NORMAL, TFG_RAND_TRUNCATED_NORMAL } tfg_rand_dist;
/* Fills a new float tensor: uniform in [a, b) or normal with mean a, stddev b. */
int tfg_k_random(tfg_rng *r, tfg_rand_dist dist, tfg_dtype dt, int rank, const int64_t *shape,
                 double a, double b, tfg_tensor **out, tfg_error *err);

/* ---- TensorFlow's float32 math (k_tfmath.c) --------------------------------
 * One float as TF's CPU kernels compute it inside whole 8-element (AVX)
 * packets, where Eigen's own approximations replace glibc; elements outside
 * whole packets take glibc's expf/logf/log1pf/sinf/cosf in TF, except tanh
 * (Eigen's rational on both paths) and sigmoid (the _scalar variant). */
float tfg_k_tf_expf_packet(float x);
/* The same on n elements at once (vectorised where the CPU allows; y may be x). */
void tfg_k_tf_expf_packet_n(const float *x, float *y, int64_t n);
float tfg_k_tf_logf_packet(float x);
float tfg_k_tf_log1pf_packet(float x);
float tfg_k_tf_tanhf(float x);
float tfg_k_tf_sigmoidf_packet(float x);
float tfg_k_tf_sigmoidf_scalar(float x);
float tfg_k_tf_sinf_packet(float x);
float tfg_k_tf_cosf_packet(float x);
/* exp as oneDNN's AVX-512 kernel inside TF's float32 Softmax computes it. */
float tfg_k_tf_expf_onednn(float x);

/* ---- threads (k_thread.c) ------------------------------------------------- */
/* Sets the number of threads parallel kernels (products included) may use;
 * n <= 0 restores the default, the number of online CPUs. The workers are a
 * resident pool, started on first use, that spins briefly between chunks. */
void tfg_k_set_threads(int n);
/* The thread count parallel kernels use now. */
int tfg_k_threads(void);
/* Runs fn(ctx, begin, end) over [0, n) cut into contiguous chunks, one per
 * thread, on up to tfg_k_threads() threads (the caller runs one chunk), each
 * chunk at least min_chunk long: small n run inline with no thread started.
 * Chunk bounds are multiples of 64 except the last. Returns after all ran. */
typedef void (*tfg_k_chunk_fn)(void *ctx, int64_t begin, int64_t end);
void tfg_k_parallel_for(int64_t n, int64_t min_chunk, tfg_k_chunk_fn fn, void *ctx);
/* The same with chunk bounds multiples of grain (but the last). Chunks are
 * claimed as threads come free, a few per thread. */
void tfg_k_parallel_grain(int64_t n, int64_t min_chunk, int64_t grain, tfg_k_chunk_fn fn, void *ctx);
/* fn over [0, n) cut into one block per thread (bounds multiples of grain,
 * the same for the same n, grain and thread count), block t on thread t
 * unless that thread has not started when the caller's own block is done:
 * kernels that call it over the same range keep each block's data in one
 * core's cache (a weight's columns in its product, gradient and update). */
void tfg_k_parallel_affine(int64_t n, int64_t grain, tfg_k_chunk_fn fn, void *ctx);
/* The block length tfg_k_parallel_affine(n, grain, ...) would use now (the
 * last block holds the rest). */
int64_t tfg_k_affine_block(int64_t n, int64_t grain);
/* Lends the machine to one call into a library that threads itself (OpenBLAS
 * on a large product): idle workers sleep; returns the thread count to give
 * it (1: the pool is in use or tfg is single-threaded). Pair with
 * tfg_k_exclusive_end(the returned count). */
int tfg_k_exclusive_begin(void);
void tfg_k_exclusive_end(int taken);

#endif
