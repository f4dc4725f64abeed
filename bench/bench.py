#!/usr/bin/python3
"""bench.py: the driver of the peer benchmark (run it through bench/run,
which builds $BUILD_DIR/bench/libajbench.so and ajb_latency first).

Owns: the cell loop (12 activations x {fwd, bwd} x {1T 4096, 1T 262144,
1T 16M, 2T 16M}), the Python columns (torch eager, torch into preallocated
outputs, naive NumPy), calibration and interleaved rounds, the sanity check
(every column against actjit), actjit's max ULP, the compile-latency
section (child processes), and the report (Markdown on stdout, and
PREFIX.md + PREFIX.csv with --out PREFIX).

Every column runs in this one process on the same buffers (allocated and
first-touched once by libajbench).  Per cell: actjit computes the reference,
each column runs once (checked against it), is calibrated to batches of at
least ~2 ms, warmed up, then timed in R rounds; each round runs every column
once, in an order rotated by the round.  1-thread cells run pinned to the
last core, 2-thread cells on two.

Usage: bench/run [--quick] [--out PREFIX] [--acts a,b] [--columns c,d]
                 [--sizes 4096,262144,16777216,16777216x2] [--rounds K]
                 [--no-latency] [--torch-cap avx512] [--wait-idle SECONDS]
"""
import argparse
import ctypes
import datetime
import math
import os
import platform
import statistics
import subprocess
import sys
import time

ACTS = ["relu", "leaky_relu", "elu", "selu", "sigmoid", "tanh", "softplus",
        "silu", "mish", "gelu", "gelu_tanh", "hardswish"]
C_COLUMNS = ["actjit", "actjit_y", "onednn", "onednn_dst", "sleef", "libm",
             "libm_fm"]
PY_COLUMNS = ["torch", "torch_out", "numpy"]
COLUMNS = C_COLUMNS + PY_COLUMNS + ["roof"]
PEERS = [c for c in COLUMNS if c not in ("actjit", "actjit_y", "roof")]
DEFAULT_SIZES = "4096,262144,16777216,16777216x2"
QUICK_SIZES = "4096,262144,4194304,4194304x2"
SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805
SANITY_WARN = 1e-3   # max relative difference that earns a warning line
NOISY = 0.15         # half-range / median above which a value is flagged
LOADED = 0.2         # cores used by other processes that mark a cell
TARGET = {"warm_ms": 5.0, "hit_ms": 0.2}


def parse_args():
    p = argparse.ArgumentParser(description="actjit peer benchmark")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--out", help="write PREFIX.md and PREFIX.csv")
    p.add_argument("--acts", default=",".join(ACTS))
    p.add_argument("--columns", default=",".join(COLUMNS))
    p.add_argument("--sizes", help=f"default {DEFAULT_SIZES}; "
                   f"--quick: {QUICK_SIZES}")
    p.add_argument("--rounds", type=int)
    p.add_argument("--no-latency", action="store_true")
    p.add_argument("--torch-cap", help="ATEN_CPU_CAPABILITY for torch")
    p.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                   help="before each cell, wait until other processes are "
                   "idle, spending at most SECONDS in all (default 0)")
    p.add_argument("--build-dir", default="build")
    p.add_argument("--cmdline", default="bench/bench.py")
    a = p.parse_args()
    a.acts = [s for s in a.acts.split(",") if s]
    a.columns = [s for s in a.columns.split(",") if s]
    for name, allowed in (("activation", ACTS), ("column", COLUMNS)):
        vals = a.acts if name == "activation" else a.columns
        bad = [v for v in vals if v not in allowed]
        if bad:
            p.error(f"unknown {name} {bad}; choose from {allowed}")
    if "actjit" not in a.columns:
        a.columns.insert(0, "actjit")   # the reference of every cell
    a.cells = []
    sizes = a.sizes or (QUICK_SIZES if a.quick else DEFAULT_SIZES)
    for s in sizes.split(","):
        n, _, t = s.partition("x")
        a.cells.append((int(n), int(t) if t else 1))
    if a.rounds is None:
        a.rounds = 3 if a.quick else 9
    a.target_s = 0.002 if a.quick else 0.003
    a.ulp_random = 1000 if a.quick else 10000
    a.lat_reps = 5 if a.quick else 7
    a.numba_reps = 1 if a.quick else 3
    return a


# ---- output --------------------------------------------------------------

class Report:
    """Markdown lines (stdout and PREFIX.md) and CSV rows (PREFIX.csv)."""

    SCHEMA = [
        "schema,header,key,value",
        "schema,speed,act,op,n,threads,column,median_ns_per_elem,min,max,"
        "calls_per_sample,samples",
        "schema,cell,act,op,n,threads,fastest_peer,fastest_ns,"
        "actjit_over_fastest,actjit_over_roof,actjit_max_ulp,"
        "other_processes_cores",
        "schema,summary,geomean,geomean_actjit_over_fastest,cells,"
        "cells_at_most_1x",
        "schema,threading,n,column,t1_over_t2",
        "schema,sanity,act,op,n,threads,column,max_rel,max_mix,"
        "elements_mix_over_1e-3",
        "schema,latency,act,actjit_cold_ms,actjit_warm_ms,actjit_warm_min_ms,"
        "actjit_hit_ms,actjit_hit_jit_up_ms,actjit_ctx_new_ms,onednn_fwd_ms,"
        "onednn_bwd_ms,onednn_first_fwd_ms,onednn_first_bwd_ms,numba_fwd_ms,"
        "numba_bwd_ms,actjit_warm_optimized_ms,actjit_cold_optimized_ms",
    ]

    def __init__(self):
        self.lines, self.csv = [], list(self.SCHEMA)

    def out(self, line=""):
        self.lines.append(line)
        print(line, flush=True)

    def row(self, *fields):
        self.csv.append(",".join(str(f) for f in fields))

    def save(self, prefix):
        os.makedirs(os.path.dirname(prefix) or ".", exist_ok=True)
        with open(prefix + ".md", "w") as f:
            f.write("\n".join(self.lines) + "\n")
        with open(prefix + ".csv", "w") as f:
            f.write("\n".join(self.csv) + "\n")


