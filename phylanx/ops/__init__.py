"""Op declarations, one module per family; importing this package registers them all."""

from phylanx.ops import (  # noqa: F401
    control,
    creation,
    elementwise,
    fft,
    fused,
    generator,
    indexing,
    io,
    linalg,
    random,
    reductions,
    shape,
    values,
)
