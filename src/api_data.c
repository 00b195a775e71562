/* api_data.c — what a training script needs beyond TensorFlow: data-set
 * loaders and minibatches (table tfg_tfapi_data_functions, names resolve
 * like tf.* ones), and the extra modules a script may import ("time"...).
 * Each builtin has a Python definition in tests/oracle/prelude.py.
 *
 * Builtins (documented in tfg(5)):
 *   read_data_sets(train_dir, fake_data=False, one_hot=False, dtype=tf.float32,
 *                  reshape=True, validation_size=5000, seed=None)
 *       TF 1.x's input_data.read_data_sets over the four MNIST idx files of
 *       train_dir (gzipped or not; nothing is downloaded). Returns Datasets
 *       with .train/.validation/.test DataSets: .num_examples, .images,
 *       .labels, .epochs_completed, next_batch(batch_size, fake_data=False,
 *       shuffle=True) with TF's epoch semantics. Images stay uint8 in memory;
 *       each batch is converted (float32: x * float32(1/255)). Shuffles come
 *       from splitmix64 (seed, split) streams and a Fisher-Yates pass over the
 *       split's current order, so a seed gives the same batches everywhere
 *       (seed=None: the graph-level seed if set, else 0).
 *   load(path, key=None, dtype=None)
 *       one file into a host array: .npy, .npz (key, or "f.npz:key"), .csv
 *       (float64), MNIST idx (gzipped or not).
 * Modules for `import`: time (time, perf_counter), sys (argv, exit: an error), os (getenv,
 * makedirs, path), os.path (join, exists, isdir, dirname, basename), math
 * (sqrt, exp, log, floor, ceil, pi, e, inf, nan), tfg (the builtins above),
 * tensorflow.examples.tutorials.mnist (input_data) and its input_data
 * (read_data_sets). */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "api_tf.h"
#include "../runtime/io.h"

#define B(fn) static int fn(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)

/* ---- argument helpers --------------------------------------------------------------- */
/* Records an out-of-memory error. */
static int oom(tfg_eval *ev, tfg_loc loc) { return tfg_eval_error(ev, loc, "out of memory"); }

/* Reads an int argument (int, bool, or an integer numpy scalar). */
static int int_arg(tfg_eval *ev, tfg_val v, tfg_loc loc, const char *what, int64_t *out)
{
    if (v.t == TFG_V_INT || v.t == TFG_V_BOOL) { *out = v.u.i; return 0; }
    if (v.t == TFG_V_ARRAY && tfg_val_as_array(v)->rank == 0 && tfg_dtype_is_int(tfg_val_as_array(v)->dtype)) {
        *out = tfg_tensor_get_i(tfg_val_as_array(v), 0);
        return 0;
    }
    return tfg_eval_error(ev, loc, "%s must be an integer, not %s", what, tfg_val_type_name(v));
}

/* Reads a number argument as double (int, float, bool, numpy scalar). */
static int num_arg(tfg_eval *ev, tfg_val v, tfg_loc loc, const char *what, double *out)
{
    if (tfg_val_is_number(v)) { *out = tfg_val_to_double(v); return 0; }
    if (v.t == TFG_V_ARRAY && tfg_val_as_array(v)->rank == 0) {
        *out = tfg_tensor_get_f(tfg_val_as_array(v), 0);
        return 0;
    }
    return tfg_eval_error(ev, loc, "must be real number, not %s", what ? tfg_val_type_name(v) : "?");
}

/* Reads a str argument. */
static int str_arg(tfg_eval *ev, tfg_val v, tfg_loc loc, const char *fname, const char **out)
{
    if (v.t == TFG_V_STR) { *out = tfg_val_as_str(v)->s; return 0; }
    return tfg_eval_error(ev, loc, "%s: expected str, bytes or os.PathLike object, not %s", fname,
                          tfg_val_type_name(v));
}

/* Reads a bool argument (absent: def; None counts as False, as Python's truth). */
static int flag_arg(tfg_eval *ev, tfg_val v, bool def, tfg_loc loc, bool *out)
{
    if (v.t == TFG_V_MISSING) { *out = def; return 0; }
    return tfg_eval_truth(ev, v, loc, out);
}

/* Reads a dtype argument (tf.float32, np.uint8, "float32"). */
static int dtype_arg(tfg_eval *ev, tfg_val v, tfg_loc loc, int *out)
{
    if (v.t == TFG_V_DTYPE) { *out = (int)v.u.i; return 0; }
    if (v.t == TFG_V_STR) {
        const char *s = tfg_val_as_str(v)->s;
        for (int d = 0; d < TFG_DTYPE_COUNT; d++)
            if (!strcmp(s, tfg_dtype_name((tfg_dtype)d)) || !strcmp(s, tfg_dtype_tf_name((tfg_dtype)d))) {
                *out = d;
                return 0;
            }
    }
    return tfg_eval_error(ev, loc, "Cannot convert %s to a dtype", tfg_val_type_name(v));
}

/* ---- the shuffle generator: splitmix64, the same in prelude.py ------------------------ */
#define SPLIT_GOLDEN 0x9E3779B97F4A7C15ULL
#define SPLIT_STREAM 0xD1B54A32D192ED03ULL