def progress(msg):
    print(msg, file=sys.stderr, flush=True)


def command_version(cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        return (r.stdout or r.stderr).splitlines()[0].strip()
    except (OSError, IndexError, subprocess.SubprocessError):
        return "?"


def dpkg_version(pkg):
    return command_version(["dpkg-query", "-W", "-f=${Version}", pkg])


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def machine_load():
    """The load averages and the other processes using a CPU now (other
    engineers' builds and benchmarks share these 2 cores)."""
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    try:
        r = subprocess.run(["ps", "-eo", "pid=,pcpu=,comm="],
                           capture_output=True, text=True, timeout=10)
        busy = []
        for line in r.stdout.splitlines():
            pid, pcpu, comm = line.split(None, 2)
            if int(pid) != os.getpid() and float(pcpu) >= 20:
                busy.append(f"{comm.strip()} {float(pcpu):.0f}%")
    except (OSError, ValueError, subprocess.SubprocessError):
        busy = ["?"]
    return f"load average {load}; busy: {', '.join(busy) or 'none'}"


def header(rep, args, lib, torch, np):
    now = datetime.datetime.now(datetime.timezone.utc)
    rep.out(f"# actjit peer benchmark, {now:%Y-%m-%d %H:%M} UTC")
    rep.out()
    facts = [
        ("command", args.cmdline),
        ("cpu", f"{cpu_model()}, {os.cpu_count()} cores "
                f"(1T cells on core {args.core1}, 2T on {sorted(args.all_cores)})"),
        ("kernel", platform.release()),
        ("gcc", command_version(["gcc", "--version"])),
        ("clang", command_version(["clang-19", "--version"])),
        ("LLVM", command_version(["llvm-config-19", "--version"])),
        ("actjit", lib.ajb_version(b"actjit").decode()
         + f" ({args.build_dir}/libactjit.so)"),
        ("oneDNN", lib.ajb_version(b"onednn").decode()
         + " (OpenMP runtime; primitive cache on for kernels, off for latency)"),
        ("OMP_WAIT_POLICY", os.environ.get("OMP_WAIT_POLICY", "unset")
         + " (OpenMP threads sleep between regions: see bench/run)"),
        ("SLEEF", lib.ajb_version(b"sleef").decode()),
        ("torch", f"{torch.__version__} (CPU capability "
                  f"{os.environ.get('ATEN_CPU_CAPABILITY', 'default')})"),
        ("numpy", np.__version__),
        ("numba", dpkg_version("python3-numba")),
        ("python", platform.python_version()),
        ("machine at start", machine_load()),
    ]
    for k, v in facts:
        rep.out(f"- {k}: {v}")
        rep.row("header", k, '"' + v.replace('"', "'") + '"')
    rep.out()


# ---- the C library -------------------------------------------------------

def load_lib(build_dir):
    lib = ctypes.CDLL(os.path.join(build_dir, "bench", "libajbench.so"))
    f = ctypes.c_float
    lib.ajb_init.argtypes = [ctypes.c_size_t, ctypes.c_uint64]
    lib.ajb_buffer.argtypes = [ctypes.c_int]
    lib.ajb_buffer.restype = ctypes.POINTER(f)
    lib.ajb_error.restype = ctypes.c_char_p
    lib.ajb_version.argtypes = [ctypes.c_char_p]
    lib.ajb_version.restype = ctypes.c_char_p
    lib.ajb_fill_y.argtypes = [ctypes.c_int, ctypes.c_size_t]
    lib.ajb_prepare.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_int,
                                ctypes.c_size_t, ctypes.c_int]
    lib.ajb_time.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_int,
                             ctypes.c_size_t, ctypes.c_int, ctypes.c_long]
    lib.ajb_time.restype = ctypes.c_double
    lib.ajb_save_ref.argtypes = [ctypes.c_size_t]
    lib.ajb_compare.argtypes = [ctypes.c_size_t,
                                ctypes.POINTER(ctypes.c_double)]
    lib.ajb_actjit_ulp.argtypes = [ctypes.c_int, ctypes.c_int,
                                   ctypes.c_size_t]
    lib.ajb_actjit_ulp.restype = ctypes.c_double
    lib.ajb_set_omp_threads.argtypes = [ctypes.c_int]
    return lib


def lib_error(lib, what):
    raise RuntimeError(f"{what}: {lib.ajb_error().decode()}")


# ---- the Python columns --------------------------------------------------

