"""Where in a kernel's source a runtime error happened: the note (PEP 678) that
`Executable.run` adds to an exception escaping a node of the call.

The exception keeps its class and message; it gets exactly one note, with one traceback-like
entry per kernel frame, outermost first (the innermost frame, where the error happened, is
last, as in a Python traceback):

      File "model.py", line 12, col 9, in kernel 'f':
        c = a + b
            ^^^^^

Frames are the call sites of non-inlined calls, then the failing node. Without the source
line (a module written in PhySL), an entry names the op instead: `    op: list_get`. A node that runs several
source ops (a fused elementwise op, a native loop kernel) names the op inside it that raised when
it knows it: the evaluator records it with `phylanx.errors.note_origin`. The function name comes
from the source (the innermost `def` around the line, right for inlined helpers too), else from
the PhySL function. The caret spans the expression that starts at the op's column (the one of
the kind that makes such an op: `a + b` for add, `x[i]` for getitem, a call otherwise).

All of this runs only when a call fails: the source is parsed then (and cached per file).
"""

from __future__ import annotations

import ast
import linecache
import os
from functools import lru_cache

from phylanx.errors import ORIGIN_ATTRIBUTE

_CHAIN_ATTRIBUTE = "_phylanx_chain"   # (note, entries) of the note an inner kernel call added

# The kinds of source nodes an op comes from, most likely first; an op not listed comes from a
# call (np.exp(x), len(x), x.sum()) or an attribute (x.T). The widest node of the first kind
# found at the op's position gets the caret; ops made of several source nodes (fused) and
# positions with none of their kinds get the widest expression there.
_OPERATOR = ((ast.BinOp, ast.AugAssign),)
_NODES_OF = {
    **{name: _OPERATOR for name in (
        "add", "subtract", "multiply", "true_divide", "floor_divide", "remainder", "power",
        "matmul", "bitwise_and", "bitwise_or", "bitwise_xor", "left_shift", "right_shift")},
    **{name: ((ast.Compare,),) for name in (
        "less", "less_equal", "greater", "greater_equal", "equal", "not_equal")},
    **{name: ((ast.UnaryOp,),) for name in ("negative", "positive", "invert", "not")},
    **{name: ((ast.Subscript,),) for name in ("getitem", "setitem", "gather", "tuple_get",
                                              "list_get")},
    **{name: () for name in ("fused", "fused_reduce", "matvec_pair")},
}
_CALL = ((ast.Call,), (ast.Attribute,))


def add_kernel_note(exc: BaseException, ops: list) -> None:
    """Add the note to `exc`. ops: the IR ops of the failing node, then of the call sites
    from the innermost out. If `exc` already has such a note (a kernel call inside this one
    failed), that note is replaced by one with this call's frames in front."""
    if not ops:
        return
    node = ops[0]
    loc, name = node.loc, node.name
    origin = getattr(exc, ORIGIN_ATTRIBUTE, None)
    if origin is not None:
        loc, name = origin
        _drop_attribute(exc, ORIGIN_ATTRIBUTE)
    entries = [_entry(op.loc, op.name, _ir_function(op)) for op in reversed(ops[1:])]
    entries.append(_entry(loc, name, _ir_function(node)))
    inner = getattr(exc, _CHAIN_ATTRIBUTE, None)
    notes = getattr(exc, "__notes__", None)
    if inner is not None and isinstance(notes, list):
        old_note, inner_entries = inner
        entries += inner_entries
        notes[:] = [n for n in notes if n is not old_note]
    note = "\n".join(entries)
    try:
        exc.add_note(note)
        setattr(exc, _CHAIN_ATTRIBUTE, (note, entries))
    except (TypeError, AttributeError):   # __notes__ replaced by something else, no __dict__
        pass


def _drop_attribute(exc, name):
    try:
        delattr(exc, name)
    except AttributeError:
        pass


def _ir_function(op) -> str | None:
    """The name of the PhySL function around an IR op (None if it is detached)."""
    parent = op.parent
    while parent is not None:
        owner = parent.parent
        if owner is None or not hasattr(owner, "regions"):   # a Function (or nothing)
            return getattr(owner, "name", None)
        parent = owner.parent
    return None


def _entry(loc, op_name: str, ir_function: str | None) -> str:
    """One frame: the File line, and the source line with a caret under the op."""
    file, line, col = loc.file, loc.line, loc.col - 1     # Location.col is 1-based
    text = linecache.getline(file, line).rstrip("\r\n") if line > 0 else ""
    facts = _source_facts(file, line, max(col, 0), op_name) if text else None
    function = (facts[0] if facts and facts[0] else None) or ir_function or "?"
    head = f'  File "{file}", line {line}, col {loc.col}, in kernel \'{function}\':'
    if not text.strip():     # no source (a module written in PhySL): name the op instead
        return f"{head}\n    op: {op_name}"
    stripped = text.lstrip()
    indent = len(text) - len(stripped)
    start, end = (facts[1], facts[2]) if facts else (_chars(text, col), None)
    if end is None or end <= start:
        end = start + 1
    start, end = max(start, indent), min(end, len(text))
    return (f"{head}\n    {stripped}\n    {' ' * (start - indent)}{'^' * max(1, end - start)}")


def _chars(text: str, byte_offset: int) -> int:
    """ast's UTF-8 byte column as a character index into text."""
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="replace"))


def _source_facts(file: str, line: int, col: int, op_name: str):
    """(function name, caret start, caret end) from the parsed source, or None."""
    index = _index(file, _version(file))
    if index is None:
        return None
    functions, starts = index
    function = None
    for first, last, name in functions:      # innermost: the last one opened around line
        if first <= line <= last:
            function = name
    candidates = starts.get((line, col), [])
    chosen = []
    for kinds in (*_NODES_OF.get(op_name, _CALL), (ast.expr, ast.AugAssign)):
        chosen = [c for c in candidates if isinstance(c[0], kinds)]
        if chosen:
            break
    chosen = chosen or candidates
    text = linecache.getline(file, line).rstrip("\r\n")
    if not chosen:
        return function, _chars(text, col), None
    _, end_line, end_col = max(chosen, key=lambda c: (c[1], c[2]))   # the widest
    end = _chars(text, end_col) if end_line == line else len(text)
    return function, _chars(text, col), end


def _version(file: str):
    """What identifies the current text of a file for the cache (mtime and size, or for
    sources only linecache knows, such as notebook cells, its list of lines)."""
    try:
        st = os.stat(file)
        return (st.st_mtime_ns, st.st_size)
    except (OSError, ValueError):
        lines = linecache.getlines(file)
        return (id(lines), len(lines))


@lru_cache(maxsize=16)
def _index(file: str, version) -> tuple | None:
    """The functions (first line, last line, name) and, per (line, byte column), the nodes
    starting there (node, end line, end column) of a source file; None if it does not parse."""
    lines = linecache.getlines(file)
    if not lines:
        return None
    try:
        tree = ast.parse("".join(lines))
    except (SyntaxError, ValueError):
        return None
    functions, starts = [], {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.append((node.lineno, node.end_lineno or node.lineno, node.name))
        if isinstance(node, (ast.expr, ast.stmt)) and getattr(node, "end_lineno", None):
            starts.setdefault((node.lineno, node.col_offset), []).append(
                (node, node.end_lineno, node.end_col_offset))
    functions.sort()        # outer functions open before the ones nested in them
    return functions, starts
