#!/usr/bin/env python3
"""gen_kernel_expect.py — writes tests/unit/kernel_expect.h, the expected
values the kernel unit tests (tests/unit/test_kernels_*.c) compare against.

Every expected number comes from real TensorFlow (tensorflow.compat.v1, CPU,
graph mode), the oracle tfg is tested against; where TF has no kernel for a
dtype (uint8 and bool arithmetic, for instance) the value comes from numpy
with tfg's documented semantics and the case says so ("np:" in its name).
The tests need neither at run time: the header is committed.

Run:  /work/tfvenv/bin/python tests/unit/gen_kernel_expect.py
"""
import math
import os
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow.compat.v1 as tf  # noqa: E402

tf.disable_v2_behavior()

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernel_expect.h")

DT = {
    np.float32: "TFG_FLOAT32", np.float64: "TFG_FLOAT64", np.int32: "TFG_INT32",
    np.int64: "TFG_INT64", np.bool_: "TFG_BOOL", np.uint8: "TFG_UINT8",
}
TFDT = {np.float32: tf.float32, np.float64: tf.float64, np.int32: tf.int32,
        np.int64: tf.int64, np.bool_: tf.bool, np.uint8: tf.uint8}

out = []        # lines of the header
counter = [0]   # unique array names
seen = {}       # array body -> name


def run(fn):
    """Builds fn() in a fresh graph and runs it; returns (value, error text)."""
    g = tf.Graph()
    with g.as_default():
        try:
            t = fn()
        except Exception as ex:  # graph-build time refusal: no kernel or shape
            return None, "build: " + str(ex).splitlines()[0]
        with tf.Session(graph=g) as s:
            try:
                return s.run(t), None
            except tf.errors.OpError as ex:
                lines = [l for l in ex.message.splitlines() if l.strip()]
                msg = [l for l in lines if not l.startswith(("Graph execution", "Detected at",
                                                                 "Node:", "\t", " "))]
                return None, (msg[0] if msg else lines[-1])


def cnum(v, isfloat):
    """A C literal for one value."""
    if isfloat:
        v = float(v)
        if math.isnan(v):
            return "NAN"
        if math.isinf(v):
            return "INFINITY" if v > 0 else "-INFINITY"
        return repr(v)
    v = int(v)
    if v == -(2 ** 63):
        return "INT64_MIN"
    return "INT64_C(%d)" % v


def arr(vals, isfloat):
    """Emits a static array of the values; returns its name (or NULL)."""
    vals = np.asarray(vals).reshape(-1)
    ctype = "double" if isfloat else "int64_t"
    body = ", ".join(cnum(v, isfloat) for v in vals) if vals.size else "0"
    if (ctype, body) in seen:        # identical arrays are emitted once
        return seen[(ctype, body)]
    counter[0] += 1
    name = "kx_a%d" % counter[0]
    seen[(ctype, body)] = name
    out.append("static const %s %s[] = {%s};" % (ctype, name, body))
    return name


def isf(dt):
    return dt in (np.float32, np.float64)


def tens(x, dt):
    """C initialiser of a kx_tensor: {dtype, rank, {shape}, size, f, i}."""
    x = np.asarray(x).astype(dt)
    shape = ",".join(str(d) for d in x.shape) or "0"
    f = arr(x.astype(np.float64), True) if isf(dt) else "NULL"
    i = "NULL" if isf(dt) else arr(x.astype(np.int64), False)
    return "{%s, %d, {%s}, %d, %s, %s}" % (DT[dt], x.ndim, shape, x.size, f, i)


def safe(s):
    """Text usable inside a case name string."""
    return s.replace("\\", "/").replace('"', "'")


def cstr(s):
    if s is None:
        return "NULL"
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---- binary ---------------------------------------------------------------------