def torch_fns(torch, act, x, y, dy, out):
    """(eager fwd, eager bwd, out fwd, out bwd) for one cell; None = none.
    Backward of sigmoid and tanh takes y = f(x), as PyTorch's autograd
    does."""
    F, A = torch.nn.functional, torch.ops.aten
    fwd = {
        "relu": lambda: F.relu(x),
        "leaky_relu": lambda: F.leaky_relu(x, 0.01),
        "elu": lambda: F.elu(x),
        "selu": lambda: F.selu(x),
        "sigmoid": lambda: torch.sigmoid(x),
        "tanh": lambda: torch.tanh(x),
        "softplus": lambda: F.softplus(x),
        "silu": lambda: F.silu(x),
        "mish": lambda: F.mish(x),
        "gelu": lambda: F.gelu(x),
        "gelu_tanh": lambda: F.gelu(x, approximate="tanh"),
        "hardswish": lambda: F.hardswish(x),
    }[act]
    bwd = {
        "relu": lambda: A.threshold_backward(dy, x, 0.0),
        "leaky_relu": lambda: A.leaky_relu_backward(dy, x, 0.01, False),
        "elu": lambda: A.elu_backward(dy, 1.0, 1.0, 1.0, False, x),
        "selu": lambda: A.elu_backward(dy, SELU_ALPHA, SELU_SCALE, 1.0,
                                       False, x),
        "sigmoid": lambda: A.sigmoid_backward(dy, y),
        "tanh": lambda: A.tanh_backward(dy, y),
        "softplus": lambda: A.softplus_backward(dy, x, 1.0, 20.0),
        "silu": lambda: A.silu_backward(dy, x),
        "mish": lambda: A.mish_backward(dy, x),
        "gelu": lambda: A.gelu_backward(dy, x, approximate="none"),
        "gelu_tanh": lambda: A.gelu_backward(dy, x, approximate="tanh"),
        "hardswish": lambda: A.hardswish_backward(dy, x),
    }[act]
    fwd_out = {
        "relu": lambda: A.relu.out(x, out=out),
        "leaky_relu": lambda: A.leaky_relu.out(x, 0.01, out=out),
        "elu": lambda: A.elu.out(x, 1.0, 1.0, 1.0, out=out),
        # selu has no out= overload: elu.out with selu's constants, which
        # is what torch.selu runs
        "selu": lambda: A.elu.out(x, SELU_ALPHA, SELU_SCALE, 1.0, out=out),
        "sigmoid": lambda: A.sigmoid.out(x, out=out),
        "tanh": lambda: A.tanh.out(x, out=out),
        "softplus": lambda: A.softplus.out(x, 1.0, 20.0, out=out),
        "silu": lambda: A.silu.out(x, out=out),
        "mish": lambda: A.mish.out(x, out=out),
        "gelu": lambda: A.gelu.out(x, approximate="none", out=out),
        "gelu_tanh": lambda: A.gelu.out(x, approximate="tanh", out=out),
        "hardswish": lambda: A.hardswish.out(x, out=out),
    }[act]
    g = {"grad_input": out}
    bwd_out = {
        "relu": lambda: A.threshold_backward.grad_input(dy, x, 0.0, **g),
        "leaky_relu": lambda: A.leaky_relu_backward.grad_input(
            dy, x, 0.01, False, **g),
        "elu": lambda: A.elu_backward.grad_input(dy, 1.0, 1.0, 1.0, False, x,
                                                 **g),
        "selu": lambda: A.elu_backward.grad_input(
            dy, SELU_ALPHA, SELU_SCALE, 1.0, False, x, **g),
        "sigmoid": lambda: A.sigmoid_backward.grad_input(dy, y, **g),
        "tanh": lambda: A.tanh_backward.grad_input(dy, y, **g),
        "softplus": lambda: A.softplus_backward.grad_input(dy, x, 1.0, 20.0,
                                                           **g),
        "silu": lambda: A.silu_backward.grad_input(dy, x, **g),
        "mish": None,   # aten::mish_backward has no out= overload in 1.13
        "gelu": lambda: A.gelu_backward.grad_input(dy, x, approximate="none",
                                                   **g),
        "gelu_tanh": lambda: A.gelu_backward.grad_input(
            dy, x, approximate="tanh", **g),
        "hardswish": lambda: A.hardswish_backward.out(dy, x, out=out),
    }[act]
    return fwd, bwd, fwd_out, bwd_out


