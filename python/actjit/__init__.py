"""actjit: activation functions from math text, JIT-compiled to native
forward and backward kernels (ctypes over libactjit).

    >>> import numpy as np, actjit
    >>> act = actjit.compile("x*tanh(softplus(x))")
    >>> act(np.array([-1.0, 0.0, 1.0]))                 # f(x)
    >>> act.backward(np.array([1.0]), np.ones(1))       # dy * f'(x)
    >>> elu = actjit.compile("elu", alpha=0.5)          # a bound parameter
    >>> prelu = actjit.compile("prelu", runtime=["a"])  # a runtime one:
    >>> dx, da = prelu.backward(x, dy, params=[0.25])   # and its gradient

Arrays are NumPy float32 or float64 of any shape; non-contiguous inputs
are copied, `out=` (any layout, the same shape and dtype) avoids the
allocation, and the GIL is released while the kernels run.  Errors raise
actjit.Error with the code, the byte offset and length, and a caret under
the offending text.  actjit.torch has the PyTorch module.
"""
import ctypes

import numpy as np

from . import _lib

__all__ = ["Activation", "Error", "compile", "define", "catalog",
           "__version__"]
__version__ = _lib.version_string().decode()


class Error(Exception):
    """An error from libactjit: .code (e.g. "ESYNTAX"), .status (its
    number), .offset and .length (the bytes of .source at fault, 0 and 0
    when none), .message.  str() shows the source line with carets."""

    def __init__(self, status, offset, length, message, source=None):
        self.status = status
        self.code = _lib.status_name(status).decode()
        self.offset, self.length = offset, length
        self.message, self.source = message, source
        super().__init__(self._text())

    def __reduce__(self):  # picklable: a pool's worker can send it back
        return (Error, (self.status, self.offset, self.length, self.message,
                        self.source))

    def _text(self):
        text = "%s at %d+%d: %s" % (self.code, self.offset, self.length,
                                    self.message)
        if not self.source or (self.offset == 0 and self.length == 0):
            return text
        raw = self.source.encode()
        start = raw.rfind(b"\n", 0, self.offset) + 1
        end = raw.find(b"\n", self.offset)
        end = len(raw) if end < 0 else end
        line = raw[start:end].decode("utf-8", "replace")
        pad = len(raw[start:self.offset].decode("utf-8", "replace"))
        width = len(raw[self.offset:min(self.offset + self.length, end)]
                    .decode("utf-8", "replace"))
        return "%s\n  %s\n  %s%s" % (text, line, " " * pad, "^" * max(width, 1))


def _raise(status, err, source=None):
    raise Error(status, err.offset, err.length,
                err.message.decode("utf-8", "replace"), source)


def _check_call(status):
    if status != 0:
        raise Error(status, 0, 0, _lib.status_name(status).decode())


_DTYPES = {np.dtype(np.float32): "float32", np.dtype(np.float64): "float64"}


def _float_array(a, name):
    a = np.asarray(a)
    if a.dtype not in _DTYPES:
        raise TypeError("actjit: %s must be float32 or float64, not %s"
                        % (name, a.dtype))
    return a


def _ptr(a):
    return ctypes.c_void_p(a.ctypes.data)