/* The next 64 random bits of a splitmix64 state. */
static uint64_t splitmix_next(uint64_t *s)
{
    uint64_t z = (*s += SPLIT_GOLDEN);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Fisher-Yates shuffle of order[0..n): i from n-1 down to 1 swaps i with next() % (i+1). */
static void shuffle_order(int64_t *order, int64_t n, uint64_t *s)
{
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)(splitmix_next(s) % (uint64_t)(i + 1));
        int64_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

/* ---- DataSet ------------------------------------------------------------------------ */
typedef struct dataset {
    tfg_tensor *images;        /* uint8 [total, rows, cols], shared by the splits */
    tfg_tensor *labels;        /* uint8 [total] */
    int64_t first, n;          /* this split: images[first .. first+n) */
    int64_t rows, cols;
    int64_t *order;            /* the current order (indexes into the split) */
    int64_t index_in_epoch, epochs_completed;
    uint64_t rng;
    bool as_float, reshape, one_hot, fake;
} dataset;

/* Frees a DataSet's state. */
static void ds_free(void *p)
{
    dataset *d = p;
    tfg_tensor_unref(d->images);
    tfg_tensor_unref(d->labels);
    free(d->order);
    free(d);
}

static int ds_getattr(tfg_eval *ev, tfg_val self, const char *name, tfg_loc loc, tfg_val *out);

static const tfg_objclass DATASET_CLASS = {
    "DataSet", "tensorflow.contrib.learn.python.learn.datasets.mnist", ds_getattr, ds_free,
};
static const tfg_objclass DATASETS_CLASS = {
    "Datasets", "tensorflow.contrib.learn.python.learn.datasets.base", NULL, NULL,
};

/* The DataSet state of a value, or NULL when it is not a DataSet. */
static dataset *ds_of(tfg_val v)
{
    if (v.t != TFG_V_OBJECT || ((tfg_objectobj *)v.u.p)->cls != &DATASET_CLASS) return NULL;
    return ((tfg_objectobj *)v.u.p)->state;
}

/* o[i] = float(s[i]) * scale for n bytes; compiled twice so that the compiler's
 * vector code uses AVX2 where the CPU has it (one multiply: the bits of numpy's). */
#define U8_TO_F32(fn, attrs)                                                                      \
    attrs static void fn(const uint8_t *restrict s, float *restrict o, int64_t n, float scale) \
    {                                                                                            \
        for (int64_t i = 0; i < n; i++) o[i] = (float)s[i] * scale;                              \
    }
U8_TO_F32(u8_to_f32_avx2, __attribute__((target("avx2"), optimize("O3"))))
U8_TO_F32(u8_to_f32_base, __attribute__((optimize("O3"))))
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/* The same, 16 at a time with AVX-512 (widen, convert exactly, one multiply). */
__attribute__((target("avx512f"))) static void u8_to_f32_avx512(const uint8_t *restrict s, float *restrict o,
                                                                int64_t n, float scale)
{
    const __m512 k = _mm512_set1_ps(scale);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        _mm512_storeu_ps(o + i, _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(b)), k));
    }
    for (; i < n; i++) o[i] = (float)s[i] * scale;
}
#define U8_HAVE_512 1
#endif

/* Builds the images array of the rows idx[0..k) of the split (float32 in [0,1] or uint8). */
static int ds_images(tfg_eval *ev, const dataset *d, const int64_t *idx, int64_t k, tfg_loc loc, tfg_val *out)
{
    tfg_error e;
    int64_t px = d->rows * d->cols;
    int64_t shape[4] = { k, px, 0, 0 };
    int rank = 2;
    if (!d->reshape) { shape[1] = d->rows; shape[2] = d->cols; shape[3] = 1; rank = 4; }
    tfg_tensor *t = tfg_tensor_new_uninit(d->as_float ? TFG_FLOAT32 : TFG_UINT8, rank, shape, &e);
    if (!t) return tfg_eval_error(ev, loc, "%s", e.msg);
    const uint8_t *src = (const uint8_t *)d->images->data;
    if (d->as_float) {
        const float scale = (float)(1.0 / 255.0);   /* numpy: float32 array * Python float */
        float *dst = t->data;
        bool avx2 = __builtin_cpu_supports("avx2");
#ifdef U8_HAVE_512
        bool avx512 = __builtin_cpu_supports("avx512f");
#endif
        /* the rows are scattered over the data set: ask for a few rows ahead, so
         * their cache misses overlap instead of stalling one row at a time */
        enum { AHEAD = 8 };
        for (int64_t r = 0; r < k && r < AHEAD; r++)
            for (int64_t b = 0; b < px; b += 64) __builtin_prefetch(src + (d->first + idx[r]) * px + b);
        for (int64_t r = 0; r < k; r++) {
            if (r + AHEAD < k)
                for (int64_t b = 0; b < px; b += 64) __builtin_prefetch(src + (d->first + idx[r + AHEAD]) * px + b);
            const uint8_t *s = src + (d->first + idx[r]) * px;
#ifdef U8_HAVE_512
            if (avx512) { u8_to_f32_avx512(s, dst + r * px, px, scale); continue; }
#endif
            if (avx2) u8_to_f32_avx2(s, dst + r * px, px, scale);
            else u8_to_f32_base(s, dst + r * px, px, scale);
        }
    } else {
        uint8_t *dst = t->data;
        for (int64_t r = 0; r < k; r++) memcpy(dst + r * px, src + (d->first + idx[r]) * px, (size_t)px);
    }
    *out = tfg_val_array(t);
    return 0;
}

/* Builds the labels array of the rows idx[0..k): uint8 [k], or float64 one-hot [k,10]. */
static int ds_labels(tfg_eval *ev, const dataset *d, const int64_t *idx, int64_t k, tfg_loc loc, tfg_val *out)
{
    tfg_error e;
    int64_t shape[2] = { k, 10 };
    tfg_tensor *t = d->one_hot ? tfg_tensor_new(TFG_FLOAT64, 2, shape, &e)
                               : tfg_tensor_new_uninit(TFG_UINT8, 1, shape, &e);
    if (!t) return tfg_eval_error(ev, loc, "%s", e.msg);
    const uint8_t *src = (const uint8_t *)d->labels->data + d->first;
    for (int64_t r = 0; r < k; r++) {
        uint8_t l = src[idx[r]];
        if (!d->one_hot) ((uint8_t *)t->data)[r] = l;
        else if (l < 10) ((double *)t->data)[r * 10 + l] = 1.0;
    }
    *out = tfg_val_array(t);
    return 0;
}

/* A (images, labels) tuple of the rows idx[0..k). */
static int ds_batch(tfg_eval *ev, const dataset *d, const int64_t *idx, int64_t k, tfg_loc loc, tfg_val *out)
{
    tfg_val im, lb;
    if (ds_images(ev, d, idx, k, loc, &im)) return -1;
    if (ds_labels(ev, d, idx, k, loc, &lb)) { tfg_val_decref(im); return -1; }
    tfg_val tup = tfg_val_list_new(TFG_V_TUPLE, 2);
    if (tup.t == TFG_V_MISSING) { tfg_val_decref(im); tfg_val_decref(lb); return oom(ev, loc); }
    if (tfg_val_list_append(tup, im) || tfg_val_list_append(tup, lb)) { tfg_val_decref(tup); return oom(ev, loc); }
    *out = tup;
    return 0;
}