def numpy_fns(np, erf, act, x, dy):
    """The naive NumPy formulas (float32 throughout): (fwd, bwd)."""
    e, t, l1p, wh = np.exp, np.tanh, np.log1p, np.where

    def sig():
        return 1 / (1 + e(-x))

    def mish_d():
        th, s = t(l1p(e(x))), sig()
        return th + x * s * (1 - th * th)

    def gelu_tanh_d():
        th = t(0.7978845608 * (x + 0.044715 * x ** 3))
        return (0.5 * (1 + th) + 0.5 * x * (1 - th * th) * 0.7978845608
                * (1 + 3 * 0.044715 * x * x))

    def sig_d():
        s = sig()
        return s * (1 - s)

    def silu_d():
        s = sig()
        return s * (1 + x * (1 - s))

    def tanh_d():
        th = t(x)
        return 1 - th * th

    fwd = {
        "relu": lambda: np.maximum(x, 0),
        "leaky_relu": lambda: wh(x > 0, x, 0.01 * x),
        "elu": lambda: wh(x > 0, x, np.expm1(x)),
        "selu": lambda: SELU_SCALE * wh(x > 0, x, SELU_ALPHA * np.expm1(x)),
        "sigmoid": sig,
        "tanh": lambda: t(x),
        "softplus": lambda: l1p(e(x)),
        "silu": lambda: x * sig(),
        "mish": lambda: x * t(l1p(e(x))),
        "gelu": lambda: 0.5 * x * (1 + erf(x / 1.4142135623730951)),
        "gelu_tanh": lambda: 0.5 * x * (1 + t(0.7978845608 * (
            x + 0.044715 * x ** 3))),
        "hardswish": lambda: x * np.clip(x + 3, 0, 6) / 6,
    }[act]
    bwd = {
        "relu": lambda: dy * (x > 0),
        "leaky_relu": lambda: wh(x > 0, dy, 0.01 * dy),
        "elu": lambda: wh(x > 0, dy, dy * e(x)),
        "selu": lambda: SELU_SCALE * wh(x > 0, dy, SELU_ALPHA * dy * e(x)),
        "sigmoid": lambda: dy * sig_d(),
        "tanh": lambda: dy * tanh_d(),
        "softplus": lambda: dy * sig(),
        "silu": lambda: dy * silu_d(),
        "mish": lambda: dy * mish_d(),
        "gelu": lambda: dy * (0.5 * (1 + erf(x / 1.4142135623730951))
                              + x * 0.3989422804 * e(-0.5 * x * x)),
        "gelu_tanh": lambda: dy * gelu_tanh_d(),
        "hardswish": lambda: dy * wh(x < -3, 0, wh(x > 3, 1, (2 * x + 3) / 6)),
    }[act]
    return fwd, bwd


# ---- one cell ------------------------------------------------------------

class Env:
    """What the cell loop needs: the library, torch/numpy and the buffers."""

    def __init__(self, args, lib, torch, np, erf, nmax):
        self.args, self.lib, self.torch, self.np, self.erf = (
            args, lib, torch, np, erf)
        arr = [np.ctypeslib.as_array(lib.ajb_buffer(i), shape=(nmax,))
               for i in range(5)]
        self.x, self.dy, self.y, self.out, self.ref = arr
        self.tx, self.tdy, self.ty, self.tout = (
            torch.from_numpy(a) for a in arr[:4])


def make_runners(env, act, op, n, threads, columns):
    """{column: run(calls) -> seconds} and {column: run_once() -> array or
    None (the result is in out)} for the columns that have the cell."""
    lib, runs, once = env.lib, {}, {}
    a = ACTS.index(act)
    # y = f(x) for the y-based backward columns (actjit_y, onednn_dst, torch)
    if op == 1 and lib.ajb_fill_y(a, n) != 0:
        lib_error(lib, "ajb_fill_y")
    for c in columns:
        if c in PY_COLUMNS:
            fn = py_fn(env, c, act, op, n, threads)
            if fn is None:
                continue
            runs[c], once[c] = fn
            continue
        r = lib.ajb_prepare(c.encode(), a, op, n, threads)
        if r < 0:
            lib_error(lib, f"prepare {c} {act}")
        if r > 0:
            continue
        runs[c] = (lambda c=c: lambda calls: lib.ajb_time(
            c.encode(), a, op, n, threads, calls))()
        once[c] = (lambda f=runs[c]: lambda: (f(1), None)[1])()
    return runs, once


def py_fn(env, col, act, op, n, threads):
    """(run(calls), run_once) for a Python column, or None."""
    torch, np = env.torch, env.np
    if col == "numpy":
        if threads > 1 or (act == "gelu" and env.erf is None):
            return None   # single-threaded; erf needs scipy
        fn = numpy_fns(np, env.erf, act, env.x[:n], env.dy[:n])[op]
    else:
        fns = torch_fns(torch, act, env.tx[:n], env.ty[:n], env.tdy[:n],
                        env.tout[:n])
        fn = fns[op + (2 if col == "torch_out" else 0)]
        if fn is None:
            return None

    def run(calls, fn=fn):
        if col != "numpy":
            torch.set_num_threads(threads)
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        return time.perf_counter() - t0

    def once(fn=fn):
        if col != "numpy":
            torch.set_num_threads(threads)
        r = fn()
        return r.numpy() if hasattr(r, "numpy") else r
    return run, once


def check_once(env, col, once_fn, n):
    """Runs a column once into out, timed; returns (seconds, comparison
    with the reference: see ajb_compare)."""
    t0 = time.perf_counter()
    r = once_fn()
    t = time.perf_counter() - t0
    if r is not None and col != "torch_out":
        env.out[:n] = r
    cmp = (ctypes.c_double * 7)()
    env.lib.ajb_compare(n, cmp)
    return t, {"rel": cmp[0], "mix": cmp[1], "over": int(cmp[2]),
               "n": n, "x": cmp[4], "ref": cmp[5], "got": cmp[6]}


def calibrate(run, t1, target):
    """Calls per sample so a sample lasts at least target seconds, given
    that the first call took t1; the calls it makes warm the column up."""
    calls, t = 1, t1
    if target <= t < 0.1:
        t = run(1)   # the first call may pay one-time costs: look again
    while t < target and calls < 1 << 24:
        calls = max(calls * 2, int(calls * target / max(t, 1e-9) * 1.2))
        t = run(calls)
    return calls


