"""Profiles of kernel calls: per-node counters and their views (see docs/profiling.md).

    with phylanx.profile() as prof:
        w = logreg(X, y, 1e-5, 100)
    print(prof.table())
    prof.to_html("tree.html")
"""

from phylanx.profiling.collect import KernelCall, Profile, profile

__all__ = ["KernelCall", "Profile", "profile"]