/* next_batch(fake_data=True): TF's lists of [1]*784 images and label 0 (or one-hot [1,0,...]). */
static int ds_fake_batch(tfg_eval *ev, const dataset *d, int64_t bs, tfg_loc loc, tfg_val *out)
{
    tfg_val ims = tfg_val_list_new(TFG_V_LIST, (int)bs), lbs = tfg_val_list_new(TFG_V_LIST, (int)bs);
    tfg_val img = tfg_val_list_new(TFG_V_LIST, 784), lab;
    bool bad = ims.t == TFG_V_MISSING || lbs.t == TFG_V_MISSING || img.t == TFG_V_MISSING;
    for (int i = 0; !bad && i < 784; i++) bad = tfg_val_list_append(img, tfg_val_int(1)) != 0;
    if (d->one_hot) {
        lab = tfg_val_list_new(TFG_V_LIST, 10);
        bad = bad || lab.t == TFG_V_MISSING;
        for (int i = 0; !bad && i < 10; i++) bad = tfg_val_list_append(lab, tfg_val_int(i == 0)) != 0;
    } else {
        lab = tfg_val_int(0);
    }
    for (int64_t i = 0; !bad && i < bs; i++)
        bad = tfg_val_list_append(ims, tfg_val_incref(img)) || tfg_val_list_append(lbs, tfg_val_incref(lab));
    tfg_val_decref(img);
    tfg_val_decref(lab);
    tfg_val tup = bad ? (tfg_val){ .t = TFG_V_MISSING } : tfg_val_list_new(TFG_V_LIST, 2);
    if (tup.t == TFG_V_MISSING || tfg_val_list_append(tup, ims) || tfg_val_list_append(tup, lbs)) {
        if (tup.t == TFG_V_MISSING) { tfg_val_decref(ims); tfg_val_decref(lbs); }
        tfg_val_decref(tup);
        return oom(ev, loc);
    }
    *out = tup;
    return 0;
}

/* DataSet.next_batch(batch_size, fake_data=False, shuffle=True), TF's epoch semantics:
 * the first call shuffles; a batch that runs past the end takes the rest of the
 * epoch, reshuffles, and tops up from the new order. */
B(m_next_batch)
{
    dataset *d = ds_of(self);
    tfg_val v[3];
    if (tfg_eval_bind(ev, a, "next_batch", "batch_size,fake_data=,shuffle=", v)) return -1;
    int64_t bs;
    bool fake, shuffle;
    if (int_arg(ev, v[0], a->loc, "batch_size", &bs) || flag_arg(ev, v[1], false, a->loc, &fake) ||
        flag_arg(ev, v[2], true, a->loc, &shuffle))
        return -1;
    if (bs < 0 || bs > (1LL << 30)) return tfg_eval_error(ev, a->loc, "batch_size must be from 0 to 2**30, not %lld",
                                                           (long long)bs);
    if (fake) return ds_fake_batch(ev, d, bs, a->loc, out);
    if (d->fake)
        return tfg_eval_error(ev, a->loc, "this DataSet holds fake data: call next_batch(batch_size, fake_data=True)");
    int64_t start = d->index_in_epoch, n = d->n;
    if (d->epochs_completed == 0 && start == 0 && shuffle) shuffle_order(d->order, n, &d->rng);
    if (start + bs <= n) {
        d->index_in_epoch += bs;
        int rc = ds_batch(ev, d, d->order + start, bs, a->loc, out);
        /* the rows of the next batch of this size, when it stays in this epoch,
         * start moving into the cache while the caller trains on this one */
        int64_t px = d->rows * d->cols;
        if (rc == 0 && start + 2 * bs <= n && bs * px <= (1 << 20))
            for (int64_t r = start + bs; r < start + 2 * bs; r++) {
                const char *row = (const char *)d->images->data + (d->first + d->order[r]) * px;
                for (int64_t b = 0; b < px; b += 64) __builtin_prefetch(row + b, 0, 2);
            }
        return rc;
    }
    /* finished epoch: the rest of this one, then the start of the next */
    d->epochs_completed++;
    int64_t rest = n - start;
    int64_t nrest = rest > 0 ? rest : 0;
    int64_t end = bs - rest;
    int64_t nnew = end < 0 ? 0 : end > n ? n : end;
    int64_t *idx = malloc((size_t)(nrest + nnew + 1) * sizeof *idx);
    if (!idx) return oom(ev, a->loc);
    if (nrest) memcpy(idx, d->order + start, (size_t)nrest * sizeof *idx);
    if (shuffle) shuffle_order(d->order, n, &d->rng);
    d->index_in_epoch = end;
    if (nnew) memcpy(idx + nrest, d->order, (size_t)nnew * sizeof *idx);
    int rc = ds_batch(ev, d, idx, nrest + nnew, a->loc, out);
    free(idx);
    return rc;
}

static const tfg_builtin M_NEXT_BATCH = { "next_batch", m_next_batch, NULL, 0 };

/* DataSet attributes: num_examples, images, labels, epochs_completed, next_batch. */
static int ds_getattr(tfg_eval *ev, tfg_val self, const char *name, tfg_loc loc, tfg_val *out)
{
    dataset *d = ds_of(self);
    if (!d) return 1;
    if (!strcmp(name, "num_examples")) { *out = tfg_val_int(d->n); return 0; }
    if (!strcmp(name, "epochs_completed")) { *out = tfg_val_int(d->epochs_completed); return 0; }
    if (!strcmp(name, "next_batch")) { *out = tfg_val_builtin(&M_NEXT_BATCH, self); return 0; }
    if (!strcmp(name, "images") || !strcmp(name, "labels")) {
        if (d->fake) {
            *out = tfg_val_list_new(TFG_V_LIST, 0);
            return out->t == TFG_V_MISSING ? oom(ev, loc) : 0;
        }
        return name[0] == 'i' ? ds_images(ev, d, d->order, d->n, loc, out) : ds_labels(ev, d, d->order, d->n, loc, out);
    }
    return 1;
}

