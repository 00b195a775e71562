#!/usr/bin/env python3
"""Writes the data files the golden CLI tests feed to tfg (needs numpy).

Run from anywhere: python3 tests/cli/data/make_fixtures.py.  The files are
committed; this script documents how each was made and remakes them.
"""
import gzip
import io
import os
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(HERE, name)


def write(name, data):
    with open(path(name), "wb") as f:
        f.write(data)


def npy_bytes(a, version=None):
    buf = io.BytesIO()
    if version is None:
        np.save(buf, a)
    else:
        np.lib.format.write_array(buf, a, version=version)
    return buf.getvalue()


def npy_header(descr, shape):
    """A version 1.0 .npy header, padded as numpy pads it."""
    d = "{'descr': '%s', 'fortran_order': False, 'shape': %r, }" % (descr, tuple(shape))
    h = d + " " * ((-(10 + len(d) + 1)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode()


def idx_bytes(a):
    codes = {np.dtype(np.uint8): 0x08, np.dtype(">i4"): 0x0C, np.dtype(">f4"): 0x0D}
    head = bytes([0, 0, codes[a.dtype], a.ndim]) + struct.pack(">%dI" % a.ndim, *a.shape)
    return head + a.tobytes()


def main():
    # good inputs
    write("matrix.npy", npy_bytes(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float64)))
    write("vector_f32.npy", npy_bytes(np.array([1.5, 2.5, 3.5], dtype=np.float32)))
    write("ints.npy", npy_bytes(np.array([3, 1, 4, 1, 5], dtype=np.int64)))
    write("vector_v2.npy", npy_bytes(np.array([0.25, 0.5], dtype=np.float32), version=(2, 0)))
    np.savez(path("pair.npz"), a=np.array([1, 2, 3], dtype=np.int64),
             b=np.array([[0.5, 1.5]], dtype=np.float32))
    np.savez_compressed(path("pair_compressed.npz"), a=np.array([7, 8, 9], dtype=np.int32),
                        b=np.array([[2.5, 3.5]], dtype=np.float64))
    np.savez(path("single.npz"), values=np.array([10., 20.], dtype=np.float32))
    write("matrix.csv", b"1,2,3\n4,5,6\n")
    write("row.csv", b"0.5,1.5,2.5\n")
    write("column.csv", b"1\n2\n3\n")
    images = np.arange(12, dtype=np.uint8).reshape(2, 2, 3) * 20
    write("images-idx3-ubyte", idx_bytes(images))
    write("images-idx3-ubyte.gz", gzip.compress(idx_bytes(images), mtime=0))
    write("labels-idx1-ubyte", idx_bytes(np.array([3, 7], dtype=np.uint8)))
    # what `tfg run samples/matmul.tfg --fetch product --format npy -o F` must write
    write("matmul_product.npy", npy_bytes(np.array([[12.]], dtype=np.float32)))
    # bad inputs
    good = npy_bytes(np.arange(10, dtype=np.float32))
    write("truncated.npy", good[:len(good) - 32])        # header for (10,), 8 bytes of data
    lying = npy_header("<f4", (100000000,)) + np.zeros(3, dtype=np.float32).tobytes()
    write("lying_header.npy", lying)                     # claims 10^8 floats, holds 3
    write("bad_magic.npy", b"this is not a numpy file at all\n")
    write("corrupt.npz", b"PK\x03\x04" + b"\x00garbage" * 8)
    write("bad.csv", b"1,2,x\n")


if __name__ == "__main__":
    main()
