#!/usr/bin/python3
"""fc_feed.py - section 5 of bench/run.sh: the MNIST fully_connected_feed recipe in tfg
against the numpy and PyTorch peers of ../shared/peers (fc_feed_numpy.py, fc_feed_torch.py),
same data (Fashion-MNIST), same threads, same OPENBLAS_CORETYPE (inherited from the caller).

Usage: /usr/bin/python3 bench/fc_feed.py [--tfg ./tfg] [--peers DIR] [--runs 5] [--warmups 1]
                                          [--threads 1] [--steps 2000] [--tutorial] [--tfg-all]
Each round runs every command once, in turn (host noise falls on all alike); the first
--warmups rounds are not counted.  Per command it measures the whole process from spawn to
reap (wall, and peak RSS from the kernel's accounting of the child, os.wait4) and reads the
command's own RESULT line (ms_per_step = training steps only, batches included; test_acc).
  tfg:      tfg run --threads T bench/fc_feed.tfg -- STEPS     (tfg's OpenBLAS runs single-threaded:
            tfg cuts products among its own T threads)
  tfg-all:  tfg run bench/fc_feed.tfg -- STEPS (--tfg-all; tfg's default: a thread per CPU)
  numpy:    python3 PEERS/fc_feed_numpy.py --threads T --steps STEPS --print-every 0
  torch:    python3 PEERS/fc_feed_torch.py ... (when `import torch` works)
  tutorial: tfg run --threads T samples/mnist/fully_connected_feed.tfg (--tutorial; the sample
            itself, with its evaluations every 1000 steps and checkpoints: whole process only)
Prints one "RESULT cmd=NAME wall_s=... ms_per_step=... peak_rss_mib=... test_acc=..." line per
command (medians; peak RSS the largest) and a table.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def run_once(argv, env):
    """Runs argv; returns (wall seconds, peak RSS MiB, stdout text, exit status)."""
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                             env=env)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    return wall, ru.ru_maxrss / 1024.0, text, p.returncode


def result_fields(text):
    """key=value pairs of the last RESULT line of a command's output."""
    fields = {}
    for line in text.splitlines():
        if line.startswith("RESULT "):
            fields = dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)
    return fields


def torch_available():
    """Whether this Python imports torch."""
    try:
        r = subprocess.run([sys.executable, "-c", "import torch"], capture_output=True, timeout=120)
        return r.returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def main():
    """Runs the commands in interleaved rounds and prints their medians."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--tfg", default="./tfg")
    ap.add_argument("--peers", default=os.environ.get("PEERS", "../shared/peers"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmups", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--tutorial", action="store_true")
    ap.add_argument("--tfg-all", action="store_true",
                    help="also run tfg with its default thread count (every CPU) as 'tfg-all'")
    a = ap.parse_args()
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(a.threads))
    t = str(a.threads)
    cmds = [("tfg", [a.tfg, "run", "--threads", t, "bench/fc_feed.tfg", "--", str(a.steps)])]
    if a.tfg_all:
        cmds.append(("tfg-all", [a.tfg, "run", "bench/fc_feed.tfg", "--", str(a.steps)]))
    have_peers = os.path.isfile(os.path.join(a.peers, "fc_feed_numpy.py"))
    if have_peers:
        peer_args = ["--threads", t, "--steps", str(a.steps), "--print-every", "0"]
        cmds.append(("numpy", [sys.executable, os.path.join(a.peers, "fc_feed_numpy.py")] + peer_args))
        if torch_available():
            cmds.append(("torch", [sys.executable, os.path.join(a.peers, "fc_feed_torch.py")] + peer_args))
        else:
            print("RESULT cmd=torch status=not_installed")
    else:
        print("RESULT cmd=numpy status=no_peers dir=%s" % a.peers)
    logdir = tempfile.mkdtemp(prefix="tfg-bench-logs-")
    if a.tutorial:
        cmds.append(("tutorial", [a.tfg, "run", "--threads", t, "samples/mnist/fully_connected_feed.tfg",
                                  "--", "--max_steps", str(a.steps), "--log_dir", logdir]))
    walls = {n: [] for n, _ in cmds}
    steps = {n: [] for n, _ in cmds}
    rss = {n: 0.0 for n, _ in cmds}
    acc = {n: "" for n, _ in cmds}
    failed = set()
    for rnd in range(a.warmups + a.runs):
        for name, argv in cmds:
            if name in failed:
                continue
            wall, peak, text, status = run_once(argv, env)
            if status != 0:
                print("RESULT cmd=%s status=failed exit=%d" % (name, status))
                failed.add(name)
                continue
            f = result_fields(text)
            if name == "tutorial":
                tests = [ln for ln in text.splitlines() if "Precision @ 1" in ln]
                f["test_acc"] = tests[-1].split()[-1] if tests else ""
            if rnd < a.warmups:
                continue
            walls[name].append(wall)
            rss[name] = max(rss[name], peak)
            if "ms_per_step" in f:
                steps[name].append(float(f["ms_per_step"]))
            acc[name] = f.get("test_acc", acc[name])
    subprocess.run(["rm", "-rf", logdir])
    print("%-9s %12s %12s %14s %10s   (median of %d runs after %d warm-up, %s threads, OPENBLAS_CORETYPE=%s)"
          % ("", "ms/step", "process s", "peak RSS MiB", "test acc", a.runs, a.warmups, t,
             os.environ.get("OPENBLAS_CORETYPE", "<unset>")))
    for name, _ in cmds:
        if name in failed or not walls[name]:
            continue
        ms = "%.3f" % statistics.median(steps[name]) if steps[name] else "-"
        print("%-9s %12s %12.3f %14.1f %10s" % (name, ms, statistics.median(walls[name]), rss[name],
                                                acc[name] or "-"))
        print("RESULT cmd=%s wall_s=%.3f wall_min_s=%.3f ms_per_step=%s peak_rss_mib=%.1f test_acc=%s runs=%d"
              % (name, statistics.median(walls[name]), min(walls[name]),
                 ms if steps[name] else "", rss[name], acc[name], len(walls[name])))
    return 1 if "tfg" in failed else 0


if __name__ == "__main__":
    sys.exit(main())