/* A new DataSet value over images[first .. first+n) (images/labels may be NULL for fake data). */
static int ds_new(tfg_eval *ev, tfg_tensor *images, tfg_tensor *labels, int64_t first, int64_t n, bool as_float,
                  bool reshape, bool one_hot, uint64_t seed, int stream, tfg_loc loc, tfg_val *out)
{
    dataset *d = calloc(1, sizeof *d);
    if (!d || !(d->order = malloc((size_t)(n + 1) * sizeof *d->order))) { free(d); return oom(ev, loc); }
    d->images = images ? tfg_tensor_ref(images) : NULL;
    d->labels = labels ? tfg_tensor_ref(labels) : NULL;
    d->first = first;
    d->n = n;
    d->rows = images ? images->shape[1] : 28;
    d->cols = images ? images->shape[2] : 28;
    for (int64_t i = 0; i < n; i++) d->order[i] = i;
    d->rng = seed + SPLIT_STREAM * (uint64_t)(stream + 1);
    d->as_float = as_float;
    d->reshape = reshape;
    d->one_hot = one_hot;
    d->fake = images == NULL;
    tfg_val v = tfg_val_object(&DATASET_CLASS);
    if (v.t == TFG_V_MISSING) { ds_free(d); return oom(ev, loc); }
    ((tfg_objectobj *)v.u.p)->state = d;
    *out = v;
    return 0;
}

/* ---- read_data_sets ---------------------------------------------------------------------- */
/* Gzipped idx files inflate with libdeflate when the system has it (Debian's
 * libdeflate0, loaded at run time; about twice zlib's speed on these files),
 * straight into the tensor; anything unusual (no library, several gzip
 * members, not ubyte data, sizes that disagree) goes to runtime/io.c's zlib
 * reader, which also words every error. */
typedef void *(*deflate_alloc_fn)(void);
typedef void (*deflate_free_fn)(void *);
typedef int (*deflate_gunzip_fn)(void *, const void *, size_t, void *, size_t, size_t *, size_t *);
static struct {
    pthread_once_t once;
    deflate_alloc_fn alloc;
    deflate_free_fn free;
    deflate_gunzip_fn gunzip;
} libdeflate = { PTHREAD_ONCE_INIT, NULL, NULL, NULL };

/* Loads libdeflate's three entry points (once); leaves them NULL when it is absent. */
static void libdeflate_load(void)
{
    if (getenv("TFG_NO_LIBDEFLATE")) return;
    void *h = dlopen("libdeflate.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!h) return;
    deflate_alloc_fn a = (deflate_alloc_fn)dlsym(h, "libdeflate_alloc_decompressor");
    deflate_free_fn f = (deflate_free_fn)dlsym(h, "libdeflate_free_decompressor");
    deflate_gunzip_fn g = (deflate_gunzip_fn)dlsym(h, "libdeflate_gzip_decompress_ex");
    if (a && f && g) { libdeflate.alloc = a; libdeflate.free = f; libdeflate.gunzip = g; }
}

/* One idx file to read (on a thread of its own for the large one). While
 * it inflates, `out` holds a second reference to the output tensor, for
 * another thread to fault its pages in (see idx_populate); `done` is set
 * once inflating is over. */
typedef struct idx_job {
    char path[4096];
    tfg_tensor *t;
    tfg_error e;
    int rc;
    bool populate;   /* set: publish `out` (the large file) */
    _Atomic(tfg_tensor *) out;
    atomic_bool done;
} idx_job;

/* Reads a gzipped ubyte idx file with libdeflate into a new tensor; NULL when
 * the fast path does not apply (the caller then uses tfg_io_read_idx). */
static tfg_tensor *idx_read_libdeflate(const char *path, idx_job *j)
{
    pthread_once(&libdeflate.once, libdeflate_load);
    if (!libdeflate.gunzip) return NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat st;
    tfg_tensor *t = NULL;
    void *dec = NULL;
    unsigned char *in = MAP_FAILED;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < 18 || st.st_size > ((off_t)1 << 32)) goto out;
    in = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (in == MAP_FAILED) goto out;
    madvise(in, (size_t)st.st_size, MADV_SEQUENTIAL);
    size_t n = (size_t)st.st_size;
    if (in[0] != 0x1f || in[1] != 0x8b) goto out;
    uint32_t isize = (uint32_t)in[n - 4] | (uint32_t)in[n - 3] << 8 | (uint32_t)in[n - 2] << 16 |
                     (uint32_t)in[n - 1] << 24;   /* the gzip trailer: the size mod 2**32 */
    if (isize < 4) goto out;
    /* the file inflates at an offset such that a rank-3 payload (16-byte
     * header) starts on the tensor's 64-byte boundary: no copy to drop it */
    int64_t len = (int64_t)isize + 48;
    tfg_error e;
    t = tfg_tensor_new_uninit(TFG_UINT8, 1, &len, &e);
    if (!t || !(dec = libdeflate.alloc())) goto fail;
    if (j->populate) atomic_store(&j->out, tfg_tensor_ref(t));
    unsigned char *raw = (unsigned char *)t->data + 48;
    size_t used = 0, got = 0;
    if (libdeflate.gunzip(dec, in, n, raw, (size_t)isize, &used, &got) != 0 || used != n || got != isize)
        goto fail;
    /* the idx header: 0, 0, type 0x08 (ubyte), rank, then rank big-endian dims */
    const unsigned char *h = raw;
    int rank = h[3];
    size_t hl = 4 + 4 * (size_t)rank;
    if (h[0] || h[1] || h[2] != 0x08 || rank < 1 || rank > TFG_MAX_RANK || hl > got) goto fail;
    int64_t shape[TFG_MAX_RANK], size = 1;
    for (int i = 0; i < rank; i++) {
        const unsigned char *q = h + 4 + 4 * i;
        shape[i] = (int64_t)((uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3]);
        if (shape[i] && size > (int64_t)isize / shape[i]) goto fail;   /* a header that lies */
        size *= shape[i];
    }
    if ((uint64_t)size != got - hl) goto fail;
    if (hl == 16) {
        tfg_tensor_reshape_tail(t, 64, TFG_UINT8, rank, shape);
    } else {
        memmove(t->data, raw + hl, (size_t)size);
        tfg_tensor_reshape_tail(t, 0, TFG_UINT8, rank, shape);
    }
    goto out;
fail:
    tfg_tensor_unref(t);
    t = NULL;
out:
    if (dec) libdeflate.free(dec);
    if (in != MAP_FAILED) munmap(in, (size_t)st.st_size);
    close(fd);
    return t;
}

