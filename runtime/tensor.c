/* tensor.c — dense host tensors: allocation, reference counting, element
 * access and dtype facts (module prefix tfg_tensor_, tfg_dtype_, tfg_error_).
 *
 * A tensor is ONE heap block: the tfg_tensor header at the start, then the
 * data at the first 64-byte boundary after it. tfg_tensor_unref frees the
 * block with one free(). Small tensors are malloc'ed and only their data
 * bytes are cleared (the header is written field by field), so a 2-element
 * tensor costs one malloc, a 16-byte memset and one free. Large ones come
 * from calloc, which for mmap-sized blocks returns fresh zero pages without
 * writing them (the first touch happens in the kernel's worker threads), and
 * are advised to use transparent huge pages as numpy does. A block larger
 * than the machine's physical memory is refused with TF's OOM message
 * before malloc is asked (lazy overcommit would "succeed", and sanitizer
 * builds abort on such requests).
 *
 * Blocks of 1 MiB and more are kept, when freed, in a small cache (the
 * allocator's own free list, the one piece of process-wide state here,
 * guarded by a mutex): a graph run again and again (a training loop, a
 * benchmark) gets its big outputs back without the page faults and kernel
 * page zeroing of fresh memory. tfg_tensor_new clears a reused block;
 * tfg_tensor_new_uninit, for kernels that write every element, does not.
 * Sanitizer builds bypass the cache so use-after-free stays detectable.
 */
#include "tensor.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

/* Bytes from the block start to the data: header rounded up; the +48 slack
 * covers malloc's 16-byte alignment rounding up to 64. */
#define TFG_HDR_BYTES (((sizeof(tfg_tensor) + 15) / 16) * 16)
#define TFG_ALIGN_SLACK 48
/* Below this many data bytes, malloc + memset; at or above, calloc. */
#define TFG_CALLOC_MIN (64 * 1024)
/* From this many data bytes on, ask for transparent huge pages. */
#define TFG_HUGEPAGE_MIN (4u << 20)

/* ---- the large-block cache ---------------------------------------------------- */
#define TFG_CACHE_MIN ((size_t)1 << 20)
#define TFG_CACHE_SLOTS 4
#if defined(__SANITIZE_ADDRESS__)
#define TFG_CACHE_ON 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TFG_CACHE_ON 0
#endif
#endif
#ifndef TFG_CACHE_ON
#define TFG_CACHE_ON 1
#endif

static struct {
    pthread_mutex_t mu;
    void *blk[TFG_CACHE_SLOTS];
    size_t cap[TFG_CACHE_SLOTS];
} big_cache = { PTHREAD_MUTEX_INITIALIZER, { 0 }, { 0 } };

/* A cached block of at least `need` bytes (and not much more), or NULL. */
static void *cache_take(size_t need, size_t *cap)
{
    if (!TFG_CACHE_ON || need < TFG_CACHE_MIN) return NULL;
    void *b = NULL;
    pthread_mutex_lock(&big_cache.mu);
    for (int i = 0; i < TFG_CACHE_SLOTS; i++)
        if (big_cache.blk[i] && big_cache.cap[i] >= need && big_cache.cap[i] - need <= need / 2) {
            b = big_cache.blk[i];
            *cap = big_cache.cap[i];
            big_cache.blk[i] = NULL;
            break;
        }
    pthread_mutex_unlock(&big_cache.mu);
    return b;
}

/* Keeps a freed big block for reuse; false when the cache is full. */
static bool cache_put(void *b, size_t cap)
{
    if (!TFG_CACHE_ON || cap < TFG_CACHE_MIN) return false;
    bool kept = false;
    pthread_mutex_lock(&big_cache.mu);
    for (int i = 0; i < TFG_CACHE_SLOTS && !kept; i++)
        if (!big_cache.blk[i]) {
            big_cache.blk[i] = b;
            big_cache.cap[i] = cap;
            kept = true;
        }
    pthread_mutex_unlock(&big_cache.mu);
    return kept;
}

