/* ops.h — the op tables by family and the helpers their infer functions and
 * kernels share (module prefix tfg_ops_).
 *
 * Each family file (src/ops_<family>.c) exports one table of tfg_opdef and
 * its length; src/ops.c indexes them all for tfg_op_find / tfg_op_at.
 * The helpers here (implemented in src/shape.c) read a node's inputs' static
 * dtypes and shapes, fold constant inputs (axes, shapes, perms) and build
 * TensorFlow-worded errors. Infer functions run at graph-build time only, so
 * they may format strings freely; kernels must not (see the per-op notes in
 * the family files).
 *
 * Error wording follows TF 1.x graph building: shape errors end with
 *   " for 'NODE' (op: 'TYPE') with input shapes: [2], [3]."
 * optionally followed (before the final period) by
 *   " and with computed input tensors: input[1] = <3>" or
 *   " and with input tensors computed as partial shapes: input[1] = [4,?]".
 * dtype errors read as Python's op_def_library writes them:
 *   "Input 'y' of 'AddV2' Op has type int32 that does not match type float32 of argument 'x'."
 *   "Value passed to parameter 'x' has DataType int32 not in list of allowed values: float32, float64"
 */
#ifndef TFG_OPS_H
#define TFG_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "graph.h"

/* ---- the family tables ---------------------------------------------------- */
extern const tfg_opdef tfg_ops_math[];
extern const int tfg_ops_math_count;
extern const tfg_opdef tfg_ops_matmul[];
extern const int tfg_ops_matmul_count;
extern const tfg_opdef tfg_ops_reduce[];
extern const int tfg_ops_reduce_count;
extern const tfg_opdef tfg_ops_array[];
extern const int tfg_ops_array_count;
extern const tfg_opdef tfg_ops_state[];
extern const int tfg_ops_state_count;
extern const tfg_opdef tfg_ops_random[];
extern const int tfg_ops_random_count;
extern const tfg_opdef tfg_ops_grad[];
extern const int tfg_ops_grad_count;
extern const tfg_opdef tfg_ops_nn[];
extern const int tfg_ops_nn_count;
extern const tfg_opdef tfg_ops_train[];
extern const int tfg_ops_train_count;

/* ---- dtype sets (bit masks over tfg_dtype) --------------------------------- */
#define TFG_DT_BIT(dt) (1u << (unsigned)(dt))
enum {
    TFG_DTS_FLOAT  = (1u << TFG_FLOAT32) | (1u << TFG_FLOAT64),
    TFG_DTS_SIGNED = TFG_DTS_FLOAT | (1u << TFG_INT32) | (1u << TFG_INT64),
    TFG_DTS_REAL   = TFG_DTS_SIGNED | (1u << TFG_UINT8),        /* every number type */
    TFG_DTS_INDEX  = (1u << TFG_INT32) | (1u << TFG_INT64),     /* axes, shapes, perms */
    TFG_DTS_BOOL   = 1u << TFG_BOOL,
    TFG_DTS_ALL    = (1u << TFG_DTYPE_COUNT) - 1,
};

/* ---- reading a node's inputs at build time ---------------------------------- */
/* The value of the endpoint when its node is a Const, else NULL. */
const tfg_tensor *tfg_ops_const_value(tfg_endpoint e);
/* Static dtype and shape of input i of n. */
tfg_dtype tfg_ops_in_dtype(const tfg_node *n, int i);
const tfg_shape *tfg_ops_in_shape(const tfg_node *n, int i);
/* Sets n to one output of the given dtype and shape. Returns 0. */
int tfg_ops_set_output(tfg_node *n, tfg_dtype dt, const tfg_shape *s);
/* Runs ApplyGradientDescent node `gd`, whose delta is MatMul node `mm`'s
 * product of mm_in (the session skipped mm and the Identity ops between),
 * as one step: the update subtracts the product tile by tile where
 * tfg_k_matmul_update can (the same bits), else the two kernels in turn. */
int tfg_ops_gd_matmul(tfg_exec *x, const tfg_node *gd, const tfg_node *mm, tfg_tensor *const *mm_in,
                      tfg_tensor *const *gd_in, tfg_tensor **out, tfg_error *err);
/* Input i as a constant integer scalar (or one-element vector): true and *v
 * when it is a Const of an integer dtype, else false. */
bool tfg_ops_const_int(const tfg_node *n, int i, int64_t *v);
/* Input i, a shape tensor (int32/int64 vector), as a partial shape, as TF's
 * MakeShapeFromShapeTensor: a Const gives its values (-1 = unknown), a Shape
 * node gives its input's static shape, a Pack of scalars gives one dim per
 * value (constant or unknown); otherwise the rank when the vector's length is
 * static, else unknown rank. *partial is set when the value was (partially)
 * computed, for the message suffix. -1 with err on a negative value < -1
 * ("Invalid value in tensor used for shape: -3") or a vector longer than
 * TFG_MAX_RANK. */
