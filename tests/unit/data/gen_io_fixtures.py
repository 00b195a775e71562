#!/usr/bin/env python3
"""Writes the small data files test_io.c reads (run from anywhere with a
Python that has numpy 2.x; files land next to this script). Deterministic.

Array contents follow formulas test_io.c recomputes, for flat C-order index i:
    float:  i * 0.5 - 3        int: i * 7 - 20
    uint8:  (i * 37) % 256     bool: i % 3 == 0
"""
import gzip
import io
import os
import struct
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
os.chdir(HERE)

SHAPES = {0: (), 1: (5,), 2: (2, 3), 3: (2, 3, 4), 4: (2, 1, 3, 2)}
CODES = {"f4": np.float32, "f8": np.float64, "i4": np.int32, "i8": np.int64,
         "b1": np.bool_, "u1": np.uint8}


def values(code, shape):
    n = int(np.prod(shape)) if shape else 1
    i = np.arange(n)
    if code in ("f4", "f8"):
        v = i * 0.5 - 3
    elif code in ("i4", "i8"):
        v = i * 7 - 20
    elif code == "u1":
        v = (i * 37) % 256
    else:
        v = i % 3 == 0
    return np.asarray(v).astype(CODES[code]).reshape(shape)


def write(name, data):
    with open(name, "wb") as f:
        f.write(data)


def npy_bytes(a, version=None):
    b = io.BytesIO()
    np.lib.format.write_array(b, a, version=version)
    return b.getvalue()


def npy_raw(header_dict_text, payload, version=1):
    """A hand-made .npy with an arbitrary header text."""
    h = header_dict_text.encode("latin1")
    if version == 1:
        pre = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h))
    else:
        pre = b"\x93NUMPY" + bytes([version, 0]) + struct.pack("<I", len(h))
    return pre + h + payload


def idx_bytes(type_code, shape, payload):
    return bytes([0, 0, type_code, len(shape)]) + b"".join(struct.pack(">I", d) for d in shape) + payload