/* Fills err->msg printf-style (when err is not NULL) and returns -1. */
int tfg_error_set(tfg_error *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Bytes per element of dt. */
size_t tfg_dtype_size(tfg_dtype dt)
{
    switch (dt) {
    case TFG_FLOAT32: return 4;
    case TFG_FLOAT64: return 8;
    case TFG_INT32: return 4;
    case TFG_INT64: return 8;
    case TFG_BOOL: return 1;
    case TFG_UINT8: return 1;
    default: return 0;
    }
}

/* numpy's name of dt. */
const char *tfg_dtype_name(tfg_dtype dt)
{
    static const char *const names[TFG_DTYPE_COUNT] = {
        "float32", "float64", "int32", "int64", "bool", "uint8"};
    return (unsigned)dt < TFG_DTYPE_COUNT ? names[dt] : "invalid";
}

/* TensorFlow's name of dt, as TF messages spell it. */
const char *tfg_dtype_tf_name(tfg_dtype dt)
{
    static const char *const names[TFG_DTYPE_COUNT] = {
        "float", "double", "int32", "int64", "bool", "uint8"};
    return (unsigned)dt < TFG_DTYPE_COUNT ? names[dt] : "invalid";
}

/* True for float32 and float64. */
bool tfg_dtype_is_float(tfg_dtype dt)
{
    return dt == TFG_FLOAT32 || dt == TFG_FLOAT64;
}

/* True for int32, int64 and uint8. */
bool tfg_dtype_is_int(tfg_dtype dt)
{
    return dt == TFG_INT32 || dt == TFG_INT64 || dt == TFG_UINT8;
}

/* Writes "[2,3]" (TF style, no spaces) into buf. */
void tfg_tensor_shape_str(int rank, const int64_t *shape, char *buf, size_t n)
{
    size_t used = 0;
    if (n == 0)
        return;
    buf[0] = '\0';
    used += (size_t)snprintf(buf, n, "[");
    for (int i = 0; i < rank && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, i ? ",%" PRId64 : "%" PRId64, shape[i]);
    if (used < n)
        snprintf(buf + used, n - used, "]");
}

static tfg_tensor *tensor_alloc(tfg_dtype dt, int rank, const int64_t *shape, bool zero, tfg_error *err);

/* Allocates a tensor of the given dtype and shape with zeroed data. */
tfg_tensor *tfg_tensor_new(tfg_dtype dt, int rank, const int64_t *shape, tfg_error *err)
{
    return tensor_alloc(dt, rank, shape, true, err);
}

/* Allocates a tensor whose data the caller overwrites entirely. */
tfg_tensor *tfg_tensor_new_uninit(tfg_dtype dt, int rank, const int64_t *shape, tfg_error *err)
{
    return tensor_alloc(dt, rank, shape, false, err);
}

/* The allocation behind both: one block, header then 64-byte-aligned data. */
static tfg_tensor *tensor_alloc(tfg_dtype dt, int rank, const int64_t *shape, bool zero, tfg_error *err)
{
    if ((unsigned)dt >= TFG_DTYPE_COUNT) {
        tfg_error_set(err, "Invalid dtype %d", (int)dt);
        return NULL;
    }
    if (rank < 0 || rank > TFG_MAX_RANK) {
        tfg_error_set(err, "Tensor rank %d is outside [0, %d]", rank, TFG_MAX_RANK);
        return NULL;
    }
    int64_t size = 1;
    bool overflow = false;
    for (int i = 0; i < rank; i++) {
        if (shape[i] < 0) {
            tfg_error_set(err, "Dimension %" PRId64 " must be >= 0", shape[i]);
            return NULL;
        }
        if (__builtin_mul_overflow(size, shape[i], &size))
            overflow = true;
    }
    size_t esz = tfg_dtype_size(dt);
    int64_t nbytes = 0;
    /* the block must stay well below PTRDIFF_MAX so pointer arithmetic is defined */
    if (overflow || __builtin_mul_overflow(size, (int64_t)esz, &nbytes) ||
        nbytes > INT64_MAX / 2) {
        overflow = true;
    }
    if (!overflow && nbytes >= ((int64_t)1 << 30)) {
        /* refuse blocks larger than the machine's memory up front: malloc
         * might "succeed" lazily, and sanitizers abort instead of failing */
        long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
        if (pages > 0 && psz > 0 && nbytes / psz > pages)
            overflow = true;
    }
    tfg_tensor *t = NULL;
    size_t total = 0, cap = 0;
    bool reused = false;
    if (!overflow) {
        total = TFG_HDR_BYTES + TFG_ALIGN_SLACK + (size_t)nbytes;
        t = cache_take(total, &cap);
        reused = t != NULL;
        if (!t) {
            t = (nbytes < TFG_CALLOC_MIN || !zero) ? malloc(total) : calloc(1, total);
            cap = total;
        }
    }
    if (!t) {
        char s[256];
        tfg_tensor_shape_str(rank, shape, s, sizeof s);
        tfg_error_set(err, "OOM when allocating tensor with shape%s and type %s", s,
                      tfg_dtype_tf_name(dt));
        return NULL;
    }
    uintptr_t d = ((uintptr_t)t + TFG_HDR_BYTES + 63) & ~(uintptr_t)63;
    t->dtype = dt;
    t->rank = rank;
    /* fixed-size clear plus an unrolled copy: GCC would make the plain
     * loops "rep movsq", whose start-up cost dominates a small tensor */
    memset(t->shape, 0, sizeof t->shape);
#pragma GCC unroll 8
    for (int i = 0; i < rank; i++)
        t->shape[i] = shape[i];
    t->size = size;
    t->data = (void *)d;
    t->refcount = 1;
    t->block_bytes = cap;
    if (nbytes < TFG_CALLOC_MIN || reused) {
        if (zero) memset(t->data, 0, (size_t)nbytes);
    } else if ((uint64_t)nbytes >= TFG_HUGEPAGE_MIN) {
        /* advisory only: a failure (THP off) changes nothing */
        uintptr_t lo = (d + 4095) & ~(uintptr_t)4095;
        uintptr_t hi = (d + (uintptr_t)nbytes) & ~(uintptr_t)4095;
        if (hi > lo)
            (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
    }
    return t;
}

/* See tensor.h: the data pointer moves within the same heap block (freed
 * through t itself, so the block is still released whole). */
void tfg_tensor_reshape_tail(tfg_tensor *t, size_t skip, tfg_dtype dt, int rank, const int64_t *shape)
{
    int64_t size = 1;
    for (int i = 0; i < rank; i++)
        size *= shape[i];
    t->data = (char *)t->data + skip;
    t->dtype = dt;
    t->rank = rank;
    memset(t->shape, 0, sizeof t->shape);
    memcpy(t->shape, shape, sizeof(int64_t) * (size_t)rank);
    t->size = size;
}

/* A scalar tensor holding v converted to dt. */
tfg_tensor *tfg_tensor_scalar_f(tfg_dtype dt, double v, tfg_error *err)
{
    tfg_tensor *t = tfg_tensor_new(dt, 0, NULL, err);
    if (t)
        tfg_tensor_set_f(t, 0, v);
    return t;
}

/* A scalar tensor holding v converted to dt. */
tfg_tensor *tfg_tensor_scalar_i(tfg_dtype dt, int64_t v, tfg_error *err)
{
    tfg_tensor *t = tfg_tensor_new(dt, 0, NULL, err);
    if (t)
        tfg_tensor_set_i(t, 0, v);
    return t;
}

/* Adds a reference to t and returns it. */
tfg_tensor *tfg_tensor_ref(tfg_tensor *t)
{
    if (t)
        __atomic_add_fetch(&t->refcount, 1, __ATOMIC_RELAXED);
    return t;
}

/* Drops a reference; frees the tensor with its last one. NULL is fine. */
void tfg_tensor_unref(tfg_tensor *t)
{
    if (!t)
        return;
    /* the sole owner needs no atomic read-modify-write */
    if (__atomic_load_n(&t->refcount, __ATOMIC_ACQUIRE) == 1 ||
        __atomic_sub_fetch(&t->refcount, 1, __ATOMIC_ACQ_REL) == 0) {
        if (!cache_put(t, t->block_bytes)) free(t);
    }
}

/* Deep copy of t (new reference). */
tfg_tensor *tfg_tensor_copy(const tfg_tensor *t, tfg_error *err)
{
    tfg_tensor *c = tfg_tensor_new(t->dtype, t->rank, t->shape, err);
    if (c && t->size)
        memcpy(c->data, t->data, (size_t)t->size * tfg_dtype_size(t->dtype));
    return c;
}

/* Element i as a double, whatever the dtype. */
double tfg_tensor_get_f(const tfg_tensor *t, int64_t i)
{
    switch (t->dtype) {
    case TFG_FLOAT32: return ((const float *)t->data)[i];
    case TFG_FLOAT64: return ((const double *)t->data)[i];
    case TFG_INT32: return ((const int32_t *)t->data)[i];
    case TFG_INT64: return (double)((const int64_t *)t->data)[i];
    case TFG_BOOL: return ((const uint8_t *)t->data)[i] != 0;
    case TFG_UINT8: return ((const uint8_t *)t->data)[i];
    default: return 0;
    }
}

/* Element i as an int64 (floats convert as tfg_f64_to_i64). */
int64_t tfg_tensor_get_i(const tfg_tensor *t, int64_t i)
{
    switch (t->dtype) {
    case TFG_FLOAT32: return tfg_f64_to_i64(((const float *)t->data)[i]);
    case TFG_FLOAT64: return tfg_f64_to_i64(((const double *)t->data)[i]);
    case TFG_INT32: return ((const int32_t *)t->data)[i];
    case TFG_INT64: return ((const int64_t *)t->data)[i];
    case TFG_BOOL: return ((const uint8_t *)t->data)[i] != 0;
    case TFG_UINT8: return ((const uint8_t *)t->data)[i];
    default: return 0;
    }
}

/* Writes element i from a double, converted as TF's Cast does. */
void tfg_tensor_set_f(tfg_tensor *t, int64_t i, double v)
{
    switch (t->dtype) {
    case TFG_FLOAT32: ((float *)t->data)[i] = (float)v; break;
    case TFG_FLOAT64: ((double *)t->data)[i] = v; break;
    case TFG_INT32: ((int32_t *)t->data)[i] = tfg_f64_to_i32(v); break;
    case TFG_INT64: ((int64_t *)t->data)[i] = tfg_f64_to_i64(v); break;
    case TFG_BOOL: ((uint8_t *)t->data)[i] = v != 0; break;
    case TFG_UINT8: ((uint8_t *)t->data)[i] = tfg_f64_to_u8(v); break;
    default: break;
    }
}

/* Writes element i from an int64, converted as TF's Cast does (wrapping). */
void tfg_tensor_set_i(tfg_tensor *t, int64_t i, int64_t v)
{
    switch (t->dtype) {
    case TFG_FLOAT32: ((float *)t->data)[i] = (float)v; break;
    case TFG_FLOAT64: ((double *)t->data)[i] = (double)v; break;
    case TFG_INT32: ((int32_t *)t->data)[i] = (int32_t)(uint32_t)(uint64_t)v; break;
    case TFG_INT64: ((int64_t *)t->data)[i] = v; break;
    case TFG_BOOL: ((uint8_t *)t->data)[i] = v != 0; break;
    case TFG_UINT8: ((uint8_t *)t->data)[i] = (uint8_t)(uint64_t)v; break;
    default: break;
    }
}

/* True when a and b have the same rank and dims. */
bool tfg_tensor_same_shape(const tfg_tensor *a, const tfg_tensor *b)
{
    if (a->rank != b->rank)
        return false;
    for (int i = 0; i < a->rank; i++)
        if (a->shape[i] != b->shape[i])
            return false;
    return true;
}
