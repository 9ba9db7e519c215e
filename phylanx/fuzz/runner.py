"""Run one generated program as plain Python and as a kernel, and compare.

The kernel runs in each thread configuration of CONFIGS (one thread; two threads; two threads
with every task/team/GIL/copy threshold at 0, so each node is a task and each native job a
team), then from several threads at once, then a second time with other arguments (and the
program's globals changed), after which the first call's result must be unchanged.

Each difference is a Failure with a category (see CATEGORIES). A CompileError is a refusal, not
a failure, unless Python raises a TypeError for the same program and the CompileError is not
one (NumPy's type errors must stay catchable as TypeError)."""

from __future__ import annotations

import contextlib
import copy
import importlib.util
import itertools
import os
import re
import tempfile
import threading
import warnings
from dataclasses import dataclass, field

import numpy as np

from phylanx.errors import CompileError
from phylanx.fuzz.generator import Program, time_limit
from phylanx.fuzz.inputs import describe_arg
from phylanx.ops.elementwise import INT_NEGATIVE_POWER

CONFIGS = ("1 thread", "2 threads", "2 threads forced")
CONCURRENT_CALLS = 3

# Failure categories, in the order the summary lists them.
CATEGORIES = {
    "value": "wrong value",
    "nan": "NaN positions differ",
    "dtype": "wrong dtype",
    "shape": "wrong shape",
    "type": "wrong Python type (scalar vs array, float vs np.float64, tuple structure)",
    "exception class": "both raise, different exception classes",
    "parallel error order": "both raise, different exception classes, on several threads "
                            "only (documented: the first error in time is reported)",
    "arguments after an error": "both raise; an argument differs afterwards (NumPy may leave "
                                "garbage in an in-place output it raised for; a note)",
    "ill-conditioned": "values differ, but Python's own result moves as much when the inputs "
                       "move by a few ulp (a note, not a failure)",
    "documented error": "the kernel raises the documented run-time error of `int ** "
                        "negative int` (docs/semantics.md) where Python gives a float (a note)",
    "missing error": "Python raises, the kernel does not",
    "spurious error": "the kernel raises, Python does not",
    "refused, not the Python class": "CompileError where Python raises a TypeError, and the "
                                     "CompileError is not a TypeError",
    "warnings": "different set of (warning category, message)",
    "mutated argument": "an argument differs after the call",
    "memory sharing": "a result shares memory with an argument or another result where "
                      "Python's does not, or the other way round",
    "result overwritten": "a later call changed an earlier call's result",
    "internal error": "an exception other than CompileError while compiling",
    "crash": "the worker process died (segfault, abort)",
    "hang": "no answer within the timeout",
}

# Categories that are reported but are not failures (documented behaviour).
NOTES = frozenset({"parallel error order", "ill-conditioned", "arguments after an error",
                   "documented error"})

_TOL = {"f": {2: 1e-2, 4: 1e-4, 8: 1e-9}, "c": {8: 1e-4, 16: 1e-9}}


@dataclass
class Failure:
    category: str
    config: str
    detail: str

    def line(self) -> str:
        return f"[{self.category}] ({self.config}) {self.detail}"


@dataclass
class Observation:
    """What one call did: kind 'ok', 'raised', 'refused' (CompileError) or 'internal'
    (another exception while compiling)."""

    kind: str
    value: object = None
    error: BaseException | None = None
    warnings: frozenset = frozenset()
    args: tuple = ()
    line: int = 0          # Python: the kernel's source line that raised; CompileError: its line

    def summary(self) -> str:
        if self.kind == "ok":
            return _short(self.value)
        return f"{self.kind}: {type(self.error).__name__}: {str(self.error).splitlines()[0]:.200}"


@dataclass
class Result:
    seed: int
    status: str                       # 'pass', 'refused', 'fail', 'skipped' (too big or slow)
    failures: list[Failure] = field(default_factory=list)
    refusal: str = ""                 # the CompileError's message (refused programs)
    python: str = ""                  # Python's outcome, for the report
    kernel: str = ""                  # the kernel's outcome in the first failing config

    @property
    def categories(self) -> list[str]:
        return list(dict.fromkeys(f.category for f in self.failures))


def _short(value) -> str:
    with np.printoptions(threshold=20, precision=6):
        if isinstance(value, np.ndarray):
            return f"array({value!r:.300}, dtype={value.dtype}, shape={value.shape})"
        return f"{type(value).__name__} {value!r:.300}"


