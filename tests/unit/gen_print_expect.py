#!/usr/bin/env python3
"""Generates tests/unit/data/print_cases.txt: numpy 2.x str()/repr() of many
arrays (and Python float repr), the expectations test_print.c checks.

Run with a Python that has numpy 2.x (e.g. /work/tfvenv/bin/python):
    python tests/unit/gen_print_expect.py > tests/unit/data/print_cases.txt
The output is deterministic (fixed seed). Tests never run this script.

File format, one record after another:
    case DTYPE RANK D0 D1 ...      (dims)
    zdata N HEX                    (zlib-compressed raw little-endian C-order
                                    bytes, N of them once inflated)
    str N / repr N / json N        (N bytes follow on the next line, then "\\n")
    pyfloat HEX16 TEXT             (float64 bits and Python's repr)
"""
import struct
import sys
import zlib

import numpy as np

assert np.__version__.startswith("2."), np.__version__

# an optional argument picks another seed (for ad-hoc stress runs)
rng = np.random.default_rng(int(sys.argv[1]) if len(sys.argv) > 1 else 20240607)
out = sys.stdout


def block(tag, text):
    b = text.encode()
    out.write("%s %d\n" % (tag, len(b)))
    out.write(text)
    out.write("\n")


def pyfloat32(v):
    """Python-repr style layout of a float32's own shortest digits."""
    f = np.float32(v)
    if np.isnan(f):
        return "nan"
    if np.isinf(f):
        return "-inf" if f < 0 else "inf"
    sci = np.format_float_scientific(f, unique=True, trim="-")
    mant, exp = sci.split("e")
    e = int(exp)
    if -4 <= e < 16:
        return np.format_float_positional(f, unique=True, trim="0")
    return sci


def json_of(a):
    def elem(x):
        if a.dtype == np.bool_:
            return "true" if x else "false"
        if a.dtype.kind in "iu":
            return str(int(x))
        if np.isnan(x):
            return '"nan"'
        if np.isinf(x):
            return '"-inf"' if x < 0 else '"inf"'
        if a.dtype == np.float32:
            return pyfloat32(x)
        return repr(float(x))

    def nested(sub):
        if sub.ndim == 0:
            return elem(sub[()])
        return "[" + ",".join(nested(s) for s in sub) + "]"

    return '{"dtype":"%s","shape":[%s],"data":%s}' % (
        a.dtype.name, ",".join(str(d) for d in a.shape), nested(a))


def emit(a, with_json=False):
    a = np.ascontiguousarray(a)
    out.write("case %s %d%s\n" % (a.dtype.name, a.ndim,
                                  "".join(" %d" % d for d in a.shape)))
    raw = a.astype(a.dtype.newbyteorder("<")).tobytes()
    out.write("zdata %d %s\n" % (len(raw), zlib.compress(raw, 9).hex()))
    block("str", str(a))
    block("repr", repr(a[()] if a.ndim == 0 else a))
    if with_json:
        block("json", json_of(a))


SPECIALS = [0.0, -0.0, np.nan, np.inf, -np.inf]


def rand_floats(n, dt, style):
    if style == "int":
        v = rng.integers(-50, 50, n).astype(np.float64)
    elif style == "unit":
        v = rng.random(n)
    elif style == "normal":
        v = rng.normal(0, 3, n)
    elif style == "mag":
        v = rng.choice([-1, 1], n) * 10.0 ** rng.uniform(-12, 12, n)
    elif style == "narrowmag":
        lo = rng.uniform(-6, 9)
        v = rng.choice([-1, 1], n) * 10.0 ** rng.uniform(lo, lo + rng.uniform(0, 4), n)
    elif style == "round":
        v = np.round(rng.normal(0, 100, n), int(rng.integers(0, 4)))
    elif style == "huge":
        v = rng.choice([-1, 1], n) * 10.0 ** rng.uniform(20, 300 if dt == np.float64 else 38, n)
    elif style == "tiny":
        v = rng.choice([-1, 1], n) * 10.0 ** rng.uniform(-320 if dt == np.float64 else -44, -20, n)
    elif style == "pow2":
        v = 2.0 ** rng.integers(-30, 40, n) * rng.choice([-1, 1], n)
    else:
        raise ValueError(style)
    v = v.astype(dt)
    if rng.random() < 0.3 and n > 0:
        k = int(rng.integers(1, min(n, 4) + 1))
        pos = rng.choice(n, k, replace=False)
        v[pos] = rng.choice(SPECIALS, k)
    return v


