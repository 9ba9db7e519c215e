"""Op declarations, one module per family; importing this package registers them all."""

from phylanx.ops import (  # noqa: F401
    control,
    creation,
    dtypes,
    elementwise,
    fft,
    fused,
    generator,
    indexing,
    io,
    linalg,
    linalg_numpy,
    pymath,
    random,
    rearranging,
    reductions,
    selecting,
    shape,
    statistics,
    values,
)
