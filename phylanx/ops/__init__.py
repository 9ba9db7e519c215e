"""Op declarations, one module per family; importing this package registers them all."""

from phylanx.ops import (  # noqa: F401
    control,
    creation,
    elementwise,
    indexing,
    linalg,
    random,
    reductions,
    shape,
    values,
)