def rand_array(dt, shape):
    n = int(np.prod(shape)) if shape else 1
    if dt in (np.float32, np.float64):
        style = rng.choice(["int", "unit", "normal", "mag", "narrowmag", "round",
                            "huge", "tiny", "pow2"])
        v = rand_floats(n, dt, style)
    elif dt == np.bool_:
        v = rng.random(n) < 0.5
    elif dt == np.uint8:
        v = rng.integers(0, 256, n, dtype=np.uint8)
    elif dt == np.int32:
        hi = int(rng.choice([10, 1000, 2**31 - 1]))
        v = rng.integers(-hi, hi, n, dtype=np.int32)
    else:
        hi = int(rng.choice([10, 10**6, 2**63 - 1]))
        v = rng.integers(-hi, hi, n, dtype=np.int64)
    return v.reshape(shape)


DTYPES = [np.float32, np.float64, np.int32, np.int64, np.uint8, np.bool_]


def hand_cases():
    f32, f64 = np.float32, np.float64
    L = [
        np.array([[12.]], f32), np.array([-2., -1.], f32), np.array([21.], f32),
        np.array([0.1, 0.2, 0.3], f32), np.array([0.1, 0.2, 0.3]),
        np.array([1e-4, 1e-3], f32), np.array([1e-4, 1e-3]), np.array([9.99e-5, 1e-3], f32),
        np.array([1e6, 1e4], f32), np.array([999999., 1e4], f32), np.array([1e8, 1e6]),
        np.array([99999999., 1e6]), np.array([1.5e-10, 1, 123456789.]),
        np.array([np.nan, 1.5, -np.inf]), np.array([np.nan, 1.5e-10, -np.inf]),
        np.array([np.nan]), np.array([np.inf, -np.inf]), np.array([-np.inf]),
        np.array([np.nan, np.nan], f32), np.array([0., -0.]), np.array([-0.], f32),
        np.array([1e20], f32), np.array([1e20, 1]), np.array([1.5e-5]),
        np.array([3.4028235e38, -3.4028235e38], f32), np.array([1e-45, 1e-40], f32),
        np.array([5e-324, 1.7976931348623157e308]), np.array([2.0**-1074]),
        np.array([1 / 3, 2 / 3, 1.0], f32), np.array([1 / 3, 2 / 3, 1.0]),
        np.array([1000., 1.], f32), np.array([1001., 1.], f32), np.array([1000., 1.]),
        np.array([1000.5, 1.]), np.array([0.5, 500.25]), np.array([16777217.], f64),
        np.array([16777216.], f32), np.array([0.30000001192092896], f32),
        np.array([123456.7, 0.001], f32), np.array([9.5, 10.5, -99.5]),
        np.arange(40, dtype=f32) / 7, np.arange(40.) / 7, np.arange(100).reshape(4, 25),
        np.arange(24).reshape(2, 3, 4), np.arange(120.).reshape(2, 3, 4, 5),
        np.arange(1001), np.arange(2000.), np.arange(2000, dtype=f32),
        np.arange(3000).reshape(30, 100), np.arange(8000).reshape(20, 20, 20) * 1.5,
        np.ones((7, 7, 7, 7), np.int32), np.zeros((1000,)), np.zeros((1001,), np.bool_),
        np.array([True, False]), np.array([[True], [False]]), np.array([False] * 30),
        np.array([1, 2], np.int32), np.array([1, 2], np.uint8), np.array([[1, 2], [3, 4]]),
        np.array([-(2**63), 2**63 - 1]), np.array([0, 255], np.uint8),
        np.array([-5, 123456], np.int32), np.arange(-30, 30, dtype=np.int64),
        np.zeros((0,), f32), np.zeros((0,)), np.zeros((0, 3), np.int32), np.zeros((2, 0)),
        np.zeros((0,), np.bool_), np.zeros((3, 0, 2), np.uint8),
        np.array(21., f32), np.array(3, np.int32), np.array(3), np.array(7, np.uint8),
        np.array(True), np.array(False), np.array(-0.5), np.array(1e-5), np.array(np.inf),
        np.array(np.nan), np.array(-np.inf, f32), np.array(0.1, f32), np.array(1e20, f32),
        np.array(1e16), np.array(1e15), np.array(1e16, f32), np.array(1e6, f32),
        np.array(999999., f32), np.array(1e-4, f32), np.array(1e-4), np.array(-0.0, f32),
        np.array(123456789.0), np.array(0.1), np.array(2.5e-5, f32), np.array(5e-324),
        np.array(3.4028235e38, f32), np.array(-7, np.int64), np.array(1.5, f32),
        np.array([[1e-5, 1e5], [np.nan, -np.inf]], f32),
        np.array([[0.1, 1000], [-5.5, 1e-3]]),
        np.full((3, 30), 1 / 7), np.full((2, 2, 30), -1 / 3, f32),
        np.array([1.23456789012, 2.0]), np.array([1.23456785, 2.0], f32),
        np.array([0.123456789, 10.0]), np.array([100000000.5]),
        np.array([1e300, 1e-300]), np.array([1e100, 1.0]),
        np.array([-1e-100, 1.0]),
    ]
    # rows whose width sits right at the wrapping limit
    for n in range(8, 16):
        L.append(np.full(n, 123456.5))
        L.append(np.arange(n, dtype=np.int64) * 10**6)
    return L


