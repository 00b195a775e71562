/* test_gradcheck.c — numerical gradient check of every op that has a
 * gradient, generated from the op table.
 *
 * For every op whose tfg_opdef.grad is set there must be at least one entry
 * in `specs` below (test_every_gradient_has_a_spec fails and lists the ops
 * that have none, so a new op cannot skip the check). Each entry builds
 * y = OP(inputs) on float64 placeholders, takes the symbolic gradient of
 * L = sum(y * r) for a random r (tf.gradients with grad_ys = r; an op with
 * several float outputs sums them all, or those in `outs`) and compares
 * it with central differences of L, computed in float64, within 1e-6
 * relative; a None gradient counts as zero. The same graph in float32 must
 * then give the float64 gradients within float32 rounding (1e-4 of the
 * gradient's magnitude). Entries flagged NONE check instead that the
 * gradient is None, where TF declares an op not differentiable although it
 * is mathematically (Range, OneHot, Cast to integers).
 *
 * Inputs are strings, "KIND:SHAPE[=VALUES][@DOMAIN]":
 *   f  a float input differentiated against: a placeholder of static shape
 *   d  the same, declared with unknown dimensions (rank known)
 *   u  the same, declared with unknown rank
 *   c  a float constant (random, not differentiated)
 *   i  an int32 constant with the given VALUES
 *   I  an int32 placeholder (static shape) fed the VALUES
 *   b  a bool constant, random or the given VALUES
 *   o  "o:TYPE(i,j)": TYPE applied to inputs i, j (earlier in the list)
 *      with the case's attributes, for ops whose inputs must agree, such
 *      as MaxPoolGrad's orig_output = MaxPool(orig_input)
 * SHAPE is comma-separated dims (empty: a scalar). Random floats are
 * uniform in [-2, 2] unless DOMAIN says "lo,hi", or "~lo,hi" for
 * lo <= |x| <= hi with a random sign (away from a kink or a pole).
 * Adding a case is one line in `specs`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "src/gradients.h"
#include "src/graph.h"
#include "src/ops.h"
#include "src/session.h"

enum { NONE = 1 }; /* spec flags: TF gives None by design, no numerical check */
#define MAX_IN 6

typedef struct {
    const char *op;          /* TF op type */
    const char *label;       /* what the case covers */
    const char *in[MAX_IN];  /* inputs, see above */
    tfg_attrs at;            /* attributes (shape.rank 0 unless set) */
    unsigned flags;
    double eps, tol;         /* 0: 1e-6 and 1e-6 */
    unsigned outs;           /* the outputs L sums over, a bit mask (0: every float output) */
} spec;

/* Indexing specs for StridedSlice cases: {kind, index, has_start, has_stop, start, stop, step}. */
#define RNG(a, b, s) { TFG_SLICE_RANGE, 0, true, true, a, b, s }
#define FROM(a, s) { TFG_SLICE_RANGE, 0, true, false, a, 0, s }
#define ALL(s) { TFG_SLICE_RANGE, 0, false, false, 0, 0, s }
#define IDX(i) { TFG_SLICE_INDEX, i, false, false, 0, 0, 1 }
#define NEWAXIS { TFG_SLICE_NEWAXIS, 0, false, false, 0, 0, 1 }
#define SLICES(...) .slices = (tfg_slice_spec[]){ __VA_ARGS__ }, \
                    .nslices = (int)(sizeof((tfg_slice_spec[]){ __VA_ARGS__ }) / sizeof(tfg_slice_spec))

