"""actjit.torch: a string-defined activation as a PyTorch module.

    >>> import torch, actjit.torch as at
    >>> mish = at.Activation("x*tanh(softplus(x))")
    >>> prelu = at.Activation("prelu", a=torch.nn.Parameter(torch.tensor(0.25)))
    >>> y = prelu(torch.randn(8, requires_grad=True)); y.sum().backward()

A float keyword binds a parameter (folded into the kernels); an
nn.Parameter (or a tensor with requires_grad) makes it learnable: a
runtime parameter whose gradient the backward kernel sums in the same pass
as dx.  The autograd Function saves x only (y with from_y=True, and then
the forward may run in place).  CPU tensors, float32 or float64.  The
module pickles by source and options (torch.save / load, DDP spawn) and is
compiled again where it is loaded.
"""
import numpy as np
import torch

from . import Activation as _Compiled, _definitions, _replay

__all__ = ["Activation", "ActivationFunction"]


def _numpy(t):
    """A NumPy view of a CPU tensor (contiguous copy when needed)."""
    if t.device.type != "cpu":
        raise ValueError("actjit: the kernels run on the CPU; got a tensor "
                         "on %s" % t.device)
    if t.dtype not in (torch.float32, torch.float64):
        raise TypeError("actjit: tensors must be float32 or float64, not %s"
                        % t.dtype)
    return t.detach().contiguous().numpy()


class ActivationFunction(torch.autograd.Function):
    """y = f(x) by the compiled forward; backward: dx = dy * f'(x) and, for
    each runtime parameter p_k, dp_k = sum(dy * df/dp_k) from one kernel."""

    @staticmethod
    def forward(ctx, x, compiled, *params):
        xn = _numpy(x)
        p = [float(v) for v in params] if params else None
        y = torch.from_numpy(compiled(xn, params=p))
        ctx.compiled = compiled
        ctx.params = p
        ctx.param_like = [(v.shape, v.dtype) for v in params]
        ctx.save_for_backward(y if compiled.from_y else x)
        return y

    @staticmethod
    def backward(ctx, dy):
        (saved,) = ctx.saved_tensors
        compiled = ctx.compiled
        sn, dyn = _numpy(saved), _numpy(dy.to(saved.dtype))
        if compiled.params:
            dx, dp = compiled.backward(sn, dyn, params=ctx.params)
            grads = [torch.tensor(v, dtype=dt).reshape(shape)
                     for v, (shape, dt) in zip(dp, ctx.param_like)]
        else:
            dx, grads = compiled.backward(sn, dyn), []
        return (torch.from_numpy(dx), None, *grads)


class Activation(torch.nn.Module):
    """nn.Module of a source: Activation("elu", alpha=0.5),
    Activation("prelu", a=nn.Parameter(torch.tensor(0.25))).  Options:
    profile, threads, from_y, stabilize (see actjit.compile)."""

    def __init__(self, source, *, profile="torch", threads=1, from_y=False,
                 stabilize=True, **params):
        super().__init__()
        self.source = source
        self.options = dict(profile=profile, threads=threads, from_y=from_y,
                            stabilize=stabilize)
        self.bound, learnable = {}, []
        for name, v in params.items():
            if isinstance(v, torch.Tensor) and (v.requires_grad or
                                                isinstance(v, torch.nn.Parameter)):
                if not isinstance(v, torch.nn.Parameter):
                    v = torch.nn.Parameter(v.detach().clone())
                self.register_parameter(name, v)
                learnable.append(name)
            else:
                self.bound[name] = float(v)
        self.learnable = tuple(learnable)
        self.definitions = _definitions()  # carried by pickling
        self._compile()

    def _compile(self):
        self.compiled = _Compiled(self.source, runtime=self.learnable,
                                  **self.options, **self.bound)

    def forward(self, x):
        params = [getattr(self, n) for n in self.compiled.params]
        return ActivationFunction.apply(x, self.compiled, *params)

    def extra_repr(self):
        parts = [repr(self.source)]
        parts += ["%s=%g" % kv for kv in self.bound.items()]
        parts += ["%s=%s" % (k, v) for k, v in self.options.items()
                  if v != {"profile": "torch", "threads": 1, "from_y": False,
                           "stabilize": True}[k]]
        return ", ".join(parts)

    # Pickling: everything but the compiled kernels, which are rebuilt.
    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("compiled", None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)  # nn.Module fills in what it added since
        _replay(getattr(self, "definitions", ()))
        self._compile()