def time_cell(env, act, op, n, threads):
    """Measures one cell; returns {column: stats} and {column: sanity}."""
    args, lib = env.args, env.lib
    set_affinity(args, threads)
    runs, once = make_runners(env, act, op, n, threads, args.columns)
    cols = [c for c in args.columns if c in runs]
    if runs["actjit"](1) < 0:
        lib_error(lib, "actjit")
    lib.ajb_save_ref(n)
    sanity, calls = {}, {}
    for c in cols:
        t1, sanity[c] = check_once(env, c, once[c], n)
        if c == "roof":
            del sanity[c]
        calls[c] = calibrate(runs[c], t1, args.target_s)
    samples = {c: [] for c in cols}
    for r in range(args.rounds):
        k = r % len(cols)
        for c in cols[k:] + cols[:k]:
            t = runs[c](calls[c])
            if t < 0:
                lib_error(lib, f"time {c}")
            samples[c].append(t / (calls[c] * n) * 1e9)
    stats = {c: summarize(samples[c], calls[c]) for c in cols}
    return stats, sanity


def summarize(v, calls):
    med = statistics.median(v)
    return {"med": med, "min": min(v), "max": max(v), "calls": calls,
            "spread": (max(v) - min(v)) / (2 * med) if med > 0 else 0,
            "samples": v}


class LoadMeter:
    """CPU time used by other processes (in cores), from /proc/stat minus
    this process's own threads: the other engineers' builds and tests that
    share these 2 cores."""
    HZ = os.sysconf("SC_CLK_TCK")

    def __init__(self):
        self.mark = self.snapshot()

    @staticmethod
    def snapshot():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        busy = sum(v) - v[3] - v[4]   # all but idle and iowait
        with open("/proc/self/stat") as f:
            st = f.read().rsplit(")", 1)[1].split()
        own = int(st[11]) + int(st[12])   # utime + stime, all threads
        return time.monotonic(), busy, own

    def others(self):
        """Cores used by others since the last call (or construction)."""
        t0, b0, o0 = self.mark
        self.mark = t1, b1, o1 = self.snapshot()
        dt = max(t1 - t0, 1e-3)
        return max(0.0, ((b1 - b0) - (o1 - o0)) / self.HZ / dt)


def wait_idle(args, meter):
    """Waits (within the --wait-idle budget) until other processes use
    under 0.1 core over a 1 s window."""
    while args.wait_left > 0:
        meter.others()
        time.sleep(1.0)
        args.wait_left -= 1.0
        args.waited += 1.0
        if meter.others() < 0.1:
            return
        progress(f"waiting for other load to end ({args.wait_left:.0f} s "
                 "of the --wait-idle budget left)")


def set_affinity(args, threads):
    os.sched_setaffinity(0, {args.core1} if threads == 1 else args.all_cores)


# ---- the table -----------------------------------------------------------

def fmt_val(s):
    if s is None:
        return ""
    flag = "!" if s["spread"] > NOISY else ""
    return f"{s['med']:.3f} ±{s['spread'] * 100:.0f}%{flag}"


def cell_label(n, threads):
    return f"{threads}T {n}"


def reads_y(col, act, op):
    """Whether peer column col computes the cell from y = f(x), not x."""
    return op == 1 and (col == "onednn_dst" or
                        (col in ("torch", "torch_out")
                         and act in ("sigmoid", "tanh")))


def analyse(stats, act, op):
    """fastest peer (name, value), actjit/fastest, actjit/roof.

    Like for like: peers that read x are held against actjit, peers that
    read y (onednn_dst, torch's sigmoid/tanh backward) against actjit_y
    (ACTJIT_BACKWARD_FROM_Y, same inputs, same tail loss) where actjit has
    it, else against actjit; the cell's ratio is the worse of the two and
    the fastest peer is the one that sets it."""
    a = stats.get("actjit")
    if not a:
        return None, None, None
    best = None
    for ys in (False, True):
        peers = [(s["med"], c) for c, s in stats.items()
                 if c in PEERS and reads_y(c, act, op) == ys]
        if not peers:
            continue
        fast = min(peers)
        mine = stats.get("actjit_y") if ys and "actjit_y" in stats else a
        ratio = mine["med"] / fast[0]
        if best is None or ratio > best[1]:
            best = (fast, ratio)
    if best is None:
        return None, None, None
    roof = a["med"] / stats["roof"]["med"] if "roof" in stats else None
    return best[0], best[1], roof


