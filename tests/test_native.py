"""The native tier (phylanx.native): generated C against Python/NumPy, tiering and the cache."""

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import phylanx
from phylanx import native
from phylanx.native import cache as build

INT_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
FLOAT_DTYPES = [np.float32, np.float64]


@pytest.fixture(autouse=True)
def forced(monkeypatch, tmp_path):
    monkeypatch.setenv("PHYLANX_NATIVE", "force")
    monkeypatch.setenv("PHYLANX_NATIVE_CACHE", str(tmp_path / "cache"))


def _copy(args):
    return [a.copy() if isinstance(a, np.ndarray) else a for a in args]


def _outcome(f, args):
    """(result or exception class, warning categories, arguments after the call)."""
    args = _copy(args)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = f(*args)
        except Exception as e:  # noqa: BLE001 - the exception class is compared
            result = type(e)
    return result, sorted({w.category.__name__ for w in caught}), args


def _same(a, b):
    if isinstance(a, type) or isinstance(b, type):
        return a is b
    if isinstance(a, tuple):
        return type(b) is tuple and len(a) == len(b) and all(map(_same, a, b))
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, (float, np.floating)):
        return (np.isnan(a) and np.isnan(b)) or (a == b and np.signbit(a) == np.signbit(b))
    return a == b


def check(k, *args, native_ran=True):
    """k(*args) returns, raises, warns and mutates as the plain function; and the native
    entry ran the call itself (native_ran) or handed it to the interpreter."""
    values = k._bind(args, {})
    compiled = k.compile(k._types(values))
    assert compiled.native_state.status == "ready", compiled.native_state.reason
    direct = compiled.native(*_copy(values))
    assert (direct is not NotImplemented) == native_ran
    expected, got = _outcome(k.py_func, args), _outcome(k, args)
    assert _same(got[0], expected[0]), (got[0], expected[0])
    assert got[1] == expected[1]
    for a, b in zip(got[2], expected[2]):
        assert _same(a, b)


# --- scalars and control flow --------------------------------------------------------------

@phylanx.kernel
def half_sum(n):
    s = 0.0
    for i in range(n):
        s = s + i * 0.5
    return s


@pytest.mark.parametrize("n", [0, 1, 7, 1000])
def test_scalar_loop(n):
    check(half_sum, n)


@phylanx.kernel
def accumulate(x, n):
    s = x
    for i in range(n):
        s = s + x
    return s


@pytest.mark.parametrize("dtype", INT_DTYPES + FLOAT_DTYPES)
def test_every_dtype(dtype):
    check(accumulate, dtype(3), 5)
    check(accumulate, dtype(3), 0)


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_numpy_integer_overflow_warns_as_numpy(dtype):
    big = np.iinfo(dtype).max // 2 + 1
    check(accumulate, dtype(big), 2, native_ran=False)


@phylanx.kernel
def triple(n):
    s = 1
    for i in range(n):
        s = s * 3
    return s


def test_python_int_beyond_64_bits():
    check(triple, 20)
    check(triple, 60, native_ran=False)  # an unbounded Python int: the interpreter runs it


@phylanx.kernel
def steps(lo, hi, step):
    s = 0
    k = 0
    for i in range(lo, hi, step):
        if i % 3 == 0:
            continue
        if k > 50:
            break
        s = s + i
        k += 1
    return s, k


@pytest.mark.parametrize("lo, hi, step", [(0, 20, 1), (20, -7, -3), (5, 5, 1), (-9, 40, 4),
                                          (2**63 - 7, 2**63 - 1, 5), (3, 1, 1)])
def test_range_break_continue(lo, hi, step):
    check(steps, lo, hi, step)


def test_range_step_zero():
    check(steps, 0, 5, 0, native_ran=False)


@phylanx.kernel
def divmods(a, b):
    return a // b, a % b, a / b


@pytest.mark.parametrize("a, b", [(7, 2), (-7, 2), (7, -2), (-7, -2), (0, 3), (-2**63, 3),
                                  (2**53 + 1, 1)])
def test_python_int_division(a, b):
    check(divmods, a, b, native_ran=abs(a) <= 2**53)


@pytest.mark.parametrize("a, b", [(7.5, 2.0), (-7.5, 2.0), (7.5, -2.0), (-0.0, 3.0),
                                  (1e300, 1e-300), (5.0, float("inf"))])
def test_python_float_division(a, b):
    check(divmods, a, b, native_ran=np.isfinite(a / b) if b else False)


@pytest.mark.parametrize("a, b", [(7, 0), (7.0, 0.0), (0.0, 0.0)])
def test_division_by_zero_raises(a, b):
    check(divmods, a, b, native_ran=False)


@pytest.mark.parametrize("dtype", INT_DTYPES + FLOAT_DTYPES)
def test_numpy_division(dtype):
    check(divmods, dtype(7), dtype(3))
    check(divmods, dtype(7), dtype(0), native_ran=False)   # warns, as NumPy
    if np.dtype(dtype).kind != "u":
        check(divmods, dtype(-7), dtype(2))
        if np.dtype(dtype).kind == "i":
            low = np.iinfo(dtype).min
            check(divmods, dtype(low), dtype(-1), native_ran=False)


