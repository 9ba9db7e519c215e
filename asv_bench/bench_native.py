"""The native tier against the interpreter and CPython: a scalar loop and a per-pixel
Mandelbrot. `python asv_bench/bench_native.py` prints the figures of docs/native.md;
`python asv_bench/bench_native.py numba` (in an environment with Numba) times the same
functions under `numba.njit`."""

from __future__ import annotations

import os
import time
from typing import ClassVar

import numpy as np


def half_sum(n):
    s = 0.0
    for i in range(n):
        s = s + i * 0.5
    return s


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


CASES = {"half_sum": (half_sum, (10**7,)), "mandelbrot": (mandelbrot, (500, 500, 100))}


def on_tier(func, args, tier: str):
    """`func` as a kernel compiled (for `args`) with PHYLANX_NATIVE=`tier`."""
    import phylanx

    saved = os.environ.get("PHYLANX_NATIVE")
    os.environ["PHYLANX_NATIVE"] = tier
    try:
        k = phylanx.kernel(func)
        k.compile(k._types(args))
    finally:
        if saved is None:
            del os.environ["PHYLANX_NATIVE"]
        else:
            os.environ["PHYLANX_NATIVE"] = saved
    return k


class NativeTier:
    """The native tier (compiled before the first call) against the plain function."""

    params = (["half_sum", "mandelbrot"],)
    param_names = ("kernel",)
    timeout = 600
    sizes: ClassVar[dict] = {"half_sum": (10**6,), "mandelbrot": (100, 100, 100)}

    def setup(self, name):
        self.func = CASES[name][0]
        self.args = self.sizes[name]
        self.k = on_tier(self.func, self.args, "force")
        self.k(*self.args)

    def time_phylanx(self, name):
        self.k(*self.args)

    def time_numpy(self, name):
        self.func(*self.args)


def _best(f, args, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        f(*args)
        times.append(time.perf_counter() - t0)
    return min(times)


def main_numba() -> None:
    import numba

    for name, (func, args) in CASES.items():
        jitted = numba.njit(func)
        assert np.array_equal(jitted(*args), func(*args)) if name == "mandelbrot" else True
        print(f"{name}{args}: numba {numba.__version__} {_best(jitted, args, 5) * 1e3:.1f} ms")


def main() -> None:
    for name, (func, args) in CASES.items():
        native = on_tier(func, args, "force")
        interp = on_tier(func, args, "0")
        assert np.array_equal(native(*args), func(*args))
        rows = [("native", _best(native, args, 5)), ("interpreter", _best(interp, args, 1)),
                ("CPython", _best(func, args, 1))]
        print(f"{name}{args}: " + ", ".join(f"{t} {s * 1e3:.1f} ms" for t, s in rows))


if __name__ == "__main__":
    import sys

    main_numba() if sys.argv[1:] == ["numba"] else main()