/* Entries leave trailing fields out (zero: no attributes, flags or overrides). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const spec specs[] = {
    /* elementwise binary, with broadcasting, dynamic dims and unknown ranks */
    { "AddV2", "same", { "f:2,3", "f:2,3" } },
    { "AddV2", "row", { "f:2,3", "f:3" } },
    { "AddV2", "outer", { "f:2,1", "f:1,3" } },
    { "AddV2", "scalar", { "f:", "f:2,3" } },
    { "AddV2", "dynamic", { "d:2,3", "f:3" } },
    { "AddV2", "unknown-rank", { "u:2,3", "f:2,1" } },
    { "Add", "row", { "f:2,3", "f:3" } },
    { "Sub", "same", { "f:2,3", "f:2,3" } },
    { "Sub", "broadcast", { "f:3", "f:2,3" } },
    { "Sub", "dynamic", { "d:2,3", "d:1,3" } },
    { "Mul", "same", { "f:2,3", "f:2,3" } },
    { "Mul", "row", { "f:2,3", "f:3" } },
    { "Mul", "rank3", { "f:2,1,3", "f:4,1" } },
    { "Mul", "dynamic", { "d:2,3", "f:2,1" } },
    { "Mul", "unknown-rank", { "u:2,3", "f:3" } },
    { "RealDiv", "same", { "f:2,3", "f:2,3@~0.5,2" } },
    { "RealDiv", "broadcast", { "f:3", "f:2,3@~0.5,2" } },
    { "RealDiv", "dynamic", { "d:2,3", "f:@~0.5,2" } },
    { "Div", "row", { "f:2,3", "f:3@~0.5,2" } },
    { "FloorDiv", "same", { "f:2,3", "f:2,3@~0.5,2" } },
    { "FloorMod", "same", { "f:2,3@0.1,5", "f:2,3@~0.7,2" } },
    { "FloorMod", "broadcast", { "f:2,3@-5,5", "f:3@~0.7,2" } },
    { "Pow", "same", { "f:2,3@0.5,2", "f:2,3" } },
    { "Pow", "scalar-exponent", { "f:2,3@0.5,2", "f:" } },
    { "Pow", "broadcast", { "f:3@0.5,2", "f:2,3@-1,2" } },
    { "Maximum", "same", { "f:2,3", "f:2,3" } },
    { "Maximum", "row", { "f:2,3", "f:3" } },
    { "Maximum", "scalar", { "f:2,3", "f:" } },
    { "Minimum", "same", { "f:2,3", "f:2,3" } },
    { "Minimum", "column", { "f:2,1", "f:2,3" } },
    { "Minimum", "dynamic", { "d:2,3", "f:3" } },
    { "SquaredDifference", "same", { "f:2,3", "f:2,3" } },
    { "SquaredDifference", "row", { "f:2,3", "f:3" } },
    { "SquaredDifference", "dynamic", { "d:2,3", "f:2,1" } },
    /* elementwise unary; 15 elements cover whole AVX packets and the tail */
    { "Neg", "matrix", { "f:3,5" } },
    { "Abs", "matrix", { "f:3,5@~0.1,2" } },
    { "Square", "matrix", { "f:3,5" } },
    { "Sqrt", "matrix", { "f:3,5@0.5,2" } },
    { "Rsqrt", "matrix", { "f:3,5@0.5,2" } },
    { "Exp", "matrix", { "f:3,5" } },
    { "Log", "matrix", { "f:3,5@0.5,2" } },
    { "Log1p", "matrix", { "f:3,5@-0.5,2" } },
    { "Sigmoid", "matrix", { "f:3,5" } },
    { "Sigmoid", "dynamic", { "d:3,5" } },
    { "Tanh", "matrix", { "f:3,5" } },
    { "Relu", "matrix", { "f:3,5@~0.1,2" } },
    { "Relu6", "matrix", { "f:3,5@~0.1,7" } },
    { "Sign", "matrix", { "f:3,5@~0.1,2" } },
    { "Floor", "matrix", { "f:3,5@-3,3" } },
    { "Ceil", "matrix", { "f:3,5@-3,3" } },
    { "Round", "matrix", { "f:3,5@-3,3" } },
    { "Reciprocal", "matrix", { "f:3,5@~0.5,2" } },
    { "Sin", "matrix", { "f:3,5" } },
    { "Cos", "matrix", { "f:3,5" } },
    { "Softplus", "matrix", { "f:3,5" } },
    { "AddN", "three", { "f:2,3", "f:2,3", "f:2,3" } },
    { "AddN", "one", { "f:2,3" } },
    /* matrix products: every transpose combination, batches with broadcasting */
    { "MatMul", "plain", { "f:2,3", "f:3,4" } },
    { "MatMul", "transpose_a", { "f:3,2", "f:3,4" }, { .flag = { true, false } } },
    { "MatMul", "transpose_b", { "f:2,3", "f:4,3" }, { .flag = { false, true } } },
    { "MatMul", "transpose_both", { "f:3,2", "f:4,3" }, { .flag = { true, true } } },
    { "MatMul", "batch", { "f:2,2,3", "f:2,3,4" } },
    { "MatMul", "batch-matrix", { "f:2,2,3", "f:3,4" } },
    { "MatMul", "matrix-batch", { "f:2,3", "f:2,3,4" } },
    { "MatMul", "batch-broadcast-adjoints", { "f:2,1,3,2", "f:3,4,3" }, { .flag = { true, true } } },
    { "MatMul", "dynamic", { "d:2,3", "d:3,4" } },
    { "MatMul", "unknown-rank", { "u:2,2,3", "f:3,4" } },
    /* reductions and softmaxes */
    { "Sum", "all", { "f:2,3", "i:2=0,1" } },
    { "Sum", "axis1", { "f:2,3", "i:1=1" } },
    { "Sum", "scalar-axis", { "f:2,3", "i:=0" } },
    { "Sum", "negative-keepdims", { "f:2,3", "i:1=-1" }, { .flag = { true } } },
    { "Sum", "rank3", { "f:2,3,2", "i:2=0,2" } },
    { "Sum", "scalar-input", { "f:", "i:0=" } },
    { "Sum", "dynamic", { "d:2,3", "i:1=0" } },
    { "Sum", "dynamic-keepdims", { "d:2,3", "i:1=1" }, { .flag = { true } } },
    { "Sum", "unknown-rank", { "u:2,3", "i:1=1" } },
    { "Sum", "fed-axes", { "f:2,3", "I:1=1" } },
    { "Mean", "all", { "f:2,3", "i:2=0,1" } },
    { "Mean", "axis0-keepdims", { "f:2,3", "i:1=0" }, { .flag = { true } } },
    { "Mean", "rank3", { "f:2,3,2", "i:2=2,1" } },
    { "Mean", "dynamic", { "d:2,3", "i:1=0" } },
    { "Mean", "unknown-rank", { "u:2,3", "i:=-1" } },
    { "Max", "axis1", { "f:2,3", "i:1=1" } },
    { "Max", "all", { "f:2,3", "i:2=0,1" } },
    { "Max", "keepdims", { "f:2,3", "i:1=0" }, { .flag = { true } } },
    { "Max", "dynamic", { "d:2,3", "i:1=1" } },
    { "Min", "axis0", { "f:2,3", "i:1=0" } },
    { "Min", "unknown-rank", { "u:2,3", "i:1=1" } },
    { "Prod", "axis1", { "f:2,3", "i:1=1" } },
    { "Prod", "reordered-axes", { "f:2,3,2", "i:2=2,0" } },
    { "Prod", "all-keepdims", { "f:2,3", "i:2=0,1" }, { .flag = { true } } },
    { "Prod", "dynamic", { "d:2,3", "i:1=0" } },
    { "Softmax", "matrix", { "f:2,3" } },
    { "Softmax", "vector", { "f:4" } },
    { "Softmax", "dynamic", { "d:2,3" } },
    { "LogSoftmax", "matrix", { "f:2,3" } },
    { "LogSoftmax", "dynamic", { "u:2,3" } },
    /* neural networks (ops_nn.c); conv/pool attrs: ints = strides[4], dilations[4] or ksize[4], strides[4];
     * i[0] = padding, 1 SAME, 0 VALID */
    { "BiasAdd", "matrix", { "f:2,3", "f:3" } },
    { "BiasAdd", "nhwc", { "f:2,2,2,3", "f:3" } },
    { "BiasAdd", "dynamic", { "d:2,3", "f:3" } },
    { "BiasAddGrad", "matrix", { "f:2,3" } },
    { "BiasAddGrad", "rank3", { "f:2,2,3" } },
    /* TF's op and gradient take each row of labels to sum to 1, and ignore the backprop output's
     * dependence on them */
    { "SoftmaxCrossEntropyWithLogits", "loss", { "f:2,3", "f:2,3=0.2,0.3,0.5,0.1,0.6,0.3" }, .outs = 1 },
    { "SoftmaxCrossEntropyWithLogits", "both-outputs", { "f:2,3", "c:2,3=0.2,0.3,0.5,0.1,0.6,0.3" } },
    { "SoftmaxCrossEntropyWithLogits", "broadcast-labels", { "f:2,3", "c:1,3=0.2,0.3,0.5" }, .outs = 1 },
    { "SparseSoftmaxCrossEntropyWithLogits", "both-outputs", { "f:2,3", "i:2=0,2" } },
    { "L2Loss", "matrix", { "f:2,3" } },
    { "L2Loss", "dynamic", { "d:2,3" } },
    { "SparseToDense", "values-default", { "i:2,1=1,3", "i:1=5", "f:2", "f:" } },
    { "SparseToDense", "matrix", { "i:2,2=0,1,2,0", "i:2=3,2", "f:2", "f:" } },
    { "DivNoNan", "same", { "f:2,3", "f:2,3@~0.5,2" } },
    { "DivNoNan", "broadcast", { "f:2,3", "f:3@~0.5,2" } },
    { "Conv2D", "same", { "f:1,4,4,2", "f:3,3,2,3" },
      { .ints = (int64_t[]){ 1, 1, 1, 1, 1, 1, 1, 1 }, .nints = 8, .i = { 1 } } },
    { "Conv2D", "valid-stride2", { "f:2,5,5,1", "f:2,2,1,2" },
      { .ints = (int64_t[]){ 1, 2, 2, 1, 1, 1, 1, 1 }, .nints = 8, .i = { 0 } } },
    { "Conv2DBackpropInput", "same", { "i:4=1,4,4,2", "f:3,3,2,3", "f:1,4,4,3" },
      { .ints = (int64_t[]){ 1, 1, 1, 1, 1, 1, 1, 1 }, .nints = 8, .i = { 1 } } },
    { "Conv2DBackpropFilter", "valid-stride2", { "f:2,5,5,1", "i:4=2,2,1,2", "f:2,2,2,2" },
      { .ints = (int64_t[]){ 1, 2, 2, 1, 1, 1, 1, 1 }, .nints = 8, .i = { 0 } } },
    { "MaxPool", "valid", { "f:1,4,4,2" }, { .ints = (int64_t[]){ 1, 2, 2, 1, 1, 2, 2, 1 }, .nints = 8 } },
    { "MaxPool", "same-overlap", { "f:1,5,5,1" },
      { .ints = (int64_t[]){ 1, 3, 3, 1, 1, 2, 2, 1 }, .nints = 8, .i = { 1 } } },
    { "AvgPool", "valid", { "f:1,4,4,2" }, { .ints = (int64_t[]){ 1, 2, 2, 1, 1, 2, 2, 1 }, .nints = 8 } },
    { "AvgPool", "same-overlap", { "f:1,5,5,1" },
      { .ints = (int64_t[]){ 1, 3, 3, 1, 1, 2, 2, 1 }, .nints = 8, .i = { 1 } } },
    { "MaxPoolGrad", "valid", { "c:1,4,4,1", "o:MaxPool(0)", "f:1,2,2,1" },
      { .ints = (int64_t[]){ 1, 2, 2, 1, 1, 2, 2, 1 }, .nints = 8 } },
    { "MaxPoolGradGrad", "valid", { "c:1,4,4,1", "o:MaxPool(0)", "f:1,4,4,1" },
      { .ints = (int64_t[]){ 1, 2, 2, 1, 1, 2, 2, 1 }, .nints = 8 } },
    { "AvgPoolGrad", "same-overlap", { "i:4=1,5,5,1", "f:1,3,3,1" },
      { .ints = (int64_t[]){ 1, 3, 3, 1, 1, 2, 2, 1 }, .nints = 8, .i = { 1 } } },
    /* data movement */
    { "Identity", "matrix", { "f:2,3" } },
    { "PlaceholderWithDefault", "static", { "f:2,3" }, { .shape = { 2, { 2, 3 } } } },
    { "PlaceholderWithDefault", "partial", { "f:2,3" }, { .shape = { 2, { -1, 3 } } } },
    { "Cast", "to-float32", { "f:2,3" }, { .dtype = TFG_FLOAT32 }, 0, 1e-2, 1e-4 },
    { "Cast", "to-float64", { "f:2,3" }, { .dtype = TFG_FLOAT64 } },
    { "Cast", "to-int32", { "f:2,3" }, { .dtype = TFG_INT32 }, NONE },
    { "Reshape", "static", { "f:2,3", "i:2=3,2" } },
    { "Reshape", "flatten-dynamic", { "d:2,3", "i:1=-1" } },
    { "Reshape", "unknown-rank", { "u:2,3", "i:2=3,-1" } },
    { "Transpose", "matrix", { "f:2,3", "i:2=1,0" } },
    { "Transpose", "rank3", { "f:2,3,2", "i:3=2,0,1" } },
    { "Transpose", "fed-perm", { "f:2,3,2", "I:3=1,2,0" } },
    { "ConcatV2", "axis1", { "f:2,3", "f:2,1", "i:=1" } },
    { "ConcatV2", "axis0-three", { "f:2,3", "f:1,3", "f:2,3", "i:=0" } },
    { "ConcatV2", "negative-axis", { "f:2,3", "f:2,2", "i:=-1" } },
    { "ConcatV2", "one", { "f:2,3", "i:=0" } },
    { "ConcatV2", "dynamic", { "d:2,3", "f:2,2", "d:2,1", "i:=1" } },
    { "ConcatV2", "fed-axis", { "f:2,3", "d:2,2", "I:=1" } },
    { "Pack", "axis0", { "f:2,3", "f:2,3" } },
    { "Pack", "axis1", { "f:2,3", "f:2,3", "f:2,3" }, { .i = { 1 } } },
    { "Pack", "last-axis", { "f:2,3", "d:2,3" }, { .i = { -1 } } },
    { "Pack", "scalars", { "f:", "f:", "f:" } },
    { "Fill", "value", { "i:2=2,3", "f:" } },
    { "Fill", "fed-dims", { "I:2=2,3", "f:" } },
    { "Range", "float-bounds", { "f:@0,1", "f:@5,6", "f:@1,1.5" }, {}, NONE },
    { "ZerosLike", "matrix", { "f:2,3" } },
    { "OnesLike", "matrix", { "f:2,3" } },
    { "OneHot", "on-off", { "i:3=0,2,1", "i:=3", "f:", "f:" }, { .i = { -1 } }, NONE },
    { "Tile", "rows", { "f:2,3", "i:2=2,1" } },
    { "Tile", "columns", { "f:2,1", "i:2=1,3" } },
    { "Tile", "both", { "f:1,3", "i:2=2,2" } },
    { "Tile", "rank3", { "f:2,1,2", "i:3=1,2,2" } },
    { "Tile", "dynamic", { "d:2,3", "i:2=2,1" } },
    { "Tile", "fed-multiples", { "f:2,3", "I:2=2,2" } },
    { "GatherV2", "rows", { "f:4,3", "i:3=1,0,1", "i:=0" } },
    { "GatherV2", "matrix-indices", { "f:4,3", "i:2,2=3,0,3,3", "i:=0" } },
    { "GatherV2", "axis1", { "f:2,4", "i:3=3,0,3", "i:=1" } },
    { "GatherV2", "last-axis-rank3", { "f:2,3,4", "i:2=1,1", "i:=-1" } },
    { "GatherV2", "scalar-index", { "f:4,3", "i:=2", "i:=0" } },
    { "GatherV2", "dynamic", { "d:4,3", "i:3=1,0,1", "i:=0" } },
    { "GatherV2", "dynamic-axis1", { "d:2,4", "i:2=1,1", "i:=1" } },
    { "GatherV2", "unknown-rank", { "u:4,3", "i:2=1,1", "i:=0" } },
    { "GatherV2", "fed-indices", { "f:4,3", "I:3=1,0,1", "i:=0" } },
    { "SelectV2", "same", { "b:2,3", "f:2,3", "f:2,3" } },
    { "SelectV2", "broadcast", { "b:2,3", "f:3", "f:2,1" } },
    { "SelectV2", "scalar-else", { "b:3", "f:2,3", "f:" } },
    { "SelectV2", "dynamic", { "b:2,3", "d:2,3", "f:3" } },
    { "Select", "same", { "b:2,3", "f:2,3", "f:2,3" } },
    { "Select", "rows", { "b:2", "f:2,3", "f:2,3" } },
    { "Select", "scalar-condition", { "b:", "f:2,3", "f:2,3" } },
    { "StridedSlice", "range-reversed", { "f:3,4" }, { SLICES(FROM(1, 1), ALL(-1)) } },
    { "StridedSlice", "index", { "f:3,4" }, { SLICES(IDX(-1)) } },
    { "StridedSlice", "newaxis", { "f:3,4" }, { SLICES(ALL(1), NEWAXIS, RNG(1, 3, 1)) } },
    { "StridedSlice", "step-index", { "f:3,4" }, { SLICES(ALL(2), IDX(-1)) } },
    { "StridedSlice", "dynamic", { "d:3,4" }, { SLICES(FROM(1, 1)) } },
    { "ExpandDims", "axis1", { "f:2,3", "i:=1" } },
    { "ExpandDims", "last", { "f:2,3", "i:=-1" } },
    { "ExpandDims", "dynamic", { "d:2,3", "i:=0" } },
    { "Squeeze", "axis1", { "f:2,1,3" }, { .ints = (int64_t[]){ 1 }, .nints = 1 } },
    { "Squeeze", "all", { "f:1,3,1" } },
    { "Squeeze", "dynamic", { "d:2,1,3" }, { .ints = (int64_t[]){ -2 }, .nints = 1 } },
    { "Slice", "block", { "f:3,4", "i:2=1,0", "i:2=2,3" } },
    { "Slice", "to-end", { "f:3,4", "i:2=0,1", "i:2=-1,2" } },
    { "Slice", "dynamic", { "d:3,4", "i:2=1,1", "i:2=2,-1" } },
    { "Slice", "fed-begin-size", { "f:3,4", "I:2=1,1", "I:2=1,2" } },
    { "Pad", "matrix", { "f:2,3", "i:2,2=1,0,2,1" } },
    { "Pad", "fed-paddings", { "f:2,3", "I:2,2=0,1,1,0" } },
    { "Pad", "dynamic", { "d:2,3", "i:2,2=1,1,0,2" } },
    { "BroadcastTo", "rows", { "f:3", "i:2=2,3" } },
    { "BroadcastTo", "both", { "f:2,1", "i:3=2,2,3" } },
    { "BroadcastTo", "dynamic", { "d:2,1", "I:2=2,3" } },
};
#pragma GCC diagnostic pop
enum { NSPECS = (int)(sizeof specs / sizeof specs[0]) };