/* Reads one idx file (a thread body): libdeflate's fast path, else runtime/io.c. */
static void *idx_job_run(void *p)
{
    idx_job *j = p;
    j->t = idx_read_libdeflate(j->path, j);
    atomic_store(&j->done, true);
    j->rc = j->t ? 0 : tfg_io_read_idx(j->path, &j->t, &j->e);
    return NULL;
}

/* Faults in the pages of job j's output from the end backwards while it
 * inflates from the start (the kernel's page clearing then runs on this
 * otherwise idle thread); advisory and content-preserving
 * (MADV_POPULATE_WRITE), so racing the writer is harmless. Drops the job's
 * second reference. */
static void idx_populate(idx_job *j)
{
    tfg_tensor *t;
    for (;;) {   /* `done` first: `out` is published before it */
        bool finished = atomic_load(&j->done);
        if ((t = atomic_exchange(&j->out, NULL)) || finished) break;
        sched_yield();
    }
    if (!t) return;
#ifdef MADV_POPULATE_WRITE
    const size_t chunk = (size_t)2 << 20;
    uintptr_t lo = ((uintptr_t)t->data + 4095) & ~(uintptr_t)4095;
    uintptr_t hi = ((uintptr_t)t->data + (uintptr_t)t->size) & ~(uintptr_t)4095;
    for (uintptr_t end = hi; end > lo && !atomic_load(&j->done);) {
        uintptr_t beg = end - lo > chunk ? end - chunk : lo;
        if (madvise((void *)beg, end - beg, MADV_POPULATE_WRITE)) break;
        end = beg;
    }
#endif
    tfg_tensor_unref(t);
}

/* Finds DIR/NAME.gz, else DIR/NAME; -1 with a message when neither exists. */
static int find_idx(tfg_eval *ev, const char *dir, const char *name, tfg_loc loc, char *path, size_t n)
{
    size_t dl = strlen(dir);
    const char *sep = dl && dir[dl - 1] == '/' ? "" : "/";
    if ((size_t)snprintf(path, n, "%s%s%s.gz", dir, sep, name) >= n)
        return tfg_eval_error(ev, loc, "read_data_sets: path too long");
    if (access(path, F_OK) == 0) return 0;
    snprintf(path, n, "%s%s%s", dir, sep, name);
    if (access(path, F_OK) == 0) return 0;
    return tfg_eval_error(ev, loc, "read_data_sets: no '%s%s%s.gz' (nor uncompressed): tfg reads MNIST-format idx "
                                   "files from train_dir and downloads nothing (Fashion-MNIST: Debian's "
                                   "dataset-fashion-mnist, /usr/share/datasets/fashion-mnist)", dir, sep, name);
}

/* read_data_sets(train_dir, fake_data=False, one_hot=False, dtype=tf.float32, reshape=True,
 *                validation_size=5000, seed=None, source_url=None) */