BIN = [
    ("TFG_BIN_ADD", lambda a, b: tf.raw_ops.AddV2(x=a, y=b), lambda a, b: a + b),
    ("TFG_BIN_SUB", lambda a, b: tf.raw_ops.Sub(x=a, y=b), lambda a, b: a - b),
    ("TFG_BIN_MUL", lambda a, b: tf.raw_ops.Mul(x=a, y=b), lambda a, b: a * b),
    ("TFG_BIN_DIV", lambda a, b: tf.raw_ops.Div(x=a, y=b), None),
    ("TFG_BIN_FLOORDIV", lambda a, b: tf.raw_ops.FloorDiv(x=a, y=b), lambda a, b: a // b),
    ("TFG_BIN_MOD", lambda a, b: tf.raw_ops.FloorMod(x=a, y=b), lambda a, b: a % b),
    ("TFG_BIN_POW", lambda a, b: tf.raw_ops.Pow(x=a, y=b), lambda a, b: a ** b),
    ("TFG_BIN_MAXIMUM", lambda a, b: tf.raw_ops.Maximum(x=a, y=b), np.maximum),
    ("TFG_BIN_MINIMUM", lambda a, b: tf.raw_ops.Minimum(x=a, y=b), np.minimum),
    ("TFG_BIN_SQUARED_DIFFERENCE", lambda a, b: tf.raw_ops.SquaredDifference(x=a, y=b),
     lambda a, b: (a - b) * (a - b)),
    ("TFG_BIN_EQUAL", lambda a, b: tf.raw_ops.Equal(x=a, y=b), np.equal),
    ("TFG_BIN_NOT_EQUAL", lambda a, b: tf.raw_ops.NotEqual(x=a, y=b), np.not_equal),
    ("TFG_BIN_LESS", lambda a, b: tf.raw_ops.Less(x=a, y=b), np.less),
    ("TFG_BIN_LESS_EQUAL", lambda a, b: tf.raw_ops.LessEqual(x=a, y=b), np.less_equal),
    ("TFG_BIN_GREATER", lambda a, b: tf.raw_ops.Greater(x=a, y=b), np.greater),
    ("TFG_BIN_GREATER_EQUAL", lambda a, b: tf.raw_ops.GreaterEqual(x=a, y=b), np.greater_equal),
    ("TFG_BIN_LOGICAL_AND", lambda a, b: tf.raw_ops.LogicalAnd(x=a, y=b), np.logical_and),
    ("TFG_BIN_LOGICAL_OR", lambda a, b: tf.raw_ops.LogicalOr(x=a, y=b), np.logical_or),
]
CMP_OR_LOGIC = {n for n, _, _ in BIN[10:]}
# float results compared within this many ulps (libm vs Eigen), else exactly
BIN_TOL = {"TFG_BIN_POW": 2}  # TF packets use Eigen generic_pow (not reproduced)


def bin_inputs(dt, opname):
    """Operands for one (op, dtype): a column and a row, so the result
    broadcasts to the full cross product."""
    if isf(dt):
        a = [-7.25, -3.0, -1.0, -0.0, 0.0, 0.5, 2.0, 3.0, 1e30, np.inf, -np.inf, np.nan]
        b = [-2.5, -1.0, 0.0, 0.25, 2.0, 3.0, np.inf, np.nan]
        if opname == "TFG_BIN_POW":
            a = [-2.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 10.0, np.inf, np.nan]
            b = [-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, np.nan]
        return np.array(a, dt).reshape(-1, 1), np.array(b, dt).reshape(1, -1)
    if dt == np.bool_:
        return np.array([False, True]).reshape(-1, 1), np.array([False, True]).reshape(1, -1)
    if dt == np.uint8:
        a = [0, 1, 2, 7, 100, 200, 255]
        b = [1, 2, 3, 7, 255] if opname in ("TFG_BIN_DIV", "TFG_BIN_FLOORDIV", "TFG_BIN_MOD") \
            else [0, 1, 2, 3, 7, 200, 255]
        if opname == "TFG_BIN_POW":
            b = [0, 1, 2, 3]
        return np.array(a, dt).reshape(-1, 1), np.array(b, dt).reshape(1, -1)
    info = np.iinfo(dt)
    a = [info.min + 1, -100, -7, -1, 0, 1, 7, 100, info.max]
    b = [-7, -2, -1, 1, 3, 7, 1000]
    if opname not in ("TFG_BIN_DIV", "TFG_BIN_FLOORDIV", "TFG_BIN_MOD"):
        b = [info.min, -7, -1, 0, 1, 2, 7, info.max]
    if opname == "TFG_BIN_POW":
        a = [-3, -2, -1, 0, 1, 2, 3, 10]
        b = [0, 1, 2, 3, 5]
    if opname in ("TFG_BIN_ADD", "TFG_BIN_SUB", "TFG_BIN_MUL", "TFG_BIN_SQUARED_DIFFERENCE"):
        # keep TF (whose int overflow is C UB) away from overflow; wrap is tested by hand
        a = [v for v in a if abs(v) <= 100]
        b = [v for v in b if abs(v) <= 100]
    return np.array(a, dt).reshape(-1, 1), np.array(b, dt).reshape(1, -1)


def np_expect(opname, fn, a, b, dt):
    """numpy's value with tfg's documented semantics (for dtypes TF lacks)."""
    with np.errstate(all="ignore"):
        if opname in CMP_OR_LOGIC:
            return fn(a, b)
        if dt == np.bool_:
            if opname in ("TFG_BIN_ADD", "TFG_BIN_MAXIMUM"):
                return np.logical_or(a, b)
            if opname in ("TFG_BIN_MUL", "TFG_BIN_MINIMUM"):
                return np.logical_and(a, b)
            return None
        if opname == "TFG_BIN_DIV":
            return (a // b).astype(dt)  # uint8: truncation == floor
        w = fn(a.astype(np.int64), b.astype(np.int64))
        return (w % 256).astype(dt) if dt == np.uint8 else w.astype(dt)


def gen_binary():
    out.append("/* ---- binary ---- */")
    cases = []
    for dt in (np.float32, np.float64, np.int32, np.int64, np.uint8, np.bool_):
        for opname, tfop, npop in BIN:
            a, b = bin_inputs(dt, opname)
            if opname == "TFG_BIN_DIV" and isf(dt):
                tfop = lambda x, y: tf.raw_ops.RealDiv(x=x, y=y)  # noqa: E731
            val, err = run(lambda: tfop(tf.constant(a), tf.constant(b)))
            src = "tf"
            if err is not None:
                if dt not in (np.uint8, np.bool_) and not (
                        dt == np.bool_ or opname in ("TFG_BIN_LOGICAL_AND", "TFG_BIN_LOGICAL_OR")):
                    print("TF refused %s %s: %s" % (opname, dt.__name__, err), file=sys.stderr)
                    continue
                if opname in ("TFG_BIN_LOGICAL_AND", "TFG_BIN_LOGICAL_OR") and dt != np.bool_:
                    val = npop(a, b)
                else:
                    val = np_expect(opname, npop, a, b, dt)
                src = "np"
                if val is None:
                    cases.append('{"np:%s %s unsupported", %s, %s, %s, {0}, 0, %s}' % (
                        opname, dt.__name__, opname, tens(a, dt), tens(b, dt),
                        cstr("No OpKernel was registered to support Op")))
                    continue
            odt = np.bool_ if opname in CMP_OR_LOGIC else dt
            cases.append('{"%s:%s %s", %s, %s, %s, %s, %d, NULL}' % (
                src, opname, dt.__name__, opname, tens(a, dt), tens(b, dt),
                tens(np.asarray(val), odt), BIN_TOL.get(opname, 0) if isf(dt) else 0))
    # broadcasting shapes (float32 add): scalar, row, column, rank mismatch, empty
    shapes = [((), (2, 3)), ((2, 3), ()), ((2, 3), (3,)), ((2, 1), (1, 3)), ((3, 1), (2, 1, 4)),
              ((2, 1, 3), (4, 1)), ((1,), (5,)), ((0, 3), (3,)), ((2, 3, 4), (2, 3, 4)),
              ((4, 1, 2, 1), (3, 1, 5)), ((1, 1), (1,))]
    for sa, sb in shapes:
        a = (np.arange(int(np.prod(sa))) + 1).reshape(sa).astype(np.float32)
        b = (np.arange(int(np.prod(sb))) * 10).reshape(sb).astype(np.float32)
        val, err = run(lambda: tf.raw_ops.AddV2(x=tf.constant(a), y=tf.constant(b)))
        cases.append('{"tf:bcast %s+%s", TFG_BIN_ADD, %s, %s, %s, 0, NULL}' % (
            sa, sb, tens(a, np.float32), tens(b, np.float32), tens(val, np.float32)))
    # errors, with TF's text
    errs = [
        ("TFG_BIN_ADD", np.zeros(2, np.float32), np.zeros(3, np.float32),
         lambda x, y: tf.raw_ops.AddV2(x=x, y=y)),
        ("TFG_BIN_ADD", np.zeros((2, 3), np.float32), np.zeros((3, 2), np.float32),
         lambda x, y: tf.raw_ops.AddV2(x=x, y=y)),
        ("TFG_BIN_DIV", np.array([1, 2], np.int32), np.array([1, 0], np.int32),
         lambda x, y: tf.raw_ops.Div(x=x, y=y)),
        ("TFG_BIN_FLOORDIV", np.array([1, 2], np.int64), np.array([0, 1], np.int64),
         lambda x, y: tf.raw_ops.FloorDiv(x=x, y=y)),
        ("TFG_BIN_MOD", np.array([1, 2], np.int32), np.array([0], np.int32),
         lambda x, y: tf.raw_ops.FloorMod(x=x, y=y)),
        ("TFG_BIN_POW", np.array([1, 2], np.int32), np.array([2, -1], np.int32),
         lambda x, y: tf.raw_ops.Pow(x=x, y=y)),
    ]
    for opname, a, b, fn in errs:
        pa = tf.placeholder
        val, err = run(lambda: fn(tf.placeholder_with_default(a, None),
                                  tf.placeholder_with_default(b, None)))
        assert err is not None, opname
        dt = a.dtype.type
        cases.append('{"tf:error %s", %s, %s, %s, {0}, 0, %s}' % (
            safe(err), opname, tens(a, dt), tens(b, dt), cstr(err)))
        del pa
    out.append("static const kx_bin_case kx_bin_cases[] = {\n  " + ",\n  ".join(cases) + "\n};")


# ---- select ---------------------------------------------------------------------

def gen_select():
    out.append("/* ---- select ---- */")
    cases = []
    x = np.array([[1, 2], [3, 4]], np.float32)
    y = np.array([[5, 6], [7, 8]], np.float32)
    specs = [
        ("v1 rows", np.array([True, False]), x, y, lambda c, a, b: tf.compat.v1.where(c, a, b)),
        ("same", np.array([[True, False], [False, True]]), x, y,
         lambda c, a, b: tf.compat.v1.where(c, a, b)),
        ("v2 scalar cond", np.array(True), x, y, lambda c, a, b: tf.where_v2(c, a, b)),
        ("v2 bcast", np.array([[True], [False]]), np.array([1, 2, 3], np.float32),
         np.array(9, np.float32), lambda c, a, b: tf.where_v2(c, a, b)),
        ("v2 int64", np.array([True, False, True]), np.array([1, 2, 3], np.int64),
         np.array([-1, -2, -3], np.int64), lambda c, a, b: tf.where_v2(c, a, b)),
        ("v2 bool", np.array([True, False]), np.array([True, True]), np.array([False, False]),
         lambda c, a, b: tf.where_v2(c, a, b)),
    ]
    for name, c, a, b, fn in specs:
        val, err = run(lambda: fn(tf.constant(c), tf.constant(a), tf.constant(b)))
        dt = a.dtype.type
        cases.append('{"tf:select %s", %s, %s, %s, %s, NULL}' % (
            name, tens(c, np.bool_), tens(a, dt), tens(b, dt), tens(val, dt)))
    out.append("static const kx_sel_case kx_sel_cases[] = {\n  " + ",\n  ".join(cases) + "\n};")


# ---- unary ----------------------------------------------------------------------

UN = [
    ("TFG_UN_NEG", tf.raw_ops.Neg, 0), ("TFG_UN_ABS", tf.raw_ops.Abs, 0),
    ("TFG_UN_SQUARE", tf.raw_ops.Square, 0), ("TFG_UN_SQRT", tf.raw_ops.Sqrt, 1),
    ("TFG_UN_RSQRT", tf.raw_ops.Rsqrt, 2), ("TFG_UN_EXP", tf.raw_ops.Exp, 2),
    ("TFG_UN_LOG", tf.raw_ops.Log, 2), ("TFG_UN_LOG1P", tf.raw_ops.Log1p, 2),
    ("TFG_UN_SIGMOID", tf.raw_ops.Sigmoid, 4), ("TFG_UN_TANH", tf.raw_ops.Tanh, 4),
    ("TFG_UN_RELU", tf.raw_ops.Relu, 0), ("TFG_UN_RELU6", tf.raw_ops.Relu6, 0),
    ("TFG_UN_SIGN", tf.raw_ops.Sign, 0), ("TFG_UN_FLOOR", tf.raw_ops.Floor, 0),
    ("TFG_UN_CEIL", tf.raw_ops.Ceil, 0), ("TFG_UN_ROUND", tf.raw_ops.Round, 0),
    ("TFG_UN_RECIPROCAL", tf.raw_ops.Reciprocal, 1), ("TFG_UN_SIN", tf.raw_ops.Sin, 2),
    ("TFG_UN_COS", tf.raw_ops.Cos, 2), ("TFG_UN_SOFTPLUS", tf.raw_ops.Softplus, 4),
    ("TFG_UN_LOGICAL_NOT", tf.raw_ops.LogicalNot, 0),
]


# float32 results equal TF's bit for bit (k_tfmath.c reproduces Eigen's
# packet math), except rsqrt and reciprocal, where TF's packets use the
# CPU's rsqrtps/rcpps estimates (vendor dependent) plus a Newton step.
F32_TOL = {"TFG_UN_RSQRT": 2, "TFG_UN_RECIPROCAL": 2}


def gen_unary():
    out.append("/* ---- unary ---- */")
    cases = []
    fin = [-20.0, -14.5, -7.3, -2.5, -1.5, -1.0, -0.5, -0.0, 0.0, 0.25, 0.5, 1.5, 2.5, 3.7,
           5.9, 6.0, 7.5, 14.5, 20.0, 88.0, 1e-30, -1e-30, 123456.789]
    spec = [np.inf, -np.inf, np.nan]
    rnd = (np.random.RandomState(11).standard_normal(203) * 4).astype(np.float32)
    for dt in (np.float32, np.float64, np.int32, np.int64, np.uint8, np.bool_, "f32rand"):
        for opname, op, tol in UN:
            if dt == "f32rand":
                # 25 whole packets and a 3-element tail: both of TF's paths
                if opname in ("TFG_UN_LOGICAL_NOT",):
                    continue
                x, dt_ = rnd, np.float32
                if opname in ("TFG_UN_LOG", "TFG_UN_SQRT", "TFG_UN_RSQRT", "TFG_UN_LOG1P"):
                    x = np.abs(rnd)
                val, err = run(lambda: op(**{("features" if opname in (
                    "TFG_UN_RELU", "TFG_UN_RELU6", "TFG_UN_SOFTPLUS") else "x"): tf.constant(x)}))
                cases.append('{"tf:%s float32 random 203", %s, %s, %s, %d, NULL}' % (
                    opname, opname, tens(x, dt_), tens(val, dt_), F32_TOL.get(opname, 0)))
                continue
            if isf(dt):
                x = np.array(fin + spec, dt)
            elif dt == np.bool_:
                x = np.array([False, True])
            elif dt == np.uint8:
                x = np.array([0, 1, 2, 5, 6, 7, 100, 255], dt)
            else:
                info = np.iinfo(dt)
                x = np.array([info.min + 1, -100, -7, -1, 0, 1, 2, 6, 7, 100, info.max], dt)
            if opname == "TFG_UN_LOGICAL_NOT" and dt != np.bool_:
                continue
            if dt == np.bool_ and opname != "TFG_UN_LOGICAL_NOT":
                cases.append('{"np:%s bool unsupported", %s, %s, {0}, 0, %s}' % (
                    opname, opname, tens(x, dt), cstr("No OpKernel was registered")))
                continue
            src = "tf"
            if opname == "TFG_UN_ROUND" and not isf(dt):
                # tf.round returns integer tensors unchanged in Python; TF's raw
                # Round kernel on ints returns zeros, which no TF user sees
                val, err, src = x, None, "np"
            else:
                arg = "features" if opname in ("TFG_UN_RELU", "TFG_UN_RELU6",
                                               "TFG_UN_SOFTPLUS") else "x"
                val, err = run(lambda: op(**{arg: tf.constant(x)}))
            if err is not None and err.startswith("build: ") and "argument" in err:
                raise RuntimeError(opname + ": " + err)
            if err is not None:
                continue  # TF has no kernel for this int op: covered by hand in C
            if dt == np.float32:
                tol = F32_TOL.get(opname, 0)
            cases.append('{"%s:%s %s", %s, %s, %s, %d, NULL}' % (
                src, opname, dt.__name__, opname, tens(x, dt), tens(val, dt),
                tol if isf(dt) else 0))
    out.append("static const kx_un_case kx_un_cases[] = {\n  " + ",\n  ".join(cases) + "\n};")


# ---- matmul ---------------------------------------------------------------------

def gen_matmul():
    out.append("/* ---- matmul ---- */")
    cases = []
    rng = np.random.RandomState(7)

    def mk(shape, dt):
        # small integers / 8: every product and sum is exact in float32
        return (rng.randint(-8, 9, size=shape) / (8.0 if isf(dt) else 1)).astype(dt)

    specs = [
        ((2, 3), (3, 4), False, False, np.float32), ((3, 2), (3, 4), True, False, np.float32),
        ((2, 3), (4, 3), False, True, np.float32), ((3, 2), (4, 3), True, True, np.float32),
        ((1, 1), (1, 1), False, False, np.float32), ((5, 7), (7, 1), False, False, np.float64),
        ((2, 3), (3, 2), True, True, np.float64), ((2, 2, 3), (2, 3, 2), False, False, np.float32),
        ((2, 3, 2), (2, 3, 2), True, False, np.float32),
        ((2, 1, 2, 3), (3, 3, 4), False, False, np.float32),
        ((2, 3), (4, 3, 2), False, False, np.float64), ((3, 2, 3), (3, 2), False, True, np.float32),
        ((2, 3), (3, 4), False, False, np.int32), ((3, 2), (4, 3), True, True, np.int64),
        ((2, 2, 3), (3, 2), False, False, np.int32), ((2, 0), (0, 3), False, False, np.float32),
        ((0, 2), (2, 3), False, False, np.float32), ((2, 3), (3, 0), False, False, np.float64),
        ((16, 24), (24, 20), False, True, np.float32),
    ]
    for sa, sb, ta, tb, dt in specs:
        if tb and sb[-1] != sa[-1 if not ta else -2]:
            sb = sb[:-2] + (sb[-1], sb[-2])
        a, b = mk(sa, dt), mk(sb, dt)
        val, err = run(lambda: tf.matmul(tf.constant(a), tf.constant(b), transpose_a=ta,
                                         transpose_b=tb))
        if err is not None:
            print("matmul refused", sa, sb, dt, err, file=sys.stderr)
            continue
        cases.append('{"tf:matmul %s%s x %s%s %s", %s, %s, %d, %d, %s, NULL, 0}' % (
            sa, "T" if ta else "", sb, "T" if tb else "", dt.__name__, tens(a, dt), tens(b, dt),
            ta, tb, tens(val, dt)))
    # random (inexact) float32 products: TF's oneDNN order is reproduced for
    # rank 2, k <= 384, in the transpose/shape cases k_matmul.c lists; the
    # others (and batched products) are only close. Static shapes, as TF
    # picks other kernels when shapes are unknown.
    rspecs = [((3, 7), (7, 5), False, False, 0), ((7, 3), (7, 5), True, False, 0),
              ((3, 7), (5, 7), False, True, 64), ((7, 3), (5, 7), True, True, 0),
              ((6, 40), (40, 7), False, False, 0), ((2, 384), (384, 3), False, False, 0),
              ((1, 50), (50, 4), False, False, 0), ((5, 8), (8, 1), False, False, 64),
              ((1, 9), (9, 1), False, False, 0), ((9, 1), (9, 4), True, False, 0),
              ((2, 3, 4), (2, 4, 5), False, False, 64)]
    rr = np.random.RandomState(17)
    for sa, sb, ta, tb, tol in rspecs:
        a = rr.standard_normal(sa).astype(np.float32)
        b = rr.standard_normal(sb).astype(np.float32)
        val, err = run(lambda: tf.matmul(tf.placeholder_with_default(a, a.shape),
                                         tf.placeholder_with_default(b, b.shape),
                                         transpose_a=ta, transpose_b=tb))
        cases.append('{"tf:matmul random %s%s x %s%s", %s, %s, %d, %d, %s, NULL, %d}' % (
            sa, "T" if ta else "", sb, "T" if tb else "", tens(a, np.float32),
            tens(b, np.float32), ta, tb, tens(val, np.float32), tol))
    errs = [((1, 2), (3, 1), False, False), ((1, 2), (3, 1), True, False),
            ((2, 2, 3), (3, 3, 1), False, False), ((2, 2, 3), (2, 4, 1), False, False)]
    for sa, sb, ta, tb in errs:
        a, b = np.zeros(sa, np.float32), np.zeros(sb, np.float32)
        val, err = run(lambda: tf.matmul(tf.placeholder_with_default(a, None),
                                         tf.placeholder_with_default(b, None),
                                         transpose_a=ta, transpose_b=tb))
        assert err is not None
        cases.append('{"tf:error %s", %s, %s, %d, %d, {0}, %s, 0}' % (
            safe(err), tens(a, np.float32), tens(b, np.float32), ta, tb, cstr(err)))
    out.append("static const kx_mm_case kx_mm_cases[] = {\n  " + ",\n  ".join(cases) + "\n};")


# ---- reductions -----------------------------------------------------------------

RED = [("TFG_RED_SUM", tf.reduce_sum), ("TFG_RED_MEAN", tf.reduce_mean),
       ("TFG_RED_MAX", tf.reduce_max), ("TFG_RED_MIN", tf.reduce_min),
       ("TFG_RED_PROD", tf.reduce_prod), ("TFG_RED_ALL", tf.reduce_all),
       ("TFG_RED_ANY", tf.reduce_any)]


def gen_reduce():
    out.append("/* ---- reductions ---- */")
    cases = []
    rng = np.random.RandomState(3)
    xf = (rng.randint(-20, 21, size=(2, 3, 4)) / 4.0).astype(np.float32)
    xi = rng.randint(-50, 51, size=(2, 3, 4)).astype(np.int32)
    xb = rng.randint(0, 2, size=(2, 3, 4)).astype(np.bool_)
    xu = np.array([[200, 100, 3], [255, 255, 2]], np.uint8)
    xr = rng.standard_normal(size=(3, 5, 7)).astype(np.float32)   # sums round
    x64 = rng.standard_normal(size=(4, 6)).astype(np.float64)
    axes_list = [None, [], [0], [1], [2], [-1], [0, 1], [1, 2], [0, 2], [-3, -1], [0, 1, 2]]
    inputs = [(xf, np.float32, [0, 1, 2, 3, 4]), (xi, np.int32, [0, 1, 2, 3, 4]),
              (xi.astype(np.int64), np.int64, [0, 1, 2, 3]), (xb, np.bool_, [5, 6]),
              (xf, np.float32, [5, 6]), (xr, np.float32, [0, 1, 2, 3]),
              (x64, np.float64, [0, 1, 2, 3, 4])]
    for x, dt, ops in inputs:
        for k in ops:
            opname, fn = RED[k]
            for axes in axes_list:
                if axes is not None and any(a >= x.ndim or a < -x.ndim for a in axes):
                    continue
                for keep in (False, True):
                    if keep and axes in ([], [0, 1, 2]):
                        continue
                    xx = x.astype(np.bool_) if opname in ("TFG_RED_ALL", "TFG_RED_ANY") else x
                    val, err = run(lambda: fn(tf.constant(xx), axis=axes, keepdims=keep))
                    if err is not None:
                        print("reduce refused", opname, err, file=sys.stderr)
                        continue
                    odt = np.bool_ if opname in ("TFG_RED_ALL", "TFG_RED_ANY") else dt
                    tol = 0
                    ax = "{%s}" % ",".join(map(str, axes)) if axes else "{0}"
                    na = -1 if axes is None else len(axes)
                    cases.append('{"tf:%s %s axes=%s keep=%d", %s, %s, %s, %d, %d, %s, %d, NULL}'
                                 % (opname, dt.__name__, axes, keep, opname, tens(x, dt), ax, na,
                                    keep, tens(np.asarray(val), odt), tol))
    # uint8 and empty reductions, int mean truncation
    extra = [("TFG_RED_SUM", xu, np.uint8, [1]), ("TFG_RED_MEAN", xu, np.uint8, [1]),
             ("TFG_RED_PROD", xu, np.uint8, [1]), ("TFG_RED_MAX", xu, np.uint8, [0]),
             ("TFG_RED_MEAN", np.array([2 ** 31 - 1, 1, 5], np.int32), np.int32, None),
             ("TFG_RED_SUM", np.array([2 ** 31 - 1, 1, 5], np.int32), np.int32, None),
             ("TFG_RED_MEAN", np.array([-7, 2], np.int32), np.int32, None),
             ("TFG_RED_MEAN", np.zeros((0, 3), np.float32), np.float32, [0]),
             ("TFG_RED_MAX", np.zeros((0, 3), np.float32), np.float32, [0]),
             ("TFG_RED_MIN", np.zeros((0, 3), np.float32), np.float32, [0]),
             ("TFG_RED_SUM", np.zeros((0, 3), np.float32), np.float32, [0]),
             ("TFG_RED_PROD", np.zeros((0, 3), np.float32), np.float32, [0]),
             ("TFG_RED_MEAN", np.zeros((0,), np.int32), np.int32, None),
             ("TFG_RED_MAX", np.zeros((0, 2), np.int32), np.int32, [0]),
             ("TFG_RED_ALL", np.zeros((0,), np.bool_), np.bool_, None),
             ("TFG_RED_ANY", np.zeros((0,), np.bool_), np.bool_, None),
             ("TFG_RED_SUM", np.zeros((2, 0), np.float32), np.float32, [0]),
             ("TFG_RED_MAX", np.array([1.0, np.nan, 2.0], np.float32), np.float32, None),
             ("TFG_RED_MIN", np.array([[1.0, np.nan], [0.0, 3.0]], np.float32), np.float32, [0]),
             ("TFG_RED_SUM", np.array(3.5, np.float32), np.float32, None),
             ("TFG_RED_SUM", np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.1, 1.3],
                                      np.float32), np.float32, None)]
    for opname, x, dt, axes in extra:
        fn = dict(RED)[opname]
        val, err = run(lambda: fn(tf.constant(x), axis=axes))
        odt = np.bool_ if opname in ("TFG_RED_ALL", "TFG_RED_ANY") else dt
        ax = "{%s}" % ",".join(map(str, axes)) if axes else "{0}"
        na = -1 if axes is None else len(axes)
        cases.append('{"tf:%s %s %s axes=%s", %s, %s, %s, %d, 0, %s, 0, NULL}' % (
            opname, dt.__name__, x.shape, axes, opname, tens(x, dt), ax, na,
            tens(np.asarray(val), odt)))
    for axes in ([2], [-3], [0, 0], [0, -2]):
        x = np.zeros((2, 3), np.float32)
        # fed, not defaulted: grappler folds a constant duplicate axis list away
        g = tf.Graph()
        with g.as_default():
            ph = tf.placeholder(tf.int32)
            t = tf.reduce_sum(tf.placeholder_with_default(x, None), ph)
            with tf.Session(graph=g) as s:
                try:
                    s.run(t, {ph: axes})
                    err = None
                except tf.errors.OpError as ex:
                    err = [l for l in ex.message.splitlines()
                           if l.startswith("Invalid reduction")][0]
        assert err is not None
        cases.append('{"tf:error %s", TFG_RED_SUM, %s, {%s}, %d, 0, {0}, 0, %s}' % (
            safe(err), tens(x, np.float32), ",".join(map(str, axes)), len(axes), cstr(err)))
    out.append("static const kx_red_case kx_red_cases[] = {\n  " + ",\n  ".join(cases) + "\n};")

    # bigger inputs made by a formula both sides compute exactly:
    # x[i] = T((i * 7919) % 1999 - 999) / T(7), IEEE-rounded in T
    cases = []
    fspecs = [("TFG_RED_SUM", np.float32, (20011,), None), ("TFG_RED_MEAN", np.float32, (20011,), None),
              ("TFG_RED_SUM", np.float32, (3, 9001), [1]), ("TFG_RED_SUM", np.float32, (37, 45), [0]),
              ("TFG_RED_MEAN", np.float32, (3, 20, 13), [1]), ("TFG_RED_SUM", np.float32, (4, 15, 9), [1]),
              ("TFG_RED_SUM", np.float64, (9001,), None), ("TFG_RED_SUM", np.float64, (19, 6), [0]),
              ("TFG_RED_SUM", np.float32, (2, 3, 4, 5), [1, 3]), ("TFG_RED_SUM", np.float32, (5, 4, 6), [0, 2]),
              ("TFG_RED_SUM", np.float32, (6, 7, 8, 9), [0, 2, 3]), ("TFG_RED_PROD", np.float32, (8, 33), [1]),
              ("TFG_RED_PROD", np.float32, (20, 9), [0]), ("TFG_RED_SUM", np.float32, (100003,), None)]
    for opname, dt, shape, axes in fspecs:
        n = int(np.prod(shape))
        k = ((np.arange(n, dtype=np.int64) * 7919) % 1999 - 999).astype(dt)
        x = (k / dt(7)).astype(dt).reshape(shape)
        if opname == "TFG_RED_PROD":
            x = (dt(1) + x / dt(4000)).astype(dt)   # products stay finite
        fn = dict(RED)[opname]
        val, err = run(lambda: fn(tf.constant(x), axis=axes))
        ax = "{%s}" % ",".join(map(str, axes)) if axes else "{0}"
        na = -1 if axes is None else len(axes)
        shp = ",".join(map(str, shape))
        cases.append('{"tf:%s %s %s axes=%s", %s, %s, %d, {%s}, %s, %d, %d, %s}' % (
            opname, dt.__name__, shape, axes, opname, DT[dt], len(shape), shp, ax, na,
            1 if opname == "TFG_RED_PROD" else 0, tens(np.asarray(val), dt)))
    out.append("static const kx_redf_case kx_redf_cases[] = {\n  " + ",\n  ".join(cases) +
               "\n};")

    # argmax / argmin
    cases = []
    specs = [(np.array([[1, 5, 5, 2], [7, 0, 7, -1], [3, 3, 3, 3]], np.float32), [0, 1, -1, -2]),
             (np.array([1.0, np.nan, 2.0, np.nan], np.float32), [0]),
             (np.array([[np.nan, 1.0], [2.0, np.nan]], np.float64), [0, 1]),
             (np.array([[4, -2, 9], [9, 9, -2]], np.int32), [0, 1]),
             (np.array([3, 255, 0, 255], np.uint8), [0]),
             (rng.randint(0, 5, size=(2, 3, 4)).astype(np.int64), [0, 1, 2])]
    for x, axes in specs:
        dt = x.dtype.type
        for axis in axes:
            for is_max in (1, 0):
                fn = tf.argmax if is_max else tf.argmin
                for odt in (np.int64, np.int32):
                    val, err = run(lambda: fn(tf.constant(x), axis=axis, output_type=TFDT[odt]))
                    cases.append('{"tf:arg%s %s axis=%d", %d, %s, %d, %s, %s, NULL}' % (
                        "max" if is_max else "min", dt.__name__, axis, is_max, tens(x, dt),
                        axis, DT[odt], tens(val, odt)))
    for axis, x in ((2, np.zeros((2, 3), np.float32)), (0, np.zeros((0, 3), np.float32))):
        val, err = run(lambda: tf.argmax(tf.placeholder_with_default(x, None),
                                         tf.placeholder_with_default(np.int32(axis), None)))
        assert err is not None
        cases.append('{"tf:error %s", 1, %s, %d, TFG_INT64, {0}, %s}' % (
            safe(err), tens(x, np.float32), axis, cstr(err)))
    out.append("static const kx_arg_case kx_arg_cases[] = {\n  " + ",\n  ".join(cases) + "\n};")

    # softmax
    cases = []
    specs = [np.array([[1.0, 2.0, 3.0], [1e30, -1e30, 0.0], [-1.0, -1.0, -1.0]], np.float32),
             np.array([0.5, -3.25, 8.0, 1e-3], np.float32),
             rng.standard_normal(size=(2, 3, 5)).astype(np.float64) * 10,
             rng.standard_normal(size=(3, 37)).astype(np.float32) * 4,
             rng.standard_normal(size=(9, 41)).astype(np.float32) * 3,
             rng.standard_normal(size=(20, 5)).astype(np.float32) * 2]
    for x in specs:
        dt = x.dtype.type
        for lg in (0, 1):
            fn = tf.nn.log_softmax if lg else tf.nn.softmax
            val, err = run(lambda: fn(tf.constant(x)))
            cases.append('{"tf:%s %s %s", %d, %s, %s}' % (
                "log_softmax" if lg else "softmax", dt.__name__, x.shape, lg, tens(x, dt),
                tens(val, dt)))
    out.append("static const kx_sm_case kx_sm_cases[] = {\n  " + ",\n  ".join(cases) + "\n};")


