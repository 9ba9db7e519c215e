"""The op declaration schema (phylanx.ir.registry): every field is typed and checked when the
declaring module is imported, and the frontend reads the Python bindings from it."""

from __future__ import annotations

import importlib.util
import textwrap

import numpy as np
import pytest

import phylanx
from phylanx.frontend.calls import bindings, function_key
from phylanx.frontend.expressions import BINARY_SYMBOLS, COMPARISON_SYMBOLS, UNARY_SYMBOLS
from phylanx.ir.registry import (
    OPS,
    Attribute,
    Method,
    NumpyFunction,
    Operator,
    all_ops,
    declare,
    op_table_markdown,
)


@pytest.fixture
def scratch_ops():
    """Names declared by a test are removed afterwards (phylanx's own ops are loaded first)."""
    before = set(all_ops())
    yield
    for name in set(OPS) - before:
        del OPS[name]


def _import_declarations(tmp_path, body: str):
    """Import a module that declares ops (as phylanx/ops/*.py do)."""
    path = tmp_path / "declarations.py"
    path.write_text("import numpy as np\n"
                    "from phylanx.ir.registry import *\n"
                    "from phylanx.ir.types import FLOAT\n\n" + textwrap.dedent(body))
    spec = importlib.util.spec_from_file_location("declarations", path)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))


def test_declare_rejects_an_unknown_key(scratch_ops):
    with pytest.raises(TypeError, match=r"'test.op': unknown declaration keys \['numpyy'\]"):
        declare("test.op", operands=("x",), impl=np.exp, numpyy=("exp",))
    assert "test.op" not in OPS


@pytest.mark.parametrize("body, error, message", [
    ('declare("test.t1", ("x",), impl=np.exp, bindings=(NumpyFunction("np.exq"),))',
     ValueError, "numpy has no attribute 'exq'|np has no attribute 'exq'"),
    ('declare("test.t2", ("x",), impl=np.exp, bindings=(NumpyFunction("np.linalg.sovle"),))',
     ValueError, "np.linalg has no attribute 'sovle'"),
    ('declare("test.t3", ("x",), impl=np.exp, bindings=(Method("sume"),))',
     ValueError, "np.ndarray has no such method"),
    ('declare("test.t4", ("x",), impl=np.exp, bindings=(Attribute("TT"),))',
     ValueError, "np.ndarray has no such attribute"),
    ('declare("test.t5", ("x",), impl=np.exp, bindings=(Attribute("sum"),))',
     TypeError, "is a method"),
    ('declare("test.t6", ("x", "y"), impl=np.add, bindings=(Operator("+++"),))',
     ValueError, "not a Python operator"),
    ('declare("test.t7", ("x",), impl=np.add, bindings=(Operator("<"),))',
     ValueError, "does not take 1 operands"),
    ('declare("test.t8", ("x",), impl=abs, bindings=(Builtin("abss"),))',
     ValueError, "no such builtin"),
    ('declare("test.t9", ("x",), impl=np.exp, traits=("puer",))',
     ValueError, "unknown traits"),
    ('declare("test.t10", ("x",), impl=np.exp, bindings=("np.exp",))',
     ValueError, "not a Binding"),
    ('declare("test.t11", ("x", "y"), impl=np.add, bindings=(NumpyFunction("np.exp"),))',
     ValueError, "bound to 'exp' already"),
    ('declare("test.t12", ("x",), impl=np.exp, bindings=(Method("dumps"),),\n'
     '        params=Params(aliases={"axis": "axes"}))',
     ValueError, "alias 'axis' -> 'axes'"),
    ('declare("test.t13", ("x",), impl=np.exp, bindings=(Method("dumps"),),\n'
     '        params=Params(("x", "y")))',
     ValueError, "not a permutation"),
    ('declare("test.t14", ("x",), impl=np.exp, bindings=(Method("dumps"),),\n'
     '        params=Params(defaults={"y": 0}))',
     ValueError, "not an operand"),
    ('declare("test.t15", ("x",), impl=np.exp, params=Params(packed="x"))',
     ValueError, "without a call binding"),
    ('declare("test.t16", ("x",), impl=np.exp, same_as="exq")',
     ValueError, "names no declared op"),
    ('declare("test.t17", ("x",), impl=np.exp, traits=("pure", "random"))',
     ValueError, "'pure' contradicts"),
    ('declare("test.t18", ("x",), regions=("body",), impl=np.exp)',
     ValueError, "needs evaluate="),
    ('declare("test.t19", ("x",), attrs=(Attr("axis", None, "axes"),), impl=np.exp)',
     ValueError, "unknown kind 'axes'"),
    ('declare("test.t20", ("x",), impl=np.exp, quiet_when=True)',
     ValueError, "quiet_when= must be callable"),
    ('from phylanx.analysis.raising import elementwise_quiet\n'
     'declare("test.t21", ("x",), impl=np.exp, quiet_when=elementwise_quiet(reals=True))',
     ValueError, "unknown operand classes"),
])
def test_a_typo_fails_at_import(tmp_path, scratch_ops, body, error, message):
    with pytest.raises(error, match=message):
        _import_declarations(tmp_path, body)
    assert not [n for n in OPS if n.startswith("test.t")]