class Activation:
    """Compiled kernels of one source (see actjit.compile)."""

    def __init__(self, source, *, runtime=(), profile="torch", threads=1,
                 from_y=False, y_max_ulp=0.0, stabilize=True, context=None,
                 **params):
        if "\0" in source:
            raise ValueError("actjit: the source contains a NUL character")
        if profile not in _lib.PROFILES:
            raise ValueError("actjit: profile must be one of %s"
                             % ", ".join(_lib.PROFILES))
        self.source = source
        self.runtime = tuple(runtime)
        self.bound = {k: float(v) for k, v in params.items()}
        self.profile, self.threads = profile, int(threads)
        self.from_y, self.y_max_ulp = bool(from_y), float(y_max_ulp)
        self.stabilize = bool(stabilize)
        self._ctx = context or _lib.default_context()
        self._handle = None
        names = list(self.bound)
        binds = (_lib.Binding * max(len(names), 1))(
            *[_lib.Binding(n.encode(), self.bound[n]) for n in names])
        rts = (ctypes.c_char_p * max(len(self.runtime), 1))(
            *[n.encode() for n in self.runtime])
        opt = _lib.Options(binds, len(names), rts, len(self.runtime), 0,
                           self.threads, _lib.PROFILES[profile],
                           (0 if stabilize else _lib.NO_STABILIZE)
                           | (_lib.BACKWARD_FROM_Y if from_y else 0),
                           self.y_max_ulp)
        handle = ctypes.c_void_p()
        err = _lib.Error_()
        status = _lib.compile_(self._ctx.handle, source.encode(),
                               ctypes.byref(opt), ctypes.byref(handle),
                               ctypes.byref(err))
        if status != 0:
            _raise(status, err, source)
        self._handle = handle
        self._ctx.activation_made()
        n = _lib.runtime_count(handle)
        self.params = tuple(_lib.runtime_name(handle, k).decode()
                            for k in range(n))

    def __del__(self):
        if getattr(self, "_handle", None) and _lib.activation_free:
            _lib.activation_free(self._handle)
            self._handle = None
            self._ctx.activation_freed()

    # Pickled by source, options and the actjit.define texts made before
    # (which the source may use): compiled again where it is loaded.
    def __reduce__(self):
        return (_rebuild, (self.source, self._options(),
                           tuple(self._ctx.definitions)))

    def _options(self):
        return dict(runtime=self.runtime, profile=self.profile,
                    threads=self.threads, from_y=self.from_y,
                    y_max_ulp=self.y_max_ulp, stabilize=self.stabilize,
                    **self.bound)

    _DEFAULTS = dict(runtime=(), profile="torch", threads=1, from_y=False,
                     y_max_ulp=0.0, stabilize=True)

    def __repr__(self):
        opts = self._options()
        extra = "".join(", %s=%r" % (k, v) for k, v in opts.items()
                        if k not in self._DEFAULTS or
                        (v != self._DEFAULTS[k] or
                         type(v) is not type(self._DEFAULTS[k])))
        return "actjit.Activation(%r%s)" % (self.source, extra)

    def describe(self, part="f"):
        """A text of the compiled activation: "f", "df", "dparam",
        "rewrites", "written", "ir", "asm", "ir_f64", "asm_f64", "dy", "c"."""
        text = ctypes.c_void_p()
        err = _lib.Error_()
        status = _lib.describe(self._handle, _lib.PART[part],
                               ctypes.byref(text), ctypes.byref(err))
        if status != 0:
            _raise(status, err)
        try:
            return ctypes.string_at(text.value).decode()
        finally:
            _lib.text_free(text)

    @property
    def compile_ms(self):
        info = _lib.Info()
        _lib.activation_info(self._handle, ctypes.byref(info))
        return info.compile_ms

    @property
    def optimized(self):
        """True once the optimized kernels replaced the quick ones that a
        compile returns with (the same results, faster)."""
        info = _lib.Info()
        _lib.activation_info(self._handle, ctypes.byref(info))
        return bool(info.optimized)

    def wait(self):
        """Blocks until the optimized kernels are in (see optimized)."""
        _lib.activation_wait(self._handle)
        return self

    def _param_block(self, params, dtype):
        if not self.params:
            return None, None
        if params is None:
            raise TypeError("actjit: %s needs params=[%s]"
                            % (self.source, ", ".join(self.params)))
        p = np.ascontiguousarray(params, dtype=dtype).reshape(-1)
        if p.size != len(self.params):
            raise ValueError("actjit: %d params given, %s has %d (%s)"
                             % (p.size, self.source, len(self.params),
                                ", ".join(self.params)))
        ctype = ctypes.c_float if dtype == np.float32 else ctypes.c_double
        return p, p.ctypes.data_as(ctypes.POINTER(ctype))

    @staticmethod
    def _output(out, like, name, *inputs):
        """(the array the kernel writes, the out= to copy into or None).
        The kernels allow an output that is exactly an input (in place),
        not one that overlaps it otherwise: then a temporary."""
        if out is None:
            return np.empty_like(like, order="C"), None
        if not isinstance(out, np.ndarray) or out.shape != like.shape or \
                out.dtype != like.dtype:
            raise ValueError("actjit: %s must be an ndarray of shape %s and "
                             "dtype %s" % (name, like.shape, like.dtype))
        overlaps = any(np.shares_memory(out, a) and
                       out.__array_interface__["data"][0] !=
                       a.__array_interface__["data"][0] for a in inputs)
        if not out.flags.c_contiguous or not out.flags.writeable or overlaps:
            return np.empty_like(like, order="C"), out
        return out, None

    def __call__(self, x, out=None, params=None):
        """f(x), elementwise."""
        x = _float_array(x, "x")
        xc = np.asarray(x, order="C")  # (ascontiguousarray makes 0-d 1-d)
        dtype = _DTYPES[x.dtype]
        p, pp = self._param_block(params, x.dtype)
        y, copy_to = self._output(out, xc, "out", xc)
        _check_call(_lib.forward[dtype](self._handle, pp, _ptr(xc), _ptr(y),
                                        xc.size))
        if copy_to is not None:
            copy_to[...] = y
            return copy_to
        return y

    def backward(self, x, dy, out=None, params=None):
        """dx = dy * f'(x).  With runtime parameters, (dx, dparams): dparams
        (float64, one per parameter) sums dy * df/dp over every element.
        Compiled with from_y=True, pass y = f(x) as x."""
        x = _float_array(x, "x")
        dy = np.asarray(dy, dtype=x.dtype)
        if dy.shape != x.shape:
            dy = np.broadcast_to(dy, x.shape)
        xc, dyc = np.asarray(x, order="C"), np.asarray(dy, order="C")
        dtype = _DTYPES[x.dtype]
        dx, copy_to = self._output(out, xc, "out", xc, dyc)
        if self.from_y:
            _check_call(_lib.backward_y[dtype](self._handle, _ptr(xc),
                                               _ptr(dyc), _ptr(dx), xc.size))
            dp = None
        else:
            p, pp = self._param_block(params, x.dtype)
            dp = np.zeros(len(self.params), dtype=x.dtype)
            ctype = ctypes.c_float if dtype == "float32" else ctypes.c_double
            dpp = dp.ctypes.data_as(ctypes.POINTER(ctype)) if pp else None
            _check_call(_lib.backward[dtype](self._handle, pp, _ptr(xc),
                                             _ptr(dyc), _ptr(dx), xc.size,
                                             dpp))
        if copy_to is not None:
            copy_to[...] = dx
            dx = copy_to
        if self.params and not self.from_y:
            return dx, dp.astype(np.float64)
        return dx