@phylanx.kernel
def quotient(a, b):
    return a / b


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_python_int_out_of_the_numpy_operand_range(dtype):
    # NEP 50: the Python int takes the NumPy operand's dtype, and raises OverflowError if it
    # does not fit, even where the result is a float (true division)
    fits = np.iinfo(dtype).max >= 300 and np.dtype(dtype).kind == "i"
    check(quotient, dtype(1), 300 if np.iinfo(dtype).max < 300 else -1, native_ran=fits)
    check(quotient, dtype(100), 3)
    check(quotient, 3, dtype(100))


def test_errstate_raise():
    with np.errstate(divide="raise"):
        check(divmods, np.float64(1.0), np.float64(0.0), native_ran=False)
    with np.errstate(all="ignore"):
        check(divmods, np.float64(1.0), np.float64(0.0), native_ran=False)


@phylanx.kernel
def compares(a, b):
    s = 0
    if a < b:
        s += 1
    if a <= b:
        s += 2
    if a == b:
        s += 4
    if a != b:
        s += 8
    if a > b:
        s += 16
    if not a >= b:
        s += 32
    return s


@pytest.mark.parametrize("a, b", [(1, 2.5), (2**53 + 1, float(2**53)), (float("nan"), 1.0),
                                  (np.int8(-1), 300), (np.uint8(200), -1), (np.float32(0.1), 0.1),
                                  (np.int64(2**62), np.float64(2.0**62)), (True, 1)])
def test_comparisons(a, b):
    check(compares, a, b, native_ran=not (type(a) is int and abs(a) > 2**53)
          and not (isinstance(a, np.integer) and type(b) is int
                   and not np.iinfo(type(a)).min <= b <= np.iinfo(type(a)).max))


@phylanx.kernel
def mandelbrot(w, h, maxit):
    out = np.zeros((h, w), dtype=np.int64)
    for y in range(h):
        for x in range(w):
            cr = -2.0 + 3.0 * x / w
            ci = -1.5 + 3.0 * y / h
            zr = 0.0
            zi = 0.0
            k = 0
            while k < maxit:
                if zr * zr + zi * zi > 4.0:
                    break
                t = zr * zr - zi * zi + cr
                zi = 2.0 * zr * zi + ci
                zr = t
                k += 1
            out[y, x] = k
    return out


def test_mandelbrot():
    check(mandelbrot, 37, 23, 50)
    check(mandelbrot, 0, 3, 10)


# --- arrays --------------------------------------------------------------------------------

@phylanx.kernel
def shift_add(a, i):
    a[i] = a[i - 1] + 1
    b = np.empty(3)
    b[0] = a[-1] // 2
    b[1] = a[i]
    b[2] = len(a) + a.size
    return b, a[i] % 3


def test_array_reads_and_writes():
    check(shift_add, np.arange(5), 2)
    check(shift_add, np.arange(5), -2)          # negative indexes wrap
    check(shift_add, np.arange(10)[::-3], 1)    # strided, reversed


@pytest.mark.parametrize("i", [5, -6, 2**40])
def test_index_out_of_bounds(i):
    check(shift_add, np.arange(5), i, native_ran=False)


@phylanx.kernel
def write_then_fail(a, i):
    a[0] = a[0] + 1
    a[i] = 7
    return a[0]


def test_partial_write_before_index_error():
    # the native call bails after incrementing a[0]; the argument is restored, then the
    # interpreter increments a[0] once and raises, as Python does
    a = np.arange(4)
    check(write_then_fail, a, 9, native_ran=False)
    with pytest.raises(IndexError, match="test_native.py"):
        write_then_fail(a, 9)
    assert a[0] == 1


@phylanx.kernel
def transpose_into(a):
    out = np.zeros((a.shape[1], a.shape[0]), dtype=np.float32)
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            out[j, i] = a[i, j] * 2
            a[i, j] = -a[i, j]
    return out


@pytest.mark.parametrize("dtype", [np.int16, np.float64, np.float32, np.uint8])
def test_2d(dtype):
    a = np.arange(24, dtype=dtype).reshape(4, 6)
    if np.dtype(dtype).kind == "u":
        with pytest.raises(native.Unsupported, match="negation of unsigned"):
            transpose_into.c_source(a)
        return
    check(transpose_into, a)
    check(transpose_into, a[::2, ::-2])
    check(transpose_into, np.asfortranarray(a))


@phylanx.kernel
def fill(n, m, v):
    out = np.empty((n, m), dtype=np.int8)
    for i in range(n):
        for j in range(m):
            out[i, j] = v
    return out


def test_creation():
    check(fill, 3, 4, 5)
    check(fill, 3, 4, 300, native_ran=False)   # a Python int out of int8's range
    check(fill, -1, 4, 5, native_ran=False)    # negative dimensions


# --- what stays on the interpreter ---------------------------------------------------------

@phylanx.kernel
def array_sum(a):
    return np.sum(a * 2.0)


