/* tensor.h — dense host tensors, dtypes and the error record (module prefix tfg_tensor_, tfg_dtype_, tfg_error_).
 *
 * Ownership: tensors are reference counted. Every function that returns a
 * tfg_tensor* (tfg_tensor_new, kernels' `out` parameters, loaders) hands the
 * caller one reference, which the caller releases with tfg_tensor_unref.
 * Functions taking `const tfg_tensor *` borrow: they neither keep nor release.
 * tfg_tensor_ref adds a reference. Data is row-major (C order), contiguous.
 */
#ifndef TFG_TENSOR_H
#define TFG_TENSOR_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define TFG_MAX_RANK 8

typedef enum {
    TFG_FLOAT32 = 0,
    TFG_FLOAT64,
    TFG_INT32,
    TFG_INT64,
    TFG_BOOL,   /* one byte per element, 0 or 1 */
    TFG_UINT8,
    TFG_DTYPE_COUNT
} tfg_dtype;

/* An error message filled by a failing call; functions that can fail return
 * 0 on success and -1 on failure after filling *err (err may be NULL). */
typedef struct tfg_error {
    char msg[1024];
} tfg_error;

/* Fills err->msg printf-style (when err is not NULL) and returns -1. */
int tfg_error_set(tfg_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

typedef struct tfg_tensor {
    tfg_dtype dtype;
    int rank;                        /* 0 for a scalar */
    int64_t shape[TFG_MAX_RANK];
    int64_t size;                    /* number of elements (product of shape) */
    void *data;                      /* size * tfg_dtype_size(dtype) bytes, 64-byte aligned */
    int refcount;
    size_t block_bytes;              /* size of the heap block (allocator use) */
} tfg_tensor;

size_t tfg_dtype_size(tfg_dtype dt);
/* numpy's name: "float32", "float64", "int32", "int64", "bool", "uint8" */
const char *tfg_dtype_name(tfg_dtype dt);
/* TensorFlow's name used in TF messages: "float", "double", "int32", "int64", "bool", "uint8" */
const char *tfg_dtype_tf_name(tfg_dtype dt);
bool tfg_dtype_is_float(tfg_dtype dt);
bool tfg_dtype_is_int(tfg_dtype dt);   /* int32, int64, uint8 */

/* New tensor with uninitialised data (zeroed, in fact: calloc-like). NULL and
 * err filled when the size overflows or memory runs out
 * ("OOM when allocating tensor with shape[...]"). */
tfg_tensor *tfg_tensor_new(tfg_dtype dt, int rank, const int64_t *shape, tfg_error *err);
/* Same, with data left unset: for kernels that write every element. Large
 * blocks may come from the allocator's cache of recently freed ones. */
tfg_tensor *tfg_tensor_new_uninit(tfg_dtype dt, int rank, const int64_t *shape, tfg_error *err);
/* Makes t (a sole owner's uninitialised-or-filled tensor) a view of its own
 * data from byte offset `skip` (a multiple of 64) on, with the given dtype
 * and shape, which must fit in what remains: lets a loader read a file's
 * header and payload into one block and keep the payload without a copy. */
void tfg_tensor_reshape_tail(tfg_tensor *t, size_t skip, tfg_dtype dt, int rank, const int64_t *shape);
/* A scalar tensor from a double / int64 value converted to dt. */
tfg_tensor *tfg_tensor_scalar_f(tfg_dtype dt, double v, tfg_error *err);
tfg_tensor *tfg_tensor_scalar_i(tfg_dtype dt, int64_t v, tfg_error *err);
tfg_tensor *tfg_tensor_ref(tfg_tensor *t);
void tfg_tensor_unref(tfg_tensor *t);   /* NULL is fine */
/* Deep copy. */
tfg_tensor *tfg_tensor_copy(const tfg_tensor *t, tfg_error *err);

/* Element i (flat index) read as double / int64, whatever the dtype. */
double tfg_tensor_get_f(const tfg_tensor *t, int64_t i);
int64_t tfg_tensor_get_i(const tfg_tensor *t, int64_t i);
/* Element i written from a double / int64, converted as numpy's astype does
 * (float->int truncates toward zero; ->bool is != 0). */
void tfg_tensor_set_f(tfg_tensor *t, int64_t i, double v);
void tfg_tensor_set_i(tfg_tensor *t, int64_t i, int64_t v);

bool tfg_tensor_same_shape(const tfg_tensor *a, const tfg_tensor *b);
/* Writes "[2,3]" (TF style, no spaces) into buf. */
void tfg_tensor_shape_str(int rank, const int64_t *shape, char *buf, size_t n);

/* Float to integer conversions as TensorFlow's CPU Cast does on x86 (and
 * numpy's astype): truncation toward zero; NaN and out-of-range values give
 * the type's lowest value (the "integer indefinite" of cvttsd2si); uint8
 * goes through int32 and keeps the low byte (300.7 -> 44, -1.5 -> 255). */
static inline int64_t tfg_f64_to_i64(double v)
{
    return (v >= -9223372036854775808.0 && v < 9223372036854775808.0) ? (int64_t)v : INT64_MIN;
}
static inline int32_t tfg_f64_to_i32(double v)
{
    return (v > -2147483649.0 && v < 2147483648.0) ? (int32_t)v : INT32_MIN;
}
static inline uint8_t tfg_f64_to_u8(double v)
{
    return (uint8_t)(uint32_t)tfg_f64_to_i32(v);
}

#endif
