"""Ops the optimizer creates (phylanx.passes): transposed products and fused computations.

    %p = matmul_t %a, %b {transpose_a = true} : f64[?]
            a.T @ b (or a @ b.T, a.T @ b.T) read through BLAS transpose flags: no copy of a.T
    %r, %s = fused %in... : f64[?], f64[?] body(%x: f64, %alpha: float, ...) {
                ... scalar elementwise ops ... yield %r_elem, %s_elem }
            one pass over the broadcast inputs; the body is the computation of one element
    %t = fused_reduce %in... {reduce = sum} : f64 body(%x: f64, ...) { ... yield %e }
            reduce(body(in...)) for the reduction named by `reduce` (its attributes alongside)
    %g = matvec_pair %X, %w, %in... : f64[?] body(%z: f64, %y: f64, ...) { ... yield %e }
            X.T @ f(X @ w, in...) reading each row block of X once:
            for each row i: z = X[i] . w;  g += X[i] * f(z, in[i]...)

Block arguments of a body stand for one element of each operand: the dtype's NumPy scalar type
for an array operand, the operand's own type for a scalar (Python scalars stay weak, so NEP 50
promotion inside the body is the one of the unfused program). Bodies hold only `const` and pure
elementwise ops. The declaration's `evaluate(op, values) -> list of results` is the NumPy
reference (used by the oracle and by the runtime's fallback): it runs the body ops' reference
implementations on whole arrays, which broadcast exactly as the unfused ops did.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from phylanx.analysis.raising import integer_gram
from phylanx.errors import note_origin
from phylanx.ir.core import Block, Op
from phylanx.ir.registry import REQUIRED, Attr, TypeRuleError, declare, lookup
from phylanx.ir.types import (
    ArrayType,
    ScalarType,
    Type,
    broadcast_shapes,
    dtype_of,
    refines,
)
from phylanx.ops._sample import infer_by_sample, shape_of
from phylanx.ops.linalg import matmul_shape

# --- matmul_t ----------------------------------------------------------------------------------


def _matmul_t(a, b, transpose_a=False, transpose_b=False):
    return np.matmul(a.T if transpose_a else a, b.T if transpose_b else b)


def _matmul_t_shape(types, attrs):
    shapes = []
    for t, flag, what in ((types[0], attrs.get("transpose_a"), "a"),
                          (types[1], attrs.get("transpose_b"), "b")):
        if not isinstance(t, ArrayType):
            raise TypeRuleError(f"matmul_t needs array operands, got {t}")
        if flag and t.rank != 2:
            raise TypeRuleError(f"matmul_t: transpose_{what} needs a 2-d operand, got {t}")
        shapes.append(t.shape[::-1] if flag else t.shape)
    return matmul_shape(*shapes)


_matmul_t_by_sample = infer_by_sample(_matmul_t, shape=_matmul_t_shape, check=_matmul_t_shape)


def _infer_matmul_t(types, attrs):
    return _matmul_t_by_sample(types, attrs)


declare("matmul_t", operands=("a", "b"),
        attrs=(Attr("transpose_a", False, "bool"), Attr("transpose_b", False, "bool")),
        infer=_infer_matmul_t,
        traits=("pure", "allocates", "matmul"), impl=_matmul_t, quiet_when=integer_gram,
        doc="Matrix product with transposed 2-d operands read in place (no transposed copy).")


# --- body evaluation ---------------------------------------------------------------------------

def element_type(t: Type) -> Type:
    """The block-argument type standing for one element of an operand of type `t`."""
    if isinstance(t, ArrayType):
        return ScalarType(t.dtype)
    return t


def evaluate_body(block: Block, values: list) -> list:
    """Run a body's ops on whole arrays (each op's reference implementation); the yielded."""
    env = dict(zip(block.args, values))
    for op in block.ops:
        if op.name == "yield":
            return [env[v] for v in op.operands]
        kwargs = dict(op.attrs)
        if op.decl.needs_result_types:
            kwargs["result_types"] = [r.type for r in op.results]
        try:
            env[op.results[0]] = op.decl.impl(*[env[v] for v in op.operands], **kwargs)
        except Exception as e:
            note_origin(e, op.loc, op.name)   # the kernel line of the body op, not the fused op
            raise
    raise RuntimeError(f"'{block.parent.name}' body does not end with 'yield'")


def _body_checks(op, body, operand_types) -> list:
    """Check block arguments and body ops; returns the yielded types."""
    if len(body.args) != len(operand_types):
        raise TypeRuleError(f"body takes {len(body.args)} arguments for "
                            f"{len(operand_types)} operands")
    for i, (a, t) in enumerate(zip(body.args, operand_types)):
        if a.type != element_type(t):
            raise TypeRuleError(f"body argument {i} is {a.type}, expected {element_type(t)}")
    for inner in body.ops[:-1]:
        ok = inner.name == "const" or (
            {"elementwise", "pure"} <= inner.decl.traits and not inner.regions)
        if not ok:
            raise TypeRuleError(f"'{inner.name}' is not allowed in a fused body")
    term = body.terminator
    if term is None or term.name != "yield":
        raise TypeRuleError("body does not end with 'yield'")
    return [v.type for v in term.operands]


def _broadcast_of(types) -> tuple:
    try:
        return broadcast_shapes(*[t.shape for t in types if isinstance(t, ArrayType)])
    except ValueError as e:
        raise TypeRuleError(str(e)) from None


def op_impl(op: Op) -> Callable:
    """A callable like a declaration's `impl` for one op with a body: f(*operand values)
    returns the result (or a tuple of results), computed by the declaration's `evaluate`."""
    evaluate = op.decl.evaluate

    def impl(*values):
        out = evaluate(op, list(values))
        return out[0] if len(out) == 1 else tuple(out)

    return impl