def table(rep, args, results, ulps):
    cols = [c for c in COLUMNS if c in args.columns]
    rep.out("## Kernel speed: float32 ns/element, median of "
            f"{args.rounds} interleaved rounds ±half-range "
            f"(! = over {NOISY * 100:.0f}%)")
    rep.out()
    rep.out("Lower is better.  x ~ U[-10,10], dy ~ U[-1,1], contiguous, "
            "preallocated outputs (torch and numpy allocate theirs).  "
            "fwd: y = f(x); bwd: dx = dy*f'(x); onednn_dst, actjit_y "
            "(ACTJIT_BACKWARD_FROM_Y) and torch's sigmoid/tanh backward read "
            "y = f(x) instead of x.  Peers: every column but actjit, "
            "actjit_y and roof (copy for fwd, x*dy for bwd: the memory "
            "limit).  Ratios are like for like: actjit against the peers "
            "that read x, actjit_y against those that read y, the worse of "
            "the two (the fastest peer column names the peer that sets "
            "it).  \"(load L)\" marks "
            f"a cell during which other processes used ≥ {LOADED:g} of a "
            "core on average (L cores): its numbers are suspect, 2T ones "
            "most.  "
            "ULP: actjit's float32 max ULP from actjit_accuracy "
            f"(value grid + {args.ulp_random} log-uniform randoms in "
            "[-1e4, 1e4], MPFR reference).")
    rep.out()
    head = (["act", "op", "cell"] + cols +
            ["fastest peer", "actjit ÷ fastest", "actjit ÷ roof", "ULP"])
    rep.out("| " + " | ".join(head) + " |")
    rep.out("|" + "---|" * len(head))
    for key, (stats, _) in results.items():
        act, op, n, threads = key
        fast, ratio, roof = analyse(stats, act, op)
        u = ulps.get((act, op))
        load = args.loads.get(key, 0)
        row = [act, "bwd" if op else "fwd", cell_label(n, threads) +
               (f" (load {load:.1f})" if load >= LOADED else "")]
        row += [fmt_val(stats.get(c)) for c in cols]
        row += [f"{fast[1]} {fast[0]:.3f}" if fast else "",
                f"{ratio:.2f}x" if ratio else "",
                f"{roof:.2f}x" if roof else "",
                f"{u:.2f}" if u is not None and u >= 0 else ""]
        rep.out("| " + " | ".join(row) + " |")
        for c, s in stats.items():
            rep.row("speed", act, "bwd" if op else "fwd", n, threads, c,
                    f"{s['med']:.5f}", f"{s['min']:.5f}", f"{s['max']:.5f}",
                    s["calls"], " ".join(f"{v:.5f}" for v in s["samples"]))
        rep.row("cell", act, "bwd" if op else "fwd", n, threads,
                fast[1] if fast else "", f"{fast[0]:.5f}" if fast else "",
                f"{ratio:.4f}" if ratio else "", f"{roof:.4f}" if roof else "",
                f"{u:.3f}" if u is not None else "",
                f"{args.loads.get(key, 0):.3f}")
    rep.out()


def summary(rep, args, results):
    ratios, over, mem = [], [], []
    for key, (stats, _) in results.items():
        act, op, n, threads = key
        fast, ratio, roof = analyse(stats, act, op)
        if ratio is None:
            continue
        label = f"{act} {'bwd' if op else 'fwd'} {cell_label(n, threads)}"
        ratios.append(ratio)
        if ratio > 1.0:
            over.append(f"{label} {ratio:.2f}x (fastest {fast[1]})")
        if "roof" in stats and fast[0] <= 1.3 * stats["roof"]["med"]:
            mem.append(f"{label}: actjit ÷ roof {roof:.2f}x "
                       f"(fastest {fast[1]} {fast[0] / stats['roof']['med']:.2f}x roof)")
    rep.out("## Summary")
    rep.out()
    if not ratios:
        rep.out("(no cell has both actjit and a peer)")
        return
    gm = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    rep.out(f"- geometric mean of actjit ÷ fastest peer over {len(ratios)} "
            f"cells: **{gm:.3f}x** (target ≤ 0.8)")
    rep.out(f"- cells with actjit ≤ 1.0x the fastest peer: "
            f"**{len(ratios) - len(over)} of {len(ratios)}**")
    rep.row("summary", "geomean", f"{gm:.4f}", len(ratios),
            len(ratios) - len(over))
    if over:
        rep.out("- cells over 1.0x: " + "; ".join(over))
    rep.out(f"- memory-bound cells (fastest peer within 1.3x of roof), "
            f"{len(mem)}: " + ("; ".join(mem) if mem else "none"))
    threading_check(rep, results)
    loaded = [k for k, v in args.loads.items() if v >= LOADED]
    rep.out(f"- cells measured while other processes used ≥ {LOADED:g} core: "
            f"{len(loaded)} of {len(results)}; waited {args.waited:.0f} s "
            f"for idle (--wait-idle {args.wait_idle:g})")
    rep.out()


def threading_check(rep, results):
    """Per column, the geometric mean over (act, op) of the 1-thread time
    over the 2-thread time at the largest N measured both ways: ~2 when a
    column really runs on two threads (less where memory-bound)."""
    both = [n for (_, _, n, t) in results if t == 2 and
            any(k[2] == n and k[3] == 1 for k in results)]
    if not both:
        return
    n = max(both)
    speedups = {}
    for (act, op, n2, t), (stats, _) in results.items():
        one = results.get((act, op, n, 1))
        if n2 != n or t != 2 or one is None:
            continue
        for c, s in stats.items():
            if c in one[0]:
                speedups.setdefault(c, []).append(one[0][c]["med"] / s["med"])
    parts = [f"{c} {math.exp(sum(map(math.log, v)) / len(v)):.2f}x"
             for c, v in speedups.items()]
    rep.out(f"- threading check, 1T time ÷ 2T time at N={n} (geometric mean "
            f"over the activations): " + ", ".join(parts))
    for c, v in speedups.items():
        rep.row("threading", n, c, f"{math.exp(sum(map(math.log, v)) / len(v)):.4f}")


