"""tests/python/test_torch.py: actjit.torch against PyTorch.

Every catalog entry PyTorch has: forward and backward against
torch.nn.functional (float64 tight, float32 loose), on random points and
at the kinks (the `torch` profile's values are PyTorch's); gradcheck in
float64; learnable parameters against autograd of the composed formula;
the autograd graph keeps one tensor; pickling through torch.save and a
spawned process; errors for tensors the kernels do not take.
"""
import io
import multiprocessing

import pytest
import torch
import torch.nn.functional as F

import actjit
import actjit.torch as at


def _prelu(x):
    return F.prelu(x, torch.tensor([0.25], dtype=x.dtype))


# (source, keywords, the PyTorch function, kinks)
CATALOG = [
    ("relu", {}, F.relu, [0.0]),
    ("relu6", {}, F.relu6, [0.0, 6.0]),
    ("hardtanh", {}, F.hardtanh, [-1.0, 1.0]),
    ("leaky_relu", {}, F.leaky_relu, [0.0]),
    ("prelu", {}, _prelu, [0.0]),
    ("rrelu", {}, lambda x: F.rrelu(x, training=False), [0.0]),
    ("elu", {}, F.elu, [0.0]),
    ("celu", {}, F.celu, [0.0]),
    ("selu", {}, F.selu, [0.0]),
    ("sigmoid", {}, torch.sigmoid, []),
    ("tanh", {}, torch.tanh, []),
    ("silu", {}, F.silu, []),
    ("mish", {}, F.mish, []),
    ("softplus", {}, F.softplus, [20.0]),
    ("logsigmoid", {}, F.logsigmoid, []),
    ("gelu", {}, F.gelu, []),
    ("gelu_tanh", {}, lambda x: F.gelu(x, approximate="tanh"), []),
    ("softsign", {}, F.softsign, []),
    ("tanhshrink", {}, F.tanhshrink, []),
    # F.hardsigmoid's float64 kernel rounds its 1/6 to float32 (3e-8 off):
    # its definition relu6(x + 3)/6, in PyTorch ops, instead
    ("hardsigmoid", {}, lambda x: F.relu6(x + 3) / 6, [-3.0, 3.0]),
    ("hardswish", {}, F.hardswish, [-3.0, 3.0]),
    ("hardshrink", {}, F.hardshrink, [-0.5, 0.5]),
    ("softshrink", {}, F.softshrink, [-0.5, 0.5]),
    ("threshold", {"threshold": 0.5, "value": -1.0},
     lambda x: F.threshold(x, 0.5, -1.0), [0.5]),
    ("elu", {"alpha": 0.3}, lambda x: F.elu(x, alpha=0.3), [0.0]),
    ("softplus", {"beta": 2.0, "threshold": 5.0},
     lambda x: F.softplus(x, beta=2.0, threshold=5.0), [2.5]),
    ("leaky_relu", {"negative_slope": 0.2},
     lambda x: F.leaky_relu(x, 0.2), [0.0]),
]
IDS = ["%s%s" % (s, "".join(",%s=%g" % kv for kv in k.items()))
       for s, k, _, _ in CATALOG]


def points(dtype, kinks, n=2000):
    """Random points in [-8, 8], none within 1e-3 of a kink (finite
    differences and float32 rounding stay off the kinks).  Not the tails:
    there PyTorch's formulas lose digits (sigmoid' as y(1 - y) is 0 at 40
    where actjit gives 4e-18); the accuracy suites cover them."""
    g = torch.Generator().manual_seed(7)
    x = torch.rand(n, generator=g, dtype=torch.float64) * 16 - 8
    for k in kinks:
        x = x[(x - k).abs() > 1e-3]
    return x.to(dtype)


def torch_fwd_bwd(fn, x, dy):
    x = x.clone().requires_grad_(True)
    y = fn(x)
    (dx,) = torch.autograd.grad(y, x, dy)
    return y.detach(), dx


@pytest.mark.parametrize("dtype,rtol,atol", [(torch.float64, 1e-10, 1e-14),
                                             (torch.float32, 2e-5, 1e-6)])
@pytest.mark.parametrize("src,kw,fn,kinks", CATALOG, ids=IDS)
def test_parity(src, kw, fn, kinks, dtype, rtol, atol):
    """float32 against PyTorch's float64 results rounded: its own float32
    formulas lose more than the kernels (gelu_tanh' is 0 at -5.4)."""
    m = at.Activation(src, **kw)
    x = points(dtype, kinks)
    dy = torch.linspace(0.5, 1.5, x.numel(), dtype=dtype)
    want_y, want_dx = torch_fwd_bwd(fn, x.double(), dy.double())
    want_y, want_dx = want_y.to(dtype), want_dx.to(dtype)
    xg = x.clone().requires_grad_(True)
    y = m(xg)
    (dx,) = torch.autograd.grad(y, xg, dy)
    torch.testing.assert_close(y.detach(), want_y, rtol=rtol, atol=atol)
    torch.testing.assert_close(dx, want_dx, rtol=rtol, atol=atol)