# --- fused -------------------------------------------------------------------------------------

def _dependencies(body) -> dict:
    """For each value of a body, the indices of the block arguments it is computed from."""
    deps = {a: {i} for i, a in enumerate(body.args)}
    for inner in body.ops:
        used = set().union(*[deps.get(v, set()) for v in inner.operands])
        for r in inner.results:
            deps[r] = used
    return deps


def _verify_fused(op, f, module) -> None:
    types = [v.type for v in op.operands]
    body = op.regions[0]
    yielded = _body_checks(op, body, types)
    if len(yielded) != len(op.results):
        raise TypeRuleError(f"body yields {len(yielded)} values for {len(op.results)} results")
    deps = _dependencies(body)
    for r, y, v in zip(op.results, yielded, body.terminator.operands):
        want = ArrayType(dtype_of(y), _broadcast_of([types[i] for i in sorted(deps[v])]))
        if not refines(r.type, want):
            raise TypeRuleError(f"result type {r.type} does not match {want}")


def _evaluate_fused(op, values) -> list:
    out = evaluate_body(op.regions[0], values)
    return [np.asarray(v) if isinstance(r.type, ArrayType) else v
            for r, v in zip(op.results, out)]


declare("fused", operands=("inputs*",), regions=("body",), traits=("pure", "allocates"),
        results=-1, verify=_verify_fused, evaluate=_evaluate_fused,
        doc="Elementwise ops fused into one pass over the inputs; results are the yields.")


# --- fused_reduce ------------------------------------------------------------------------------

_REDUCE_ATTRS = ("axis", "keepdims", "dtype", "ddof")


def reduce_attrs(op: Op) -> dict:
    """The attributes of a fused_reduce op that its reduction declares."""
    decl = lookup(op.attrs["reduce"])
    known = {a.name for a in decl.attrs}
    return {k: op.attrs[k] for k in _REDUCE_ATTRS if k in known}


def _verify_fused_reduce(op, f, module) -> None:
    try:
        decl = lookup(op.attrs["reduce"])
    except KeyError:
        raise TypeRuleError(f"unknown reduction '{op.attrs['reduce']}'") from None
    if "reduction" not in decl.traits or list(decl.operands) != ["a"]:
        raise TypeRuleError(f"'{decl.name}' is not a single-operand reduction")
    known = {a.name for a in decl.attrs}
    for k in _REDUCE_ATTRS:
        default = {"axis": None, "keepdims": False, "dtype": None, "ddof": 0}[k]
        if k not in known and op.attrs[k] != default:
            raise TypeRuleError(f"'{decl.name}' has no attribute '{k}'")
    types = [v.type for v in op.operands]
    body = op.regions[0]
    yielded = _body_checks(op, body, types)
    if len(yielded) != 1:
        raise TypeRuleError("body must yield one value")
    used = _dependencies(body)[body.terminator.operands[0]]
    mapped = ArrayType(dtype_of(yielded[0]), _broadcast_of([types[i] for i in sorted(used)]))
    (want,) = decl.result_types([mapped], reduce_attrs(op))
    if len(op.results) != 1 or not refines(op.results[0].type, want):
        raise TypeRuleError(f"result type does not match {want}")


