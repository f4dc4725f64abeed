"""actjit._lib: the ctypes view of include/actjit.h.

Finds and loads libactjit (ACTJIT_LIBRARY, a copy next to this package,
then the system's loader paths), declares the structs and prototypes the
package uses, and owns the process's default context.  Nothing here knows
about NumPy or torch.

ctypes.CDLL releases the GIL around every call, so kernels called from
several Python threads run in parallel.
"""
import ctypes
import ctypes.util
import os
import threading

c_size = ctypes.c_size_t
c_double_p = ctypes.POINTER(ctypes.c_double)
c_float_p = ctypes.POINTER(ctypes.c_float)

PROFILES = {"torch": 0, "onednn": 1, "minnorm": 2}
NO_STABILIZE = 1 << 0
BACKWARD_FROM_Y = 1 << 1
COMPILE_WAIT = 1 << 2
COMPILE_QUICK = 1 << 3
PART = {"f": 0, "df": 1, "dparam": 2, "ir": 3, "asm": 4, "ir_f64": 5,
        "asm_f64": 6, "dy": 7, "rewrites": 8, "c": 9, "written": 10}


class Error_(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("offset", c_size),
                ("length", c_size), ("message", ctypes.c_char * 256)]


class Binding(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("value", ctypes.c_double)]


class Options(ctypes.Structure):
    _fields_ = [("bind", ctypes.POINTER(Binding)), ("nbind", c_size),
                ("runtime", ctypes.POINTER(ctypes.c_char_p)),
                ("nruntime", c_size), ("vector_width", ctypes.c_uint),
                ("threads", ctypes.c_uint), ("profile", ctypes.c_int),
                ("flags", ctypes.c_uint), ("y_max_ulp", ctypes.c_double)]


class Info(ctypes.Structure):
    _fields_ = [("compile_ms", ctypes.c_double), ("origin", ctypes.c_int),
                ("vector_width", ctypes.c_uint), ("threads", ctypes.c_uint),
                ("f_nodes", c_size), ("df_nodes", c_size),
                ("optimized", ctypes.c_int)]


def _candidates():
    env = os.environ.get("ACTJIT_LIBRARY")
    if env:
        return [env]
    here = os.path.dirname(os.path.abspath(__file__))
    found = ctypes.util.find_library("actjit")
    return [os.path.join(here, "libactjit.so"), found, "libactjit.so.0",
            "libactjit.so"]


def _load():
    errors = []
    for path in _candidates():
        if not path:
            continue
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            errors.append("%s: %s" % (path, e))
    raise ImportError("actjit: cannot load libactjit (set ACTJIT_LIBRARY to "
                      "its path): " + "; ".join(errors))


lib = _load()


def _proto(name, restype, *argtypes):
    fn = getattr(lib, name)
    fn.restype = restype
    fn.argtypes = list(argtypes)
    return fn


P = ctypes.c_void_p
E = ctypes.POINTER(Error_)
version_string = _proto("actjit_version_string", ctypes.c_char_p)
status_name = _proto("actjit_status_name", ctypes.c_char_p, ctypes.c_int)
ctx_new = _proto("actjit_ctx_new", P, P, E)
ctx_free = _proto("actjit_ctx_free", None, P)
text_free = _proto("actjit_free", None, P)
compile_ = _proto("actjit_compile", ctypes.c_int, P, ctypes.c_char_p,
                  ctypes.POINTER(Options), ctypes.POINTER(P), E)
activation_free = _proto("actjit_activation_free", None, P)
activation_wait = _proto("actjit_activation_wait", ctypes.c_int, P)
runtime_count = _proto("actjit_runtime_count", c_size, P)
runtime_name = _proto("actjit_runtime_name", ctypes.c_char_p, P, c_size)
activation_info = _proto("actjit_activation_info", None, P,
                         ctypes.POINTER(Info))
describe = _proto("actjit_describe", ctypes.c_int, P, ctypes.c_int,
                  ctypes.POINTER(P), E)
catalog_name = _proto("actjit_catalog_name", ctypes.c_char_p, P, c_size,
                      ctypes.POINTER(ctypes.c_int))
define = _proto("actjit_define", ctypes.c_int, P, ctypes.c_char_p, c_size, E)
forward = {
    "float32": _proto("actjit_forward_f32_p", ctypes.c_int, P, c_float_p,
                      P, P, c_size),
    "float64": _proto("actjit_forward_f64_p", ctypes.c_int, P, c_double_p,
                      P, P, c_size),
}
backward = {
    "float32": _proto("actjit_backward_f32_p", ctypes.c_int, P, c_float_p,
                      P, P, P, c_size, c_float_p),
    "float64": _proto("actjit_backward_f64_p", ctypes.c_int, P, c_double_p,
                      P, P, P, c_size, c_double_p),
}
backward_y = {
    "float32": _proto("actjit_backward_y_f32", ctypes.c_int, P, P, P, P,
                      c_size),
    "float64": _proto("actjit_backward_y_f64", ctypes.c_int, P, P, P, P,
                      c_size),
}


class Context:
    """An actjit_ctx.  Freed when it is unreferenced and no activation made
    in it is alive (activations must go first; Python's shutdown may
    finalize the two in any order, so the last one to go frees it)."""

    def __init__(self):
        self.handle = None
        self.live = 0          # activations alive in it
        self.released = False  # no Python reference left
        self.definitions = []  # actjit.define's texts, in order
        err = Error_()
        self.handle = ctx_new(None, ctypes.byref(err))
        if not self.handle:
            raise RuntimeError("actjit: cannot create a context: %s"
                               % err.message.decode("utf-8", "replace"))

    def _free_if_done(self):
        if self.released and self.live == 0 and self.handle:
            if ctx_free is not None:
                ctx_free(self.handle)
            self.handle = None

    def activation_made(self):
        self.live += 1

    def activation_freed(self):
        self.live -= 1
        self._free_if_done()

    def __del__(self):
        self.released = True
        self._free_if_done()


_default = None
_default_lock = threading.Lock()


def default_context():
    """The process's context (made on first use; thread-safe)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Context()
        return _default