def main():
    count = 0
    for a in hand_cases():
        emit(a, with_json=a.size <= 50)
        count += 1
    shapes_small = [(), (1,), (2,), (3,), (5,), (1, 1), (2, 3), (3, 1), (1, 4), (2, 2, 2),
                    (3, 2, 4), (2, 1, 3, 2), (2, 2, 2, 2), (12,), (25,), (40,), (4, 15),
                    (3, 3, 9), (0,), (1, 0), (6, 7), (7, 6), (1, 1, 1, 1)]
    for rep in range(80):
        for dt in DTYPES:
            shape = shapes_small[int(rng.integers(len(shapes_small)))]
            a = rand_array(dt, shape)
            emit(a, with_json=(rep % 4 == 0))
            count += 1
    # random shapes of every rank, some long rows
    for rep in range(200):
        dt = DTYPES[int(rng.integers(len(DTYPES)))]
        rank = int(rng.integers(1, 5))
        shape = tuple(int(rng.integers(1, 6 if rank > 2 else 16)) for _ in range(rank))
        emit(rand_array(dt, shape), with_json=(rep % 10 == 0))
        count += 1
    # summarised arrays (> 1000 elements)
    big_shapes = [(1001,), (2000,), (40, 50), (3, 20, 30), (2, 3, 200), (11, 11, 11),
                  (7, 7, 7, 7), (1, 1200), (1200, 1), (5, 300), (2, 2, 300), (6, 6, 6, 6),
                  (8, 130), (2, 600)]
    for shape in big_shapes:
        for dt in DTYPES:
            a = rand_array(dt, shape)
            # numpy never looks at the elements a summary hides: zero them so
            # the data compresses (the output does not change)
            keep = np.zeros(shape, bool)
            edges = tuple(np.r_[0:3, n - 3:n] if n > 6 else np.arange(n) for n in shape)
            keep[np.ix_(*edges)] = True
            before = str(a)
            a[~keep] = 0
            assert str(a) == before
            emit(a)
            count += 1
    # scalars of every kind
    for rep in range(200):
        dt = DTYPES[int(rng.integers(len(DTYPES)))]
        emit(rand_array(dt, ()), with_json=(rep % 5 == 0))
        count += 1
    # Python float repr
    vals = [0.0, -0.0, 1.0, 0.1, 1e-5, 1e-4, 1e16, 1e15, 1.5e20, 123.456, 5e-324,
            1.7976931348623157e308, float("nan"), float("inf"), float("-inf"), 2.0**-1022,
            9007199254740993.0, 0.3, 1 / 3, 1e22, 1e23, 9.999999999999999e15,
            9.999999999999999e-5, 0.0001]
    vals += list(rng.normal(0, 1e3, 200))
    vals += list(rng.choice([-1, 1], 300) * 10.0 ** rng.uniform(-310, 308, 300))
    vals += [float(2.0**int(e)) for e in rng.integers(-1074, 1023, 100)]
    for v in vals:
        out.write("pyfloat %s %s\n" % (struct.pack(">d", v).hex(), repr(float(v))))
    sys.stderr.write("%d array cases, %d pyfloat cases\n" % (count, len(vals)))


if __name__ == "__main__":
    main()
