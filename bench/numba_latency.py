#!/usr/bin/python3
"""numba_latency.py: numba's compile latency for the peer benchmark
(bench/bench.py runs it as a child process: numba's LLVM must not meet
libactjit's in one process, and "first in process" must be honest).

Compiles the naive scalar formula of each activation's forward f(x) and
backward dy*f'(x) with @vectorize(["float32(float32)"]) /
(["float32(float32, float32)"]), eagerly, REPS times (a fresh function
object each time, so nothing is reused), and prints lines:
    version V
    import MS
    first ACT OP MS        the first compile in the process
    kernel ACT OP MS       median of REPS compiles after the first

Usage: numba_latency.py REPS act [act ...]
"""
import math
import statistics
import sys
import time

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


def _sig(v):
    return 1.0 / (1.0 + math.exp(-v))


def formulas(act):
    """(f, df) as plain Python scalar functions, made fresh on each call."""
    def relu(v): return v if v > 0 else 0.0
    def drelu(v, d): return d if v > 0 else 0.0
    def leaky(v): return v if v > 0 else 0.01 * v
    def dleaky(v, d): return d if v > 0 else 0.01 * d
    def elu(v): return v if v > 0 else math.expm1(v)
    def delu(v, d): return d if v > 0 else d * math.exp(v)
    def selu(v): return SELU_SCALE * (v if v > 0 else SELU_ALPHA * math.expm1(v))
    def dselu(v, d): return SELU_SCALE * (d if v > 0 else SELU_ALPHA * d * math.exp(v))
    def sigmoid(v): return 1.0 / (1.0 + math.exp(-v))

    def dsigmoid(v, d):
        s = 1.0 / (1.0 + math.exp(-v))
        return d * s * (1.0 - s)

    def tanh(v): return math.tanh(v)

    def dtanh(v, d):
        t = math.tanh(v)
        return d * (1.0 - t * t)

    def softplus(v): return math.log1p(math.exp(v))
    def dsoftplus(v, d): return d / (1.0 + math.exp(-v))
    def silu(v): return v / (1.0 + math.exp(-v))

    def dsilu(v, d):
        s = 1.0 / (1.0 + math.exp(-v))
        return d * s * (1.0 + v * (1.0 - s))

    def mish(v): return v * math.tanh(math.log1p(math.exp(v)))

    def dmish(v, d):
        t = math.tanh(math.log1p(math.exp(v)))
        s = 1.0 / (1.0 + math.exp(-v))
        return d * (t + v * s * (1.0 - t * t))

    def gelu(v): return 0.5 * v * (1.0 + math.erf(v * 0.7071067811865476))

    def dgelu(v, d):
        return d * (0.5 * (1.0 + math.erf(v * 0.7071067811865476))
                    + v * 0.3989422804014327 * math.exp(-0.5 * v * v))

    def gelu_tanh(v):
        return 0.5 * v * (1.0 + math.tanh(0.7978845608 * (v + 0.044715 * v ** 3)))

    def dgelu_tanh(v, d):
        t = math.tanh(0.7978845608 * (v + 0.044715 * v ** 3))
        return d * (0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * 0.7978845608
                    * (1.0 + 3.0 * 0.044715 * v * v))

    def hardswish(v): return v * min(max(v + 3.0, 0.0), 6.0) / 6.0

    def dhardswish(v, d):
        return 0.0 if v < -3.0 else d if v > 3.0 else d * (2.0 * v + 3.0) / 6.0

    table = {"relu": (relu, drelu), "leaky_relu": (leaky, dleaky),
             "elu": (elu, delu), "selu": (selu, dselu),
             "sigmoid": (sigmoid, dsigmoid), "tanh": (tanh, dtanh),
             "softplus": (softplus, dsoftplus), "silu": (silu, dsilu),
             "mish": (mish, dmish), "gelu": (gelu, dgelu),
             "gelu_tanh": (gelu_tanh, dgelu_tanh),
             "hardswish": (hardswish, dhardswish)}
    return table[act]


def compile_ms(numba, act, op):
    f = formulas(act)[op]
    sig = ["float32(float32)"] if op == 0 else ["float32(float32, float32)"]
    t0 = time.perf_counter()
    numba.vectorize(sig)(f)
    return (time.perf_counter() - t0) * 1e3


def main():
    reps, acts = int(sys.argv[1]), sys.argv[2:]
    t0 = time.perf_counter()
    import numba
    print(f"version {numba.__version__}")
    print(f"import {(time.perf_counter() - t0) * 1e3:.1f}")
    first = True
    for act in acts:
        for op, name in ((0, "fwd"), (1, "bwd")):
            if first:
                print(f"first {act} {name} {compile_ms(numba, act, op):.2f}")
                first = False
            t = [compile_ms(numba, act, op) for _ in range(reps)]
            print(f"kernel {act} {name} {statistics.median(t):.2f}", flush=True)


if __name__ == "__main__":
    main()