def _evaluate_fused_reduce(op, values) -> list:
    (mapped,) = evaluate_body(op.regions[0], values)
    return [lookup(op.attrs["reduce"]).impl(np.asarray(mapped), **reduce_attrs(op))]


declare("fused_reduce", operands=("inputs*",), regions=("body",),
        attrs=(Attr("reduce", REQUIRED, "str"), Attr("axis", None, "axis"),
               Attr("keepdims", False, "bool"), Attr("dtype", None, "dtype"),
               Attr("ddof", 0, "int")),
        traits=("pure", "allocates"), verify=_verify_fused_reduce,
        evaluate=_evaluate_fused_reduce,
        doc="A reduction (attribute `reduce`) of fused elementwise ops, without the temporary.")


# --- matvec_pair -------------------------------------------------------------------------------

BLOCK_ROWS = 1024  # rows per block of the reference evaluation


def matvec_pair_type(x: Type, w: Type, f_type: Type) -> Type:
    """Result type of X.T @ f(X @ w) where f yields elements of type `f_type`."""
    if not (isinstance(x, ArrayType) and x.rank == 2 and isinstance(w, ArrayType)
            and w.rank == 1):
        raise TypeRuleError(f"matvec_pair needs a 2-d X and a 1-d w, got {x} and {w}")
    matmul_shape(x.shape, w.shape)
    fz = ArrayType(dtype_of(f_type), (x.shape[0],))
    return _infer_matmul_t([x, fz], {"transpose_a": True, "transpose_b": False})


def _verify_matvec_pair(op, f, module) -> None:
    x, w, *rest = [v.type for v in op.operands]
    if not (isinstance(x, ArrayType) and isinstance(w, ArrayType)):
        raise TypeRuleError("matvec_pair needs array operands X and w")
    z = infer_by_sample(np.matmul, shape=lambda ts, a: matmul_shape(*map(shape_of, ts)))(
        [x, w], {})
    for t in rest:
        if isinstance(t, ArrayType) and t.rank > 1:
            raise TypeRuleError(f"per-row operands must be 1-d or scalars, got {t}")
    yielded = _body_checks(op, op.regions[0], [z, *rest])
    if len(yielded) != 1:
        raise TypeRuleError("body must yield one value")
    want = matvec_pair_type(x, w, yielded[0])
    if len(op.results) != 1 or not refines(op.results[0].type, want):
        raise TypeRuleError(f"result type does not match {want}")


def _evaluate_matvec_pair(op, values) -> list:
    X, w, *rest = values
    body = op.regions[0]
    n = X.shape[0]
    if n <= BLOCK_ROWS or np.geterr()["under"] != "ignore":
        (fz,) = evaluate_body(body, [X @ w, *rest])
        return [X.T @ fz]
    if X.shape[1] != np.shape(w)[0]:
        np.matmul(X, w)  # raises NumPy's own error
    blocked = [np.broadcast_to(v, np.broadcast_shapes((n,), v.shape))
               if isinstance(v, np.ndarray) and v.ndim else v for v in rest]
    # The blocks' floating-point errors that the caller's np.errstate reports (any mode but
    # "ignore") are only noted here: whether there was one decides below.
    reported = {key: "call" for key, mode in np.geterr().items() if mode != "ignore"}
    raised = []
    with np.errstate(**reported, call=lambda kind, bits: raised.append(kind)):
        g = None
        for i in range(0, n, BLOCK_ROWS):
            rows = X[i:i + BLOCK_ROWS]
            part = [v[i:i + BLOCK_ROWS] if isinstance(v, np.ndarray) and v.ndim else v
                    for v in blocked]
            (fz,) = evaluate_body(body, [rows @ w, *part])
            g = rows.T @ fz if g is None else g + rows.T @ fz
    if raised:
        # NumPy's X.T @ f(X @ w) reports once per op, not once per block: run it, and it
        # reports. (The blocks raise every flag it raises, except underflows that another
        # grouping of the sums may give: with underflow reported, it ran above instead.)
        (fz,) = evaluate_body(body, [X @ w, *rest])
        return [X.T @ fz]
    return [g]


declare("matvec_pair", operands=("X", "w", "inputs*"), regions=("body",),
        traits=("pure", "allocates"), verify=_verify_matvec_pair, evaluate=_evaluate_matvec_pair,
        doc="X.T @ f(X @ w, inputs...) in one pass over the rows of X (f: the body).")