@pytest.mark.parametrize("src,kw,fn,kinks", [c for c in CATALOG if c[3]],
                         ids=[i for i, c in zip(IDS, CATALOG) if c[3]])
def test_kinks(src, kw, fn, kinks):
    """At the kinks the `torch` profile's f and f' are PyTorch's."""
    x = torch.tensor(kinks, dtype=torch.float64)
    dy = torch.ones_like(x)
    want_y, want_dx = torch_fwd_bwd(fn, x, dy)
    xg = x.clone().requires_grad_(True)
    y = at.Activation(src, **kw)(xg)
    (dx,) = torch.autograd.grad(y, xg, dy)
    torch.testing.assert_close(y.detach(), want_y, rtol=1e-15, atol=0)
    torch.testing.assert_close(dx, want_dx, rtol=1e-15, atol=0)


@pytest.mark.parametrize("src,kw,fn,kinks", CATALOG, ids=IDS)
def test_gradcheck(src, kw, fn, kinks):
    m = at.Activation(src, **kw)
    x = points(torch.float64, kinks, n=24).requires_grad_(True)
    assert torch.autograd.gradcheck(m, (x,), eps=1e-6, atol=1e-7)


def test_learnable_prelu():
    a = torch.nn.Parameter(torch.tensor(0.25, dtype=torch.float64))
    m = at.Activation("prelu", a=a)
    assert [n for n, _ in m.named_parameters()] == ["a"]
    x = torch.linspace(-3, 3, 61, dtype=torch.float64, requires_grad=True)
    dy = torch.cos(x.detach())
    m(x).backward(dy)
    a2 = torch.tensor(0.25, dtype=torch.float64, requires_grad=True)
    x2 = x.detach().clone().requires_grad_(True)
    torch.where(x2 > 0, x2, a2 * x2).backward(dy)
    torch.testing.assert_close(m.a.grad, a2.grad, rtol=1e-13, atol=0)
    torch.testing.assert_close(x.grad, x2.grad, rtol=1e-13, atol=0)


def test_learnable_swish_beta_float32():
    beta = torch.nn.Parameter(torch.tensor([1.5]))  # shape (1,), float32
    m = at.Activation("x*sigmoid(b*x)", b=beta)
    x = torch.randn(1000, generator=torch.Generator().manual_seed(3))
    m(x).sum().backward()
    b2 = torch.tensor([1.5], requires_grad=True)
    (x * torch.sigmoid(b2 * x)).sum().backward()
    assert m.b.grad.shape == (1,) and m.b.grad.dtype == torch.float32
    torch.testing.assert_close(m.b.grad, b2.grad, rtol=1e-4, atol=1e-5)
    # gradcheck with respect to both x and the parameter, in float64
    b64 = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    m64 = at.Activation("x*sigmoid(b*x)", b=b64)
    x64 = torch.randn(16, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda x, b: at.ActivationFunction.apply(x, m64.compiled, b),
        (x64, m64.b))


def saved_tensors(fn, x):
    count = [0]

    def pack(t):
        count[0] += 1
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn(x)
    return count[0]


def test_saves_one_tensor():
    x = torch.randn(100, requires_grad=True)
    m = at.Activation("x*tanh(softplus(x))")
    assert saved_tensors(m, x) == 1
    assert saved_tensors(lambda x: x * torch.tanh(F.softplus(x)), x) >= 3
    y_mode = at.Activation("softplus", from_y=True)
    assert saved_tensors(y_mode, x) == 1


def test_repr_and_pickle():
    m = at.Activation("elu", alpha=0.5, profile="onednn")
    assert repr(m) == "Activation('elu', alpha=0.5, profile=onednn)"
    buf = io.BytesIO()
    torch.save(m, buf)
    buf.seek(0)
    back = torch.load(buf)
    x = torch.linspace(-3, 3, 25)
    assert torch.equal(back(x), m(x))
    p = at.Activation("prelu", a=torch.nn.Parameter(torch.tensor(0.1)))
    state = p.state_dict()
    assert set(state) == {"a"}


def _child(module, x):
    return module(x)


def test_other_process():
    m = at.Activation("gelu_tanh")
    x = torch.linspace(-4, 4, 33)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        y = pool.apply(_child, (m, x))
    assert torch.equal(y, m(x))


def test_bad_tensors():
    m = at.Activation("relu")
    with pytest.raises(TypeError):
        m(torch.arange(4))
    with pytest.raises(TypeError):
        m(torch.ones(4, dtype=torch.float16))
    with pytest.raises(actjit.Error) as e:
        at.Activation("x +* 1")
    assert e.value.code == "ESYNTAX"


def test_noncontiguous_and_shapes():
    m = at.Activation("mish")
    x = torch.randn(6, 8, dtype=torch.float64)[:, ::2].requires_grad_(True)
    y = m(x)
    assert y.shape == x.shape
    torch.testing.assert_close(y, F.mish(x.detach()), rtol=1e-12, atol=0)
    y.sum().backward()
    x2 = x.detach().clone().requires_grad_(True)
    F.mish(x2).sum().backward()
    torch.testing.assert_close(x.grad, x2.grad, rtol=1e-12, atol=0)