# ---- shape ops ------------------------------------------------------------------

def gen_shape():
    out.append("/* ---- cast ---- */")
    cases = []
    srcs = {
        np.float32: [np.nan, np.inf, -np.inf, 3e9, -3e9, 300.7, -1.5, -0.5, 255.9, 1e20, 0.0,
                     -0.0, 2.5, -129.0, 1.0],
        np.float64: [4294967297.0, 2147483649.0, -2147483649.0, 256.0, -129.0, 1e300, np.nan,
                     2.5, -2.5, 0.1, 3e18, -3e19],
        np.int32: [-2 ** 31, -1, 0, 1, 255, 256, 300, 2 ** 31 - 1, 16777217],
        np.int64: [-2 ** 63, -1, 0, 1, 256, 2 ** 31, 2 ** 32 + 5, 2 ** 63 - 1, 2 ** 53 + 1],
        np.uint8: [0, 1, 127, 128, 255],
        np.bool_: [False, True],
    }
    for sdt, vals in srcs.items():
        x = np.array(vals, sdt)
        for ddt in (np.float32, np.float64, np.int32, np.int64, np.bool_, np.uint8):
            val, err = run(lambda: tf.cast(tf.constant(x), TFDT[ddt]))
            if err is not None:
                print("cast refused", sdt, ddt, err, file=sys.stderr)
                continue
            cases.append('{"tf:cast %s->%s", %s, %s}' % (
                sdt.__name__, ddt.__name__, tens(x, sdt), tens(val, ddt)))
    out.append("static const kx_cast_case kx_cast_cases[] = {\n  " + ",\n  ".join(cases) +
               "\n};")

    out.append("/* ---- range ---- */")
    cases = []
    specs = [(0, 1, 0.1, np.float32), (0, 100, 0.1, np.float32), (1.5, 100, 0.7, np.float32),
             (10, 0, -3, np.int32), (0, 10, 3, np.int64), (-5, 5, 1, np.int32),
             (1.0, -2.0, -0.25, np.float64), (0, 1, 0.1, np.float64), (3, 3, 1, np.int32),
             (0.5, 2.0, 0.5, np.float32), (-7, 7, 5, np.int64)]
    for s, l, d, dt in specs:
        val, err = run(lambda: tf.range(tf.constant(s, TFDT[dt]), tf.constant(l, TFDT[dt]),
                                        tf.constant(d, TFDT[dt])))
        cases.append('{"tf:range(%r,%r,%r) %s", %r, %r, %r, %s, %s, NULL}' % (
            s, l, d, dt.__name__, float(s), float(l), float(d), DT[dt], tens(val, dt)))
    for s, l, d, dt in [(5, 1, 1, np.int32), (1, 5, -1, np.int32), (1.5, 5.0, -1.0, np.float32),
                        (1.5, 5.0, 0.0, np.float32), (0, 3, 0, np.int64)]:
        ph = lambda v: tf.placeholder_with_default(np.array(v, dt), None)  # noqa: E731
        val, err = run(lambda: tf.range(ph(s), ph(l), ph(d)))
        assert err is not None
        cases.append('{"tf:error %s", %r, %r, %r, %s, {0}, %s}' % (
            safe(err), float(s), float(l), float(d), DT[dt], cstr(err)))
    out.append("static const kx_range_case kx_range_cases[] = {\n  " + ",\n  ".join(cases) +
               "\n};")

    out.append("/* ---- one_hot ---- */")
    cases = []
    specs = [(np.array([0, 2, 5, -1, 1], np.int32), 3, 1.0, 0.0, -1, np.float32),
             (np.array([[0, 2], [1, 3]], np.int64), 4, 5.0, -1.0, 0, np.float32),
             (np.array([[0, 2], [1, 3]], np.int32), 3, 1.0, 0.0, 1, np.int32),
             (np.array(1, np.int32), 3, 2.5, 0.5, -1, np.float64),
             (np.array([1, 0], np.int32), 0, 1.0, 0.0, -1, np.float32),
             (np.array([[1, 0, 2]], np.uint8), 3, 1.0, 0.0, 2, np.float32)]
    for idx, depth, on, off, axis, dt in specs:
        val, err = run(lambda: tf.one_hot(tf.constant(idx), depth, on_value=tf.constant(np.array(on).astype(dt)),
                                          off_value=tf.constant(np.array(off).astype(dt)), axis=axis))
        if err is not None:
            print("one_hot refused", err, file=sys.stderr)
            continue
        cases.append('{"tf:one_hot %s depth=%d axis=%d", %s, %d, %r, %r, %d, %s, %s, NULL}' % (
            idx.shape, depth, axis, tens(idx, idx.dtype.type), depth, on, off, axis, DT[dt],
            tens(val, dt)))
    idx = np.array([1], np.int32)
    val, err = run(lambda: tf.one_hot(idx, tf.placeholder_with_default(np.int32(-1), None)))
    cases.append('{"tf:error %s", %s, -1, 1.0, 0.0, -1, TFG_FLOAT32, {0}, %s}' % (
        safe(err), tens(idx, np.int32), cstr(err)))
    out.append("static const kx_oh_case kx_oh_cases[] = {\n  " + ",\n  ".join(cases) + "\n};")

    out.append("/* ---- gather / tile ---- */")
    cases = []
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    specs = [(x, np.array([1, 0, 1], np.int32), 0), (x, np.array([[2, 0], [1, 1]], np.int64), 1),
             (x, np.array(3, np.int32), 2), (x, np.array([3, 0], np.int32), -1),
             (np.array([5, 6, 7], np.int64), np.array([[2], [0]], np.int32), 0),
             (x, np.zeros((0,), np.int32), 1), (x, np.array([1, 5], np.int32), 1),
             (x, np.array([[0, 1], [2, -1]], np.int32), 2)]
    for xx, idx, axis in specs:
        val, err = run(lambda: tf.gather(tf.placeholder_with_default(xx, None),
                                         tf.placeholder_with_default(idx, None), axis=axis))
        dt = xx.dtype.type
        if err is None:
            cases.append('{"tf:gather %s %s axis=%d", %s, %s, %d, %s, NULL}' % (
                xx.shape, idx.shape, axis, tens(xx, dt), tens(idx, idx.dtype.type), axis,
                tens(val, dt)))
        else:
            cases.append('{"tf:error %s", %s, %s, %d, {0}, %s}' % (
                safe(err), tens(xx, dt), tens(idx, idx.dtype.type), axis, cstr(err)))
    out.append("static const kx_gather_case kx_gather_cases[] = {\n  " + ",\n  ".join(cases) +
               "\n};")
    cases = []
    specs = [(np.array([[1, 2], [3, 4]], np.float32), [2, 3]),
             (np.array([1, 2, 3], np.int32), [0]), (np.array([1, 2, 3], np.int64), [3]),
             (np.arange(6, dtype=np.float64).reshape(1, 2, 3), [2, 1, 2]),
             (np.array(7, np.float32), []), (np.array([[True, False]]), [3, 1]),
             (np.array([[1, 2], [3, 4]], np.float32), [-1, 1])]
    for xx, mult in specs:
        val, err = run(lambda: tf.tile(tf.placeholder_with_default(xx, None),
                                       tf.placeholder_with_default(np.array(mult, np.int64),
                                                                   None)))
        dt = xx.dtype.type
        m = "{%s}" % ",".join(map(str, mult)) if mult else "{0}"
        if err is None:
            cases.append('{"tf:tile %s %s", %s, %s, %s, NULL}' % (
                xx.shape, mult, tens(xx, dt), m, tens(val, dt)))
        else:
            cases.append('{"tf:error %s", %s, %s, {0}, %s}' % (safe(err), tens(xx, dt), m, cstr(err)))
    out.append("static const kx_tile_case kx_tile_cases[] = {\n  " + ",\n  ".join(cases) + "\n};")