B(b_read_data_sets)
{
    (void)self;
    tfg_val v[8];
    if (tfg_eval_bind(ev, a, "read_data_sets",
                      "train_dir,fake_data=,one_hot=,dtype=,reshape=,validation_size=,seed=,source_url=", v))
        return -1;
    const char *dir = NULL;
    bool fake, one_hot, reshape;
    int dt = TFG_FLOAT32;
    int64_t vsize = 5000, seed = 0;
    if (str_arg(ev, v[0], a->loc, "read_data_sets", &dir) || flag_arg(ev, v[1], false, a->loc, &fake) ||
        flag_arg(ev, v[2], false, a->loc, &one_hot) || (given(v[3]) && dtype_arg(ev, v[3], a->loc, &dt)) ||
        flag_arg(ev, v[4], true, a->loc, &reshape) ||
        (given(v[5]) && int_arg(ev, v[5], a->loc, "validation_size", &vsize)) ||
        (given(v[6]) && int_arg(ev, v[6], a->loc, "seed", &seed)))
        return -1;
    if (!given(v[6]) && ev->g->has_seed) seed = ev->g->seed;
    if (dt != TFG_FLOAT32 && dt != TFG_UINT8)
        return tfg_eval_error(ev, a->loc, "Invalid image dtype tf.%s, expected uint8 or float32",
                              tfg_dtype_name((tfg_dtype)dt));
    bool as_float = dt == TFG_FLOAT32;
    tfg_val sets = tfg_val_object(&DATASETS_CLASS);
    if (sets.t == TFG_V_MISSING) return oom(ev, a->loc);
    static const char *const split_names[3] = { "train", "validation", "test" };
    tfg_val split[3] = { { .t = TFG_V_MISSING }, { .t = TFG_V_MISSING }, { .t = TFG_V_MISSING } };
    idx_job *jobs = NULL;
    int rc = -1;
    if (fake) {
        for (int i = 0; i < 3; i++)
            if (ds_new(ev, NULL, NULL, 0, 10000, as_float, reshape, one_hot, (uint64_t)seed, i, a->loc, &split[i]))
                goto done;
    } else {
        static const char *const files[4] = { "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                              "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" };
        jobs = calloc(4, sizeof *jobs);
        if (!jobs) { oom(ev, a->loc); goto done; }
        for (int i = 0; i < 4; i++)
            if (find_idx(ev, dir, files[i], a->loc, jobs[i].path, sizeof jobs[i].path)) goto done;
        /* the big file inflates on a second thread while this one reads the
         * rest, then faults in the big file's pages from the far end */
        jobs[0].populate = true;
        pthread_t th;
        bool threaded = pthread_create(&th, NULL, idx_job_run, &jobs[0]) == 0;
        if (!threaded) idx_job_run(&jobs[0]);
        for (int i = 1; i < 4; i++) idx_job_run(&jobs[i]);
        idx_populate(&jobs[0]);
        if (threaded) pthread_join(th, NULL);
        for (int i = 0; i < 4; i++) {
            if (!ev->opts.quiet) fprintf(ev->out ? ev->out : stdout, "Extracting %s\n", jobs[i].path);
            if (jobs[i].rc) { tfg_eval_error(ev, a->loc, "%s", jobs[i].e.msg); goto done; }
        }
        for (int i = 0; i < 4; i++) {
            tfg_tensor *t = jobs[i].t;
            bool img = i % 2 == 0;
            if (t->dtype != TFG_UINT8 || t->rank != (img ? 3 : 1)) {
                tfg_eval_error(ev, a->loc, "Invalid MNIST %s file: %s (expected %s ubyte data, magic %d)",
                               img ? "image" : "label", jobs[i].path, img ? "3-d" : "1-d", img ? 2051 : 2049);
                goto done;
            }
        }
        for (int i = 0; i < 4; i += 2)
            if (jobs[i].t->shape[0] != jobs[i + 1].t->shape[0]) {
                tfg_eval_error(ev, a->loc, "images.shape: (%lld, %lld, %lld, 1) labels.shape: (%lld,)",
                               (long long)jobs[i].t->shape[0], (long long)jobs[i].t->shape[1],
                               (long long)jobs[i].t->shape[2], (long long)jobs[i + 1].t->shape[0]);
                goto done;
            }
        int64_t ntrain = jobs[0].t->shape[0];
        if (vsize < 0 || vsize > ntrain) {
            tfg_eval_error(ev, a->loc, "Validation size should be between 0 and %lld. Received: %lld.",
                           (long long)ntrain, (long long)vsize);
            goto done;
        }
        if (ds_new(ev, jobs[0].t, jobs[1].t, vsize, ntrain - vsize, as_float, reshape, one_hot, (uint64_t)seed, 0,
                   a->loc, &split[0]) ||
            ds_new(ev, jobs[0].t, jobs[1].t, 0, vsize, as_float, reshape, one_hot, (uint64_t)seed, 1, a->loc,
                   &split[1]) ||
            ds_new(ev, jobs[2].t, jobs[3].t, 0, jobs[2].t->shape[0], as_float, reshape, one_hot, (uint64_t)seed, 2,
                   a->loc, &split[2]))
            goto done;
    }
    for (int i = 0; i < 3; i++) {
        if (tfg_val_dict_set(((tfg_objectobj *)sets.u.p)->attrs, tfg_val_cstr(split_names[i]), split[i])) {
            split[i].t = TFG_V_MISSING;
            oom(ev, a->loc);
            goto done;
        }
        split[i].t = TFG_V_MISSING;
    }
    *out = sets;
    sets.t = TFG_V_MISSING;
    rc = 0;
done:
    for (int i = 0; i < 3; i++) tfg_val_decref(split[i]);
    tfg_val_decref(sets);
    if (jobs)
        for (int i = 0; i < 4; i++) tfg_tensor_unref(jobs[i].t);
    free(jobs);
    return rc;
}

/* load(path, key=None, dtype=None): one .npy/.npz/.csv/idx file as a host array. */
B(b_load)
{
    (void)self;
    tfg_val v[3];
    if (tfg_eval_bind(ev, a, "load", "path,key=,dtype=", v)) return -1;
    const char *path = NULL, *key = NULL;
    int dt = -1;
    if (str_arg(ev, v[0], a->loc, "load", &path) || (given(v[1]) && str_arg(ev, v[1], a->loc, "load", &key)) ||
        (given(v[2]) && dtype_arg(ev, v[2], a->loc, &dt)))
        return -1;
    tfg_error e;
    tfg_tensor *t;
    int rc;
    if (key) {
        size_t l = strlen(path);
        if (l < 4 || strcasecmp(path + l - 4, ".npz"))
            return tfg_eval_error(ev, a->loc, "load: key= needs an .npz file, not '%s'", path);
        rc = tfg_io_read_npz(path, key, &t, &e);
    } else {
        rc = tfg_io_load(path, &t, &e);
    }
    if (rc) return tfg_eval_error(ev, a->loc, "%s", e.msg);
    if (dt >= 0 && t->dtype != (tfg_dtype)dt) {
        tfg_tensor *c;
        rc = tfg_k_cast(t, (tfg_dtype)dt, &c, &e);
        tfg_tensor_unref(t);
        if (rc) return tfg_eval_error(ev, a->loc, "%s", e.msg);
        t = c;
    }
    *out = tfg_val_array(t);
    return 0;
}

const tfg_builtin tfg_tfapi_data_functions[] = {
    { "read_data_sets", b_read_data_sets, NULL, -1 },
    { "load", b_load, NULL, -1 },
    { NULL, NULL, NULL, 0 },
};

/* ---- module time ---------------------------------------------------------------------------- */
/* time.time() / time.perf_counter(): seconds as a float (flag 0 wall clock, 1 monotonic). */
B(t_time)
{
    if (tfg_eval_bind(ev, a, self.u.i ? "perf_counter" : "time", "", NULL)) return -1;
    struct timespec ts;
    clock_gettime(self.u.i ? CLOCK_MONOTONIC : CLOCK_REALTIME, &ts);
    *out = tfg_val_float((double)ts.tv_sec + (double)ts.tv_nsec * 1e-9);
    return 0;
}

/* ---- module math ---------------------------------------------------------------------------- */
/* math.sqrt/exp/log/floor/ceil (flag 0..4) on a real number, with Python's errors. */
B(m_math)
{
    static const char *const names[] = { "sqrt", "exp", "log", "floor", "ceil" };
    int k = (int)self.u.i;
    tfg_val v[2];
    if (tfg_eval_bind(ev, a, names[k], k == 2 ? "x,base=" : "x", v)) return -1;
    if (k >= 3 && (v[0].t == TFG_V_INT || v[0].t == TFG_V_BOOL)) { *out = tfg_val_int(v[0].u.i); return 0; }
    double x, r;
    if (num_arg(ev, v[0], a->loc, names[k], &x)) return -1;
    switch (k) {
    case 0:
        if (x < 0) return tfg_eval_error(ev, a->loc, "math domain error");
        r = sqrt(x);
        break;
    case 1:
        r = exp(x);
        if (isinf(r) && !isinf(x)) return tfg_eval_error(ev, a->loc, "math range error");
        break;
    case 2:
        if (x <= 0) return tfg_eval_error(ev, a->loc, "math domain error");
        r = log(x);
        if (v[1].t != TFG_V_MISSING) {
            double b;
            if (num_arg(ev, v[1], a->loc, names[k], &b)) return -1;
            if (b <= 0) return tfg_eval_error(ev, a->loc, "math domain error");
            if (b == 1) return tfg_eval_error(ev, a->loc, "float division by zero");
            r /= log(b);
        }
        break;
    default:
        if (isnan(x)) return tfg_eval_error(ev, a->loc, "cannot convert float NaN to integer");
        if (isinf(x)) return tfg_eval_error(ev, a->loc, "cannot convert float infinity to integer");
        r = k == 3 ? floor(x) : ceil(x);
        if (fabs(r) >= 9.2e18) return tfg_eval_error(ev, a->loc, "integer too large for tfg");
        *out = tfg_val_int((int64_t)r);
        return 0;
    }
    *out = tfg_val_float(r);
    return 0;
}

/* ---- module os, os.path ------------------------------------------------------------------ */
/* os.getenv(key, default=None) */
B(o_getenv)
{
    (void)self;
    tfg_val v[2];
    const char *key = NULL;
    if (tfg_eval_bind(ev, a, "getenv", "key,default=", v) || str_arg(ev, v[0], a->loc, "getenv", &key)) return -1;
    const char *s = getenv(key);
    if (s) *out = tfg_val_cstr(s);
    else *out = v[1].t == TFG_V_MISSING ? tfg_val_none() : tfg_val_incref(v[1]);
    return out->t == TFG_V_MISSING ? oom(ev, a->loc) : 0;
}

/* os.makedirs(name, exist_ok=False): creates the folder and its missing parents. */
B(o_makedirs)
{
    (void)self;
    tfg_val v[3];
    const char *name = NULL;
    bool exist_ok;
    if (tfg_eval_bind(ev, a, "makedirs", "name,mode=,exist_ok=", v) || str_arg(ev, v[0], a->loc, "makedirs", &name) ||
        flag_arg(ev, v[2], false, a->loc, &exist_ok))
        return -1;
    size_t l = strlen(name);
    char *p = malloc(l + 1);
    if (!p) return oom(ev, a->loc);
    memcpy(p, name, l + 1);
    struct stat st;
    int rc = 0;
    if (stat(p, &st) == 0) {
        if (!exist_ok || !S_ISDIR(st.st_mode)) rc = tfg_eval_error(ev, a->loc, "[Errno 17] File exists: '%s'", name);
    } else {
        for (size_t i = 1; i <= l && rc == 0; i++) {
            if (i < l && p[i] != '/') continue;
            char c = p[i];
            p[i] = 0;
            if (mkdir(p, 0777) != 0 && errno != EEXIST)
                rc = tfg_eval_error(ev, a->loc, "[Errno %d] %s: '%s'", errno, strerror(errno), p);
            p[i] = c;
        }
    }
    free(p);
    if (!rc) *out = tfg_val_none();
    return rc;
}

/* os.path.join(a, *p): Python's posixpath.join (an absolute part restarts the path). */
B(p_join)
{
    (void)self;
    tfg_val v[2];
    if (tfg_eval_bind(ev, a, "join", "a,*p", v)) return -1;
    tfg_sb b = { 0 };
    const tfg_list *rest = tfg_val_as_list(v[1]);
    int rc = 0;
    for (int i = -1; i < rest->n && rc == 0; i++) {
        const char *s = NULL;
        if (str_arg(ev, i < 0 ? v[0] : rest->items[i], a->loc, "join", &s)) { rc = -1; break; }
        if (s[0] == '/') b.len = 0;
        else if (b.len && b.s[b.len - 1] != '/') tfg_sb_add(&b, "/");
        tfg_sb_add(&b, s);
    }
    if (!rc) {
        *out = b.s ? tfg_val_str(b.s, b.len) : tfg_val_cstr("");
        if (b.oom || out->t == TFG_V_MISSING) rc = oom(ev, a->loc);
    }
    free(b.s);
    tfg_val_decref(v[1]);
    return rc;
}

/* os.path.exists / isdir (flag 0 / 1): false for a missing path, never an error. */
B(p_exists)
{
    tfg_val v[1];
    if (tfg_eval_bind(ev, a, self.u.i ? "isdir" : "exists", "path", v)) return -1;
    struct stat st;
    bool ok = v[0].t == TFG_V_STR && stat(tfg_val_as_str(v[0])->s, &st) == 0 && (!self.u.i || S_ISDIR(st.st_mode));
    *out = tfg_val_bool(ok);
    return 0;
}

/* os.path.dirname / basename (flag 0 / 1), as posixpath splits at the last '/'. */
B(p_split)
{
    tfg_val v[1];
    const char *s = NULL;
    if (tfg_eval_bind(ev, a, self.u.i ? "basename" : "dirname", "p", v) ||
        str_arg(ev, v[0], a->loc, self.u.i ? "basename" : "dirname", &s))
        return -1;
    const char *slash = strrchr(s, '/');
    size_t cut = slash ? (size_t)(slash - s) + 1 : 0;
    if (self.u.i) {
        *out = tfg_val_cstr(s + cut);
    } else {
        size_t l = cut;
        while (l > 1 && s[l - 1] == '/') l--;   /* strip trailing slashes unless all slashes */
        bool all = true;
        for (size_t i = 0; i < cut; i++) all = all && s[i] == '/';
        *out = tfg_val_str(s, all ? cut : l);
    }
    return out->t == TFG_V_MISSING ? oom(ev, a->loc) : 0;
}

/* sys.exit(arg=None): stops the script as an error; a str argument is the
 * message (Python prints it and exits 1), a number gives "SystemExit: N". */
B(s_exit)
{
    (void)self;
    (void)out;
    tfg_val v[1];
    if (tfg_eval_bind(ev, a, "exit", "status=", v)) return -1;
    if (v[0].t == TFG_V_STR) return tfg_eval_error(ev, a->loc, "%s", tfg_val_as_str(v[0])->s);
    tfg_sb b = { 0 };
    tfg_sb_add(&b, "SystemExit: ");
    if (v[0].t == TFG_V_MISSING) tfg_sb_add(&b, "None");
    else tfg_val_str_into(&b, v[0]);
    int rc = tfg_eval_error(ev, a->loc, "%s", b.s ? b.s : "SystemExit");
    free(b.s);
    return rc;
}

#undef B

/* Members of the extra modules: builtins by module path. */
typedef struct module_fn {
    const char *path;
    tfg_builtin def;
} module_fn;

static const module_fn module_fns[] = {
    { "time", { "time", t_time, NULL, 0 } },
    { "time", { "perf_counter", t_time, NULL, 1 } },
    { "math", { "sqrt", m_math, NULL, 0 } },
    { "math", { "exp", m_math, NULL, 1 } },
    { "math", { "log", m_math, NULL, 2 } },
    { "math", { "floor", m_math, NULL, 3 } },
    { "math", { "ceil", m_math, NULL, 4 } },
    { "sys", { "exit", s_exit, NULL, -1 } },
    { "os", { "getenv", o_getenv, NULL, -1 } },
    { "os", { "makedirs", o_makedirs, NULL, -1 } },
    { "os.path", { "join", p_join, NULL, -1 } },
    { "os.path", { "exists", p_exists, NULL, 0 } },
    { "os.path", { "isdir", p_exists, NULL, 1 } },
    { "os.path", { "dirname", p_split, NULL, 0 } },
    { "os.path", { "basename", p_split, NULL, 1 } },
    { "tensorflow.examples.tutorials.mnist.input_data", { "read_data_sets", b_read_data_sets, NULL, -1 } },
};

static const char *const module_paths[] = {
    "time", "sys", "os", "os.path", "math", "tfg", "tensorflow.examples.tutorials.mnist",
    "tensorflow.examples.tutorials.mnist.input_data", NULL,
};

/* Whether `import PATH` names one of the modules above. */
bool tfg_api_data_is_module(const char *path)
{
    for (int i = 0; module_paths[i]; i++)
        if (!strcmp(path, module_paths[i])) return true;
    return false;
}

/* sys.argv: a new list of the script's path and arguments. */
static int sys_argv(tfg_eval *ev, tfg_val *out)
{
    int script_argc = ev->opts.argc;
    const char *const *script_argv = ev->opts.argv;
    tfg_val l = tfg_val_list_new(TFG_V_LIST, script_argc);
    if (l.t == TFG_V_MISSING) return -1;
    if (!script_argv) {   /* not set by a command line: the script's own path */
        const char *p = ev->src ? ev->src->name : "";
        if (tfg_val_list_append(l, tfg_val_cstr(p ? p : ""))) { tfg_val_decref(l); return -1; }
    }
    for (int i = 0; i < script_argc; i++) {
        tfg_val s = tfg_val_cstr(script_argv[i]);
        if (s.t == TFG_V_MISSING || tfg_val_list_append(l, s)) { tfg_val_decref(l); return -1; }
    }
    *out = l;
    return 0;
}

/* Member NAME of module PATH: 0 found, 1 absent, -1 error. */
int tfg_api_data_module(tfg_eval *ev, const char *path, const char *name, tfg_val *out)
{
    for (size_t i = 0; i < sizeof module_fns / sizeof *module_fns; i++)
        if (!strcmp(module_fns[i].path, path) && !strcmp(module_fns[i].def.name, name)) {
            const tfg_builtin *b = &module_fns[i].def;
            *out = tfg_val_builtin(b, b->flag >= 0 ? tfg_val_int(b->flag) : (tfg_val){ .t = TFG_V_MISSING });
            return out->t == TFG_V_MISSING ? tfg_eval_error(ev, (tfg_loc){ 0 }, "out of memory") : 0;
        }
    if (!strcmp(path, "sys") && !strcmp(name, "argv"))
        return sys_argv(ev, out) ? tfg_eval_error(ev, (tfg_loc){ 0 }, "out of memory") : 0;
    if (!strcmp(path, "os") && !strcmp(name, "path")) { *out = tfg_val_module("os.path"); return 0; }
    if (!strcmp(path, "os.path") && !strcmp(name, "sep")) { *out = tfg_val_cstr("/"); return 0; }
    if (!strcmp(path, "os") && !strcmp(name, "sep")) { *out = tfg_val_cstr("/"); return 0; }
    if (!strcmp(path, "math")) {
        static const struct { const char *n; double v; } consts[] = {
            { "pi", 3.141592653589793 }, { "e", 2.718281828459045 }, { "inf", INFINITY }, { "nan", NAN },
        };
        for (size_t i = 0; i < sizeof consts / sizeof *consts; i++)
            if (!strcmp(name, consts[i].n)) { *out = tfg_val_float(consts[i].v); return 0; }
    }
    if (!strcmp(path, "tensorflow.examples.tutorials.mnist") && !strcmp(name, "input_data")) {
        *out = tfg_val_module("tensorflow.examples.tutorials.mnist.input_data");
        return 0;
    }
    if (!strcmp(path, "tfg"))
        for (const tfg_builtin *b = tfg_tfapi_data_functions; b->name; b++)
            if (!strcmp(b->name, name)) {
                *out = tfg_val_builtin(b, (tfg_val){ .t = TFG_V_MISSING });
                return 0;
            }
    return 1;
}
