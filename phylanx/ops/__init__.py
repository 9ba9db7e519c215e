"""Op declarations, one module per family; importing this package registers them all."""

from phylanx.ops import (  # noqa: F401
    control,
    creation,
    distribution,
    elementwise,
    fused,
    indexing,
    linalg,
    random,
    reductions,
    shape,
    values,
)