# ---- slicing --------------------------------------------------------------------

def gen_slice():
    out.append("/* ---- slices ---- */")
    cases = []
    x = np.arange(60, dtype=np.float32).reshape(3, 4, 5)
    N = None
    # each spec item: int (index), None (newaxis), or (start, stop, step) with None = omitted
    specs = [
        [1], [-1], [(N, N, N)], [(1, N, N)], [(N, 2, N)], [(N, N, -1)], [(N, N, 2)],
        [(-2, N, N), 0], [0, 0, 0], [-3, -4, -5], [(N, N, -2), (3, 0, -1)],
        [(5, 10, N)], [(-10, 10, N)], [(10, -10, -1)], [(2, 1, N)], [(1, 2, -1)],
        [N, 1], [1, N, (N, N, 3)], [(N, N, N), N, 2], [N, N, (0, 1, N), 1],
        [(1, 3, 1), (1, 3, 1), (1, 3, 1)], [(3, N, N)], [(N, N, 100)], [(N, N, -100)],
        [(-1, -4, -1), 2], [0, (N, N, -1), (N, N, -2)], [(-100, 100, 7)],
        [5], [-4], [0, 4], [0, 0, -6], [0, 0, 0, 0],
    ]

    def pyidx(spec):
        r = []
        for s in spec:
            if s is None:
                r.append(np.newaxis)
            elif isinstance(s, int):
                r.append(s)
            else:
                r.append(slice(*s))
        return tuple(r)

    def cspec(spec):
        items = []
        for s in spec:
            if s is None:
                items.append("{TFG_SLICE_NEWAXIS, 0, 0, 0, 0, 0, 1}")
            elif isinstance(s, int):
                items.append("{TFG_SLICE_INDEX, %d, 0, 0, 0, 0, 1}" % s)
            else:
                b, e, st = s
                items.append("{TFG_SLICE_RANGE, 0, %d, %d, %d, %d, %d}" % (
                    b is not None, e is not None, b or 0, e or 0, st if st is not None else 1))
        return "{" + ", ".join(items) + "}"

    for spec in specs:
        idx = pyidx(spec)
        try:
            want = x[idx]
            err = None
        except IndexError:
            want = None
        # TF: the same indexing through Tensor.__getitem__ (strided_slice)
        val, terr = run(lambda: tf.placeholder_with_default(x, None)[idx])
        if want is not None:
            assert terr is None and np.array_equal(val, want), (spec, terr)
            cases.append('{"tf:slice %s", %s, %d, %s, NULL}' % (
                spec, cspec(spec), len(spec), tens(val, np.float32)))
        else:
            err = terr
            assert err is not None, spec
            cases.append('{"tf:error %s", %s, %d, {0}, %s}' % (
                safe(err), cspec(spec), len(spec), cstr(err)))
    out.append("static const kx_slice_case kx_slice_cases[] = {\n  " + ",\n  ".join(cases) +
               "\n};")


