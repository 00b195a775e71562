#!/usr/bin/env python3
"""data_fixtures.py - regenerates the fixtures of the data_* golden tests (fmnist-mini/, reg_*.npy).

fmnist-mini/: the first 300 training and the first 100 test images and labels of
Fashion-MNIST (Debian's dataset-fashion-mnist, /usr/share/datasets/fashion-mnist),
in the same gzipped idx format (byte-identical on every run).
reg_x.npy, reg_y.npy: 7 rows of a small linear regression (y = 0.5 x0 - 0.25 x1 + 1),
the @file feeds of the --repeat/--batch tests.
Run from anywhere:  /usr/bin/python3 tests/cli/data/data_fixtures.py   (needs numpy)
"""
import gzip
import os
import struct

import numpy as np

SRC = os.environ.get("FMNIST_DIR", "/usr/share/datasets/fashion-mnist")
HERE = os.path.dirname(os.path.abspath(__file__))


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    nd = raw[3]
    dims = struct.unpack(">" + "I" * nd, raw[4:4 + 4 * nd])
    return raw[:4], dims, raw[4 + 4 * nd:]


def write_idx_gz(path, magic, dims, body):
    head = magic + struct.pack(">" + "I" * len(dims), *dims)
    with open(path, "wb") as f:
        # mtime=0: the same bytes on every run
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0) as g:
            g.write(head + body)


def subset(name, count):
    magic, dims, body = read_idx(os.path.join(SRC, name + ".gz"))
    per = int(np.prod(dims[1:])) if len(dims) > 1 else 1
    write_idx_gz(os.path.join(HERE, "fmnist-mini", name + ".gz"), magic,
                 (count,) + tuple(dims[1:]), body[:count * per])


def main():
    os.makedirs(os.path.join(HERE, "fmnist-mini"), exist_ok=True)
    subset("train-images-idx3-ubyte", 300)
    subset("train-labels-idx1-ubyte", 300)
    subset("t10k-images-idx3-ubyte", 100)
    subset("t10k-labels-idx1-ubyte", 100)
    x = np.array([[1, 2], [3, 4], [5, 6], [0, 1], [2, 0], [-1, 1], [4, -2]], dtype=np.float32)
    np.save(os.path.join(HERE, "reg_x.npy"), x)
    np.save(os.path.join(HERE, "reg_y.npy"), (x @ np.array([0.5, -0.25], np.float32) + 1).astype(np.float32))


if __name__ == "__main__":
    main()