def sanity_report(rep, results):
    rep.out("## Sanity: every column against actjit")
    rep.out()
    rep.out("Per (act, op, column), the worst over the cells measured of: "
            "**rel** = max |a-b|/max(|a|,|b|) (elements with both |values| "
            "< 1e-30 ignored; naive formulas that cancel near a zero or lose "
            "the tails show up here), and **mix** = max |a-b|/max(|a|,|b|,1) "
            "(relative above 1, absolute below: a different function, e.g. "
            "a wrong softplus beta, shows up here).  Cells: rel, then mix "
            f"when it exceeds {SANITY_WARN:g}.  A WARNING names a column "
            f"whose mix exceeds {SANITY_WARN:g} at more than 1 element in "
            "10^4 (a different function); a note, one that differs at a few "
            "elements only (a kink convention, a rounding at a boundary).")
    rep.out()
    worst = {}
    for (act, op, n, t), (_, sanity) in results.items():
        for c, d in sanity.items():
            # keep the cell with the most elements over, then the largest
            # mix; rel is the max over all cells
            k, d = (act, op, c), dict(d, cell=cell_label(n, t))
            w = worst.get(k)
            if w is None or ((d["over"] / d["n"], d["mix"]) >
                             (w["over"] / w["n"], w["mix"])):
                worst[k] = dict(d, rel=max(d["rel"], w["rel"] if w else 0))
            else:
                w["rel"] = max(w["rel"], d["rel"])
            rep.row("sanity", act, "bwd" if op else "fwd", n, t, c,
                    f"{d['rel']:.3g}", f"{d['mix']:.3g}", d["over"])
    cols = [c for c in COLUMNS if c != "actjit" and
            any(k[2] == c for k in worst)]
    rep.out("| act | op | " + " | ".join(cols) + " |")
    rep.out("|---|---|" + "---|" * len(cols))
    for act in ACTS:
        for op in (0, 1):
            if not any((act, op, c) in worst for c in cols):
                continue
            vals = []
            for c in cols:
                w = worst.get((act, op, c))
                v = "" if w is None else f"{w['rel']:.1e}"
                if w is not None and w["mix"] > SANITY_WARN:
                    v += f" (mix {w['mix']:.1e})"
                vals.append(v)
            rep.out(f"| {act} | {'bwd' if op else 'fwd'} | "
                    + " | ".join(vals) + " |")
    rep.out()
    for (act, op, c), w in sorted(worst.items()):
        if w["mix"] <= SANITY_WARN:
            continue
        where = (f"{act} {'bwd' if op else 'fwd'} ({w['cell']}): mix "
                 f"{w['mix']:.3g} at {w['over']} of {w['n']} elements; "
                 f"worst at x = {w['x']:.9g}: actjit {w['ref']:.9g}, "
                 f"{c} {w['got']:.9g}")
        if w["over"] > 1e-4 * w["n"]:
            rep.out(f"- WARNING: {c} differs from actjit, {where}")
        else:
            rep.out(f"- note: {c} {where}")
    rep.out()


# ---- compile latency -----------------------------------------------------

def child(args, cmd):
    """Runs a latency child pinned to the 1T core; its key=value line."""
    def pin():
        os.sched_setaffinity(0, {args.core1})
    r = subprocess.run(cmd, capture_output=True, text=True, preexec_fn=pin,
                       timeout=600)
    line = (r.stdout.strip().splitlines() or [""])[-1]
    kv = dict(p.split("=", 1) for p in line.split() if "=" in p)
    if r.returncode != 0 and "error" not in kv:
        kv["error"] = f"exit {r.returncode}: {r.stderr.strip()[-200:]}"
    return kv


def numba_latency(args):
    here = os.path.dirname(os.path.abspath(__file__))
    cmd = ["/usr/bin/python3", os.path.join(here, "numba_latency.py"),
           str(args.numba_reps)] + args.acts
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=900,
                           preexec_fn=lambda: os.sched_setaffinity(
                               0, {args.core1}))
    except subprocess.SubprocessError as e:
        return {"error": str(e)}
    res = {}
    for line in r.stdout.splitlines():
        parts = line.split()
        if parts and parts[0] in ("kernel", "first", "import", "version"):
            res.setdefault(parts[0], []).append(parts[1:])
    if r.returncode != 0:
        res["error"] = r.stderr.strip().splitlines()[-1:] or ["?"]
    return res