int tfg_ops_shape_input(const tfg_node *n, int i, tfg_shape *out, bool *partial,
                        tfg_error *err);

/* ---- shape algebra ------------------------------------------------------------ */
/* TF's Merge: the most specific shape compatible with both; -1 with msg
 * ("Dimension 0 in both shapes must be equal, but are 2 and 3. Shapes are
 * [2] and [3]." or "Shapes must be equal rank, but are 1 and 2"). */
int tfg_ops_merge(const tfg_shape *a, const tfg_shape *b, tfg_shape *out, char *msg, size_t n);

/* Broadcast of inputs a and b of n (numpy rules, unknowns as
 * tfg_shape_broadcast); -1 with "Dimensions must be equal, but are 2 and 3
 * for 'Add' (op: 'AddV2') with input shapes: [2], [3]." */
int tfg_ops_broadcast(const tfg_node *n, const tfg_shape *a, const tfg_shape *b, tfg_shape *out,
                      tfg_error *err);
/* Merges the shapes of inputs [first, first+count) as TF's AddN/Pack do (from
 * the last to the first); -1 with "... From merging shape 0 with other
 * shapes. for 'AddN' (op: 'AddN') with input shapes: ...". */
int tfg_ops_merge_inputs(const tfg_node *n, int first, int count, tfg_shape *out,
                         tfg_error *err);

/* ---- error builders (all return -1) --------------------------------------------- */
/* "MSG for 'NODE' (op: 'TYPE') with input shapes: [2], [3]." */
int tfg_ops_shape_error(tfg_error *err, const tfg_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same, adding " and with computed input tensors: input[i] = <v>" for each
 * input i in the bit mask `computed` (their Const values) and " and with input
 * tensors computed as partial shapes: input[i] = [4,?]" for each in `partial`
 * (partial shapes computed by tfg_ops_shape_input). */
int tfg_ops_shape_error_with(tfg_error *err, const tfg_node *n, unsigned computed,
                             unsigned partial, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* "Input 'y' of 'AddV2' Op has type int32 that does not match type float32 of argument 'x'." */
int tfg_ops_type_mismatch(tfg_error *err, const tfg_node *n, const char *arg, tfg_dtype got,
                          const char *arg0, tfg_dtype want);
/* "Input 'x' of 'LogicalAnd' Op has type float32 that does not match expected type of bool." */
int tfg_ops_type_expected(tfg_error *err, const tfg_node *n, const char *arg, tfg_dtype got,
                          tfg_dtype want);
/* "Value passed to parameter 'x' has DataType int32 not in list of allowed values: float32, float64" */
int tfg_ops_type_not_allowed(tfg_error *err, const char *param, tfg_dtype got, unsigned allowed);
/* "Tensors in list passed to 'values' of 'ConcatV2' Op have types [float32, int32] that don't all match."
 * over inputs [first, first+count). */
int tfg_ops_type_list_mismatch(tfg_error *err, const tfg_node *n, const char *list, int first,
                               int count);

/* ---- checks used by many infer functions (fill err and return -1 on failure) --- */
/* Input i's dtype is in `allowed` (else the not-in-list message for `param`). */
int tfg_ops_check_dtype(const tfg_node *n, int i, const char *param, unsigned allowed,
                        tfg_error *err);
/* Input i has this rank when known ("Shape must be rank 1 but is rank 2 for ..."). */
int tfg_ops_check_rank(const tfg_node *n, int i, int rank, tfg_error *err);
/* Input i has at most / at least this rank when known. */
int tfg_ops_check_rank_at_most(const tfg_node *n, int i, int rank, tfg_error *err);
int tfg_ops_check_rank_at_least(const tfg_node *n, int i, int rank, tfg_error *err);

/* ---- for kernels: reading small integer tensors (no allocation) ------------------ */
/* Copies the elements of an integer tensor of at most `max` elements into
 * buf; -1 with err ("WHAT must have at most 8 elements") when larger. */
int tfg_ops_read_ints(const tfg_tensor *t, int64_t *buf, int max, int *count, const char *what,
                      tfg_error *err);
/* A shape vector (Fill's dims, random ops' shape) into dims; -1 with err
 * ("Dimension -1 must be >= 0") on a negative entry. */
int tfg_ops_read_dims(const tfg_tensor *t, int64_t *dims, int *rank, tfg_error *err);

#endif