# ---- random ---------------------------------------------------------------------

def gen_random():
    out.append("/* ---- random (TF raw ops with explicit seed, seed2) ---- */")
    cases = []
    specs = [
        ("TFG_RAND_NORMAL", tf.raw_ops.RandomStandardNormal, np.float32, (2, 3), 1, 2),
        ("TFG_RAND_NORMAL", tf.raw_ops.RandomStandardNormal, np.float32, (203,), 87654321, 5),
        ("TFG_RAND_NORMAL", tf.raw_ops.RandomStandardNormal, np.float64, (3, 3), 1, 2),
        ("TFG_RAND_UNIFORM", tf.raw_ops.RandomUniform, np.float32, (5,), 1, 2),
        ("TFG_RAND_UNIFORM", tf.raw_ops.RandomUniform, np.float32, (7, 9),
         2 ** 40 + 3, 2 ** 33 + 7),
        ("TFG_RAND_UNIFORM", tf.raw_ops.RandomUniform, np.float64, (5,), 0, 9),
        ("TFG_RAND_TRUNCATED_NORMAL", tf.raw_ops.TruncatedNormal, np.float32, (2, 5), 1, 2),
        ("TFG_RAND_TRUNCATED_NORMAL", tf.raw_ops.TruncatedNormal, np.float32, (301,), 42, 0),
        ("TFG_RAND_TRUNCATED_NORMAL", tf.raw_ops.TruncatedNormal, np.float64, (7,), 3, 4),
        ("TFG_RAND_NORMAL", tf.raw_ops.RandomStandardNormal, np.float32, (0,), 1, 2),
    ]
    for dist, op, dt, shape, s1, s2 in specs:
        g = tf.Graph()
        with g.as_default():
            t = op(shape=list(shape), dtype=TFDT[dt], seed=s1, seed2=s2)
            with tf.Session(graph=g) as s:
                runs = [s.run(t) for _ in range(3)]
        cases.append('{"tf:%s %s %s seed=(%d,%d)", %s, %s, %d, {%s}, UINT64_C(%d), UINT64_C(%d), '
                     '0.0, 1.0, {%s, %s, %s}}' % (
                         dist, dt.__name__, shape, s1, s2, dist, DT[dt], len(shape),
                         ",".join(map(str, shape)) or "0", s1, s2,
                         tens(runs[0], dt), tens(runs[1], dt), tens(runs[2], dt)))
    # int uniform: RandomUniformInt
    for dt, lo, hi, shape, s1, s2 in [(np.int32, -5, 10, (9,), 1, 2),
                                      (np.int64, -2 ** 40, 2 ** 40, (5,), 7, 11),
                                      (np.int32, 0, 2 ** 31 - 1, (4,), 3, 3)]:
        g = tf.Graph()
        with g.as_default():
            t = tf.raw_ops.RandomUniformInt(shape=list(shape), minval=tf.constant(lo, TFDT[dt]),
                                            maxval=tf.constant(hi, TFDT[dt]), seed=s1, seed2=s2)
            with tf.Session(graph=g) as s:
                runs = [s.run(t) for _ in range(3)]
        cases.append('{"tf:uniform int %s [%d,%d) seed=(%d,%d)", TFG_RAND_UNIFORM, %s, %d, {%s}, '
                     'UINT64_C(%d), UINT64_C(%d), %r, %r, {%s, %s, %s}}' % (
                         dt.__name__, lo, hi, s1, s2, DT[dt], len(shape),
                         ",".join(map(str, shape)), s1, s2, float(lo), float(hi),
                         tens(runs[0], dt), tens(runs[1], dt), tens(runs[2], dt)))
    # the Python wrappers with graph seed 1 and op seed 7 (tf.get_seed -> (1, 7))
    wrappers = [("TFG_RAND_NORMAL", lambda: tf.random_normal([5], mean=2.0, stddev=3.0, seed=7),
                 2.0, 3.0, np.float32),
                ("TFG_RAND_UNIFORM", lambda: tf.random_uniform([6], -1.0, 3.0, seed=7), -1.0, 3.0,
                 np.float32),
                ("TFG_RAND_UNIFORM", lambda: tf.random_uniform([6], 0.0, 5.0, seed=7), 0.0, 5.0,
                 np.float32),
                ("TFG_RAND_TRUNCATED_NORMAL",
                 lambda: tf.truncated_normal([4], mean=-1.0, stddev=0.5, seed=7, dtype=tf.float64),
                 -1.0, 0.5, np.float64)]
    for dist, fn, a, b, dt in wrappers:
        g = tf.Graph()
        with g.as_default():
            tf.set_random_seed(1)
            assert tf.get_seed(7) == (1, 7)
            t = fn()
            with tf.Session(graph=g) as s:
                runs = [s.run(t) for _ in range(3)]
        cases.append('{"tf:wrapper %s %s mean/min=%r std/max=%r", %s, %s, 1, {%d}, UINT64_C(1), '
                     'UINT64_C(7), %r, %r, {%s, %s, %s}}' % (
                         dist, dt.__name__, a, b, dist, DT[dt], runs[0].size, a, b,
                         tens(runs[0], dt), tens(runs[1], dt), tens(runs[2], dt)))
    out.append("static const kx_rand_case kx_rand_cases[] = {\n  " + ",\n  ".join(cases) +
               "\n};")


