"""peers.py - the numpy / PyTorch side of bench/run.sh, run with /usr/bin/python3.

Usage: python3 bench/peers.py add [N] [REPS]   np.add(a, b) (allocating), N float32, GB/s at 12 B/elt
       python3 bench/peers.py overhead          ns/op of a + b on 2-element float32 arrays (timeit),
                                                numpy, and torch eager if `import torch` works
Prints "RESULT key=value ..." lines; the caller sets OPENBLAS_CORETYPE / OPENBLAS_NUM_THREADS.
"""
import statistics
import sys
import time
import timeit

import numpy as np


def corename():
    """OpenBLAS core type of the BLAS numpy loaded (libblas.so.3 -> OpenBLAS here), or '?'."""
    try:
        import ctypes
        for lib in ("libblas.so.3", "libopenblas.so.0"):
            try:
                f = ctypes.CDLL(lib).openblas_get_corename
            except (OSError, AttributeError):
                continue
            f.restype = ctypes.c_char_p
            return f().decode()
    except Exception:
        pass
    return "?"


def bench_add(n, reps):
    rng = np.random.default_rng(0)
    a = rng.random(n, dtype=np.float32) * 2 - 1
    b = rng.random(n, dtype=np.float32) * 2 - 1
    c = np.add(a, b)
    del c
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        c = np.add(a, b)
        ts.append(time.perf_counter() - t0)
        del c
    med = statistics.median(ts)
    print(f"RESULT numpy={np.__version__} n={n} reps={reps} np_ms={med * 1e3:.3f} "
          f"np_gbs={12.0 * n / med * 1e-9:.2f} best_gbs={12.0 * n / min(ts) * 1e-9:.2f} "
          f"corename={corename()}")


def bench_overhead():
    number, repeat = 100_000, 7
    na, nb = np.array([1.0, 2.0], np.float32), np.array([3.0, 4.0], np.float32)
    env = dict(na=na, nb=nb)
    floor = statistics.median(timeit.repeat("pass", globals=env, number=number, repeat=repeat))
    ts = timeit.repeat("na + nb", globals=env, number=number, repeat=repeat)
    print(f"RESULT numpy_ns_per_op={statistics.median(ts) / number * 1e9:.1f} "
          f"numpy_min_ns_per_op={min(ts) / number * 1e9:.1f} loop_floor_ns={floor / number * 1e9:.1f}")
    try:
        import torch
    except Exception as e:  # ImportError, or a broken install
        print(f"RESULT torch=not_installed reason={type(e).__name__}")
        return
    torch.set_num_threads(1)
    ta, tb = torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0])
    env.update(ta=ta, tb=tb)
    ts = timeit.repeat("ta + tb", globals=env, number=number, repeat=repeat)
    print(f"RESULT torch={torch.__version__} torch_ns_per_op={statistics.median(ts) / number * 1e9:.1f} "
          f"torch_min_ns_per_op={min(ts) / number * 1e9:.1f}")


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "add":
        n = int(sys.argv[2]) if len(sys.argv) > 2 else 16 << 20
        reps = int(sys.argv[3]) if len(sys.argv) > 3 else 10
        bench_add(n, reps)
    elif mode == "overhead":
        bench_overhead()
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
