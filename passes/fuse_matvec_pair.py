"""fuse-matvec-pair: X.T @ f(X @ w) -> one `matvec_pair` op reading each row block of X once.

Pattern (one block): g = matmul_t(X, v) {transpose_a} (or matmul(transpose(X), v)) with X
2-d and v 1-d, where v is computed from z = matmul(X, w) (w 1-d, the same X) by elementwise
ops f whose other inputs are scalars or 1-d arrays (per-row values such as the labels y).
The elementwise ops and z must have no users besides f and the product (else they would be
computed twice); the ops are moved to the product's place under the rules of
fusion.BlockView.check (no cycle, no in-place write crossed). The result is

    %g = matvec_pair %X, %w, %inputs... body(%z: f64, %inputs...) { f ... yield %f }

with the meaning: for each row i, z = X[i] . w; g += X[i] * f(z, inputs[i]...). The
LogReg gradient X.T @ (sigmoid(X @ w) - y) is the motivating case: X is read once per
iteration instead of twice, and neither X @ w nor the residual vector is stored.
"""

from __future__ import annotations

from phylanx.analysis import Effects
from phylanx.ir.core import Block, Module, Op, Value
from phylanx.ir.registry import TypeRuleError, lookup
from phylanx.ir.types import ArrayType, refines
from phylanx.ops.fused import matvec_pair_type

from .diagnostics import describe
from .fuse_elementwise import is_candidate
from .fusion import BlockView, Refused, build_body, replace_group
from .ir_utils import walk_blocks
from .manager import Pass, PassContext, register


def _rank(v: Value) -> int:
    return v.type.rank if isinstance(v.type, ArrayType) else 0


def transposed_product(op: Op) -> tuple[Value, Value] | None:
    """(X, v) if op computes X.T @ v with X 2-d and v 1-d."""
    a, b = (op.operands + [None, None])[:2]
    if op.name == "matmul_t" and op.attrs["transpose_a"] and not op.attrs["transpose_b"]:
        x = a
    elif op.name == "matmul" and a.defining_op is not None \
            and a.defining_op.name == "transpose" and a.defining_op.attrs["axes"] in (None, (1, 0)):
        x = a.defining_op.operands[0]
    else:
        return None
    if _rank(x) != 2 or _rank(b) != 1:
        return None
    return x, b


def _matvec_of(v: Value, x: Value, view: BlockView) -> Op | None:
    op = v.defining_op
    if op is not None and op.name == "matmul" and op.operands[0] is x \
            and _rank(op.operands[1]) == 1 and op in view.pos:
        return op
    return None


@register
class FuseMatvecPair(Pass):
    """X.T @ f(X @ w) -> matvec_pair (see module doc)."""

    name = "fuse-matvec-pair"

    def run(self, module: Module, ctx: PassContext) -> None:
        self.ctx = ctx
        for f in module.functions.values():
            self.file = f.file
            eff = Effects(f, module)
            for block in list(walk_blocks(f.body)):
                for op in list(block.ops):
                    if op.parent is block and transposed_product(op) is not None:
                        self._try(BlockView(block, eff), op)

    def _dag(self, view: BlockView, root: Op, x: Value, v: Value) -> tuple[list, Op]:
        """Elementwise ops computing v from z = X @ w, and the op computing z."""
        members: set = set()
        todo = [v]
        while todo:
            u = todo.pop()
            op = u.defining_op
            if op is None or op in members or op not in view.pos or not is_candidate(op) \
                    or _matvec_of(u, x, view):
                continue
            members.add(op)
            todo.extend(op.operands)
        found = any(_matvec_of(u, x, view) for m in members for u in m.operands) or \
            _matvec_of(v, x, view) is not None
        dropped: list = []
        changed = True
        while changed:  # drop ops with users outside, then what only they reached
            keep = members | {root}
            bad = {m for m in members if any(view.outside_users(r, keep) for r in m.results)}
            dropped.extend(sorted(bad, key=view.pos.get))
            reach, todo = set(), [v]
            while todo:
                op = todo.pop().defining_op
                if op in members and op not in bad and op not in reach:
                    reach.add(op)
                    todo.extend(op.operands)
            changed = reach != members
            members = reach
        zs = {o for o in [_matvec_of(u, x, view) for m in members | {root} for u in m.operands
                          if m is not root or u is v] if o is not None}
        if not zs and found and dropped:
            raise Refused(f"{describe(dropped[0], self.file)} between X @ w and X.T @ ... is "
                          "also used elsewhere (it would be computed twice)")
        if len(zs) != 1:
            raise LookupError("no X @ w" if not zs else "several products X @ w")
        (z_op,) = zs
        leaves = [u for m in members for u in m.operands
                  if u.defining_op not in members and u is not z_op.results[0]]
        for u in leaves:
            if _rank(u) > 1:
                raise Refused(f"input %{u.hint or '?'} is {u.type}: only scalars and 1-d "
                              "per-row inputs are allowed")
        if view.outside_users(z_op.results[0], members | {root}):
            raise Refused(f"{describe(z_op, self.file)} (X @ w) is also used elsewhere")
        return sorted(members, key=view.pos.get), z_op

    def _try(self, view: BlockView, root: Op) -> None:
        x, v = transposed_product(root)
        try:
            members, z_op = self._dag(view, root, x, v)
        except LookupError:
            return
        except Refused as e:
            self.ctx.remark("refused", root.loc, f"{describe(root, self.file)} not fused into a "
                                                 f"matvec pair: {e}")
            return
        z = z_op.results[0]
        try:
            group = sorted([z_op, *members, root], key=view.pos.get)
            at = view.check(group)
            inputs, body = build_body(members, [v], leading=[z]) if members else \
                self._identity_body(z, root)
            want = matvec_pair_type(x.type, z_op.operands[1].type, body.terminator.operands[0].type)
            if not refines(root.results[0].type, want):
                raise Refused(f"result type {root.results[0].type} is not {want}")
        except (Refused, TypeRuleError) as e:
            self.ctx.remark("refused", root.loc, f"{describe(root, self.file)} not fused into a "
                                                 f"matvec pair: {e}")
            return
        if not body.args[0].hint:
            body.args[0].hint = "z"
        pair = Op(lookup("matvec_pair"), [x, z_op.operands[1], *inputs],
                  [root.results[0].type], {}, [body], root.loc, [root.results[0].hint])
        replace_group(view, group, at, pair, [root.results[0]])
        self.ctx.count("ops-fused", len(group))
        self.ctx.count("matvec-pairs-created")
        ops = ", ".join(describe(m, self.file) for m in group)
        self.ctx.remark("fused", root.loc, f"X.T @ f(X @ w) -> 'matvec_pair' ({len(group)} ops: "
                                           f"{ops})")

    @staticmethod
    def _identity_body(z: Value, root: Op) -> tuple[list, Block]:
        from phylanx.ops.fused import element_type

        from .ir_utils import new_op

        body = Block([element_type(z.type)], [z.hint])
        body.append(new_op("yield", [body.args[0]], [], loc=root.loc))
        return [], body