def latency(rep, args):
    exe = os.path.join(args.build_dir, "bench", "ajb_latency")
    rows = []
    for act in args.acts:
        progress(f"latency {act}")
        aj = child(args, [exe, "actjit", act, str(args.lat_reps)])
        dn = child(args, [exe, "onednn", str(ACTS.index(act)),
                          str(args.lat_reps)])
        rows.append((act, aj, dn))
    progress("latency numba")
    nb = numba_latency(args)
    kern = {(k[0], k[1]): float(k[2]) for k in nb.get("kernel", [])}
    rep.out("## Compile latency (ms): parse → float32 fwd+bwd kernels ready")
    rep.out()
    rep.out(f"Each system in its own child process, pinned to core "
            f"{args.core1}.  actjit: **cold** = the first actjit_compile "
            "in the process (no disk cache); **warm** = median of "
            f"{args.lat_reps} more compiles in that context, each freed "
            "before the next (LLVM every time, no disk cache), until "
            "actjit_compile returns with callable kernels (the quick tier); "
            "**→ optimized** = the same compiles until the tiered compile's "
            "background thread has swapped the optimized kernels in "
            "(actjit_activation_wait; same bits, faster code); **hit** = "
            f"median of {args.lat_reps} compiles, each in a fresh context on "
            "a primed temporary cache directory (the context's first "
            "compile); **hit (JIT up)** = the same after the fresh context "
            "compiled another expression.  oneDNN: eltwise primitive "
            "creation with the primitive cache off, forward_inference + "
            "backward_data (with its forward hint), first in process and "
            f"median of {args.lat_reps}.  numba: @vectorize(float32) compile "
            f"of the naive formula, median of {args.numba_reps}.  Targets: "
            f"actjit pair ≤ {TARGET['warm_ms']:g} ms warm, ≤ "
            f"{TARGET['hit_ms']:g} ms cache hit.")
    rep.out()
    rep.out("| act | actjit cold | actjit warm | warm ≤ 5 | → optimized | "
            "actjit hit | hit ≤ 0.2 | hit (JIT up) | oneDNN fwd+bwd | "
            "oneDNN first fwd+bwd | numba fwd | numba bwd |")
    rep.out("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for act, aj, dn in rows:
        cells = [act]
        if "error" in aj:
            cells += [f"error: {aj['error']}"] + [""] * 6
        else:
            w, h = float(aj["warm_ms"]), float(aj["hit_ms"])
            cells += [f"{float(aj['cold_ms']):.2f}", f"{w:.2f}",
                      "yes" if w <= TARGET["warm_ms"] else "no",
                      f"{float(aj.get('warm_opt_ms', 'nan')):.2f}",
                      f"{h:.3f}", "yes" if h <= TARGET["hit_ms"] else "no",
                      f"{float(aj['hit_used_ms']):.3f}"]
        if "error" in dn:
            cells += ["none" if dn["error"] == "none" else dn["error"], ""]
        else:
            cells += [f"{float(dn['fwd_ms']) + float(dn['bwd_ms']):.3f}",
                      f"{float(dn['first_fwd_ms']) + float(dn['first_bwd_ms']):.3f}"]
        cells += [f"{kern[(act, 'fwd')]:.1f}" if (act, "fwd") in kern else "",
                  f"{kern[(act, 'bwd')]:.1f}" if (act, "bwd") in kern else ""]
        rep.out("| " + " | ".join(cells) + " |")
        rep.row("latency", act, *[aj.get(k, "") for k in (
            "cold_ms", "warm_ms", "warm_min_ms", "hit_ms", "hit_used_ms",
            "ctx_ms")], *[dn.get(k, "") for k in (
                "fwd_ms", "bwd_ms", "first_fwd_ms", "first_bwd_ms")],
            kern.get((act, "fwd"), ""), kern.get((act, "bwd"), ""),
            aj.get("warm_opt_ms", ""), aj.get("cold_opt_ms", ""))
    rep.out()
    notes = []
    if rows and "ctx_ms" in rows[0][1]:
        notes.append(f"actjit_ctx_new (first in process): "
                     f"{float(rows[0][1]['ctx_ms']):.2f} ms (not included)")
    if "import" in nb:
        notes.append(f"numba import {float(nb['import'][0][0]):.0f} ms")
    if "first" in nb:
        f0 = nb["first"][0]
        notes.append(f"numba first compile in process ({f0[0]} {f0[1]}): "
                     f"{float(f0[2]):.1f} ms")
    if "error" in nb:
        notes.append(f"numba: {nb['error']}")
    if notes:
        rep.out("- " + "\n- ".join(notes))
        rep.out()


# ---- main ----------------------------------------------------------------

def main():
    args = parse_args()
    if args.torch_cap:
        os.environ["ATEN_CPU_CAPABILITY"] = args.torch_cap
    args.all_cores = os.sched_getaffinity(0)
    args.core1 = max(args.all_cores)
    lib = load_lib(args.build_dir)
    nmax = max(n for n, _ in args.cells)
    if lib.ajb_init(nmax, 42) != 0:
        lib_error(lib, "ajb_init")
    import numpy as np
    import torch
    try:
        from scipy.special import erf
    except ImportError:
        erf = None
        if "numpy" in args.columns:
            progress("no scipy: numpy has no erf, numpy gelu left blank")
    torch.set_num_threads(2)   # start torch's threads while unpinned
    torch.relu(torch.ones(1 << 17))
    rep = Report()
    header(rep, args, lib, torch, np)
    env = Env(args, lib, torch, np, erf, nmax)
    t_start = time.time()
    results, meter = {}, LoadMeter()
    args.wait_left, args.waited, args.loads = args.wait_idle, 0.0, {}
    for n, threads in args.cells:
        for act in args.acts:
            for op in (0, 1):
                progress(f"{act} {'bwd' if op else 'fwd'} "
                         f"{cell_label(n, threads)} "
                         f"({time.time() - t_start:.0f} s)")
                wait_idle(args, meter)
                meter.others()
                results[(act, op, n, threads)] = time_cell(env, act, op, n,
                                                           threads)
                args.loads[(act, op, n, threads)] = meter.others()
    set_affinity(args, 1)
    ulps = {}
    for act in args.acts:
        progress(f"ulp {act}")
        for op in (0, 1):
            ulps[(act, op)] = lib.ajb_actjit_ulp(ACTS.index(act), op,
                                                 args.ulp_random)
    table(rep, args, results, ulps)
    summary(rep, args, results)
    sanity_report(rep, results)
    if not args.no_latency:
        latency(rep, args)
    rep.out(f"Total run time: {time.time() - t_start:.0f} s; machine at end: "
            f"{machine_load()}.")
    if args.out:
        rep.save(args.out)
        progress(f"wrote {args.out}.md and {args.out}.csv")


if __name__ == "__main__":
    main()