HEAD = r"""/* kernel_expect.h — GENERATED by tests/unit/gen_kernel_expect.py from
 * TensorFlow @TFV@ (tensorflow.compat.v1, CPU) and numpy @NPV@; do not edit.
 * Values are stored as double (float dtypes) or int64 (the others); case
 * names start with "tf:" (TF's value) or "np:" (numpy with tfg's documented
 * semantics where TF has no kernel). */
#ifndef KERNEL_EXPECT_H
#define KERNEL_EXPECT_H
#include <math.h>
#include <stdint.h>
#include "runtime/kernels.h"

/* A tensor's dtype, shape and values (f for float dtypes, i otherwise). */
typedef struct { tfg_dtype dtype; int rank; int64_t shape[TFG_MAX_RANK]; int64_t size;
                 const double *f; const int64_t *i; } kx_tensor;
typedef struct { const char *name; tfg_binop op; kx_tensor a, b, want; int tol;
                 const char *err; } kx_bin_case;
typedef struct { const char *name; kx_tensor c, x, y, want; const char *err; } kx_sel_case;
typedef struct { const char *name; tfg_unop op; kx_tensor x, want; int tol;
                 const char *err; } kx_un_case;
typedef struct { const char *name; kx_tensor a, b; int ta, tb; kx_tensor want;
                 const char *err; int tol; } kx_mm_case;
typedef struct { const char *name; tfg_reduce_op op; kx_tensor x; int axes[TFG_MAX_RANK];
                 int naxes, keep; kx_tensor want; int tol; const char *err; } kx_red_case;
/* A reduction of the formula input x[i] = T((i*7919)%1999-999)/T(7) (prod:
 * 1 + that/4000), computed in the dtype T. */
typedef struct { const char *name; tfg_reduce_op op; tfg_dtype dt; int rank;
                 int64_t shape[TFG_MAX_RANK]; int axes[TFG_MAX_RANK]; int naxes, prod;
                 kx_tensor want; } kx_redf_case;
typedef struct { const char *name; int is_max; kx_tensor x; int axis; tfg_dtype odt;
                 kx_tensor want; const char *err; } kx_arg_case;
typedef struct { const char *name; int log; kx_tensor x, want; } kx_sm_case;
typedef struct { const char *name; kx_tensor x, want; } kx_cast_case;
typedef struct { const char *name; double start, limit, delta; tfg_dtype dt; kx_tensor want;
                 const char *err; } kx_range_case;
typedef struct { const char *name; kx_tensor idx; int64_t depth; double on, off; int axis;
                 tfg_dtype dt; kx_tensor want; const char *err; } kx_oh_case;
typedef struct { const char *name; kx_tensor x, idx; int axis; kx_tensor want;
                 const char *err; } kx_gather_case;
typedef struct { const char *name; kx_tensor x; int64_t mult[TFG_MAX_RANK]; kx_tensor want;
                 const char *err; } kx_tile_case;
typedef struct { const char *name; tfg_slice_spec spec[TFG_MAX_RANK + 2]; int nspec;
                 kx_tensor want; const char *err; } kx_slice_case;
typedef struct { const char *name; tfg_rand_dist dist; tfg_dtype dt; int rank;
                 int64_t shape[TFG_MAX_RANK]; uint64_t seed, seed2; double a, b;
                 kx_tensor runs[3]; } kx_rand_case;

#include <stdio.h>
#include <string.h>

/* A new tensor holding the values of k (NULL on failure). */
static inline tfg_tensor *kx_make(const kx_tensor *k)
{
    tfg_error err;
    tfg_tensor *t = tfg_tensor_new(k->dtype, k->rank, k->shape, &err);
    if (!t)
        return NULL;
    for (int64_t i = 0; i < k->size; i++) {
        if (k->f)
            tfg_tensor_set_f(t, i, k->f[i]);
        else
            tfg_tensor_set_i(t, i, k->i[i]);
    }
    return t;
}

/* Distance in units in the last place between two finite floats of dtype dt. */
static inline uint64_t kx_ulps(double a, double b, tfg_dtype dt)
{
    int64_t ia, ib;
    if (dt == TFG_FLOAT32) {
        float fa = (float)a, fb = (float)b;
        int32_t x, y;
        memcpy(&x, &fa, 4);
        memcpy(&y, &fb, 4);
        ia = x < 0 ? (int64_t)INT32_MIN - x : x;
        ib = y < 0 ? (int64_t)INT32_MIN - y : y;
    } else {
        memcpy(&ia, &a, 8);
        memcpy(&ib, &b, 8);
        ia = ia < 0 ? INT64_MIN - ia : ia;
        ib = ib < 0 ? INT64_MIN - ib : ib;
    }
    return ia > ib ? (uint64_t)ia - (uint64_t)ib : (uint64_t)ib - (uint64_t)ia;
}

/* True when got has want's dtype, shape and values; floats may differ by tol
 * ulps (NaN matches NaN; with tol 0 the sign of zero must match too).
 * Prints the first difference, naming the case, when they differ. */
static inline int kx_same(const char *name, const tfg_tensor *got, const kx_tensor *want, int tol)
{
    char s1[128], s2[128];
    tfg_tensor_shape_str(got->rank, got->shape, s1, sizeof s1);
    tfg_tensor_shape_str(want->rank, want->shape, s2, sizeof s2);
    if (got->dtype != want->dtype || strcmp(s1, s2) != 0) {
        fprintf(stderr, "%s: got %s %s, want %s %s\n", name, tfg_dtype_name(got->dtype), s1,
                tfg_dtype_name(want->dtype), s2);
        return 0;
    }
    for (int64_t i = 0; i < want->size; i++) {
        if (want->f) {
            double g = tfg_tensor_get_f(got, i), w = want->f[i];
            int ok = (isnan(g) && isnan(w)) || (g == w && (tol || signbit(g) == signbit(w))) ||
                     (isfinite(g) && isfinite(w) && kx_ulps(g, w, got->dtype) <= (uint64_t)tol);
            if (!ok) {
                fprintf(stderr, "%s: element %lld: got %.17g, want %.17g\n", name,
                        (long long)i, g, w);
                return 0;
            }
        } else if (tfg_tensor_get_i(got, i) != want->i[i]) {
            fprintf(stderr, "%s: element %lld: got %lld, want %lld\n", name, (long long)i,
                    (long long)tfg_tensor_get_i(got, i), (long long)want->i[i]);
            return 0;
        }
    }
    return 1;
}

/* True when err starts with want (TF messages may carry a suffix). */
static inline int kx_err_is(const char *name, const char *err, const char *want)
{
    if (strncmp(err, want, strlen(want)) == 0)
        return 1;
    fprintf(stderr, "%s: error \"%s\", want \"%s\"\n", name, err, want);
    return 0;
}
"""


def main():
    gen_binary()
    gen_select()
    gen_unary()
    gen_matmul()
    gen_reduce()
    gen_shape()
    gen_slice()
    gen_random()
    with open(OUT, "w") as f:
        f.write(HEAD.replace("@TFV@", tf.__version__).replace("@NPV@", np.__version__))
        f.write("\n".join(out))
        f.write("\n#endif\n")
    print("wrote", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
