"""Random well-typed kernels over phylanx's op set and control flow.

The generator keeps a sample value for every variable (the real arguments of the first call,
then the values its statements compute) and checks each candidate expression by evaluating it
with NumPy: the program is well typed by construction, with NumPy's own promotion rules, and
only now and then (on purpose) contains an expression that raises. Reassignments keep the
variable's type (phylanx allows one type per variable) except, rarely, on purpose.

A Program holds the module text (the kernel is the function `f`), its two argument sets and
the global update applied between the two calls (globals must be read at call time)."""

from __future__ import annotations

import contextlib
import copy
import random
import signal
import threading
import warnings
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from phylanx.fuzz.inputs import ArgSpec, base_shape_of, choose_specs, make_args

MAX_ELEMENTS = 4096
UNARY_NP = ["exp", "log", "log1p", "expm1", "sqrt", "abs", "negative", "sin", "cos", "tan",
            "tanh", "arcsin", "arctan", "floor", "ceil", "trunc", "rint", "sign", "square",
            "isnan", "isfinite", "isinf", "logical_not", "reciprocal", "cbrt", "exp2", "log2",
            "log10", "sinh", "cosh", "arccos", "arcsinh", "fabs", "positive", "invert",
            "conj", "real", "imag", "deg2rad"]
BINARY_NP = ["maximum", "minimum", "fmax", "fmin", "arctan2", "hypot", "copysign", "power",
             "add", "subtract", "multiply", "true_divide", "floor_divide", "remainder",
             "logical_and", "logical_or", "logical_xor", "heaviside", "bitwise_and",
             "bitwise_or", "left_shift", "right_shift", "equal", "less", "greater_equal"]
BINOPS = ["+", "-", "*", "/", "//", "%", "**", "&", "|", "^", "<<", ">>", "==", "!=", "<",
          "<=", ">", ">="]
REDUCTIONS = ["sum", "mean", "max", "min", "prod", "std", "var", "any", "all", "argmax",
              "argmin", "count_nonzero", "nansum", "nanmax", "nanmin", "nanmean", "median"]
METHOD_REDUCTIONS = ["sum", "mean", "max", "min", "prod", "std", "var", "any", "all",
                     "argmax", "argmin", "cumsum", "cumprod"]
CONSTANTS = ["0", "1", "2", "3", "-1", "7", "0.5", "1.0", "-2.5", "0.0", "-0.0", "1e300",
             "255", "2 ** 31", "True", "False", "np.inf", "np.nan", "-np.inf", "1e-300", "3.0",
             "2.0", "100", "-128"]
DTYPE_NAMES = ["np.float64", "np.float32", "np.int64", "np.int32", "np.int8", "np.uint8",
               "bool", "float", "int", "np.complex128"]


@dataclass
class Program:
    seed: int
    source: str                     # module text; the kernel is the function `f`
    specs: list[ArgSpec]
    args: tuple                     # first call
    args2_seed: int                 # second call: same types and extents, other values
    global_update: dict = field(default_factory=dict)  # set between the two calls
    features: Counter = field(default_factory=Counter)

    def first_args(self) -> tuple:
        """Fresh arguments of the first call (new objects each time, same layouts)."""
        return make_args(self.specs, self.seed)

    def second_args(self) -> tuple:
        """Arguments of the second call: arrays of the same types and extents with other
        values; the same scalars (a Python int exponent or shift that the generator checked
        for the first call could otherwise make plain Python run for hours)."""
        arrays = make_args(self.specs, self.args2_seed, base_shape_of(self.specs, self.args))
        return tuple(new if isinstance(old, np.ndarray) else old
                     for old, new in zip(self.first_args(), arrays))

    def describe(self) -> str:
        return "\n".join(s.describe() for s in self.specs)


class _Unsupported(Exception):
    """A sample value phylanx kernels cannot hold (object arrays, huge arrays, ...)."""