static const tfg_loc noloc = { 0, 0, 0 };

/* ---- inputs ---------------------------------------------------------------------------------- */

/* One parsed input string. */
typedef struct {
    char kind;
    int rank;
    int64_t dims[TFG_MAX_RANK];
    double vals[64];
    int nvals;
    double lo, hi;
    bool away;            /* lo <= |x| <= hi with a random sign */
    char type[64];        /* kind 'o': the op and its inputs */
    int args[MAX_IN], nargs;
} input;

/* Parses "KIND:SHAPE[=VALUES][@DOMAIN]". */
static input parse_input(const char *s)
{
    input in;
    memset(&in, 0, sizeof in);
    in.kind = s[0];
    in.lo = -2;
    in.hi = 2;
    assert_int_equal(s[1], ':');
    const char *p = s + 2;
    if (in.kind == 'o') {
        size_t len = strcspn(p, "(");
        assert_true(len < sizeof in.type && p[len] == '(');
        memcpy(in.type, p, len);
        for (p += len + 1; *p && *p != ')'; p += *p == ',') {
            char *end;
            in.args[in.nargs++] = (int)strtol(p, &end, 10);
            assert_true(end > p);
            p = end;
        }
        return in;
    }
    while (*p && *p != '=' && *p != '@') {
        char *end;
        in.dims[in.rank++] = strtoll(p, &end, 10);
        assert_true(end > p);
        p = *end == ',' ? end + 1 : end;
    }
    if (*p == '=') {
        p++;
        while (*p && *p != '@') {
            char *end;
            in.vals[in.nvals++] = strtod(p, &end);
            assert_true(end > p);
            p = *end == ',' ? end + 1 : end;
        }
    }
    if (*p == '@') {
        p++;
        if (*p == '~') {
            in.away = true;
            p++;
        }
        char *end;
        in.lo = strtod(p, &end);
        assert_int_equal(*end, ',');
        in.hi = strtod(end + 1, NULL);
    }
    return in;
}

