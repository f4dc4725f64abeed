"""tests/python/test_numpy.py: the actjit package on NumPy arrays.

dtypes, shapes, strides, out= (also in place and non-contiguous), runtime
parameters and their summed gradients, errors with code/offset/caret,
threads, concurrency from Python threads, pickling, describe, define and
the catalog.  Run by CTest (test `python`) with ACTJIT_LIBRARY and
PYTHONPATH set.
"""
import math
import pickle
import threading

import numpy as np
import pytest

import actjit


def mish(x):
    return x * np.tanh(np.log1p(np.exp(x)))


def mish_grad(x):
    sp = np.log1p(np.exp(x))
    t = np.tanh(sp)
    return t + x * (1 - t * t) / (1 + np.exp(-x))


@pytest.fixture(scope="module")
def act():
    return actjit.compile("x*tanh(softplus(x))")


@pytest.mark.parametrize("dtype,rtol", [(np.float32, 2e-6), (np.float64, 1e-14)])
@pytest.mark.parametrize("shape", [(), (0,), (1,), (7,), (3, 5), (2, 3, 4)])
def test_dtypes_and_shapes(act, dtype, rtol, shape):
    rng = np.random.default_rng(1)
    x = rng.uniform(-5, 5, size=shape).astype(dtype)
    y = act(x)
    assert y.dtype == dtype and y.shape == x.shape
    np.testing.assert_allclose(y, mish(x.astype(np.float64)), rtol=rtol,
                               atol=1e-30)
    dy = rng.uniform(0.5, 2, size=shape).astype(dtype)
    dx = act.backward(x, dy)
    assert dx.dtype == dtype and dx.shape == x.shape
    np.testing.assert_allclose(dx, dy * mish_grad(x.astype(np.float64)),
                               rtol=10 * rtol, atol=1e-30)


def test_strides_and_out(act):
    base = np.linspace(-4, 4, 48).reshape(6, 8)
    x = base[::2, 1::3]  # not contiguous
    assert not x.flags.c_contiguous
    want = mish(x)
    np.testing.assert_allclose(act(x), want, rtol=1e-14)
    out = np.empty((6, 8))[::2, 1::3]  # a non-contiguous out
    assert act(x, out=out) is out
    np.testing.assert_allclose(out, want, rtol=1e-14)
    out2 = np.empty_like(x, order="C")
    assert act(x, out=out2) is out2
    dx = np.empty((6, 8))[1::2, ::3][:, :3]
    assert act.backward(x, np.ones_like(x), out=dx) is dx
    np.testing.assert_allclose(dx, mish_grad(x), rtol=1e-13)


def test_in_place(act):
    x = np.linspace(-3, 3, 101)
    want = mish(x)
    y = act(x, out=x)
    assert y is x
    np.testing.assert_allclose(x, want, rtol=1e-14)


def test_bad_arrays(act):
    with pytest.raises(TypeError):
        act(np.arange(4))  # integers
    with pytest.raises(TypeError):
        act(np.ones(4, dtype=np.float16))
    with pytest.raises(ValueError):
        act(np.ones(4), out=np.ones(5))
    with pytest.raises(ValueError):
        act(np.ones(4), out=np.ones(4, dtype=np.float32))
    with pytest.raises(ValueError):
        act(np.ones(4), out=[0.0] * 4)


def test_dy_broadcasts(act):
    x = np.linspace(-2, 2, 9)
    np.testing.assert_allclose(act.backward(x, 2.0), 2 * mish_grad(x),
                               rtol=1e-13)


def test_bound_parameters():
    elu = actjit.compile("elu", alpha=0.5)
    x = np.array([-2.0, -0.5, 0.0, 3.0])
    np.testing.assert_allclose(elu(x), np.where(x > 0, x, 0.5 * np.expm1(x)),
                               rtol=1e-15)
    assert elu.params == ()


def test_runtime_parameters():
    act = actjit.compile("x*sigmoid(b*x)", runtime=["b"])
    assert act.params == ("b",)
    x = np.linspace(-3, 3, 1001)
    dy = np.cos(x)
    b = 1.7
    np.testing.assert_allclose(act(x, params=[b]), x / (1 + np.exp(-b * x)),
                               rtol=1e-14)
    dx, db = act.backward(x, dy, params=[b])
    s = 1 / (1 + np.exp(-b * x))
    np.testing.assert_allclose(dx, dy * (s + b * x * s * (1 - s)), rtol=1e-12,
                               atol=1e-15)
    want = np.sum(dy * x * x * s * (1 - s))
    assert db.shape == (1,) and math.isclose(db[0], want, rel_tol=1e-12)
    with pytest.raises(TypeError):
        act(x)  # no params
    with pytest.raises(ValueError):
        act(x, params=[1.0, 2.0])