@contextlib.contextmanager
def time_limit(seconds: float, error: type[BaseException]):
    """Raise `error` in the block after `seconds` (SIGALRM; only in the main thread, where
    signals are handled, and only in Python code: a long C call finishes first)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not \
            threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise error(f"time limit of {seconds} s")

    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def type_key(value) -> str:
    """The type phylanx specialises a variable on (one type per variable)."""
    from phylanx.ir.types import type_of_value

    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufc" or value.size > MAX_ELEMENTS or value.ndim > 4:
            raise _Unsupported
    elif isinstance(value, (tuple, list)):
        raise _Unsupported      # tuples are generated only where they are immediately used
    try:
        return str(type_of_value(value))
    except TypeError:
        raise _Unsupported from None


class Generator:
    def __init__(self, seed: int, globals_enabled: bool = True):
        self.seed = seed
        self.rng = random.Random(seed)
        self.specs = choose_specs(self.rng)
        self.args = make_args(self.specs, seed)
        self.env: dict = {"np": np}
        self.types: dict[str, str] = {}
        self.maybe_bound: set[str] = set()   # assigned on some paths only
        self.features: Counter = Counter()
        self.counter = 0
        self.loop_depth = 0
        self.loop_vars: list[str] = []
        self.globals: dict = {}
        self.global_update: dict = {}
        if globals_enabled and self.rng.random() < 0.15:
            self.globals["G"] = self.rng.choice([2, 0.5, 3.0, -1])
            self.global_update["G"] = self.rng.choice([5, 1.5, -2.0, 0])
            self.env["G"] = self.globals["G"]
            self.features["global"] += 1
        for spec, value in zip(self.specs, self.args):
            self.env[spec.name] = copy.deepcopy(value)
            self.types[spec.name] = type_key(value)
        self.error_budget = 1 if self.rng.random() < 0.08 else 0
        self.max_loop_size = max([np.size(a) for a in self.args] + [8])

    # ---------------------------------------------------------------- evaluation on samples
    def _eval(self, text: str, env: dict | None = None):
        env = self.env if env is None else env
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return eval(text, env)

    def _exec(self, text: str, env: dict | None = None) -> None:
        env = self.env if env is None else env
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            exec(text, env)  # noqa: S102

    def _bound(self, kind: str | None = None) -> list[str]:
        names = []
        for name, key in self.types.items():
            if name in self.maybe_bound:
                continue
            is_array = "[" in key and not key.startswith("tuple")
            if kind == "array" and not is_array or kind == "scalar" and is_array:
                continue
            names.append(name)
        return names

    def _value(self, name: str):
        return self.env[name]

    # ---------------------------------------------------------------- expressions
    def leaf(self) -> tuple[str, object]:
        names = self._bound()
        if self.maybe_bound and self.rng.random() < 0.01:
            name = self.rng.choice(sorted(self.maybe_bound))
            self.features["maybe-unbound read"] += 1
            return name, self.env.get(name, 0)
        if names and self.rng.random() < 0.8:
            name = self.rng.choice(names)
            return name, self._value(name)
        text = self.rng.choice(CONSTANTS)
        return text, self._eval(text)

    def array_leaf(self) -> tuple[str, object] | None:
        names = self._bound("array")
        if not names:
            return None
        name = self.rng.choice(names)
        return name, self._value(name)

    def expr(self, depth: int) -> tuple[str, object]:
        """(text, sample value) of a random expression; raises _Unsupported if nothing fits."""
        if depth <= 0 or self.rng.random() < 0.25:
            return self.leaf()
        for _ in range(12):
            form = self.rng.choices(
                ["binop", "unary_np", "binary_np", "reduce", "method", "index", "shape",
                 "where", "create", "cast", "scalar_of", "matmul", "unary_op", "concat",
                 "builtin"],
                weights=[10, 8, 5, 5, 3, 6, 4, 2, 2, 2, 2, 1, 2, 1, 1])[0]
            try:
                text = getattr(self, "_form_" + form)(depth)
            except _Unsupported:
                continue
            if text is None:
                continue
            try:
                value = self._eval(text)
                type_key(value)
                if self.loop_depth and np.size(value) > self.max_loop_size:
                    continue     # would compound over iterations (tile, concatenate, ...)
            except _Unsupported:
                continue
            except Exception:  # noqa: BLE001
                if self.error_budget and self.rng.random() < 0.3:
                    self.error_budget -= 1
                    self.features["raising expression"] += 1
                    return text, _RAISES
                continue
            self.features[form] += 1
            return text, value
        return self.leaf()

    def _sub(self, depth: int) -> str:
        text, value = self.expr(depth - 1)
        if value is _RAISES:
            raise _Unsupported
        return text

    def _operand(self, depth: int) -> tuple[str, object]:
        text, value = self.expr(depth - 1)
        if value is _RAISES:
            raise _Unsupported
        return text, value

    def _form_binop(self, depth):
        op = self.rng.choice(BINOPS)
        (x, xv), (y, yv) = self._operand(depth), self._operand(depth)
        if _huge_int_op(xv, op, yv):
            return None
        return f"({x} {op} {y})"

    def _form_unary_op(self, depth):
        op = self.rng.choice(["-", "+", "~", "abs", "not"])
        if op == "abs":
            return f"abs({self._sub(depth)})"
        if op == "not":
            names = [n for n in self._bound("scalar")]
            if not names:
                return None
            return f"(not ({self.rng.choice(names)} > 0))"
        return f"({op}{self._sub(depth)})"

    def _form_unary_np(self, depth):
        return f"np.{self.rng.choice(UNARY_NP)}({self._sub(depth)})"

    def _form_binary_np(self, depth):
        return f"np.{self.rng.choice(BINARY_NP)}({self._sub(depth)}, {self._sub(depth)})"

    def _axis(self, ndim: int) -> str:
        choices = ["None"] + [str(i) for i in range(-ndim, ndim)]
        if ndim >= 2:
            choices.append("(0, 1)")
        return self.rng.choice(choices)

    def _form_reduce(self, depth):
        leaf = self.array_leaf() if self.rng.random() < 0.6 else None
        x = leaf[0] if leaf else self._sub(depth)
        value = self._eval(x)
        ndim = np.ndim(value)
        name = self.rng.choice(REDUCTIONS)
        args = [x]
        if self.rng.random() < 0.6:
            axis = self._axis(ndim)
            if name in ("argmax", "argmin", "median") and axis.startswith("("):
                axis = "0"
            args.append(f"axis={axis}")
        if self.rng.random() < 0.2 and name not in ("count_nonzero",):
            args.append("keepdims=True")
        if name in ("std", "var") and self.rng.random() < 0.3:
            args.append(f"ddof={self.rng.choice([1, 2])}")
        return f"np.{name}({', '.join(args)})"

    def _form_method(self, depth):
        leaf = self.array_leaf()
        if leaf is None:
            return None
        x, value = leaf
        name = self.rng.choice(METHOD_REDUCTIONS)
        axis = self._axis(np.ndim(value)) if self.rng.random() < 0.6 else None
        if axis and axis.startswith("(") and name in ("argmax", "argmin", "cumsum", "cumprod"):
            axis = "0"
        return f"{x}.{name}({'' if axis is None else 'axis=' + axis})"

    def _index(self, name: str, value) -> str:
        """A random basic, integer or boolean index expression for the array `name`."""
        ndim = value.ndim
        r = self.rng.random()
        ints = ["0", "1", "-1", "2"] + (["n"] if "n" in self.types else []) + self.loop_vars
        if ndim == 0:
            return self.rng.choice(["()", "...", "None"])
        if r < 0.3:
            return self.rng.choice(ints) + (", " + self.rng.choice(ints) if ndim > 1 and
                                            self.rng.random() < 0.3 else "")
        if r < 0.6:
            parts = [self.rng.choice(["1:", ":-1", "::2", "::-1", "1:3", ":", "-2:", "n:",
                                      ":n", "1::2"]) for _ in range(self.rng.randint(1, ndim))]
            parts = [p for p in parts if "n" not in p or "n" in self.types]
            if self.rng.random() < 0.2:
                parts.insert(self.rng.randint(0, len(parts)), "None")
            return ", ".join(parts) or ":"
        if r < 0.7:
            return self.rng.choice(["...", "..., 0", "..., ::-1", ":, None", "None, ..."])
        if r < 0.85:
            masks = [n for n in self._bound("array")
                     if self.env[n].dtype == bool and self.env[n].shape == value.shape]
            return self.rng.choice(masks) if masks and self.rng.random() < 0.5 else \
                f"{name} {self.rng.choice(['>', '<', '!=', '=='])} {self.rng.choice(['0', '1', '0.5'])}"
        idx = [n for n in self._bound("array") if self.env[n].dtype.kind in "iu" and
               self.env[n].ndim == 1]
        if idx and self.rng.random() < 0.5:
            return self.rng.choice(idx)
        return self.rng.choice(["[0, -1]", "[1, 1, 0]", f"np.argsort({name}, axis=None)" if
                                ndim == 1 else "[0]", "np.arange(2)"])

    def _form_index(self, depth):
        leaf = self.array_leaf()
        if leaf is None:
            return None
        x, value = leaf
        return f"{x}[{self._index(x, value)}]"

    def _form_shape(self, depth):
        leaf = self.array_leaf()
        if leaf is None:
            return None
        x, v = leaf
        nd = v.ndim
        choices = [f"{x}.T", f"{x}.reshape(-1)", f"np.ravel({x})", f"{x}.flatten()",
                   f"np.transpose({x})", f"np.expand_dims({x}, 0)", f"np.flip({x})",
                   f"np.roll({x}, {self.rng.choice([1, -2, 3])})", f"np.sort({x})",
                   f"np.cumsum({x})", f"np.tile({x}, 2)", f"np.repeat({x}, 2)",
                   f"np.atleast_2d({x})", f"{x}.copy()", f"np.array({x})", f"np.asarray({x})",
                   f"np.argsort({x})", f"np.unique({x})"]
        if nd >= 1:
            choices += [f"np.flip({x}, axis=0)", f"np.roll({x}, 1, axis=-1)",
                        f"np.sort({x}, axis=0)", f"np.cumsum({x}, axis=-1)",
                        f"{x}.reshape({x}.shape[0], -1)", f"np.diag({x})" if nd <= 2 else
                        f"{x}[0]", f"np.cumprod({x}, axis=0)"]
        if nd == 2:
            choices += [f"np.tril({x})", f"np.triu({x}, 1)", f"np.swapaxes({x}, 0, 1)",
                        f"np.transpose({x}, (1, 0))", f"{x}.reshape(-1, {x}.shape[0])"]
        return self.rng.choice(choices)

    def _form_where(self, depth):
        if self.rng.random() < 0.6:
            return (f"np.where({self._sub(depth)} > {self._sub(depth)}, {self._sub(depth)}, "
                    f"{self._sub(depth)})")
        return f"np.clip({self._sub(depth)}, {self._sub(depth)}, {self._sub(depth)})"

    def _form_create(self, depth):
        leaf = self.array_leaf()
        ints = ["3", "0", "1"] + (["n"] if "n" in self.types else [])
        k = self.rng.choice(ints)
        choices = [f"np.zeros({k})", f"np.ones(({k}, 2))", f"np.arange({k})",
                   f"np.arange(1, {k} + 3, 2)", f"np.linspace(0, 1, {k})", f"np.eye({k})",
                   f"np.full({k}, {self.rng.choice(CONSTANTS)})", f"np.zeros({k}, dtype=np.int64)",
                   f"np.ones({k}, dtype=bool)", f"np.arange(-2.5, {k})"]
        if leaf:
            x = leaf[0]
            choices += [f"np.zeros_like({x})", f"np.ones_like({x})",
                        f"np.full_like({x}, {self.rng.choice(CONSTANTS)})",
                        f"np.ones_like({x}, dtype={self.rng.choice(DTYPE_NAMES)})",
                        f"np.zeros({x}.shape)", f"np.ones({x}.shape[-1:])" if leaf[1].ndim else
                        "np.ones(2)"]
        return self.rng.choice(choices)

    def _form_cast(self, depth):
        x, v = self.expr(depth - 1)
        if v is _RAISES:
            return None
        if isinstance(v, np.ndarray):
            return f"{x}.astype({self.rng.choice(DTYPE_NAMES)})"
        return f"{self.rng.choice(['float', 'int', 'bool', 'np.float32', 'np.int64'])}({x})"

    def _form_scalar_of(self, depth):
        leaf = self.array_leaf()
        if leaf is None:
            return None
        x = leaf[0]
        choices = [f"len({x})", f"{x}.size", f"{x}.ndim", f"float(np.sum({x}))",
                   f"int(np.max({x}))", f"{x}.shape[-1]", f"{x}.shape[0]",
                   f"bool(np.any({x}))"]
        return self.rng.choice(choices)

    def _form_matmul(self, depth):
        a, b = self.array_leaf(), self.array_leaf()
        if a is None or b is None:
            return None
        op = self.rng.choice(["{} @ {}", "np.dot({}, {})", "np.outer({}, {})", "{}.T @ {}",
                              "np.inner({}, {})", "{} @ {}.T"])
        return op.format(a[0], b[0])

    def _form_concat(self, depth):
        a, b = self.array_leaf(), self.array_leaf()
        if a is None or b is None:
            return None
        op = self.rng.choice(["np.concatenate(({}, {}))", "np.concatenate(({}, {}), axis=-1)",
                              "np.concatenate(({}, {}), axis=None)", "np.stack(({}, {}))",
                              "np.vstack(({}, {}))", "np.hstack(({}, {}))"])
        return op.format(a[0], b[0])

    def _form_builtin(self, depth):
        names = self._bound("scalar")
        if len(names) < 1:
            return None
        x, y = self.rng.choice(names), self.rng.choice(names + ["1", "0.5"])
        return self.rng.choice([f"max({x}, {y})", f"min({x}, {y})", f"abs({x})",
                                f"({x} if {y} > 0 else {y})", f"({x} > 0 and {y} < 1)",
                                f"({x} < 0 or {y} > 1)", f"(0 < {x} <= {y})"])

    # ---------------------------------------------------------------- statements
    def new_name(self) -> str:
        self.counter += 1
        return f"v{self.counter}"

    def assign(self, out: list[str], ind: str, depth: int) -> None:
        text, value = self.expr(depth)
        if value is _RAISES:
            out.append(f"{ind}{self.new_name()} = {text}")
            return
        try:
            key = type_key(value)
        except _Unsupported:
            return
        same = [n for n in self._assignable() if self.types[n] == key]
        if same and self.rng.random() < 0.35:
            name = self.rng.choice(same)
            self.features["reassign"] += 1
        elif self.rng.random() < 0.02 and self._bound():
            name = self.rng.choice(self._assignable() or [self.new_name()])
            self.features["retype variable"] += 1
        else:
            name = self.new_name()
        out.append(f"{ind}{name} = {text}")
        self.env[name] = value
        self.types[name] = key
        self.maybe_bound.discard(name)

    def _assignable(self) -> list[str]:
        """Variables a statement may rebind: not loop variables or counters, and not `n`
        (loop bounds and indices stay small)."""
        return [n for n in self._bound() if n not in self.loop_vars and n != "n"]

    def augassign(self, out, ind, depth) -> None:
        names = self._assignable()
        if not names:
            return
        name = self.rng.choice(names)
        op = self.rng.choice(["+", "-", "*", "/", "//", "%", "**", "&", "|", "^", "<<"])
        text, value = self._operand(depth)
        if _huge_int_op(self.env[name], op, value):
            return
        stmt = f"{name} {op}= {text}"
        try:
            trial = dict(self.env)
            trial[name] = copy.deepcopy(trial[name])
            self._exec(stmt, trial)
            if type_key(trial[name]) != self.types[name] and self.rng.random() < 0.9:
                return
        except _Unsupported:
            return
        except Exception:  # noqa: BLE001
            if self.rng.random() < 0.8:
                return
            self.features["raising augassign"] += 1
            out.append(f"{ind}{stmt}")
            return
        self.features["augassign"] += 1
        out.append(f"{ind}{stmt}")
        self.env[name] = trial[name]
        self.types[name] = type_key(trial[name])

    def setitem(self, out, ind, depth) -> None:
        leaf = self.array_leaf()
        if leaf is None:
            return
        name, value = leaf
        if value.flags.writeable is False:
            return
        stmt = f"{name}[{self._index(name, value)}] = {self._sub(depth)}"
        try:
            self._exec(stmt, dict(self.env, **{name: value.copy()}))
        except _Unsupported:
            return
        except Exception:  # noqa: BLE001
            if self.rng.random() < 0.85:
                return
            self.features["raising setitem"] += 1
        else:
            self.features["setitem"] += 1
            self._exec(stmt)     # views of the array see the write, as in the program
        out.append(f"{ind}{stmt}")

    def _bind_new(self, out: list[str], ind: str, text: str) -> str | None:
        """`vN = text` as a new variable if it evaluates to a supported value, else None."""
        try:
            value = self._eval(text)
            key = type_key(value)
        except Exception:  # noqa: BLE001  (_Unsupported or the expression's own error)
            return None
        if self.loop_depth and np.size(value) > self.max_loop_size:
            return None
        name = self.new_name()
        out.append(f"{ind}{name} = {text}")
        self.env[name], self.types[name] = value, key
        self.maybe_bound.discard(name)
        return name

    def chain(self, out: list[str], ind: str) -> None:
        """Elementwise statements that the optimizer fuses into one loop (an intermediate, a
        use of it broadcast against another array, maybe a reduction of that, maybe
        X.T @ f(X @ w)); the intermediates are likely to be returned too."""
        arrays = self._bound("array")
        if not arrays:
            return
        x, y = self.rng.choice(arrays), self.rng.choice(arrays)
        first = self.rng.choice([f"np.{u}({x})" for u in ("exp", "sin", "abs", "sqrt",
                                                          "negative", "square", "tanh")]
                                + [f"({x} * 2.0)", f"({x} + 1)", f"({x} - {y})"])
        t = self._bind_new(out, ind, first)
        if t is None:
            return
        self.features["fusion chain"] += 1
        u = self._bind_new(out, ind, f"({t} {self.rng.choice(['+', '-', '*', '/'])} {y})")
        if u is None:
            return
        r = self.rng.random()
        if r < 0.4:
            axis = self._axis(np.ndim(self.env[u]))
            self._bind_new(out, ind, f"np.{self.rng.choice(['sum', 'max', 'mean', 'min'])}"
                                     f"({u}, axis={axis})")
        elif r < 0.55:
            mats = [m for m in arrays if self.env[m].ndim == 2]
            vecs = [v for v in arrays if self.env[v].ndim == 1]
            if mats and vecs:
                m, v = self.rng.choice(mats), self.rng.choice(vecs)
                if self._bind_new(out, ind, f"{m}.T @ np.tanh({m} @ {v} - 1.0)"):
                    self.features["matvec pair"] += 1

    def condition(self, depth) -> str:
        for _ in range(10):
            text, value = self.expr(max(depth, 1))
            if value is _RAISES:
                continue
            if isinstance(value, np.ndarray) and value.ndim:
                text = f"np.{self.rng.choice(['any', 'all'])}({text})"
            if isinstance(value, (complex, np.complexfloating)) or (
                    isinstance(value, np.ndarray) and value.dtype.kind == "c"):
                continue
            cmp = self.rng.choice([" > 0", " < 1", " != 0", "", " >= 0.5"])
            return f"{text}{cmp}"
        return "True"

    def _snapshot(self):
        return ({k: v for k, v in self.env.items()}, dict(self.types), set(self.maybe_bound))

    def _env_copy(self) -> dict:
        # arrays written in a branch must not leak into the other (views share: deep copy all)
        return copy.deepcopy({k: v for k, v in self.env.items() if k != "np"}) | {"np": np}

    def block(self, out: list[str], ind: str, n: int, depth: int) -> None:
        for _ in range(n):
            self.statement(out, ind, depth)

    def statement(self, out: list[str], ind: str, depth: int) -> None:
        kinds = ["assign", "augassign", "setitem", "if", "for", "while", "unused", "break",
                 "chain"]
        weights = [12, 2, 3, 2 if depth < 2 else 0, 2 if depth < 2 else 0,
                   1 if depth < 2 else 0, 1, 1 if self.loop_depth else 0, 3]
        kind = self.rng.choices(kinds, weights=weights)[0]
        try:
            self._statement(kind, out, ind, depth)
        except _Unsupported:
            pass

    def _statement(self, kind: str, out: list[str], ind: str, depth: int) -> None:
        edepth = self.rng.choice([1, 2, 2, 3])
        if kind == "assign":
            self.assign(out, ind, edepth)
        elif kind == "augassign":
            self.augassign(out, ind, edepth)
        elif kind == "setitem":
            self.setitem(out, ind, edepth)
        elif kind == "unused":
            text, _ = self.expr(edepth)
            out.append(f"{ind}{self.new_name()} = {text}")   # never read: errors must stay
            self.features["unused value"] += 1
        elif kind == "break":
            out.append(f"{ind}if {self.condition(1)}:")
            out.append(f"{ind}    {self.rng.choice(['break', 'continue'])}")
            self.features["break/continue"] += 1
        elif kind == "chain":
            self.chain(out, ind)
        elif kind == "if":
            self.if_statement(out, ind, depth)
        elif kind == "for":
            self.for_statement(out, ind, depth)
        else:
            self.while_statement(out, ind, depth)

    def _merge(self, branches: list[tuple[dict, dict, set]]) -> None:
        """Variables bound on every path stay bound; those bound on some paths only are
        'maybe bound' (reading them is an UnboundLocalError in Python on the other paths)."""
        definitely = set.intersection(*(set(t) - m for _, t, m in branches))
        self.types = {}
        self.env = dict(branches[0][0])
        for env, types, _ in branches:
            for name, key in types.items():
                self.types.setdefault(name, key)
                self.env.setdefault(name, env.get(name))
        self.maybe_bound = set(self.types) - definitely

    def if_statement(self, out, ind, depth) -> None:
        out.append(f"{ind}if {self.condition(1)}:")
        self.features["if"] += 1
        saved_env = self._env_copy()
        saved_types, saved_maybe = dict(self.types), set(self.maybe_bound)
        n0 = len(out)
        self.block(out, ind + "    ", self.rng.randint(1, 3), depth + 1)
        if len(out) == n0:
            out.append(f"{ind}    pass")
        then = (self.env, self.types, self.maybe_bound)
        self.env, self.types, self.maybe_bound = saved_env, saved_types, saved_maybe
        branches = [then]
        if self.rng.random() < 0.6:
            out.append(f"{ind}else:")
            n0 = len(out)
            self.block(out, ind + "    ", self.rng.randint(1, 3), depth + 1)
            if len(out) == n0:
                out.append(f"{ind}    pass")
        branches.append((self.env, self.types, self.maybe_bound))
        self._merge(branches)

    def _loop_body(self, out, ind, depth) -> None:
        saved = (self._env_copy(), dict(self.types), set(self.maybe_bound))
        self.loop_depth += 1
        n0 = len(out)
        self.block(out, ind + "    ", self.rng.randint(1, 4), depth + 1)
        if len(out) == n0:
            out.append(f"{ind}    pass")
        self.loop_depth -= 1
        self._merge([(self.env, self.types, self.maybe_bound), saved])

    def for_statement(self, out, ind, depth) -> None:
        var = f"i{len(self.loop_vars)}"
        arrays = self._bound("array")
        ranges = ["range(3)", "range(0)", "range(1, 4)", "range(2, -1, -1)"]
        if "n" in self.types:
            ranges += ["range(n)", "range(n)", "range(1, n)", "range(n - 1, -1, -1)"]
        ranges += [f"range({a}.shape[0])" for a in arrays if self.env[a].ndim]
        ranges += [f"range(len({a}))" for a in arrays if self.env[a].ndim]
        if arrays and self.rng.random() < 0.15:
            a = self.rng.choice([x for x in arrays if self.env[x].ndim] or [None])
            if a is None:
                return
            out.append(f"{ind}for {var} in {a}:")
            sample = self.env[a][0] if len(self.env[a]) else self.env[a].sum(axis=0)
            self.features["for over array"] += 1
        else:
            rng_text = self.rng.choice(ranges)
            out.append(f"{ind}for {var} in {rng_text}:")
            sample = 1
            self.features["for range"] += 1
        self.env[var] = sample
        self.types[var] = type_key(sample)
        self.loop_vars.append(var)
        self._loop_body(out, ind, depth)
        self.loop_vars.pop()
        self.types.pop(var, None)     # the loop variable is not used after the loop
        self.maybe_bound.discard(var)

    def while_statement(self, out, ind, depth) -> None:
        var = f"w{self.counter}"
        self.counter += 1
        limit = self.rng.choice(["3", "0", "n"] if "n" in self.types else ["3", "0", "2"])
        out.append(f"{ind}{var} = 0")
        out.append(f"{ind}while {var} < {limit}:")
        out.append(f"{ind}    {var} += 1")
        self.env[var] = 0
        self.types[var] = "int"
        self.loop_vars.append(var)
        self.features["while"] += 1
        self._loop_body(out, ind, depth)
        self.loop_vars.pop()

    # ---------------------------------------------------------------- the program
    def program(self) -> Program:
        body: list[str] = []
        self.block(body, "    ", self.rng.randint(2, 9), 0)
        names = [n for n in self._bound() if n not in self.loop_vars]
        params = [s.name for s in self.specs]
        recent = [n for n in names if n not in params][-4:]
        pool = recent + [p for p in params if "[" in self.types.get(p, "")]
        if not pool:
            pool = names or params
        k = self.rng.choice([1, 1, 2, 2, 3])
        chosen = self.rng.sample(pool, min(k, len(pool)))
        if self.maybe_bound and self.rng.random() < 0.05:
            chosen.append(self.rng.choice(sorted(self.maybe_bound)))
            self.features["maybe-unbound return"] += 1
        body.append(f"    return {', '.join(chosen)}")
        header = "import numpy as np\n\n"
        for g, v in self.globals.items():
            header += f"{g} = {v!r}\n"
        source = (header + "\n\ndef f(" + ", ".join(params) + "):\n" + "\n".join(body) + "\n")
        args2_seed = random.Random(self.seed * 7919 + 1).randrange(2**31)
        return Program(self.seed, source, self.specs, self.args, args2_seed, self.global_update,
                       self.features)


def _huge_int_op(left, op: str, right) -> bool:
    """Python-int powers and shifts that would build enormous integers (Python computes them
    exactly, for as long as it takes)."""
    if op not in ("**", "<<") or not isinstance(right, int):
        return False
    if isinstance(left, (int, np.integer)) or (isinstance(left, np.ndarray) and
                                               left.dtype.kind in "iub"):
        return abs(right) > 64 or (isinstance(left, int) and abs(left) > 2**64)
    return False


class _Raises:
    def __repr__(self):
        return "<raises>"


_RAISES = _Raises()


def generate(seed: int) -> Program:
    """The program of `seed` (deterministic)."""
    return Generator(seed).program()