/* xorshift64*: deterministic random numbers per case. */
static uint64_t rng_state;

/* Next uniform double in [0, 1). */
static double urand(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

/* A random value in the input's domain. */
static double sample(const input *in)
{
    double v = in->lo + (in->hi - in->lo) * urand();
    if (in->away && urand() < 0.5) v = -v;
    return v;
}

/* Is the input differentiated against (a float placeholder)? */
static bool is_x(const input *in)
{
    return in->kind == 'f' || in->kind == 'd' || in->kind == 'u';
}

/* The tensor of an input: dt for floats (from the float64 master values),
 * int32 or bool otherwise. */
static tfg_tensor *make_value(const input *in, const double *master, tfg_dtype dt)
{
    tfg_error err;
    tfg_dtype t = (is_x(in) || in->kind == 'c') ? dt : in->kind == 'b' ? TFG_BOOL : TFG_INT32;
    tfg_tensor *v = tfg_tensor_new(t, in->rank, in->dims, &err);
    assert_non_null(v);
    for (int64_t k = 0; k < v->size; k++) tfg_tensor_set_f(v, k, master[k]);
    return v;
}

/* The float64 master values of an input (random or given). */
static double *make_master(const input *in)
{
    int64_t n = 1;
    for (int d = 0; d < in->rank; d++) n *= in->dims[d];
    double *m = calloc((size_t)n + 1, sizeof *m);
    assert_non_null(m);
    for (int64_t k = 0; k < n; k++) {
        if (in->nvals) m[k] = in->vals[k % in->nvals];
        else if (in->kind == 'b') m[k] = urand() < 0.5;
        else m[k] = sample(in);
    }
    return m;
}

/* ---- one case at one dtype -------------------------------------------------------------------- */

/* The graph of a case: the op node, its inputs, r and the gradients. */
typedef struct {
    tfg_graph *g;
    tfg_session *s;
    tfg_node *node;
    int nin;
    input in[MAX_IN];
    tfg_node *src[MAX_IN];       /* the node feeding each input */
    tfg_tensor *val[MAX_IN];     /* the value fed to each placeholder input (NULL for constants) */
    int ny;
    tfg_endpoint ys[TFG_MAX_OUTPUTS];
    tfg_node *r[TFG_MAX_OUTPUTS];
    tfg_tensor *rval[TFG_MAX_OUTPUTS];
    int nx, xin[MAX_IN];         /* differentiated inputs: their input indices */
    tfg_endpoint grads[MAX_IN];
    tfg_feed feeds[MAX_IN + TFG_MAX_OUTPUTS];
    int nfeeds;
} built;

/* A node for input i of the case: a placeholder (declared shape by kind), a
 * Const, or for kind 'o' an op over earlier inputs. */
static tfg_node *input_node(built *b, const spec *sp, int i)
{
    tfg_error err;
    const input *in = &b->in[i];
    tfg_attrs at;
    memset(&at, 0, sizeof at);
    tfg_node *n;
    if (in->kind == 'o') {
        tfg_endpoint args[MAX_IN];
        for (int k = 0; k < in->nargs; k++) args[k] = (tfg_endpoint){ b->src[in->args[k]], 0 };
        n = tfg_graph_add_op(b->g, in->type, NULL, args, in->nargs, &sp->at, noloc, &err);
    } else if (in->kind == 'c' || in->kind == 'i' || in->kind == 'b') {
        at.value = b->val[i];
        n = tfg_graph_add_op(b->g, "Const", NULL, NULL, 0, &at, noloc, &err);
        tfg_tensor_unref(b->val[i]);
        b->val[i] = NULL;
    } else {
        at.dtype = b->val[i]->dtype;
        at.shape = in->kind == 'd' ? tfg_shape_make(in->rank, NULL)
                   : in->kind == 'u' ? tfg_shape_unknown()
                                      : tfg_shape_make(in->rank, in->dims);
        n = tfg_graph_add_op(b->g, "Placeholder", NULL, NULL, 0, &at, noloc, &err);
    }
    if (!n) fail_msg("input %d: %s", i, err.msg);
    return n;
}

/* Runs the session on the current feeds; results into out (new references). */
static void run(built *b, const tfg_endpoint *fetch, int n, tfg_tensor **out)
{
    tfg_error err;
    if (tfg_session_run(b->s, fetch, n, NULL, 0, b->feeds, b->nfeeds, out, &err))
        fail_msg("%s: run failed: %s", b->node->name, err.msg);
}

/* Builds the case at dtype dt from the master values, runs it once to size
 * r, and fills r (random in [-1, 1], from `rmaster` when given). */
static void build(built *b, const spec *sp, tfg_dtype dt, double *const *master, double **rmaster)
{
    tfg_error err;
    memset(b, 0, sizeof *b);
    b->g = tfg_graph_new();
    assert_non_null(b->g);
    for (int i = 0; i < MAX_IN && sp->in[i]; i++) {
        b->in[i] = parse_input(sp->in[i]);
        b->nin = i + 1;
    }
    tfg_endpoint ins[MAX_IN];
    for (int i = 0; i < b->nin; i++) {
        b->val[i] = b->in[i].kind == 'o' ? NULL : make_value(&b->in[i], master[i], dt);
        b->src[i] = input_node(b, sp, i);
        ins[i] = (tfg_endpoint){ b->src[i], 0 };
        if (b->val[i]) b->feeds[b->nfeeds++] = (tfg_feed){ ins[i], b->val[i] };
        if (is_x(&b->in[i])) b->xin[b->nx++] = i;
    }
    b->node = tfg_graph_add_op(b->g, sp->op, NULL, ins, b->nin, &sp->at, noloc, &err);
    if (!b->node) fail_msg("%s/%s: %s", sp->op, sp->label, err.msg);
    for (int o = 0; o < b->node->noutputs; o++) {
        if (!tfg_dtype_is_float(b->node->out_dtype[o]) || (sp->outs && !(sp->outs & (1u << o)))) continue;
        b->ys[b->ny++] = (tfg_endpoint){ b->node, o };
    }
    b->s = tfg_session_new(b->g, &(tfg_session_opts){ false, false, 1 });
    assert_non_null(b->s);
    /* r: shaped like each float output */
    tfg_tensor *outs[TFG_MAX_OUTPUTS] = { NULL };
    if (b->ny) run(b, b->ys, b->ny, outs);
    for (int k = 0; k < b->ny; k++) {
        tfg_attrs at;
        memset(&at, 0, sizeof at);
        at.dtype = dt;
        at.shape = b->node->out_shape[b->ys[k].index];
        b->r[k] = tfg_graph_add_op(b->g, "Placeholder", "r", NULL, 0, &at, noloc, &err);
        assert_non_null(b->r[k]);
        b->rval[k] = tfg_tensor_new(dt, outs[k]->rank, outs[k]->shape, &err);
        assert_non_null(b->rval[k]);
        if (!rmaster[k]) {
            rmaster[k] = calloc((size_t)outs[k]->size + 1, sizeof(double));
            assert_non_null(rmaster[k]);
            for (int64_t j = 0; j < outs[k]->size; j++) rmaster[k][j] = 2 * urand() - 1;
        }
        for (int64_t j = 0; j < outs[k]->size; j++) tfg_tensor_set_f(b->rval[k], j, rmaster[k][j]);
        b->feeds[b->nfeeds++] = (tfg_feed){ { b->r[k], 0 }, b->rval[k] };
        tfg_tensor_unref(outs[k]);
    }
    tfg_endpoint xs[MAX_IN], gys[TFG_MAX_OUTPUTS];
    for (int k = 0; k < b->nx; k++) xs[k] = (tfg_endpoint){ b->src[b->xin[k]], 0 };
    for (int k = 0; k < b->ny; k++) gys[k] = (tfg_endpoint){ b->r[k], 0 };
    if (b->ny && tfg_grad_build(b->g, b->ys, b->ny, xs, b->nx, gys, "gradients", noloc, b->grads, &err))
        fail_msg("%s/%s: gradients: %s", sp->op, sp->label, err.msg);
}

/* Releases a built case. */
static void release(built *b)
{
    tfg_session_free(b->s);
    tfg_graph_free(b->g);
    for (int i = 0; i < b->nin; i++) tfg_tensor_unref(b->val[i]);
    for (int k = 0; k < b->ny; k++) tfg_tensor_unref(b->rval[k]);
}

/* The symbolic gradients (NULL where None), after checking their shapes. */
static void symbolic(built *b, tfg_tensor **gv)
{
    tfg_endpoint fetch[MAX_IN];
    int nf = 0, at[MAX_IN];
    for (int k = 0; k < b->nx; k++) {
        gv[k] = NULL;
        if (b->grads[k].node) {
            at[nf] = k;
            fetch[nf++] = b->grads[k];
        }
    }
    tfg_tensor *res[MAX_IN];
    if (nf) run(b, fetch, nf, res);
    for (int j = 0; j < nf; j++) {
        int k = at[j];
        gv[k] = res[j];
        const tfg_tensor *x = b->val[b->xin[k]];
        if (!tfg_tensor_same_shape(gv[k], x)) {
            char a[64], c[64];
            tfg_tensor_shape_str(gv[k]->rank, gv[k]->shape, a, sizeof a);
            tfg_tensor_shape_str(x->rank, x->shape, c, sizeof c);
            fail_msg("%s: gradient %d has shape %s, input %s", b->node->name, k, a, c);
        }
    }
}

/* L = sum over float outputs of y * r, in float64, at the current feeds. */
static double loss(built *b)
{
    tfg_tensor *outs[TFG_MAX_OUTPUTS];
    run(b, b->ys, b->ny, outs);
    double l = 0;
    for (int k = 0; k < b->ny; k++) {
        for (int64_t j = 0; j < outs[k]->size; j++) l += tfg_tensor_get_f(outs[k], j) * tfg_tensor_get_f(b->rval[k], j);
        tfg_tensor_unref(outs[k]);
    }
    return l;
}

/* ---- the tests -------------------------------------------------------------------------------- */

/* One spec: None where flagged, else central differences in float64 and
 * float32 against float64. */
static void test_spec(void **state)
{
    const spec *sp = *state;
    const tfg_opdef *od = tfg_op_find(sp->op);
    if (!od || !od->grad) {
        print_message("%s has no gradient (yet): case %s skipped\n", sp->op, sp->label);
        skip();
    }
    uint64_t h = 1469598103934665603ull;
    for (const char *c = sp->op; *c; c++) h = (h ^ (unsigned char)*c) * 1099511628211ull;
    for (const char *c = sp->label; *c; c++) h = (h ^ (unsigned char)*c) * 1099511628211ull;
    rng_state = h | 1;
    double *master[MAX_IN] = { NULL }, *rmaster[TFG_MAX_OUTPUTS] = { NULL };
    for (int i = 0; i < MAX_IN && sp->in[i]; i++) {
        input in = parse_input(sp->in[i]);
        master[i] = make_master(&in);
    }
    built b;
    build(&b, sp, TFG_FLOAT64, master, rmaster);
    tfg_tensor *g64[MAX_IN];
    symbolic(&b, g64);
    if (sp->flags & NONE) {
        for (int k = 0; k < b.nx; k++)
            if (g64[k]) fail_msg("%s/%s: input %d should get no gradient", sp->op, sp->label, b.xin[k]);
    } else {
        double eps = sp->eps > 0 ? sp->eps : 1e-6, tol = sp->tol > 0 ? sp->tol : 1e-6;
        for (int k = 0; k < b.nx; k++) {
            tfg_tensor *x = b.val[b.xin[k]];
            for (int64_t j = 0; j < x->size; j++) {
                double v = tfg_tensor_get_f(x, j);
                tfg_tensor_set_f(x, j, v + eps);
                double lp = loss(&b);
                tfg_tensor_set_f(x, j, v - eps);
                double lm = loss(&b);
                tfg_tensor_set_f(x, j, v);
                double num = (lp - lm) / (2 * eps), sym = g64[k] ? tfg_tensor_get_f(g64[k], j) : 0;
                double scale = fmax(1, fmax(fabs(num), fabs(sym)));
                if (!(fabs(num - sym) <= tol * scale))
                    fail_msg("%s/%s: d/d(input %d)[%lld]: symbolic %.10g, numerical %.10g", sp->op, sp->label,
                             b.xin[k], (long long)j, sym, num);
            }
        }
        /* float32: the same gradients within float32 rounding */
        built b32;
        build(&b32, sp, TFG_FLOAT32, master, rmaster);
        tfg_tensor *g32[MAX_IN];
        symbolic(&b32, g32);
        for (int k = 0; k < b.nx; k++) {
            if (!g64[k] != !g32[k]) fail_msg("%s/%s: gradient %d is None in one dtype only", sp->op, sp->label, k);
            if (!g64[k]) continue;
            double mag = 0;
            for (int64_t j = 0; j < g64[k]->size; j++) mag = fmax(mag, fabs(tfg_tensor_get_f(g64[k], j)));
            for (int64_t j = 0; j < g64[k]->size; j++) {
                double a = tfg_tensor_get_f(g32[k], j), c = tfg_tensor_get_f(g64[k], j);
                if (!(fabs(a - c) <= 1e-4 * (mag + 1e-3)))
                    fail_msg("%s/%s: float32 gradient %d[%lld] = %.8g, float64 %.8g", sp->op, sp->label, k,
                             (long long)j, a, c);
            }
        }
        for (int k = 0; k < b32.nx; k++) tfg_tensor_unref(g32[k]);
        release(&b32);
    }
    for (int k = 0; k < b.nx; k++) tfg_tensor_unref(g64[k]);
    release(&b);
    for (int i = 0; i < MAX_IN; i++) free(master[i]);
    for (int k = 0; k < TFG_MAX_OUTPUTS; k++) free(rmaster[k]);
}

/* Every op with a gradient has a spec (specs for ops without one are skipped). */
static void test_every_gradient_has_a_spec(void **state)
{
    (void)state;
    char missing[4096] = "";
    size_t nm = 0;
    for (int i = 0; tfg_op_at(i); i++) {
        const tfg_opdef *od = tfg_op_at(i);
        if (!od->grad) continue;
        bool found = false;
        for (int k = 0; k < NSPECS && !found; k++) found = strcmp(specs[k].op, od->type) == 0;
        if (!found && nm + strlen(od->type) + 3 < sizeof missing)
            nm += (size_t)snprintf(missing + nm, sizeof missing - nm, " %s", od->type);
    }
    if (nm) fail_msg("ops with a gradient but no entry in test_gradcheck.c's specs:%s", missing);
}

/* Runs the coverage test and one test per spec, named OP/label. */
int main(void)
{
    struct CMUnitTest *tests = calloc(NSPECS + 1, sizeof *tests);
    char **names = calloc(NSPECS, sizeof *names);
    if (!tests || !names) return 1;
    tests[0] = (struct CMUnitTest){ "every_gradient_has_a_spec", test_every_gradient_has_a_spec, NULL, NULL, NULL };
    for (int k = 0; k < NSPECS; k++) {
        size_t len = strlen(specs[k].op) + strlen(specs[k].label) + 2;
        names[k] = malloc(len);
        if (!names[k]) return 1;
        snprintf(names[k], len, "%s/%s", specs[k].op, specs[k].label);
        tests[k + 1] = (struct CMUnitTest){ names[k], test_spec, NULL, NULL, (void *)&specs[k] };
    }
    int rc = _cmocka_run_group_tests("gradcheck", tests, NSPECS + 1, NULL, NULL);
    for (int k = 0; k < NSPECS; k++) free(names[k]);
    free(names);
    free(tests);
    return rc;
}