def test_errors():
    with pytest.raises(actjit.Error) as e:
        actjit.compile("x*tanh(sofplus(x))")
    err = e.value
    assert err.code == "EUNKNOWN" and (err.offset, err.length) == (7, 7)
    assert "sofplus" in err.message
    assert str(err).endswith("x*tanh(sofplus(x))\n         ^^^^^^^")
    with pytest.raises(actjit.Error) as e:
        actjit.compile("x*q")  # q has no value
    assert e.value.code == "EUNBOUND"
    with pytest.raises(actjit.Error) as e:
        actjit.compile("elu", beta=1)
    assert e.value.code == "EUNKNOWN"
    with pytest.raises(ValueError):
        actjit.compile("relu", profile="pytorch")


def test_threads_identical():
    one = actjit.compile("gelu")
    many = actjit.compile("gelu", threads=2)
    x = np.random.default_rng(2).standard_normal(300000).astype(np.float32)
    assert np.array_equal(one(x), many(x))
    assert np.array_equal(one.backward(x, x), many.backward(x, x))


def test_python_threads(act):
    """Several Python threads calling one activation at once (ctypes drops
    the GIL during the call): every result right."""
    x = np.linspace(-5, 5, 200001)
    want = act(x)
    results = [None] * 4

    def work(i):
        results[i] = all(np.array_equal(act(x), want) for _ in range(5))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 4


def test_pickle_and_repr():
    act = actjit.compile("elu", alpha=0.5, profile="onednn")
    back = pickle.loads(pickle.dumps(act))
    x = np.linspace(-3, 3, 13)
    assert np.array_equal(back(x), act(x))
    assert repr(back) == "actjit.Activation('elu', profile='onednn', alpha=0.5)"


def test_out_overlapping_input(act):
    """out= overlapping x without being it: a temporary, right results."""
    a = np.linspace(-3, 3, 10001)
    want = act(a[:-1].copy())
    act(a[:-1], out=a[1:])
    assert np.array_equal(a[1:], want)


def test_error_pickles_and_nul():
    e = pickle.loads(pickle.dumps(actjit.Error(3, 1, 2, "msg", "x +* 1")))
    assert (e.code, e.offset, e.length, e.source) == ("ESYNTAX", 1, 2,
                                                      "x +* 1")
    with pytest.raises(ValueError):
        actjit.compile("x\0 + garbage(")


def test_repr_keeps_options_equal_to_defaults():
    assert repr(actjit.compile("elu", alpha=1.0)) == \
        "actjit.Activation('elu', alpha=1.0)"
    assert repr(actjit.compile("x", stabilize=False)) == \
        "actjit.Activation('x', stabilize=False)"


def test_from_y():
    act = actjit.compile("softplus", from_y=True)
    x = np.linspace(-4, 4, 17)
    y = act(x)
    np.testing.assert_allclose(act.backward(y, np.ones_like(y)),
                               1 / (1 + np.exp(-x)), rtol=1e-12)
    with pytest.raises(actjit.Error) as e:  # y rounds to 1: refused
        actjit.compile("sigmoid", from_y=True)
    assert e.value.code == "EACCURACY"


def test_describe_define_catalog():
    act = actjit.compile("log(1 + exp(x))")
    assert "log1pexp" in act.describe("f")
    assert "softplus:" in act.describe("rewrites")
    assert act.describe("written").startswith("f = log(exp(x) + 1)")
    assert "define void @actjit_fwd" in act.describe("ir")
    assert act.compile_ms > 0
    before = act(np.array([-20.0, 0.5, 30.0], dtype=np.float32))
    assert act.wait() is act and act.optimized   # the tiered compile's swap
    after = act(np.array([-20.0, 0.5, 30.0], dtype=np.float32))
    np.testing.assert_array_equal(before, after)  # the same bits
    actjit.define("sq_plus = x^2 + c")
    sq = actjit.compile("sq_plus", c=1)
    np.testing.assert_allclose(sq(np.array([3.0])), [10.0])
    with pytest.raises(actjit.Error) as e:
        actjit.define("relu = x")
    assert e.value.code == "EREDEFINE"
    cat = actjit.catalog()
    assert "mish" in cat["activations"] and "exp" in cat["functions"]
    assert "sq_plus" in cat["user"]
    # an activation using a defined name pickles with its definition
    blob = pickle.dumps(sq)
    import subprocess
    import sys
    out = subprocess.run(
        [sys.executable, "-c", "import pickle, sys, numpy as np; "
         "a = pickle.loads(sys.stdin.buffer.read()); print(a(np.array([2.0]))[0])"],
        input=blob, capture_output=True, check=True).stdout
    assert float(out) == 5.0
    assert actjit.__version__.count(".") == 2
