"""Test helpers: run a kernel on the runtime and the oracle and compare with plain Python.

`check_kernel(func, *args)` is what the test suite uses for every kernel:
  1. compiles `func` for the argument types and checks the PhySL text round trip
     (print(parse(print(m))) == print(m)) and that the parsed module verifies;
  2. runs it on the runtime (the product path) and on the oracle evaluator, the latter also
     after each single pass of the default optimizer pipeline;
  3. runs `func` itself as plain Python/NumPy;
  4. asserts all results (and any arguments the code mutates) are equal: exact for integers
     and booleans, allclose with NaN positions equal for floats, same dtypes and shapes.
"""

from __future__ import annotations

import copy

import numpy as np

from phylanx.ir.parser import parse_physl
from phylanx.ir.printer import print_module
from phylanx.ir.verifier import verify_module
from phylanx.kernel import Kernel
from phylanx.oracle import evaluate


def assert_same(got, expected, rtol: float = 1e-10, atol: float = 1e-12, path: str = "result"):
    """Recursive equality with NumPy semantics (see module docstring)."""
    if isinstance(expected, (tuple, list)):
        assert isinstance(got, (tuple, list)), f"{path}: expected a sequence, got {type(got)}"
        assert type(got) is type(expected), f"{path}: {type(got)} != {type(expected)}"
        assert len(got) == len(expected), f"{path}: length {len(got)} != {len(expected)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            assert_same(g, e, rtol, atol, f"{path}[{i}]")
        return
    if expected is None:
        assert got is None, f"{path}: expected None, got {got!r}"
        return
    g, e = np.asarray(got), np.asarray(expected)
    assert g.dtype == e.dtype, f"{path}: dtype {g.dtype} != {e.dtype}"
    assert g.shape == e.shape, f"{path}: shape {g.shape} != {e.shape}"
    assert isinstance(got, np.ndarray) == isinstance(expected, np.ndarray), \
        f"{path}: array vs scalar: {type(got).__name__} != {type(expected).__name__}"
    if e.dtype.kind in "fc":
        np.testing.assert_allclose(g, e, rtol=rtol, atol=atol, equal_nan=True, err_msg=path)
    else:
        np.testing.assert_array_equal(g, e, err_msg=path)


def check_roundtrip(module) -> str:
    text = print_module(module)
    again = parse_physl(text)
    verify_module(again)
    assert print_module(again) == text, "PhySL round trip changed the text"
    assert print_module(parse_physl(print_module(module, locations=False)),
                        locations=False) == print_module(module, locations=False)
    return text


def check_kernel(func, *args, rtol: float = 1e-10, atol: float = 1e-12, oracle: bool = True,
                 runtime: bool = True, each_pass: bool = True, **kwargs):
    """Compile `func`, run it every way, compare with Python. Returns the kernel's result."""
    k = func if isinstance(func, Kernel) else Kernel(func)
    py_args = copy.deepcopy(args)
    py_kwargs = copy.deepcopy(kwargs)
    expected = k.py_func(*py_args, **py_kwargs)
    values = k._bind(args, kwargs)
    compiled = k.compile(k._types(values))
    check_roundtrip(compiled.module)
    result = None
    if oracle:
        o_args = copy.deepcopy(values)
        hidden = copy.deepcopy(compiled.hidden_arguments())  # arrays read from globals
        got = evaluate(parse_physl(print_module(compiled.module)), *o_args, *hidden)
        assert_same(got, expected, rtol, atol, "oracle result")
        _check_args(o_args, k, py_args, py_kwargs, rtol, atol, "oracle")
        result = got
        if each_pass:
            _check_each_pass(compiled, values, expected, k, py_args, py_kwargs, rtol, atol)
    if runtime:
        r_args = copy.deepcopy(values)
        got = compiled.run(r_args)
        assert_same(got, expected, rtol, atol, "runtime result")
        _check_args(r_args, k, py_args, py_kwargs, rtol, atol, "runtime")
        result = got
    return result


def _check_each_pass(compiled, values, expected, k, py_args, py_kwargs, rtol, atol):
    """The oracle's result after every single pass of the default pipeline equals Python's."""
    from phylanx.passes import DEFAULT_PIPELINE, run_pipeline

    source = getattr(compiled, "unoptimized", compiled.module)
    for name in dict.fromkeys(DEFAULT_PIPELINE.split(",")):
        module = run_pipeline(source, name).module
        args = copy.deepcopy(values)
        hidden = copy.deepcopy(compiled.hidden_arguments())
        assert_same(evaluate(module, *args, *hidden), expected, rtol, atol, f"oracle after pass {name}")
        _check_args(args, k, py_args, py_kwargs, rtol, atol, f"oracle after pass {name}")


def _check_args(values, k, py_args, py_kwargs, rtol, atol, who):
    bound = k._bind(py_args, py_kwargs)
    for name, got, expected in zip(k.signature.parameters, values, bound):
        if isinstance(expected, np.ndarray):
            assert_same(got, expected, rtol, atol, f"{who}: argument '{name}' after the call")
