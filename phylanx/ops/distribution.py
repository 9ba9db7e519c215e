"""Distribution ops: where the layout pass (phylanx.passes.layout) moves a value between the
layouts of a kernel that runs on a Dask cluster (phylanx.distributed).

Each is the identity on the value it stands for (a partial stands for the whole it sums to),
so a module with them means what it meant without them; the driver gives them their work:
    dist_reduce     per-block partial results -> the replicated whole (a tree reduction)
    dist_gather     a partitioned value -> the replicated whole (concatenated on a worker)
    dist_partition  a replicated value -> blocks along `axis`, as the partitioned arguments
"""

from __future__ import annotations

from phylanx.ir.registry import Attr, declare


def _same_type(types, attrs):
    return types[0]


def _identity(x, **attrs):
    return x


declare("dist_reduce", operands=("x",), attrs=(Attr("combine", "sum", "str"),),
        infer=_same_type, traits=("pure",), impl=_identity,
        doc="Combine per-block partial results (sum, max, min): a replicated value.")
declare("dist_gather", operands=("x",), attrs=(Attr("axis", 0, "int"),),
        infer=_same_type, traits=("pure",), impl=_identity,
        doc="Concatenate the blocks of a partitioned value along axis: a replicated value.")
declare("dist_partition", operands=("x",), attrs=(Attr("axis", 0, "int"),),
        infer=_same_type, traits=("pure",), impl=_identity,
        doc="Split a replicated value into blocks along axis, as the partitioned arguments.")