def test_unsupported_stays_interpreted():
    a = np.ones(4)
    assert array_sum(a) == 8.0
    state = array_sum.compile(array_sum._types((a,))).native_state
    assert state.status == "unsupported"
    assert "test_native.py" in state.reason
    with pytest.raises(native.Unsupported):
        array_sum.c_source(a)
    assert "tier: interpreter: not translated to C" in str(array_sum.explain(a))
    with phylanx.profile() as prof:
        array_sum(a)
    assert prof.calls[-1].tier.startswith("interpreter: not translated")


@phylanx.kernel
def first_as_complex(a):
    return np.complex128(a[0])


def test_complex_stays_interpreted():
    a = np.arange(3)
    assert first_as_complex(a) == np.complex128(0)
    state = first_as_complex.compile(first_as_complex._types((a,))).native_state
    assert state.status == "unsupported" and "c128" in state.reason


def test_mode_off(monkeypatch):
    monkeypatch.setenv("PHYLANX_NATIVE", "0")

    @phylanx.kernel
    def f(n):
        return n + 1

    assert f(1) == 2
    state = f.compile("int").native_state
    assert state.status == "off" and f.compile("int").native is None


def test_background_compile(monkeypatch):
    monkeypatch.setenv("PHYLANX_NATIVE", "1")

    @phylanx.kernel
    def f(n):
        return n * 2 + 1

    assert f(3) == 7           # the interpreter (or native code, if the compile was quick)
    compiled = f.compile("int")
    assert compiled.native_state.wait(120)
    assert compiled.native_state.status == "ready"
    assert compiled.native(4) == 9 and f(5) == 11


def test_missing_compiler(monkeypatch, capsys):
    monkeypatch.setenv("CC", "/nonexistent/cc")
    monkeypatch.setattr(native, "_noticed_missing", False)
    build.compiler.cache_clear()
    build._environment_fingerprint.cache_clear()
    try:
        @phylanx.kernel
        def f(n):
            return n - 1

        assert f(3) == 2 and f(2.5) == 1.5
        assert f.compile("int").native_state.status == "failed"
        assert capsys.readouterr().err.count("no C compiler found") == 1
    finally:
        build.compiler.cache_clear()
        build._environment_fingerprint.cache_clear()


# --- the disk cache ------------------------------------------------------------------------

def _entries(folder):
    return sorted(os.listdir(folder))


def test_cache_reuse_and_change(tmp_path):
    folder = str(tmp_path / "cache")

    def make(c):
        @phylanx.kernel
        def g(n):
            return n + c
        return g

    first = make(1)
    assert first(1) == 2
    assert first.compile("int").native_state.compiled_now
    again = make(1)               # same PhySL: loaded from the cache
    assert again(1) == 2 and not again.compile("int").native_state.compiled_now
    changed = make(2)              # another constant: another key, compiled
    assert changed(1) == 3 and changed.compile("int").native_state.compiled_now
    assert len([e for e in _entries(folder) if e.endswith(".so")]) == 2
    assert all(e.endswith(".so") for e in _entries(folder))   # no temporary files left


@pytest.mark.parametrize("damage", ["garbage", "foreign"])
def test_corrupt_or_foreign_entry_is_rebuilt(tmp_path, damage):
    folder = tmp_path / "cache"

    @phylanx.kernel
    def g(n):
        return n * 7

    @phylanx.kernel
    def other(n):
        return n * 5

    assert g(2) == 14 and other(2) == 10
    mine = folder / (build.cache_key(str(g.compile("int").module)) + ".so")
    theirs = folder / (build.cache_key(str(other.compile("int").module)) + ".so")
    # a new file (this process has the old one mapped: writing into it would change code
    # that is loaded)
    mine.unlink()
    if damage == "garbage":
        mine.write_bytes(b"\x7fELF not really a library")
    else:
        mine.write_bytes(theirs.read_bytes())

    @phylanx.kernel
    def g(n):  # the same kernel, compiled afresh
        return n * 7

    assert g(3) == 21
    state = g.compile("int").native_state
    assert state.status == "ready" and state.compiled_now


_CONCURRENT = """
import sys
import phylanx

@phylanx.kernel
def h(n):
    s = 0
    for i in range(n):
        s = s + i * 3
    return s

assert h(100) == sum(i * 3 for i in range(100))
assert h.compile("int").native_state.status == "ready", h.compile("int").native_state.reason
print("ok")
"""


def test_two_processes_compile_at_once(tmp_path):
    script = tmp_path / "concurrent_kernel.py"
    script.write_text(_CONCURRENT)
    env = dict(os.environ, PHYLANX_NATIVE="force",
               PHYLANX_NATIVE_CACHE=str(tmp_path / "shared"))
    procs = [subprocess.Popen([sys.executable, str(script)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        assert out.strip() == "ok"
    assert _entries(tmp_path / "shared") == [e for e in _entries(tmp_path / "shared")
                                             if e.endswith(".so")]
    assert len(_entries(tmp_path / "shared")) == 1