def _replay(definitions):
    """Makes the actjit.define texts of another process here (once each,
    in order)."""
    ctx = _lib.default_context()
    for d in definitions:
        if d not in ctx.definitions:
            define(d)


def _definitions():
    return tuple(_lib.default_context().definitions)


def _rebuild(source, options, definitions=()):
    _replay(definitions)
    return Activation(source, **options)


def compile(source, **options):
    """Compiles source ("mish", "elu(x, alpha=0.5)", "x*tanh(softplus(x))")
    into an Activation.  Keywords: NAME=VALUE binds a parameter;
    runtime=[names] makes parameters runtime ones (values on each call,
    gradients from backward); profile="torch"|"onednn"|"minnorm" picks the
    derivative's value at kinks; threads=N splits large calls; from_y=True
    compiles the backward from y = f(x); stabilize=False compiles the
    formula exactly as written."""
    return Activation(source, **options)


def define(definition):
    """Adds a named activation to the default context (NAME = SOURCE or
    NAME(x, p=1) = EXPR, as in the REPL) for this process; unlike the REPL
    it does not save it to the activations file.  Activations pickled
    afterwards carry the definition to where they are loaded."""
    err = _lib.Error_()
    raw = definition.encode()
    ctx = _lib.default_context()
    status = _lib.define(ctx.handle, raw, len(raw), ctypes.byref(err))
    if status != 0:
        _raise(status, err, definition)
    ctx.definitions.append(definition)


def catalog():
    """{"activations": [...], "user": [...], "functions": [...]}: the
    names the default context knows."""
    out = {"activations": [], "user": [], "functions": []}
    kind = ctypes.c_int()
    ctx = _lib.default_context().handle
    i = 0
    while True:
        name = _lib.catalog_name(ctx, i, ctypes.byref(kind))
        if not name:
            return out
        key = ("functions", "activations", "user")[kind.value]
        out[key].append(name.decode())
        i += 1