def test_a_correct_declaration_imports(tmp_path, scratch_ops):
    _import_declarations(tmp_path, '''
        declare("test.ok", ("x",), impl=lambda x: x.base, infer=lambda ts, a: FLOAT,
                traits=("pure",), bindings=(Attribute("base"),), doc="x.base")
    ''')
    assert OPS["test.ok"].bindings == (Attribute("base"),)


def test_every_binding_is_indexed_for_the_frontend():
    index = bindings()
    for decl in all_ops().values():
        for b in decl.bindings:
            if isinstance(b, NumpyFunction):
                assert index.functions[function_key(b.target)] is decl
            elif isinstance(b, Method) and b.on is not np.ndarray:
                assert index.object_methods[(b.on, b.name)] is decl
            elif isinstance(b, Method):
                assert index.methods[b.name][0] is decl
            elif isinstance(b, Attribute):
                assert index.attributes[b.name][0] is decl
            elif isinstance(b, Operator):
                assert index.operators[(b.symbol, len(decl.operands))] is decl


def test_every_python_operator_is_bound():
    index = bindings()
    for symbol in [*BINARY_SYMBOLS.values(), *COMPARISON_SYMBOLS.values()]:
        assert (symbol, 2) in index.operators, symbol
    for symbol in UNARY_SYMBOLS.values():
        assert (symbol, 1) in index.operators, symbol


def test_attributes_lower_through_their_bindings():
    @phylanx.kernel
    def f(x, z):
        return x.T, x.size, z.real, z.imag, (2.5).real

    x = np.arange(6.0).reshape(2, 3)
    z = np.array([1 + 2j, 3 - 4j])
    got = f(x, z)
    want = (x.T, x.size, z.real, z.imag, 2.5)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
        assert type(g) is type(w)
    text = f.physl(x, z, stage="input")
    assert "transpose %x" in text and "size %x" in text and "real %z" in text


def test_size_of_known_extents_is_a_constant():
    @phylanx.kernel
    def f(x):
        y = np.array(((1.0, 2.0, 3.0), (4.0, 5.0, 6.0)))
        return y.size + np.size(y) + x.size

    x = np.ones(5)
    assert f(x) == 17
    text = f.physl(x, stage="input")
    assert text.count("= size ") == 1   # only x.size: y's extents are known


def test_op_table_has_a_bindings_column():
    table = op_table_markdown(native={"transpose"})
    assert table.splitlines()[0] == ("| op | operands | attributes | traits | runs | Python | "
                                     "what it does |")
    row = next(r for r in table.splitlines() if r.startswith("| `bitwise_or` |"))
    assert "`x \\| y`" in row
    row = next(r for r in table.splitlines() if r.startswith("| `transpose` |"))
    assert "`np.transpose()`" in row and "`x.transpose()`" in row and "`x.T`" in row
    assert "| native |" in row
    row = next(r for r in table.splitlines() if r.startswith("| `percentile` |"))
    assert "| NumPy fallback |" in row


def test_params_of_a_binding_bind_calls():
    assert all_ops()["clip"].params.aliases == {"min": "a_min", "max": "a_max"}

    @phylanx.kernel
    def f(x):
        return np.clip(x, max=2.0), x.clip(min=1.0)

    x = np.arange(4.0)
    got = f(x)
    np.testing.assert_array_equal(got[0], np.clip(x, max=2.0))
    np.testing.assert_array_equal(got[1], x.clip(min=1.0))


@pytest.mark.parametrize("call", [
    "np.sum(x, 0, None, True)",      # NumPy's 4th positional parameter is out, not keepdims
    "np.max(x, 0, True)",            # np.max(a, axis, out, keepdims)
    "x.var(0, None, 1)",             # x.var(axis, dtype, out, ddof)
    "x.min(0, True)",
    "np.median(x, 0, True)",
    "np.concatenate((x, x), 0, True)",   # np.concatenate(arrays, axis, out, *, dtype)
])
def test_a_positional_argument_numpy_binds_to_out_is_refused(tmp_path, call):
    path = tmp_path / "positional.py"
    path.write_text(f"import numpy as np\n\n\ndef f(x):\n    return {call}\n")
    spec = importlib.util.spec_from_file_location("positional", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    x = np.arange(6.0).reshape(2, 3)
    with pytest.raises((TypeError, ValueError)):
        module.f(x)      # NumPy takes the argument as `out`
    with pytest.raises(phylanx.CompileError, match="positional argument"):
        phylanx.kernel(module.f)(x)


def test_positional_arguments_numpy_takes_still_bind():
    @phylanx.kernel
    def f(x):
        return np.sum(x, 0, np.float32), x.max(1), np.var(x, 0, None), np.concatenate((x, x), 1)

    x = np.arange(6.0).reshape(2, 3)
    got = f(x)
    want = (np.sum(x, 0, np.float32), x.max(1), np.var(x, 0, None), np.concatenate((x, x), 1))
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
        assert g.dtype == w.dtype