# ------------------------------------------------------------------------ loading
_DIR = None
_COUNTER = itertools.count()


def load(source: str, tag: str = "p"):
    """Import `source` as a module from a file (kernels need their source in a file)."""
    global _DIR
    if _DIR is None:
        _DIR = tempfile.mkdtemp(prefix="phylanx-fuzz-")
    name = f"fuzz_{tag}_{os.getpid()}_{next(_COUNTER)}"
    path = os.path.join(_DIR, name + ".py")
    with open(path, "w") as fh:
        fh.write(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------------ configurations
@contextlib.contextmanager
def configuration(name: str):
    """Thread count and scheduling thresholds of one configuration (restored afterwards)."""
    from phylanx import runtime as rt
    from phylanx.runtime import _move

    saved = (rt.num_threads(), rt.get_task_threshold(), rt.get_team_threshold())
    copy_min = _move.set_copy_parallel_min(float("inf"))
    _move.set_copy_parallel_min(copy_min)
    rt.set_num_threads(1 if name == "1 thread" else 2)
    if name == "2 threads forced":
        rt.set_task_threshold(0)
        rt.set_team_threshold(0)
        rt.set_gil_threshold(0)
        _move.set_copy_parallel_min(0)
    try:
        yield
    finally:
        rt.set_num_threads(saved[0])
        rt.set_task_threshold(saved[1])
        rt.set_team_threshold(saved[2])
        rt.set_gil_threshold(DEFAULT_GIL_THRESHOLD)
        _move.set_copy_parallel_min(copy_min)


# The runtime's default (runtime/_threads.pyx; it has no getter): restored after a forced run.
DEFAULT_GIL_THRESHOLD = 2e4


# ------------------------------------------------------------------------ observing calls
def observe(call, args: tuple, record_warnings: bool = True) -> Observation:
    """Call `call(*args)`, recording the result or exception, warnings and the arguments."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always" if record_warnings else "ignore")
        try:
            value = call(*args)
            obs = Observation("ok", value)
        except CompileError as e:
            obs = Observation("refused", error=e)
        except Exception as e:  # noqa: BLE001
            obs = Observation("raised", error=e)
            obs.line = _raising_line(e, getattr(call, "__code__", None))
    if obs.kind == "refused":
        obs.line = obs.error.line
    obs.warnings = frozenset((w.category.__name__, str(w.message)) for w in caught or ())
    obs.args = args
    return obs


def _raising_line(error: BaseException, code) -> int:
    """The line of `code`'s file (the program) in the traceback of `error`, 0 if none."""
    line, tb = 0, error.__traceback__
    while code is not None and tb is not None:
        if tb.tb_frame.f_code.co_filename == code.co_filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def compile_observation(kernel, args: tuple) -> Observation | None:
    """None when the kernel compiles for `args`; else the refusal or internal error.
    Warnings while compiling are dropped: each call must give Python's warnings itself."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kernel.compile(kernel._types(kernel._bind(args, {})))
    except CompileError as e:
        return Observation("refused", error=e, line=e.line)
    except Exception as e:  # noqa: BLE001
        return Observation("internal", error=e)
    return None


# ------------------------------------------------------------------------ comparing
def _tolerance(dtype: np.dtype) -> float:
    return _TOL.get(dtype.kind, {}).get(dtype.itemsize, 0.0)


def precision_floor(program: Program, source: str) -> float:
    """The float tolerance a program's results get at least: that of f32 when it computes in
    f32/f16/c64 anywhere (an f32 exp 1 ulp off NumPy's stays 1 ulp off after promotion to
    f64), else 0."""
    low = ("float32", "float16", "complex64")
    if any(spec.dtype in low for spec in program.specs) or any(t in source for t in low):
        return _TOL["f"][4]
    return 0.0


def value_difference(got, expected, path: str = "result",
                     min_tol: float = 0.0) -> tuple[str, str] | None:
    """(category, detail) of the first difference between two results, or None. Floats are
    compared with the tolerance of their dtype, at least `min_tol`."""
    if isinstance(expected, (tuple, list)):
        if type(got) is not type(expected) or len(got) != len(expected):
            return "type", f"{path}: {_short(got)} != {_short(expected)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            d = value_difference(g, e, f"{path}[{i}]", min_tol)
            if d:
                return d
        return None
    if expected is None or got is None:
        return None if got is expected else ("type", f"{path}: {_short(got)} != {_short(expected)}")
    if type(got) is not type(expected):
        return "type", (f"{path}: {_type_name(got)} {got!r:.60} != {_type_name(expected)} "
                        f"{expected!r:.60}")
    g, e = np.asarray(got), np.asarray(expected)
    if g.dtype != e.dtype:
        return "dtype", f"{path}: dtype {g.dtype} != {e.dtype}"
    if g.shape != e.shape:
        return "shape", f"{path}: shape {g.shape} != {e.shape}"
    if e.dtype.kind in "fc":
        gn, en = np.isnan(g), np.isnan(e)
        if not np.array_equal(gn, en):
            at = np.argwhere(gn != en)[:3].tolist()
            return "nan", f"{path}: NaN positions differ at {at}: {_short(got)} != {_short(expected)}"
        tol = max(_tolerance(e.dtype), min_tol)
        with np.errstate(all="ignore"):
            close = np.isclose(g, e, rtol=tol, atol=tol, equal_nan=True)
        if not close.all():
            at = np.argwhere(~close)[:3].tolist()
            return "value", f"{path}: differs at {at}: {_short(got)} != {_short(expected)}"
        return None
    if not np.array_equal(g, e):
        at = np.argwhere(g != e)[:3].tolist() if g.ndim else []
        return "value", f"{path}: differs at {at}: {_short(got)} != {_short(expected)}"
    return None


def signature(failure: Failure) -> str:
    """What makes two failures of one category the same kind: the category with the type or
    dtype names, exception classes or warning messages of its detail (not values, paths or
    positions). The minimizer keeps a variant only if this is unchanged."""
    d = failure.detail
    if failure.category == "type":
        return "type: " + " != ".join(re.sub(r"^.*?: ", "", side).split(" ")[0].strip()
                                      for side in d.split(" != ")[:2])
    if failure.category == "dtype":
        return "dtype: " + " ".join(re.findall(r"dtype (\S+)", d) + re.findall(r"!= (\S+)", d))
    if failure.category in ("exception class", "missing error", "spurious error",
                            "refused, not the Python class", "internal error"):
        return failure.category + ": " + " ".join(re.findall(r"\b([A-Z]\w*(?:Error|Exception|"
                                                             r"Warning|_Decline))\b", d))
    if failure.category == "warnings":
        return "warnings: " + " | ".join(sorted(set(re.findall(r"'([a-z][^']*)'", d))))
    return failure.category


def _type_name(value) -> str:
    t = type(value)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def _leaves(value) -> list[np.ndarray]:
    if isinstance(value, (tuple, list)):
        return [x for v in value for x in _leaves(v)]
    return [value] if isinstance(value, np.ndarray) else []


def sharing(obs: Observation) -> list[bool]:
    """Which (result, argument) and (result, result) pairs share memory."""
    results, args = _leaves(obs.value), _leaves(list(obs.args))
    pairs = [(r, a) for r in results for a in args]
    pairs += [(r, s) for i, r in enumerate(results) for s in results[i + 1:]]
    return [bool(x.size and y.size and np.shares_memory(x, y)) for x, y in pairs]


def _is_python_type_error(exc: BaseException) -> bool:
    return isinstance(exc, TypeError)


def compare(py: Observation, k: Observation, config: str, check_warnings: bool = True,
            parallel: bool = False, min_tol: float = 0.0) -> list[Failure]:
    """Failures of the kernel's observation `k` against Python's `py`. `parallel`: the call
    ran on several threads, where a failing call may report another failing statement's
    error ("first in time", docs/runtime.md) and may have run (and warned in) statements that
    Python never reached: then the exception class is a note, not a failure, and warnings of
    failing calls are not compared."""
    out: list[Failure] = []

    def fail(category: str, detail: str) -> None:
        out.append(Failure(category, config, detail))

    if k.kind == "internal":
        fail("internal error", f"{type(k.error).__name__}: {k.error}")
        return out
    if k.kind == "refused":
        # a refusal of the statement Python raises a TypeError at must be a TypeError too
        if py.kind == "raised" and _is_python_type_error(py.error) and py.line == k.line and \
                not isinstance(k.error, type(py.error)) and not isinstance(k.error, TypeError):
            fail("refused, not the Python class",
                 f"Python: {type(py.error).__name__}: {py.error}; kernel: {k.error}")
        return out
    if py.kind == "raised" and k.kind == "ok":
        fail("missing error", f"Python raises {type(py.error).__name__}: {py.error}; "
                              f"kernel returns {_short(k.value)}")
        return out
    if py.kind == "ok" and k.kind == "raised":
        if isinstance(k.error, ValueError) and str(k.error) == INT_NEGATIVE_POWER:
            fail("documented error", f"kernel raises ValueError: {k.error}")
            return out
        fail("spurious error", f"kernel raises {type(k.error).__name__}: {k.error}")
        return out
    if py.kind == "raised":
        if parallel:
            check_warnings = False
        if not isinstance(k.error, type(py.error)):
            fail("parallel error order" if parallel else "exception class", f"Python: {type(py.error).__name__}: {py.error}; kernel: "
                                    f"{type(k.error).__name__}: {k.error}")
    else:
        d = value_difference(k.value, py.value, min_tol=min_tol)
        if d:
            fail(*d)
        elif sharing(k) != sharing(py):
            fail("memory sharing", f"kernel {sharing(k)} != Python {sharing(py)}")
    for i, (g, e) in enumerate(zip(k.args, py.args)):
        if isinstance(e, np.ndarray):
            d = value_difference(g, e, f"argument {i}", min_tol)
            if d:
                # a failing parallel call may have cancelled writes Python made first; and
                # NumPy itself leaves garbage in an in-place output it raised for
                # (a **= b with a negative integer exponent)
                if py.kind == "raised":
                    fail("parallel error order" if parallel else "arguments after an error",
                         d[1])
                else:
                    fail("mutated argument", d[1])
    if check_warnings and k.warnings != py.warnings:
        fail("warnings", f"kernel {sorted(k.warnings)} != Python {sorted(py.warnings)}")
    return out


# ------------------------------------------------------------------------ one program
PYTHON_SECONDS = 20.0   # a program slower than this as plain Python is skipped, not run


class _PythonTooSlow(BaseException):
    """Raised into a plain Python run that exceeds PYTHON_SECONDS (not an Exception, so the
    observation does not take it for the program's own error)."""


def check_program(program: Program, configs: tuple[str, ...] = CONFIGS,
                  concurrent: bool = True, second_call: bool = True,
                  source: str | None = None, passes: str | None = None) -> Result:
    """Run `program` (or `source`, a variant of it) every way and compare with Python
    (`passes`: the optimizer pipeline, default phylanx's)."""
    import phylanx

    module = load(source or program.source, str(program.seed))
    first, second = program.first_args, program.second_args
    min_tol = precision_floor(program, source or program.source)
    result = Result(program.seed, "pass")
    try:
        with time_limit(PYTHON_SECONDS, _PythonTooSlow):
            py = observe(module.f, first())
    except _PythonTooSlow:
        result.status, result.python = "skipped", f"takes over {PYTHON_SECONDS} s in Python"
        return result
    result.python = py.summary()
    if py.kind == "raised" and isinstance(py.error, MemoryError):
        result.status = "skipped"       # too big for the worker's memory limit
        return result
    kernel = phylanx.kernel(module.f, passes=passes)
    compiled = compile_observation(kernel, first())
    if compiled is not None:
        result.kernel = compiled.summary()
        result.failures = compare(py, compiled, "compile")
        if compiled.kind == "refused":
            result.refusal = compiled.error.message
        result.status = "fail" if _failing(result.failures) else "refused"
        return result
    observations = {}    # config -> (kernel's observation, Python's, the arguments)
    for config in configs:
        with configuration(config):
            k = observe(kernel, first())
            observations[config] = (k, py, first)
        failures = compare(py, k, config, parallel=config != "1 thread", min_tol=min_tol)
        if _failing(failures) and not _failing(result.failures):
            result.kernel = k.summary()
        result.failures += failures
    if concurrent:
        with configuration(configs[-1]):
            failures, k = _concurrent(kernel, first, py, min_tol)
        result.failures += failures
        observations["concurrent calls"] = (k, py, first)
    if second_call:
        with configuration(configs[-1]):
            failures, k2, py2 = _second_call(module, program, kernel, first, second, min_tol)
        result.failures += failures
        observations["second call"] = (k2, py2, second)
    result.failures = [_conditioning(f, observations, module, min_tol)
                       for f in result.failures]
    result.status = "fail" if _failing(result.failures) else "pass"
    return result


def _conditioning(failure: Failure, observations: dict, module, min_tol: float) -> Failure:
    """A value or NaN failure explained by the conditioning of Python's own result becomes an
    'ill-conditioned' note."""
    if failure.category not in ("value", "nan") or failure.config not in observations:
        return failure
    k, py, args = observations[failure.config]
    if k.kind != "ok" or py.kind != "ok":
        return failure
    moved = [_nudged_python(module, args, direction) for direction in (np.inf, -np.inf)]
    if all(m is not None for m in moved) and _within_conditioning(k.value, py.value, moved,
                                                                  min_tol):
        return Failure("ill-conditioned", failure.config, failure.detail)
    return failure


# NumPy functions a kernel may compute an ulp away from NumPy (its own vectorised math)
NUDGED = ("exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan",
          "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh",
          "arctanh", "arctan2", "hypot", "cbrt", "power", "sqrt")


class _NudgedNumPy:
    """`numpy` whose NUDGED functions round their float results one ulp towards
    `direction`: the plain function run with it shows how far an ulp inside moves the
    result."""

    def __init__(self, direction: float):
        self._direction = direction

    def __getattr__(self, name):
        value = getattr(np, name)
        if name not in NUDGED:
            return value
        direction = self._direction

        def nudged(*args, **kwargs):
            out = value(*args, **kwargs)
            kind = np.asarray(out).dtype.kind
            if kind == "f":
                return np.nextafter(out, np.asarray(direction, np.asarray(out).dtype))
            return out
        return nudged


def _nudged_python(module, args, direction: float):
    """The plain function's result with NUDGED functions one ulp off (None if it then fails
    or takes too long)."""
    saved = module.np
    module.np = _NudgedNumPy(direction)
    try:
        with time_limit(PYTHON_SECONDS, _PythonTooSlow), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            moved = observe(module.f, args(), record_warnings=False)
    except _PythonTooSlow:
        return None
    finally:
        module.np = saved
    return moved.value if moved.kind == "ok" else None


def _within_conditioning(got, expected, moved: list, min_tol: float) -> bool:
    """Whether every float element where `got` differs from Python's `expected` is one where
    Python's own result, with its math one ulp off (`moved`), moves at least a hundredth as
    far: a kernel whose vectorised exp, tanh, ... is an ulp off NumPy's then differs by as
    much, and that is not a wrong value. Other differences (dtype, shape, integers) are."""
    if isinstance(expected, (tuple, list)):
        return isinstance(got, type(expected)) and len(got) == len(expected) and all(
            isinstance(m, type(expected)) and len(m) == len(expected) for m in moved) and all(
                _within_conditioning(g, e, [m[i] for m in moved], min_tol)
                for i, (g, e) in enumerate(zip(got, expected)))
    g, e = np.asarray(got), np.asarray(expected)
    ms = [np.asarray(m) for m in moved]
    if e.dtype.kind not in "fc" or g.dtype != e.dtype or g.shape != e.shape or \
            any(m.shape != e.shape for m in ms):
        return value_difference(got, expected, min_tol=min_tol) is None
    tol = max(_tolerance(e.dtype), min_tol)
    with np.errstate(all="ignore"):
        bad = ~np.isclose(g, e, rtol=tol, atol=tol, equal_nan=True)
        k_off = np.nan_to_num(np.abs(g - e), nan=np.inf)
        m_off = np.max([np.nan_to_num(np.abs(m - e), nan=np.inf) for m in ms], axis=0)
        nan_moved = np.any([np.isnan(m) != np.isnan(e) for m in ms], axis=0)
        return bool(np.all(~bad | nan_moved | (k_off <= 100 * m_off + tol)))


def _failing(failures: list[Failure]) -> bool:
    return any(f.category not in NOTES for f in failures)


def _concurrent(kernel, first, py: Observation,
                min_tol: float) -> tuple[list[Failure], Observation]:
    """CONCURRENT_CALLS threads call the kernel at once; each must match Python. Returns the
    first failure and its observation."""
    observations: list = [None] * CONCURRENT_CALLS
    barrier = threading.Barrier(CONCURRENT_CALLS)
    argsets = [first() for _ in range(CONCURRENT_CALLS)]

    def call(i):
        barrier.wait()
        observations[i] = observe(kernel, argsets[i], record_warnings=False)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        threads = [threading.Thread(target=call, args=(i,)) for i in range(CONCURRENT_CALLS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    for obs in observations:
        failures = compare(py, obs, "concurrent calls", check_warnings=False, parallel=True,
                           min_tol=min_tol)
        if failures:
            return failures[:1], obs
    return [], observations[0]


def _second_call(module, program: Program, kernel, first, second,
                 min_tol: float) -> tuple[list[Failure], Observation, Observation]:
    """Call twice (the second time with other arguments and globals); the first result must
    not change, and the second must match Python's with the new globals. Returns the failures
    and the second call's observations (kernel, Python)."""
    failures = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        k1 = observe(kernel, first(), record_warnings=False)
        snapshot = copy.deepcopy(k1.value) if k1.kind == "ok" else None
        for name, value in program.global_update.items():
            setattr(module, name, value)
        py2 = observe(module.f, second(), record_warnings=False)
        k2 = observe(kernel, second(), record_warnings=False)
    failures += compare(py2, k2, "second call", check_warnings=False, parallel=True,
                        min_tol=min_tol)
    if k1.kind == "ok":
        d = _bitwise_difference(k1.value, snapshot)
        if d:
            failures.append(Failure("result overwritten", "second call", d))
    return failures, k2, py2


def _bitwise_difference(got, snapshot, path="result") -> str | None:
    if isinstance(snapshot, (tuple, list)):
        for i, (g, s) in enumerate(zip(got, snapshot)):
            d = _bitwise_difference(g, s, f"{path}[{i}]")
            if d:
                return d
        return None
    if isinstance(snapshot, np.ndarray) and not np.array_equal(
            got, snapshot, equal_nan=snapshot.dtype.kind in "fc"):
        return f"{path} changed from {_short(snapshot)} to {_short(got)}"
    return None


# ------------------------------------------------------------------------ refusals by construct
def refusal_construct(message: str) -> str:
    """A CompileError message without its specifics (names, types, numbers): the construct."""
    text = re.sub(r"'[^']*'", "'…'", message)
    text = re.sub(r"\b(bool|int|float|complex|[iuf]\d+|c\d+)\[[^\]]*\]", "T[…]", text)
    text = re.sub(r"\b(tuple|list)<[^>]*>", r"\1<…>", text)
    text = re.sub(r"\b(bool|int|float|complex|[iuf]\d+|c\d+)\b", "T", text)
    text = re.sub(r"\d+", "N", text)
    return text[:120]


def describe_inputs(program: Program) -> str:
    lines = []
    for spec, a in zip(program.specs, program.first_args()):
        lines.append(f"{spec.name} = {describe_arg(a)}")
    return "\n".join(lines)


# ------------------------------------------------------------------------ where a failure comes from
def blame(program: Program, category: str, config: str, source: str | None = None) -> str:
    """Which part of phylanx a failure comes from: the oracle (a pure-NumPy evaluator) on the
    unoptimized IR tells the frontend from the rest; the runtime without passes tells the
    runtime from the optimizer; the default pipeline without one pass names that pass."""
    from phylanx import oracle
    from phylanx.compiler import compile_function
    from phylanx.passes.manager import DEFAULT_PIPELINE

    source = source or program.source
    configs = (config,) if config in CONFIGS else CONFIGS[-1:]
    options = {"configs": configs, "concurrent": config == "concurrent calls",
               "second_call": config == "second call", "source": source}

    def fails(passes: str | None) -> bool:
        return category in check_program(program, passes=passes, **options).categories

    if config not in ("compile", "second call") and category != "warnings":
        module = load(source, f"{program.seed}o")
        py = observe(module.f, program.first_args())
        from phylanx.kernel import Kernel

        k = Kernel(module.f)
        with contextlib.suppress(Exception):   # refused, or not evaluable: try the rest
            ir = compile_function(module.f, list(k._types(program.first_args())))
            got = observe(lambda *a: oracle.evaluate(ir, *a), program.first_args())
            floor = precision_floor(program, source)
            if any(f.category == category for f in compare(py, got, "oracle",
                                                            check_warnings=False,
                                                            min_tol=floor)):
                return "frontend (the oracle on the unoptimized IR differs from Python too)"
    if fails(""):
        return "frontend or runtime (fails with no optimizer pass)"
    names = list(dict.fromkeys(DEFAULT_PIPELINE.split(",")))
    for name in names:
        pipeline = ",".join(p for p in DEFAULT_PIPELINE.split(",") if p != name)
        if not fails(pipeline):
            return f"pass '{name}' (the default pipeline without it does not fail)"
    return "optimizer passes (fails with the default pipeline, not without passes; no single " \
        "pass removed fixes it)"