def main():
    # every dtype at every rank, as np.save writes them
    for code in CODES:
        for rank, shape in SHAPES.items():
            np.save("%s_r%d.npy" % (code, rank), values(code, shape))
    np.save("f4_empty.npy", np.zeros((0, 3), np.float32))
    # other layouts numpy can produce
    write("f8_fortran.npy", npy_bytes(np.asfortranarray(values("f8", (2, 3, 4)))))
    write("f4_bigendian.npy", npy_bytes(values("f4", (2, 3)).astype(">f4")))
    write("i8_bigendian.npy", npy_bytes(values("i8", (2, 3)).astype(">i8")))
    write("i4_v2.npy", npy_bytes(values("i4", (2, 3)), version=(2, 0)))
    write("f8_v3.npy", npy_bytes(values("f8", (2, 3)), version=(3, 0)))
    # archives
    np.savez("stored.npz", a=values("f4", (2, 3)), b=values("i8", (5,)), c=values("b1", ()))
    np.savez_compressed("deflated.npz", a=values("f4", (2, 3)), b=values("u1", (2, 3, 4)))
    np.savez("single.npz", only=values("f8", (2, 3)))
    # CSV
    write("ok.csv", b"1,2,3.5,-4\n5e-1, 6 ,7,8\n9,10,11,nan\n")
    write("crlf.csv", b"1,2\r\n3,4\r\n\r\n")
    write("one_row.csv", b"1.5,2.5,3.5\n")
    write("one_col.csv", b"1\n2\n3\n")
    write("ragged.csv", b"1,2,3\n4,5\n")
    write("bad_field.csv", b"1,2\n3,abc\n")
    write("empty_field.csv", b"1,,2\n")
    write("empty.csv", b"")
    write("header.csv", b"x,y\n1,2\n")
    # MNIST idx
    img = values("u1", (2, 3, 4))
    write("images-idx3-ubyte", idx_bytes(0x08, (2, 3, 4), img.tobytes()))
    write("labels-idx1-ubyte", idx_bytes(0x08, (10,), bytes(range(10))))
    write("images-idx3-ubyte.gz", gzip.compress(idx_bytes(0x08, (2, 3, 4), img.tobytes()), mtime=0))
    write("ints-idx2-int", idx_bytes(0x0C, (2, 3), values("i4", (2, 3)).astype(">i4").tobytes()))
    write("floats-idx2-float", idx_bytes(0x0D, (2, 3), values("f4", (2, 3)).astype(">f4").tobytes()))
    write("doubles-idx1-double", idx_bytes(0x0E, (5,), values("f8", (5,)).astype(">f8").tobytes()))
    write("shorts-idx1-short", idx_bytes(0x0B, (4,), np.array([-300, -1, 0, 300], ">i2").tobytes()))
    write("bytes-idx1-byte", idx_bytes(0x09, (4,), np.array([-128, -1, 0, 127], "i1").tobytes()))
    write("data.unknownext", npy_bytes(values("i4", (2, 3))))

    # ---- corrupt inputs: every one must be a clean error naming the path ----
    good = npy_bytes(values("f8", (2, 3)))
    write("bad_truncated_data.npy", good[:-5])
    write("bad_truncated_header.npy", good[:40])
    write("bad_magic.npy", b"\x93NUMPZ" + good[6:])
    write("bad_empty.npy", b"")
    write("bad_lying_shape.npy", npy_raw(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }\n", b"\0" * 64))
    write("bad_overflow_shape.npy", npy_raw(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4611686018427387904), }\n",
        b"\0" * 64))
    write("bad_huge_dim.npy", npy_raw(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,), }\n", b""))
    write("bad_negative_dim.npy", npy_raw(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }\n", b""))
    write("bad_dtype_i2.npy", npy_bytes(np.arange(4, dtype=np.int16)))
    write("bad_dtype_c16.npy", npy_bytes(np.arange(4, dtype=np.complex128)))
    write("bad_structured.npy", npy_bytes(np.zeros(2, dtype=[("x", "<f4"), ("y", "<i4")])))
    write("bad_version.npy", b"\x93NUMPY\x09\x00" + good[8:])
    write("bad_header_len.npy", b"\x93NUMPY\x02\x00" + struct.pack("<I", 0xFFFFFFF0) + good[10:])
    write("bad_header_syntax.npy", npy_raw("{'descr': '<f8', 'fortran_order': Maybe, 'shape': (2,), }\n", b"\0" * 16))
    write("bad_header_missing.npy", npy_raw("{'descr': '<f8', 'shape': (2,), }\n", b"\0" * 16))
    write("bad_rank9.npy", npy_raw(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1), }\n", b"\0" * 8))
    write("bad_nul_header.npy", npy_raw("{'descr': '<f8',\0 'fortran_order': False, 'shape': (1,), }\n", b"\0" * 8))

    stored = open("stored.npz", "rb").read()
    write("bad_truncated.npz", stored[:len(stored) // 2])
    write("bad_notzip.npz", b"this is not a zip file at all, just text\n" * 3)
    # flip a byte inside the first member's data: CRC must catch it
    z = bytearray(stored)
    pos = z.find(b"\x93NUMPY") + 130
    z[pos] ^= 0xFF
    write("bad_crc.npz", bytes(z))
    # deflated member whose compressed bytes are garbage
    d = bytearray(open("deflated.npz", "rb").read())
    zf = zipfile.ZipFile(io.BytesIO(bytes(d)))
    info = zf.infolist()[0]
    lh = info.header_offset
    start = lh + 30 + struct.unpack("<H", d[lh + 26:lh + 28])[0] + struct.unpack("<H", d[lh + 28:lh + 30])[0]
    d[start] = 0xFF   # a deflate block of the reserved type 3: invalid
    write("bad_deflate.npz", bytes(d))
    # a member that holds a bad .npy
    with zipfile.ZipFile("bad_member.npz", "w") as zw:
        zw.writestr("x.npy", good[:-5])
    # a central directory claiming an absurd uncompressed size
    with zipfile.ZipFile("bad_usize.npz", "w", zipfile.ZIP_DEFLATED) as zw:
        zw.writestr("x.npy", good)
    u = bytearray(open("bad_usize.npz", "rb").read())
    cdpos = u.find(b"PK\x01\x02")
    u[cdpos + 24:cdpos + 28] = struct.pack("<I", 0xFFFFFFF0)
    write("bad_usize.npz", bytes(u))
    # a member that is not .npy data at all
    with zipfile.ZipFile("bad_not_npy.npz", "w") as zw:
        zw.writestr("x.npy", b"hello world, not numpy")

    raw_idx = idx_bytes(0x08, (2, 3, 4), img.tobytes())
    write("bad_truncated-idx3-ubyte", raw_idx[:-7])
    write("bad_magic-idx3-ubyte", b"\x01\x02" + raw_idx[2:])
    write("bad_type-idx3-ubyte", bytes([0, 0, 0x0A, 3]) + raw_idx[4:])
    write("bad_huge-idx3-ubyte", idx_bytes(0x08, (60000, 60000, 60000), b"\0" * 32))
    write("bad_rank-idx9-ubyte", bytes([0, 0, 8, 9]) + b"\0\0\0\1" * 9 + b"\0")
    write("bad_dims-idx3-ubyte", raw_idx[:9])
    gz = gzip.compress(raw_idx, mtime=0)
    write("bad_truncated-idx3-ubyte.gz", gz[:len(gz) - 12])
    g2 = bytearray(gz)
    for k in range(12, min(len(g2) - 8, 30)):
        g2[k] ^= 0x55
    write("bad_corrupt-idx3-ubyte.gz", bytes(g2))
    write("bad_huge-idx3-ubyte.gz", gzip.compress(idx_bytes(0x0C, (100000, 100000, 1000), b"\0" * 64), mtime=0))


if __name__ == "__main__":
    main()
